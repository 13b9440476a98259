"""The denial report: real reconciliations of the fixtures, read back as HTML or as report data.

Expected values were worked out by hand from the fixtures (fixtures/README.md catalogues every
claim and line): payment dates 2026-02-20 (835-medicare), 02-24 (835-commercial), 02-26
(835-outpatient), 02-27 (835-billing-errors) and 03-10 (835-medicare-correction).
"""

from __future__ import annotations

import copy
import re
from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner
from lxml import etree, html

from edi_j0256.cli import cli
from edi_j0256.reconcile import reconcile
from edi_j0256.reconcile.engine import totals as reconcile_totals
from edi_j0256.report import ReportFilter, render_report, report_data

CLAIMS = ["837p-medicare.x12", "837p-commercial.x12", "837i-outpatient.x12",
          "837p-billing-errors.x12"]
REMITS = ["835-medicare.x12", "835-medicare-correction.x12", "835-commercial.x12",
          "835-outpatient.x12", "835-billing-errors.x12"]
AS_OF = date(2026, 3, 25)


@pytest.fixture(scope="module")
def result(fixtures_dir):
    return reconcile([fixtures_dir / c for c in CLAIMS], [fixtures_dir / r for r in REMITS],
                     as_of=AS_OF)


@pytest.fixture(scope="module")
def page(result):
    return html.fromstring(render_report(*result, as_of=AS_OF))


def _money(text: str) -> Decimal:
    return Decimal(text.replace("$", "").replace(",", ""))


def _cards(page) -> dict[str, str]:
    return {card.get("data-card"): card.findtext("b") for card in page.xpath("//div[@data-card]")}


def _rows(page, table_id: str) -> list[list[str]]:
    return [[td.text_content().strip() for td in tr.xpath("td")]
            for tr in page.xpath(f"//table[@id='{table_id}']/tbody/tr")]


def _headers(page, table_id: str) -> list[str]:
    return [th.text_content() for th in page.xpath(f"//table[@id='{table_id}']/thead/tr/th")]


def test_headline_agrees_to_the_cent_with_reconciles_own_summary(fixtures_dir, tmp_path):
    """`reconcile` prints its totals on stderr; the report of the same store shows the same."""
    db, target = tmp_path / "j.db", tmp_path / "report.html"
    runner = CliRunner()
    loaded = runner.invoke(cli, ["reconcile", "--db", str(db),
                                 "--claims", *[str(fixtures_dir / c) for c in CLAIMS],
                                 "--remits", *[str(fixtures_dir / r) for r in REMITS],
                                 "--as-of", "2026-03-25",
                                 "--format", "jsonl", "-o", str(tmp_path / "out.jsonl")])
    assert loaded.exit_code == 0, loaded.output
    summary = next(line for line in loaded.stderr.splitlines() if line.startswith("all lines"))
    lines, billed, paid, denied, _ = summary.split()[2:]
    recovery = next(line for line in loaded.stderr.splitlines()
                    if line.startswith("recoverable: likely"))
    likely, possible = re.findall(r"(?:likely|possible) ([\d,.]+)", recovery)
    written = runner.invoke(cli, ["report", "--db", str(db), "-o", str(target),
                                  "--as-of", "2026-03-25"])
    assert written.exit_code == 0, written.output
    cards = _cards(html.fromstring(target.read_bytes()))
    assert cards["J0256 lines"] == lines == "36"
    assert _money(cards["billed"]) == Decimal(billed.replace(",", "")) == Decimal("71625.00")
    assert _money(cards["paid"]) == Decimal(paid.replace(",", "")) == Decimal("22076.67")
    assert _money(cards["denied"]) == Decimal(denied.replace(",", "")) == Decimal("37576.00")
    # likely (correctable coding errors, a finding predicted them): ERR-6001, 6002, 6003,
    # 6005 x2, 6006, 6008, 6009 at $2,000 + ERR-6004-2 $250 + ERR-6007-2 $1,500 + OP-E-5002
    # $406 = $18,156; possible (needs records): MCR-A-1002 2,000 + MCR-B-2002 200 + COM-D-3001-2
    # 220 + COM-C-4001-5/-7 2 x 2,400 + COM-C-4002 3,000 + OP-E-5003 3,200 + ERR-6010 2,000 +
    # ERR-6012 2,000 = $17,420; the rest of the $37,576 denied is MCR-A-1003's PR-27 $2,000
    assert _money(cards["recoverable: likely"]) == Decimal(likely.replace(",", "")) == Decimal(
        "18156.00")
    assert _money(cards["recoverable: possible"]) == Decimal(possible.replace(",", "")) == (
        Decimal("17420.00"))
    assert cards["open denials"] == "21"


