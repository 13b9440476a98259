"""``edi-j0256 check``: output formats, selection, exit codes, pyx12 conformance, schema."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from rule_support import RULE_FIXTURES

from edi_j0256.cli import cli
from edi_j0256.rules import FIELDS

ROOT = RULE_FIXTURES.parent.parent
ERRORS = str(ROOT / "fixtures" / "837p-billing-errors.x12")
CLEAN = str(RULE_FIXTURES / "clean-medicare.x12")
SCHEMA = ROOT / "schemas" / "finding.schema.json"


def invoke(*args: str, input: bytes | None = None):
    return CliRunner().invoke(cli, ["check", *args], input=input)


def test_clean_file_exits_0() -> None:
    result = invoke(CLEAN)
    assert result.exit_code == 0, result.output
    assert result.output == ("Checked 1 file, 1 J0256 claim, 1 J0256 line: 0 errors, "
                             "0 warnings.\n")


def test_text_output_format_and_grouping() -> None:
    result = invoke(ERRORS, str(RULE_FIXTURES / "JU005-trigger.x12"))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (f"{ERRORS}:27: JM001 J0256 line has neither JW nor JZ; the `medicare` policy needs "
            "JZ (no waste) or a separate JW waste line [claim ERR-6001 line 1]") in lines
    assert f"{ERRORS}:196: JC006 claim total charge (CLM02) `2200` is not the sum of the line " \
           "charges `2180` [claim ERR-6008]" in lines
    blank = lines.index("")  # files are separated by one blank line, in the order given
    assert all(line.startswith(ERRORS) for line in lines[:blank])
    assert lines[blank + 1].startswith(str(RULE_FIXTURES / "JU005-trigger.x12"))
    assert lines[-1].startswith("Checked 2 files, 13 J0256 claims")


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_machine_formats(fmt: str) -> None:
    result = invoke("--format", fmt, ERRORS)
    assert result.exit_code == 1
    if fmt == "jsonl":
        records = [json.loads(line) for line in result.output.splitlines()]
    elif fmt == "json":
        records = json.loads(result.output)
    else:
        rows = list(csv.DictReader(io.StringIO(result.output)))
        assert list(rows[0]) == list(FIELDS)
        records = rows
    assert {r["code"] for r in records} >= {"JM001", "JU002", "JN003", "JC006", "JD001"}
    first = next(r for r in records if r["code"] == "JM001")
    assert first["claim_id"] == "ERR-6001" and str(first["line_number"]) == "1"
    assert first["line_control"] == "ERR6001-01" and first["root_cause"] == "modifiers"
    assert str(first["predicted_carc"]) == "4" and first["predicted_rarc"] == "N822"


def test_parquet_holds_exactly_the_jsonl_findings(tmp_path: Path) -> None:
    """``--format parquet`` (batch jobs load findings into a warehouse): the rows are the
    JSON Lines records, field for field, in the finding schema's column order."""
    pq = pytest.importorskip("pyarrow.parquet")
    files = [ERRORS, *map(str, sorted(RULE_FIXTURES.glob("J*-trigger*.x12")))]
    target = tmp_path / "findings.parquet"
    result = invoke("--format", "parquet", "-o", str(target), *files)
    assert result.exit_code == 1, result.output
    assert result.output == ""
    expected = [json.loads(line) for line in invoke("--format", "jsonl", *files).output
                .splitlines()]
    table = pq.read_table(target)
    assert table.column_names == list(json.loads(SCHEMA.read_text())["properties"])
    assert table.to_pylist() == expected
    assert len(expected) > 40
    assert os.listdir(tmp_path) == ["findings.parquet"]


def test_parquet_needs_an_output_path() -> None:
    result = invoke("--format", "parquet", ERRORS)
    assert result.exit_code == 2
    assert "--format parquet needs --output PATH" in result.output


def test_output_validates_against_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = [ERRORS, *map(str, sorted(RULE_FIXTURES.glob("*-trigger*.x12")))]
    result = invoke("--format", "jsonl", "--ig", *files)
    records = [json.loads(line) for line in result.output.splitlines()]
    assert len({r["code"] for r in records}) >= 34
    assert {r["code"][:2] for r in records} >= {"JU", "JM", "JN", "JD", "JA", "JP", "JF",
                                                 "JC", "IG"}
    for record in records:
        validator.validate(record)
        assert set(FIELDS) <= set(record)


