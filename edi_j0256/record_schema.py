"""The record kinds the commands write, their JSON Schemas (``schemas/``), and their Parquet
columns.

One home for what a field's JSON Schema says about its type: :func:`value_type` (used by the
Spark schemas, :mod:`edi_j0256.spark.schema`, and by :func:`arrow_schema` here). Nothing in
this module imports pyspark; pyarrow only inside :func:`arrow_schema`.

A kind is a file of ``schemas/`` and, where the file describes more than one record, the
definition under its ``$defs``:

==================  ==============================================  ==========================
kind                records                                         JSON Schema
==================  ==============================================  ==========================
``scan``            ``scan``                                        scan-record.schema.json
``finding``         ``check`` findings                              finding.schema.json
``remit``           ``remit``                                       remit.schema.json
``plb``             ``remit --plb``                                 remit.schema.json plb_record
``reconcile``       ``reconcile`` lines                             reconcile.schema.json line
``orphan``          ``reconcile --orphans FILE``                    reconcile.schema.json orphan
==================  ==============================================  ==========================

Parquet columns are the schema's properties, in its order (the records' order), every one
nullable, whatever the records of the first batch hold:

- ``string`` (dates too, as ``YYYY-MM-DD`` text, as JSON carries them), an ``enum`` or a
  ``const``: string;
- ``integer``: int64; ``number`` (money, quantities): double; ``boolean``: bool;
- an ``array`` of scalars: a list of the item's type;
- an ``array`` of records (remit ``adjustments``, ``claim_adjustments``; reconcile
  ``adjustments``, ``history``) and any record: string, the JSON text of the value (``[]``
  when there is none).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

KINDS: dict[str, tuple[str, str | None]] = {
    "scan": ("scan-record.schema.json", None),
    "finding": ("finding.schema.json", None),
    "remit": ("remit.schema.json", None),
    "plb": ("remit.schema.json", "plb_record"),
    "reconcile": ("reconcile.schema.json", "line"),
    "orphan": ("reconcile.schema.json", "orphan"),
}

SCALARS = ("string", "integer", "number", "boolean")


def schema_text(name: str) -> str:
    """A file of ``schemas/``: the package's resource (``spark/schemas`` links to the
    checkout's ``schemas/``, and a wheel carries the files as package data), else the
    checkout's folder itself (a checkout without symlinks). Read without importing the
    ``edi_j0256.spark`` package."""
    package = resources.files("edi_j0256")
    resource = package / "spark" / "schemas" / name
    if resource.is_file():
        return resource.read_text(encoding="utf-8")
    return (Path(str(package)).parent / "schemas" / name).read_text(encoding="utf-8")


@cache
def schema_document(name: str) -> dict:
    """The parsed JSON Schema file ``name`` of ``schemas/``."""
    return json.loads(schema_text(name))


@cache
def record_schema(kind: str) -> dict:
    """The JSON Schema of one record kind (a key of :data:`KINDS`)."""
    name, definition = KINDS[kind]
    document = schema_document(name)
    return document["$defs"][definition] if definition else document


def properties(kind: str) -> dict[str, dict]:
    """The fields of a kind, in the schema's (and the records') order, ``$ref`` resolved."""
    document = schema_document(KINDS[kind][0])
    return {name: resolve(spec, document)
            for name, spec in record_schema(kind)["properties"].items()}


def resolve(spec: dict, document: dict) -> dict:
    """``spec`` with a local ``$ref`` (``#/$defs/NAME``) replaced by what it points at."""
    while "$ref" in spec:
        node: Any = document
        for part in spec["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        spec = node
    return spec


def value_type(spec: dict) -> str:
    """The JSON type of a field's non-null values: ``string`` (also for an ``enum``, a
    ``const`` and an empty schema), ``integer``, ``number``, ``boolean``, ``array`` or
    ``object``; ``null`` left out of a list of types."""
    kinds = spec.get("type")
    kinds = [k for k in (kinds if isinstance(kinds, list) else [kinds]) if k and k != "null"]
    if kinds:
        return kinds[0]
    return "string" if "enum" in spec or "const" in spec or not spec else "object"


def column_type(spec: dict, document: dict) -> tuple[str, str | None]:
    """A field's Parquet column as ``(type, item type)``: a scalar of :data:`SCALARS` with
    None, ``("list", SCALAR)`` for an array of scalars, or ``("json", None)`` for records
    carried as JSON text."""
    kind = value_type(spec)
    if kind in SCALARS:
        return kind, None
    if kind == "array":
        item = value_type(resolve(spec.get("items") or {}, document))
        if item in SCALARS:
            return "list", item
    return "json", None


@cache
def columns(kind: str) -> tuple[tuple[str, str, str | None], ...]:
    """``(name, type, item type)`` of every column of a kind (:func:`column_type`)."""
    document = schema_document(KINDS[kind][0])
    return tuple((name, *column_type(spec, document)) for name, spec in properties(kind).items())


@cache
def arrow_schema(kind: str):
    """The pyarrow schema of a kind's Parquet file (the module notes say how it is made)."""
    import pyarrow as pa

    scalar = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(),
              "boolean": pa.bool_()}
    fields = []
    for name, kind_of, item in columns(kind):
        if kind_of == "list":
            arrow = pa.list_(scalar[item])
        elif kind_of == "json":
            arrow = pa.string()
        else:
            arrow = scalar[kind_of]
        fields.append(pa.field(name, arrow, nullable=True))
    return pa.schema(fields)


def kind_of(record: dict) -> str | None:
    """The kind whose schema has every field of ``record`` and all its required fields
    (for callers of the Parquet writer that do not name the kind), or None."""
    names = set(record)
    for kind in KINDS:
        schema = record_schema(kind)
        if names <= set(schema["properties"]) and set(schema.get("required", ())) <= names:
            return kind
    return None
