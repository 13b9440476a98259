"""The context every rule gets: reference data, payer policies and the state of the run.

One context lives for one run (one ``check`` over any number of files), so cross-claim and
cross-file rules (7-day frequency, unit caps, MUE, duplicates) see every J0256 line of the
run. Their state is :class:`~edi_j0256.rules.history.History`: per patient, only the recent
doses, keyed by a digest (no member ID, name or birth date is kept as text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

try:
    import cython
except ImportError:  # no Cython: plain Python, with the stand-in of what is used of it
    from edi_j0256 import _cython_shim as cython

from edi_j0256.claims.model import Claim, ServiceLine, dotted_code
from edi_j0256.codes import DEFAULT_HCPCS
from edi_j0256.rules.finding import Hit, Where
from edi_j0256.rules.history import Dose, DoseRef, History, Seen, patient_key
from edi_j0256.rules.mue import MueTable, load_mue
from edi_j0256.rules.policy import Policy, PolicySet, load_policies
from edi_j0256.rules.refdata import Crosswalk, load_crosswalk

DRUG_CODE = DEFAULT_HCPCS[0]  # the rules are J0256's (1 unit = 10 mg)
WASTE, NO_WASTE = "JW", "JZ"
REPLACEMENT, VOID = "7", "8"  # CLM05-3: replacement / void of an earlier claim
VOIDING_FREQUENCIES = frozenset({REPLACEMENT, VOID})
SEVEN_DAYS = 7
KG_PER_LB = Decimal("0.45359237")
NO_UNITS = Decimal(0)  # what amounts are compared with (a Decimal with a Decimal is quicker)
ICD10_QUALIFIERS = frozenset({"ABK", "ABF", "ABJ", "APR", "ABN"})  # HI codes of ICD-10-CM
POLICY_MEMORY = 1024  # (payer ID, SBR09) pairs whose policy is kept
NDC_UNITS = ("F2", "GR", "ME", "ML", "UN")  # CTP05-1 units of measure (JN006)


# Arrival, ClaimDoses and ClaimFacts are made per line or claim: extension types when
# compiled (see history.DoseRef), plain dataclasses otherwise.
@cython.cclass
@cython.dataclasses.dataclass  # not frozen: one per line (see history.Dose)
class Arrival:
    """One J0256 line of the claim being checked, with what the patient's history says."""

    dose: Dose
    place: tuple  # the line's Where, as its fields (see Where.fields)
    policy: Policy
    seen: Seen
    transaction_type: str | None  # 837P (practitioner) / 837I (outpatient hospital)

    @property
    def where(self) -> Where:
        """The line's position (made only when a rule reports it)."""
        return Where(*self.place)


@cython.cclass
@cython.dataclasses.dataclass  # not frozen: one per claim (see history.Dose), changed by none
class ClaimDoses:
    """What the run rules take of one claim: who the patient is (a digest), what the claim
    voids or replaces, and its J0256 doses as plain values. It needs only the claim, so it
    can be worked out apart from the history it is checked against (``check`` on pieces).

    ``lines``: per administered or wasted J0256 line with a date and positive units,
    ``(date, units, JW, signature, LX01, place)`` (``place``: Where's fields)."""

    key: int | None  # member_key; None: the claim is no patient's dose
    frequency: str  # CLM05-3
    claim_id: str | None
    file: str | None
    policy: Policy | None  # the claim's payer policy (None with no lines to check)
    transaction_type: str | None
    lines: tuple[tuple, ...] = ()


@cython.cclass
@cython.dataclasses.dataclass  # not frozen: one per claim, read by every rule
class ClaimFacts:
    """What the rules ask of the claim being checked, worked out once for all of them."""

    claim: Claim
    lines: list[ServiceLine]  # the J0256 lines, in claim order
    policy: Policy  # the claim's payer policy
    institutional: bool  # an 837I (type of bill, revenue codes; no SV107 pointers)
    by_date: dict[date | None, list[ServiceLine]]  # the J0256 lines by date of service
    modifiers: frozenset[str]  # every modifier of the J0256 lines
    dotted: list[str]  # every HI code in its printed form, in order (what SV107 points at)
    icd10: list[tuple[str, str]]  # (qualifier, dotted code) of the ICD-10-CM diagnoses
    weight_kg: Decimal | None  # PAT08 (pounds) in kilograms
    # What the J0256 lines have, found in the same pass: a rule whose ``when`` says it can
    # only fire on one of these is not called on a claim without it (see registry.rule).
    odd_units: bool = False  # units missing, zero, negative or fractional (JU001)
    odd_basis: bool = False  # a unit basis other than UN (JU005)
    odd_charge: bool = False  # a charge missing, zero or negative (JC004)
    bare: bool = False  # a line with neither JW nor JZ (JM001)
    inpatient_place: bool = False  # an 837P line whose place of service is 21 (JC002)
    no_ndc: bool = False  # a line with no NDC (JN001)
    ndc_text: bool = False  # an NDC written with another qualifier or not as 11 digits
    ndc_product: bool = False  # an NDC that is not a J0256 product of the crosswalk
    ndc_quantity: bool = False  # an NDC whose quantity is missing or not positive (JN005)
    ndc_unit: bool = False  # a CTP quantity whose unit is not a CTP05 unit (JN006)
    mg_reasons: list | None = None  # per line, why its units look like mg (units.py fills it)


