"""Parquet files take their columns and types from the JSON Schemas in ``schemas/``
(``edi_j0256.record_schema``), not from the first batch of records: every batch of scan,
remit, remit --plb and reconcile output (and check findings through the writer) has the same
types, also when the first batch has only empty or null values of a field."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_j0256 import record_schema
from edi_j0256.cli import cli
from edi_j0256.output import write_parquet
from edi_j0256.reconcile import reconcile

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CLAIMS = sorted(str(p) for p in FIXTURES.glob("837*.x12"))
REMITS = sorted(str(p) for p in FIXTURES.glob("835*.x12"))
REPLACED = FIXTURES / "reconcile"


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == code, result.output
    return result.stdout


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def read(path: Path):
    return pq.read_table(path)


def test_column_types_follow_the_json_schemas():
    types = {name: str(field.type) for name, field in
             zip(record_schema.arrow_schema("reconcile").names,
                 record_schema.arrow_schema("reconcile"), strict=True)}
    assert (types["claim_id"], types["line_number"], types["billed_amount"], types["counted"],
            types["service_date"], types["modifiers"], types["history"], types["adjustments"],
            types["root_causes"], types["carcs"], types["link"], types["days_left"]) == (
        "string", "int64", "double", "bool", "string", "list<item: string>", "string",
        "string", "list<item: string>", "list<item: string>", "string", "int64")
    remit = record_schema.arrow_schema("remit")
    assert str(remit.field("claim_adjustments").type) == "string"  # records: JSON text
    assert str(record_schema.arrow_schema("scan").field("diagnosis_pointers").type) == (
        "list<item: int64>")
    assert record_schema.arrow_schema("finding").names[:3] == ["code", "name", "severity"]


@pytest.mark.parametrize("kind, args", [
    ("scan", ["scan", "-q", *CLAIMS]),
    ("remit", ["remit", "-q", *REMITS]),
    ("plb", ["remit", "-q", "--plb", *REMITS]),
    ("reconcile", ["reconcile", "-q", "--as-of", "2026-03-15", "--claims", *CLAIMS,
                   "--remits", *REMITS]),
])
def test_command_parquet_has_the_schema_and_the_json_columns_in_order(kind, args, tmp_path):
    target = tmp_path / f"{kind}.parquet"
    run(*args, "--format", "parquet", "-o", str(target))
    table = read(target)
    records = jsonl(run(*args, "--format", "jsonl"))
    assert table.schema.equals(record_schema.arrow_schema(kind))
    assert table.num_rows == len(records) > 0
    assert all(list(r) == table.column_names for r in records)


def test_orphans_parquet_has_the_orphan_schema(tmp_path):
    lines, orphans = tmp_path / "lines.parquet", tmp_path / "orphans.parquet"
    run("reconcile", "-q", "--claims", *CLAIMS, "--remits", *REMITS, "--format", "parquet",
        "-o", str(lines), "--orphans", str(orphans))
    table = read(orphans)
    assert table.schema.equals(record_schema.arrow_schema("orphan"))
    assert table.column("status").to_pylist() == ["orphan"]


def test_findings_fit_the_finding_schema(tmp_path):
    findings = jsonl(run("check", "--format", "jsonl", *CLAIMS, code=1))
    target = tmp_path / "findings.parquet"
    assert write_parquet(findings, str(target), "finding", batch_size=3) == len(findings)
    table = read(target)
    assert table.schema.equals(record_schema.arrow_schema("finding"))
    assert table.to_pylist() == findings


def test_reconcile_history_is_json_text_even_when_the_first_batch_has_none(tmp_path):
    """REPL-0001's original has no 835 (history ``[]``); the first batch of one record used
    to type ``history`` as a list of strings, and every later history became a one-element
    list holding its JSON text."""
    result = reconcile([REPLACED / "837p-replaced-originals.edi",
                        REPLACED / "837p-replaced-replacements.edi"],
                       [REPLACED / "835-replaced-denial.edi", REPLACED / "835-replaced-paid.edi"],
                       as_of=date(2026, 3, 15))
    records = list(result.records)
    assert [len(r["history"]) for r in records] == [0, 1, 1, 1]
    one, whole = tmp_path / "one.parquet", tmp_path / "whole.parquet"
    write_parquet(records, str(one), "reconcile", batch_size=1)
    write_parquet(records[1:] + records[:1], str(whole), "reconcile")
    assert read(one).schema.equals(read(whole).schema)
    history = read(one).column("history").to_pylist()
    assert history[0] == "[]"
    assert [(h["claim_status"], h["denied_amount"], h["carcs"], h["rarcs"])
            for h in json.loads(history[1])] == [("4", 2000, ["CO-16"], ["M119"])]
    expected = jsonl(run("reconcile", "-q", "--as-of", "2026-03-15", "--format", "jsonl",
                         "--claims", str(REPLACED / "837p-replaced-originals.edi"),
                         str(REPLACED / "837p-replaced-replacements.edi"), "--remits",
                         str(REPLACED / "835-replaced-denial.edi"),
                         str(REPLACED / "835-replaced-paid.edi")))
    assert [json.loads(h) for h in history] == [r["history"] for r in expected]
    assert read(one).column("billed_amount").to_pylist() == [2250.0, 2000.0, 2000.0, 2000.0]


def _claim_level_cas(tmp_path: Path) -> Path:
    """835-medicare.x12 with a claim-level CAS (PR-1, $10) on MCR-A-1002, which has SVCs:
    its lines carry it in ``claim_adjustments``; MCR-A-1001's lines before them have none."""
    text = (FIXTURES / "835-medicare.x12").read_text()
    text = text.replace("BPR*I*4258.37*", "BPR*I*4248.37*").replace(
        "CLP*MCR-A-1002*1*2180*1332.8*340*MB*TSTMB26020100102*11*1~",
        "CLP*MCR-A-1002*1*2180*1322.8*350*MB*TSTMB26020100102*11*1~CAS*PR*1*10~")
    path = tmp_path / "835-claim-cas.x12"
    path.write_text(text)
    return path


