"""Running the inline ``example`` blocks of compiled policies (``pacscan test``)."""

from __future__ import annotations

from datetime import datetime, timezone

from scanner.engine.evaluate import run_policy
from scanner.engine.program import CompiledExample, Program
from scanner.engine.relations import Relations
from scanner.model import Finding, Location, PolicyInfo, Status, path_text
from scanner.records import record


@record
class ExampleResult:
    policy: PolicyInfo
    location: Location  # where the example is written
    expected: Status
    finding: Finding
    expected_path: tuple[str | int, ...] | None = None

    @property
    def ok(self) -> bool:
        if self.finding.status is not self.expected:
            return False
        if self.expected_path is None:
            return True
        return self.finding.path[: len(self.expected_path)] == self.expected_path

    def explain(self) -> str:
        """Why the example failed, in one line (empty when it passed)."""
        if self.ok:
            return ""
        got = self.finding.status.value
        if self.finding.status is not self.expected:
            return (
                f"expected {self.expected.value}, got {got}: {self.finding.message}"
                if self.finding.message
                else f"expected {self.expected.value}, got {got}"
            )
        assert self.expected_path is not None
        return (
            f"expected the failure at or under {path_text(self.expected_path)}, "
            f"got {path_text(self.finding.path) or 'the resource itself'}"
        )


def run_examples(program: Program, now: datetime | None = None) -> list[ExampleResult]:
    """Evaluate every example of every policy; one result per example, in order."""
    when = now if now is not None else datetime.now(timezone.utc)
    results = []
    for policy in (p.ready() for p in program.policies):
        for example in policy.examples:
            finding = run_policy(policy, example.subject, when, _relations(example))
            results.append(
                ExampleResult(policy.info, example.loc, example.status, finding, example.at)
            )
    return results


def _relations(example: CompiledExample) -> Relations:
    return Relations((example.subject, *example.others))
