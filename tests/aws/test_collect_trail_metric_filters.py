"""Alarms on CloudTrail's log groups against moto: the collected record, CIS 4.1-4.15 verdicts."""

from __future__ import annotations

import json
from typing import Any

from moto_fixtures import ACCOUNT, FaultProxy, MotoAWS, resources_of
from test_audit import audit, policy_args

TRAIL_REGION = "eu-west-1"  # the trails' home; the collection's home region is us-east-1
POLICIES = [f"PAC-CLOUDWATCH-{n:03d}" for n in range(1, 16)]
RECORD = "trail-metric-filters"


class Account:
    """Trails, log groups, metric filters, alarms and topics, made with boto3 on moto."""

    def __init__(self, aws: MotoAWS) -> None:
        self.aws = aws
        self.logs = aws.client("logs", region=TRAIL_REGION)
        self.alarms = aws.client("cloudwatch", region=TRAIL_REGION)
        sns = aws.client("sns", region=TRAIL_REGION)
        self.topic = sns.create_topic(Name="security-alerts")["TopicArn"]
        sns.subscribe(TopicArn=self.topic, Protocol="email", Endpoint="soc@example.com")
        self.silent_topic = sns.create_topic(Name="nobody-listens")["TopicArn"]
        aws.client("s3").create_bucket(Bucket="trail-bucket")

    def trail(self, name: str, *, multi_region: bool = True, logging: bool = True) -> str:
        self.logs.create_log_group(logGroupName=name)
        group = next(
            g["arn"] for g in self.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        )
        trails = self.aws.client("cloudtrail", region=TRAIL_REGION)
        trails.create_trail(
            Name=name,
            S3BucketName="trail-bucket",
            IsMultiRegionTrail=multi_region,
            CloudWatchLogsLogGroupArn=group,
            CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/trail-to-logs",
        )
        if logging:
            trails.start_logging(Name=name)
        return name

    def alarmed_filter(
        self, group: str, name: str, pattern: str, *, topic: str | None = None, enabled: bool = True
    ) -> None:
        self.logs.put_metric_filter(
            logGroupName=group,
            filterName=name,
            filterPattern=pattern,
            metricTransformations=[
                {"metricName": name, "metricNamespace": "CISBenchmark", "metricValue": "1"}
            ],
        )
        self.alarms.put_metric_alarm(
            AlarmName=name,
            MetricName=name,
            Namespace="CISBenchmark",
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            ActionsEnabled=enabled,
            AlarmActions=[topic or self.topic],
        )