def test_root_cause_table_is_reconciles_totals_by_root_cause(result, page):
    rows = {r[0]: r for r in _rows(page, "root-causes")}
    expected = result.totals["by_root_cause"]
    assert set(rows) == set(expected)
    for name, bucket in expected.items():
        assert int(rows[name][1]) == bucket["lines"]
        assert _money(rows[name][2]) == bucket["billed"]
        assert _money(rows[name][4]) == bucket["denied"]
    assert _money(rows["modifiers"][4]) == Decimal("6250")
    assert "JW" in rows["modifiers"][7]  # what to do, from data/root_causes.csv


def test_covered_files_and_date_ranges(page):
    assert page.get_element_by_id("covered").text_content() == (
        "As of 2026-03-25 · 4 claim file(s), 5 remittance file(s) · services 2026-01-05 to "
        "2026-01-27 · payments 2026-02-20 to 2026-03-10")


def test_worklist_holds_every_open_denied_or_reduced_line(result, page):
    rows = _rows(page, "worklist")
    header = _headers(page, "worklist")
    claim, line = header.index("Claim"), header.index("Line")
    expected = {(r["claim_id"], str(r["line_number"])) for r in result.records
                if r["status"] in ("denied", "partial") and r["denied_amount"] > 0}
    assert {(r[claim], r[line]) for r in rows} == expected
    assert len(rows) == 21
    # sorted by appeal deadline, then recoverable dollars: Medicare 2026-02-20 remits (deadline
    # 02-20 + 5 + 120 = 06-25, 92 days left as of 03-25) first, MCR-B-2002's $200 possible
    # before MCR-A-1003's PR-27 (patient responsibility: nothing recoverable); ERR-6008 (MA130:
    # resubmit, no appeal) has no deadline and comes last
    first, second, last = (dict(zip(header, r, strict=True)) for r in (rows[0], rows[1], rows[-1]))
    assert (first["Claim"], first["CARC"], first["RARC"], first["Group"], first["Days left"],
            first["Recovery"]) == ("MCR-B-2002", "CO-151", "N362", "CO", "92", "possible")
    assert (second["Claim"], second["CARC"], second["Days left"], second["Recovery"]) == (
        "MCR-A-1003", "PR-27", "92", "none")
    assert (last["Claim"], last["Days left"], last["Recovery"]) == ("ERR-6008", "—", "likely")
    assert [r[header.index("Days left")] for r in rows] == (
        ["92"] * 2 + ["98"] + ["99"] * 9 + ["110"] + ["151"] * 4 + ["153"] + ["154"] * 2 + ["—"])
    carc = page.xpath("//table[@id='worklist']/tbody/tr[18]//abbr[.='CO-252']")[0]
    assert carc.get("title").startswith("An attachment/other documentation is required")
    predicted = {(r[claim], r[header.index("Predicted by")]) for r in rows}
    assert ("ERR-6001", "JM001") in predicted and ("ERR-6003", "JN003") in predicted


