"""Options and helpers shared by the commands: output format, writing records, errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import click

from edi_j0256.diagnostics import Diagnostic, Diagnostics
from edi_j0256.output import FORMATS, write_records

DIAGNOSTICS_SHOWN = 20  # per file on stderr; all of them go to --diagnostics FILE


def expand_inputs(paths: Iterable[str | Path]) -> list[str]:
    """Paths as given, with every directory replaced by the files under it (sorted, recursive,
    hidden files and folders left out), so a batch job can point at a clearinghouse drop."""
    files: list[str] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(str(p) for p in sorted(path.rglob("*")) if p.is_file()
                         and not any(part.startswith(".") for part in p.relative_to(path).parts))
        else:
            files.append(str(path))
    return files


def output_options(func: Callable) -> Callable:
    """``--format`` and ``--output``: the record writers every listing command offers."""
    func = click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
                        help="Write records to this file instead of standard output "
                             "(required for parquet).")(func)
    func = click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
                        help="Record format. Default: table on a terminal, jsonl otherwise.")(func)
    return func


def resolve_format(fmt: str | None, output: str | None) -> str:
    if fmt:
        if fmt == "parquet" and not output:
            raise click.UsageError("--format parquet needs --output PATH")
        return fmt
    if output:
        return "jsonl"
    return "table" if sys.stdout.isatty() else "jsonl"


@contextmanager
def open_output(output: str | None, fmt: str):
    if output is None or fmt == "parquet":
        yield click.get_text_stream("stdout")
        return
    try:
        stream = open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115
    except OSError as exc:
        raise click.UsageError(f"cannot write {output}: {exc.strerror}") from exc
    with stream:
        yield stream


def emit(records: Iterable[dict], fmt: str, output: str | None,
         table_fields: Sequence[str], csv_fields: Sequence[str] | None = None) -> int:
    with open_output(output, fmt) as stream:
        try:
            return write_records(records, fmt, stream, table_fields=table_fields,
                                 csv_fields=csv_fields, path=output)
        except BrokenPipeError:  # the reader went away (``| head``): click exits quietly
            raise
        except (RuntimeError, OSError) as exc:  # e.g. parquet without pyarrow, disk full
            raise fail(f"cannot write {output or 'output'}: {exc}") from exc


def echo_err(message: str) -> None:
    click.echo(message, err=True)


def diagnostic_json(diagnostic: Diagnostic) -> str:
    """One diagnostic as a JSON Lines row."""
    d = diagnostic
    return json.dumps({"file": d.file, "line": d.line, "segment": d.segment, "code": d.code,
                       "severity": str(d.severity), "message": d.message}) + "\n"


def report_diagnostics(diagnostics: Sequence[Diagnostic], limit: int = DIAGNOSTICS_SHOWN,
                       sink: IO[str] | None = None) -> None:
    """Show the first ``limit`` diagnostics on stderr; write the kept ones as JSONL to sink
    (a :class:`Diagnostics` that already streams to a sink is not written twice)."""
    total = diagnostics.count() if isinstance(diagnostics, Diagnostics) else len(diagnostics)
    for diagnostic in diagnostics[:limit]:
        echo_err(f"{diagnostic} [{diagnostic.severity}]")
    if total > limit:
        echo_err(f"... {total - limit} more diagnostics (--diagnostics FILE writes them all)")
    if sink is not None and not getattr(diagnostics, "sink", None):
        for d in diagnostics:
            sink.write(diagnostic_json(d))


def fail(message: str) -> click.ClickException:
    """A one-line error with exit code 2 (unusable input)."""
    error = click.ClickException(message)
    error.exit_code = 2
    return error