def _record(aws: MotoAWS, *extra: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    snapshot, done = aws.collect(
        "--service", "cloudwatch", "--region", "us-east-1", *extra, env=env
    )
    assert done.returncode == (3 if snapshot["errors"] else 0), done.stderr
    (record,) = resources_of(snapshot, "Pacscan::CloudWatch::TrailMetricFilters").values()
    assert record["id"] == f"arn:aws:logs::{ACCOUNT}:{RECORD}"
    assert record["region"] == "global"
    return record


def test_filters_of_a_trail_in_another_region_with_their_alarms_and_subscribers(
    aws: MotoAWS,
) -> None:
    account = Account(aws)
    group = account.trail("audit")
    account.alarmed_filter(
        group, "TrailChanges", '{ ($.eventName = "CreateTrail") ||($.eventName=UpdateTrail) }'
    )
    account.alarmed_filter(
        group, "RootUse", "{ $.userIdentity.type = Root }", topic=account.silent_topic
    )
    account.logs.put_metric_filter(
        logGroupName=group,
        filterName="NoAlarm",
        filterPattern="ERROR",
        metricTransformations=[
            {"metricName": "Errors", "metricNamespace": "App", "metricValue": "1"}
        ],
    )
    record = _record(aws)
    filters = {f["FilterName"]: f for f in record["properties"]["MetricFilters"]}
    assert sorted(filters) == ["NoAlarm", "RootUse", "TrailChanges"]
    changes = filters["TrailChanges"]
    assert changes["LogGroupName"] == "audit" and changes["Region"] == TRAIL_REGION
    assert changes["Trails"] == [
        {
            "TrailArn": f"arn:aws:cloudtrail:{TRAIL_REGION}:{ACCOUNT}:trail/audit",
            "IsMultiRegionTrail": True,
            "IsLogging": True,
        }
    ]
    assert changes["Alternatives"] == [
        ["$.eventName = CreateTrail"],
        ["$.eventName = UpdateTrail"],
    ]
    assert changes["Alarms"] == [
        {
            "AlarmName": "TrailChanges",
            "AlarmArn": f"arn:aws:cloudwatch:{TRAIL_REGION}:{ACCOUNT}:alarm:TrailChanges",
            "ActionsEnabled": True,
            "Topics": [{"TopicArn": account.topic, "Subscribers": 1}],
        }
    ]
    assert filters["RootUse"]["Alarms"][0]["Topics"] == [
        {"TopicArn": account.silent_topic, "Subscribers": 0}
    ]
    assert filters["NoAlarm"]["Alternatives"] == [] and filters["NoAlarm"]["Alarms"] == []


def test_an_account_without_trail_log_groups_has_an_empty_record(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="trail-bucket")
    aws.client("cloudtrail").create_trail(Name="s3-only", S3BucketName="trail-bucket")
    assert _record(aws)["properties"] == {"MetricFilters": []}


def test_cis_section_4_verdicts(aws: MotoAWS) -> None:
    account = Account(aws)
    audit_group = account.trail("audit")
    regional = account.trail("regional", multi_region=False)
    stopped = account.trail("stopped", logging=False)
    # 4.1: the older, broader CIS 1.2 pattern catches every event the 3.0 one does
    account.alarmed_filter(
        audit_group,
        "Unauthorized",
        '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
    )
    # 4.3: the right pattern, but the alarm's topic has no subscriber
    account.alarmed_filter(
        audit_group,
        "Root",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
        '&& $.eventType != "AwsServiceEvent" }',
        topic=account.silent_topic,
    )
    # 4.5: the CIS events in another order, quoting and spacing
    account.alarmed_filter(
        audit_group,
        "Trail",
        '{($.eventName=StopLogging)||($.eventName = "StartLogging") || ($.eventName = DeleteTrail)'
        " || (($.eventName = UpdateTrail) || ($.eventName = CreateTrail))}",
    )
    # 4.6: narrowed by a term of its own, so it misses failures of other identities
    account.alarmed_filter(
        audit_group,
        "Failures",
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") '
        "&& ($.userIdentity.type = IAMUser) }",
    )
    # 4.7: the two alternatives split over two alarmed filters
    for event in ("DisableKey", "ScheduleKeyDeletion"):
        account.alarmed_filter(
            audit_group,
            event,
            f"{{ ($.eventSource = kms.amazonaws.com) && ($.eventName = {event}) }}",
        )
    # 4.10: the alarm's actions are disabled
    account.alarmed_filter(
        audit_group,
        "SecurityGroups",
        "{ ($.eventName = AuthorizeSecurityGroupIngress)"
        " || ($.eventName = AuthorizeSecurityGroupEgress)"
        " || ($.eventName = RevokeSecurityGroupIngress)"
        " || ($.eventName = RevokeSecurityGroupEgress)"
        " || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
        enabled=False,
    )
    nacl = (
        "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry)"
        " || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry)"
        " || ($.eventName = ReplaceNetworkAclEntry)"
        " || ($.eventName = ReplaceNetworkAclAssociation) }"
    )
    # 4.11: on the log groups of a single-Region trail and of a trail that is not logging
    account.alarmed_filter(regional, "NaclRegional", nacl)
    account.alarmed_filter(stopped, "NaclStopped", nacl)
    verdicts = audit(aws, ["cloudwatch"], POLICIES, "--region", "us-east-1")
    passing = {"PAC-CLOUDWATCH-001", "PAC-CLOUDWATCH-005", "PAC-CLOUDWATCH-007"}
    assert verdicts == {
        (policy, RECORD): "pass" if policy in passing else "fail" for policy in POLICIES
    }


def test_unreadable_metric_filters_give_unknown_not_fail(aws: MotoAWS) -> None:
    account = Account(aws)
    account.trail("audit")
    denied = json.dumps({"__type": "AccessDeniedException", "message": "not allowed"}).encode()
    with FaultProxy(aws.url, lambda method, path, body: (400, denied)) as proxy:
        env = {"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": proxy.url}
        record = _record(aws, env=env)
        (entry,) = record["properties"]["MetricFilters"]
        assert entry["Alternatives"] == {"$unknown": "DescribeMetricFilters: AccessDeniedException"}
        done = aws.pacscan(
            "audit", "--quiet", "--no-config", "--format", "json", "--service", "cloudwatch",
            "--region", "us-east-1", *policy_args(["PAC-CLOUDWATCH-005"]), env=env,
        )  # fmt: skip
    assert done.returncode == 3, done.stderr
    report = json.loads(done.stdout)
    assert [f["status"] for f in report["findings"]] == ["unknown"]
    [error] = report["errors"]
    assert error["message"].startswith("logs:DescribeMetricFilters failed in account")
