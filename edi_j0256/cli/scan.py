"""``edi-j0256 scan``: list the J0256 service lines of 837P / 837I files."""

from __future__ import annotations

import json
from pathlib import Path

import click

from edi_j0256.cli.common import (
    echo_err,
    emit,
    emit_text,
    output_options,
    report_diagnostics,
    resolve_format,
)
from edi_j0256.codes import DEFAULT_HCPCS, normalize_codes
from edi_j0256.scan import TABLE_FIELDS, FileScan, ScanRun, diagnostic_row

SUMMARY_FIELDS = ("files", "interchanges", "transactions", "claims", "claims_read",
                  "claims_skipped", "claims_unreadable", "service_lines", "matched_lines")


@click.command("scan")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--hcpcs", multiple=True, metavar="CODE[,CODE]",
              help="Procedure codes to list (repeatable or comma-separated); ALL lists every "
                   "line. Default: J0256 (none when only --revenue is given).")
@click.option("--revenue", multiple=True, metavar="CODE[,CODE]",
              help="837I revenue codes (SV201) to list, e.g. 0636.")
@output_options
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Read this many files in parallel processes (one large file: in this many "
                   "pieces, cut at ISA/ST boundaries); the records are the same as with 1.")
@click.option("--summary", "summary_only", is_flag=True,
              help="Print only the summary (as JSON), no records.")
@click.option("--diagnostics", "diagnostics_path", type=click.Path(dir_okay=False),
              help="Write every reader diagnostic to this file as JSON Lines.")
@click.option("--progress/--no-progress", default=None,
              help="Report progress on stderr (default: when stderr is a terminal).")
@click.option("--quiet", "-q", is_flag=True, help="No summary or diagnostics on stderr.")
def command(files, hcpcs, revenue, fmt, output, jobs, summary_only, diagnostics_path, progress,
            quiet):
    """List every J0256 service line of 837P / 837I FILES (or folders) with its claim context.

    One record per line: envelope, claim, payer, member, providers, procedure, modifiers,
    units, charge, dates, diagnoses, prior authorization, NDC. A summary of what was read
    (files, claims, lines, warnings) goes to stderr. FILES may be gzip files, zip archives
    (each member is read as ARCHIVE.zip!MEMBER) and files wrapped at a fixed width.

    \b
    Examples:
      edi-j0256 scan fixtures/837p-medicare.x12
      edi-j0256 scan claims/*.x12 --format jsonl -o j0256.jsonl --jobs 2
      edi-j0256 scan fixtures/837i-outpatient.x12 --revenue 0636 --hcpcs ALL
      edi-j0256 scan big.x12 --format parquet -o j0256.parquet

    Exit codes: 0 every file read (warnings allowed); 2 a file could not be read as X12
    at all, was of another kind (an 835 ...), or bad options (the other files are still
    read and written).
    """
    codes = normalize_codes(hcpcs, default=() if revenue else DEFAULT_HCPCS)
    fmt = resolve_format(fmt, output)
    if progress is None:
        progress = click.get_text_stream("stderr").isatty()
    sink = _open_sink(diagnostics_path)

    def on_file(result: FileScan, index: int, total: int) -> None:
        if result.error:
            echo_err(f"error: {result.error}")
        if not quiet:
            report_diagnostics(result.diagnostics)
        if progress:
            echo_err(f"[{index}/{total}] {result.file}: {result.stats.claims} claims, "
                     f"{result.stats.matched_lines} matching lines")

    run = ScanRun(files, hcpcs=codes, revenue=revenue, jobs=jobs, on_file=on_file,
                  on_diagnostic=(lambda d: sink.write(diagnostic_row(d))) if sink else None,
                  on_progress=(lambda path, stats: echo_err(
                      f"  {path}: {stats.claims} claims, {stats.matched_lines} lines so far"))
                  if progress else None)
    try:
        if summary_only:  # records read and dropped (with --jobs: as the workers' bytes)
            for _ in run.text("jsonl") if jobs > 1 else run.records():
                pass
        elif jobs > 1 and fmt in _worker_formats():  # the workers format the records
            emit_text(run.text(fmt), output)
        else:
            emit(run.records(), fmt, output, TABLE_FIELDS, kind="scan")
    finally:
        if sink:
            sink.close()
    totals = run.totals
    summary = {name: getattr(totals.stats, name) for name in SUMMARY_FIELDS}
    summary.update(files=len(run.inputs), unreadable_files=len(totals.unreadable),
                   warnings=totals.warnings, errors=totals.errors, hcpcs=list(run.hcpcs),
                   revenue=list(run.revenue))
    if summary_only:
        click.echo(json.dumps(summary))
    elif not quiet:
        echo_err("summary: " + ", ".join(f"{k} {v}" for k, v in summary.items()
                                         if k not in ("hcpcs", "revenue")))
    if totals.unreadable:
        raise SystemExit(2)


def _worker_formats() -> tuple[str, ...]:
    """The formats ``--jobs`` workers write themselves; :mod:`edi_j0256.parallel` is imported
    only then (a scan with ``--jobs 1`` does not need it, nor its start-up cost)."""
    from edi_j0256.parallel import TEXT_FORMATS

    return TEXT_FORMATS


def _open_sink(path: str | None):
    if not path:
        return None
    try:
        return open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by the command
    except OSError as exc:
        echo_err(f"error: cannot write {path}: {exc.strerror or exc}")
        raise SystemExit(2) from exc
