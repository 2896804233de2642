from __future__ import annotations

from scanner.errors import Diagnostic, PolicyError, render_diagnostic
from scanner.model import Location


def test_render_has_location_code_source_line_and_caret() -> None:
    diag = Diagnostic(
        code="P010",
        message="unknown name 'Propertis'",
        location=Location("p.policy", 3, 10, 3, 19),
        hint="did you mean 'Properties'?",
        source_line="  assert Propertis.X exists",
    )
    assert render_diagnostic(diag).splitlines() == [
        "p.policy:3:10: error[P010]: unknown name 'Propertis'",
        "    assert Propertis.X exists",
        "           ^^^^^^^^^",
        "  hint: did you mean 'Properties'?",
    ]


def test_render_without_location_names_the_file() -> None:
    diag = Diagnostic(code="I001", message="binary data", file="blob.json")
    assert render_diagnostic(diag) == "blob.json: error[I001]: binary data"


def test_error_carries_its_code_into_the_diagnostic() -> None:
    err = PolicyError("bad", code="P001", location=Location("a", 1, 2))
    assert err.diagnostic().code == "P001"
    assert str(err) == "a:1:2: error[P001]: bad"
