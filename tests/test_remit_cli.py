"""``edi-j0256 remit``: formats, schema, summary, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_j0256.cli import cli
from edi_j0256.remit import read_remits, remit_records

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
REMITS = sorted(str(p) for p in FIXTURES.glob("835-*.x12"))
SCHEMA = json.loads((ROOT / "schemas" / "remit.schema.json").read_text())
jsonschema = pytest.importorskip("jsonschema")


def run(*args: str):
    return CliRunner().invoke(cli, ["remit", *args])


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_help() -> None:
    result = run("--help")
    assert result.exit_code == 0 and "root causes" in result.output


def test_jsonl_records_follow_the_schema() -> None:
    result = run("--format", "jsonl", *REMITS)
    assert result.exit_code == 0, result.output
    records = jsonl(result.stdout)
    assert len(records) > 30
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for record in records:
        validator.validate(record)
    assert {r["record_type"] for r in records} == {"line", "claim"}
    assert all(r["procedure_code"] == "J0256" for r in records if r["record_type"] == "line")


def test_issue_fields_on_a_partial_payment() -> None:
    records = jsonl(run("--format", "jsonl", str(FIXTURES / "835-medicare.x12")).stdout)
    line = next(r for r in records if r["claim_id"] == "MCR-B-2002")
    assert line["payer_name"] == "TEST MEDICARE PART B CONTRACTOR"
    assert (line["trace_number"], line["payment_date"]) == ("TSTCHK0002", "2026-02-20")
    assert (line["claim_status"], line["payer_claim_control"]) == ("1", "PCNMCRB2002")
    assert (line["line_control"], line["modifiers"]) == ("MCRB2002-01", ["JZ"])
    assert (line["charge"], line["paid"]) == (1500, 784)
    assert (line["units_paid"], line["original_units"]) == (250, 300)
    assert line["service_date"] == "2026-01-08"
    assert line["adjustments"][0] == {
        "group": "CO", "carc": "151", "amount": 200, "quantity": 50,
        "description": line["adjustments"][0]["description"],
        "root_causes": ["frequency_limits"], "segment": line["adjustments"][0]["segment"],
        "line": line["adjustments"][0]["line"]}
    assert line["rarcs"] == ["N362"]
    assert line["denied_amount"] == 200
    assert line["root_causes"] == ["frequency_limits"]
    assert line["explanation"] and line["action"]
    assert line["segment"] > line["claim_segment"] > 0


def test_claim_level_denial_and_paid_lines() -> None:
    records = jsonl(run("--format", "jsonl", str(FIXTURES / "835-medicare.x12")).stdout)
    denial = next(r for r in records if r["claim_id"] == "MCR-A-1003")
    assert denial["record_type"] == "claim" and denial["procedure_code"] is None
    assert denial["root_causes"] == ["eligibility"] and denial["denied_amount"] == 2180
    paid = next(r for r in records if r["line_control"] == "MCRA1001-01")
    assert paid["root_causes"] == [] and paid["denied_amount"] == 0
    assert {c for a in paid["adjustments"] for c in a["root_causes"]} == {
        "contractual", "patient_responsibility"}
    assert not any(r["procedure_code"] == "99213" for r in records)


def test_reversal_then_correction_records() -> None:
    records = jsonl(run("--format", "jsonl",
                        str(FIXTURES / "835-medicare-correction.x12")).stdout)
    assert [(r["claim_status"], r["line_control"]) for r in records] == [
        ("22", "MCRA1002-01"), ("1", "MCRA1002-01")]
    reversal, correction = records
    assert reversal["paid"] < 0 and "Reversal" in reversal["explanation"]
    assert correction["root_causes"] == ["documentation"]


def test_source_document_causes_appear_in_the_fixtures() -> None:
    records = jsonl(run("--format", "jsonl", *REMITS).stdout)
    causes = {c for r in records for c in r["root_causes"]}
    assert {"documentation", "units", "modifiers", "authorization", "frequency_limits",
            "formulary", "ndc", "diagnosis", "eligibility", "format", "other"} <= causes


def test_hcpcs_option() -> None:
    path = str(FIXTURES / "835-medicare.x12")
    every = jsonl(run("--format", "jsonl", "--hcpcs", "ALL", path).stdout)
    assert any(r["procedure_code"] == "99213" for r in every)
    two = jsonl(run("--format", "jsonl", "--hcpcs", "96365,96366", path).stdout)
    assert {r["procedure_code"] for r in two if r["record_type"] == "line"} == {"96365",
                                                                                "96366"}


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_text_formats(fmt: str) -> None:
    result = run("--format", fmt, "--no-summary", *REMITS)
    assert result.exit_code == 0
    if fmt == "json":
        assert len(json.loads(result.stdout)) > 30
    elif fmt == "csv":
        assert result.stdout.splitlines()[0].startswith("record_type,file,")
    else:
        assert result.stdout.splitlines()[0].startswith("claim_id")


def test_parquet(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "remit.parquet"
    result = run("--format", "parquet", "-o", str(out), *REMITS)
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.num_rows == len(jsonl(run("--format", "jsonl", *REMITS).stdout))
    assert run("--format", "parquet", *REMITS).exit_code == 2


def test_summary_by_root_cause_and_payer() -> None:
    result = run("--format", "jsonl", "--summary", str(FIXTURES / "835-commercial.x12"))
    assert "Adjusted dollars by payer and root cause" in result.stderr
    assert "TEST BLUE PLAN" in result.stderr and "3,000.00" in result.stderr


def test_library_and_cli_agree() -> None:
    path = FIXTURES / "835-outpatient.x12"
    library = list(remit_records(read_remits(path)))
    assert len(library) == len(jsonl(run("--format", "jsonl", str(path)).stdout))


def test_unusable_input_exits_2_with_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"\x00\x01 this is not X12 at all\n" * 20)
    result = run("--format", "jsonl", str(junk))
    assert result.exit_code == 2
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and "junk.txt" in errors[0]
    assert "Traceback" not in result.output


def test_claim_file_and_missing_file_exit_2(tmp_path: Path) -> None:
    result = run("--format", "jsonl", str(FIXTURES / "837p-medicare.x12"),
                 str(FIXTURES / "835-outpatient.x12"))
    assert result.exit_code == 2
    assert f"error: {FIXTURES / '837p-medicare.x12'}: is an 837P professional claim, not an " \
           "835 remittance advice" in result.stderr
    assert jsonl(result.stdout)  # the usable file was still reported
    result = run(str(tmp_path / "absent.835"))
    assert result.exit_code == 2 and "absent.835" in result.stderr
    assert "Traceback" not in result.output


def test_diagnostics_go_to_stderr() -> None:
    result = run("--format", "jsonl", str(FIXTURES / "remit" / "835-exceptions.x12"))
    assert result.exit_code == 0
    assert "X361" in result.stderr and "X365" not in result.stderr
    assert "X365" in run("-v", "--format", "jsonl",
                         str(FIXTURES / "remit" / "835-exceptions.x12")).stderr
    assert run("-q", "--format", "jsonl",
               str(FIXTURES / "remit" / "835-exceptions.x12")).stderr == ""
