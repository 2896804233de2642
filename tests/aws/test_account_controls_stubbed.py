"""What moto cannot show for the account-level controls, checked with botocore's Stubber.

moto confirms every SNS subscription at once (email ones included), so a subscription
still ``PendingConfirmation`` is stubbed; the paging of ``DescribeMetricFilters``,
``ListSubscriptionsByTopic`` and ``ListEntitiesForPolicy`` is stubbed too, each page
asking for the token the last one gave.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.stub import Stubber

from scanner.aws.context import CollectContext
from scanner.aws.iam_support import collect as collect_support
from scanner.aws.session import AccountClients, ClientSettings
from scanner.aws.trail_metric_filters import collect as collect_alarms

ACCOUNT = "123456789012"
REGION = "us-east-1"
TRAIL = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/audit"
GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:audit:*"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"


def _context(service: str, *stubbed: str) -> tuple[CollectContext, list[Stubber]]:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    clients = AccountClients(ACCOUNT, session, ClientSettings(max_attempts=1))
    stubbers = [Stubber(clients.client(name, REGION)) for name in stubbed]
    return CollectContext(ACCOUNT, "global", service, clients, REGION), stubbers


def _filter(name: str, event: str) -> dict[str, Any]:
    return {
        "filterName": name,
        "filterPattern": f"{{ $.eventName = {event} }}",
        "logGroupName": "audit",
        "metricTransformations": [
            {"metricName": name, "metricNamespace": "CIS", "metricValue": "1"}
        ],
    }


def _subscription(arn: str) -> dict[str, Any]:
    return {"SubscriptionArn": arn, "Protocol": "email", "Endpoint": "soc@example.com",
            "Owner": ACCOUNT, "TopicArn": TOPIC}  # fmt: skip


def test_pages_are_followed_and_pending_subscriptions_do_not_count() -> None:
    ctx, (trails, logs, alarms, sns) = _context(
        "cloudwatch", "cloudtrail", "logs", "cloudwatch", "sns"
    )
    trail = {"Name": "audit", "TrailARN": TRAIL, "HomeRegion": REGION,
             "IsMultiRegionTrail": True, "CloudWatchLogsLogGroupArn": GROUP}  # fmt: skip
    trails.add_response("describe_trails", {"trailList": [trail]}, {"includeShadowTrails": True})
    trails.add_response("get_trail_status", {"IsLogging": True}, {"Name": TRAIL})
    logs.add_response(
        "describe_metric_filters",
        {"metricFilters": [_filter("Create", "CreateTrail")], "nextToken": "page-2"},
        {"logGroupName": "audit"},
    )
    logs.add_response(
        "describe_metric_filters",
        {"metricFilters": [_filter("Delete", "DeleteTrail")]},
        {"logGroupName": "audit", "nextToken": "page-2"},
    )
    alarm = {"AlarmName": "Create", "AlarmArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:c",
             "ActionsEnabled": True, "AlarmActions": [TOPIC], "MetricName": "Create",
             "Namespace": "CIS"}  # fmt: skip
    alarms.add_response(
        "describe_alarms", {"MetricAlarms": [alarm]}, {"AlarmTypes": ["MetricAlarm"]}
    )
    sns.add_response(
        "list_subscriptions_by_topic",
        {"Subscriptions": [_subscription("PendingConfirmation")], "NextToken": "page-2"},
        {"TopicArn": TOPIC},
    )
    sns.add_response(
        "list_subscriptions_by_topic",
        {"Subscriptions": [_subscription(f"{TOPIC}:1d2c"), _subscription("PendingConfirmation")]},
        {"TopicArn": TOPIC, "NextToken": "page-2"},
    )
    for stubber in (trails, logs, alarms, sns):
        stubber.activate()
    collect_alarms(ctx)
    for stubber in (trails, logs, alarms, sns):
        stubber.assert_no_pending_responses()
    assert ctx.errors == []
    [record] = ctx.resources
    filters = {f["FilterName"]: f for f in record["properties"]["MetricFilters"]}
    assert sorted(filters) == ["Create", "Delete"]
    assert filters["Create"]["Alarms"][0]["Topics"] == [{"TopicArn": TOPIC, "Subscribers": 1}]
    assert filters["Delete"]["Alarms"] == []
    assert filters["Delete"]["Alternatives"] == [["$.eventName = DeleteTrail"]]


def _entity(kind: str, name: str) -> dict[str, str]:
    return {f"{kind}Name": name, f"{kind}Id": f"A{kind.upper()}{name}".ljust(16, "0")}


def test_support_access_follows_the_marker() -> None:
    ctx, (iam,) = _context("iam", "iam")
    policy = "arn:aws:iam::aws:policy/AWSSupportAccess"
    pages = [
        {"PolicyRoles": [_entity("Role", "support-a")], "IsTruncated": True, "Marker": "m2"},
        {"PolicyRoles": [_entity("Role", "support-b")],
         "PolicyGroups": [_entity("Group", "oncall")], "IsTruncated": False},
    ]  # fmt: skip
    for page, marker in zip(pages, (None, "m2"), strict=True):
        params = {"PolicyArn": policy, **({"Marker": marker} if marker else {})}
        iam.add_response("list_entities_for_policy", {"PolicyUsers": [], "PolicyGroups": [],
                                                      **page}, params)  # fmt: skip
    with iam:
        collect_support(ctx)
    iam.assert_no_pending_responses()
    assert ctx.errors == []
    [record] = ctx.resources
    assert record["properties"] == {"PolicyArn": policy, "Roles": ["support-a", "support-b"],
                                    "Users": [], "Groups": ["oncall"]}  # fmt: skip


def test_a_denied_support_listing_is_unknown() -> None:
    ctx, (iam,) = _context("iam", "iam")
    iam.add_client_error("list_entities_for_policy", "AccessDenied", "no", 403)
    with iam:
        collect_support(ctx)
    [record] = ctx.resources
    unknown = {"$unknown": "ListEntitiesForPolicy: AccessDenied"}
    assert record["properties"]["Roles"] == unknown
    assert [e["operation"] for e in ctx.errors] == ["ListEntitiesForPolicy"]
