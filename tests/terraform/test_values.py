"""What the Terraform loader makes of variables, locals, expressions, instances, modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.model import Partial, Reference, Unknown
from tests.terraform.helpers import load, props, write

BUCKET = 'resource "aws_s3_bucket" "b" {{\n  bucket = {}\n}}\n'


def test_a_variable_with_no_value_is_unknown_and_named(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": 'variable "name" {}\n' + BUCKET.format("var.name")})
    value = props(tmp_path, "aws_s3_bucket.b")["BucketName"]
    assert type(value) is Unknown
    assert value.external and value.name == "var.name"
    assert "variable name has no value" in value.cause


@pytest.mark.parametrize(
    ("files", "options", "expected"),
    [
        ({}, {}, "default"),
        ({"terraform.tfvars": 'name = "tfvars"\n'}, {}, "tfvars"),
        (
            {"terraform.tfvars": 'name = "tfvars"\n', "b.auto.tfvars": 'name = "auto"\n'},
            {},
            "auto",
        ),
        ({"b.auto.tfvars": 'name = "auto"\n'}, {"terraform_var_files": ("FILE",)}, "file"),
        (
            {"b.auto.tfvars": 'name = "auto"\n'},
            {"terraform_var_files": ("FILE",), "terraform_vars": (("name", "cli"),)},
            "cli",
        ),
    ],
)
def test_variable_values_follow_terraform_precedence(
    tmp_path: Path, files: dict[str, str], options: dict[str, object], expected: str
) -> None:
    module = tmp_path / "m"
    write(
        module, {"main.tf": 'variable "name" { default = "default" }\n' + BUCKET.format("var.name")}
    )
    write(module, files)
    (tmp_path / "x.tfvars").write_text('name = "file"\n')
    if "terraform_var_files" in options:
        options = {**options, "terraform_var_files": (str(tmp_path / "x.tfvars"),)}
    assert props(module, "aws_s3_bucket.b", **options)["BucketName"] == expected


def test_locals_templates_conditionals_and_functions(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": """
variable "env" { default = "prod" }
variable "on" {
  type    = bool
  default = false
}
locals {
  name   = "${var.env}-${lower("DATA")}"
  tags   = merge({ a = "1" }, { b = format("%s-%d", "x", 2) })
  ids    = concat(["a"], tolist(["b"]))
  status = var.on ? "Enabled" : "Suspended"
}
resource "aws_s3_bucket" "b" {
  bucket = local.name
  tags   = local.tags
  versioning {
    enabled = var.env == "prod" && length(local.ids) == 2
  }
}
resource "aws_kms_key" "k" {
  description = coalesce("", lookup({ k = "v" }, "k", "d"))
  key_usage   = try(local.missing, element(local.ids, 3))
  is_enabled  = can(local.nothing)
  enable_key_rotation = local.status == "Suspended"
}
"""
        },
    )
    resources, errors = load(tmp_path)
    bucket = resources["aws_s3_bucket.b"].properties
    assert bucket["BucketName"] == "prod-data"
    assert bucket["Tags"] == [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "x-2"}]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    key = resources["aws_kms_key.k"].properties
    assert key["Description"] == "v"
    assert key["KeyUsage"] == "b"
    assert key["Enabled"] is False
    assert key["EnableKeyRotation"] is True
    assert errors == []


def test_unknown_parts_make_partial_strings_and_references(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": """
variable "env" {}
resource "aws_s3_bucket" "logs" { bucket = "${var.env}-logs" }
resource "aws_s3_bucket" "data" {
  bucket = "data"
  logging { target_bucket = aws_s3_bucket.logs.id }
}
"""
        },
    )
    resources, _ = load(tmp_path)
    name = resources["aws_s3_bucket.logs"].properties["BucketName"]
    assert type(name) is Partial and name.parts[1] == "-logs"
    target = resources["aws_s3_bucket.data"].properties["LoggingConfiguration"]
    assert target["DestinationBucketName"] == Reference(
        "aws_s3_bucket.logs", "id", "aws_s3_bucket.logs.id"
    )


def test_count_and_for_each_instances_are_addressed_like_terraform(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": """
resource "aws_s3_bucket" "n" {
  count  = 2
  bucket = "n-${count.index}"
}
resource "aws_s3_bucket" "k" {
  for_each = { a = "x", b = "y" }
  bucket   = "${each.key}-${each.value}"
}
resource "aws_s3_bucket" "s" {
  for_each = toset(["one"])
  bucket   = each.value
}
resource "aws_s3_bucket" "none" {
  count  = 0
  bucket = "none"
}
"""
        },
    )
    resources, _ = load(tmp_path)
    names = {address: r.properties["BucketName"] for address, r in resources.items()}
    assert names == {
        "aws_s3_bucket.n[0]": "n-0",
        "aws_s3_bucket.n[1]": "n-1",
        'aws_s3_bucket.k["a"]': "a-x",
        'aws_s3_bucket.k["b"]': "b-y",
        'aws_s3_bucket.s["one"]': "one",
    }


def test_dynamic_blocks_expand_per_item(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": """
locals {
  ports = { ssh = 22, web = 443 }
}
resource "aws_security_group" "g" {
  name = "g"
  dynamic "ingress" {
    for_each = local.ports
    content {
      protocol    = "tcp"
      from_port   = ingress.value
      to_port     = ingress.value
      cidr_blocks = ["10.0.0.0/8", "0.0.0.0/0"]
    }
  }
}
"""
        },
    )
    rules = props(tmp_path, "aws_security_group.g")["SecurityGroupIngress"]
    assert [(r["FromPort"], r["CidrIp"]) for r in rules] == [
        (22, "10.0.0.0/8"),
        (22, "0.0.0.0/0"),
        (443, "10.0.0.0/8"),
        (443, "0.0.0.0/0"),
    ]


def test_local_modules_are_instances_of_their_own(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": """
module "a" {
  source = "./modules/bucket"
  name   = "alpha"
}
module "b" {
  source = "./modules/bucket"
  name   = "beta"
}
resource "aws_s3_bucket" "uses" {
  bucket = "${module.a.name}-copy"
}
""",
            "modules/bucket/main.tf": """
