"""Provider-level adjustments (PLB) kept in the reconciliation store for the report.

Expected rows read off the fixtures: 835-medicare.x12 line 65 ``PLB*1999000015*20261231*
L6:INTEREST*-1.25`` in the payment with TRN02 TSTCHK0001 and BPR16 2026-02-20;
835-medicare-correction.x12 line 39 ``PLB*1999000015*20261231*FB:TSTMB26020100102*-1254.4``
with TRN02 TSTCHK0003 and BPR16 2026-03-10 (payer N1*PR TSTMB01 in both).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from click.testing import CliRunner
from lxml import html

from edi_j0256.cli import cli
from edi_j0256.reconcile import ReconcileStore, load

CLAIMS = ["837p-medicare.x12", "837p-commercial.x12", "837i-outpatient.x12",
          "837p-billing-errors.x12"]
REMITS = ["835-medicare.x12", "835-medicare-correction.x12", "835-commercial.x12",
          "835-outpatient.x12", "835-billing-errors.x12"]


def _expected(fixtures_dir):
    common = {"payer_id": "TSTMB01", "payer_name": "TEST MEDICARE PART B CONTRACTOR",
              "provider_id": "1999000015", "fiscal_period_date": date(2026, 12, 31)}
    return [
        {"file": str(fixtures_dir / "835-medicare.x12"), **common, "reason": "L6",
         "reference": "INTEREST", "amount": Decimal("-1.25"), "trace_number": "TSTCHK0001",
         "check_date": date(2026, 2, 20), "segment": 65, "line": 65},
        {"file": str(fixtures_dir / "835-medicare-correction.x12"), **common, "reason": "FB",
         "reference": "TSTMB26020100102", "amount": Decimal("-1254.4"),
         "trace_number": "TSTCHK0003", "check_date": date(2026, 3, 10), "segment": 39,
         "line": 39},
    ]


def test_plb_rows_are_stored_with_their_835_and_loading_again_adds_none(fixtures_dir,
                                                                         tmp_path):
    remits = [fixtures_dir / r for r in REMITS]
    with ReconcileStore(tmp_path / "j.db") as store:
        load(store, [], remits)
        assert store.provider_adjustments() == _expected(fixtures_dir)
        again = load(store, [], remits)
        assert len(again.skipped) == 5 and again.loaded == []
        assert store.provider_adjustments() == _expected(fixtures_dir)


def _plb_cells(target):
    page = html.fromstring(target.read_bytes())
    return [[td.text_content().strip() for td in tr.xpath("td")]
            for tr in page.xpath("//section[@id='plb']//tbody/tr")]


def test_report_and_reconcile_report_show_the_stored_plb_rows(fixtures_dir, tmp_path):
    db = tmp_path / "j.db"
    runner = CliRunner()
    claims = [str(fixtures_dir / c) for c in CLAIMS]
    remits = [str(fixtures_dir / r) for r in REMITS]
    direct = tmp_path / "direct.html"
    loaded = runner.invoke(cli, ["reconcile", "--db", str(db), "--claims", *claims,
                                 "--remits", *remits, "-q", "-o", str(tmp_path / "o.jsonl"),
                                 "--as-of", "2026-03-25", "--report", str(direct)])
    assert loaded.exit_code == 0, loaded.output
    from_store = tmp_path / "store.html"
    written = runner.invoke(cli, ["report", "--db", str(db), "-o", str(from_store),
                                  "--as-of", "2026-03-25", "-q"])
    assert written.exit_code == 0, written.output
    expected = [
        ["2026-02-20", "TSTCHK0001", "TSTMB01", "1999000015", "L6", "INTEREST", "-$1.25",
         f"{fixtures_dir / '835-medicare.x12'}:65"],
        ["2026-03-10", "TSTCHK0003", "TSTMB01", "1999000015", "FB", "TSTMB26020100102",
         "-$1,254.40", f"{fixtures_dir / '835-medicare-correction.x12'}:39"]]
    assert _plb_cells(direct) == _plb_cells(from_store) == expected
    march = tmp_path / "march.html"  # the payment-date filter narrows PLB by check date
    runner.invoke(cli, ["report", "--db", str(db), "-o", str(march), "--as-of", "2026-03-25",
                        "--from", "2026-03-01", "-q"])
    assert _plb_cells(march) == expected[1:]
