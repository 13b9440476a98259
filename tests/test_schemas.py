"""The scan record JSON Schema describes what ``scan`` really writes."""

from __future__ import annotations

import copy
import inspect
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_scan_cli import REQUIRED_FIELDS

from edi_j0256.claims import read_claims
from edi_j0256.cli import cli
from edi_j0256.diagnostics import X12ReadError
from edi_j0256.output import plain
from edi_j0256.scan import line_record

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "schemas" / "scan-record.schema.json"
FIXTURES = sorted((ROOT / "fixtures").glob("837*.x12"))
PEERS = ROOT.parent / "shared" / "corpus" / "peers"

ISSUE_FIELDS = list(REQUIRED_FIELDS)  # one list of the fields the issue names


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(schema):
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _scan_jsonl(*args: str) -> list[dict]:
    kwargs = {"mix_stderr": False} if "mix_stderr" in inspect.signature(
        CliRunner.__init__).parameters else {}
    result = CliRunner(**kwargs).invoke(cli, ["scan", *args, "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def _record_keys() -> list[str]:
    claim = next(c for c in read_claims(FIXTURES[0]) if c.lines)
    return list(line_record(claim, claim.lines[0]))


def test_schema_is_draft_2020_12_and_valid(schema):
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object"


def test_required_are_the_issue_fields(schema):
    assert sorted(schema["required"]) == sorted(ISSUE_FIELDS)


def test_every_record_field_is_described(schema):
    assert set(_record_keys()) == set(schema["properties"])
    for name, prop in schema["properties"].items():
        assert "type" in prop or "enum" in prop, name
        assert prop.get("description"), name


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_real_scan_output_validates(fixture, validator):
    records = _scan_jsonl(str(fixture))
    assert records, f"{fixture.name} gave no J0256 record"
    for record in records:
        errors = sorted(validator.iter_errors(record), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_every_line_of_every_fixture_validates(validator):
    """Not just J0256: administration and E/M lines exercise the nulls."""
    for fixture in FIXTURES:
        for claim in read_claims(fixture):
            for service_line in claim.lines:
                record = json.loads(json.dumps(plain(line_record(claim, service_line))))
                assert not list(validator.iter_errors(record)), (fixture.name, record)


@pytest.mark.skipif(not PEERS.is_dir(), reason=f"peer corpus not found at {PEERS}")
def test_records_built_from_peer_claims_validate(validator):
    """Real files of other projects (4010, broken envelopes, odd delimiters)."""
    checked = 0
    for path in sorted(PEERS.rglob("*")):
        if not path.is_file() or path.suffix.lower() in (".md", ".csv"):
            continue
        try:
            claims = list(read_claims(path))
        except X12ReadError:
            continue
        for claim in claims:
            for service_line in claim.lines:
                if not service_line.procedure_code:
                    continue  # scan only lists lines with a procedure code
                record = json.loads(json.dumps(plain(line_record(claim, service_line))))
                errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(record)]
                assert not errors, (str(path), service_line.segment, errors)
                checked += 1
    assert checked > 500


@pytest.mark.parametrize(("field", "value"), [
    ("ndc", "1353307050"),
    ("ndc", "13533-0705-01"),
    ("service_date", "01/05/2026"),
    ("units", "450"),
    ("charge", "2250"),
    ("modifiers", "JW"),
    ("modifiers", ["JW", "KX", "59", "GA", "XS"]),
    ("transaction_type", "835"),
    ("segment", 0),
    ("line", None),
    ("diagnosis_codes", None),
])
def test_schema_rejects_wrong_values(validator, field, value):
    record = _scan_jsonl(str(FIXTURES[0]))[0]
    assert not list(validator.iter_errors(record))
    broken = copy.deepcopy(record)
    broken[field] = value
    assert list(validator.iter_errors(broken)), (field, value)


@pytest.mark.parametrize("field", ["claim_id", "ndc", "segment", "modifiers", "member_id"])
def test_schema_rejects_a_missing_field(validator, field):
    record = _scan_jsonl(str(FIXTURES[0]))[0]
    del record[field]
    assert list(validator.iter_errors(record))