variable "name" {}
resource "aws_s3_bucket" "this" { bucket = var.name }
output "name" { value = var.name }
""",
        },
    )
    resources, _ = load(tmp_path)
    assert resources["module.a.aws_s3_bucket.this"].properties["BucketName"] == "alpha"
    assert resources["module.b.aws_s3_bucket.this"].properties["BucketName"] == "beta"
    assert resources["aws_s3_bucket.uses"].properties["BucketName"] == "alpha-copy"
    # the module's own directory is a root module too: its variable has no value there
    assert type(resources["aws_s3_bucket.this"].properties["BucketName"]) is Unknown


def test_a_remote_module_is_not_fetched_and_says_so(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": """
module "remote" { source = "terraform-aws-modules/s3-bucket/aws" }
resource "aws_s3_bucket" "b" { bucket = module.remote.s3_bucket_id }
"""
        },
    )
    value = props(tmp_path, "aws_s3_bucket.b")["BucketName"]
    assert type(value) is Unknown
    assert "terraform-aws-modules/s3-bucket/aws, which is not fetched" in value.cause


def test_a_module_outside_the_scanned_directory_is_not_read(tmp_path: Path) -> None:
    write(tmp_path / "outside", {"main.tf": 'resource "aws_s3_bucket" "secret" { bucket = "x" }\n'})
    root = tmp_path / "root"
    write(root, {"main.tf": 'module "m" { source = "../outside" }\n'})
    resources, errors = load(root)
    assert resources == {}
    assert [e.code for e in errors] == ["I019"]
    assert "outside the scanned directories" in errors[0].message
    assert errors[0].location is not None and errors[0].location.line == 1


def test_a_syntax_error_is_located_and_the_other_files_still_load(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "bad.tf": 'resource "aws_s3_bucket" "x" {\n  bucket = \n}\n',
            "good.tf": BUCKET.format('"fine"'),
        },
    )
    resources, errors = load(tmp_path)
    assert list(resources) == ["aws_s3_bucket.b"]
    assert len(errors) == 1
    error = errors[0]
    assert error.code == "I017"
    assert error.location is not None
    assert (error.location.file, error.location.line) == (str(tmp_path / "bad.tf"), 2)


def test_an_expression_terraform_rejects_is_an_error_and_unknown(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": BUCKET.format("element([], 0)")})
    resources, errors = load(tmp_path)
    assert type(resources["aws_s3_bucket.b"].properties["BucketName"]) is Unknown
    assert [(e.code, e.location.line if e.location else None) for e in errors] == [("I018", 2)]


def test_a_huge_range_stops_with_one_error(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"main.tf": "locals {\n  r = range(100000000)\n}\n" + BUCKET.format("length(local.r)")},
    )
    resources, errors = load(tmp_path)
    assert [e.code for e in errors] == ["I013"]


def test_tf_json_files_are_read_with_positions(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf.json": """{
  "variable": {"env": {"default": "dev"}},
  "resource": {
    "aws_s3_bucket": {
      "b": {
        "bucket": "${var.env}-data",
        "versioning": [{"enabled": true}]
      }
    }
  }
}
"""
        },
    )
    resources, errors = load(tmp_path)
    bucket = resources["aws_s3_bucket.b"]
    assert bucket.properties["BucketName"] == "dev-data"
    assert bucket.properties["VersioningConfiguration"] == {"Status": "Enabled"}
    from scanner.model import locate

    where = locate(bucket, ("Properties", "VersioningConfiguration", "Status"))
    assert where is not None and where.line == 7


def test_module_calls_with_for_each_and_outputs_read_both_ways(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": """
module "bucket" {
  for_each = toset(["a", "b"])
  source   = "./bucket"
  name     = "${each.key}-${module.other.suffix}"
}
module "other" {
  source = "./other"
  prefix = module.bucket["a"].name
}
""",
            "bucket/main.tf": """
