"""Options and helpers shared by the commands: inputs, output format, writing records, errors.

- :func:`gather_inputs` turns the paths of a batch into the files to read and one-line
  problems (missing, unreadable, a FIFO or device), so a command reads what it can and exits
  2 at the end.
- :func:`open_output` / :func:`emit` / :func:`open_diagnostics` write through a temporary file
  that is renamed on success: an output error is one line naming the path (exit 2) and never
  leaves half a file.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import click

from edi_j0256.diagnostics import Diagnostic, Diagnostics
from edi_j0256.output import FORMATS, OutputError, atomic_path, write_records
from edi_j0256.safe_text import escape_controls
from edi_j0256.x12.sources import expand_sources, refusal_reason

DIAGNOSTICS_SHOWN = 20  # per file on stderr; all of them go to --diagnostics FILE


def expand_inputs(paths: Iterable[str | Path]) -> list[str]:
    """Paths as given, with every folder replaced by the files under it (sorted, recursive,
    hidden files and folders left out) and every zip archive by its members
    (``archive.zip!member``), so a batch job can point at a clearinghouse drop. One home:
    :func:`edi_j0256.x12.sources.expand_sources`."""
    return expand_sources(paths)


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
    """Standard output, or a text stream onto ``output`` that appears only when the block
    ends normally (written to a temporary file beside it, then renamed).

    Any problem (a missing or read-only folder, disk full) raises a one-line ``cannot write
    PATH: reason`` error with exit code 2, and no partial file is left behind.
    """
    if output is None or fmt == "parquet":
        yield click.get_text_stream("stdout")
        return
    try:
        with atomic_path(output) as temporary:
            try:
                with open(temporary, "w", encoding="utf-8", newline="") as stream:
                    yield stream
            except OSError as exc:
                raise OutputError(output, exc.strerror or str(exc)) from exc
    except OutputError as exc:
        raise fail(str(exc)) from None


def emit(records: Iterable[dict], fmt: str, output: str | None,
         table_fields: Sequence[str], csv_fields: Sequence[str] | None = None,
         kind: str | None = None) -> int:
    """Write records to ``output`` (or stdout); ``kind`` is their schema for Parquet
    (:mod:`edi_j0256.record_schema`)."""
    with open_output(output, fmt) as stream:
        try:
            return write_records(records, fmt, stream, table_fields=table_fields,
                                 csv_fields=csv_fields, path=output, kind=kind)
        except BrokenPipeError:  # the reader went away (``| head``): click exits quietly
            raise
        except OutputError as exc:  # parquet: the file could not be created or renamed
            raise fail(str(exc)) from None
        except (RuntimeError, OSError) as exc:  # e.g. parquet without pyarrow, disk full
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise fail(f"cannot write {output or 'output'}: {reason}") from None


def echo_err(message: str) -> None:
    """A message on stderr, control characters from values shown escaped."""
    click.echo(escape_controls(message, keep_newlines=True), err=True)


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
    """A one-line error with exit code 2 (unusable input); control characters escaped."""
    error = click.ClickException(escape_controls(message))
    error.exit_code = 2
    return error


# -- --diagnostics FILE ------------------------------------------------------------------------


@contextmanager
def open_diagnostics(path: str | None) -> Iterator[IO[str] | None]:
    """The ``--diagnostics FILE`` stream (``None`` without a path), written atomically.

    The file appears when the block ends (also when it ends with ``SystemExit``, so the
    diagnostics of a run that exits 2 are kept); an error creating or writing it is a one-line
    ``cannot write PATH: reason`` with exit code 2, and no partial file is left behind.
    """
    if path is None:
        yield None
        return
    try:
        with atomic_path(path) as temporary:
            try:
                with open(temporary, "w", encoding="utf-8") as stream:
                    try:
                        yield stream
                    except SystemExit as exit_:
                        stream.flush()
                        pending = exit_
                    else:
                        pending = None
            except OSError as exc:
                raise OutputError(path, exc.strerror or str(exc)) from exc
    except OutputError as exc:
        raise fail(str(exc)) from None
    if pending is not None:
        raise pending


# -- inputs of a batch -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class InputProblem:
    """One path of a batch that cannot be read: ``PATH: reason``."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(slots=True)
class Inputs:
    """What a batch's paths came to: the files to read, in order, and the unusable paths."""

    files: list[str] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)

    def report(self, echo: Callable[[str], None] | None = None) -> None:
        """One ``error: PATH: reason`` line per problem on stderr."""
        for problem in self.problems:
            (echo or echo_err)(f"error: {problem}")


def _check_file(path: str, st: os.stat_result | None = None) -> InputProblem | None:
    try:
        st = st or os.stat(path)
    except FileNotFoundError:
        return InputProblem(path, "no such file or folder")
    except OSError as exc:
        return InputProblem(path, f"cannot read: {exc.strerror or exc}")
    reason = refusal_reason(st.st_mode)  # a FIFO, device or socket: never opened
    if reason is not None:
        return InputProblem(path, reason)
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        return InputProblem(path, f"cannot read: {exc.strerror or exc}")
    return None


def gather_inputs(paths: Iterable[str | Path], *, stdin: bool = False) -> Inputs:
    """The files a batch names, with every unusable path reported instead of raised.

    Folders are replaced by the files under them (sorted, recursive, hidden files and folders
    left out, as :func:`expand_inputs`); a missing path, an unreadable file or folder
    (``chmod 000``), a FIFO, device or socket becomes an :class:`InputProblem`, so a FIFO can
    never block a batch. With ``stdin``, ``-`` is kept as a file (standard input).

    >>> gather_inputs(["no/such.x12"]).problems[0].reason
    'no such file or folder'
    """
    inputs = Inputs()
    for given in paths:
        name = str(given)
        if stdin and name == "-":
            inputs.files.append(name)
            continue
        try:
            st = os.stat(name)
        except OSError:
            st = None
        if st is not None and stat.S_ISDIR(st.st_mode):
            _gather_folder(Path(name), inputs)
            continue
        problem = _check_file(name, st)
        if problem is None:
            inputs.files.append(name)
        else:
            inputs.problems.append(problem)
    return inputs


def _gather_folder(folder: Path, inputs: Inputs) -> None:
    found: list[Path] = []

    def unreadable(exc: OSError) -> None:
        where = exc.filename or str(folder)
        inputs.problems.append(InputProblem(str(where),
                                            f"cannot read folder: {exc.strerror or exc}"))

    for root, dirs, names in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root, n) for n in names if not n.startswith("."))
    for path in sorted(found):
        problem = _check_file(str(path))
        if problem is None:
            inputs.files.append(str(path))
        else:
            inputs.problems.append(problem)


def emit_text(blocks: Iterable[str | bytes], output: str | None) -> None:
    """Write output already in its final format (:meth:`edi_j0256.scan.ScanRun.text`, the
    blocks of :func:`edi_j0256.parallel.scan_parallel_jsonl`) to ``output`` or standard
    output, with the same atomic file and one-line errors as :func:`emit`. Bytes go to the
    stream's binary buffer as they are (no decoding and encoding again)."""
    with open_output(output, "jsonl") as stream:
        try:
            buffer = getattr(stream, "buffer", None)
            for block in blocks:
                if isinstance(block, str):
                    stream.write(block)
                elif buffer is not None:
                    stream.flush()
                    buffer.write(block)
                else:
                    stream.write(block.decode("utf-8"))
            stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise fail(f"cannot write {output or 'output'}: {exc.strerror or exc}") from None
