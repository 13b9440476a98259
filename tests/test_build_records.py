"""The claim builder's fast paths and the scan record built from a per-claim base.

- Claims: the builder reads the common segments inline when their values are in the value
  caches, and through the checking methods otherwise; a file read with every cache empty
  (each value through the methods) and read again warm gives equal claims and diagnostics.
- Records: :func:`line_record` copies the claim's :func:`claim_record` and fills the line in;
  the record equals, key order included, the dict written out field by field.
"""

from __future__ import annotations

import importlib.util
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


def reference_record(claim: Claim, line: ServiceLine) -> dict:
    """The scan record written out field by field (what line_record built before)."""
    envelope = claim.envelope
    claim_codes = [d.dotted for d in claim.diagnoses]
    institutional = envelope.transaction_type == "837I"
    return {
        "file": envelope.file,
        "interchange_control": envelope.interchange_control,
        "group_control": envelope.group_control,
        "transaction_control": envelope.transaction_control,
        "transaction_type": envelope.transaction_type,
        "implementation": envelope.implementation,
        "claim_id": claim.claim_id,
        "claim_charge": claim.claim_charge,
        "frequency_code": claim.frequency_code,
        "place_of_service": None if institutional else (line.place_of_service
                                                        or claim.place_of_service),
        "facility_type": claim.facility_type,
        "claim_filing_indicator": claim.claim_filing_indicator,
        "payer_id": claim.payer_id,
        "payer_name": claim.payer_name,
        "member_id": claim.member_id,
        "billing_npi": claim.billing_npi,
        "rendering_npi": line.rendering_npi or claim.rendering_npi,
        "line_number": line.line_number,
        "line_control": line.line_control,
        "procedure_qualifier": line.procedure_qualifier,
        "procedure_code": line.procedure_code,
        "modifiers": list(line.modifiers),
        "charge": line.charge,
        "unit_basis": line.unit_basis,
        "units": line.units,
        "revenue_code": line.revenue_code,
        "service_date": line.service_date or (claim.statement_from if institutional else None),
        "service_date_end": line.service_date_end,
        "diagnosis_pointers": list(line.diagnosis_pointers),
        "diagnosis_codes": claim.pointed_diagnoses(line, claim_codes),
        "claim_diagnosis_codes": claim_codes,
        "prior_auth": line.prior_auth or claim.prior_auth,
        "ndc": line.ndc,
        "ndc_raw": line.ndc_raw,
        "ndc_quantity": line.ndc_quantity,
        "ndc_unit": line.ndc_unit,
        "patient_weight_lb": claim.patient_weight_lb,
        "segment": line.segment,
        "line": line.line,
    }


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
