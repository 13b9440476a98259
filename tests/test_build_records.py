"""The claim builder's fast paths and the scan record built from a per-claim base.

- Claims: the builder reads the common segments inline when their values are in the value
  caches, and through the checking methods otherwise; a file read with every cache empty
  (each value through the methods) and read again warm gives equal claims and diagnostics.
- Records: :func:`line_record` copies the claim's :func:`claim_record` and fills the line in;
  the record equals, key order included, the dict written out field by field.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from pathlib import Path

import pytest

from edi_j0256.claims import parser
from edi_j0256.claims.model import Claim, ServiceLine
from edi_j0256.claims.parser import ClaimReader
from edi_j0256.diagnostics import Diagnostics
from edi_j0256.scan import iter_scan, line_record

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT.parent / "shared" / "corpus" / "peers"
CACHES = ("_DECIMALS", "_DATES", "_WHOLES", "_POINTERS", "_PROCEDURES", "_NDCS")


def _load_generator():
    spec = importlib.util.spec_from_file_location("generate_837p",
                                                  ROOT / "benchmarks" / "generate_837p.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _files() -> list[Path]:
    files = sorted((ROOT / "fixtures").rglob("837*.x12"))
    files += sorted((ROOT / "fixtures" / "reader").glob("*.x12"))
    files += sorted((ROOT / "tests" / "regressions").glob("*.x12"))
    if PEERS.is_dir():
        files += sorted(p for p in PEERS.rglob("*") if p.is_file() and "837" in p.name)
    return files


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> list[Path]:
    """Two small generated files (newlines / one line), every claim with J0256."""
    generator = _load_generator()
    out = tmp_path_factory.mktemp("gen")
    paths = []
    for newlines in (True, False):
        path = out / f"all-{newlines}.x12"
        generator.generate(path, size_mb=0.3, j0256_share=1.0, seed=7, newlines=newlines)
        paths.append(path)
    return paths


def _read(path: Path, hcpcs=("ALL",)):
    diagnostics = Diagnostics()
    reader = ClaimReader(path, diagnostics=diagnostics, hcpcs=hcpcs)
    try:
        claims = list(reader.claims())
    except Exception as exc:  # noqa: BLE001 - a file the reader refuses: compare the refusal
        claims = [repr(exc)]
    return claims, [(d.code, d.message, d.segment, d.line) for d in diagnostics], reader.stats


def _cold_then_warm(path: Path):
    for name in CACHES:
        getattr(parser, name).clear()
    cold = _read(path)
    warm = _read(path)
    return cold, warm


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_claims_equal_with_empty_and_warm_caches(path):
    cold, warm = _cold_then_warm(path)
    assert cold == warm


def test_generated_claims_equal_with_empty_and_warm_caches(generated):
    for path in generated:
        cold, warm = _cold_then_warm(path)
        assert cold[0] and cold == warm


def test_inline_line_segments_read_like_the_methods():
    """Short and odd segments leave the inline path for the methods, which pad and report."""
    text = ("ISA*00*          *00*          *ZZ*S              *ZZ*R              *260202*0930*^*"
            "00501*000000001*0*P*:~GS*HC*S*R*20260202*0930*1*X*005010X222A1~"
            "ST*837*0001*005010X222A1~HL*1**20*1~NM1*85*2*B*****XX*1580850125~"
            "HL*2*1*22*0~SBR*P*18*G******CI~NM1*IL*1*L*F****MI*M1~NM1*PR*2*P*****PI*P1~"
            "CLM*C1*100***11:B:1*Y*A*Y*Y~HI*ABK:E8801~"
            "LX*1~SV1*HC:J0256*60*UN*10***1~DTP*472*D8~REF*6R~LIN**N4~CTP****x*ME~"
            "LX*2~SV1*HC:J0256:JW*40*UN~DTP*472*RD8*20260101-20260102~LIN**N4*0944-2815-01~"
            "CTP****7*ME:1~"
            "LX*x~SV1*HC:J0256*1.5*UN*1***1:a~"
            "SE*23*0001~GE*1*1~IEA*1*000000001~")
    claims, diagnostics, _ = _read_bytes(text.encode())
    (claim,) = claims
    first, second, third = claim.lines
    assert (first.service_date, first.line_control, first.ndc, first.ndc_quantity) == (
        None, None, None, None)
    assert (first.ndc_qualifier, first.ndc_unit, first.diagnosis_pointers) == ("N4", "ME", (1,))
    assert (second.units, second.diagnosis_pointers, second.ndc, second.ndc_unit) == (
        None, (), "00944281501", "ME")
    assert str(second.service_date) == "2026-01-01" and str(second.service_date_end) == (
        "2026-01-02")
    assert (third.line_number, third.diagnosis_pointers, str(third.charge)) == (None, (1,),
                                                                                 "1.5")
    assert [d[0] for d in diagnostics] == ["X307", "X306", "X306", "X305"]


def _read_bytes(data: bytes):
    import io

    diagnostics = Diagnostics()
    reader = ClaimReader(io.BytesIO(data), name="t.x12", diagnostics=diagnostics,
                         hcpcs=("ALL",))
    claims = list(reader.claims())
    return claims, [(d.code, d.message, d.segment, d.line) for d in diagnostics], reader.stats


SCHEMA = json.loads((ROOT / "schemas" / "scan-record.schema.json").read_text())
FIELDS = list(SCHEMA["properties"])  # the record's fields, in the record's order
LINE_FIELDS = {f.name for f in dataclasses.fields(ServiceLine)}
CLAIM_FIELDS = {f.name for f in dataclasses.fields(Claim)}
_LINE_FIRST = {"place_of_service", "rendering_npi", "prior_auth"}  # the line's, else the claim's


def reference_record(claim: Claim, line: ServiceLine) -> dict:
    """The record by the rule, field by field in schema order: a field the service line has
    comes from the line (three of them fall back to the claim's), else from the claim, else
    from the envelope; lists as lists; an 837I has no place of service and its lines without
    a date take the statement date."""
    institutional = claim.envelope.transaction_type == "837I"
    codes = [d.dotted for d in claim.diagnoses]
    record = {}
    for name in FIELDS:
        if name == "diagnosis_codes":
            value = claim.pointed_diagnoses(line, codes)
        elif name == "claim_diagnosis_codes":
            value = codes
        elif name in LINE_FIELDS:
            value = getattr(line, name)
            if name in _LINE_FIRST and not value:
                value = getattr(claim, name)
            if name == "service_date" and not value and institutional:
                value = claim.statement_from
        elif name in CLAIM_FIELDS:
            value = getattr(claim, name)
        else:
            value = getattr(claim.envelope, name)
        if isinstance(value, tuple):
            value = list(value)
        record[name] = None if name == "place_of_service" and institutional else value
    return record


def _records_and_reference(path: Path):
    claims, _, _ = _read(path)
    if claims and isinstance(claims[0], str):
        return [], []
    expected = [reference_record(c, line) for c in claims for line in c.lines]
    got = [line_record(c, line) for c in claims for line in c.lines]
    return got, expected


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_line_record_equals_the_reference(path):
    got, expected = _records_and_reference(path)
    assert [list(r.items()) for r in got] == [list(r.items()) for r in expected]


def test_scan_records_equal_the_reference_on_generated_files(generated):
    for path in generated:
        claims, _, _ = _read(path, hcpcs=("J0256",))
        expected = [reference_record(c, line) for c in claims for line in c.lines
                    if line.procedure_code == "J0256"]
        records, _ = iter_scan(path)
        got = list(records)
        assert got and [list(r.items()) for r in got] == [list(r.items()) for r in expected]


def test_records_of_one_claim_are_separate_dicts():
    """Each record is its own dict (a caller may change one, as the piece readers shift
    positions) while the claim's values stay shared as before."""
    records = list(iter_scan(ROOT / "fixtures" / "837p-medicare.x12", hcpcs=("ALL",))[0])
    first, second = records[0], records[1]
    assert first["claim_id"] == second["claim_id"]
    first["segment"] += 1000
    assert second["segment"] < 1000
