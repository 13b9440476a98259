"""``edi-j0256 check``: output formats, selection, exit codes, pyx12 conformance, schema."""

from __future__ import annotations

import csv
import io
import json
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


def test_output_validates_against_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = [ERRORS, *map(str, sorted(RULE_FIXTURES.glob("*-trigger*.x12"))),
             str(ROOT / "fixtures" / "remit" / "835-exceptions.x12")]
    result = invoke("--format", "jsonl", "--ig", *files)
    records = [json.loads(line) for line in result.output.splitlines()]
    assert len({r["code"] for r in records}) >= 30
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


def test_ig_errors_have_positions() -> None:
    result = invoke("--ig", "--format", "jsonl", "--select", "IG",
                    str(RULE_FIXTURES / "JN006-trigger.x12"))
    records = [json.loads(line) for line in result.output.splitlines()]
    assert result.exit_code == 1
    assert [(r["code"], r["line"], r["root_cause"]) for r in records] == [("IG001", 31, "format")]
    assert "CTP05-1" in records[0]["message"] and "`MG`" in records[0]["message"]


def test_ig_on_835_with_ack_does_not_crash(tmp_path: Path) -> None:
    remit = str(ROOT / "fixtures" / "835-medicare.x12")
    result = invoke("--ack-dir", str(tmp_path), "--format", "jsonl", remit)
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.output.splitlines()]
    assert records and {r["code"] for r in records} == {"IG002"}
    assert all(r["severity"] == "warning" for r in records)
