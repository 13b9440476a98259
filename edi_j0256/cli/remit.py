"""``edi-j0256 remit FILES...``: 835 remittances -> one record per J0256 line, with root causes."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence

import click

from edi_j0256.cli.common import emit, expand_inputs, output_options, resolve_format
from edi_j0256.codes import DEFAULT_HCPCS, normalize_codes
from edi_j0256.diagnostics import Diagnostics, Severity, X12ReadError
from edi_j0256.remit import RemitStats, plb_records, remit_records
from edi_j0256.remit import remit_reader as open_remit
from edi_j0256.remit.records import PLB_TABLE_FIELDS, TABLE_FIELDS
from edi_j0256.remit.summary import write_summary
from edi_j0256.safe_text import escape_controls
from edi_j0256.x12.kind import detect_file_kind

COUNTS = ("files", "transactions", "claims", "service lines", "provider adjustments", "records")


def wrong_kind(path: str) -> str | None:
    """Why ``path`` is not an 835 (one line), or None when it is one or cannot tell.

    Raises X12ReadError (in the words every command uses) when the input cannot be read: a
    missing file, a FIFO or device (never opened), an unreadable file.
    """
    kind = detect_file_kind(path)
    if kind is None or kind.is_remits:
        return None
    what = kind.describe()
    hint = " (give it to scan or check, or to reconcile with --claims)" if kind.is_claims else ""
    return f"is {'an' if what[:1] == '8' else 'a'} {what}, not an 835 remittance advice{hint}"


def _records(files: Sequence[str], hcpcs: tuple[str, ...], plb: bool,
             diagnostics: Diagnostics, unusable: list[str], stats: RemitStats,
             written: list[int]) -> Iterator[dict]:
    for path in files:
        before = len(diagnostics)
        try:
            problem = wrong_kind(path)
            if problem:
                unusable.append(f"{path}: {problem}")
                continue
            reader = open_remit(path, diagnostics=diagnostics, hcpcs=hcpcs)
            items = reader.items()
            records = plb_records(items) if plb else remit_records(items, hcpcs=hcpcs)
            for record in records:
                written[0] += 1
                yield record
            stats.add(reader.stats)
        except X12ReadError as exc:
            unusable.append(str(exc))
        except OSError as exc:  # the words of the reader's own refusal when it made one
            cause = exc.__cause__
            unusable.append(str(cause) if isinstance(cause, X12ReadError)
                            else f"{path}: cannot read: {exc.strerror or exc}")
        except Exception as exc:  # a batch goes on: name the file, never a traceback
            unusable.append(f"{path}: could not be read ({type(exc).__name__})")
        else:
            if any(d.code == "X350" for d in diagnostics[before:]):
                unusable.append(f"{path}: no 835 transaction (ST*835) in the file")


def _counts(stats: RemitStats, records: int, codes: tuple[str, ...]) -> list[str]:
    values = dict(zip(COUNTS, (stats.files, stats.transactions, stats.claims,
                               stats.service_lines, stats.provider_adjustments, records),
                      strict=True))
    lines = ["read: " + ", ".join(f"{values[k]} {k}" for k in COUNTS)]
    parts = [f"{stats.claims_read} built"]
    if stats.claims_skipped:
        parts.append(f"{stats.claims_skipped} skipped (no {escape_controls('/'.join(codes))} "
                     "in their bytes)")
    if stats.claims_outside:
        parts.append(f"{stats.claims_outside} outside an 835 transaction (X356)")
    if stats.claims_unreadable:
        parts.append(f"{stats.claims_unreadable} unreadable (X357, X359)")
    lines.append(f"claims: {stats.claims} = " + " + ".join(parts))
    return lines


@click.command("remit")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--hcpcs", multiple=True, default=DEFAULT_HCPCS, show_default=True,
              help="Procedure codes to report (repeat or comma-separate; ALL for every line).")
@click.option("--plb", is_flag=True,
              help="Write the provider-level adjustments (PLB: WO, L6 interest, FB, 72 ...) "
                   "instead: one record per reason/amount pair, with its trace number.")
@output_options
@click.option("--summary/--no-summary", default=None,
              help="Dollars by payer and root cause on stderr [default: when it is a terminal].")
@click.option("--verbose", "-v", is_flag=True, help="Also print info diagnostics.")
@click.option("--quiet", "-q", is_flag=True, help="Print no diagnostics.")
def command(files: tuple[str, ...], hcpcs: tuple[str, ...], plb: bool, fmt: str,
            output: str | None, summary: bool | None, verbose: bool, quiet: bool) -> None:
    """Read 835 remittances: one record per J0256 service line (and per claim-level
    denial without lines) with its adjustments, root causes and recommended action.

    Claims that cannot concern the codes are counted and skipped without being built;
    the payment balance (BPR02) still counts their CLP04. A file that is not an 835, or
    cannot be read, is named in one line and the others are still read.

    \b
    Examples:
      edi-j0256 remit remits/*.835
      edi-j0256 remit --format jsonl -o denials.jsonl era.x12
      edi-j0256 remit --hcpcs J0256,J0257 --format csv era.x12
      edi-j0256 remit --plb --format csv era.x12

    Exit codes: 0 read (warnings allowed), 2 unusable input.
    """
    fmt = resolve_format(fmt, output)
    codes = normalize_codes(hcpcs)
    files = tuple(expand_inputs(files))
    diagnostics, unusable, kept, stats, written = Diagnostics(), [], [], RemitStats(), [0]
    show_summary = (sys.stderr.isatty() if summary is None else summary) and not plb
    records = _records(files, codes, plb, diagnostics, unusable, stats, written)
    if show_summary:
        records = (kept.append(r) or r for r in records)
    emit(records, fmt, output, PLB_TABLE_FIELDS if plb else TABLE_FIELDS,
         kind="plb" if plb else "remit")
    stats.files = len(files)  # every input, read or not
    err = click.get_text_stream("stderr")
    if not quiet:
        for diagnostic in diagnostics:
            if verbose or diagnostic.severity != Severity.INFO:
                err.write(escape_controls(str(diagnostic)) + "\n")
    if show_summary:
        write_summary(kept, err)
    if not quiet:
        for line in _counts(stats, written[0], codes):
            err.write(line + "\n")
    for message in unusable:
        err.write(f"error: {escape_controls(message)}\n")
    if unusable:
        sys.exit(2)
