"""835 balancing rules (005010X221A1 section 1.10.2), reported as warnings, never fatal.

- ``X360`` service line: SVC02 - sum of the line's CAS amounts = SVC03.
- ``X361`` claim: CLP03 - sum of claim and line CAS amounts = CLP04.
- ``X362`` transaction: BPR02 = sum of CLP04 - sum of PLB amounts (BPR03 = D: a debit).

The line and claim checks run on each claim as it is built (:func:`check_claim`). The
transaction check needs only totals (:class:`PaymentTotals`), so the streaming reader keeps
two sums, not the claims, and adds the CLP04 of claims it skips without building them.

Amounts that are absent are not guessed: a check that lacks one of its amounts is skipped.
Messages name amounts and positions only, never claim or patient identifiers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from edi_j0256.diagnostics import Diagnostics, Severity
from edi_j0256.remit.model import ClaimPayment, PaymentHeader, RemitAdjustment, RemitPayment


def adjustment_total(adjustments: Iterable[RemitAdjustment]) -> Decimal:
    return sum((a.amount for a in adjustments if a.amount is not None), Decimal(0))


def _off(expected: Decimal, actual: Decimal) -> str:
    return f"{expected:.2f} expected, {actual:.2f} found (off by {actual - expected:.2f})"


def check_claim(claim: ClaimPayment, file: str, diagnostics: Diagnostics) -> int:
    """X360 for each service line and X361 for the claim that do not balance; how many."""
    added = 0
    line_adjusted = Decimal(0)
    for service in claim.lines:
        adjusted = adjustment_total(service.adjustments)
        line_adjusted += adjusted
        if service.charge is None or service.paid is None:
            continue
        expected = service.charge - adjusted
        if expected != service.paid:
            added += 1
            diagnostics.add("X360", Severity.WARNING,
                            f"service line out of balance: SVC02 - CAS = SVC03: "
                            f"{_off(expected, service.paid)}", file, service.segment,
                            service.line)
    if claim.charge is None or claim.paid is None:
        return added
    expected = claim.charge - adjustment_total(claim.adjustments) - line_adjusted
    if expected != claim.paid:
        added += 1
        diagnostics.add("X361", Severity.WARNING,
                        f"claim out of balance: CLP03 - claim and line CAS = CLP04: "
                        f"{_off(expected, claim.paid)}", file, claim.segment, claim.line)
    return added


@dataclass(slots=True)
class PaymentTotals:
    """Running sums of one transaction: CLP04 of every claim, and every PLB amount."""

    claims_paid: Decimal = Decimal(0)
    provider_adjustments: Decimal = Decimal(0)


def check_payment(header: PaymentHeader, totals: PaymentTotals,
                  diagnostics: Diagnostics) -> int:
    """X362 when BPR02 is not the CLP04 total less the PLB total; how many (0 or 1)."""
    if header.payment_amount is None:
        return 0
    expected = totals.claims_paid - totals.provider_adjustments
    actual = -header.payment_amount if header.credit_debit == "D" else header.payment_amount
    if expected == actual:
        return 0
    diagnostics.add("X362", Severity.WARNING,
                    f"payment out of balance: BPR02 = CLP04 total - PLB total: "
                    f"{_off(expected, actual)}", header.envelope.file, header.segment,
                    header.line)
    return 1


def check_balance(payment: RemitPayment, diagnostics: Diagnostics) -> int:
    """Every check on one whole transaction; returns how many diagnostics were added."""
    file = payment.header.envelope.file
    added = sum(check_claim(claim, file, diagnostics) for claim in payment.claims)
    totals = PaymentTotals(
        sum((c.paid for c in payment.claims if c.paid is not None), Decimal(0)),
        sum((p.amount for p in payment.provider_adjustments if p.amount is not None),
            Decimal(0)))
    return added + check_payment(payment.header, totals, diagnostics)