def test_recovery_assessment_fills_headline_and_orders_the_worklist(result):
    data = report_data(*result, as_of=AS_OF)
    # the reconciliation's own assessment: likely $18,156, possible $17,420 (see the headline
    # test for the lines), the same as reconcile's totals
    assert data.recovery_assessed
    assert data.headline.recoverable_likely == result.totals["total"]["recoverable_likely"] == (
        Decimal("18156.00"))
    assert data.headline.recoverable_possible == result.totals["total"][
        "recoverable_possible"] == Decimal("17420.00")
    known = [r.appeal_deadline for r in data.worklist if r.appeal_deadline]
    assert known == sorted(known) and len(known) == 20
    commercial = [r for r in data.worklist if r.appeal_deadline == date(2026, 8, 23)]
    assert [(r.claim_id, r.line_number, r.recoverable) for r in commercial] == [
        ("COM-C-4002", 1, 3000), ("COM-C-4001", 5, 2400), ("COM-C-4001", 7, 2400),
        ("COM-D-3001", 2, 220)]  # 835-commercial paid 02-24, 180 days from receipt 02-24 + 5
    pr27 = next(r for r in data.worklist if r.claim_id == "MCR-A-1003")
    assert (pr27.recovery, pr27.recoverable, pr27.recovery_reason) == (
        "none", 0, "patient responsibility")
    later = report_data(*result, as_of=date(2026, 4, 24))  # days left counted from --as-of
    assert next(r for r in later.worklist if r.claim_id == "MCR-A-1003").days_left == 62
    by_cause = {m.name: m for m in data.by_root_cause}
    assert (by_cause["modifiers"].recoverable_likely, by_cause["modifiers"].
            recoverable_possible) == (Decimal("6250"), 0)
    assert (by_cause["documentation"].recoverable_likely,
            by_cause["documentation"].recoverable_possible) == (0, Decimal("5200"))
    assert by_cause["eligibility"].recoverable_likely == by_cause[
        "eligibility"].recoverable_possible == 0  # PR-27: the patient's


def test_records_without_an_assessment_show_unknown_never_denied(result):
    records = copy.deepcopy(result.records)
    for record in records:
        for key in ("recovery", "recovery_reason", "appeal_deadline", "days_left"):
            record.pop(key)
    page = html.fromstring(render_report(records, result.orphans, result.totals, as_of=AS_OF))
    cards = _cards(page)
    assert cards["recoverable: likely"] == cards["recoverable: possible"] == "—"
    assert _money(cards["denied"]) == Decimal("37576.00")


def test_aging_counts_open_denials_by_days_since_the_remittance(result):
    data = report_data(*result, as_of=AS_OF)
    aging = {b.label: (b.lines, b.denied) for b in data.aging}
    # paid 2026-02-20 (33 days): MCR-A-1003 $2,000 and MCR-B-2002 $200; the rest 15-29 days
    assert aging == {"0-30": (19, Decimal("35376")), "31-60": (2, Decimal("2200")),
                     "61-90": (0, 0), "91-120": (0, 0), ">120": (0, 0)}
    later = {b.label: b.lines for b in report_data(*result, as_of=date(2026, 7, 1)).aging}
    # as of 2026-07-01 only the correction paid 2026-03-10 (113 days) is under 121 days
    assert later == {"0-30": 0, "31-60": 0, "61-90": 0, "91-120": 1, ">120": 20}


def test_trend_is_weekly_for_a_short_range_with_empty_weeks_kept(result):
    data = report_data(*result, as_of=AS_OF)
    assert data.trend_unit == "week"
    assert [(p.label, p.lines, p.denied) for p in data.trend] == [
        ("2026-02-16", 2, Decimal("2200")), ("2026-02-23", 18, Decimal("33376")),
        ("2026-03-02", 0, Decimal(0)), ("2026-03-09", 1, Decimal("2000"))]


def test_trend_is_monthly_for_a_long_range(result):
    records = copy.deepcopy(result.records)
    for record in records:
        if record["claim_id"] == "MCR-A-1003":
            record["payment_date"] = date(2026, 6, 2)  # 102 days after the first payment
    data = report_data(records, result.orphans, reconcile_totals(records), as_of=AS_OF)
    assert data.trend_unit == "month"
    assert [(p.label, p.lines, p.denied) for p in data.trend] == [
        ("2026-02", 19, Decimal("33576")), ("2026-03", 1, Decimal("2000")),
        ("2026-04", 0, 0), ("2026-05", 0, 0), ("2026-06", 1, Decimal("2000"))]


