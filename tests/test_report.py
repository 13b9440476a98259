"""The HTML reconciliation report: real reconciliations of the fixtures, read back as HTML."""

from __future__ import annotations

from decimal import Decimal

import pytest
from click.testing import CliRunner
from lxml import html

from edi_j0256.cli import cli
from edi_j0256.reconcile import reconcile
from edi_j0256.report import render_report

CLAIMS = ["837p-medicare.x12", "837p-commercial.x12", "837i-outpatient.x12",
          "837p-billing-errors.x12"]
REMITS = ["835-medicare.x12", "835-medicare-correction.x12", "835-commercial.x12",
          "835-outpatient.x12", "835-billing-errors.x12"]


@pytest.fixture(scope="module")
def result(fixtures_dir):
    return reconcile([fixtures_dir / c for c in CLAIMS], [fixtures_dir / r for r in REMITS])


def _money(text: str) -> Decimal:
    return Decimal(text.replace("$", "").replace(",", ""))


def test_report_totals_and_worklist_match_the_records(result):
    page = html.fromstring(render_report(result.records, result.orphans, result.totals))
    cards = {}
    for card in page.xpath("//div[@class='card']"):
        value = card.findtext("b")
        cards[card.xpath("string(.)").strip()[len(value):].strip()] = value
    denied = sum((r["denied_amount"] for r in result.records), Decimal(0))
    assert _money(cards["denied"]) == denied > 0
    assert _money(cards["billed"]) == sum((r["billed_amount"] for r in result.records),
                                          Decimal(0))
    worklist = page.xpath("//h2[starts-with(., 'Worklist')]/following-sibling::table[1]"
                          "/tbody/tr")
    assert len(worklist) == sum(1 for r in result.records if r["denied_amount"])
    recoverable = [_money(tr.xpath("td")[13].text_content()) for tr in worklist]
    assert recoverable == sorted(recoverable, reverse=True)  # most money first
    orphans = page.xpath("//h2[starts-with(., '835 lines')]/following-sibling::table[1]"
                         "/tbody/tr")
    assert len(orphans) == len(result.orphans) >= 1


def test_report_leaves_member_ids_out(result):
    text = render_report(result.records, result.orphans, result.totals).decode()
    members = {r["member_id"] for r in result.records if r["member_id"]}
    assert members and not any(m in text for m in members)


def test_reconcile_cli_writes_the_report(fixtures_dir, tmp_path):
    target = tmp_path / "denials.html"
    args = ["reconcile", "--claims", *[str(fixtures_dir / c) for c in CLAIMS],
            "--remits", *[str(fixtures_dir / r) for r in REMITS], "--format", "jsonl",
            "-o", str(tmp_path / "out.jsonl"), "--report", str(target), "-q"]
    outcome = CliRunner().invoke(cli, args)
    assert outcome.exit_code == 0, outcome.output
    page = html.fromstring(target.read_bytes())
    causes = page.xpath("//h2[.='Denied dollars by root cause']/following-sibling::table[1]"
                        "/tbody/tr/td[1]/text()")
    assert "modifiers" in causes and "units" in causes
    actions = page.xpath("//h2[.='Denied dollars by root cause']/following-sibling::table[1]"
                         "/tbody/tr/td[7]/text()")
    assert any("JW" in a for a in actions)  # the root-cause table carries what to do
