"""``edi-j0256 scan`` through click's CliRunner: formats, fields, summary, exit codes, messages."""

from __future__ import annotations

import csv
import inspect
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_j0256.cli import cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MEDICARE = FIXTURES / "837p-medicare.x12"
COMMERCIAL = FIXTURES / "837p-commercial.x12"
OUTPATIENT = FIXTURES / "837i-outpatient.x12"
CLEAN = [MEDICARE, COMMERCIAL, OUTPATIENT]
ALL_FIXTURES = sorted(FIXTURES.glob("837*.x12"))  # 835 fixtures are not scan input

# The fields the issue names: other tools and scripts depend on them.
REQUIRED_FIELDS = (
    "file", "interchange_control", "group_control", "transaction_control", "transaction_type",
    "implementation", "claim_id", "claim_charge", "frequency_code", "place_of_service",
    "facility_type", "claim_filing_indicator", "payer_id", "payer_name", "member_id",
    "billing_npi", "rendering_npi", "line_number", "line_control", "procedure_code",
    "modifiers", "charge", "unit_basis", "units", "revenue_code", "service_date",
    "service_date_end", "diagnosis_codes", "claim_diagnosis_codes", "prior_auth", "ndc",
    "ndc_raw", "ndc_quantity", "ndc_unit", "patient_weight_lb", "segment", "line",
)
SUMMARY_KEYS = ("files", "interchanges", "transactions", "claims", "service_lines",
                "matched_lines", "warnings")
# J0256 lines per fixture (fixtures/README.md "J0256 lines" tables)
J0256_LINES = {"837p-medicare.x12": 5, "837p-commercial.x12": 9, "837i-outpatient.x12": 7,
               "837p-billing-errors.x12": 15}


def runner() -> CliRunner:
    """A runner that keeps stderr apart from stdout (click < 8.2 needs mix_stderr=False)."""
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:
        return CliRunner(mix_stderr=False)
    return CliRunner()


def scan(*args: str | Path):
    result = runner().invoke(cli, ["scan", *map(str, args)], catch_exceptions=False)
    return result


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def no_traceback(result) -> None:
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


# -- formats ---------------------------------------------------------------------------------