variable "name" {}
resource "aws_s3_bucket" "this" { bucket = var.name }
output "name" { value = var.name }
""",
            "other/main.tf": """
variable "prefix" {}
output "suffix" { value = "data" }
resource "aws_s3_bucket" "copy" { bucket = "${var.prefix}-copy" }
""",
        },
    )
    resources, errors = load(tmp_path)
    assert resources['module.bucket["a"].aws_s3_bucket.this'].properties["BucketName"] == "a-data"
    assert resources['module.bucket["b"].aws_s3_bucket.this'].properties["BucketName"] == "b-data"
    assert resources["module.other.aws_s3_bucket.copy"].properties["BucketName"] == "a-data-copy"
    assert [e for e in errors if e.code == "I018"] == []


def test_a_splat_over_counted_resources_is_a_list_of_references(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": """
resource "aws_security_group" "this" {
  count = 1
  name  = "g"
}
locals {
  sg_id = concat(aws_security_group.this.*.id, [""])[0]
}
resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  security_group_id = local.sg_id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = ["0.0.0.0/0"]
}
"""
        },
    )
    rules = props(tmp_path, "aws_security_group.this[0]")["SecurityGroupIngress"]
    assert [(r["FromPort"], r["CidrIp"]) for r in rules] == [(22, "0.0.0.0/0")]


def test_a_split_resource_whose_target_is_unknown_makes_its_setting_unknown(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "main.tf": """
variable "bucket" {}
resource "aws_s3_bucket" "a" { bucket = "a" }
resource "aws_s3_bucket_versioning" "v" {
  bucket = var.bucket
  versioning_configuration { status = "Enabled" }
}
"""
        },
    )
    value = props(tmp_path, "aws_s3_bucket.a")["VersioningConfiguration"]
    assert type(value) is Unknown
    assert "aws_s3_bucket_versioning.v may set this" in value.cause


def test_an_optional_object_attribute_is_null_and_an_empty_file_is_fine(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "empty.tf": "",
            "main.tf": """
