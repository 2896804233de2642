"""IAM Access Analyzer with botocore's Stubber: an analyzer present, none, a denied call,
pages followed with the token each gave, and the page limit."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from scanner.aws import access_analyzer
from scanner.aws.context import CollectContext
from scanner.aws.session import AccountClients, ClientSettings

ACCOUNT = "123456789012"
REGION = "eu-west-1"
CREATED = "2024-05-01T00:00:00Z"


def _context() -> tuple[CollectContext, Stubber]:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    clients = AccountClients(ACCOUNT, session, ClientSettings(max_attempts=1))
    stubber = Stubber(clients.client("accessanalyzer", REGION))
    return CollectContext(ACCOUNT, REGION, "accessanalyzer", clients, REGION), stubber


def _analyzer(name: str, kind: str, status: str = "ACTIVE") -> dict[str, Any]:
    arn = f"arn:aws:access-analyzer:{REGION}:{ACCOUNT}:analyzer/{name}"
    return {"arn": arn, "name": name, "type": kind, "createdAt": CREATED, "status": status}


def _record(ctx: CollectContext) -> dict[str, Any]:
    [record] = ctx.resources
    assert record["type"] == "Pacscan::AccessAnalyzer::RegionAnalyzers"
    assert record["id"] == f"arn:aws:access-analyzer:{REGION}:{ACCOUNT}:analyzers"
    assert (record["name"], record["region"]) == (REGION, REGION)
    return dict(record["properties"])


@pytest.mark.parametrize(
    ("analyzers", "expected"),
    [
        ([_analyzer("org", "ORGANIZATION")],
         [{"Name": "org", "Type": "ORGANIZATION", "Status": "ACTIVE",
           "Arn": f"arn:aws:access-analyzer:{REGION}:{ACCOUNT}:analyzer/org"}]),
        ([], []),
    ],
)  # fmt: skip
def test_a_region_with_and_without_an_analyzer(
    analyzers: list[dict[str, Any]], expected: list[dict[str, Any]]
) -> None:
    ctx, stubber = _context()
    stubber.add_response("list_analyzers", {"analyzers": analyzers}, {})
    with stubber:
        access_analyzer.collect(ctx)
        stubber.assert_no_pending_responses()
    assert _record(ctx) == {"Analyzers": expected}
    assert ctx.errors == []


def test_a_denied_listing_makes_the_analyzers_unknown() -> None:
    ctx, stubber = _context()
    stubber.add_client_error("list_analyzers", "AccessDeniedException", "not authorized", 403)
    with stubber:
        access_analyzer.collect(ctx)
    assert _record(ctx) == {"Analyzers": {"$unknown": "ListAnalyzers: AccessDeniedException"}}
    [error] = ctx.errors
    assert (error["service"], error["operation"], error["code"]) == (
        "accessanalyzer",
        "ListAnalyzers",
        "AccessDeniedException",
    )


def test_pages_are_followed() -> None:
    ctx, stubber = _context()
    stubber.add_response(
        "list_analyzers", {"analyzers": [_analyzer("a", "ACCOUNT", "DISABLED")],
                           "nextToken": "page-2"}, {}
    )  # fmt: skip
    stubber.add_response(
        "list_analyzers", {"analyzers": [_analyzer("b", "ACCOUNT")]}, {"nextToken": "page-2"}
    )
    with stubber:
        access_analyzer.collect(ctx)
        stubber.assert_no_pending_responses()
    names = [(a["Name"], a["Status"]) for a in _record(ctx)["Analyzers"]]
    assert names == [("a", "DISABLED"), ("b", "ACTIVE")]


def test_more_pages_than_the_limit_makes_the_analyzers_unknown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(access_analyzer, "MAX_PAGES", 2)
    ctx, stubber = _context()
    stubber.add_response("list_analyzers", {"analyzers": [], "nextToken": "t1"}, {})
    stubber.add_response(
        "list_analyzers", {"analyzers": [], "nextToken": "t2"}, {"nextToken": "t1"}
    )
    with stubber:
        access_analyzer.collect(ctx)
        stubber.assert_no_pending_responses()
    assert _record(ctx) == {"Analyzers": {"$unknown": "ListAnalyzers: LimitExceeded"}}
    [error] = ctx.errors
    assert error["message"] == "more than 2 pages of analyzers; the rest is not read"
