"""Recovery assessment of a denied line: likely / possible / none, why, and by when.

Per denial adjustment, the level and reason come from its root cause's row in
``data/root_causes.csv`` (``recovery``, ``recovery_reason``); a denial moved to the patient
(group PR) is ``none`` / patient responsibility. The line takes the best level of its
denials. The appeal deadline is the remittance date (BPR16) + the days the payer policy
presumes for receipt + its ``appeal_window_days`` (Medicare: 5 + 120); when it has passed on
``as_of`` nothing is recoverable. MA130 / N211 on the adjudication mean no appeal rights:
the deadline does not apply, the fix is a corrected new claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace

from edi_j0256.reconcile.model import Adjustment, ClaimLine
from edi_j0256.remit.denials import root_cause_advice

LIKELY, POSSIBLE, NONE = "likely", "possible", "none"
RANK = {LIKELY: 2, POSSIBLE: 1, NONE: 0}
NO_APPEAL_RIGHTS = frozenset({"MA130", "N211"})
PATIENT_GROUP = "PR"
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Recovery:
    recovery: str
    reason: str
    appeal_deadline: date | None
    days_left: int | None
    likely: Decimal  # denied dollars whose recovery is likely
    possible: Decimal


def adjustment_level(adjustment: Adjustment) -> tuple[str, str]:
    """(level, reason) of one denial adjustment from its root causes."""
    if adjustment.group.upper() == PATIENT_GROUP:
        return NONE, "patient responsibility"
    advice = root_cause_advice()
    options = [(advice[c].recovery, advice[c].recovery_reason)
               for c in adjustment.root_causes if c in advice]
    return max(options, key=lambda o: RANK[o[0]], default=(POSSIBLE, "needs records"))


@lru_cache(maxsize=1)
def _policies():
    from edi_j0256.rules.policy import load_policies

    return load_policies()


def appeal_deadline(claim_line: ClaimLine, remittance_date: date | None) -> date | None:
    """Remittance date + presumed receipt days + the payer policy's appeal window."""
    if remittance_date is None:
        return None
    policy = _policies().for_claim(SimpleNamespace(payer_id=claim_line.payer_id,
                                                   claim_filing_indicator=claim_line.filing_indicator))
    window = getattr(policy, "appeal_window_days", None)
    if not window:
        return None
    receipt = getattr(policy, "appeal_receipt_days", None) or 0
    return remittance_date + timedelta(days=receipt + window)


def assess(claim_line: ClaimLine, denials: list[Adjustment], rarcs: tuple[str, ...],
           remittance_date: date | None, as_of: date) -> Recovery:
    """The recovery assessment of a line whose latest adjudication has ``denials``."""
    if not denials:
        return Recovery(NONE, "nothing denied", None, None, ZERO, ZERO)
    levels = [(a, *adjustment_level(a)) for a in denials]
    _, level, reason = max(levels, key=lambda item: RANK[item[1]])
    resubmit = bool(NO_APPEAL_RIGHTS & set(rarcs))
    deadline = None if resubmit else appeal_deadline(claim_line, remittance_date)
    days_left = (deadline - as_of).days if deadline else None
    if resubmit and level != NONE:
        reason = "no appeal rights: correct and resubmit"
    if days_left is not None and days_left < 0 and level != NONE:
        return Recovery(NONE, "appeal window passed", deadline, days_left, ZERO, ZERO)
    likely = sum((a.amount for a, lv, _ in levels if lv == LIKELY and a.amount), ZERO)
    possible = sum((a.amount for a, lv, _ in levels if lv == POSSIBLE and a.amount), ZERO)
    return Recovery(level, reason, deadline, days_left, likely, possible)
