"""The denial report opened as an analyst would: real headless Chromium through Playwright.

Needs Debian's ``chromium`` (``apt-get install -y chromium``) and the ``playwright`` package
(in the dev extra); skips with the reason when either is missing. The screenshot is written to
``$EDI_J0256_ARTIFACTS`` (default: the pytest temporary directory) as ``report.png``.

``python tests/test_report_browser.py docs/report.png`` writes the README's screenshot.
"""

from __future__ import annotations

import copy
import csv
import io
import os
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest

from edi_j0256.reconcile import ReconcileStore, load, reconcile_store
from edi_j0256.reconcile.engine import totals as reconcile_totals
from edi_j0256.report import write_report
from edi_j0256.safe_text import csv_cell

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("EDI_J0256_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CLAIMS = ["837p-medicare.x12", "837p-commercial.x12", "837i-outpatient.x12",
          "837p-billing-errors.x12"]
REMITS = ["835-medicare.x12", "835-medicare-correction.x12", "835-commercial.x12",
          "835-outpatient.x12", "835-billing-errors.x12"]
# as of mid-June the Medicare deadlines (remittance + 5 + 120 days) are near: 06-25 for the
# 02-20 remits (10 days left), 07-01 outpatient (16), 07-02 billing errors (17), 07-13 the
# correction (28); commercial 180 days: 08-23 (69), 08-25 (71), 08-26 (72)
AS_OF = date(2026, 6, 15)
FORMULA_CLAIM = "=HYPERLINK(\"http://x\",\"y\")"


def write_fixture_report(target: Path, *, test_values: bool = False,
                         fixtures: Path = FIXTURES) -> None:
    """The report of the reconciled fixtures. ``test_values``: one claim ID a spreadsheet
    would run (the CSV button must neutralise it); deadlines and recovery are the
    reconciliation's own, as of :data:`AS_OF`."""
    with tempfile.TemporaryDirectory(prefix="edi-j0256-report-") as folder:
        with ReconcileStore(Path(folder) / "j.db") as store:
            load(store, [fixtures / c for c in CLAIMS], [fixtures / r for r in REMITS])
            result = reconcile_store(store, AS_OF)
    records = result.records
    if test_values:
        records = copy.deepcopy(records)
        for record in records:
            if record["claim_id"] == "COM-C-4002":
                record["claim_id"] = FORMULA_CLAIM
    write_report(target, records, result.orphans, reconcile_totals(records), result.plb,
                 as_of=AS_OF)


def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"no Chromium at {CHROMIUM} (as root: apt-get install -y chromium)")
    return sync_playwright