def test_select_and_ignore() -> None:
    result = invoke("--format", "jsonl", "--select", "JM,JU002", "--ignore", "JM006", ERRORS)
    codes = {json.loads(line)["code"] for line in result.output.splitlines()}
    assert codes == {"JM001", "JM002", "JM004", "JM005", "JU002"}
    result = invoke("--select", "JQ", ERRORS)
    assert result.exit_code == 2 and "JQ" in result.output


def test_fail_on_warning() -> None:
    trigger = str(RULE_FIXTURES / "JM006-trigger.x12")  # warnings only
    assert invoke(trigger).exit_code == 0
    assert invoke("--fail-on", "warning", trigger).exit_code == 1
    assert invoke("--fail-on", "warning", CLEAN).exit_code == 0


def test_unreadable_input_exits_2_without_traceback(tmp_path: Path) -> None:
    not_x12 = tmp_path / "notes.txt"
    not_x12.write_text("hello\n")
    result = invoke(str(not_x12), str(tmp_path / "missing.x12"), CLEAN)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "notes.txt" in result.output and "missing.x12" in result.output
    assert "1 J0256 claim" in result.output  # the readable file is still checked


def test_reader_diagnostics_become_format_findings(tmp_path: Path) -> None:
    text = (RULE_FIXTURES / "clean-medicare.x12").read_text().replace("SE*34*", "SE*30*")
    path = tmp_path / "bad-count.x12"
    path.write_text(text)
    result = invoke("--format", "jsonl", str(path))
    records = [json.loads(line) for line in result.output.splitlines()]
    assert records and all(r["root_cause"] == "format" for r in records)
    assert all(r["code"].startswith("X") and r["line"] for r in records)


def test_standard_input() -> None:
    data = (RULE_FIXTURES / "JM001-trigger.x12").read_bytes()
    result = invoke("--format", "jsonl", "-", input=data)
    record = json.loads(result.output.splitlines()[0])
    assert record["file"] == "<stdin>" and record["code"] == "JM001"


def test_ig_clean_file_and_ack(tmp_path: Path) -> None:
    result = invoke("--ack-dir", str(tmp_path / "acks"), CLEAN)
    assert result.exit_code == 0, result.output
    ack = (tmp_path / "acks" / "clean-medicare.x12.999").read_text()
    assert ack.startswith("ISA") and "AK9*A" in ack


def test_ack_names_are_unique_per_input_and_stay_in_the_folder(tmp_path: Path) -> None:
    text = (RULE_FIXTURES / "clean-medicare.x12").read_bytes()
    for folder in ("week1", "week2"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "claims.x12").write_bytes(text)
    odd = tmp_path / "..\x1b[2J;claims.x12"
    odd.write_bytes(text)
    acks = tmp_path / "acks"
    result = invoke("--ack-dir", str(acks), str(tmp_path / "week1" / "claims.x12"),
                    str(tmp_path / "week2" / "claims.x12"), str(odd))
    assert result.exit_code == 1, result.output  # the same claim three times: JC005
    assert sorted(p.name for p in acks.iterdir()) == [
        "__2J_claims.x12.999", "claims.x12-2.999", "claims.x12.999"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "..\x1b[2J;claims.x12", "acks", "week1", "week2"]


def test_ig_errors_have_positions() -> None:
    result = invoke("--ig", "--format", "jsonl", "--select", "IG",
                    str(RULE_FIXTURES / "JN006-trigger.x12"))
    records = [json.loads(line) for line in result.output.splitlines()]
    assert result.exit_code == 1
    assert [(r["code"], r["line"], r["root_cause"]) for r in records] == [("IG001", 31, "format")]
    assert "CTP05-1" in records[0]["message"] and "`MG`" in records[0]["message"]


def test_ig_findings_keep_member_ids_and_birth_dates_out(tmp_path: Path) -> None:
    member = "9TR0TR0TR01" + "X" * 70  # too long for NM109: pyx12 quotes it
    text = (RULE_FIXTURES / "clean-medicare.x12").read_text()
    text = text.replace("DMG*D8*19550312*F~", "DMG*D8*19551399*F~")
    path = tmp_path / "phi.x12"
    path.write_text(text.replace("MI*9TR0TR0TR01~", f"MI*{member}~"))
    result = invoke("--ig", "--select", "IG", "--format", "jsonl", str(path))
    messages = [json.loads(line)["message"] for line in result.output.splitlines()]
    assert messages == [
        'NM109: Data element "Subscriber Primary Identifier" (NM109) is too long: '
        'len("(value not shown)") = 81 > 80 (max_len) (pyx12 code 5)',
        'DMG02: Data element "Subscriber Birth Date" (DMG02) contains an invalid date '
        '((value not shown)) (pyx12 code 8)']
    shown = invoke("--ig", "--ig-values", "--select", "IG", "--format", "jsonl", str(path))
    assert "19551399" in shown.output and member in shown.output