def test_remit_claim_adjustments_keep_one_type_across_batches(tmp_path):
    remit = _claim_level_cas(tmp_path)
    records = jsonl(run("remit", "--format", "jsonl", str(remit)))
    assert [(r["claim_id"], len(r["claim_adjustments"])) for r in records] == [
        ("MCR-A-1001", 0), ("MCR-A-1001", 0), ("MCR-A-1002", 1), ("MCR-A-1003", 0),
        ("MCR-X-9001", 0), ("MCR-B-2002", 0)]
    small, large = tmp_path / "small.parquet", tmp_path / "large.parquet"
    write_parquet(records, str(small), "remit", batch_size=2)
    write_parquet(records[2:] + records[:2], str(large), "remit")
    assert read(small).schema.equals(read(large).schema)
    column = read(small).column("claim_adjustments").to_pylist()
    assert column[:2] == ["[]", "[]"]
    (cas,) = json.loads(column[2])
    assert (cas["group"], cas["carc"], cas["amount"]) == ("PR", "1", 10)
    assert [json.loads(text) for text in column] == [r["claim_adjustments"] for r in records]


def test_scan_with_no_lines_writes_the_typed_columns(tmp_path):
    target = tmp_path / "none.parquet"
    run("scan", "-q", "--hcpcs", "J9999", CLAIMS[0], "--format", "parquet", "-o", str(target))
    table = read(target)
    assert table.num_rows == 0
    assert table.schema.equals(record_schema.arrow_schema("scan"))


def test_a_scan_batch_of_nulls_is_typed_as_the_batches_with_values(tmp_path):
    """837P lines have no facility type or revenue code, 837I lines no diagnosis pointers:
    whichever comes first, the file's types are the same."""
    records = jsonl(run("scan", "-q", "--format", "jsonl", *CLAIMS))
    professional = [r for r in records if r["transaction_type"] == "837P"]
    institutional = [r for r in records if r["transaction_type"] == "837I"]
    assert {(r["facility_type"], r["revenue_code"]) for r in professional} == {(None, None)}
    assert {tuple(r["diagnosis_pointers"]) for r in institutional} == {()}
    assert {r["facility_type"] for r in institutional} == {"13"}
    first, second = tmp_path / "837p-first.parquet", tmp_path / "837i-first.parquet"
    write_parquet(professional + institutional, str(first), "scan", batch_size=len(professional))
    write_parquet(institutional + professional, str(second), "scan",
                  batch_size=len(institutional))
    assert read(first).schema.equals(read(second).schema)
    assert read(first).schema.equals(record_schema.arrow_schema("scan"))
    assert read(first).to_pylist() == professional + institutional
    assert read(second).column("diagnosis_pointers").to_pylist()[len(institutional)] == [1, 2]


def test_a_field_outside_the_schema_or_a_value_that_does_not_fit_is_one_error(tmp_path):
    record = jsonl(run("scan", "-q", "--format", "jsonl", CLAIMS[0]))[0]
    with pytest.raises(RuntimeError, match="^record 2 has fields the scan schema of schemas/ "
                                           "does not describe: surprise$"):
        write_parquet([record, {**record, "surprise": 1}], str(tmp_path / "x.parquet"), "scan")
    member = record["member_id"]
    with pytest.raises(RuntimeError, match=r"^field line_number of record 1\.\.2 is not int64") \
            as raised:
        write_parquet([record, {**record, "line_number": member}], str(tmp_path / "y.parquet"),
                      "scan")
    assert member not in str(raised.value)  # PHI never in a message
    with pytest.raises(RuntimeError, match="^record 1 fits no record schema of schemas/$"):
        write_parquet([{"claim": 1}], str(tmp_path / "z.parquet"))
    assert list(tmp_path.iterdir()) == []  # no half file


def test_kind_is_found_from_the_first_record_when_not_given(tmp_path):
    records = jsonl(run("remit", "-q", "--plb", "--format", "jsonl", *REMITS))
    assert record_schema.kind_of(records[0]) == "plb"
    target = tmp_path / "plb.parquet"
    assert write_parquet(records, str(target)) == len(records)
    assert read(target).schema.equals(record_schema.arrow_schema("plb"))
