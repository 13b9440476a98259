"""``edi-j0256 scan``: list the J0256 service lines of 837P / 837I files."""

from __future__ import annotations

import time
from pathlib import Path

import click

from edi_j0256.claims.parser import ReadStats
from edi_j0256.cli.common import (
    diagnostic_json,
    echo_err,
    emit,
    expand_inputs,
    output_options,
    report_diagnostics,
    resolve_format,
)
from edi_j0256.diagnostics import Diagnostics, Severity, X12ReadError
from edi_j0256.scan import DEFAULT_HCPCS, TABLE_FIELDS, FileScan, iter_scan, scan_files

SUMMARY_FIELDS = ("files", "interchanges", "transactions", "claims", "claims_read",
                  "claims_skipped", "claims_unreadable", "service_lines", "matched_lines")


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    codes = tuple(c.strip().upper() for v in values for c in v.split(",") if c.strip())
    return codes or DEFAULT_HCPCS


@click.command("scan")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--hcpcs", multiple=True, metavar="CODE[,CODE]",
              help="Procedure codes to list (repeatable or comma-separated). Default: J0256.")
@output_options
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Read this many files in parallel processes.")
@click.option("--summary", "summary_only", is_flag=True,
              help="Print only the summary (as JSON), no records.")
@click.option("--diagnostics", "diagnostics_path", type=click.Path(dir_okay=False),
              help="Write every reader diagnostic to this file as JSON Lines.")
@click.option("--progress/--no-progress", default=None,
              help="Report progress on stderr (default: when stderr is a terminal).")
@click.option("--quiet", "-q", is_flag=True, help="No summary or diagnostics on stderr.")
def command(files, hcpcs, fmt, output, jobs, summary_only, diagnostics_path, progress, quiet):
    """List every J0256 service line of 837P / 837I FILES (or folders) with its claim context.

    One record per line: envelope, claim, payer, member, providers, procedure, modifiers,
    units, charge, dates, diagnoses, prior authorization, NDC. A summary of what was read
    (files, claims, lines, warnings) goes to stderr.

    \b
    Examples:
      edi-j0256 scan fixtures/837p-medicare.x12
      edi-j0256 scan claims/*.x12 --format jsonl -o j0256.jsonl --jobs 2
      edi-j0256 scan big.x12 --format parquet -o j0256.parquet

    Exit codes: 0 every file read (warnings allowed); 2 a file could not be read as X12
    at all, or bad options (the other files are still read and written).
    """
    codes = _codes(hcpcs)
    fmt = resolve_format(fmt, output)
    files = expand_inputs(files)
    if progress is None:
        progress = click.get_text_stream("stderr").isatty()
    totals = ReadStats()
    warnings = errors = 0
    unreadable: list[str] = []
    sink = open(diagnostics_path, "w", encoding="utf-8") if diagnostics_path else None  # noqa: SIM115

    def finish(result: FileScan, index: int) -> None:
        nonlocal warnings, errors
        totals.add(result.stats)
        warnings += result.diagnostics.count(Severity.WARNING)
        errors += result.diagnostics.count(Severity.ERROR)
        if result.error:
            unreadable.append(result.error)
            echo_err(f"error: {result.error}")
        if not quiet:
            report_diagnostics(result.diagnostics, sink=sink)
        elif sink:
            report_diagnostics(result.diagnostics, limit=0, sink=sink)
        if progress:
            echo_err(f"[{index}/{len(files)}] {result.file}: {result.stats.claims} claims, "
                     f"{result.stats.matched_lines} {'/'.join(codes)} lines")

    def records():
        if jobs > 1:
            for index, result in enumerate(scan_files(files, codes, jobs), 1):
                finish(result, index)
                yield from result.records
            return
        for index, path in enumerate(files, 1):
            # Every diagnostic streams to --diagnostics FILE as it happens; memory keeps
            # the first ones of each code.
            diagnostics = Diagnostics(sink=(lambda d: sink.write(diagnostic_json(d)))
                                      if sink else None)
            result = FileScan(str(path), diagnostics=diagnostics)
            stream, reader = iter_scan(path, hcpcs=codes, diagnostics=diagnostics)
            last = time.monotonic()
            try:
                for record in stream:
                    yield record
                    if progress and time.monotonic() - last > 2:
                        last = time.monotonic()
                        echo_err(f"  {path}: {reader.stats.claims} claims, "
                                 f"{reader.stats.matched_lines} lines so far")
            except X12ReadError as exc:
                result.error = str(exc)
            result.stats = reader.stats
            finish(result, index)

    try:
        if summary_only:
            for _ in records():
                pass
        else:
            emit(records(), fmt, output, TABLE_FIELDS)
    finally:
        if sink:
            sink.close()
    summary = {name: getattr(totals, name) for name in SUMMARY_FIELDS}
    summary.update(files=len(files), unreadable_files=len(unreadable), warnings=warnings,
                   errors=errors, hcpcs=list(codes))
    if summary_only:
        import json

        click.echo(json.dumps(summary))
    elif not quiet:
        echo_err("summary: " + ", ".join(f"{k} {v}" for k, v in summary.items()
                                         if k != "hcpcs"))
    if unreadable:
        raise SystemExit(2)