variable "cfg" {
  type    = object({ name = string, acl = optional(string) })
  default = { name = "n" }
}
resource "aws_s3_bucket" "b" {
  bucket = var.cfg.name
  acl    = var.cfg.acl
}
""",
        },
    )
    resources, errors = load(tmp_path)
    assert resources["aws_s3_bucket.b"].properties == {"BucketName": "n"}
    assert errors == []


def test_an_iam_policy_document_data_source_is_the_document_it_describes(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "main.tf": """
resource "aws_s3_bucket" "b" { bucket = "b" }
data "aws_iam_policy_document" "deny_http" {
  statement {
    sid     = "DenyHttp"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [aws_s3_bucket.b.arn, "${aws_s3_bucket.b.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}
resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
  policy = data.aws_iam_policy_document.deny_http.json
}
"""
        },
    )
    document = props(tmp_path, "aws_s3_bucket_policy.b")["PolicyDocument"]
    statement = document["Statement"][0]
    assert statement["Effect"] == "Deny" and statement["Principal"] == "*"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": ["false"]}}
    assert statement["Resource"][0] == Reference("aws_s3_bucket.b", "arn", "aws_s3_bucket.b.arn")
    assert type(statement["Resource"][1]) is Partial


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('join("-", sort(["b", "a"]))', "a-b"),
        ('join("-", slice(["a", "b", "c"], 1, 3))', "b-c"),
        ('trimprefix("pre-name", "pre-")', "name"),
        ('alltrue([true, startswith("abc", "a")]) ? "yes" : "no"', "yes"),
    ],
)
def test_more_functions(tmp_path: Path, expression: str, expected: str) -> None:
    write(tmp_path, {"main.tf": BUCKET.format(expression)})
    assert props(tmp_path, "aws_s3_bucket.b")["BucketName"] == expected


def test_a_file_linked_from_outside_the_scan_and_a_fifo_are_not_read(tmp_path: Path) -> None:
    import os

    write(tmp_path / "outside", {"secret.tf": 'resource "aws_s3_bucket" "s" { bucket = "s" }\n'})
    root = tmp_path / "root"
    write(root, {"main.tf": BUCKET.format('"b"')})
    os.symlink(tmp_path / "outside" / "secret.tf", root / "linked.tf")
    os.mkfifo(root / "pipe.tf")
    resources, errors = load(root)
    assert list(resources) == ["aws_s3_bucket.b"]
    assert [e.code for e in errors] == ["I014"]


def test_a_counted_policy_document_and_a_heredoc_naming_a_resource_are_read(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "main.tf": """
resource "random_pet" "this" {}

data "aws_iam_policy_document" "assume" {
  count = 1
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "flow" {
  name               = "flow"
  assume_role_policy = data.aws_iam_policy_document.assume[0].json
}

resource "aws_iam_policy" "copy" {
  name   = "copy"
  policy = <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::${random_pet.this.id}/*"}
  ]
}
POLICY
}
"""
        },
    )
    role = props(tmp_path, "aws_iam_role.flow")["AssumeRolePolicyDocument"]
    assert role["Statement"][0]["Principal"] == {"Service": ["vpc-flow-logs.amazonaws.com"]}
    statement = props(tmp_path, "aws_iam_policy.copy")["PolicyDocument"]["Statement"][0]
    assert statement["Action"] == "s3:GetObject"
    resource = statement["Resource"]
    assert type(resource) is Partial and resource.chunks() == ("arn:aws:s3:::", "/*")
