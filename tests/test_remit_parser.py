"""The 835 reader field by field, on the synthetic fixtures and on the peer corpus."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from edi_j0256.diagnostics import Diagnostics
from edi_j0256.remit import read_remits, remit_records

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
PEERS = ROOT.parent / "shared" / "corpus" / "peers"


def payments(name: str, diagnostics: Diagnostics | None = None):
    return list(read_remits(FIXTURES / name, diagnostics=diagnostics))


def claim(payment_list, claim_id: str, status: str | None = None):
    return next(c for p in payment_list for c in p.claims
                if c.claim_id == claim_id and (status is None or c.status == status))


def test_payment_header_fields() -> None:
    first, second = payments("835-medicare.x12")
    assert first.envelope.interchange_control == "000000901"
    assert first.envelope.group_control == "901"
    assert first.envelope.transaction_control == "0001"
    assert first.envelope.implementation == "005010X221A1"
    assert first.version == "5010"
    assert (first.handling_code, first.credit_debit, first.payment_method) == ("I", "C", "CHK")
    assert first.payment_date == date(2026, 2, 20)
    assert first.trace_number == "TSTCHK0001"
    assert first.trace_originator == "1990009001"
    assert first.production_date == date(2026, 2, 20)
    assert first.payer_name == "TEST MEDICARE PART B CONTRACTOR"
    assert first.payer_id == "TSTMB01"
    assert (first.payee_name, first.payee_id) == ("TESTCLINIC PULMONARY ASSOCIATES", "1999000015")
    assert second.payee_id == "1999000023"
    paid = sum(c.paid for c in first.claims)
    assert first.payment_amount == paid + Decimal("1.25")  # PLB L6 interest -1.25


def test_provider_adjustment() -> None:
    (payment,) = payments("835-medicare-correction.x12")
    (plb,) = payment.provider_adjustments
    assert plb.provider_id == "1999000015"
    assert plb.fiscal_period_date == date(2026, 12, 31)
    assert (plb.reason, plb.reference, plb.amount) == ("FB", "TSTMB26020100102",
                                                       Decimal("-1254.4"))
    assert plb.segment > 0 and plb.line > 0


def test_claim_fields() -> None:
    c = claim(payments("835-medicare.x12"), "MCR-A-1001")
    assert c.status == "1" and c.status_name == "processed as primary"
    assert c.charge == Decimal("2725")
    assert c.filing_indicator == "MB"
    assert c.payer_claim_control == "PCNMCRA1001"
    assert (c.facility_type, c.frequency_code) == ("11", "1")
    assert c.patient_id == "9TA0TA0TA01"
    assert c.patient_responsibility == Decimal("360") + Decimal("40") + Decimal("20") + Decimal(6)
    assert [ln.line_control for ln in c.lines] == [f"MCRA1001-0{n}" for n in range(1, 5)]
    assert c.segment > 0 and c.line == c.segment  # one segment per line in the fixtures


def test_service_line_with_unit_reduction() -> None:
    c = claim(payments("835-medicare.x12"), "MCR-B-2002")
    line = c.lines[0]
    assert (line.procedure_qualifier, line.procedure_code, line.modifiers) == ("HC", "J0256",
                                                                               ("JZ",))
    assert (line.charge, line.paid) == (Decimal("1500"), Decimal("784"))
    assert (line.units_paid, line.original_units) == (Decimal("250"), Decimal("300"))
    assert line.submitted_units == Decimal("300")
    assert line.service_date == date(2026, 1, 8)
    assert line.line_control == "MCRB2002-01"
    assert line.allowed_amount == Decimal("1000")
    assert line.rarcs == ("N362",)
    triplets = [(a.group, a.carc, a.amount, a.quantity) for a in line.adjustments]
    assert triplets == [("CO", "151", Decimal("200"), Decimal("50")),
                        ("CO", "45", Decimal("300"), None), ("CO", "253", Decimal("16"), None),
                        ("PR", "2", Decimal("200"), None)]


def test_revenue_code_and_facility_type_on_institutional_remit() -> None:
    c = claim(payments("835-outpatient.x12"), "OP-E-5002")
    assert c.facility_type == "13" and c.filing_indicator == "MA"
    assert [ln.revenue_code for ln in c.lines] == ["0636", "0636", "0260", "0260"]
    assert (c.lines[0].units_paid, c.lines[0].original_units) == (Decimal(500), Decimal(558))


def test_reversal_then_correction() -> None:
    reversal, correction = payments("835-medicare-correction.x12")[0].claims
    assert reversal.is_reversal and not correction.is_reversal
    assert reversal.claim_id == correction.claim_id == "MCR-A-1002"
    assert reversal.charge == Decimal("-2180") and reversal.paid == Decimal("-1332.8")
    assert reversal.lines[0].units_paid == Decimal(-400)
    assert all(a.amount < 0 for ln in reversal.lines for a in ln.adjustments)
    assert correction.payer_claim_control != reversal.payer_claim_control


def test_claim_level_denial_without_service_lines() -> None:
    c = claim(payments("835-billing-errors.x12"), "ERR-6008")
    assert c.status == "4" and c.lines == ()
    assert [(a.group, a.carc, a.amount) for a in c.adjustments] == [("CO", "16", Decimal(2200))]
    assert c.remarks == ("MA130",)


def test_all_six_cas_triplets_are_read() -> None:
    text = (b"ST*835*0001~BPR*I*30*C*CHK************20260101~TRN*1*T1*1999999999~"
            b"N1*PR*P~N1*PE*Q*XX*1~LX*1~CLP*C1*1*100*30**12*X~NM1*QC*1*A*B****MI*M~"
            b"SVC*HC:J0256:JZ:KX:GA:GY*100*30**10~"
            b"CAS*CO*45*10*1*253*10*2*97*10*3*18*10*4*16*10*5*50*20*6~"
            b"SE*10*0001~")
    diagnostics = Diagnostics()
    (payment,) = read_remits(io.BytesIO(text), name="six.835", diagnostics=diagnostics)
    line = payment.claims[0].lines[0]
    assert line.modifiers == ("JZ", "KX", "GA", "GY")
    assert [a.carc for a in line.adjustments] == ["45", "253", "97", "18", "16", "50"]
    assert [a.quantity for a in line.adjustments] == [Decimal(n) for n in range(1, 7)]
    assert not [d for d in diagnostics if d.code.startswith("X36")]


def test_4010_accepts_the_cr_group_code() -> None:
    diagnostics = Diagnostics()
    (payment,) = read_remits(FIXTURES / "remit" / "835-4010-cr.x12", diagnostics=diagnostics)
    assert payment.version == "4010"
    assert payment.claims[0].lines[0].adjustments[0].group == "CR"
    assert not [d for d in diagnostics if d.code == "X353"]


def test_segments_outside_their_loop_are_reported_not_fatal() -> None:
    text = b"ST*835*0001~BPR*I*0*C*NON************20260101~SVC*HC:J0256*1*1~LQ*HE*M53~SE*5*0001~"
    diagnostics = Diagnostics()
    (payment,) = read_remits(io.BytesIO(text), name="odd.835", diagnostics=diagnostics)
    assert payment.claims == []
    assert [d.code for d in diagnostics if d.code == "X351"] == ["X351", "X351"]


def test_a_claim_file_is_not_a_remittance() -> None:
    diagnostics = Diagnostics()
    assert list(read_remits(FIXTURES / "837p-medicare.x12", diagnostics=diagnostics)) == []
    assert any(d.code == "X350" for d in diagnostics)


def test_messages_carry_no_claim_or_patient_identifiers() -> None:
    diagnostics = Diagnostics()
    for name in ("835-exceptions.x12", "835-catalogue.x12"):
        list(read_remits(FIXTURES / "remit" / name, diagnostics=diagnostics))
    text = " ".join(d.message for d in diagnostics)
    assert diagnostics and "TESTPATIENT" not in text and "COM-" not in text
    assert "TCI000" not in text


# -- peer corpus ---------------------------------------------------------------------------
PEER_FILES = sorted([*PEERS.glob("pyx12/835*.txt"), *PEERS.glob("tigershark/835-example*.txt"),
                     *PEERS.glob("edi-835-parser/*.txt")])
needs_peers = pytest.mark.skipif(not PEER_FILES, reason=f"peer corpus not found at {PEERS}")


@needs_peers
@pytest.mark.parametrize("path", PEER_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_peer_835_reads_without_a_traceback(path: Path) -> None:
    diagnostics = Diagnostics()
    found = list(read_remits(path, diagnostics=diagnostics))
    assert found and all(p.claims for p in found)
    assert list(remit_records(found, hcpcs=["ALL"]))


@needs_peers
def test_tigershark_4010_with_leading_terminators() -> None:
    (payment,) = read_remits(PEERS / "tigershark" / "835-example.txt")
    assert payment.version == "4010"
    assert [c.claim_id for c in payment.claims] == ["001-DDDDDDDDDD", "001-SSSSSSSSSS"]
    assert payment.claims[1].adjustments[0].carc == "1"
    assert payment.claims[1].lines[0].rarcs == ("N220", "M68")
    assert payment.provider_adjustments[0].reason == "WO"
    assert payment.provider_adjustments[0].amount == Decimal("-361.19")


def _peer_rows(csv_path: Path) -> list[dict]:
    with csv_path.open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def _num(text: str) -> Decimal | None:
    return Decimal(text) if text not in ("", None) else None


PARSER_CSVS = sorted(PEERS.glob("edi-835-parser/*.csv"))


@needs_peers
@pytest.mark.parametrize("csv_path", PARSER_CSVS, ids=lambda p: p.stem)
def test_shared_fields_match_edi_835_parser(csv_path: Path) -> None:
    """Same lines, codes, modifiers, amounts, units, dates and 6R as edi-835-parser's output.

    Where the two differ we are right: edi-835-parser keeps only the first triplet of a CAS
    segment (it drops PR-1 110 in the UHC sample), so its adjustments must be a subset of ours.
    """
    records = list(remit_records(read_remits(csv_path.with_suffix(".txt")), hcpcs=["ALL"]))
    rows = _peer_rows(csv_path)
    assert len(records) == len(rows)
    for record, row in zip(records, rows, strict=True):
        assert record["claim_id"] == row["marker"]
        assert record["procedure_code"] == row["code"]
        assert ";".join(record["modifiers"]) == row["modifier"]
        assert record["charge"] == _num(row["charge_amount"])
        assert record["paid"] == _num(row["paid_amount"])
        assert record["allowed_amount"] == _num(row["allowed_amount"]) or (
            record["allowed_amount"] is None and row["allowed_amount"])  # theirs is computed
        assert record["units_paid"] == _num(row["allowed_units"])
        billed = record["original_units"] if record["original_units"] is not None else (
            record["units_paid"])
        assert billed == _num(row["billed_units"])
        assert record["payer_name"] == row["payer"]
        assert record["payment_date"].isoformat() == row["transaction_date"]
        assert record["service_date"].isoformat() == row["start_date"]
        if "ref_0_value" in row:
            assert record["line_control"] == (row["ref_0_value"] or None)
        ours = {(a["group"], a["carc"], a["amount"]) for a in record["adjustments"]}
        n = 0
        while f"adj_{n}_code" in row:
            if row[f"adj_{n}_code"]:
                assert (row[f"adj_{n}_group"], row[f"adj_{n}_code"],
                        Decimal(row[f"adj_{n}_amount"])) in ours
            n += 1
        if row.get("rem_0_code"):
            assert row["rem_0_code"] in record["rarcs"]
