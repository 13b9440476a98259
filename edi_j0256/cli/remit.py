"""``edi-j0256 remit FILES...``: 835 remittances -> one record per J0256 line, with root causes."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

import click

from edi_j0256.cli.common import emit, expand_inputs, output_options, resolve_format
from edi_j0256.diagnostics import Diagnostics, Severity, X12ReadError
from edi_j0256.remit import read_remits, remit_records
from edi_j0256.remit.model import RemitPayment
from edi_j0256.remit.records import TABLE_FIELDS
from edi_j0256.remit.summary import write_summary


def _codes(values: Sequence[str]) -> list[str]:
    return [c.strip().upper() for v in values for c in v.split(",") if c.strip()]


def _counted(payments: Iterable[RemitPayment], read: Counter) -> Iterator[RemitPayment]:
    """Pass payments through, counting what was read (counts in = counts out)."""
    for payment in payments:
        read["transactions"] += 1
        read["claims"] += len(payment.claims)
        read["service lines"] += sum(len(claim.lines) for claim in payment.claims)
        yield payment


def _records(files: Sequence[str], hcpcs: list[str], diagnostics: Diagnostics,
             unusable: list[str], read: Counter) -> Iterator[dict]:
    for path in files:
        before = len(diagnostics)
        read["files"] += 1
        try:
            payments = _counted(read_remits(path, diagnostics=diagnostics), read)
            for record in remit_records(payments, hcpcs=hcpcs):
                read["records"] += 1
                yield record
        except X12ReadError as exc:
            unusable.append(str(exc))
        except OSError as exc:
            unusable.append(f"{path}: cannot read: {exc.strerror or exc}")
        else:
            if any(d.code == "X350" for d in diagnostics[before:]):
                unusable.append(f"{path}: no 835 transaction (ST*835) in the file")


@click.command("remit")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--hcpcs", multiple=True, default=("J0256",), show_default=True,
              help="Procedure codes to report (repeat or comma-separate; ALL for every line).")
@output_options
@click.option("--summary/--no-summary", default=None,
              help="Dollars by payer and root cause on stderr [default: when it is a terminal].")
@click.option("--verbose", "-v", is_flag=True, help="Also print info diagnostics.")
@click.option("--quiet", "-q", is_flag=True, help="Print no diagnostics.")
def command(files: tuple[str, ...], hcpcs: tuple[str, ...], fmt: str, output: str | None,
            summary: bool | None, verbose: bool, quiet: bool) -> None:
    """Read 835 remittances: one record per J0256 service line (and per claim-level
    denial without lines) with its adjustments, root causes and recommended action.

    \b
    Examples:
      edi-j0256 remit remits/*.835
      edi-j0256 remit --format jsonl -o denials.jsonl era.x12
      edi-j0256 remit --hcpcs J0256,J0257 --format csv era.x12

    Exit codes: 0 read (warnings allowed), 2 unusable input.
    """
    fmt = resolve_format(fmt, output)
    files = tuple(expand_inputs(files))
    diagnostics, unusable, kept, read = Diagnostics(), [], [], Counter()
    show_summary = sys.stderr.isatty() if summary is None else summary
    records = _records(files, _codes(hcpcs), diagnostics, unusable, read)
    if show_summary:
        records = (kept.append(r) or r for r in records)
    emit(records, fmt, output, TABLE_FIELDS)
    err = click.get_text_stream("stderr")
    if not quiet:
        for diagnostic in diagnostics:
            if verbose or diagnostic.severity != Severity.INFO:
                err.write(f"{diagnostic}\n")
    if show_summary:
        write_summary(kept, err)
    if not quiet:
        err.write("read: " + ", ".join(f"{read[k]} {k}" for k in (
            "files", "transactions", "claims", "service lines", "records")) + "\n")
    for message in unusable:
        err.write(f"Error: {message}\n")
    if unusable:
        sys.exit(2)
