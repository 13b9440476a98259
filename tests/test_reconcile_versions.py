"""A claim counts once: an original and its replacement (CLM05-3 7, REF*F8) on file together,
on real X12 text (fixtures/reconcile/*-replaced-*.x12, written by make_cases.py case 8).

REPL-0001: original 450 units / $2,250, no 835 on file; replacement 400 units / $2,000 paid
$1,600 (CO-45 400). REPL-0002: original $2,000 denied CO-16 M119 (PCNREPL3); its replacement
(REF*F8 PCNREPL3) $2,000 paid $1,500 (CO-45 500). Same payer (TSTMB01) and practice.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner
from lxml import html

from edi_j0256.cli import cli
from edi_j0256.reconcile import reconcile
from edi_j0256.report import ReportFilter, render_report, report_data

AS_OF = date(2026, 3, 15)
CLAIMS = ("837p-replaced-originals.edi", "837p-replaced-replacements.edi")
REMITS = ("835-replaced-denial.edi", "835-replaced-paid.edi")
REPLACED = "replaced by a later version of the claim: follow that one"


@pytest.fixture(scope="module")
def folder(fixtures_dir):
    return fixtures_dir / "reconcile"


@pytest.fixture(scope="module")
def result(folder):
    return reconcile([folder / c for c in CLAIMS], [folder / r for r in REMITS], as_of=AS_OF)


def version(result, claim_id: str, frequency: str) -> tuple[dict, bool]:
    (found,) = [(r, c) for r, c in zip(result.records, result.counted, strict=True)
                if r["claim_id"] == claim_id and r["frequency_code"] == frequency]
    return found


def test_each_claim_counts_once_as_its_adjudicated_replacement(result):
    total = result.totals["total"]
    # by hand: the two replacements, $2,000 each, paid $1,600 + $1,500; nothing denied is
    # still open (REPL-0002's denial was corrected by its replacement). Counting every line
    # would say billed $8,250, denied $2,000, recoverable $2,000.
    assert (total["lines"], total["billed"], total["paid"], total["denied"],
            total["recoverable"], total["recoverable_likely"]) == (
        2, Decimal(4000), Decimal(3100), Decimal(0), Decimal(0), Decimal(0))
    assert list(result.totals["by_payer"]) == ["TSTMB01"]
    assert result.totals["by_payer"]["TSTMB01"] == total
    assert list(result.totals["by_root_cause"]) == ["none"]
    assert result.totals["by_root_cause"]["none"] == total
    assert result.counted == (False, False, True, True)  # originals first (load order)


def test_each_record_says_whether_the_totals_count_it(result):
    assert [(r["claim_id"], r["frequency_code"], r["counted"]) for r in result.records] == [
        ("REPL-0001", "1", False), ("REPL-0002", "1", False),
        ("REPL-0001", "7", True), ("REPL-0002", "7", True)]
    assert tuple(r["counted"] for r in result.records) == result.counted


def _reconcile_output(folder, fmt: str, remits=REMITS) -> str:
    done = CliRunner().invoke(cli, ["reconcile", "--claims", *[str(folder / c) for c in CLAIMS],
                                    "--remits", *[str(folder / r) for r in remits],
                                    "--as-of", "2026-03-15", "--format", fmt, "-q"])
    assert done.exit_code == 0, done.output
    return done.stdout


def test_jsonl_carries_counted_so_a_sum_matches_the_totals(folder):
    records = [json.loads(line) for line in _reconcile_output(folder, "jsonl").splitlines()]
    assert [(r["claim_id"], r["frequency_code"], r["counted"]) for r in records] == [
        ("REPL-0001", "1", False), ("REPL-0002", "1", False),
        ("REPL-0001", "7", True), ("REPL-0002", "7", True)]
    assert sum(r["billed_amount"] for r in records) == 8250  # every version: too much
    assert sum(r["billed_amount"] for r in records if r["counted"]) == 4000  # the totals


def test_csv_has_a_counted_column_beside_the_claim_versions(folder):
    rows = list(csv.reader(io.StringIO(_reconcile_output(folder, "csv"))))
    header = rows[0]
    at = header.index("counted")
    assert header[at - 2:at + 1] == ["frequency_code", "original_reference", "counted"]
    assert [(row[header.index("claim_id")], row[at - 1], row[at]) for row in rows[1:]] == [
        ("REPL-0001", "", "False"), ("REPL-0002", "", "False"),
        ("REPL-0001", "PCNREPL1", "True"), ("REPL-0002", "PCNREPL3", "True")]
    billed = header.index("billed_amount")
    assert sum(Decimal(row[billed]) for row in rows[1:] if row[at] == "True") == 4000


def test_parquet_has_counted_and_the_history_of_unmatched_lines_too(folder, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    target = tmp_path / "recon.parquet"
    done = CliRunner().invoke(cli, ["reconcile", "--claims", *[str(folder / c) for c in CLAIMS],
                                    "--remits", *[str(folder / r) for r in REMITS], "-q",
                                    "--as-of", "2026-03-15", "--format", "parquet",
                                    "-o", str(target)])
    assert done.exit_code == 0, done.output  # was a traceback: [] beside JSON text
    table = pq.read_table(target)
    assert table.column("counted").to_pylist() == [False, False, True, True]
    records = [json.loads(line) for line in _reconcile_output(folder, "jsonl").splitlines()]
    assert table.column("history").to_pylist()[0] == "[]"  # REPL-0001's original: no 835
    assert [json.loads(text) for text in table.column("history").to_pylist()] == [
        r["history"] for r in records]
    assert [json.loads(text) for text in table.column("adjustments").to_pylist()] == [
        r["adjustments"] for r in records]


def test_before_the_replacement_is_adjudicated_counted_follows_the_denied_original(folder):
    records = [json.loads(line) for line in
               _reconcile_output(folder, "jsonl", REMITS[:1]).splitlines()]
    assert [(r["claim_id"], r["frequency_code"], r["status"], r["counted"]) for r in records] == [
        ("REPL-0001", "1", "unmatched", False), ("REPL-0002", "1", "denied", True),
        ("REPL-0001", "7", "unmatched", True), ("REPL-0002", "7", "unmatched", False)]


def test_replaced_original_keeps_its_history_but_not_its_denial(result):
    original, counted = version(result, "REPL-0002", "1")
    assert not counted
    assert (original["status"], original["billed_amount"], original["payer_claim_control"]) == (
        "denied", Decimal(2000), "PCNREPL3")
    assert [(h["claim_status"], h["denied_amount"], h["carcs"], h["rarcs"])
            for h in original["history"]] == [("4", Decimal(2000), ["CO-16"], ["M119"])]
    assert (original["denied_amount"], original["recoverable_amount"], original["recovery"],
            original["recovery_reason"], original["root_causes"]) == (
        Decimal(0), Decimal(0), "none", REPLACED, [])
    replacement, counted = version(result, "REPL-0002", "7")
    assert counted and replacement["original_reference"] == "PCNREPL3"
    assert (replacement["status"], replacement["paid_amount"], replacement["link"]) == (
        "paid", Decimal(1500), "line_control")


def test_original_without_an_835_is_replaced_by_the_same_claim_of_the_same_parties(result):
    # REF*F8 PCNREPL1 names no 835 on file: same CLM01, practice, payer and member
    original, counted = version(result, "REPL-0001", "1")
    assert not counted
    assert (original["status"], original["billed_amount"], original["history"],
            original["recovery_reason"]) == ("unmatched", Decimal(2250), [], REPLACED)
    replacement, counted = version(result, "REPL-0001", "7")
    assert counted and (replacement["status"], replacement["paid_amount"]) == (
        "paid", Decimal(1600))


def test_before_the_replacement_is_adjudicated_the_denied_original_counts(folder):
    result = reconcile([folder / c for c in CLAIMS], [folder / "835-replaced-denial.edi"],
                       as_of=AS_OF)
    # REPL-0001: no version adjudicated, the latest on file counts (the $2,000 replacement);
    # REPL-0002: the denied original is the latest version its payer adjudicated
    assert result.counted == (False, True, True, False)
    total = result.totals["total"]
    assert (total["lines"], total["billed"], total["paid"], total["denied"],
            total["recoverable_likely"]) == (
        2, Decimal(4000), Decimal(0), Decimal(2000), Decimal(2000))
    original, _ = version(result, "REPL-0002", "1")
    assert (original["status"], original["recovery"], original["root_causes"]) == (
        "denied", "likely", ["ndc"])
    pending, _ = version(result, "REPL-0002", "7")
    assert (pending["status"], pending["recovery_reason"]) == ("unmatched", "no adjudication yet")
    data = report_data(*result, as_of=AS_OF)
    assert [(w.claim_id, w.denied) for w in data.worklist] == [("REPL-0002", Decimal(2000))]


def test_replacement_of_another_member_is_not_chained(folder, tmp_path):
    text = (folder / "837p-replaced-replacements.edi").read_text()
    other = tmp_path / "other-member.x12"
    other.write_text(text.replace("MI*9TA0RC00011", "MI*9TA0RC00019"))
    result = reconcile([folder / CLAIMS[0], other], as_of=AS_OF)
    # REPL-0002 still chains (its original and replacement); REPL-0001 are two patients' claims
    assert result.counted == (True, False, True, True)
    assert result.totals["total"]["billed"] == Decimal(2250 + 2000 + 2000)


def test_report_counts_the_same_claims(result):
    data = report_data(*result, as_of=AS_OF)
    assert (data.headline.lines, data.headline.billed, data.headline.paid,
            data.headline.denied, data.headline.open_denials) == (
        2, Decimal(4000), Decimal(3100), Decimal(0), 0)
    assert data.worklist == ()
    (score,) = data.payers
    assert (score.lines, score.billed, score.paid, score.denied) == (
        2, Decimal(4000), Decimal(3100), Decimal(0))
    assert [(c.claim_id, c.frequency_code, c.status, c.counted) for c in data.corrections] == [
        ("REPL-0001", "1", "unmatched", False), ("REPL-0002", "1", "denied", False),
        ("REPL-0001", "7", "paid", True), ("REPL-0002", "7", "paid", True)]
    from_records = report_data(result.records, result.orphans, result.totals, result.plb,
                               as_of=AS_OF)  # no counted given: the records' own field
    assert (from_records.corrections, from_records.payers) == (data.corrections, data.payers)
    narrowed = report_data(*result, as_of=AS_OF, report_filter=ReportFilter(payers=("TSTMB01",)))
    assert narrowed.headline.billed == Decimal(4000) and narrowed.headline.lines == 2
    page = html.fromstring(render_report(*result, as_of=AS_OF))
    headings = page.xpath("//section[@id='corrections']/h3/text()")
    assert headings[1] == ("Claim REPL-0002 (original) line 1: denied, net paid $0.00; left out "
                           "of the totals: another version of the claim counts")


def test_cli_totals_and_report_count_once(folder, tmp_path):
    db, target = tmp_path / "j.db", tmp_path / "report.html"
    runner = CliRunner()
    loaded = runner.invoke(cli, ["reconcile", "--db", str(db),
                                 "--claims", *[str(folder / c) for c in CLAIMS],
                                 "--remits", *[str(folder / r) for r in REMITS],
                                 "--as-of", "2026-03-15", "-o", str(tmp_path / "out.jsonl"),
                                 "--report", str(tmp_path / "same-run.html")])
    assert loaded.exit_code == 0, loaded.output
    summary = next(line for line in loaded.stderr.splitlines() if line.startswith("all lines"))
    assert summary.split()[2:] == ["2", "4,000.00", "3,100.00", "0.00", "0.00"]
    written = runner.invoke(cli, ["report", "--db", str(db), "-o", str(target),
                                  "--as-of", "2026-03-15"])
    assert written.exit_code == 0, written.output
    for page in (target, tmp_path / "same-run.html"):
        cards = {card.get("data-card"): card.findtext("b")
                 for card in html.fromstring(page.read_bytes()).xpath("//div[@data-card]")}
        assert (cards["J0256 lines"], cards["billed"], cards["paid"], cards["denied"]) == (
            "2", "$4,000.00", "$3,100.00", "$0.00")


def test_remits_loaded_weeks_later_count_the_same(folder, tmp_path):
    db = tmp_path / "j.db"
    reconcile([folder / c for c in CLAIMS], db=db, as_of=AS_OF)
    reconcile(remit_paths=[folder / REMITS[0]], db=db, as_of=AS_OF)
    later = reconcile(remit_paths=[folder / REMITS[1]], db=db, as_of=AS_OF)
    at_once = reconcile([folder / c for c in CLAIMS], [folder / r for r in REMITS],
                        as_of=AS_OF)
    assert (later.records, later.counted, later.totals) == (
        at_once.records, at_once.counted, at_once.totals)
