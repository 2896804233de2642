"""List steps of fix clauses, ``[K = v]`` (a keyed entry) and ``[? cond]`` (every failing
element), written by ``pacscan fix`` as exact bytes: YAML block and flow style with
comments, CRLF, JSON at 2 and 4 spaces; and the SARIF ``fixes`` of a scan give the same
bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_sarif_fix_replay import _copies, _replay, _run, _sarif

POLICIES = [
    *("--policy", "PAC-GUARDDUTY-00[56]", "--policy", "PAC-ELB-00[46]"),
    *("--policy", "PAC-EC2-008", "--policy", "PAC-REDSHIFT-009", "--policy", "PAC-CLOUDFRONT-008"),
]

BLOCK_YAML_BEFORE = """\
# Keyed entries and failing elements, in block style with comments.
Resources:
  Detector:  # the account's detector
    Type: AWS::GuardDuty::Detector
    Properties:
      Enable: true
      Features:
        - Name: S3_DATA_EVENTS  # kept
          Status: ENABLED
        - Name: LAMBDA_NETWORK_LOGS
          Status: DISABLED  # switched off
  Balancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [subnet-1, subnet-2]
      LoadBalancerAttributes:
        - Key: idle_timeout.timeout_seconds
          Value: "60"
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        BlockDeviceMappings:
          - DeviceName: /dev/xvda
            Ebs: {VolumeSize: 10}
          - DeviceName: /dev/sdb
            VirtualName: ephemeral0
          - DeviceName: /dev/sdc
            Ebs:
              VolumeSize: 20
              Encrypted: false  # was off
"""

BLOCK_YAML_AFTER = """\
# Keyed entries and failing elements, in block style with comments.
Resources:
  Detector:  # the account's detector
    Type: AWS::GuardDuty::Detector
    Properties:
      Enable: true
      Features:
        - Name: S3_DATA_EVENTS  # kept
          Status: ENABLED
        - Name: LAMBDA_NETWORK_LOGS
          Status: ENABLED  # switched off
  Balancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [subnet-1, subnet-2]
      LoadBalancerAttributes:
        - Key: idle_timeout.timeout_seconds
          Value: "60"
        - Key: routing.http.drop_invalid_header_fields.enabled
          Value: "true"
        - Key: deletion_protection.enabled
          Value: "true"
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        BlockDeviceMappings:
          - DeviceName: /dev/xvda
            Ebs: {VolumeSize: 10, Encrypted: true}
          - DeviceName: /dev/sdb
            VirtualName: ephemeral0
          - DeviceName: /dev/sdc
            Ebs:
              VolumeSize: 20
              Encrypted: true  # was off
"""

FLOW_YAML_BEFORE = """\
Parameters:
  Feature: {Type: String, Default: RDS_LOGIN_EVENTS}
Resources:
  Detector:
    Type: AWS::GuardDuty::Detector
    Properties: {Enable: true, Features: [{Name: LAMBDA_NETWORK_LOGS, Status: DISABLED}]}
  Balancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Subnets: [subnet-1], LoadBalancerAttributes: []}
  Other:
    Type: AWS::GuardDuty::Detector
    Properties:
      Enable: true
      Features: [{Name: !Ref Feature, Status: DISABLED}]