def test_payer_scorecard(result, page):
    data = report_data(*result, as_of=AS_OF)
    blue = next(p for p in data.payers if p.payer_id == "TSTBL01")
    assert (blue.lines, blue.denied_lines, blue.billed, blue.paid, blue.denied) == (
        3, 1, Decimal("5475"), Decimal("1525"), Decimal("3000"))
    assert blue.median_days_to_payment == 41  # 01-14 -> 02-24 twice, 01-09 -> 02-24
    assert [(c.code, c.lines, c.amount) for c in blue.top_carcs] == [("CO-204", 1, 3000)]
    assert blue.top_carcs[0].text.startswith("This service/equipment/drug is not covered")
    medicare_b = next(p for p in data.payers if p.payer_id == "TSTMB01")
    assert len(medicare_b.top_carcs) == 3
    assert [c.code for c in medicare_b.top_carcs][:2] == ["CO-16", "CO-4"]
    row = next(r for r in _rows(page, "scorecard") if r[0].startswith("TSTBL01"))
    assert row[1:5] == ["3", "1", "33%", "55%"]  # 1 of 3 lines; $3,000 of $5,475


def test_reversal_and_correction_history(result, page):
    data = report_data(*result, as_of=AS_OF)
    assert [(c.claim_id, c.status) for c in data.corrections] == [("MCR-A-1002", "denied")]
    history = data.corrections[0].history
    assert [(h.payment_date, h.claim_status, h.paid) for h in history] == [
        (date(2026, 2, 20), "1", Decimal("1254.40")), (date(2026, 3, 10), "22",
                                                       Decimal("-1254.40")),
        (date(2026, 3, 10), "1", Decimal("0"))]  # re-adjudicated: CO-50, nothing paid
    assert history[1].claim_status_text == "reversal of previous payment"
    section = page.get_element_by_id("corrections")
    assert section.xpath(".//tbody/tr[2]/td[2]/abbr/@title") == ["reversal of previous payment"]


def test_orphans_and_provider_adjustments(result, page):
    assert _rows(page, "orphans") == [[
        "MCR-X-9001", "MCRX9001-01", "J0256", "2026-01-09", "2026-02-20", "TSTMB01",
        "$2,000.00", "$1,254.40", "$0.00", "CO-45, CO-253, PR-2",
        f"{result.orphans[0]['file']}:59"]]
    assert result.orphans[0]["file"].endswith("835-medicare.x12")
    # the library call carries the PLB rows of its 835s, as the commands do
    medicare, correction = (result.orphans[0]["file"],
                            result.orphans[0]["file"].replace(".x12", "-correction.x12"))
    assert page.xpath("//section[@id='plb']//tbody/tr/td/text()") == [
        "2026-02-20", "TSTCHK0001", "TSTMB01", "1999000015", "L6", "INTEREST", "-$1.25",
        f"{medicare}:65", "2026-03-10", "TSTCHK0003", "TSTMB01", "1999000015", "FB",
        "TSTMB26020100102", "-$1,254.40", f"{correction}:39"]
    without = html.fromstring(render_report(*result[:3], as_of=AS_OF))
    assert "not carried by this reconciliation" in without.get_element_by_id("plb").text_content()
    plb = [{"payer_id": "TSTMB01", "provider_id": "1234567893", "reason": "WO",
            "reference": "PCN123", "amount": Decimal("150.00"), "trace_number": "TSTCHK0002",
            "check_date": date(2026, 3, 10), "file": "era.835", "line": 40}]
    with_plb = html.fromstring(render_report(*result[:3], plb, as_of=AS_OF))
    assert with_plb.xpath("//section[@id='plb']//tbody/tr/td/text()") == [
        "2026-03-10", "TSTCHK0002", "TSTMB01", "1234567893", "WO", "PCN123", "$150.00",
        "era.835:40"]


