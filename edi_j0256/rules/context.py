"""The context every rule gets: reference data, payer policies and the state of the run.

One context lives for one run (one ``check`` over any number of files), so cross-claim and
cross-file rules (7-day frequency, unit caps, duplicates) see every J0256 line of the run.
The state keeps member IDs in memory only, as keys; nothing of it is written out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from edi_j0256.claims.model import Claim, ServiceLine
from edi_j0256.rules.finding import Hit, Where
from edi_j0256.rules.policy import Policy, PolicySet, load_policies
from edi_j0256.rules.refdata import Crosswalk, load_crosswalk

DRUG_CODE = "J0256"
WASTE, NO_WASTE = "JW", "JZ"
VOIDING_FREQUENCIES = frozenset({"7", "8"})  # CLM05-3 replacement / void of an earlier claim


@dataclass(frozen=True, slots=True)
class Dose:
    """One J0256 line as the run remembers it (for frequency, caps and duplicates)."""

    service_date: date
    units: Decimal
    waste: bool  # JW line
    claim_key: tuple  # (file, CLM segment): which claim it came from
    signature: tuple  # what makes two lines exact duplicates
    where: Where
    policy: Policy
    order: int  # reading order within the run

    def described_from(self, other: Dose) -> str:
        """``claim X line N`` (``in FILE`` when ``other`` came from another file)."""
        text = f"claim {self.where.claim_id}"
        if self.where.line_number is not None:
            text += f" line {self.where.line_number}"
        if self.where.file != other.where.file:
            text += f" in {self.where.file}"
        return text


@dataclass(slots=True)
class RuleContext:
    policies: PolicySet = field(default_factory=load_policies)
    crosswalk: Crosswalk = field(default_factory=load_crosswalk)
    doses: dict[tuple, list[Dose]] = field(default_factory=lambda: defaultdict(list))
    remembered: int = 0

    def policy(self, claim: Claim) -> Policy:
        return self.policies.for_claim(claim)

    def remember(self, claim: Claim) -> None:
        """Keep the claim's J0256 lines for the run rules (voids and replacements excepted)."""
        if (claim.frequency_code or "") in VOIDING_FREQUENCIES:
            return
        member = member_key(claim)
        if member is None:
            return
        policy = self.policy(claim)
        for service_line in drug_lines(claim):
            when = service_line.service_date or claim.statement_from
            if when is None or service_line.units is None or service_line.units <= 0:
                continue
            signature = (service_line.procedure_code, tuple(sorted(service_line.modifiers)),
                         when, service_line.units, service_line.charge, service_line.ndc)
            self.doses[member].append(Dose(
                when, service_line.units, WASTE in service_line.modifiers,
                (claim.envelope.file, claim.segment), signature,
                Where.of(claim, service_line), policy, self.remembered))
            self.remembered += 1


def member_key(claim: Claim) -> tuple | None:
    """Who the patient is, for matching across claims: payer + member ID (+ birth date).

    Dependents can share the subscriber's ID, so the patient's birth date is part of the
    key when the claim has it.
    """
    if not claim.member_id:
        return None
    payer = (claim.payer_id or claim.claim_filing_indicator or "").upper()
    return (payer, claim.member_id.strip().upper(), claim.patient_birth_date)


def drug_lines(claim: Claim) -> list[ServiceLine]:
    """The claim's J0256 lines."""
    return [s for s in claim.lines if (s.procedure_code or "").upper() == DRUG_CODE]


def service_date(claim: Claim, service_line: ServiceLine) -> date | None:
    """DTP*472 of the line, or the 837I statement start (DTP*434) when the line has none."""
    return service_line.service_date or claim.statement_from


def place_of_service(claim: Claim, service_line: ServiceLine) -> str | None:
    """SV105 when given, else CLM05-1 (837P only; an 837I has a type of bill instead)."""
    if claim.transaction_type == "837I":
        return None
    return service_line.place_of_service or claim.place_of_service


def hit(claim: Claim, service_line: ServiceLine | None, message: str,
        severity: str | None = None, policy: Policy | None = None) -> Hit:
    """A rule's result at a service line (or at the claim when ``service_line`` is None)."""
    return Hit(message, Where.of(claim, service_line), severity,
               policy.name if policy else None)


def units_element(claim: Claim) -> str:
    return "SV205" if claim.transaction_type == "837I" else "SV104"


def charge_element(claim: Claim) -> str:
    return "SV203" if claim.transaction_type == "837I" else "SV102"


def fmt(value: Decimal | None) -> str:
    """A quantity as text without exponent or trailing zeros: 4500, 12.5."""
    if value is None:
        return "none"
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
