"""The Spark adapter's JSON Schemas are package resources, so an installed wheel (a
spark-submit node without the checkout) has them; they are the checkout's ``schemas/``."""

from __future__ import annotations

import json
import tomllib
from fnmatch import fnmatch
from importlib import resources
from pathlib import Path

from edi_j0256.spark.schema import SCHEMAS, json_schema

ROOT = Path(__file__).resolve().parent.parent


def test_schema_resources_are_the_checkouts_schemas():
    folder = resources.files("edi_j0256.spark") / "schemas"
    for kind, name in SCHEMAS.items():
        resource = folder / name
        assert resource.is_file(), name
        assert resource.read_bytes() == (ROOT / "schemas" / name).read_bytes()
        assert json_schema(kind) == json.loads((ROOT / "schemas" / name).read_text())


def test_package_data_carries_the_schemas():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = config["package-data"]["edi_j0256"]
    for name in SCHEMAS.values():
        assert any(fnmatch(f"spark/schemas/{name}", pattern) for pattern in patterns), name
