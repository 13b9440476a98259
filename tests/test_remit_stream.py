"""The streaming 835 reader: typed records in file order, byte-level skipping, bounded memory."""

from __future__ import annotations

import io
import json
import tracemalloc
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_j0256.cli import cli
from edi_j0256.diagnostics import Diagnostics
from edi_j0256.remit import (
    ClaimPayment,
    PaymentHeader,
    ProviderAdjustment,
    RemitReader,
    iter_remit,
    read_remits,
    remit_records,
)

ROOT = Path(__file__).resolve().parent.parent
PLB_FILE = ROOT / "fixtures" / "remit" / "835-plb-payee.x12"


def items(path=PLB_FILE, **kwargs) -> list:
    return list(iter_remit(path, **kwargs))


def test_header_then_claims_then_provider_adjustments() -> None:
    found = items()
    assert [type(i).__name__ for i in found] == [
        "PaymentHeader", "ClaimPayment", "ClaimPayment", "ClaimPayment", "ClaimPayment",
        "ProviderAdjustment", "ProviderAdjustment", "ProviderAdjustment", "ProviderAdjustment"]
    header = found[0]
    assert all(i.payment is header for i in found[1:])


def test_payment_header_fields() -> None:
    header = items()[0]
    assert isinstance(header, PaymentHeader)
    assert (header.handling_code, header.payment_amount, header.credit_debit,
            header.payment_method) == ("I", Decimal("1691.2"), "C", "ACH")
    assert header.payment_date == date(2026, 3, 5)
    assert (header.trace_number, header.trace_originator) == ("TSTEFT0305", "1999999999")
    assert header.production_date == date(2026, 3, 4)
    assert (header.payer_name, header.payer_id) == ("TEST REGIONAL HEALTH PLAN", "TSTRHP01")
    assert (header.payee_name, header.payee_id_qualifier) == ("TESTCLINIC INFUSION CENTER",
                                                              "XX")
    assert header.payee_npi == header.payee_id == "1999000049"
    assert (header.segment, header.line) == (3, 3)
    with pytest.raises(AttributeError):
        header.payment_amount = Decimal(0)  # frozen


def test_provider_adjustments_are_records_with_their_trace_number() -> None:
    plbs = [i for i in items() if isinstance(i, ProviderAdjustment)]
    assert [(p.reason, p.reference, p.amount) for p in plbs] == [
        ("WO", "PCNOLD9", Decimal(150)), ("L6", None, Decimal("-2.5")),
        ("FB", "FWD1", Decimal(40)), ("72", "RET7", Decimal("12.5"))]
    assert {(p.provider_id, p.fiscal_period_date, p.trace_number, p.payment_date,
             p.segment, p.line) for p in plbs} == {
        ("1999000049", date(2026, 12, 31), "TSTEFT0305", date(2026, 3, 5), 44, 44)}


def test_claim_fields_remarks_and_patient_responsibility() -> None:
    claims = {c.claim_id: c for c in items() if isinstance(c, ClaimPayment)}
    paid, denied, inpatient = claims["PLB-J-1001"], claims["PLB-J-1002"], claims["PLB-I-1004"]
    assert paid.patient_responsibility == Decimal(360)
    assert (paid.remarks, paid.outpatient_remarks, paid.inpatient_remarks) == (
        ("MA01",), ("MA01",), ())
    assert (denied.status, denied.lines, denied.remarks) == ("4", (), ("MA130", "N657"))
    assert [(a.group, a.carc, a.amount) for a in denied.adjustments] == [
        ("CO", "16", Decimal(2180))]
    assert denied.dates == {"232": date(2026, 2, 11)}
    assert (inpatient.inpatient_remarks, inpatient.lines[0].revenue_code) == (("MA18",),
                                                                              "0636")
    assert (inpatient.insured_id, inpatient.patient_id) == ("9TH0TH0TH01", "9TZ0TZ0TZ01")


def test_claims_that_cannot_hold_the_codes_are_counted_not_built() -> None:
    every = RemitReader(PLB_FILE, hcpcs="ALL")
    built_all = [i for i in every.items() if isinstance(i, ClaimPayment)]
    some = RemitReader(PLB_FILE, hcpcs="J0256", diagnostics=Diagnostics())
    built = [i for i in some.items() if isinstance(i, ClaimPayment)]
    assert [c.claim_id for c in built_all] == ["PLB-J-1001", "PLB-J-1002", "PLB-I-1004",
                                              "PLB-O-1003"]
    # the claim with no SVC is kept: its claim-level denial cannot be told apart by code
    assert built == built_all[:3]
    assert (some.stats.claims, some.stats.claims_read, some.stats.claims_skipped) == (4, 3, 1)
    assert (some.stats.service_lines, some.stats.service_lines_read) == (3, 2)
    assert some.stats.provider_adjustments == 4  # the PLB after the skipped claim is read
    assert not [d for d in some.diagnostics if d.code.startswith("X36")]


