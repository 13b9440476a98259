"""One test per reader case of issues 8 and 11, on real X12 text (``fixtures/reader/``),
expected output compared exactly: records, counts and diagnostics."""

from __future__ import annotations

import gzip
import io
import json
import os
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_j0256.claims import ClaimReader
from edi_j0256.cli import cli
from edi_j0256.diagnostics import Diagnostics, X12ReadError
from edi_j0256.scan import iter_scan
from edi_j0256.x12.tokenizer import REMIT_BOUNDARIES, Tokenizer

READER = Path(__file__).resolve().parent.parent / "fixtures" / "reader"
BASE = READER / "base.x12"


def read(path: Path | str, **options) -> tuple[list[dict], ClaimReader, list[str]]:
    diagnostics = Diagnostics()
    records, reader = iter_scan(path, diagnostics=diagnostics, **options)
    records = list(records)
    return records, reader, [f"{d.line}: {d.code} {d.message}" for d in diagnostics]


def brief(records: list[dict]) -> list[tuple]:
    return [(r["claim_id"], r["procedure_code"], r["units"], r["charge"], r["billing_npi"],
             r["line"], r["segment"]) for r in records]


def scan(*args: str):
    return CliRunner().invoke(cli, ["scan", *args])


BASE_LINES = [("RDR-1001", "J0256", Decimal(450), Decimal(2250), "1999000015", 22, 22),
              ("RDR-1001", "96365", Decimal(1), Decimal(180), "1999000015", 28, 28)]


def test_base_fixture_reads_cleanly():
    records, reader, diagnostics = read(BASE, hcpcs=("ALL",))
    assert brief(records) == BASE_LINES
    assert diagnostics == []


