"""Which fixes share a round: the set-based check agrees with the plain definition."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from scanner.fix.apply import _Touched
from scanner.fix.plan import DocOp

paths = st.lists(st.sampled_from(["Properties", "Tags", 0, 1]), min_size=1, max_size=4).map(tuple)


def _defined(ops: list[DocOp], touched: list[tuple[str | int, ...]]) -> bool:
    """An op edits the container of an edited path, or inside one (pairwise, as stated)."""
    for op in ops:
        anchor = op.path[:-1]
        for other in touched:
            if other[: len(anchor)] == anchor or op.path[: len(other) - 1] == other[:-1]:
                return True
    return False


@given(st.lists(paths, max_size=5), st.lists(paths, min_size=1, max_size=3))
def test_conflicts_match_the_definition(touched: list, ops: list) -> None:
    seen = _Touched()
    for path in touched:
        seen.add(path)
    edits = [DocOp("set", path, True) for path in ops]
    assert seen.conflicts(edits) == _defined(edits, touched)