@dataclass(slots=True)
class RuleContext:
    policies: PolicySet = field(default_factory=load_policies)
    crosswalk: Crosswalk = field(default_factory=load_crosswalk)
    mue: MueTable = field(default_factory=load_mue)
    history: History | None = None
    arrivals: list[Arrival] = field(default_factory=list)  # of the claim being checked
    remembered: int = 0  # J0256 lines remembered in the run
    claims_seen: int = 0
    _facts: ClaimFacts | None = None  # of the claim being checked
    _policy_by: dict = field(default_factory=dict)  # (payer ID, SBR09) -> policy, bounded

    def __post_init__(self) -> None:
        if self.history is None:
            longest = SEVEN_DAYS
            for policy in self.policies.profiles.values():
                longest = max(longest, policy.min_days_between_doses or 0)
            self.history = History(longest)

    def facts(self, claim: Claim, fresh: bool = False) -> ClaimFacts:
        """The claim's :class:`ClaimFacts`, kept for the claim being checked (every rule
        asks); ``fresh``: work them out again (the engine does when a claim comes in, so a
        claim object changed since it was last checked is seen as it is now)."""
        facts = self._facts
        if fresh or facts is None or facts.claim is not claim:
            facts = self._facts = claim_facts(claim, self._policy_of(claim), self.crosswalk)
        return facts

    def _policy_of(self, claim: Claim) -> Policy:
        """``policies.for_claim``, kept per payer ID and claim filing indicator (a file holds
        a few payers; a new one clears the memory when it holds POLICY_MEMORY)."""
        payer = (claim.payer_id, claim.claim_filing_indicator)
        policy = self._policy_by.get(payer)
        if policy is None:
            if len(self._policy_by) >= POLICY_MEMORY:
                self._policy_by.clear()
            policy = self._policy_by[payer] = self.policies.for_claim(claim)
        return policy

    def policy(self, claim: Claim) -> Policy:
        """The claim's payer policy."""
        return self.facts(claim).policy

    def remember(self, claim: Claim) -> list[Arrival]:
        """Check the claim's J0256 lines against the patient's recent doses, then keep them
        (:meth:`doses` then :meth:`arrive`)."""
        return self.arrive(self.doses(claim))

    def doses(self, claim: Claim) -> ClaimDoses:
        """The claim's :class:`ClaimDoses` (nothing of the history is read)."""
        key = member_key(claim)
        frequency = claim.frequency_code or ""
        file = claim.envelope.file if claim.envelope else None
        if key is None or frequency == VOID:
            return ClaimDoses(key, frequency, claim.claim_id, file, None, None)
        facts = self.facts(claim)
        lines: list = []
        start = claim.statement_from
        for service_line in facts.lines:
            when, units = service_line.service_date or start, service_line.units
            if when is None or units is None or units <= NO_UNITS:
                continue
            modifiers = service_line.modifiers
            if len(modifiers) > 1 or type(modifiers) is not tuple:
                modifiers = tuple(sorted(modifiers))  # in any order, the same line
            signature = hash((service_line.procedure_code, modifiers, when, units,
                              service_line.charge, service_line.ndc))
            lines.append((when, units, WASTE in modifiers, signature, service_line.line_number,
                          Where.fields(claim, service_line)))
        return ClaimDoses(key, frequency, claim.claim_id, file, facts.policy,
                          claim.transaction_type, tuple(lines))

    def arrive(self, doses: ClaimDoses) -> list[Arrival]:
        """Check a claim's doses against the patient's recent doses, then keep them.

        A void (CLM05-3 = 8) takes back the lines of the claim it voids (same CLM01, same
        patient) and adds none; a replacement (7) takes them back and adds its own.
        """
        self.claims_seen += 1
        self.arrivals = arrivals = []
        key = doses.key
        if key is None:
            return arrivals
        frequency, claim_id = doses.frequency, doses.claim_id
        if frequency in VOIDING_FREQUENCIES and claim_id:
            self.history.drop_claim(key, claim_id)
        if frequency == VOID:
            return arrivals
        policy, seen = doses.policy, self.history.seen
        within, weekly = policy.min_days_between_doses, bool(policy.max_units_per_7_days)
        file, sequence, transaction = doses.file, self.claims_seen, doses.transaction_type
        for when, units, waste, signature, line_number, place in doses.lines:
            dose = Dose(when, units, waste, sequence, claim_id, signature,
                        DoseRef(claim_id, line_number, file))
            arrivals.append(Arrival(dose, place, policy, seen(key, dose, within, weekly),
                                    transaction))
        self.remembered += len(arrivals)
        return arrivals


