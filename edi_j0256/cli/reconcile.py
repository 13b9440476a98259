"""``edi-j0256 reconcile``: link 835 adjudications to 837 J0256 lines, in memory or in SQLite."""

from __future__ import annotations

from decimal import Decimal

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
from edi_j0256.diagnostics import Diagnostics, X12ReadError
from edi_j0256.reconcile import ReconcileStore, StoreError, load, reconcile_store
from edi_j0256.remit.rootcause import root_cause_advice
from edi_j0256.report import write_report

TABLE_FIELDS = ("claim_id", "line_number", "service_date", "payer_id", "modifiers",
                "billed_amount", "paid_amount", "denied_amount", "recoverable_amount", "status",
                "root_causes", "explained_by")
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
    """The dollar totals as a small fixed-width table."""
    header = f"{'':<26}{'lines':>6}{'billed':>14}{'paid':>14}{'denied':>14}{'recoverable':>14}"

    def row(name: str, bucket: dict) -> str:
        return (f"{name[:25]:<26}{bucket['lines']:>6}" + "".join(
            f"{_money(bucket[k]):>14}" for k in ("billed", "paid", "denied", "recoverable")))

    lines = ["totals by root cause" + header[20:]]
    lines += [row(f"  {name}", bucket) for name, bucket in totals["by_root_cause"].items()]
    lines.append("totals by payer")
    lines += [row(f"  {name}", bucket) for name, bucket in totals["by_payer"].items()]
    lines.append(row("all lines", totals["total"]))
    return lines


@click.command("reconcile", cls=_PathListCommand)
@click.option("--claims", "claim_paths", multiple=True, metavar="FILE...",
              help="837P / 837I files (several after one flag, or the flag repeated).")
@click.option("--remits", "remit_paths", multiple=True, metavar="FILE...",
              help="835 files (several after one flag, or the flag repeated).")
@click.option("--db", type=click.Path(dir_okay=False), metavar="PATH",
              help="SQLite store: load the files into it, then reconcile all it holds.")
@output_options
@click.option("--orphans", "orphans_path", type=click.Path(dir_okay=False), metavar="PATH",
              help="Write the 835 lines that match no claim to PATH (same format).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), metavar="PATH",
              help="Also write an HTML report (totals, by root cause and payer, worklist).")
@click.option("--quiet", "-q", is_flag=True, help="No totals or diagnostics on stderr.")
def command(claim_paths, remit_paths, db, fmt, output, orphans_path, report_path, quiet):
    """Link every 837 J0256 line to its 835 adjudication and say what is still recoverable.

    One record per 837 J0256 line: billed, paid, denied and recoverable amounts, status
    (paid, partial, denied, reversed, unmatched), denial root causes, the validator findings
    on the line and those that explain the denial, the recommended action and the history
    of adjudications (reversals and corrections: the latest wins). Dollar totals by root
    cause and by payer go to stderr.

    Lines link by CLP01 = CLM01, then REF*6R; without a 6R by procedure, modifiers, date
    and charge. A claim-level denial applies to every J0256 line of the claim. 835 lines
    that match no claim are orphans: listed on stderr, or written with --orphans PATH.

    Several files may follow one flag (shell globs work) or the flag may be repeated; a
    path that starts with "-" needs the --claims=PATH form.

    Without --db everything happens in memory. With --db PATH the files are loaded into
    the SQLite store (a file already stored is skipped) and everything stored is
    reconciled, so 835s that arrive weeks later reconcile against claims loaded before:
    --claims may then be left out.

    \b
    Examples:
      edi-j0256 reconcile --claims fixtures/837p-*.x12 --remits fixtures/835-*.x12
      edi-j0256 reconcile --db j0256.db --claims january/*.x12
      edi-j0256 reconcile --db j0256.db --remits era/*.835 --format csv -o recon.csv
      edi-j0256 reconcile --claims c/*.x12 --remits r/*.835 --report denials.html

    Exit codes: 0 done; 2 a file or the store could not be used (nothing is reconciled).
    """
    if not (claim_paths or remit_paths or db):
        raise fail("nothing to reconcile: give --claims and --remits files, or --db PATH")
    fmt = resolve_format(fmt, output)
    claim_paths, remit_paths = expand_inputs(claim_paths), expand_inputs(remit_paths)
    diagnostics = Diagnostics()
    try:
        with ReconcileStore(db or ":memory:") as store:
            report = load(store, claim_paths, remit_paths, diagnostics=diagnostics)
            records, orphans, totals = reconcile_store(store)
    except (X12ReadError, StoreError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{exc.filename}: {exc.strerror}") from None
    emit(records, fmt, output, TABLE_FIELDS)
    if report_path:
        actions = {name: advice.action for name, advice in root_cause_advice().items()}
        try:
            write_report(report_path, records, orphans, totals, actions)
        except OSError as exc:
            raise fail(f"cannot write {report_path}: {exc.strerror}") from None
    if orphans_path:
        emit(orphans, fmt, orphans_path, ORPHAN_FIELDS)
    if quiet:
        return
    report_diagnostics(diagnostics)
    if db:
        echo_err(f"{db}: {len(report.loaded)} file(s) stored, {len(report.skipped)} already "
                 "stored (skipped)")
    if orphans and not orphans_path:
        echo_err(f"{len(orphans)} 835 line(s) match no claim (--orphans PATH writes them):")
        for orphan in orphans[:ORPHANS_SHOWN]:
            echo_err(f"  {orphan['file']}:{orphan['line']}: CLP01 {orphan['claim_id']} "
                     f"{orphan['procedure_code'] or 'claim level'} charge {orphan['charge']} "
                     f"paid {orphan['paid_amount']}")
    for text in totals_lines(totals):
        echo_err(text)