def test_a_skipped_claim_still_counts_in_the_payment_balance() -> None:
    text = PLB_FILE.read_bytes().replace(b"CLP*PLB-O-1003*1*125*80*", b"CLP*PLB-O-1003*1*125*90*")
    for codes in ("J0256", "ALL"):
        diagnostics = Diagnostics()
        list(iter_remit(io.BytesIO(text), name="x.835", hcpcs=codes, diagnostics=diagnostics))
        payment = [d for d in diagnostics if d.code == "X362"]
        assert [d.message.split(": ")[-1] for d in payment] == [
            "1701.20 expected, 1691.20 found (off by -10.00)"], codes


@pytest.mark.parametrize("codes", [("j0256",), "j0256", ("J0256 ", "j0256")])
def test_codes_are_normalised(codes) -> None:
    records = list(remit_records(iter_remit(PLB_FILE, hcpcs=codes), hcpcs=codes))
    assert [r["claim_id"] for r in records] == ["PLB-J-1001", "PLB-J-1002", "PLB-I-1004"]
    assert records == list(remit_records(read_remits(PLB_FILE)))


def test_remit_record_fields_for_reconciling() -> None:
    result = CliRunner().invoke(cli, ["remit", "--format", "jsonl", str(PLB_FILE)])
    assert result.exit_code == 0, result.output
    keys = ("claim_id", "record_type", "payee_npi", "payee_name", "payment_amount",
            "payment_method", "claim_patient_responsibility", "moa_remarks", "mia_remarks",
            "claim_rarcs", "denied_amount")
    rows = [[json.loads(line)[k] for k in keys] for line in result.stdout.splitlines()]
    assert rows == [
        ["PLB-J-1001", "line", "1999000049", "TESTCLINIC INFUSION CENTER", 1691.2, "ACH", 360,
         ["MA01"], [], ["MA01"], 0],
        ["PLB-J-1002", "claim", "1999000049", "TESTCLINIC INFUSION CENTER", 1691.2, "ACH", 0,
         ["MA130", "N657"], [], ["MA130", "N657"], 2180],
        ["PLB-I-1004", "line", "1999000049", "TESTCLINIC INFUSION CENTER", 1691.2, "ACH", 100,
         [], ["MA18"], ["MA18"], 0]]
    assert result.stderr.splitlines()[-2:] == [
        "read: 1 files, 1 transactions, 4 claims, 3 service lines, 4 provider adjustments, "
        "3 records", "claims: 4 = 3 built + 1 skipped (no J0256 in their bytes)"]