def claim_facts(claim: Claim, policy: Policy, crosswalk: Crosswalk | None = None
                ) -> ClaimFacts:
    """Work out the claim's :class:`ClaimFacts` (one pass over its J0256 lines; without
    ``crosswalk``, every NDC counts as one the crosswalk may not know)."""
    lines: list = drug_lines(claim)  # typed locals: list / dict / set calls in C, compiled
    by_date: dict = {}
    modifiers: set = set()
    start = claim.statement_from
    practitioner = claim.transaction_type != "837I"
    claim_place = claim.place_of_service
    products = crosswalk.products if crosswalk is not None else {}
    odd_units = odd_basis = odd_charge = bare = inpatient = False
    no_ndc = ndc_text = ndc_product = ndc_quantity = ndc_unit = False
    for service_line in lines:
        when = service_line.service_date or start
        if when in by_date:
            by_date[when].append(service_line)
        else:
            by_date[when] = [service_line]
        line_modifiers = service_line.modifiers
        modifiers.update(line_modifiers)
        if WASTE not in line_modifiers and NO_WASTE not in line_modifiers:
            bare = True
        units = service_line.units
        if units is None or units <= NO_UNITS or units != units.to_integral_value():
            odd_units = True
        basis = service_line.unit_basis
        if basis and basis.upper() != "UN":
            odd_basis = True
        charge = service_line.charge
        if charge is None or charge <= NO_UNITS:
            odd_charge = True
        if practitioner and (service_line.place_of_service or claim_place) == "21":
            inpatient = True
        ndc, raw, quantity = service_line.ndc, service_line.ndc_raw, service_line.ndc_quantity
        if ndc or raw:
            if raw and (ndc is None or ndc != raw
                        or (service_line.ndc_qualifier or "N4").upper() != "N4"):
                ndc_text = True
            if ndc:
                product = products.get(ndc)
                if product is None or product.hcpcs != DRUG_CODE:
                    ndc_product = True
            if quantity is None or quantity <= NO_UNITS:
                ndc_quantity = True
        else:
            no_ndc = True
        if quantity is not None and (service_line.ndc_unit or "").upper() not in NDC_UNITS:
            ndc_unit = True
    dotted = [dotted_code(d.code) for d in claim.diagnoses]
    icd10 = [(d.qualifier, code) for d, code in zip(claim.diagnoses, dotted, strict=True)
             if d.qualifier in ICD10_QUALIFIERS]
    pounds = claim.patient_weight_lb
    weight = pounds * KG_PER_LB if pounds and pounds > 0 else None
    return ClaimFacts(claim, lines, policy, not practitioner, by_date, frozenset(modifiers),
                      dotted, icd10, weight, odd_units, odd_basis, odd_charge, bare, inpatient,
                      no_ndc, ndc_text, ndc_product, ndc_quantity, ndc_unit)


def member_key(claim: Claim) -> int | None:
    """Who the patient is, for matching across claims (a digest; see ``patient_key``).

    Payer + member ID + the patient's name and birth date: dependents (and twins) can share
    the subscriber's ID, so the patient's own name (2010CA, else the subscriber's) and birth
    date are part of the key when the claim has them.
    """
    if not claim.member_id:
        return None
    who = (claim.payer_id or claim.claim_filing_indicator, claim.member_id,
           claim.patient_last_name, claim.patient_first_name, claim.patient_birth_date)
    last_who, last_key = _LAST_PATIENT[0]  # one read: the pair is replaced whole
    if who == last_who:  # a patient's claims come together: digest them once
        return last_key
    payer, member, last, first, birth = who
    key = patient_key(_norm(payer), _norm(member), _norm(last), _norm(first), birth)
    _LAST_PATIENT[0] = (who, key)
    return key


# The last patient member_key digested and its key (one patient's values, replaced by the
# next claim's: the run's history keeps digests only).
_LAST_PATIENT: list[tuple] = [(None, None)]


def _norm(text: str | None) -> str:
    return " ".join((text or "").upper().split())


_LAST: list = [None, 0, []]  # the claim drug_lines last answered for, its line count, lines


def drug_lines(claim: Claim) -> list[ServiceLine]:
    """The claim's J0256 lines (every rule asks: the answer for the last claim is kept)."""
    if _LAST[0] is claim and _LAST[1] == len(claim.lines):
        return _LAST[2]
    lines = [s for s in claim.lines if (s.procedure_code or "").upper() == DRUG_CODE]
    _LAST[:] = [claim, len(claim.lines), lines]
    return lines


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