def test_member_ids_left_out_unless_asked(result):
    members = {r["member_id"] for r in result.records if r["member_id"]}
    plain = render_report(*result, as_of=AS_OF).decode()
    assert members and not any(m in plain for m in members)
    shown = html.fromstring(render_report(*result, as_of=AS_OF, show_member_ids=True))
    assert "Member ID" in _headers(shown, "worklist")
    column = _headers(shown, "worklist").index("Member ID")
    values = {r[column] for r in _rows(shown, "worklist")}
    assert values and values <= members


def test_payer_and_payment_date_filters_narrow_lines_and_totals(result):
    data = report_data(*result, as_of=AS_OF, report_filter=ReportFilter(payers=("tstbl01",)))
    kept = [r for r in result.records if r["payer_id"] == "TSTBL01"]
    assert data.headline.lines == 3
    assert data.headline.denied == reconcile_totals(kept)["total"]["denied"] == 3000
    assert {r.payer_id for r in data.worklist} == {"TSTBL01"}
    assert data.filters == ("payer tstbl01",)
    march = report_data(*result, as_of=AS_OF, report_filter=ReportFilter(
        date(2026, 3, 1), date(2026, 3, 31)))
    assert (march.headline.lines, march.headline.denied) == (1, Decimal("2000"))
    assert [r.claim_id for r in march.worklist] == ["MCR-A-1002"]
    assert march.orphans == ()


def test_page_is_self_contained_and_its_charts_have_marks(page, result):
    raw = render_report(*result, as_of=AS_OF)
    assert len(raw) < 3_000_000
    assert not page.xpath("//link | //img | //iframe | //script[@src] | //*[@href]")
    assert not re.search(rb"(?i)(?:src|href)\s*=\s*[\"']?(?:https?:|//)", raw)
    assert b"@import" not in raw
    assert all(ref.startswith(b"#") for ref in re.findall(rb"url\(\s*([^)]*)\)", raw))
    charts = {f.get("data-chart"): f for f in page.xpath("//figure[@class='chart']")}
    assert list(charts) == ["root-cause", "payer", "trend", "aging"]
    for figure in charts.values():
        svg = figure.xpath("./*[local-name()='svg']")
        assert len(svg) == 1
        assert len(svg[0].xpath(".//*[local-name()='path']")) > 5
    trend_labels = " ".join(charts["trend"].xpath(".//*[local-name()='text']//text()"))
    assert "$2,200" in trend_labels and "payment week" in trend_labels
    aging_labels = " ".join(charts["aging"].xpath(".//*[local-name()='text']//text()"))
    assert ">120" in aging_labels and "days since the remittance" in aging_labels
    assert "@media print" in page.xpath("string(//style)")


def test_control_characters_in_any_value_never_break_the_page(result):
    records = copy.deepcopy(result.records)
    nasty = "A\x00B\x1b[2J\x0bC\ud800"
    for record in records:
        record["claim_id"] = nasty + "<script>alert(1)</script>"
        record["payer_name"] = nasty
        record["payer_id"] = "P\x1b1"
        record["action"] = nasty
        record["root_causes"] = [*record["root_causes"], "x\x00"]
    orphans = copy.deepcopy(result.orphans)
    orphans[0]["claim_id"] = nasty
    raw = render_report(records, orphans, reconcile_totals(records), as_of=AS_OF)
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", raw)
    assert b"<script>alert" not in raw
    page = html.fromstring(raw)
    assert len(page.xpath("//script")) == 1
    assert "A\\x00B\\x1b[2J\\x0bC\ufffd<script>" in page.xpath("string(//table[@id='worklist'])")
    etree.tostring(page)  # still a well-formed tree


def test_a_long_worklist_is_cut_on_the_page_and_says_so(result, monkeypatch):
    from edi_j0256.report import page as page_module

    monkeypatch.setattr(page_module, "WORKLIST_SHOWN", 5)
    cut = html.fromstring(render_report(*result, as_of=AS_OF))
    assert len(_rows(cut, "worklist")) == 5
    assert cut.xpath("string(//h2[starts-with(., 'Worklist')])") == (
        "Worklist: 21 open denied or reduced lines")
    assert cut.xpath("string(//p[contains(@class, 'more')])").startswith(
        "Showing the first 5 of 21 lines")
    assert _cards(cut)["open denials"] == "21"


