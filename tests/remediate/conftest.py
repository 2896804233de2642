"""The moto server fixtures of ``tests/aws`` (one server per session, a clean state per
test), shared rather than copied: ``tests/aws`` goes on ``sys.path`` for its helpers."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

AWS_TESTS = Path(__file__).resolve().parent.parent / "aws"
if str(AWS_TESTS) not in sys.path:
    sys.path.insert(0, str(AWS_TESTS))

_spec = importlib.util.spec_from_file_location("aws_test_fixtures", AWS_TESTS / "conftest.py")
assert _spec is not None and _spec.loader is not None
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)

# every fixture of tests/aws (``aws`` and whatever it depends on), by the type of one of them
_FIXTURE = type(_fixtures.aws)
globals().update({k: v for k, v in vars(_fixtures).items() if isinstance(v, _FIXTURE)})
