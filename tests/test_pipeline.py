"""The scan pipeline holds one input's documents at a time: what reports read is kept,
the loaded documents are dropped once their file is done."""

from __future__ import annotations

import functools
import gc
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scanner.model import Document, QuotedDocument, Status
from scanner.pipeline import (
    Run,
    ScanRequest,
    _frozen_as_loaded,
    _Inputs,
    run_scan,
    scan_inputs,
    select_policies,
    triage_result,
)
from scanner.report import renderer
from scanner.result import ReportOptions

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

TEMPLATE = """\
Parameters:
  DbPassword:
    Type: String
    NoEcho: true
    Default: hunter2-{n}
Resources:
  Logs{n}:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: logs-{n}
      VersioningConfiguration:
        Status: Suspended  # was hunter2-{n}
"""


@functools.lru_cache(maxsize=1)
def _policies() -> Any:
    return select_policies(Run())


def _templates(root: Path, count: int) -> Path:
    for n in range(count):
        (root / f"t{n}.yaml").write_text(TEMPLATE.format(n=n), encoding="utf-8")
    return root


def _loaded_documents(root: Path) -> list[Document]:
    """Every full document of a file under ``root`` that is still in memory (garbage in
    a reference cycle included: nothing is collected before looking). A scan freezes what
    it evaluated, and ``gc.get_objects`` leaves frozen objects out: they are unfrozen
    first (which keeps each of them alive or not, as it was)."""
    gc.unfreeze()
    return [
        o
        for o in gc.get_objects()
        if type(o) is Document and o.path.startswith(str(root))  # not a QuotedDocument
    ]


def test_each_document_is_dropped_before_the_next_file_is_evaluated(tmp_path: Path) -> None:
    """Documents have no weak references (slotted): the garbage collector's list of live
    objects is searched instead, each time the next file is handed on."""
    root = _templates(tmp_path, 4)
    files = sorted(str(p) for p in root.iterdir())
    started = datetime.now(timezone.utc)
    inputs = _Inputs(files, ScanRequest((str(root),), jobs=1), _policies(), started)
    handed = []
    for done in inputs:
        (document,) = done.load.documents
        assert document.text is not None and done.findings
        assert _loaded_documents(root) == [document]  # not the files before it
        handed.append(document.path)
        del document, done
    assert handed == files and _loaded_documents(root) == []


def test_a_scan_keeps_no_loaded_document(tmp_path: Path) -> None:
    root = _templates(tmp_path, 3)
    result = scan_inputs(ScanRequest((str(root),), jobs=1, root=str(root)), _policies(), Run())
    assert _loaded_documents(root) == []
    documents = {f.resource.document for f in result.findings}
    assert {type(d) for d in documents} == {QuotedDocument}
    assert all(not f.resource.body for f in result.findings)  # the value trees went too
    # what reports read is still there: the failing line, its NoEcho default masked
    text = renderer("text")(result, ReportOptions())
    assert "Status: Suspended  # was ***" in text
    junit = renderer("junit")(result, ReportOptions())
    assert "hunter2" not in text + junit and "Status: Suspended  # was ***" in junit


def test_the_reports_are_those_of_a_scan_that_keeps_every_document(tmp_path: Path) -> None:
    """The same findings, lines and errors as run_scan and triage_result (the path that
    keeps the documents, for pacscan fix)."""
    root = _templates(tmp_path, 3)
    request = ScanRequest((str(root),), jobs=1, root=str(root))
    kept = triage_result(run_scan(request, _policies()), Run())
    dropped = scan_inputs(request, _policies(), Run())
    for fmt in ("text", "json", "junit"):
        render = renderer(fmt)
        options = ReportOptions(include_passed=True)
        assert _timeless(render(dropped, options)) == _timeless(render(kept, options))


def _timeless(text: str) -> str:
    return re.sub(r'(timestamp|time)="[^"]*"', "", text)


def test_a_module_is_evaluated_with_all_its_files(tmp_path: Path) -> None:
    """A file of another directory sorted between a module's files does not split it."""
    module = tmp_path / "mod"
    shutil.copytree(FIXTURES / "terraform" / "relations", module)  # buckets.tf, trail.tf
    (module / "c_sub").mkdir()
    (module / "c_sub" / "x.yaml").write_text(TEMPLATE.format(n=0), encoding="utf-8")
    request = ScanRequest((str(tmp_path),), jobs=1, root=str(tmp_path))
    result = scan_inputs(request, _policies(), Run())
    found = {(f.policy.id, f.resource.id): f.status for f in result.findings}
    # the trail (trail.tf) names the bucket (buckets.tf): the relation holds
    assert found[("PAC-CLOUDTRAIL-005", "aws_s3_bucket.trail")] is Status.FAIL
    assert found[("PAC-CLOUDTRAIL-005", "aws_s3_bucket.other")] is Status.SKIP
    assert ("PAC-S3-014", "Logs0") in found


def test_a_scan_leaves_nothing_frozen(tmp_path: Path) -> None:
    """What evaluation froze for the collector is unfrozen when the inputs are done, or
    when their consumer stops early (a process that scans again collects it as usual)."""
    root = _templates(tmp_path, 3)
    files = sorted(str(p) for p in root.iterdir())
    started = datetime.now(timezone.utc)
    gc.unfreeze()
    inputs = iter(_Inputs(files, ScanRequest((str(root),), jobs=1), _policies(), started))
    next(inputs)
    assert gc.get_freeze_count() > 0  # the findings of the first file
    inputs.close()  # stopped early
    assert gc.get_freeze_count() == 0
    for _ in _Inputs(files, ScanRequest((str(root),), jobs=1), _policies(), started):
        pass
    assert gc.get_freeze_count() == 0
    # a whole scan also freezes each input as it is loaded and what it keeps of it
    result = scan_inputs(ScanRequest((str(root),), jobs=1, root=str(root)), _policies(), Run())
    assert result.findings and gc.get_freeze_count() == 0
    assert gc.isenabled()


def test_loads_are_frozen_as_they_come_with_the_collector_paused(tmp_path: Path) -> None:
    """The collector is off while a load is read and frozen, on again before it is handed
    on: its first collection then has nothing of the load to walk."""
    root = _templates(tmp_path, 2)
    files = sorted(str(p) for p in root.iterdir())
    seen = []

    def loads() -> Any:
        from scanner.loaders import iter_loaded

        for load in iter_loaded(files):
            seen.append((gc.isenabled(), gc.get_freeze_count()))
            yield load

    gc.unfreeze()
    frozen = []
    for load in _frozen_as_loaded(loads()):
        frozen.append(gc.get_freeze_count())
        assert gc.isenabled() and load.documents
    assert [enabled for enabled, _ in seen] == [False, False]
    assert all(count > 0 for count in frozen)
    gc.unfreeze()
