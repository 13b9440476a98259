"""``edi-j0256 reconcile``: link 835 adjudications to 837 J0256 lines, in memory or in SQLite."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import click

from edi_j0256.cli.common import (
    echo_err,
    emit,
    expand_inputs,
    fail,
    output_options,
    report_diagnostics,
    resolve_format,
)
from edi_j0256.codes import normalize_codes
from edi_j0256.diagnostics import Diagnostics
from edi_j0256.output import OutputError
from edi_j0256.reconcile import (
    ReconcileStore,
    StoreError,
    Totals,
    linked_lines,
    linked_orphans,
    load,
    reconciliation,
)
from edi_j0256.reconcile.engine import lines as stored_lines
from edi_j0256.remit.denials import root_cause_advice
from edi_j0256.report import write_report
from edi_j0256.safe_text import escape_controls

TABLE_FIELDS = ("claim_id", "line_number", "service_date", "payer_id", "modifiers",
                "billed_amount", "paid_amount", "denied_amount", "status", "recovery",
                "days_left", "root_causes", "explained_by")
ORPHAN_FIELDS = ("file", "line", "claim_id", "claim_status", "line_control", "procedure_code",
                 "service_date", "charge", "paid_amount", "denied_amount", "root_causes")
MULTI_PATH_OPTIONS = ("--claims", "--remits")
ORPHANS_SHOWN = 10


def expand_paths(args: list[str]) -> list[str]:
    """``--claims a b --remits c`` -> ``--claims a --claims b --remits c``.

    Every argument that does not start with ``-`` and follows ``--claims`` / ``--remits``
    (after its first value) belongs to that flag; any other option ends the list.
    """
    out: list[str] = []
    current: str | None = None
    for arg in args:
        if arg == "--" or (arg.startswith("-") and arg != "-"):
            flag = arg.split("=", 1)[0]
            current = flag if flag in MULTI_PATH_OPTIONS else None
        elif current is not None and not (out and out[-1] == current):
            out.append(current)
        out.append(arg)
    return out


class _PathListCommand(click.Command):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, expand_paths(list(args)))


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def totals_lines(totals: dict) -> list[str]:
    """The dollar totals as a small fixed-width table, then the recoverable split."""
    columns = ("billed", "paid", "denied", "recoverable")
    header = f"{'':<26}{'lines':>6}" + "".join(f"{c:>14}" for c in columns)

    def row(name: str, bucket: dict) -> str:
        return (f"{escape_controls(name)[:25]:<26}{bucket['lines']:>6}" + "".join(
            f"{_money(bucket[k]):>14}" for k in columns))

    lines = ["totals by root cause" + header[20:]]
    lines += [row(f"  {name}", bucket) for name, bucket in totals["by_root_cause"].items()]
    lines.append("totals by payer")
    lines += [row(f"  {name}", bucket) for name, bucket in totals["by_payer"].items()]
    lines.append(row("all lines", totals["total"]))
    total = totals["total"]
    lines.append(f"recoverable: likely {_money(total['recoverable_likely'])} (correctable "
                 f"errors), possible {_money(total['recoverable_possible'])} (needs records "
                 "or another payer)")
    return lines


def _as_of(ctx, param, value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@click.command("reconcile", cls=_PathListCommand)
@click.option("--claims", "claim_paths", multiple=True, metavar="FILE...",
              help="837P / 837I files (several after one flag, or the flag repeated).")
@click.option("--remits", "remit_paths", multiple=True, metavar="FILE...",
              help="835 files (several after one flag, or the flag repeated).")
@click.option("--db", type=click.Path(dir_okay=False), metavar="PATH",
              help="SQLite store: load the files into it, then reconcile all it holds.")
@click.option("--check-store", is_flag=True,
              help="Run SQLite's integrity check on the --db store and stop.")
@click.option("--hcpcs", "hcpcs", multiple=True, metavar="CODES",
              help="Procedure codes to reconcile (default J0256; comma-separated or repeated).")
@click.option("--as-of", "as_of", metavar="DATE", callback=_as_of,
              help="Date the appeal days left are counted from (default today).")
@output_options
@click.option("--orphans", "orphans_path", type=click.Path(dir_okay=False), metavar="PATH",
              help="Write the 835 lines that match no claim to PATH (same format).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), metavar="PATH",
              help="Also write an HTML report (totals, by root cause and payer, worklist).")
@click.option("--quiet", "-q", is_flag=True, help="No totals or diagnostics on stderr.")
def command(claim_paths, remit_paths, db, check_store, hcpcs, as_of, fmt, output, orphans_path,
            report_path, quiet):
    """Link every 837 J0256 line to its 835 adjudication and say what is still recoverable.

    One record per 837 J0256 line: billed, paid and denied amounts, status (paid, partial,
    denied, reversed, void, unmatched), denial root causes, the validator findings on the
    line and those that explain the denial, the recovery assessment (likely, possible,
    none, with the reason), the appeal deadline and the days left as of --as-of, the
    recommended action and the history of adjudications (reversals and corrections: the
    latest wins). Dollar totals by root cause and by payer go to stderr.

    A claim is matched on CLP01 = CLM01, the billing provider NPI against the 835 payee
    and the patient; a reversal goes to the claim whose payment it undoes (CLP07). Lines
    link by REF*6R, else by procedure, modifiers, date and charge; split SVCs add up. A
    claim-level denial applies to every J0256 line of the claim. 835 lines that match no
    claim are orphans: listed on stderr, or written with --orphans PATH.

    Several files may follow one flag (shell globs work) or the flag may be repeated; a
    path that starts with "-" needs the --claims=PATH form. A file that cannot be used
    (missing, not X12, the wrong kind) is named in one line; the others are still loaded.

    Without --db the files go to a temporary store. With --db PATH they are loaded into
    the SQLite store (a file already stored is skipped; several runs may load at once)
    and everything stored is reconciled, so 835s that arrive weeks later reconcile
    against claims loaded before: --claims may then be left out.

    \b
    Examples:
      edi-j0256 reconcile --claims fixtures/837p-*.x12 --remits fixtures/835-*.x12
      edi-j0256 reconcile --db j0256.db --claims january/*.x12
      edi-j0256 reconcile --db j0256.db --remits era/*.835 --format csv -o recon.csv
      edi-j0256 reconcile --claims c/*.x12 --remits r/*.835 --report denials.html
      edi-j0256 reconcile --db j0256.db --check-store

    Exit codes: 0 done; 2 a file or the store could not be used (the usable files are
    still loaded and reconciled).
    """
    if check_store:
        if not db:
            raise fail("--check-store needs --db PATH")
        _check_store(db)
        return
    if not (claim_paths or remit_paths or db):
        raise fail("nothing to reconcile: give --claims and --remits files, or --db PATH")
    fmt = resolve_format(fmt, output)
    claim_paths, remit_paths = expand_inputs(claim_paths), expand_inputs(remit_paths)
    codes = normalize_codes(hcpcs or None)
    diagnostics = Diagnostics()
    with tempfile.TemporaryDirectory(prefix="edi-j0256-") as folder:
        try:
            with ReconcileStore(db or Path(folder) / "reconcile.db") as store:
                if not quiet:
                    _notes(store)
                report = load(store, claim_paths, remit_paths, hcpcs=codes,
                              diagnostics=diagnostics)
                for _, message in report.errors:
                    echo_err(f"error: {escape_controls(message)}")
                if report.errors and not (report.loaded or report.skipped or db):
                    raise click.exceptions.Exit(2)  # nothing usable: no empty listing
                running = Totals()
                emit((running.add(line.record, line.counted)
                      for line in linked_lines(store, as_of)), fmt, output, TABLE_FIELDS,
                     kind="reconcile")
                totals = running.result()
                orphans = list(_first(linked_orphans(store), ORPHANS_SHOWN + 1)) \
                    if not orphans_path else []
                orphan_count = store.db.execute("SELECT count(*) FROM temp.orphans"
                                                ).fetchone()[0]
                if report_path:
                    actions = {name: advice.action for name, advice in
                               root_cause_advice().items()}
                    try:
                        write_report(report_path, *reconciliation(
                            store, stored_lines(store, as_of)), actions=actions, as_of=as_of)
                    except OutputError as exc:
                        raise fail(str(exc)) from None
                if orphans_path:
                    emit(linked_orphans(store), fmt, orphans_path, ORPHAN_FIELDS,
                         kind="orphan")
        except StoreError as exc:
            raise fail(escape_controls(str(exc))) from None
        except sqlite3.DatabaseError as exc:
            raise fail(f"{db or 'temporary store'}: store is damaged ({exc})") from None
    if not quiet:
        _summary(db, report, diagnostics, orphans, orphan_count, orphans_path, totals)
    if report.errors:
        raise click.exceptions.Exit(2)


def _notes(store: ReconcileStore) -> None:
    """What opening the store did (a schema migration), one line each."""
    for note in store.notes:
        echo_err(f"note: {escape_controls(note)}")


def _first(items, count: int) -> list:
    return [item for _, item in zip(range(count), items, strict=False)]


def _check_store(db: str) -> None:
    if not Path(db).is_file():
        raise fail(f"{db}: no such store")
    try:
        with ReconcileStore(db) as store:
            _notes(store)
            problems = store.check()
    except StoreError as exc:
        raise fail(escape_controls(str(exc))) from None
    if problems:
        raise fail(f"{db}: store is damaged: " + escape_controls("; ".join(problems[:5])))
    echo_err(f"{db}: store is sound (SQLite integrity check ok)")


def _summary(db, report, diagnostics, orphans, orphan_count, orphans_path, totals) -> None:
    report_diagnostics(diagnostics)
    if db:
        echo_err(f"{db}: {len(report.loaded)} file(s) stored, {len(report.skipped)} already "
                 "stored (skipped)")
    if orphan_count and not orphans_path:
        echo_err(f"{orphan_count} 835 line(s) match no claim (--orphans PATH writes them):")
        for orphan in orphans[:ORPHANS_SHOWN]:
            echo_err(escape_controls(
                f"  {orphan['file']}:{orphan['line']}: CLP01 {orphan['claim_id']} "
                f"{orphan['procedure_code'] or 'claim level'} charge {orphan['charge']} "
                f"paid {orphan['paid_amount']}"))
    for text in totals_lines(totals):
        echo_err(text)
