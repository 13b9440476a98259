"""Writers for the records every command produces: table, jsonl, json, csv, parquet.

A record is a plain ``dict`` of JSON-friendly values (str, int, float, bool, None, list,
dict). Writers stream: JSON Lines and CSV write one record at a time; JSON writes an array
without building a list first. Money and quantities arrive as :class:`~decimal.Decimal` and
leave as JSON numbers (ints when whole).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from itertools import chain, islice
from typing import IO, Any

FORMATS = ("table", "jsonl", "json", "csv", "parquet")


def plain(value: Any) -> Any:
    """A value as JSON would carry it: Decimal -> int/float, date -> ISO text, tuple -> list."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def _json_default(value: Any) -> Any:
    """What ``json`` cannot write itself: Decimal as a number, date as ISO text."""
    if isinstance(value, (Decimal, date)):
        return plain(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


_encode = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode


def write_jsonl(records: Iterable[dict], stream: IO[str]) -> int:
    count = 0
    write = stream.write
    for record in records:
        write(_encode(record))
        write("\n")
        count += 1
    return count


def write_json(records: Iterable[dict], stream: IO[str]) -> int:
    count = 0
    stream.write("[")
    for record in records:
        stream.write(",\n  " if count else "\n  ")
        stream.write(_encode(record))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count


def _cell(value: Any) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return json.dumps(value, ensure_ascii=False)
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_csv(records: Iterable[dict], stream: IO[str], fields: Sequence[str] | None = None) -> int:
    """CSV with a header; lists join with ``;``, nested records become JSON text."""
    iterator: Iterator[dict] = iter(records)
    first = next(iterator, None)
    if first is None:
        if fields:
            csv.writer(stream).writerow(fields)
        return 0
    columns = list(fields or first.keys())
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in chain((first,), iterator):
        writer.writerow([_cell(row.get(c)) for c in columns])
        count += 1
    return count


PATH_COLUMNS = frozenset({"file", "remit_file"})  # long values: keep their end, not start


def write_table(records: Iterable[dict], stream: IO[str], fields: Sequence[str],
                max_width: int = 28, sample: int = 200) -> int:
    """A readable fixed-width table of the chosen columns, for a terminal.

    Column widths come from the first ``sample`` rows; the rest stream through with those
    widths, so a long listing is not held in memory. Over-long cells are cut with an
    ellipsis (paths keep their end: the file name).
    """
    iterator = iter(records)
    head = [[_cell(r.get(c)) for c in fields] for r in islice(iterator, sample)]
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

    stream.write(fmt(fields) + "\n")
    stream.write("  ".join("-" * w for w in widths) + "\n")
    count = 0
    for row in chain(head, ([_cell(r.get(c)) for c in fields] for r in iterator)):
        stream.write(fmt(row) + "\n")
        count += 1
    return count


def _parquet_row(record: dict) -> dict:
    """Flat values for Parquet: money and quantities as floats, nested records as JSON."""
    row = {}
    for key, value in record.items():
        if isinstance(value, Decimal):
            value = float(value)
        value = plain(value)
        if isinstance(value, dict) or (isinstance(value, list) and value
                                       and isinstance(value[0], dict)):
            value = json.dumps(value, ensure_ascii=False)
        row[key] = value
    return row


def write_parquet(records: Iterable[dict], path: str, batch_size: int = 50_000) -> int:
    """Parquet through pyarrow (the ``parquet`` extra), written in batches.

    The schema comes from the first batch; a column that is null all through it becomes a
    string column (a list of strings for an empty list) and later values are written as text,
    so a late first value never fails the file.
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError("parquet output needs pyarrow (the parquet extra)") from exc
    writer = None
    textual: dict[str, bool] = {}  # columns settled as text: name -> is a list
    count = 0
    batch: list[dict] = []

    def settle(schema):
        fields = []
        for field in schema:
            if pa.types.is_null(field.type):
                field = field.with_type(pa.string())
                textual[field.name] = False
            elif pa.types.is_list(field.type) and pa.types.is_null(field.type.value_type):
                field = field.with_type(pa.list_(pa.string()))
                textual[field.name] = True
            fields.append(field)
        return pa.schema(fields)

    def as_text(row: dict) -> dict:
        for name, is_list in textual.items():
            value = row.get(name)
            if value is None:
                continue
            if is_list:
                row[name] = [v if isinstance(v, str) else json.dumps(v) for v in value]
            elif not isinstance(value, str):
                row[name] = json.dumps(value)
        return row

    def flush() -> None:
        nonlocal writer
        rows = [_parquet_row(r) for r in batch]
        if writer is None:
            writer = pq.ParquetWriter(path, settle(pa.Table.from_pylist(rows).schema))
        try:
            table = pa.Table.from_pylist([as_text(r) for r in rows], schema=writer.schema)
        except (pa.ArrowException, TypeError, ValueError) as exc:
            raise RuntimeError(f"record {count - len(batch) + 1}..{count} does not fit the "
                               f"Parquet schema set by the first batch: {exc}") from exc
        writer.write_table(table)
        batch.clear()

    try:
        for record in records:
            batch.append(record)
            count += 1
            if len(batch) >= batch_size:
                flush()
        if batch or writer is None:
            flush()
    finally:
        if writer is not None:
            writer.close()
    return count


def write_records(records: Iterable[dict], fmt: str, stream: IO[str],
                  table_fields: Sequence[str] = (), csv_fields: Sequence[str] | None = None,
                  path: str | None = None) -> int:
    """Write records in one of :data:`FORMATS`; returns how many were written."""
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
        return write_parquet(records, path)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
