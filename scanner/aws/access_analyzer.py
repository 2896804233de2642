"""IAM Access Analyzer: the analyzers of each region (CIS AWS 1.20).

Whether a region has an analyzer is a per-region account setting with no CloudFormation
counterpart for its state, so it comes out as ``Pacscan::AccessAnalyzer::RegionAnalyzers``,
one per region, listing every analyzer (``Name``, ``Type``, ``Status``, ``Arn``); the
policy decides which count. ``ListAnalyzers`` is read page by page, at most
``MAX_PAGES`` pages: past that, or when a call fails, the list is unknown and the error
is recorded.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, Answer, CollectContext, Collector
from scanner.aws.shapes import arn, drop_none

TYPE = "Pacscan::AccessAnalyzer::RegionAnalyzers"
TYPES = (TYPE,)
MAX_PAGES = 100  # a region holds a handful of analyzers


def collect(ctx: CollectContext) -> None:
    answer = _analyzers(ctx)
    props: dict[str, Any]
    if answer.failed:
        props = {"Analyzers": answer.unknown()}
    else:
        props = {"Analyzers": [_analyzer(a) for a in answer.items()]}
    region_arn = arn(ctx.partition, "access-analyzer", ctx.region, ctx.account, "analyzers")
    ctx.add(TYPE, region_arn, ctx.region, props)


def _analyzers(ctx: CollectContext) -> Answer:
    found: list[dict[str, Any]] = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        kw: dict[str, Any] = {"nextToken": token} if token else {}
        answer = ctx.call("ListAnalyzers", **kw)
        if answer.failed:
            return answer
        found.extend((answer.data or {}).get("analyzers") or [])
        token = (answer.data or {}).get("nextToken")
        if not token:
            return Answer(data=found)
    message = f"more than {MAX_PAGES} pages of analyzers; the rest is not read"
    return Answer(error=ctx.record(None, "ListAnalyzers", "LimitExceeded", message))


def _analyzer(analyzer: dict[str, Any]) -> dict[str, Any]:
    return drop_none(
        {
            "Name": analyzer.get("name"),
            "Type": analyzer.get("type"),
            "Status": analyzer.get("status"),
            "Arn": analyzer.get("arn"),
        }
    )


COLLECTORS = (Collector("accessanalyzer.analyzers", "accessanalyzer", REGIONAL, collect, TYPES),)