"""

FLOW_YAML_AFTER = FLOW_YAML_BEFORE.replace(
    "Status: DISABLED}]}\n", "Status: ENABLED}]}\n", 1
).replace(
    "LoadBalancerAttributes: []",
    "LoadBalancerAttributes: [{Key: routing.http.drop_invalid_header_fields.enabled, "
    'Value: "true"}, {Key: deletion_protection.enabled, Value: "true"}]',
)

TWO_JSON_BEFORE = """\
{
  "Resources": {
    "Params": {
      "Type": "AWS::Redshift::ClusterParameterGroup",
      "Properties": {
        "Description": "ssl",
        "ParameterGroupFamily": "redshift-1.0",
        "Parameters": [
          {"ParameterName": "enable_user_activity_logging", "ParameterValue": "true"},
          {"ParameterName": "require_ssl", "ParameterValue": "false"}
        ]
      }
    },
    "Balancer": {
      "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
      "Properties": {
        "Subnets": ["subnet-1"]
      }
    }
  }
}
"""

TWO_JSON_AFTER = """\
{
  "Resources": {
    "Params": {
      "Type": "AWS::Redshift::ClusterParameterGroup",
      "Properties": {
        "Description": "ssl",
        "ParameterGroupFamily": "redshift-1.0",
        "Parameters": [
          {"ParameterName": "enable_user_activity_logging", "ParameterValue": "true"},
          {"ParameterName": "require_ssl", "ParameterValue": "true"}
        ]
      }
    },
    "Balancer": {
      "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
      "Properties": {
        "Subnets": ["subnet-1"],
        "LoadBalancerAttributes": [
          {
            "Key": "routing.http.drop_invalid_header_fields.enabled",
            "Value": "true"
          },
          {
            "Key": "deletion_protection.enabled",
            "Value": "true"
          }
        ]
      }
    }
  }
}
"""

FOUR_JSON_BEFORE = """\
{
    "Resources": {
        "Distribution": {
            "Type": "AWS::CloudFront::Distribution",
            "Properties": {
                "DistributionConfig": {
                    "Enabled": true,
                    "DefaultCacheBehavior": {
                        "TargetOriginId": "api",
                        "ViewerProtocolPolicy": "redirect-to-https"
                    },
                    "Origins": [
                        {
                            "Id": "api",
                            "DomainName": "api.example.com",
                            "CustomOriginConfig": {
                                "OriginProtocolPolicy": "http-only"
                            }
                        },
                        {
                            "Id": "site",
                            "DomainName": "site.s3.amazonaws.com",
                            "S3OriginConfig": {}
                        }
                    ]
                }
            }
        }
    }
}
"""

FOUR_JSON_AFTER = """\
{
    "Resources": {
        "Distribution": {
            "Type": "AWS::CloudFront::Distribution",
            "Properties": {
                "DistributionConfig": {
                    "Enabled": true,
                    "DefaultCacheBehavior": {
                        "TargetOriginId": "api",
                        "ViewerProtocolPolicy": "redirect-to-https"
                    },
                    "Origins": [
                        {
                            "Id": "api",
                            "DomainName": "api.example.com",
                            "CustomOriginConfig": {
                                "OriginProtocolPolicy": "https-only",
                                "OriginSSLProtocols": [
                                    "TLSv1.2"
                                ]
                            }
                        },
                        {
                            "Id": "site",
                            "DomainName": "site.s3.amazonaws.com",
                            "S3OriginConfig": {}
                        }
                    ]
                }
            }
        }
    }
}
"""


FILES = {
    "block.yaml": (BLOCK_YAML_BEFORE, BLOCK_YAML_AFTER),
    "crlf.yaml": (
        BLOCK_YAML_BEFORE.replace("\n", "\r\n"),
        BLOCK_YAML_AFTER.replace("\n", "\r\n"),
    ),
    "flow.yaml": (FLOW_YAML_BEFORE, FLOW_YAML_AFTER),
    "two.json": (TWO_JSON_BEFORE, TWO_JSON_AFTER),
    "four.json": (FOUR_JSON_BEFORE, FOUR_JSON_AFTER),
}
NAMES = list(FILES)


def _write(folder: Path) -> None:
    for name, (before, _) in FILES.items():
        (folder / name).write_bytes(before.encode())


def test_list_steps_are_written_as_exact_bytes(tmp_path: Path) -> None:
    _write(tmp_path)
    done = _run(tmp_path, "fix", *NAMES, *POLICIES)
    for name, (_, after) in FILES.items():
        assert (tmp_path / name).read_bytes() == after.encode(), name
    assert done.returncode == 1, done.stderr  # the element a parameter chooses still fails
    assert (
        "not fixed  flow.yaml:14:19 PAC-GUARDDUTY-005 Other Properties.Features[0].Name: "
        "Properties.Features[0].Name chooses the element to change: the value comes from "
        "parameter Feature" in done.stdout
    )
    assert done.stdout.endswith("15 findings fixed in 5 files; 1 not fixed\n")
    again = _run(tmp_path, "fix", *NAMES, *POLICIES)
    assert again.stdout.endswith("0 findings fixed in 0 files; 1 not fixed\n")


def test_sarif_fixes_of_list_steps_give_the_bytes_pacscan_fix_writes(tmp_path: Path) -> None:
    replayed, fixed = _copies(tmp_path, {n: b.encode() for n, (b, _) in FILES.items()})
    log = _sarif(replayed, *NAMES, *POLICIES)
    _replay(replayed, log)
    _run(fixed, "fix", *NAMES, *POLICIES)
    for name, (_, after) in FILES.items():
        assert (replayed / name).read_bytes() == (fixed / name).read_bytes() == after.encode()
    texts = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r
        for r in log["runs"][0]["results"]
        if r.get("fixes")
    }
    # In two.json the second ELB attribute goes into the list the first one creates: one
    # result carries both.
    assert len(texts) == 14
    carrier = texts[("PAC-ELB-004", "two.json")]["fixes"][0]["description"]["text"]
    assert carrier.endswith("The same change fixes PAC-ELB-006 on Balancer.")
    described = texts[("PAC-GUARDDUTY-006", "block.yaml")]["fixes"][0]["description"]["text"]
    assert described == (
        'Set Properties.Features[Name = "LAMBDA_NETWORK_LOGS"].Status to "ENABLED" '
        '(the [Name = "LAMBDA_NETWORK_LOGS"] element is added where the list has none).'
    )


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        (
            "Parameters:\n  Env: {Type: String}\nConditions:\n  Prod: !Equals [!Ref Env, prod]\n"
            "Resources:\n  D:\n    Type: AWS::GuardDuty::Detector\n    Properties:\n"
            "      Enable: true\n      Features: !If\n        - Prod\n"
            "        - [{Name: LAMBDA_NETWORK_LOGS, Status: DISABLED}]\n"
            "        - [{Name: S3_DATA_EVENTS, Status: ENABLED}]\n",
            None,  # the list of the failing branch is edited, the other is left as it is
        ),
        (
            "Parameters:\n  S: {Type: String, Default: DISABLED}\nResources:\n  D:\n"
            "    Type: AWS::GuardDuty::Detector\n    Properties:\n      Enable: true\n"
            "      Features: [{Name: LAMBDA_NETWORK_LOGS, Status: !Ref S}]\n",
            "the value comes from parameter S",
        ),
    ],
)
def test_a_keyed_entry_in_a_branch_is_fixed_and_one_from_a_parameter_is_not(
    tmp_path: Path, template: str, reason: str | None
) -> None:
    (tmp_path / "t.yaml").write_text(template)
    done = _run(tmp_path, "fix", "t.yaml", "--policy", "PAC-GUARDDUTY-006")
    if reason is None:
        assert done.returncode == 0, done.stdout + done.stderr
        assert (tmp_path / "t.yaml").read_text() == template.replace(
            "Status: DISABLED", "Status: ENABLED"
        )
    else:
        assert done.returncode == 1 and reason in done.stdout, done.stdout
        assert (tmp_path / "t.yaml").read_text() == template


# Two lines of one fix: the second finds the element the first appends.
NESTED = """\
policy AGENT {
  id = "T-LIST-001"
  title = "agent"
  severity = high
  resource AWS::GuardDuty::Detector
  assert any Properties.Features[*] as f: f.Name == "RUNTIME_MONITORING"
      and f.Status == "ENABLED"
      and any f.AdditionalConfiguration[*] as c: c.Name == "EC2_AGENT_MANAGEMENT"
  fix set Properties.Features[Name = "RUNTIME_MONITORING"].Status = "ENABLED"
  fix set Properties.Features[Name = "RUNTIME_MONITORING"]
      .AdditionalConfiguration[Name = "EC2_AGENT_MANAGEMENT"].Status = "ENABLED"
}
"""


def test_lines_of_one_fix_see_the_elements_the_lines_before_appended(tmp_path: Path) -> None:
    (tmp_path / "agent.policy").write_text(NESTED)
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  A:\n    Type: AWS::GuardDuty::Detector\n    Properties:\n"
        "      Enable: true  # on\n"
        "  B:\n    Type: AWS::GuardDuty::Detector\n    Properties:\n      Enable: true\n"
        "      Features:\n        - Name: RUNTIME_MONITORING\n          Status: DISABLED\n"
    )
    done = _run(tmp_path, "fix", "t.yaml", "--policies", "agent.policy")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "t.yaml").read_text() == (
        "Resources:\n  A:\n    Type: AWS::GuardDuty::Detector\n    Properties:\n"
        "      Enable: true  # on\n"
        "      Features:\n        - Name: RUNTIME_MONITORING\n          Status: ENABLED\n"
        "          AdditionalConfiguration:\n            - Name: EC2_AGENT_MANAGEMENT\n"
        "              Status: ENABLED\n"
        "  B:\n    Type: AWS::GuardDuty::Detector\n    Properties:\n      Enable: true\n"
        "      Features:\n        - Name: RUNTIME_MONITORING\n          Status: ENABLED\n"
        "          AdditionalConfiguration:\n            - Name: EC2_AGENT_MANAGEMENT\n"
        "              Status: ENABLED\n"
    )
