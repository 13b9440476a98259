"""The reader's caches (values, CAS segments, valid CARC/RARC) never hide a diagnostic.

Each case repeats the same text in several claims or transactions: what was reported for the
first must be reported, at its own position, for every later one.
"""

from __future__ import annotations

import dataclasses
import io
from decimal import Decimal

import pytest

from edi_j0256.diagnostics import Diagnostics
from edi_j0256.remit.codes import CodeTable
from edi_j0256.remit.model import (
    ClaimPayment,
    RemitAdjustment,
    ServiceLinePayment,
    make_adjustment,
    make_service_line,
)
from edi_j0256.remit.parser import RemitReader

CARCS = CodeTable.from_text("CARC", "code,description,start_date,stop_date,source\n"
                                    "45,Charge exceeds fee schedule,1995-01-01,,test\n"
                                    "A1,Claim denied charges,1995-01-01,2026-02-01,test\n")
RARCS = CodeTable.from_text("RARC", "code,description,start_date,stop_date,source\n"
                                    "N362,Units exceed the limit,2005-01-01,,test\n")


def transaction(control: str, version: str, date: str, claims: list[str]) -> str:
    body = [f"ST*835*{control}*{version}", f"BPR*I*0*C*ACH************{date}",
            f"TRN*1*EFT{control}*1999999999", "N1*PR*PAYER", "N1*PE*CLINIC*XX*1999999984",
            "LX*1"]
    for n, claim in enumerate(claims, 1):
        body += [f"CLP*C{control}{n}*1*100*0**MB*P{n}", *claim.split("|")]
    body.append(f"SE*{len(body) + 1}*{control}")
    return "~".join(body) + "~"


def read(*transactions: str) -> tuple[list[ClaimPayment], Diagnostics]:
    text = "".join(transactions).encode()
    diagnostics = Diagnostics()
    reader = RemitReader(io.BytesIO(text), name="era.835", diagnostics=diagnostics,
                         carcs=CARCS, rarcs=RARCS)
    claims = [item for item in reader.items() if isinstance(item, ClaimPayment)]
    return claims, diagnostics


def found(diagnostics: Diagnostics, code: str) -> list[tuple[int | None, str]]:
    return [(d.segment, d.message) for d in diagnostics if d.code == code]


def test_a_bad_cas_amount_is_reported_every_time() -> None:
    cas = "SVC*HC:J0256*100*0**10|CAS*CO*45*1O0"  # letter O for a zero
    claims, diagnostics = read(transaction("0001", "005010X221A1", "20260105", [cas, cas]))
    assert found(diagnostics, "X352") == [(9, "CAS03 `1O0` is not a number"),
                                          (12, "CAS03 `1O0` is not a number")]
    assert [c.lines[0].adjustments[0].amount for c in claims] == [None, None]


def test_the_same_good_cas_gives_equal_values_at_each_position() -> None:
    cas = "SVC*HC:J0256*100*0**10|CAS*CO*45*60*2*A1*40"
    claims, diagnostics = read(transaction("0001", "005010X221A1", "20260105", [cas, cas]))
    adjustments = [c.lines[0].adjustments for c in claims]
    assert [(a.group, a.carc, a.amount, a.quantity, a.segment) for a in adjustments[0]] == [
        ("CO", "45", Decimal("60"), Decimal("2"), 9), ("CO", "A1", Decimal("40"), None, 9)]
    assert [(a.carc, a.amount, a.segment) for a in adjustments[1]] == [
        ("45", Decimal("60"), 12), ("A1", Decimal("40"), 12)]
    assert not found(diagnostics, "X352") and not found(diagnostics, "X360")


def test_group_cr_warns_in_5010_whichever_version_comes_first() -> None:
    cas = "SVC*HC:J0256*100*0**10|CAS*CR*45*100"
    for order in (("004010X091A1", "005010X221A1"), ("005010X221A1", "004010X091A1")):
        _, diagnostics = read(transaction("0001", order[0], "20260105", [cas]),
                              transaction("0002", order[1], "20260105", [cas]))
        messages = [m for _, m in found(diagnostics, "X353")]
        assert messages == ["CAS01 group code `CR` is not valid in 5010 (4010 only); kept"]


def test_an_unknown_carc_is_reported_for_each_claim() -> None:
    cas = "SVC*HC:J0256*100*0**10|CAS*CO*45*50*1*ZZ9*50"
    _, diagnostics = read(transaction("0001", "005010X221A1", "20260105", [cas, cas, cas]))
    assert [s for s, _ in found(diagnostics, "X365")] == [9, 12, 15]


def test_a_code_valid_on_one_payment_date_is_checked_again_on_a_later_one() -> None:
    cas = "SVC*HC:J0256*100*0**10|CAS*CO*A1*100|LQ*HE*N362"
    _, diagnostics = read(transaction("0001", "005010X221A1", "20260105", [cas, cas]),
                          transaction("0002", "005010X221A1", "20260301", [cas]),
                          transaction("0003", "005010X221A1", "20260105", [cas]))
    assert found(diagnostics, "X367") == [(24, "CARC `A1` was stopped on 2026-02-01")]
    assert not found(diagnostics, "X365") and not found(diagnostics, "X366")


def test_a_bad_date_is_reported_every_time() -> None:
    line = "SVC*HC:J0256*100*100**10|DTM*472*20261341"
    _, diagnostics = read(transaction("0001", "005010X221A1", "20260105", [line, line]))
    assert found(diagnostics, "X352") == [(9, "DTM02 `20261341` is not a CCYYMMDD date"),
                                          (12, "DTM02 `20261341` is not a CCYYMMDD date")]


def test_the_fast_constructors_make_the_dataclasses_own_objects() -> None:
    adjustment = make_adjustment("CO", "45", Decimal("20"), None, 9, 10)
    assert adjustment == RemitAdjustment("CO", "45", Decimal("20"), None, 9, 10)
    assert hash(adjustment) == hash(RemitAdjustment("CO", "45", Decimal("20"), None, 9, 10))
    values = ("HC", "J0256", ("JW",), Decimal("145"), Decimal("0"), None, Decimal("29"), None,
              None, (), None, None, None, "C1-02", (), None, (adjustment,), ("N657",), 8, 8)
    line = make_service_line(*values)
    assert line == ServiceLinePayment(*values) and repr(line) == repr(ServiceLinePayment(*values))
    with pytest.raises(dataclasses.FrozenInstanceError):
        line.paid = Decimal("1")  # type: ignore[misc]
    with pytest.raises(ValueError):
        make_service_line(*values[:-1])
