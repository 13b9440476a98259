"""``edi-j0256 report``: the denial analyst's HTML page, from the reconciliation store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from edi_j0256.cli.common import echo_err, fail
from edi_j0256.output import OutputError
from edi_j0256.reconcile import ReconcileStore, StoreError, reconcile_store
from edi_j0256.report import ReportFilter, write_report
from edi_j0256.safe_text import escape_controls

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _day(value) -> date | None:
    return value.date() if value is not None else None


@click.command("report")
@click.option("--db", required=True, type=click.Path(dir_okay=False), metavar="PATH",
              help="The SQLite store that `reconcile --db PATH` filled.")
@click.option("--output", "-o", required=True, type=click.Path(),
              metavar="FILE.html", help="Where to write the page (written atomically).")
@click.option("--as-of", "as_of", type=DATE, metavar="DATE",
              help="Count days left and aging as of this date (YYYY-MM-DD). Default: today.")
@click.option("--from", "payment_from", type=DATE, metavar="DATE",
              help="Only lines paid (835 BPR16) on or after this date.")
@click.option("--to", "payment_to", type=DATE, metavar="DATE",
              help="Only lines paid on or before this date.")
@click.option("--payer", "payers", multiple=True, metavar="ID",
              help="Only this payer ID (repeat for several).")
@click.option("--show-member-ids", is_flag=True,
              help="Add the member ID column to the worklist (PHI: left out by default).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
def command(db, output, as_of, payment_from, payment_to, payers, show_member_ids, quiet):
    """Write the denial report of everything the store holds: one self-contained HTML file.

    Headline totals (the same as `reconcile`'s), charts by root cause, payer, payment
    period and aging, a payer scorecard, the worklist of open denials with filters and a
    CSV download, reversals and corrections with their history, provider-level adjustments
    (PLB) with trace numbers and check dates, and 835 lines that matched no claim. The page
    needs no network and prints.

    \b
    Examples:
      edi-j0256 reconcile --db j0256.db --claims claims/*.x12 --remits era/*.835 -q
      edi-j0256 report --db j0256.db -o denials.html
      edi-j0256 report --db j0256.db -o march.html --from 2026-03-01 --to 2026-03-31
      edi-j0256 report --db j0256.db -o bcbs.html --payer TSTBL01 --as-of 2026-04-15

    Exit codes: 0 written; 2 the store cannot be read or the page cannot be written.
    """
    if not Path(db).is_file():
        raise fail(f"{db}: no such store (fill one with `reconcile --db {db}`)")
    if payment_from and payment_to and payment_from > payment_to:
        raise fail(f"--from {payment_from:%Y-%m-%d} is after --to {payment_to:%Y-%m-%d}")
    try:
        with ReconcileStore(db) as store:
            for note in store.notes if not quiet else ():
                echo_err(f"note: {escape_controls(note)}")
            result = reconcile_store(store, _day(as_of))
            files = [(f["kind"], f["path"]) for f in store.files()]
    except StoreError as exc:
        raise fail(str(exc)) from None
    report_filter = ReportFilter(_day(payment_from), _day(payment_to), tuple(payers))
    try:
        write_report(output, *result, as_of=_day(as_of), files=files,
                     report_filter=report_filter, show_member_ids=show_member_ids)
    except OutputError as exc:
        raise fail(str(exc)) from None
    if not quiet:
        echo_err(f"{output}: report of {len(result.records)} J0256 line(s) from {len(files)} "
                 "file(s)")