def test_jsonl_records_and_required_fields():
    result = scan(MEDICARE, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    records = jsonl(result.stdout)
    assert len(records) == 5
    for record in records:
        assert set(REQUIRED_FIELDS) <= set(record)
    first = records[0]
    assert first["file"] == str(MEDICARE)
    assert (first["interchange_control"], first["group_control"],
            first["transaction_control"]) == ("000000101", "101", "0001")
    assert (first["transaction_type"], first["implementation"]) == ("837P", "005010X222A1")
    assert (first["claim_id"], first["claim_charge"], first["frequency_code"]) == (
        "MCR-A-1001", 2725, "1")
    assert (first["place_of_service"], first["facility_type"]) == ("11", None)
    assert (first["payer_id"], first["payer_name"], first["claim_filing_indicator"]) == (
        "TSTMB01", "TEST MEDICARE PART B CONTRACTOR", "MB")
    assert (first["member_id"], first["billing_npi"], first["rendering_npi"]) == (
        "9TA0TA0TA01", "1999000015", "1999100013")
    assert (first["line_number"], first["line_control"], first["procedure_code"]) == (
        1, "MCRA1001-01", "J0256")
    assert first["modifiers"] == [] and records[1]["modifiers"] == ["JW"]
    assert (first["charge"], first["unit_basis"], first["units"]) == (2250, "UN", 450)
    assert (first["service_date"], first["service_date_end"]) == ("2026-01-05", None)
    assert first["diagnosis_codes"] == ["E88.01", "J43.9"]
    assert first["claim_diagnosis_codes"] == ["E88.01", "J43.9"]
    assert (first["ndc"], first["ndc_raw"], first["ndc_quantity"], first["ndc_unit"]) == (
        "13533070501", "13533070501", 4500, "ME")
    assert first["patient_weight_lb"] == 165
    assert first["prior_auth"] is None and first["revenue_code"] is None
    lines = MEDICARE.read_text().splitlines()
    for record in records:  # segment / line point at the SV1 of the record
        assert lines[record["line"] - 1].startswith("SV1*HC:J0256")
    assert [r["claim_id"] for r in records] == [
        "MCR-A-1001", "MCR-A-1001", "MCR-A-1002", "MCR-A-1003", "MCR-B-2002"]


def test_837i_records():
    records = jsonl(scan(OUTPATIENT, "--format", "jsonl").stdout)
    assert len(records) == 7
    first = records[0]
    assert (first["transaction_type"], first["implementation"]) == ("837I", "005010X223A2")
    assert (first["facility_type"], first["frequency_code"], first["place_of_service"]) == (
        "13", "1", None)
    assert first["revenue_code"] == "0636"
    assert first["rendering_npi"] is None
    assert first["patient_weight_lb"] is None
    assert first["diagnosis_codes"] == ["E88.01", "J43.9"]
    assert records[-1]["prior_auth"] == "PA2026000333"


def test_decimal_quantities_stay_numbers():
    records = jsonl(scan(COMMERCIAL, "--format", "jsonl").stdout)
    by_key = {(r["claim_id"], r["line_number"]): r for r in records}
    assert by_key[("COM-D-3001", 1)]["ndc_quantity"] == 3.6
    assert by_key[("COM-D-3001", 2)]["ndc_quantity"] == 0.4
    assert by_key[("COM-C-4002", 1)]["prior_auth"] == "BLAUTH77001"  # line-level REF*G1
    assert by_key[("COM-D-3002", 1)]["prior_auth"] == "BLAUTH77002"  # claim-level REF*G1
    assert by_key[("COM-C-4001", 1)]["rendering_npi"] is None
    assert len(records) == 9


def test_json_is_the_same_records_as_jsonl():
    as_json = json.loads(scan(*CLEAN, "--format", "json").stdout)
    as_jsonl = jsonl(scan(*CLEAN, "--format", "jsonl").stdout)
    assert as_json == as_jsonl
    assert len(as_json) == 5 + 9 + 7


def test_json_with_no_records_is_an_empty_array():
    result = scan(MEDICARE, "--format", "json", "--hcpcs", "J9999")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_csv_has_the_record_fields():
    result = scan(MEDICARE, "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 5
    assert set(REQUIRED_FIELDS) <= set(rows[0])
    assert rows[1]["modifiers"] == "JW"
    assert rows[0]["diagnosis_codes"] == "E88.01;J43.9"
    assert rows[0]["units"] == "450" and rows[0]["ndc"] == "13533070501"
    assert rows[0]["facility_type"] == ""


def test_table_is_readable():
    result = scan(MEDICARE, "--format", "table")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["file", "line", "claim_id"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert len(lines) == 2 + 5
    assert "MCR-A-1001" in lines[2] and "J0256" in lines[2] and "13533070501" in lines[2]


def test_parquet_written_and_read_back(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    target = tmp_path / "out.parquet"
    result = scan(*CLEAN, "--format", "parquet", "-o", target)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    table = pq.read_table(target)
    assert table.num_rows == 21
    assert set(REQUIRED_FIELDS) <= set(table.column_names)
    rows = table.to_pylist()
    assert rows[0]["claim_id"] == "MCR-A-1001"
    assert rows[1]["modifiers"] == ["JW"]
    assert rows[0]["units"] == 450
    reference = jsonl(scan(*CLEAN, "--format", "jsonl").stdout)
    assert [(r["claim_id"], r["line_number"], r["ndc"]) for r in rows] == [
        (r["claim_id"], r["line_number"], r["ndc"]) for r in reference]


def test_parquet_needs_output():
    result = scan(MEDICARE, "--format", "parquet")
    assert result.exit_code == 2
    assert "--output" in result.stderr
    no_traceback(result)


def test_output_file_for_jsonl(tmp_path):
    target = tmp_path / "out.jsonl"
    result = scan(MEDICARE, "-o", target)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert len(jsonl(target.read_text())) == 5  # jsonl is the default for a file


# -- summary -----------------------------------------------------------------------------------


def test_summary_on_stderr():
    result = scan(*CLEAN, "--format", "jsonl")
    assert result.exit_code == 0
    assert "summary" not in result.stdout
    summary = [line for line in result.stderr.splitlines() if line.startswith("summary")]
    assert len(summary) == 1
    for key in SUMMARY_KEYS:
        assert key in summary[0]
    assert "files 3" in summary[0] and "claims 12" in summary[0]
    assert "matched_lines 21" in summary[0]


def test_summary_json():
    result = scan(*CLEAN, "--summary")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["files"] == 3
    assert summary["interchanges"] == 3
    assert summary["transactions"] == 4
    assert summary["claims"] == 12
    assert summary["claims"] == (summary["claims_read"] + summary["claims_skipped"]
                                 + summary["claims_unreadable"])
    assert summary["service_lines"] == 11 + 17 + 14
    assert summary["matched_lines"] == 21
    assert summary["warnings"] == 0
    assert summary["hcpcs"] == ["J0256"]


# -- --hcpcs and --jobs --------------------------------------------------------------------


def test_hcpcs_chooses_other_codes():
    records = jsonl(scan(MEDICARE, "--hcpcs", "96365,96366", "--format", "jsonl").stdout)
    assert {r["procedure_code"] for r in records} == {"96365", "96366"}
    assert len(records) == 5
    both = jsonl(scan(MEDICARE, "--hcpcs", "j0256", "--hcpcs", "99213").stdout)
    assert [r["procedure_code"] for r in both].count("J0256") == 5
    assert [r["claim_id"] for r in both if r["procedure_code"] == "99213"] == ["MCR-B-2001"]


def test_default_is_j0256():
    assert jsonl(scan(*CLEAN).stdout) == jsonl(scan(*CLEAN, "--hcpcs", "J0256").stdout)


def test_jobs_2_gives_the_same_records_as_jobs_1():
    one = scan(*ALL_FIXTURES, "--format", "jsonl", "--jobs", "1")
    two = scan(*ALL_FIXTURES, "--format", "jsonl", "--jobs", "2")
    assert one.exit_code == two.exit_code == 0
    assert jsonl(two.stdout) == jsonl(one.stdout)
    assert len(jsonl(one.stdout)) == sum(J0256_LINES[p.name] for p in ALL_FIXTURES
                                         if p.name in J0256_LINES)
    summary_one = json.loads(scan(*ALL_FIXTURES, "--summary", "-j", "1").stdout)
    summary_two = json.loads(scan(*ALL_FIXTURES, "--summary", "-j", "2").stdout)
    assert summary_one == summary_two


# -- exit codes and messages ---------------------------------------------------------------


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda p: p.name)
def test_exit_0_on_every_fixture(fixture):
    result = scan(fixture, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    no_traceback(result)
    assert len(jsonl(result.stdout)) == J0256_LINES.get(fixture.name, len(jsonl(result.stdout)))


def _error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if not line.startswith("summary")]


def test_missing_file_exit_2_one_line(tmp_path):
    missing = tmp_path / "nope.x12"
    result = scan(missing)
    assert result.exit_code == 2
    no_traceback(result)
    errors = _error_lines(result)
    assert len(errors) == 1
    assert str(missing) in errors[0]


def test_non_x12_file_exit_2_one_line(tmp_path):
    letter = tmp_path / "letter.txt"
    letter.write_text("Dear colleague,\nthis is not an X12 file.\n" * 20)
    result = scan(letter)
    assert result.exit_code == 2
    no_traceback(result)
    errors = _error_lines(result)
    assert len(errors) == 1
    assert str(letter) in errors[0] and "X12" in errors[0]
    assert result.stdout.strip() in ("", "[]")


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    letter = tmp_path / "letter.txt"
    letter.write_text("not x12\n" * 40)
    result = scan(MEDICARE, letter, OUTPATIENT, "--format", "jsonl")
    assert result.exit_code == 2
    records = jsonl(result.stdout)
    assert len(records) == 5 + 7
    assert str(letter) in result.stderr


def test_usage_error_exit_2():
    result = scan("--format", "yaml", MEDICARE)
    assert result.exit_code == 2
    no_traceback(result)
    result = runner().invoke(cli, ["scan"])
    assert result.exit_code == 2


def test_diagnostics_are_positions_not_member_data(tmp_path):
    """Warnings and errors on stderr name the file and line, never a member id or name."""
    text = MEDICARE.read_text()
    broken = (text.replace("SE*123*0001", "SE*999*0001")
                  .replace("SV1*HC:J0256:JW*250*UN*50", "SV1*HC:J0256:JW*250*UN*FIFTY")
                  .replace("DTP*472*D8*20260105", "DTP*472*D8*20261305", 1))
    assert broken != text
    path = tmp_path / "broken.x12"
    path.write_text(broken)
    result = scan(path, "--format", "jsonl")
    assert result.exit_code == 0
    no_traceback(result)
    diagnostics = _error_lines(result)
    assert any("X223" in line for line in diagnostics)
    assert any("X306" in line for line in diagnostics)
    assert all(line.startswith(f"{path}:") for line in diagnostics)
    for secret in ("9TA0TA0TA0", "TESTPATIENT", "ALPHA", "BRAVO", "19550312"):
        assert secret not in result.stderr


def test_a_bad_birth_date_is_not_printed(tmp_path):
    text = MEDICARE.read_text().replace("DMG*D8*19550312*F", "DMG*D8*19550312X*F")
    path = tmp_path / "dob.x12"
    path.write_text(text)
    result = scan(path, "--format", "jsonl")
    assert result.exit_code == 0
    assert "X307" in result.stderr
    assert "19550312" not in result.stderr


@pytest.mark.parametrize("value", ["Infinity", "NaN", "sNaN"])
def test_non_numeric_charges_are_warnings_not_tracebacks(tmp_path, value):
    text = MEDICARE.read_text().replace("SV1*HC:J0256*2250*UN*450", f"SV1*HC:J0256*{value}*UN*450")
    path = tmp_path / "special.x12"
    path.write_text(text)
    result = runner().invoke(cli, ["scan", str(path), "--format", "jsonl"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 0
    first = json.loads(result.stdout.splitlines()[0], parse_constant=lambda c: pytest.fail(c))
    assert first["charge"] is None
    assert "X306" in result.stderr


def test_an_unreadable_claim_is_reported_and_the_scan_goes_on(monkeypatch):
    from edi_j0256.claims.parser import ClaimReader

    original = ClaimReader._claim_segment

    def explode(self, claim, *args):
        if claim.claim_id == "MCR-A-1002":
            raise ValueError("simulated defect")
        return original(self, claim, *args)

    monkeypatch.setattr(ClaimReader, "_claim_segment", explode)
    result = scan(MEDICARE, "--format", "jsonl", "--jobs", "1")
    assert result.exit_code == 0
    no_traceback(result)
    assert [r["claim_id"] for r in jsonl(result.stdout)] == [
        "MCR-A-1001", "MCR-A-1001", "MCR-A-1003", "MCR-B-2002"]
    clm = next(i for i, text in enumerate(MEDICARE.read_text().splitlines(), 1)
               if text.startswith("CLM*MCR-A-1002*"))
    assert any(line.startswith(f"{MEDICARE}:{clm}: X302") for line in result.stderr.splitlines())
    assert "claims_unreadable 1" in result.stderr


def test_parquet_batches_with_columns_null_in_the_first_batch(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    from edi_j0256.output import write_parquet

    records = jsonl(scan(MEDICARE, OUTPATIENT, "--format", "jsonl").stdout)
    assert [r["facility_type"] for r in records[:5]] == [None] * 5
    assert records[5]["facility_type"] == "13"
    target = tmp_path / "batched.parquet"
    assert write_parquet(records, str(target), batch_size=5) == 12
    rows = pq.read_table(target).to_pylist()
    assert [r["facility_type"] for r in rows] == [None] * 5 + ["13"] * 7
    assert [r["revenue_code"] for r in rows][5:] == ["0636"] * 7


def test_a_folder_is_read_file_by_file(tmp_path):
    """Batch jobs point at a drop folder: its files (recursively, hidden ones left out)."""
    import shutil

    (tmp_path / "in" / "week2").mkdir(parents=True)
    (tmp_path / "in" / ".cache").mkdir()
    shutil.copy(MEDICARE, tmp_path / "in" / "a.x12")
    shutil.copy(OUTPATIENT, tmp_path / "in" / "week2" / "b.x12")
    shutil.copy(MEDICARE, tmp_path / "in" / ".cache" / "stale.x12")
    folder = jsonl(scan(str(tmp_path / "in"), "--format", "jsonl").stdout)
    files = jsonl(scan(str(tmp_path / "in" / "a.x12"), str(tmp_path / "in" / "week2" / "b.x12"),
                       "--format", "jsonl").stdout)
    assert folder == files and len(folder) > 0
    assert not any(".cache" in r["file"] for r in folder)
