"""Which adjustments are denials, the denied amount of an adjustment list, a root cause's advice.

The one home of these three answers; ``remit`` and ``reconcile`` both ask here.

Not denials (never denied, never recoverable):

- adjustments whose root causes are only ``contractual`` (CO-45, CO-253 sequestration ...) or
  ``patient_responsibility`` (PR-1/2/3), from ``data/denial_map.csv``;
- OA-23 (impact of prior payer adjudication) on a secondary claim: the primary payer's share.
  A claim is secondary when CLP02 says so (2, 20; tertiary 3, 21) or when the 837 filed it
  as secondary (SBR01 S / T).

>>> is_denial("OA", "23", ("coordination_of_benefits",), secondary=True)
False
>>> is_denial("CO", "16", ("ndc",))
True
>>> denied_amount([("CO", "45", Decimal("10"), ("contractual",)),
...                ("CO", "197", Decimal("5"), ("authorization",))])
Decimal('5')
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from edi_j0256.root_causes import NOT_DENIALS, ROOT_CAUSES

SECONDARY_CLAIM_STATUSES = frozenset({"2", "3", "20", "21"})  # CLP02
SECONDARY_RESPONSIBILITY = frozenset({"S", "T"})  # 837 SBR01
PRIOR_PAYER = ("OA", "23")  # CAS01 group, CARC
RECOVERY_LEVELS = ("likely", "possible", "none")


def is_secondary(claim_status: str | None, payer_responsibility: str | None = None) -> bool:
    """True when the 835 (CLP02) or the 837 (SBR01) says the payer is not the primary one."""
    return ((claim_status or "").strip() in SECONDARY_CLAIM_STATUSES
            or (payer_responsibility or "").strip().upper() in SECONDARY_RESPONSIBILITY)


def is_denial(group: str, carc: str, root_causes: Iterable[str], *,
              secondary: bool = False) -> bool:
    """True unless it is contractual, patient responsibility or a prior payer's share."""
    if secondary and (group.strip().upper(), carc.strip().upper()) == PRIOR_PAYER:
        return False
    return not set(root_causes) <= NOT_DENIALS


def denied_amount(adjustments: Iterable[tuple[str, str, Decimal | None, Iterable[str]]], *,
                  secondary: bool = False) -> Decimal:
    """Sum of the amounts of the denials among ``(group, carc, amount, root_causes)`` items."""
    return sum((amount for group, carc, amount, causes in adjustments
                if amount is not None and is_denial(group, carc, causes, secondary=secondary)),
               Decimal(0))


@dataclass(frozen=True, slots=True)
class RootCauseAdvice:
    """One row of ``root_causes.csv``: what the root cause means and what to do about it.

    ``recovery`` (likely / possible / none) and ``recovery_reason`` are the assessment of a
    denial with this root cause while its appeal or resubmission window is open.
    """

    root_cause: str
    explanation: str
    action: str
    recoverable: str  # yes, no, partly
    recovery: str = "possible"
    recovery_reason: str = "review"


@lru_cache(maxsize=1)
def root_cause_advice() -> dict[str, RootCauseAdvice]:
    """Advice for every root cause; a name missing from the file gets a neutral default."""
    text = resources.files("edi_j0256").joinpath("data/root_causes.csv").read_text(
        encoding="utf-8")
    advice: dict[str, RootCauseAdvice] = {}
    for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))):
        name = (row.get("root_cause") or "").strip()
        recovery = (row.get("recovery") or "").strip()
        if name in ROOT_CAUSES:
            advice[name] = RootCauseAdvice(
                name, (row.get("explanation") or "").strip(), (row.get("action") or "").strip(),
                (row.get("recoverable") or "").strip(),
                recovery if recovery in RECOVERY_LEVELS else "possible",
                (row.get("recovery_reason") or "").strip() or "review")
    for name in ROOT_CAUSES:
        advice.setdefault(name, RootCauseAdvice(name, f"root cause {name}", "review", "partly"))
    return advice


def advice_text(causes: Iterable[str]) -> tuple[str | None, str | None]:
    """(explanation, action) for the root causes of a denial; each prefixed when several."""
    causes = list(dict.fromkeys(causes))
    if not causes:
        return None, None
    advice = root_cause_advice()
    many = len(causes) > 1
    explanation = " ".join(f"{c}: {advice[c].explanation}" if many else advice[c].explanation
                           for c in causes)
    action = " ".join(f"{c}: {advice[c].action}" if many else advice[c].action for c in causes)
    return explanation, action