def test_wrong_kind_files_are_named_and_the_others_checked(tmp_path: Path) -> None:
    remit = str(ROOT / "fixtures" / "835-medicare.x12")
    dental = tmp_path / "dental.x12"
    dental.write_text((RULE_FIXTURES / "clean-medicare.x12").read_text()
                      .replace("005010X222A1", "005010X224A2"))
    result = CliRunner().invoke(cli, ["check", remit, str(dental), CLEAN])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {remit}: is an 835 remittance advice, not an 837 claim file (check reads "
        "837P / 837I)",
        f"error: {dental}: is an 837D dental claim, not an 837 claim file (check reads "
        "837P / 837I)"]
    assert result.stdout == ("Checked 1 file, 1 J0256 claim, 1 J0256 line: 0 errors, "
                             "0 warnings. 2 files could not be checked.\n")


def test_output_error_exits_2_and_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.jsonl"
    result = invoke("--format", "jsonl", "-o", str(target), ERRORS)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "missing/out.jsonl" in result.output
    good = tmp_path / "out.jsonl"
    assert invoke("--format", "jsonl", "-o", str(good), ERRORS).exit_code == 1
    assert good.read_text().count("\n") > 10 and list(tmp_path.iterdir()) == [good]
    umask = os.umask(0)
    os.umask(umask)
    assert good.stat().st_mode & 0o777 == 0o666 & ~umask  # as open() would have made it


def test_text_output_escapes_control_characters(tmp_path: Path) -> None:
    text = (RULE_FIXTURES / "JC004-trigger.x12").read_text().replace("RUL-7031", "RUL\x1b[2J")
    path = tmp_path / "esc.x12"
    path.write_text(text)
    result = invoke(str(path))
    assert "\x1b" not in result.output
    assert "[claim RUL\\x1b[2J line 1]" in result.output


def test_mue_file_as_published_replaces_the_bundled_value(tmp_path: Path) -> None:
    passing = str(RULE_FIXTURES / "JF004-pass.x12")  # 1600 units on one date
    assert "JF004" not in invoke("--select", "JF004", passing).output
    lowered = str(RULE_FIXTURES / "refdata" / "mue_practitioner_lowered_layout.csv")
    result = invoke("--select", "JF004", "--mue", lowered, passing)
    assert result.exit_code == 1
    assert ("JF004 J0256 units on this date total 1600, over the CMS MUE of 1200 units per "
            "date of service for practitioner services (MAI 3; CMS MUE table "
            "mue_practitioner_lowered_layout.csv)") in result.output
    bad = tmp_path / "mue.csv"
    bad.write_text("HCPCS,Value\nJ0256,1\n")
    result = invoke("--mue", str(bad), passing)
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert "mue.csv: no header row starting 'HCPCS/CPT Code'" in result.output


def test_crosswalk_skipped_rows_are_counted_on_stderr() -> None:
    october = str(RULE_FIXTURES / "refdata" / "asp_ndc_hcpcs_crosswalk_2026-10_layout.csv")
    result = CliRunner().invoke(cli, ["check", "--ndc-crosswalk", october,
                                                      CLEAN])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"warning: {october}: 1 row skipped (NDC cell not an NDC)\n"


def test_text_output_written_as_it_goes_keeps_the_order(monkeypatch) -> None:
    """Findings before the claim being checked are written early (bounded memory on big
    files); the text is the same as sorting all of them at the end."""
    import edi_j0256.cli.check as check_cli

    files = [ERRORS, *map(str, sorted(RULE_FIXTURES.glob("J*-trigger*.x12")))]
    whole = invoke(*files).output
    monkeypatch.setattr(check_cli, "FLUSH_EVERY", 2)
    assert invoke(*files).output == whole
    assert whole.count("\n\n") >= 30  # many files, each its own group