def test_remit_plb_writes_provider_adjustment_records() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "schemas" / "remit.schema.json").read_text())
    result = CliRunner().invoke(cli, ["remit", "--plb", "--format", "jsonl", str(PLB_FILE)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    validator = jsonschema.Draft202012Validator({**schema["$defs"]["plb_record"],
                                                 "$defs": schema["$defs"]})
    for record in records:
        validator.validate(record)
    assert records[0] == {
        "record_type": "plb", "file": str(PLB_FILE), "interchange_control": "000000931",
        "transaction_control": "0001", "payer_name": "TEST REGIONAL HEALTH PLAN",
        "payer_id": "TSTRHP01", "payee_id": "1999000049", "payee_npi": "1999000049",
        "trace_number": "TSTEFT0305", "payment_date": "2026-03-05", "payment_amount": 1691.2,
        "payment_method": "ACH", "provider_id": "1999000049", "fiscal_period_date": "2026-12-31",
        "reason": "WO", "reference": "PCNOLD9", "amount": 150, "segment": 44, "line": 44}
    assert [(r["reason"], r["amount"]) for r in records] == [("WO", 150), ("L6", -2.5),
                                                             ("FB", 40), ("72", 12.5)]


# -- one transaction of many claims --------------------------------------------------------

def test_a_claim_level_denial_with_only_other_svcs_is_built() -> None:
    """Claim-level CAS reach every line of the claim, the J0256 line the payer sent no SVC for
    among them: such a claim is built even though its bytes never name J0256."""
    text = one_transaction(3).replace(
        b"CLP*BIG0000001*1*100*80**MB*PCN0000001*11*1~\n",
        b"CLP*BIG0000001*4*100*0**MB*PCN0000001*11*1~\nCAS*CO*16*100~\n")
    text = text.replace(b"SVC*HC:99213*100*80**1~\nDTM*472*20260201~\nCAS*CO*45*20~\n"
                        b"REF*6R*BIG0000001", b"SVC*HC:99213*100*0**1~\nDTM*472*20260201~\n"
                        b"REF*6R*BIG0000001", 1)
    reader = RemitReader(io.BytesIO(text), name="claim-level.835", hcpcs="J0256")
    built = [i.claim_id for i in reader.items() if isinstance(i, ClaimPayment)]
    assert built == ["BIG0000000", "BIG0000001"]  # the J0256 claim and the denied claim
    assert (reader.stats.claims, reader.stats.claims_read, reader.stats.claims_skipped) == (
        3, 2, 1)


def one_transaction(claims: int) -> bytes:
    """One ST of ``claims`` CLPs, each with one SVC: 2% J0256, the rest 99213."""
    isa = (b"ISA*00*          *00*          *ZZ*TESTPAYERS     *ZZ*TESTSUBMITTER  *260305*"
           b"1200*^*00501*000000777*0*T*:~\n")
    head = (b"GS*HP*TESTPAYERS*TESTSUBMITTER*20260305*1200*777*X*005010X221A1~\nST*835*0001~\n"
            b"BPR*I*%d*C*ACH************20260305~\nTRN*1*BIGEFT*1999999999~\n"
            b"N1*PR*TEST PAYER~\nN1*PE*TEST CLINIC*XX*1999000049~\nLX*1~\n" % (80 * claims))
    parts = [isa, head]
    for n in range(claims):
        code = b"J0256" if n % 50 == 0 else b"99213"
        parts.append(b"CLP*BIG%07d*1*100*80**MB*PCN%07d*11*1~\nSVC*HC:%s*100*80**1~\n"
                     b"DTM*472*20260201~\nCAS*CO*45*20~\nREF*6R*BIG%07d-01~\n"
                     % (n, n, code, n))
    parts.append(b"SE*%d*0001~\nGE*1*777~\nIEA*1*000000777~\n" % (6 + 5 * claims + 1))
    return b"".join(parts)


class SmallReads(io.RawIOBase):
    """A binary stream that hands out at most 64 KB per read, as a pipe would."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = min(size if size >= 0 else len(self.data), 1 << 16)
        chunk = self.data[self.pos:self.pos + size]
        self.pos += len(chunk)
        return chunk


def peak_while_reading(claims: int) -> tuple[int, RemitReader]:
    data = one_transaction(claims)
    diagnostics = Diagnostics()
    tracemalloc.start()
    try:
        reader = RemitReader(SmallReads(data), name="big.835", hcpcs="J0256",
                             diagnostics=diagnostics)
        for record in remit_records(reader.items()):
            assert record["procedure_code"] == "J0256"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [str(d) for d in diagnostics] == []  # balanced, envelope counts right
    return peak, reader


def check_bounded(small: int, large: int) -> None:
    peak_while_reading(50)  # the code tables and caches load once, outside the comparison
    peak_small, _ = peak_while_reading(small)
    peak_large, reader = peak_while_reading(large)
    stats = reader.stats
    assert (stats.transactions, stats.claims, stats.service_lines) == (1, large, large)
    assert stats.claims_read + stats.claims_skipped == large
    assert stats.claims_read == len(range(0, large, 50))
    # The peak does not grow with the claims of the transaction: it moves by a few hundred KB
    # from run to run (dict resizes, garbage collection), while holding the claims would add
    # over 1 KB per claim (4 MB more for 4,000 claims).
    assert peak_large < peak_small + 1_000_000, (peak_small, peak_large)


def test_a_large_transaction_streams_in_bounded_memory() -> None:
    check_bounded(1_000, 5_000)


@pytest.mark.slow
def test_200k_claims_in_one_transaction_stream_in_bounded_memory() -> None:
    check_bounded(5_000, 200_000)


PEERS = ROOT.parent / "shared" / "corpus" / "peers"
EVERY_835 = sorted([*(ROOT / "fixtures").glob("835-*.x12"),
                    *(ROOT / "fixtures" / "remit").glob("835-*.x12"),
                    *PEERS.glob("pyx12/835*.txt"), *PEERS.glob("tigershark/835-example*.txt"),
                    *PEERS.glob("edi-835-parser/*.txt")])


@pytest.mark.parametrize("path", EVERY_835, ids=lambda p: f"{p.parent.name}/{p.name}")
@pytest.mark.parametrize("codes", ["J0256", "J0256,99213", "A0425"])
def test_skipping_loses_no_record_and_no_balance_check(path: Path, codes: str) -> None:
    def read(hcpcs: str) -> tuple[list[dict], list[str]]:
        diagnostics = Diagnostics()
        found = list(remit_records(iter_remit(path, hcpcs=hcpcs, diagnostics=diagnostics),
                                   hcpcs=codes))
        return found, [str(d) for d in diagnostics if d.code in ("X362", "X350")]

    skipped, skipped_payment = read(codes)
    assert (skipped, skipped_payment) == read("ALL")


def test_oa23_on_a_secondary_claim_is_not_a_denial() -> None:
    """The primary payer's share (OA-23 on CLP02 = 2) is neither denied nor recoverable, the
    same rule reconcile applies (one home: remit/denials.py)."""
    path = Path(__file__).parent.parent / "fixtures" / "reconcile" / "835-cases.x12"
    records = [r for r in remit_records(RemitReader(path).items()) if r["claim_id"] == "SEC-0001"]
    assert [(a["group"], a["carc"]) for r in records for a in r["adjustments"]
            if a["group"] == "OA"] == [("OA", "23")]
    assert [(r["denied_amount"], r["root_causes"], r["recoverable"]) for r in records] == [
        (0, [], "no")]


# -- a claim payment too large to build ----------------------------------------------------------

def _with_services(count: int) -> bytes:
    """The PLB fixture with ``count`` more SVC loops in its last claim (PLB-O-1003, just
    before the PLB that closes the transaction); SE01 is left as it was (X223)."""
    text = PLB_FILE.read_text()
    extra = "SVC*HC:J0256*0*0**0~\nDTM*472*20260213~\nREF*6R*PLBO1003-XX~\n" * count
    at = text.index("PLB*1999000049")
    return (text[:at] + extra + text[at:]).encode()


def _read(data: bytes, chunk: int | None = None
          ) -> tuple[list[dict], RemitReader, list[str], int]:
    """Records, the reader, diagnostics (X223 left out) and the provider adjustments."""
    diagnostics = Diagnostics()
    reader = RemitReader(io.BytesIO(data), name="big.835", hcpcs="J0256",
                         diagnostics=diagnostics)
    if chunk:
        reader.reader.tokenizer.chunk_size = chunk  # read in small chunks: units cut in pieces
    found = list(reader.items())
    records = list(remit_records(found, hcpcs="J0256"))
    plb = sum(isinstance(i, ProviderAdjustment) for i in found)
    return records, reader, [str(d) for d in diagnostics if d.code != "X223"], plb


def test_a_claim_payment_over_the_build_limit_is_counted_not_built(monkeypatch) -> None:
    """More SVC loops than MAX_BUILT_SERVICES: X359, counted as unreadable, not built; the
    other claims, the PLB after it and the payment's balance (its CLP04 counts) unchanged."""
    import edi_j0256.remit.parser as parser

    baseline, base_reader, base_diagnostics, base_plb = _read(PLB_FILE.read_bytes())
    monkeypatch.setattr(parser, "MAX_BUILT_SERVICES", 40)
    records, reader, diagnostics, plb = _read(_with_services(40))
    assert diagnostics == base_diagnostics + [
        "big.835:37: X359 claim payment at segment 37 has 41 service lines, more than the "
        "reader builds (40); counted, not read"]
    assert [r for r in records if r.get("claim_id") != "PLB-O-1003"] == [
        r for r in baseline if r.get("claim_id") != "PLB-O-1003"]
    assert plb == base_plb == 4
    stats, base = reader.stats, base_reader.stats
    assert (stats.claims, stats.claims_unreadable, stats.claims_read) == (
        base.claims, base.claims_unreadable + 1, base.claims_read - 1 + base.claims_skipped)
    assert stats.claims == (stats.claims_read + stats.claims_skipped + stats.claims_outside
                            + stats.claims_unreadable)
    assert stats.service_lines == base.service_lines + 40
    monkeypatch.setattr(parser, "MAX_BUILT_SERVICES", 41)  # at the limit: built
    assert not [d for d in _read(_with_services(40))[2] if "X359" in d]


def test_a_claim_payment_cut_in_pieces_is_one_claim_not_built(monkeypatch) -> None:
    """A CLP unit past the tokenizer's piece size comes in pieces: one claim, X359 once, no
    record made of a piece (each used to be read as a claim of its own, its first SVC taken
    for the CLP), and the PLB in its last piece still read."""
    import edi_j0256.x12.tokenizer as tokenizer

    baseline, base_reader, base_diagnostics, base_plb = _read(PLB_FILE.read_bytes())
    monkeypatch.setattr(tokenizer, "_PIECE", 2000)
    data = _with_services(2000)  # 110 KB: the first 64 KB are read at once, then 4 KB reads
    records, reader, diagnostics, plb = _read(data, chunk=4096)
    assert diagnostics == base_diagnostics + [
        "big.835:37: X359 claim payment at segment 37 is larger than the reader builds (more "
        "than 10000 service lines); counted, not read"]
    assert [r for r in records if r.get("claim_id") != "PLB-O-1003"] == [
        r for r in baseline if r.get("claim_id") != "PLB-O-1003"]
    assert {r.get("claim_id") for r in records} <= {r.get("claim_id") for r in baseline}
    stats = reader.stats
    assert (stats.claims, stats.claims_unreadable) == (base_reader.stats.claims, 1)
    assert plb == base_plb == 4
    assert stats.service_lines == base_reader.stats.service_lines + 2000
