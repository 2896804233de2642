"""An unknown finding names the unknown value even when the expression cannot say which
value it read (a map built from several paths, say)."""

from __future__ import annotations

from datetime import datetime, timezone

from scanner.engine.evaluate import evaluate
from scanner.model import Reference, Resource, Status, Unknown
from scanner.policyset.compiler import PolicySource, compile_sources

POLICY = """
policy P {
  id = "PAC-T-001"  title = "t"  severity = low
  resource AWS::Lambda::Permission
  let statement = { Principal: Properties.Principal, Source: Properties.SourceArn }
  assert not (statement.Principal == "*" and not (statement.Source startswith "arn:"))
}
"""


def _message(properties: dict[str, object]) -> str:
    program = compile_sources([PolicySource("p.policy", POLICY)]).program
    kind = "AWS::Lambda::Permission"
    body = {"Type": kind, "Properties": properties}
    resource = Resource(kind, "Perm", body)
    (finding,) = evaluate(program, [resource], now=datetime.now(timezone.utc))
    assert finding.status is Status.UNKNOWN
    return finding.message


def test_the_only_unknown_value_is_named_with_its_cause() -> None:
    message = _message({"Principal": "*", "SourceArn": Unknown("parameter Source has no default")})
    assert message.endswith(": Properties.SourceArn is unknown: parameter Source has no default")


def test_several_unknown_values_are_all_named() -> None:
    principal = Unknown("Fn::ImportValue reads another stack's output")
    message = _message(
        {"Principal": principal, "SourceArn": Reference("Topic", None, "!Ref Topic")}
    )
    assert message.endswith(
        ": one of these values it may depend on is not known: Properties.Principal is "
        "unknown: Fn::ImportValue reads another stack's output; Properties.SourceArn is a "
        "reference (!Ref Topic) whose value is not known statically"
    )
