"""``edi-j0256 reconcile`` through click's CliRunner, and the JSON Schema of its output."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from edi_j0256.cli import cli
from edi_j0256.cli.reconcile import expand_paths

jsonschema = pytest.importorskip("jsonschema")

CLAIMS = ("837p-medicare.x12", "837p-billing-errors.x12", "837p-commercial.x12",
          "837i-outpatient.x12")
REMITS = ("835-medicare.x12", "835-medicare-correction.x12", "835-billing-errors.x12",
          "835-commercial.x12", "835-outpatient.x12")
MEMBER_IDS = ("9TA0TA0TA01", "9TA0TA0TA07", "TCI000777888")


@pytest.fixture()
def files(fixtures_dir):
    return [str(fixtures_dir / n) for n in CLAIMS], [str(fixtures_dir / n) for n in REMITS]


@pytest.fixture(scope="module")
def validator(repo_root):
    schema = json.loads((repo_root / "schemas" / "reconcile.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def run(*args: str):
    return CliRunner().invoke(cli, ["reconcile", *args])


def test_jsonl_output_and_orphans_validate_against_the_schema(files, validator, tmp_path):
    claims, remits = files
    orphans = tmp_path / "orphans.jsonl"
    result = run("--claims", *claims, "--remits", *remits, "--format", "jsonl",
                 "--orphans", str(orphans))
    assert result.exit_code == 0, result.output
    records = [json.loads(text) for text in result.stdout.splitlines()]
    assert len(records) == 36
    orphan_records = [json.loads(text) for text in orphans.read_text().splitlines()]
    assert [o["claim_id"] for o in orphan_records] == ["MCR-X-9001"]
    for record in records + orphan_records:
        errors = [e.message for e in validator.iter_errors(record)]
        assert not errors, (record.get("claim_id"), errors)
    statuses = {r["status"] for r in records}
    assert {"paid", "partial", "denied"} <= statuses


def test_repeated_flags_and_totals_on_stderr(files):
    claims, remits = files
    args = [a for c in claims for a in ("--claims", c)] + [a for r in remits
                                                           for a in ("--remits", r)]
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 36
    assert "totals by root cause" in result.stderr and "totals by payer" in result.stderr
    assert "modifiers" in result.stderr and "TSTMB01" in result.stderr
    assert "all lines" in result.stderr
    assert "MCR-X-9001" in result.stderr  # the orphan, listed when --orphans is not given


def test_no_phi_on_stderr(files):
    claims, remits = files
    result = run("--claims", *claims, "--remits", *remits, "--format", "table")
    assert result.exit_code == 0
    for member_id in MEMBER_IDS:
        assert member_id not in result.stderr
        assert member_id not in result.stdout  # the table leaves member_id out
    assert "TESTPATIENT" not in result.stderr


def test_csv_and_parquet(files, tmp_path):
    claims, remits = files
    result = run("--claims", *claims, "--remits", *remits, "--format", "csv", "-q")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 36 and "explained_by" in rows[0]
    assert result.stderr == ""
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "recon.parquet"
    result = run("--claims", *claims, "--remits", *remits, "--format", "parquet", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert pq.read_table(out).num_rows == 36


def test_db_across_runs(files, tmp_path):
    claims, remits = files
    db = str(tmp_path / "j0256.db")
    first = run("--db", db, "--claims", *claims, "--format", "jsonl")
    assert first.exit_code == 0, first.output
    assert {json.loads(t)["status"] for t in first.stdout.splitlines()} == {"unmatched"}
    second = run("--db", db, "--remits", *remits, "--format", "jsonl")
    memory = run("--claims", *claims, "--remits", *remits, "--format", "jsonl")
    assert second.exit_code == 0, second.output
    assert second.stdout == memory.stdout
    again = run("--db", db, "--remits", *remits, "--format", "jsonl")
    assert again.stdout == memory.stdout
    assert "0 file(s) stored, 5 already stored" in again.stderr


@pytest.mark.parametrize("args, needle", [
    (["--claims", "no-such-file.x12"], "no-such-file.x12"),
    (["--claims", "pyproject.toml"], "pyproject.toml: not an X12 file"),
    (["--remits", "fixtures/837p-medicare.x12"], "837p-medicare.x12"),
    (["--claims", "fixtures/835-medicare.x12"], "give it with --remits"),
    ([], "nothing to reconcile"),
])
def test_unusable_input_exit_2_one_line(args, needle, repo_root, monkeypatch):
    monkeypatch.chdir(repo_root)
    result = run(*args)
    assert result.exit_code == 2
    assert needle in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_db_that_is_not_a_store(tmp_path, files):
    bad = tmp_path / "bad.db"
    bad.write_text("not sqlite " * 100)
    result = run("--db", str(bad), "--claims", files[0][0])
    assert result.exit_code == 2 and "bad.db" in result.stderr


def test_expand_paths():
    assert expand_paths(["--claims", "a", "b", "--remits", "c", "d", "--db", "x", "e"]) == [
        "--claims", "a", "--claims", "b", "--remits", "c", "--remits", "d", "--db", "x", "e"]
    assert expand_paths(["--claims=a", "b", "-o", "out"]) == ["--claims=a", "--claims", "b",
                                                             "-o", "out"]


def test_help_documents_the_path_forms():
    result = run("--help")
    assert result.exit_code == 0
    assert "several after one flag" in result.output
    assert "--orphans" in result.output and "--db" in result.output


def test_bad_files_among_good_ones_are_reported_the_rest_reconciled(files, tmp_path):
    claims, remits = files
    dental = tmp_path / "dental.x12"
    dental.write_text(open(claims[0]).read().replace("005010X222A1", "005010X224A2"))
    binary = tmp_path / "binary.x12"
    binary.write_bytes(bytes(range(256)) * 64)
    missing = str(tmp_path / "missing.x12")
    db = str(tmp_path / "j0256.db")
    result = run("--db", db, "--claims", *claims, missing, str(dental), str(binary), remits[0],
                 "--remits", *remits, claims[1], "--format", "jsonl")
    assert result.exit_code == 2, result.output
    assert len(result.stdout.splitlines()) == 36  # the good files were all reconciled
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [
        f"error: {missing}: No such file or directory",
        f"error: {dental}: is an 837D dental claim, not an 837 claim file",
        f"error: {binary}: not an X12 file: no ISA, GS or ST segment found at the start",
        f"error: {remits[0]}: is an 835 remittance advice, not an 837 claim file (give it "
        "with --remits)",
        f"error: {claims[1]}: is an 837P professional claim, not an 835 remittance file (give "
        "it with --claims)",
    ] or len(errors) == 5, result.stderr
    assert f"{len(claims) + len(remits)} file(s) stored" in result.stderr
    assert "Traceback" not in result.output


def test_as_of_and_hcpcs_options(files):
    claims, remits = files
    early = run("--claims", *claims, "--remits", *remits, "--format", "jsonl", "-q",
                "--as-of", "2026-03-15", "--hcpcs", "j0256")
    assert early.exit_code == 0, early.output
    records = [json.loads(t) for t in early.stdout.splitlines()]
    assert len(records) == 36
    denied = [r for r in records if r["status"] == "denied"]
    assert denied and all(r["days_left"] is None or r["days_left"] > 0 for r in denied)
    late = run("--claims", *claims, "--remits", *remits, "--format", "jsonl", "-q",
               "--as-of", "2027-03-15")
    late_records = [json.loads(t) for t in late.stdout.splitlines()]
    assert all(r["recovery"] == "none" for r in late_records if r["days_left"] is not None)
    bad = run("--claims", *claims, "--as-of", "15/03/2026")
    assert bad.exit_code == 2 and "not a date" in bad.stderr


def test_a_fifo_among_the_inputs_does_not_block(files, tmp_path):
    import os

    claims, remits = files
    fifo = tmp_path / "pipe.x12"
    os.mkfifo(fifo)
    result = run("--claims", claims[0], str(fifo), "--remits", remits[0], "--format", "jsonl")
    assert result.exit_code == 2
    assert f"error: {fifo}: not a regular file" in result.stderr
    assert result.stdout.strip()  # the good files were reconciled


def test_store_in_a_missing_folder(files, tmp_path):
    result = run("--db", str(tmp_path / "no" / "such" / "j0256.db"), "--claims", files[0][0])
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("cannot open the store (unable to open database file)")
    assert len(result.stderr.strip().splitlines()) == 1
