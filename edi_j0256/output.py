"""Writers for the records every command produces: table, jsonl, json, csv, parquet.

A record is a plain ``dict`` of JSON-friendly values (str, int, float, bool, None, list,
dict). Writers stream: JSON Lines and CSV write one record at a time; JSON writes an array
without building a list first. Money and quantities arrive as :class:`~decimal.Decimal` and
leave as JSON numbers with every digit they came with (ints when whole; see
:func:`number_text`).

What people open is made safe here, once for every command: CSV text cells that a spreadsheet
would run as a formula are neutralised (:func:`~edi_j0256.safe_text.csv_cell`), and table
cells show control characters escaped (:func:`~edi_j0256.safe_text.escape_controls`).
Parquet files are written to a temporary file beside the target and renamed on success.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date
from decimal import Decimal
from itertools import chain, islice
from math import isfinite
from typing import IO, Any

import orjson

from edi_j0256.safe_text import csv_cell, escape_controls

FORMATS = ("table", "jsonl", "json", "csv", "parquet")


class OutputError(Exception):
    """An output file could not be written: ``cannot write PATH: reason`` (exit code 2)."""

    def __init__(self, path: str, reason: str):
        self.path, self.reason = path, reason
        super().__init__(f"cannot write {path}: {reason}")


def _reason(exc: OSError, folder: str) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"folder {folder or '.'} does not exist"
    if isinstance(exc, NotADirectoryError):
        return f"{folder} is not a folder"
    return exc.strerror or str(exc)


_UMASK = os.umask(0o022)
os.umask(_UMASK)


@contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """A temporary path in ``path``'s folder, renamed to ``path`` when the block ends normally.

    On any error (disk full, an exception in the block) the temporary file is removed and
    ``path`` is left as it was: a reader never sees half a file. Problems creating or renaming
    the file raise :class:`OutputError`. A target that exists and is not a regular file (a
    FIFO, ``/dev/null``) is written in place.
    """
    target = os.path.realpath(path)
    try:
        mode = os.stat(target).st_mode
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        if stat.S_ISDIR(mode):
            raise OutputError(path, "is a folder")
        yield target
        return
    folder = os.path.dirname(target)
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.",
                                         suffix=".part", dir=folder)
        os.close(fd)
    except OSError as exc:
        raise OutputError(path, _reason(exc, os.path.dirname(path))) from None
    try:
        yield temporary
        os.chmod(temporary, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_UMASK)
        os.replace(temporary, target)
    except OSError as exc:
        with suppress(OSError):
            os.unlink(temporary)
        raise OutputError(path, exc.strerror or str(exc)) from exc
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


def plain(value: Any) -> Any:
    """A value as a JSON reader would hold it: Decimal -> int/float, date -> ISO text,
    tuple -> list (what the Parquet and Spark columns hold: a float can lose digits that
    :func:`number_text` keeps).

    A Decimal that is not a number (NaN, Infinity: JSON has no such value) becomes None; one
    too large for a float (``1E+5000``, which the readers should have refused) its own text.
    """
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        if value.adjusted() >= 300:  # past what int text or a float can carry: its own text
            return str(value)
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def number_text(value: Decimal) -> str:
    """The JSON number of a finite Decimal under 1E+300, with all its digits.

    Whole: the integer (``4500``, ``12.00`` -> ``12``). Otherwise the shortest float text
    when that float is exactly the Decimal (``12.5``, ``0.001``, ``1e-07``: what a float
    would have given), else the Decimal's own text without trailing zeros: X12 amounts and
    quantities may carry 18 digits (R 1/18), and ``0.123456789012345678`` as a float is
    ``0.12345678901234568``.
    """
    number = _held_exactly(value)
    if number is not None:
        return repr(number)
    text = str(value)
    return text if "E" in text else text.rstrip("0")


def _held_exactly(value: Decimal) -> int | float | None:
    """The int (whole) or float that is exactly a finite Decimal under 1E+300, else None."""
    if value == value.to_integral_value():
        return int(value)
    number = float(value)
    return number if Decimal(repr(number)) == value else None


def decimal_json(value: Decimal) -> str:
    """A Decimal as JSON text: :func:`number_text`, ``null`` when it is not a number, and
    the quoted text of one past 1E+300 (see :func:`plain`)."""
    if not value.is_finite():
        return "null"
    if value.adjusted() >= 300:
        return _encode_scalar(str(value))
    return number_text(value)


class _Inexact(Exception):
    """A Decimal that no float holds exactly: the stdlib encoder cannot write it."""


def _stdlib_default(value: Any) -> Any:
    """The stdlib encoder's hook: a Decimal as the int or float that holds it exactly (else
    :class:`_Inexact`), a date as ISO text; anything else is refused."""
    if isinstance(value, Decimal):
        if value.is_finite() and value.adjusted() < 300:
            number = _held_exactly(value)
            if number is None:
                raise _Inexact
            return number
        return plain(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


_encode_scalar = json.JSONEncoder(ensure_ascii=False, default=_stdlib_default).encode


def encode_value(value: Any) -> str:
    """Any value as JSON text, as the stdlib encoder writes it (``", "`` and ``": "``
    between items, ``ensure_ascii=False``), with a Decimal as :func:`decimal_json` and a
    float that is not a number as ``null``: :func:`encode_record`'s path for what orjson
    cannot write the same way (records in lists, lone surrogates, huge ints, keys that are
    not text). The stdlib's C encoder writes it, unless a Decimal has more digits than a
    float holds or a value is NaN: then it is written here, value by value (and what is
    not JSON is refused with TypeError)."""
    try:
        return _ENCODE_STDLIB(value)
    except (_Inexact, ValueError, TypeError):  # TypeError: sNaN cannot be a memo's key
        return _encode_exact(value)


def _encode_exact(value: Any) -> str:
    if isinstance(value, Decimal):
        return decimal_json(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {_encode_exact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_encode_exact(v) for v in value) + "]"
    if isinstance(value, float) and not isfinite(value):
        return "null"  # JSON has no NaN
    return _encode_scalar(value)


def _key(key: Any) -> str:
    """A key as the stdlib writes it: text quoted; a number, bool or None as its JSON text,
    quoted."""
    if isinstance(key, str):
        return _encode_scalar(key)
    return _encode_scalar({key: 0})[1:-len(": 0}")]


# -- JSON through orjson, byte for byte what ``encode_value`` writes ----------------------------
# orjson writes compact JSON, but the records' format has a space after ``,`` and ``:``. With
# OPT_INDENT_2 orjson writes ``": "`` and puts every item on its own line; raw newlines can
# only be structure (strings escape theirs), so turning ``,\n<indent>`` into ``", "`` and
# dropping the other ``\n<indent>`` gives exactly the stdlib's text, in C. Decimals become
# Fragments of their ``number_text``. Deeper nesting than a list in a record, an output with
# a float orjson spells differently (1e-05, 0.00001), a lone surrogate, a huge int or a
# non-text key go through ``encode_value``: same bytes, slower.

_FRAGMENT = orjson.Fragment
_INDENT = orjson.OPT_INDENT_2


def _orjson_default(value: Any) -> Any:
    if type(value) is Decimal:
        text = str(value)
        if text.isdigit():
            return _FRAGMENT(text)
        if not value.is_finite():
            return None
        return text if value.adjusted() >= 300 else _FRAGMENT(number_text(value))
    return plain(value) if isinstance(value, (Decimal, date)) else _stdlib_default(value)


class _Memo(dict):
    """Decimal -> what an encoder's ``default`` hook gives for it, filled on first use.

    Its ``__getitem__`` is the hook: a Decimal seen before costs one C-level dict look-up
    instead of a Python call (amounts and units repeat). Equal Decimals (``1.0``, ``1``)
    share a key and give the same number. Only finite Decimals are kept (NaN is never equal
    to itself); anything else is handed to the hook every time. Bounded: emptied when full.
    """

    def __init__(self, hook: Any) -> None:
        super().__init__()
        self.hook = hook

    def __missing__(self, value: Any) -> Any:
        read = self.hook(value)
        if type(value) is Decimal and value.is_finite():
            if len(self) >= 8192:
                self.clear()
            self[value] = read
        return read


_fragment = _Memo(_orjson_default).__getitem__  # Decimal -> its number_text Fragment
# allow_nan=False: a NaN float is refused (the stdlib would write NaN), then written as null
_ENCODE_STDLIB = json.JSONEncoder(ensure_ascii=False, allow_nan=False,
                                  default=_Memo(_stdlib_default).__getitem__).encode
# Values a flat record may hold for the compact path; anything else (float, dict, datetime,
# a subclass) takes the indented path, whose handling of each is what the stdlib writes.
_FLAT_VALUES = frozenset({str, int, bool, type(None), Decimal, date})
_FLAT_ITEMS = frozenset({str, int, bool, type(None), Decimal})


def encode_record(record: dict) -> str:
    """One record as JSON text, exactly as :func:`encode_value` writes it: the text of
    ``json`` with ``ensure_ascii=False``, every Decimal with all its digits, and NaN and
    infinite values (which no record carries) as ``null``.

    A flat record (scalars and lists of scalars) is written compact by orjson, and ``:`` and
    ``,`` become ``": "`` and ``", "``: that is right only where every ``:`` and ``,`` in
    the text is a separator, which the counts prove (one ``:`` per key, and one ``,``
    between keys and between list items; any more means a string holds one). Anything else
    goes through :func:`_encode_indented`.
    """
    commas = len(record) - 1
    flat, items = _FLAT_VALUES, _FLAT_ITEMS
    for value in record.values():
        kind = type(value)
        if kind is list or kind is tuple:
            if value:
                commas += len(value) - 1
                for item in value:
                    if type(item) not in items:
                        return _encode_indented(record)
        elif kind not in flat:
            return _encode_indented(record)
    try:
        text = orjson.dumps(record, default=_fragment)
    except (orjson.JSONEncodeError, TypeError):
        return _encode_indented(record)
    if text.count(b":") != len(record) or text.count(b",") != commas:
        return _encode_indented(record)
    return text.replace(b":", b": ").replace(b",", b", ").decode()


def _encode_indented(record: dict) -> str:
    """What :func:`encode_record` gives, for any record: orjson's indented text with the
    indentation taken out (module comment above), else :func:`encode_value`."""
    for value in record.values():  # records inside lists (remit adjustments): the stdlib
        if type(value) is list and value and type(value[0]) is dict:  # writes them at once
            return encode_value(record)
    try:
        text = orjson.dumps(record, default=_orjson_default, option=_INDENT)
    except (orjson.JSONEncodeError, TypeError):
        return encode_value(record)
    if text[:1] != b"{" or b"\n      " in text or b"e-" in text or b"0.0000" in text:
        return encode_value(record)
    if len(text) < 4:  # {}
        return "{}"
    text = text[4:-2].replace(b",\n    ", b", ").replace(b"[\n    ", b"[").replace(b"\n  ]", b"]")
    if b"\n  }" in text:  # a record inside the record
        text = text.replace(b"{\n    ", b"{").replace(b"\n  }", b"}")
    return "{" + text.replace(b",\n  ", b", ").decode() + "}"


_JSONL_BATCH = 64  # records per write: a stream write costs more than joining a few lines


def write_jsonl(records: Iterable[dict], stream: IO[str]) -> int:
    """One JSON text per line. Lines are written in small batches; the lines of the records
    read before an error in ``records`` are written before it propagates."""
    count = 0
    held: list[str] = []
    hold = held.append
    encode = encode_record
    try:
        for record in records:
            hold(encode(record))
            count += 1
            if len(held) >= _JSONL_BATCH:
                held.append("")
                stream.write("\n".join(held))
                held.clear()
    finally:
        if held:
            held.append("")
            stream.write("\n".join(held))
    return count


def write_json(records: Iterable[dict], stream: IO[str]) -> int:
    count = 0
    stream.write("[")
    for record in records:
        stream.write(",\n  " if count else "\n  ")
        stream.write(encode_record(record))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count


def _cell(value: Any) -> str:
    """A value as one cell's text: numbers with all their digits, dates in ISO form, a list
    joined with ``;``, records as their JSON text; None (and NaN) empty."""
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], dict):
            return encode_value(value)
        return ";".join(str(_exact(v)) for v in value)
    if isinstance(value, dict):
        return encode_value(value)
    value = _exact(value)
    return "" if value is None else str(value)


def _exact(value: Any) -> Any:
    """:func:`plain`, but a Decimal as its :func:`number_text` (no digit lost to a float)."""
    if type(value) is Decimal and value.is_finite() and value.adjusted() < 300:
        return number_text(value)
    return plain(value)


def _csv_value(value: Any) -> str:
    """A CSV cell: the text of :func:`_cell`, neutralised when a spreadsheet would run it."""
    return csv_cell(_cell(value))


def _table_cell(value: Any) -> str:
    """A table cell: the text of :func:`_cell` with control characters shown escaped."""
    return escape_controls(_cell(value))


def write_csv(records: Iterable[dict], stream: IO[str], fields: Sequence[str] | None = None) -> int:
    """CSV with a header; lists join with ``;``, nested records become JSON text.

    Every cell goes through :func:`~edi_j0256.safe_text.csv_cell`: text that starts like a
    formula (``=``, ``+``, ``-``, ``@``, tab, CR) gets a leading ``'``; numbers stay numbers.
    """
    iterator: Iterator[dict] = iter(records)
    first = next(iterator, None)
    if first is None:
        if fields:
            stream.write(_csv_row([csv_cell(str(f)) for f in fields]))
        return 0
    columns = list(fields or first.keys())
    write = stream.write
    write(_csv_row([csv_cell(str(c)) for c in columns]))
    count = 0
    cell = _csv_value
    for row in chain((first,), iterator):
        write(_csv_row([cell(row.get(c)) for c in columns]))
        count += 1
    return count


_CSV_QUOTE = re.compile(r'[,"\r\n]')


def _csv_row(cells: list[str]) -> str:
    """One CSV row as :mod:`csv` writes it (minimal quoting, ``\\n`` line ends), except that a
    cell holding a carriage return is quoted too (``csv`` quotes only the line terminator's
    characters, so a CR in a value would break the row)."""
    if len(cells) == 1 and not cells[0]:
        return '""\n'
    quote = _CSV_QUOTE.search
    return ",".join(['"' + c.replace('"', '""') + '"' if quote(c) else c
                     for c in cells]) + "\n"


PATH_COLUMNS = frozenset({"file", "remit_file"})  # long values: keep their end, not start


def write_table(records: Iterable[dict], stream: IO[str], fields: Sequence[str],
                max_width: int = 28, sample: int = 200) -> int:
    """A readable fixed-width table of the chosen columns, for a terminal.

    Column widths come from the first ``sample`` rows; the rest stream through with those
    widths, so a long listing is not held in memory. Over-long cells are cut with an
    ellipsis (paths keep their end: the file name). Control characters in values are shown
    escaped (``\\x1b``), so a value cannot drive the terminal.
    """
    iterator = iter(records)
    head = [[_table_cell(r.get(c)) for c in fields] for r in islice(iterator, sample)]
    widths = [min(max([len(c)] + [len(row[i]) for row in head]), max_width)
              for i, c in enumerate(fields)]
    tails = [c in PATH_COLUMNS for c in fields]

    def fmt(cells: Sequence[str]) -> str:
        out = []
        for cell, width, tail in zip(cells, widths, tails, strict=True):
            if len(cell) > width:
                cell = "…" + cell[len(cell) - width + 1:] if tail else cell[: width - 1] + "…"
            out.append(cell.ljust(width))
        return "  ".join(out).rstrip()

    stream.write(fmt([escape_controls(str(f)) for f in fields]) + "\n")
    stream.write("  ".join("-" * w for w in widths) + "\n")
    count = 0
    for row in chain(head, ([_table_cell(r.get(c)) for c in fields] for r in iterator)):
        stream.write(fmt(row) + "\n")
        count += 1
    return count


def _parquet_value(value: Any, kind: str) -> Any:
    """A value that is not yet what its Parquet column (``record_schema.column_type``)
    holds: a Decimal as a float, a date as ISO text, anything else in a text column (records
    in a JSON column) as its JSON text."""
    if value is None:
        return None
    if kind == "number":
        return float(value) if type(value) is Decimal else value
    if isinstance(value, date):
        return value.isoformat()
    return encode_value(value)


def _parquet_column(values: list, kind: str, item: str | None) -> list:
    """A batch's values of one column as its Parquet type holds them (money and quantities
    as floats, dates as ISO text, records as their JSON text); integers, booleans and lists
    of text as they are."""
    if kind == "number":
        return [float(v) if type(v) is Decimal else v for v in values]
    if kind == "string":
        return [v if v is None or type(v) is str else _parquet_value(v, kind) for v in values]
    if kind == "json":
        return [None if v is None else _parquet_value(v, kind) for v in values]
    if kind == "list" and item != "string":
        return [v if v is None else [_parquet_value(x, item) if item == "number" else x
                                     for x in v] for v in values]
    return values


def write_parquet(records: Iterable[dict], path: str, kind: str | None = None,
                  batch_size: int = 50_000) -> int:
    """Parquet through pyarrow (the ``parquet`` extra), written in batches of ``batch_size``.

    Every batch has the columns and types of the ``kind``'s JSON Schema in ``schemas/``
    (:func:`edi_j0256.record_schema.arrow_schema`: ``scan``, ``finding``, ``remit``, ``plb``,
    ``reconcile``, ``orphan``), whatever the first batch holds; without ``kind``, the kind
    whose schema fits the first record. A record with a field its schema does not describe,
    or a value its column cannot hold, is a ``RuntimeError`` naming the field (never the
    value). The file appears only when complete (:func:`atomic_path`).
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError("parquet output needs pyarrow (the parquet extra)") from exc
    from edi_j0256 import record_schema

    iterator = iter(records)
    first = next(iterator, None)
    if kind is None and first is not None:
        kind = record_schema.kind_of(first)
        if kind is None:
            raise RuntimeError("record 1 fits no record schema of schemas/")
    schema = record_schema.arrow_schema(kind) if kind else pa.schema([])
    columns = record_schema.columns(kind) if kind else ()
    names = frozenset(name for name, _, _ in columns)
    count = 0
    batch: list[dict] = []

    def flush(writer) -> None:
        arrays = []
        for (name, column, item), field in zip(columns, schema, strict=True):
            try:
                values = _parquet_column([r.get(name) for r in batch], column, item)
                arrays.append(pa.array(values, type=field.type))
            except (pa.ArrowException, TypeError, ValueError, OverflowError) as exc:
                raise RuntimeError(f"field {name} of record {count - len(batch) + 1}..{count} "
                                   f"is not {field.type} ({type(exc).__name__})") from None
        writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
        batch.clear()

    with atomic_path(path) as temporary, pq.ParquetWriter(temporary, schema) as writer:
        for record in chain(() if first is None else (first,), iterator):
            if not names.issuperset(record):
                extra = ", ".join(sorted(set(record) - names))
                raise RuntimeError(f"record {count + 1} has fields the {kind} schema of "
                                   f"schemas/ does not describe: {extra}")
            batch.append(record)
            count += 1
            if len(batch) >= batch_size:
                flush(writer)
        if batch or not count:
            flush(writer)
    return count


def write_records(records: Iterable[dict], fmt: str, stream: IO[str],
                  table_fields: Sequence[str] = (), csv_fields: Sequence[str] | None = None,
                  path: str | None = None, kind: str | None = None) -> int:
    """Write records in one of :data:`FORMATS`; returns how many were written. ``kind``
    names the records' schema for Parquet (:func:`write_parquet`)."""
    if fmt == "jsonl":
        return write_jsonl(records, stream)
    if fmt == "json":
        return write_json(records, stream)
    if fmt == "csv":
        return write_csv(records, stream, csv_fields)
    if fmt == "table":
        return write_table(records, stream, table_fields)
    if fmt == "parquet":
        if not path:
            raise ValueError("parquet output needs --output PATH")
        return write_parquet(records, path, kind)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