@pytest.fixture(scope="module")
def browser():
    sync_playwright = _playwright()
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as exc:  # a browser that cannot start on this machine
            pytest.skip(f"Chromium at {CHROMIUM} did not start: {str(exc).splitlines()[0]}")
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def report_path(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("report") / "report.html"
    write_fixture_report(target, test_values=True)
    return target


@pytest.fixture()
def opened(browser, report_path):
    """(page, requests, problems): every request recorded (all but the page itself refused),
    console errors and page errors collected."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000},
                                  accept_downloads=True)
    page = context.new_page()
    requests: list[str] = []
    problems: list[str] = []
    url = report_path.as_uri()

    def route(route_, request):
        requests.append(request.url)
        if request.url == url:
            route_.continue_()
        else:
            route_.abort()

    context.route("**/*", route)
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(url)
    page.wait_for_load_state("load")
    yield page, requests, problems
    context.close()


def _column(page, header: str, attribute: str | None = None) -> list[str]:
    """The visible worklist rows' cells under ``header`` (text, or a data attribute)."""
    return page.evaluate(
        """([header, attribute]) => {
             const heads = Array.from(document.querySelectorAll('#worklist thead th'));
             const index = heads.findIndex(th => th.textContent === header);
             if (index < 0) { throw new Error('no column ' + header); }
             return Array.from(document.querySelectorAll('#worklist tbody tr:not([hidden])'))
               .map(r => attribute ? r.cells[index].getAttribute(attribute)
                                   : r.cells[index].textContent.trim());
           }""", [header, attribute])


def _visible_claims(page) -> list[str]:
    return _column(page, "Claim")


def test_page_loads_offline_with_charts_and_no_errors(opened, report_path, tmp_path_factory):
    page, requests, problems = opened
    assert requests == [report_path.as_uri()]  # nothing else fetched
    assert problems == []
    charts = page.locator("figure.chart svg")
    assert charts.count() == 4
    for index in range(4):
        chart = charts.nth(index)
        box = chart.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100
        assert chart.locator("path").count() > 5  # bars, axes and ticks drawn
        assert chart.locator("text").count() > 5  # labels and values as text
    # the PLB rows of the fixtures' 835s, from the store (TRN02 and BPR16 of their payments)
    assert page.eval_on_selector_all(
        "#plb tbody tr", "rows => rows.map(r => r.cells[1].textContent + ' ' + "
        "r.cells[0].textContent)") == ["TSTCHK0001 2026-02-20", "TSTCHK0003 2026-03-10"]
    artifacts = Path(os.environ.get("EDI_J0256_ARTIFACTS",
                                    tmp_path_factory.getbasetemp() / "artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    shot = artifacts / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    print(f"screenshot: {shot}")


def test_sorting_a_column_reorders_the_worklist(opened):
    page, _, problems = opened
    before = _visible_claims(page)
    page.click("#worklist thead th:text-is('Claim')")
    ascending = _visible_claims(page)
    assert ascending != before
    assert ascending == sorted(before)
    page.click("#worklist thead th:text-is('Claim')")
    assert _visible_claims(page) == sorted(before, reverse=True)
    page.click("#worklist thead th:text-is('Denied')")
    denied = [float(v) for v in _column(page, "Denied", "data-v")]
    assert len(denied) == 21 and denied == sorted(denied) and denied[0] < denied[-1]
    assert denied[:2] == [200.0, 220.0]  # numbers, not text: "200.00" before "2000"
    page.click("#worklist thead th:text-is('Days left')")
    days = _column(page, "Days left")
    assert days == (["10"] * 2 + ["16"] + ["17"] * 9 + ["28"] + ["69"] * 4 + ["71"] + ["72"] * 2
                    + ["—"])  # ERR-6008 (MA130: resubmit, no appeal) has no deadline: last
    assert problems == []


def test_payer_filter_and_csv_download_give_the_visible_rows(opened, tmp_path):
    page, _, problems = opened
    assert len(_visible_claims(page)) == 21
    page.select_option("#filter-payer", "TSTCI01")
    commercial = _visible_claims(page)
    assert sorted(commercial) == ["COM-C-4001", "COM-C-4001", "COM-D-3001", "ERR-6009",
                                  "ERR-6010", "OP-E-5003"]
    assert page.text_content("#worklist-shown") == "6"
    page.select_option("#filter-payer", "TSTBL01")
    assert _visible_claims(page) == [FORMULA_CLAIM]
    with page.expect_download() as download:
        page.click("#download-csv")
    saved = tmp_path / "worklist.csv"
    download.value.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8"))))
    header = rows[0]
    assert header[:4] == ["Days left", "Deadline", "Claim", "Line"]
    assert len(rows) == 2  # the header and the one visible row
    row = dict(zip(header, rows[1], strict=True))
    assert row["Claim"] == "'" + FORMULA_CLAIM  # neutralised like safe_text.csv_cell
    assert (row["Denied"], row["CARC"], row["Root cause"]) == ("3000", "CO-204", "formulary")
    assert row["What to do"].startswith("Request a formulary or medical-necessity exception")
    cells = page.eval_on_selector_all(
        "#worklist tbody tr:not([hidden]) td",
        "cells => cells.map(c => c.dataset.csv ?? c.textContent.trim())")
    assert rows[1] == [csv_cell(c) for c in cells]  # the page's rule is the Python rule
    page.select_option("#filter-payer", "")
    page.select_option("#filter-cause", "modifiers")
    assert len(_visible_claims(page)) == 4
    page.select_option("#filter-cause", "")
    page.select_option("#filter-window", "30")
    assert set(_column(page, "Payer")) == {"TSTMB01", "TSTMA01"}
    assert len(_visible_claims(page)) == 13  # 10, 16, 17 (9 lines) and 28 days left
    page.select_option("#filter-window", "90")
    assert len(_visible_claims(page)) == 20
    page.select_option("#filter-window", "none")
    assert _visible_claims(page) == ["ERR-6008"]
    page.select_option("#filter-window", "overdue")
    assert _visible_claims(page) == []
    page.select_option("#filter-window", "")
    page.select_option("#filter-status", "partial")
    assert sorted(_visible_claims(page)) == ["MCR-B-2002", "OP-E-5002"]
    assert problems == []


def test_print_layout_hides_the_controls(opened):
    page, _, problems = opened
    page.emulate_media(media="print")
    assert not page.is_visible("#download-csv")
    assert page.locator("figure.chart svg").first.is_visible()
    assert problems == []


def main(target: str) -> None:
    """Write the README's screenshot of the fixtures' report (``docs/report.png``)."""
    from playwright.sync_api import sync_playwright

    work = Path(target).resolve().parent / ".report-screenshot"
    work.mkdir(exist_ok=True)
    try:
        html_path = work / "report.html"
        # the fixtures named as from the checkout (the page shows file paths)
        write_fixture_report(html_path, fixtures=Path(os.path.relpath(FIXTURES)))
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = chromium.new_page(viewport={"width": 1500, "height": 1350})
            page.route("**/*", lambda route, request: route.continue_()
                       if request.url == html_path.as_uri() else route.abort())
            page.goto(html_path.as_uri())
            page.screenshot(path=target, full_page=True)
            chromium.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/report.png")