def test_empty_store_still_gives_a_page(tmp_path):
    raw = render_report([], [], reconcile_totals([]), as_of=AS_OF)
    page = html.fromstring(raw)
    assert _cards(page)["J0256 lines"] == "0"
    assert len(page.xpath("//figure[@class='chart']/p")) == 4  # "nothing to chart"


def test_report_cli_errors_are_one_line_with_exit_2(fixtures_dir, tmp_path):
    runner = CliRunner()
    missing = runner.invoke(cli, ["report", "--db", str(tmp_path / "none.db"),
                                  "-o", str(tmp_path / "r.html")])
    assert missing.exit_code == 2
    assert missing.stderr.strip().splitlines() == [
        f"Error: {tmp_path / 'none.db'}: no such store (fill one with `reconcile --db "
        f"{tmp_path / 'none.db'}`)"]
    not_a_store = runner.invoke(cli, ["report", "--db", str(fixtures_dir / REMITS[0]),
                                      "-o", str(tmp_path / "r.html")])
    assert not_a_store.exit_code == 2
    assert "not a usable SQLite database" in not_a_store.stderr
    assert len(not_a_store.stderr.strip().splitlines()) == 1
    db = tmp_path / "j.db"
    runner.invoke(cli, ["reconcile", "--db", str(db), "--claims", str(fixtures_dir / CLAIMS[0]),
                        "-q", "-o", str(tmp_path / "o.jsonl")])
    folder = tmp_path / "out"
    folder.mkdir()
    unwritable = runner.invoke(cli, ["report", "--db", str(db), "-o", str(folder)])
    assert unwritable.exit_code == 2
    assert unwritable.stderr.startswith(f"Error: cannot write {folder}: ")
    assert len(unwritable.stderr.strip().splitlines()) == 1
    assert list(tmp_path.glob(".*.part")) == []  # no temporary file is left
    backwards = runner.invoke(cli, ["report", "--db", str(db), "-o", str(tmp_path / "r.html"),
                                    "--from", "2026-03-01", "--to", "2026-02-01"])
    assert backwards.exit_code == 2 and "is after --to" in backwards.stderr


def test_report_replaces_the_old_page_atomically(fixtures_dir, tmp_path):
    db, target = tmp_path / "j.db", tmp_path / "r.html"
    runner = CliRunner()
    runner.invoke(cli, ["reconcile", "--db", str(db),
                        "--claims", *[str(fixtures_dir / c) for c in CLAIMS],
                        "--remits", *[str(fixtures_dir / r) for r in REMITS],
                        "-q", "-o", str(tmp_path / "o.jsonl")])
    target.write_text("old page")
    outcome = runner.invoke(cli, ["report", "--db", str(db), "-o", str(target),
                                  "--payer", "TSTBL01", "--as-of", "2026-03-25", "-q"])
    assert outcome.exit_code == 0, outcome.output
    assert outcome.stderr == ""
    page = html.fromstring(target.read_bytes())
    assert _cards(page)["J0256 lines"] == "3"
    assert "filtered: payer TSTBL01" in page.get_element_by_id("covered").text_content()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["j.db", "o.jsonl", "r.html"]


def test_reconcile_cli_still_writes_the_report(fixtures_dir, tmp_path):
    target = tmp_path / "denials.html"
    args = ["reconcile", "--claims", *[str(fixtures_dir / c) for c in CLAIMS],
            "--remits", *[str(fixtures_dir / r) for r in REMITS], "--format", "jsonl",
            "-o", str(tmp_path / "out.jsonl"), "--report", str(target), "-q"]
    outcome = CliRunner().invoke(cli, args)
    assert outcome.exit_code == 0, outcome.output
    page = html.fromstring(target.read_bytes())
    assert _money(_cards(page)["denied"]) == Decimal("37576")
    causes = [r[0] for r in _rows(page, "root-causes")]
    assert "modifiers" in causes and "units" in causes


