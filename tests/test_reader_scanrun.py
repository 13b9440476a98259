"""The library's scan loop (:class:`edi_j0256.scan.ScanRun`) and input opening
(:mod:`edi_j0256.x12.sources`): what the thin ``scan`` command builds on."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest

from edi_j0256.diagnostics import X12ReadError
from edi_j0256.output import write_jsonl
from edi_j0256.scan import ScanRun, check_input
from edi_j0256.x12.kind import detect_file_kind
from edi_j0256.x12.sources import expand_sources, open_source, read_head

ROOT = Path(__file__).resolve().parent.parent
READER = ROOT / "fixtures" / "reader"
BASE = READER / "base.x12"
MEDICARE = ROOT / "fixtures" / "837p-medicare.x12"


def test_scan_run_streams_records_and_totals_with_callbacks(tmp_path):
    missing = tmp_path / "missing.x12"
    seen_files, seen_codes = [], []
    run = ScanRun([BASE, missing, READER / "hl-missing-parent.x12"],
                  on_file=lambda result, n, total: seen_files.append(
                      (Path(result.file).name, n, total, result.error is not None)),
                  on_diagnostic=lambda d: seen_codes.append(d.code))
    records = list(run.records())
    assert [r["claim_id"] for r in records] == ["RDR-1001", "RDR-2001", "RDR-2002"]
    assert seen_files == [("base.x12", 1, 3, False), ("missing.x12", 2, 3, True),
                          ("hl-missing-parent.x12", 3, 3, False)]
    assert seen_codes == ["X301", "X301"]
    totals = run.totals
    assert totals.unreadable == [f"{missing}: no such file"]
    assert (totals.stats.claims, totals.stats.matched_lines, totals.warnings) == (3, 3, 2)


def test_scan_run_in_parallel_gives_the_same_records():
    inputs = [MEDICARE, BASE, READER / "hl-missing-parent.x12"]
    one = list(ScanRun(inputs, hcpcs=("ALL",)).records())
    codes: list[str] = []
    two = ScanRun(inputs, hcpcs=("ALL",), jobs=2, on_diagnostic=lambda d: codes.append(d.code))
    assert _jsonl(one) == _jsonl(two.records())  # the parallel records come back from JSON
    assert codes == ["X301", "X301"]


def _jsonl(records) -> str:
    stream = io.StringIO()
    write_jsonl(records, stream)
    return stream.getvalue()


def test_check_input_names_the_kind(tmp_path):
    assert check_input(str(BASE)) is None
    remit = ROOT / "fixtures" / "835-medicare.x12"
    assert check_input(str(remit)) == (f"{remit}: is an 835 remittance advice, not an 837P / "
                                       "837I claim file (read it with `remit`)")


def test_sources_open_gzip_zip_members_and_refuse_the_rest(tmp_path):
    packed = tmp_path / "a.x12.gz"
    packed.write_bytes(gzip.compress(BASE.read_bytes()))
    archive = tmp_path / "b.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(BASE, "inner/one.x12")
        z.write(MEDICARE, "two.x12")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "c.x12").write_bytes(BASE.read_bytes())
    (tmp_path / "folder" / ".hidden.x12").write_bytes(b"x")
    assert expand_sources([packed, archive, tmp_path / "folder"]) == [
        str(packed), f"{archive}!inner/one.x12", f"{archive}!two.x12",
        str(tmp_path / "folder" / "c.x12")]
    assert read_head(packed, 3) == read_head(f"{archive}!inner/one.x12", 3) == b"ISA"
    assert detect_file_kind(f"{archive}!two.x12").kinds == ("837P",)
    with pytest.raises(X12ReadError, match=r"b\.zip: is a zip archive: name its members"):
        open_source(archive)
    with pytest.raises(X12ReadError, match=r"b\.zip!nope\.x12: no such member"):
        open_source(f"{archive}!nope.x12")
    with pytest.raises(X12ReadError, match="is a folder, not a file"):
        open_source(tmp_path / "folder")
    with pytest.raises(X12ReadError, match="is a character device, not a file"):
        open_source("/dev/zero")


def test_progress_reports_counts_so_far():
    seen: list[tuple[int, int]] = []
    run = ScanRun([MEDICARE], hcpcs=("ALL",), progress_every=0,
                  on_progress=lambda path, stats: seen.append((stats.claims, stats.claims_read)))
    records = list(run.records())
    assert seen == sorted(seen) and seen[0] == (1, 1)
    assert len(seen) == len(records) == 11  # after every record
    assert seen[-1] == (5, 5) == (run.totals.stats.claims, run.totals.stats.claims_read)
