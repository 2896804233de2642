"""Resource types and property paths a policy names are checked against the schema index."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.errors import render_diagnostic
from scanner.lang import codes
from scanner.lang.resource_schema import INDEX_SOURCE, index_source, known_type, properties
from scanner.lang.sources import builtin_policy_dir, discover_policy_files
from scanner.policyset.compiler import PolicySource, compile_sources

ROOT = Path(__file__).resolve().parents[2]

HEADER = 'policy P {\n  id = "PAC-T-001"\n  title = "t"\n  severity = high\n'


def _errors(body: str, path: str = "t.policy") -> list[str]:
    result = compile_sources([PolicySource(path, HEADER + body + "}\n")])
    return [render_diagnostic(d).splitlines()[0] for d in result.diagnostics]


def test_a_typo_in_the_type_is_an_error_with_the_closest_type() -> None:
    assert _errors("  resource AWS::RDS::DBInstanse\n  assert Properties.MultiAZ == true\n") == [
        "t.policy:5:12: error[P090]: unknown resource type AWS::RDS::DBInstanse; "
        "did you mean `AWS::RDS::DBInstance`?"
    ]


def test_a_typo_in_a_property_is_an_error_with_the_closest_name() -> None:
    body = "  resource AWS::RDS::DBInstance\n  assert Properties.PubliclyAcessible == false\n"
    assert _errors(body) == [
        "t.policy:6:21: error[P091]: AWS::RDS::DBInstance has no property "
        "`Properties.PubliclyAcessible`; did you mean `PubliclyAccessible`?"
    ]


def test_a_typo_deep_in_a_nested_path_names_the_whole_path() -> None:
    body = (
        "  resource AWS::S3::Bucket\n"
        "  assert all Properties.BucketEncryption.ServerSideEncryptionConfiguration[*] as r:\n"
        '    r.ServerSideEncryptionByDefault.SSEAlgorithmm == "aws:kms"\n'
    )
    assert _errors(body) == [
        "t.policy:7:37: error[P091]: AWS::S3::Bucket has no property "
        "`Properties.BucketEncryption.ServerSideEncryptionConfiguration[*]"
        ".ServerSideEncryptionByDefault.SSEAlgorithmm`; did you mean `SSEAlgorithm`?"
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (  # through a filter's @
            "  resource AWS::EC2::SecurityGroup\n"
            "  assert Properties.SecurityGroupIngress[? @.FromPot == 22] is empty\n",
            "t.policy:6:46: error[P091]: AWS::EC2::SecurityGroup has no property "
            "`Properties.SecurityGroupIngress[?].FromPot`; did you mean `FromPort`?",
        ),
        (  # through a let
            "  resource AWS::S3::Bucket\n"
            "  let v = Properties.VersioningConfiguration\n"
            '  assert v.Statuss == "Enabled"\n',
            "t.policy:7:12: error[P091]: AWS::S3::Bucket has no property "
            "`Properties.VersioningConfiguration.Statuss`; did you mean `Status`?",
        ),
        (  # in the other resource of related()
            "  resource AWS::S3::Bucket\n"
            "  assert any related(AWS::S3::BucketPolicy, Properties.Buckett) as p: p exists\n",
            "t.policy:6:56: error[P091]: AWS::S3::BucketPolicy has no property "
            "`Properties.Buckett`; did you mean `Bucket`?",
        ),
        (  # on a resource related() found
            "  resource AWS::S3::Bucket\n"
            "  assert any related(AWS::S3::BucketPolicy, Properties.Bucket) as p:\n"
            "    p.Properties.PolicyDocumnt exists\n",
            "t.policy:7:18: error[P091]: AWS::S3::BucketPolicy has no property "
            "`Properties.PolicyDocumnt`; did you mean `PolicyDocument`?",
        ),
        (  # a fix path
            "  resource AWS::S3::Bucket\n"
            '  assert Properties.VersioningConfiguration.Status == "Enabled"\n'
            '  fix set Properties.VersioningConfiguraton.Status = "Enabled"\n',
            "t.policy:7:11: error[P091]: AWS::S3::Bucket has no property "
            "`Properties.VersioningConfiguraton`; did you mean `VersioningConfiguration`?",
        ),
        (  # a type compared with `type`
            "  resource AWS::IAM::User, AWS::IAM::Role\n"
            '  when type in ["AWS::IAM::User", "AWS::IAM::Usr"]\n'
            "  assert Properties.Path exists\n",
            "t.policy:6:35: error[P090]: unknown resource type AWS::IAM::Usr; "
            "did you mean `AWS::IAM::User`?",
        ),
        (  # SAM types come from the SAM schema
            '  resource AWS::Serverless::Function\n  assert Properties.Runtim != "python2.7"\n',
            "t.policy:6:21: error[P091]: AWS::Serverless::Function has no property "
            "`Properties.Runtim`; did you mean `Runtime`?",
        ),
    ],
)
def test_paths_are_followed_through_bindings(body: str, expected: str) -> None:
    assert _errors(body) == [expected]


def test_a_def_key_is_unknown_only_when_no_call_has_it() -> None:
    text = (
        'def open_v4(rule) = rule.CidrIp == "0.0.0.0/0"\n'
        'def typo(rule) = rule.CidrIpp == "0.0.0.0/0"\n'
        "def coded(x) = x.Code exists\n"
        + HEADER
        + "  resource AWS::EC2::SecurityGroup, AWS::EC2::NetworkAclEntry\n"
        "  assert none Properties.SecurityGroupIngress[*] as r: open_v4(r) or typo(r)\n"
        "  assert coded(Properties) or coded(Properties.Icmp)\n"
        "}\n"
    )
    result = compile_sources([PolicySource("d.policy", text)])
    assert [render_diagnostic(d).splitlines()[0] for d in result.diagnostics] == [
        "d.policy:2:23: error[P091]: none of AWS::EC2::SecurityGroup, AWS::EC2::NetworkAclEntry "
        "has a property `Properties.SecurityGroupIngress[*].CidrIpp`; did you mean `CidrIp`?"
    ]


@pytest.mark.parametrize(
    "body",
    [
        # free-form JSON stops the check
        "  resource AWS::IAM::Policy\n"
        '  assert all Properties.PolicyDocument.Statement[*] as s: s.Effect == "Deny"\n',
        # a map of names
        "  resource AWS::Lambda::Function\n  assert Properties.Environment.Variables.ANY exists\n",
        # list items through an index, and a map wildcard
        "  resource AWS::S3::Bucket\n"
        "  assert Properties.Tags[0].Key exists and Properties.Tags.* is not empty\n",
        # a property of either target
        "  resource AWS::RDS::DBInstance, AWS::RDS::DBCluster\n"
        "  assert Properties.DBClusterParameterGroupName exists\n",
        # fields the live collectors add: IAM access keys, live-only account types
        "  resource AWS::IAM::User\n"
        "  assert all Properties.AccessKeys[*] as k: k.LastUsedDate exists\n",
        "  resource Pacscan::IAM::RootAccount\n  assert Properties.AccessKeys[*].Active is empty\n",
        # other registry namespaces and custom resources are not checked
        "  resource Custom::Thing, MyOrg::Service::Thing\n  assert Properties.Anything exists\n",
        # the body's other top-level keys
        "  resource AWS::S3::Bucket\n"
        '  assert DeletionPolicy == "Retain" and Metadata.Owner.Team exists\n',
    ],
)
def test_correct_paths_compile_clean(body: str) -> None:
    assert _errors(body) == []


def test_every_builtin_policy_compiles_clean() -> None:
    result = compile_sources(discover_policy_files([builtin_policy_dir()]))
    assert [d for d in result.diagnostics if d.code in (codes.UNKNOWN_PROPERTY,)] == []
    assert [render_diagnostic(d) for d in result.diagnostics] == []
    assert len(result.program.policies) >= 182


def test_every_builtin_target_type_is_in_the_index() -> None:
    result = compile_sources(discover_policy_files([builtin_policy_dir()]))
    types = {t for p in result.program.policies for t in p.info.resource_types}
    assert types and all(known_type(t) and properties(t) != 0 for t in types)


def test_the_index_records_where_it_came_from() -> None:
    source = index_source()
    assert source["schemas"].startswith(INDEX_SOURCE + " ")
    assert (ROOT / source["script"]).is_file()
    assert "docs/aws.md" in source["extras"]


def test_the_index_is_small_and_cheap_to_load() -> None:
    data = ROOT / "scanner" / "data" / "resource_schema.json.gz"
    assert data.stat().st_size < 1_000_000
    probe = (
        "import time; t = time.perf_counter()\n"
        "from scanner.lang.resource_schema import properties\n"
        "assert 'Status' in properties('AWS::S3::Bucket')['VersioningConfiguration']\n"
        "print(time.perf_counter() - t)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert float(done.stdout) < 2.0  # about 0.02 s unloaded; the bound allows a busy machine


def test_the_index_knows_every_property_docs_aws_md_lists() -> None:
    """A collector field documented after the index was built fails here: rebuild it."""
    spec = importlib.util.spec_from_file_location("build", ROOT / "tools" / "build_schema_index.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    documented = build.live_properties((ROOT / "docs" / "aws.md").read_text("utf-8"))
    assert len(documented) >= 15

    def missing(doc: object, tree: object, trail: str) -> list[str]:
        if not isinstance(doc, dict) or not isinstance(tree, dict):
            return []
        return [
            p
            for key, sub in doc.items()
            for p in (
                [f"{trail}.{key}"] if key not in tree else missing(sub, tree[key], f"{trail}.{key}")
            )
        ]

    gaps = [p for t, doc in documented.items() for p in missing(doc, properties(t), t)]
    assert gaps == [], "rebuild with: python tools/build_schema_index.py"
