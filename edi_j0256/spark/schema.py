"""Spark schemas made from the project's JSON Schemas (``schemas/*.schema.json``), and the
conversion of a record (a dict as the writers get it) to a row of that schema.

One home for the field names: the JSON Schema (read, and a field's type told, by
:mod:`edi_j0256.record_schema`, which the Parquet writer uses too). ``string`` ->
StringType (``format: date`` -> DateType), ``integer`` -> LongType, ``number`` ->
DoubleType (as the CLI's JSON and Parquet carry them), ``array`` -> ArrayType, ``object``
with properties -> StructType, an ``enum`` of strings -> StringType. Every field is
nullable: the JSON Schema says which may be null.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from edi_j0256.record_schema import schema_document, value_type

SCHEMAS = {"scan": "scan-record.schema.json", "remit": "remit.schema.json",
           "finding": "finding.schema.json"}


@cache
def json_schema(kind: str) -> dict:
    """The JSON Schema of ``scan``, ``remit`` or ``finding`` (read by
    :mod:`edi_j0256.record_schema`, the schemas' one home)."""
    return schema_document(SCHEMAS[kind])


def _spark_type(spec: dict):
    from pyspark.sql import types as T

    kind = value_type(spec)
    if kind == "string":
        return T.DateType() if spec.get("format") == "date" else T.StringType()
    if kind == "integer":
        return T.LongType()
    if kind == "number":
        return T.DoubleType()
    if kind == "boolean":
        return T.BooleanType()
    if kind == "array":
        return T.ArrayType(_spark_type(spec.get("items") or {}), True)
    if kind == "object" and spec.get("properties"):
        return T.StructType([T.StructField(name, _spark_type(sub), True)
                             for name, sub in spec["properties"].items()])
    return T.StringType()  # anything else is carried as its JSON text


@cache
def spark_schema(kind: str):
    """The Spark StructType of one record kind: ``scan``, ``remit`` or ``finding``."""
    from pyspark.sql import types as T

    properties = json_schema(kind)["properties"]
    return T.StructType([T.StructField(name, _spark_type(spec), True)
                         for name, spec in properties.items()])


def _value(value: Any, spark_type) -> Any:
    from pyspark.sql import types as T

    if value is None:
        return None
    if isinstance(spark_type, T.DoubleType):
        return float(value) if isinstance(value, (Decimal, int, float)) else None
    if isinstance(spark_type, T.LongType):
        return int(value)
    if isinstance(spark_type, T.DateType):
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    if isinstance(spark_type, T.ArrayType):
        return [_value(v, spark_type.elementType) for v in value]
    if isinstance(spark_type, T.StructType):
        return tuple(_value(value.get(f.name), f.dataType) for f in spark_type.fields)
    if isinstance(spark_type, T.StringType) and not isinstance(value, str):
        from edi_j0256.output import encode_value

        return encode_value(value)
    return value


def to_row(record: dict, kind: str) -> tuple:
    """A record as a tuple in the order of :func:`spark_schema` (missing fields are null)."""
    return tuple(_value(record.get(f.name), f.dataType) for f in spark_schema(kind).fields)