def test_the_command_line_loads_matplotlib_only_to_draw_a_page(repo_root):
    import subprocess
    import sys

    probe = subprocess.run(
        [sys.executable, "-c", "import sys, edi_j0256.cli; print('matplotlib' in sys.modules)"],
        capture_output=True, text=True, cwd=repo_root, check=True,
        env={"PYTHONPATH": str(repo_root), "PATH": ""})
    assert probe.stdout.strip() == "False"


def test_a_large_reconciliation_still_gives_a_page_of_a_few_megabytes(result):
    records, orphans = [], []
    for copy_number in range(100):  # 3,600 lines, 2,100 open denials, 100 orphans
        for record in result.records:
            records.append({**record, "claim_id": f"{record['claim_id']}-{copy_number}"})
        orphans.extend(result.orphans)
    raw = render_report(records, orphans, reconcile_totals(records), as_of=AS_OF)
    assert len(raw) < 4_000_000
    page = html.fromstring(raw)
    assert len(_rows(page, "worklist")) == 2000
    assert _cards(page)["open denials"] == "2,100"
    assert "Showing the first 2,000 of 2,100 lines" in page.xpath(
        "string(//p[contains(@class, 'more')])")


def test_original_replacement_and_void_each_show_their_history(fixtures_dir):
    """fixtures/reconcile (README there): HIST-0001 paid 02-05 and reversed 03-01 (original),
    its replacement paid 03-08 and reversed 04-01, then voided (frequency 8, no 835 of its
    own)."""
    folder = fixtures_dir / "reconcile"
    result = reconcile([folder / n for n in ("837p-history-original.x12",
                                             "837p-history-replacement.x12",
                                             "837p-history-void.x12")],
                       [folder / f"835-history-{n}.x12"
                        for n in ("void", "paid", "reversal", "correction")],
                       as_of=date(2026, 3, 15))
    page = html.fromstring(render_report(*result, as_of=date(2026, 3, 15)))
    section = page.get_element_by_id("corrections")
    # the totals count the claim once, as its replacement (the latest version adjudicated)
    left_out = "; left out of the totals: another version of the claim counts"
    assert [h.text_content() for h in section.xpath("h3")] == [
        f"Claim HIST-0001 (original) line 1: reversed, net paid $0.00{left_out}",
        "Claim HIST-0001 (replacement) line 1: reversed, net paid $0.00",
        "Claim HIST-0001 (void) line 1: void, net paid $0.00; no adjudication of its own"
        f"{left_out}"]
    histories = [[(td[0].text_content(), td[1].text_content(), td[4].text_content())
                  for td in (tr.xpath("td") for tr in table.xpath("tbody/tr"))]
                 for table in section.xpath(".//table")]
    assert histories == [
        [("2026-02-05", "1", "$1,500.00"), ("2026-03-01", "22", "-$1,500.00")],
        [("2026-03-08", "1", "$1,600.00"), ("2026-04-01", "22", "-$1,600.00")]]
    assert _rows(page, "worklist") == []  # nothing open: reversed and void lines are closed


def test_oa23_on_a_secondary_claim_is_not_a_denial_in_the_report(fixtures_dir):
    """fixtures/reconcile/835-cases.x12: SEC-0001 (Medicare secondary) carries OA-23 and
    CO-45 only; the reconciliation flags neither as a denial, so the report lists it nowhere
    as one."""
    folder = fixtures_dir / "reconcile"
    result = reconcile([folder / "837p-cases.x12"], [folder / "835-cases.x12"],
                       as_of=date(2026, 3, 15))
    data = report_data(*result, as_of=date(2026, 3, 15))
    assert [r.claim_id for r in data.worklist] == [
        "CAP-0001", "DOSE-0001", "NDC-0001", "SPLIT-0001", "SPLIT-0002", "PR-0001",
        "MA130-0001"]
    assert all("OA-23" not in (c.code for c in p.top_carcs) for p in data.payers)
    assert data.headline.denied == result.totals["total"]["denied"]
