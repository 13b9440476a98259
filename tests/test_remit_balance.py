"""Balancing checks: warnings with positions, never exceptions; balanced fixtures stay quiet."""

from __future__ import annotations

from pathlib import Path

import pytest

from edi_j0256.diagnostics import Diagnostics, Severity
from edi_j0256.remit import read_remits

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BALANCED = sorted(FIXTURES.glob("835-*.x12")) + [FIXTURES / "remit" / "835-catalogue.x12",
                                                 FIXTURES / "remit" / "835-4010-cr.x12"]


@pytest.mark.parametrize("path", BALANCED, ids=lambda p: p.name)
def test_balanced_fixtures_balance(path: Path) -> None:
    diagnostics = Diagnostics()
    assert list(read_remits(path, diagnostics=diagnostics))
    problems = [str(d) for d in diagnostics if d.severity != Severity.INFO]
    assert problems == []


def test_unbalanced_fixture_reports_line_claim_and_payment() -> None:
    diagnostics = Diagnostics()
    path = FIXTURES / "remit" / "835-exceptions.x12"
    (payment,) = read_remits(path, diagnostics=diagnostics)
    by_code: dict[str, list] = {}
    for d in diagnostics:
        by_code.setdefault(d.code, []).append(d)
    (line,) = by_code["X360"]
    assert line.segment == payment.claims[0].lines[0].segment and line.line
    assert "1620.00 expected, 1600.00 found" in line.message
    assert [d.segment for d in by_code["X361"]] == [c.segment for c in payment.claims]
    (total,) = by_code["X362"]
    assert "9999.99 found" in total.message
    assert by_code["X353"][0].message.startswith("CAS01 group code `CR`")
    assert by_code["X352"][0].message.startswith("AMT02 `16X0`")
    assert all(d.severity == Severity.WARNING for code in ("X360", "X361", "X362")
               for d in by_code[code])
    assert payment.claims[0].lines[0].allowed_amount is None  # unreadable, not guessed


def test_debit_payment_is_negative() -> None:
    import io

    text = (b"ST*835*0001~BPR*I*50*D*ACH************20260101~TRN*1*T*1~N1*PR*P~N1*PE*Q~LX*1~"
            b"CLP*C1*22*-100*-50**12*X~SVC*HC:J0256*-100*-50**-10~CAS*CO*45*-50~SE*9*0001~")
    diagnostics = Diagnostics()
    list(read_remits(io.BytesIO(text), name="debit.835", diagnostics=diagnostics))
    assert not [d for d in diagnostics if d.code.startswith("X36")]