def test_wrapped_file_reads_as_unwrapped_with_real_lines():
    records, reader, diagnostics = read(READER / "wrapped-80.x12", hcpcs=("ALL",))
    # Same records as the unwrapped file; lines name the wrapped file's lines (80 columns).
    flat = BASE.read_bytes().replace(b"\n", b"")
    expected_lines = [flat.find(b"SV1*HC:J0256") // 80 + 1, flat.find(b"SV1*HC:96365") // 80 + 1]
    assert expected_lines == [10, 11]  # grep: line 10 holds SV1*HC:J0256, 11 SV1*HC:96365
    assert brief(records) == [row[:5] + (line, row[6]) for row, line in
                              zip(BASE_LINES, expected_lines, strict=True)]
    assert diagnostics == ["1: X113 file is wrapped at 80 columns (line breaks inside "
                           "segments); read as if unwrapped"]
    assert reader.stats.service_lines == 2


def test_wrapped_file_keeps_values_that_a_line_break_cut():
    # CLM02 "2430" and the pointer list are cut by the wrap in some widths: try them all.
    flat = BASE.read_bytes().replace(b"\n", b"")
    for width in range(60, 100):
        data = b"\r\n".join(flat[i:i + width] for i in range(0, len(flat), width)) + b"\r\n"
        records, reader, diagnostics = read(io.BytesIO(data), hcpcs=("ALL",))
        assert [(r["claim_charge"], r["diagnosis_pointers"], r["units"]) for r in records] == [
            (Decimal(2430), [1, 2], Decimal(450)), (Decimal(2430), [1], Decimal(1))], width
        assert diagnostics[0].startswith("1: X113 file is wrapped at"), width


def test_scan_takes_a_wrapped_file_whatever_the_width(tmp_path):
    # At some widths the wrap cuts ST03 and GS08: the kind check reads them unwrapped.
    flat = BASE.read_bytes().replace(b"\n", b"")
    for width, bom in [(58, b""), (59, b""), (80, b""), (83, b""), (83, b"\xef\xbb\xbf")]:
        # 58, 59: ST disappears; 83: ST03 and GS08 cut (also with a BOM before the lines)
        path = tmp_path / f"wrapped-{width}.x12"
        path.write_bytes(bom + b"\n".join(flat[i:i + width] for i in range(0, len(flat), width)))
        result = scan(str(path), "--hcpcs", "ALL", "--format", "jsonl")
        assert result.exit_code == 0, result.stderr
        assert [json.loads(line)["transaction_type"] for line in result.stdout.splitlines()] == [
            "837P", "837P"]


BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize("newline", (b"\n", b"\r\n"), ids=("lf", "crlf"))
@pytest.mark.parametrize("bom_first", (True, False), ids=("bom-then-wrap", "wrap-then-bom"))
@pytest.mark.parametrize("width", (60, 80, 83))
def test_wrapped_file_after_a_bom_reads_as_unwrapped_at_its_real_places(width, bom_first,
                                                                         newline):
    # A BOM put in before wrapping sits in the first line; one put in front of a file already
    # wrapped comes before the first line. Either way the records are the unwrapped file's
    # (line breaks inside values used to stay in them: SV104 '4\n50', NDC lost).
    flat = BASE.read_bytes().replace(b"\n", b"")
    text = BOM + flat if bom_first else flat
    wrapped = newline.join(text[i:i + width] for i in range(0, len(text), width)) + newline
    data = wrapped if bom_first else BOM + wrapped
    records, reader, diagnostics = read(io.BytesIO(data), hcpcs=("ALL",))
    plain, _, _ = read(BASE, hcpcs=("ALL",))
    strip = (lambda r: {k: v for k, v in r.items() if k not in ("file", "line")})  # noqa: E731
    assert [strip(r) for r in records] == [strip(r) for r in plain]
    assert diagnostics == [f"1: X113 file is wrapped at {width} columns (line breaks inside "
                           "segments); read as if unwrapped",
                           "1: X101 UTF-8 byte order mark at the start of the file skipped"]
    # Every segment's offset and line name its first byte in the file as written.
    segments = list(Tokenizer(io.BytesIO(data)).segments())
    assert [s.tag for s in segments] == [line.split(b"*")[0].decode()
                                         for line in BASE.read_bytes().splitlines()]
    for segment in segments:
        assert data[segment.offset:segment.offset + 1] == segment.tag[:1].encode()
        assert segment.line == data.count(b"\n", 0, segment.offset) + 1
    lead = 0 if bom_first else len(BOM)
    sv1 = [s for s in segments if s.tag == "SV1"]
    assert [(s.offset, s.line) for s in sv1] == [
        (at + at // width * len(newline) + lead, at // width + 1)
        for at in (text.find(b"SV1*HC:J0256"), text.find(b"SV1*HC:96365"))]


def test_lines_padded_to_a_fixed_width_are_not_a_wrapped_file():
    padded = "".join(line.ljust(120) + "\n" for line in BASE.read_text().splitlines())
    records, _, diagnostics = read(io.BytesIO(padded.encode()), hcpcs=("ALL",))
    assert brief(records) == BASE_LINES
    assert diagnostics == []


def test_hl_with_a_missing_parent_keeps_its_billing_provider():
    records, reader, diagnostics = read(READER / "hl-missing-parent.x12")
    assert [(r["claim_id"], r["billing_npi"], r["payer_id"]) for r in records] == [
        ("RDR-2001", "1999000015", "TSTMB01"), ("RDR-2002", "1999000015", "TSTMB01")]
    assert diagnostics == [
        "13: X301 HL 2 names parent 3, which is not an open HL loop; read under the open HL 1 "
        "(level 20)",
        "30: X301 HL 4 names parent 9, which is not an open HL loop; read under the open HL 1 "
        "(level 20)"]


def test_hl_naming_itself_as_parent_is_recovered():
    text = BASE.read_text().replace("HL*2*1*22*0~", "HL*2*2*22*0~")
    records, _, diagnostics = read(io.BytesIO(text.encode()))
    assert [(r["claim_id"], r["billing_npi"]) for r in records] == [("RDR-1001", "1999000015")]
    assert diagnostics == ["13: X301 HL 2 names parent 2, which is not an open HL loop; read "
                           "under the open HL 1 (level 20)"]


def test_component_separator_that_disagrees_with_isa16():
    records, _, diagnostics = read(READER / "component-disagrees.x12", hcpcs=("ALL",))
    assert brief(records) == BASE_LINES
    assert [r["diagnosis_codes"] for r in records] == [["E88.01", "J43.9"], ["E88.01"]]
    assert diagnostics == ["1: X114 ISA16 declares the component separator '>' but the "
                           "composites are written with ':' (e.g. HC:CODE); read with ':'"]


def test_caret_declared_for_component_and_repetition():
    records, _, diagnostics = read(READER / "component-equals-repetition.x12", hcpcs=("ALL",))
    assert [(r["procedure_code"], r["diagnosis_pointers"]) for r in records] == [
        ("J0256", [1, 2]), ("96365", [1])]
    assert diagnostics == ["1: X115 ISA11 repetition separator '^' is also another delimiter; "
                           "repetitions are not split"]


def test_isa16_equal_to_the_element_separator():
    records, _, diagnostics = read(READER / "isa16-is-element.x12", hcpcs=("ALL",))
    assert brief(records) == BASE_LINES
    assert diagnostics == ["1: X111 ISA16 component separator (missing or the element "
                           "separator) is not a delimiter (empty, a letter or digit, or another "
                           "delimiter); ':' used, as the composites are written"]


def test_isa16_equal_to_the_terminator():
    text = BASE.read_text().replace("*T*:~", "*T*~~", 1)
    records, _, diagnostics = read(io.BytesIO(text.encode()), hcpcs=("ALL",))
    assert brief(records) == BASE_LINES
    assert diagnostics == ["1: X111 ISA16 component separator '~' is not a delimiter (empty, a "
                           "letter or digit, or another delimiter); ':' used, as the composites "
                           "are written",
                           # the ISA16 '~' reads as a terminator: an empty segment follows it
                           "1: X107 empty segment after segment 1 (two terminators with nothing "
                           "between) skipped"]


def test_revenue_selection_and_all_lines():
    path = READER / "837i-revenue-only.x12"
    records, reader, _ = read(path, hcpcs=(), revenue=("636",))
    assert [(r["revenue_code"], r["procedure_code"], r["line"]) for r in records] == [
        ("0636", "J0256", 22), ("0636", None, 28)]
    assert (reader.stats.matched_lines, reader.stats.service_lines) == (2, 3)
    records, reader, _ = read(path, hcpcs=("all",))
    assert [r["revenue_code"] for r in records] == ["0636", "0260", "0636"]
    assert reader.stats.matched_lines == 3
    result = scan(str(path), "--revenue", "0636", "--summary")
    summary = json.loads(result.stdout)
    assert (result.exit_code, summary["matched_lines"], summary["hcpcs"], summary["revenue"]) == (
        0, 2, [], ["0636"])
    result = scan(str(path), "--revenue", "0636", "--hcpcs", "J0256", "--summary")
    assert json.loads(result.stdout)["matched_lines"] == 2  # the union, each line once


@pytest.mark.parametrize(("name", "words"), [
    ("837d-dental.x12", "an 837D dental claim"),
    ("834-enrollment.x12", "an 834 benefit enrollment")])
def test_other_transactions_are_named(name, words):
    path = str(READER / name)
    result = scan(path, str(BASE), "--format", "jsonl")
    assert result.exit_code == 2
    assert f"error: {path}: is {words}, not an 837P / 837I claim file\n" in result.stderr
    assert [json.loads(line)["claim_id"] for line in result.stdout.splitlines()] == ["RDR-1001"]


def test_scan_of_an_835_names_it():
    path = str(READER.parent / "835-medicare.x12")
    result = scan(path)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"error: {path}: is an 835 remittance advice, not an 837P / 837I claim file (read it "
        "with `remit`)")


def test_837d_transaction_inside_a_claim_file_is_counted():
    dental = (READER / "837d-dental.x12").read_text()
    base = BASE.read_text()
    body = dental[dental.index("GS*"):dental.index("IEA*")]
    text = base.replace("IEA*1*", body.replace("301", "302") + "IEA*2*")
    records, reader, diagnostics = read(io.BytesIO(text.encode()), hcpcs=("ALL",))
    stats = reader.stats
    assert (stats.claims, stats.claims_read, stats.claims_unreadable) == (2, 1, 1)
    assert diagnostics[-1] == ("49: X311 transaction 0001 is an 837D dental claim, not an "
                               "837P / 837I: its claims are not read")


@pytest.mark.parametrize("name", ["cr-line-ends.x12", "indented.x12"])
def test_service_lines_are_counted_after_any_line_end(name):
    records, reader, _ = read(READER / name, hcpcs=("ALL",))
    assert (reader.stats.service_lines, reader.stats.matched_lines, len(records)) == (2, 2, 2)
    assert [(r["line"], r["segment"]) for r in records] == [(22, 22), (28, 28)]  # CRs count


def test_numbers_out_of_range_are_diagnosed_not_raised():
    records, reader, diagnostics = read(READER / "numbers-out-of-range.x12")
    assert [(r["claim_charge"], r["charge"], r["units"], r["patient_weight_lb"])
            for r in records] == [(None, None, None, None), (None, Decimal(2250), None, None)]
    assert diagnostics == [
        "15: X306 PAT08 is not a number",  # a patient weight: PHI, never shown
        "19: X306 CLM02 '1E+999999' is not a number",
        "22: X306 SV102 'NaN' is not a number",
        "22: X306 SV104 '1E+5000' is not a number",
        "25: X306 SV104 '999999999999999999999999... (400 chars)' has more than 18 digits"]


def test_patient_weight_value_is_never_in_a_diagnostic():
    text = BASE.read_text().replace("PAT*******01*165~", "PAT*******01*16x5~")
    _, _, diagnostics = read(io.BytesIO(text.encode()))
    assert diagnostics == ["15: X306 PAT08 is not a number"]


def test_ref_f8_is_read():
    records, reader, _ = read(READER / "replacement-ref-f8.x12")
    claims = list(ClaimReader(READER / "replacement-ref-f8.x12").claims())
    assert [(c.claim_id, c.frequency_code, c.original_reference) for c in claims] == [
        ("RDR-5001", "7", "PAYERCCN0000123")]


def test_clm_without_elements_is_reported_and_counted():
    records, reader, diagnostics = read(READER / "clm-without-elements.x12")
    stats = reader.stats
    assert [r["claim_id"] for r in records] == ["RDR-8001", "RDR-8004"]
    assert (stats.claims, stats.claims_read, stats.claims_skipped, stats.claims_unreadable) == (
        3, 2, 0, 1)
    assert diagnostics == ["30: X310 CLM at segment 30 has no elements; claim not read"]


def _claim_of(count: int) -> str:
    lines = "".join(f"LX*{n}~SV1*HC:J0256*10*UN*2***1~DTP*472*D8*20260105~"
                    for n in range(1, count + 1))
    text = BASE.read_text()
    start, end = text.index("LX*1~"), text.index("\nSE*") + 1
    return text[:start] + lines + text[end:]


def test_a_claim_over_the_guide_line_limit_is_built_with_a_warning():
    records, reader, diagnostics = read(io.BytesIO(_claim_of(51).encode()))
    stats = reader.stats
    assert [r["line_number"] for r in records] == list(range(1, 52))
    assert (stats.claims, stats.claims_read, stats.service_lines) == (1, 1, 51)
    assert diagnostics[0] == ("19: X312 claim at segment 19 has 51 service lines; the 837P "
                              "guide allows 50 (payers reject it)")


def test_a_claim_over_the_build_limit_is_counted_not_built(monkeypatch):
    import edi_j0256.claims.parser as parser

    monkeypatch.setattr(parser, "MAX_BUILT_LINES", 60)
    records, reader, diagnostics = read(io.BytesIO(_claim_of(61).encode()))
    stats = reader.stats
    assert records == []
    assert (stats.claims, stats.claims_unreadable, stats.service_lines) == (1, 1, 61)
    assert diagnostics[0] == ("19: X309 claim at segment 19 has 61 service lines, more than "
                              "the reader builds (60): not read")


def test_a_huge_unit_is_cut_in_pieces_and_counted(monkeypatch):
    import edi_j0256.x12.tokenizer as tokenizer

    monkeypatch.setattr(tokenizer, "_PIECE", 2000)
    lines = "".join(f"LX*{n}~SV1*HC:J0256*10*UN*2***1~DTP*472*D8*20260105~"
                    for n in range(1, 2001))
    text = BASE.read_text()
    text = text[:text.index("LX*1~")] + lines + text[text.index("\nSE*") + 1:]
    reader = ClaimReader(io.BytesIO(text.encode()), name="huge.x12")
    reader.reader.tokenizer.chunk_size = 4096
    assert list(reader.claims()) == []
    stats = reader.stats
    assert (stats.claims, stats.claims_unreadable, stats.service_lines) == (1, 1, 2000)
    codes = [d.code for d in reader.diagnostics]
    assert codes == ["X309", "X223"]  # SE01 of the fixture no longer matches: reported too


def test_835_with_many_clps_is_cut_at_clp():
    remit = (READER.parent / "835-medicare.x12").read_text()
    units = list(Tokenizer(io.BytesIO(remit.encode()), boundaries=REMIT_BOUNDARIES).units())
    assert sum(1 for u in units if u.tag == "CLP") == remit.count("CLP*")


def test_an_unsplittable_stream_is_not_x12(monkeypatch):
    import edi_j0256.x12.tokenizer as tokenizer

    monkeypatch.setattr(tokenizer, "_PIECE", 1000)
    monkeypatch.setattr(tokenizer, "_MAX_UNIT", 5000)
    data = BASE.read_bytes()[:300] + b"A" * 200_000  # past the first 64 KB window
    tok = Tokenizer(io.BytesIO(data), name="noise.x12", chunk_size=1024)
    with pytest.raises(X12ReadError, match="no segment terminator found in 5000 bytes"):
        list(tok.units())


def test_gzip_and_zip_members_are_read(tmp_path):
    gz = tmp_path / "claims.x12.gz"
    gz.write_bytes(gzip.compress(BASE.read_bytes()))
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(BASE, "claims1.x12")
        z.write(READER / "hl-missing-parent.x12", "claims2.x12")
    result = scan(str(gz), str(archive), "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["file"], r["claim_id"]) for r in rows] == [
        (str(gz), "RDR-1001"), (f"{archive}!claims1.x12", "RDR-1001"),
        (f"{archive}!claims2.x12", "RDR-2001"), (f"{archive}!claims2.x12", "RDR-2002")]


def test_a_damaged_gzip_file_reports_the_claims_read_before(tmp_path):
    from tests.test_scaling import interchanges

    damaged = tmp_path / "damaged.x12.gz"
    packed = gzip.compress(interchanges(2000))
    damaged.write_bytes(packed[:len(packed) // 2])
    reader = ClaimReader(damaged)
    reader.reader.tokenizer.chunk_size = 4096  # many chunks before the damage
    claims = []
    with pytest.raises(X12ReadError, match=f"^{damaged}: cannot read: Compressed file ended"):
        claims.extend(reader.claims())
    stats = reader.stats
    assert stats.claims == stats.claims_read == len(claims) > 10
    result = scan(str(damaged), str(BASE), "--summary")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].startswith(f"error: {damaged}: cannot read: ")
    summary = json.loads(result.stdout)
    assert summary["claims"] == summary["claims_read"] + summary["claims_skipped"]
    assert summary["unreadable_files"] == 1


def test_unusable_inputs_among_good_ones(tmp_path):
    fifo = tmp_path / "pipe.x12"
    os.mkfifo(fifo)
    binary = tmp_path / "binary.x12"
    binary.write_bytes(bytes(range(256)) * 8)
    folder = tmp_path / "empty-folder"
    folder.mkdir()
    missing = tmp_path / "missing.x12"
    result = scan(str(BASE), str(missing), str(fifo), str(binary), str(folder),
                  str(READER / "hl-missing-parent.x12"), "--format", "jsonl")
    assert result.exit_code == 2
    assert [json.loads(line)["claim_id"] for line in result.stdout.splitlines()] == [
        "RDR-1001", "RDR-2001", "RDR-2002"]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {missing}: no such file",
        f"error: {fifo}: is a FIFO (named pipe), not a file: not read",
        f"error: {binary}: not an X12 file: no ISA, GS or ST segment found at the start"]
    assert "Traceback" not in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file")
def test_unreadable_permission_is_one_line(tmp_path):
    locked = tmp_path / "locked.x12"
    locked.write_bytes(BASE.read_bytes())
    locked.chmod(0)
    result = scan(str(locked), str(BASE), "--summary")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == f"error: {locked}: cannot open: Permission denied"


def test_parallel_scan_writes_every_diagnostic(tmp_path):
    # 1,500 claims with a bad SV104 per file: more than the 1,000 kept in memory per code.
    claim = ("CLM*P-{n}*2250***11:B:1*Y*A*Y*Y~HI*ABK:E8801~LX*1~SV1*HC:J0256*2250*UN*4x5***1~"
             "DTP*472*D8*20260105~")
    text = BASE.read_text()
    start, end = text.index("CLM*"), text.index("\nSE*") + 1
    body = "".join(claim.format(n=n) for n in range(1500))
    paths = []
    for n in range(2):
        path = tmp_path / f"bad{n}.x12"
        path.write_text(text[:start] + body + text[end:])
        paths.append(str(path))
    sink = tmp_path / "diagnostics.jsonl"
    result = scan(*paths, "--jobs", "2", "--diagnostics", str(sink), "--summary", "-q")
    rows = [json.loads(line) for line in sink.read_text().splitlines()]
    assert sum(1 for r in rows if r["code"] == "X306") == 3000
    assert json.loads(result.stdout)["warnings"] == len(rows) - sum(
        1 for r in rows if r["severity"] != "warning")
    assert all("4x5" in r["message"] for r in rows if r["code"] == "X306")
