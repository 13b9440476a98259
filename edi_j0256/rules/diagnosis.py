"""JD: ICD-10-CM diagnoses of J0256 claims (HI at 2300, SV107 pointers on the 837P)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from edi_j0256.claims.model import Claim, ServiceLine
from edi_j0256.rules.context import ClaimFacts, RuleContext, hit
from edi_j0256.rules.finding import Hit
from edi_j0256.rules.refdata import ICD10CM_EFFECTIVE_FROM, ICD10CM_TABLE, icd10cm_status
from edi_j0256.rules.registry import rule

AATD = "E88.01"  # alpha-1-antitrypsin deficiency
LUNG_CATEGORIES = ("J43", "J44")  # emphysema, other COPD
CODE_SET_START = date.fromisoformat(ICD10CM_EFFECTIVE_FROM)


def has_aatd(facts: ClaimFacts) -> bool:
    """True when E88.01 is among the claim's ICD-10-CM codes."""
    for _, code in facts.icd10:
        if code == AATD:
            return True
    return False


def lines_missing_aatd(facts: ClaimFacts) -> list[ServiceLine]:
    """The J0256 lines whose SV107 pointers miss every E88.01 of the HI (none when the
    claim has no E88.01: JD001 says so)."""
    if not has_aatd(facts):
        return []
    positions = {n for n, code in enumerate(facts.dotted, 1) if code == AATD}
    return [s for s in facts.lines if positions.isdisjoint(s.diagnosis_pointers)]


_BILLABLE: set[str] = set()  # codes found billable so far (a file uses a few hundred)
BILLABLE_MEMORY = 65536


def all_billable(facts: ClaimFacts) -> bool:
    """True when every ICD-10-CM code of the claim is billable (each code looked up once)."""
    for _, code in facts.icd10:
        if code in _BILLABLE:
            continue
        if icd10cm_status(code) != "billable":
            return False
        if len(_BILLABLE) < BILLABLE_MEMORY:
            _BILLABLE.add(code)
    return True


def has_lung(facts: ClaimFacts) -> bool:
    """True when a J43 / J44 code is among the claim's ICD-10-CM codes."""
    for _, code in facts.icd10:
        if code[:3] in LUNG_CATEGORIES:
            return True
    return False


def pointers_beyond(facts: ClaimFacts) -> list[tuple[ServiceLine, list[int]]]:
    """The J0256 lines with SV107 pointers past the claim's HI codes, with those pointers."""
    count = len(facts.dotted)
    found = []
    for service_line in facts.lines:
        pointers = service_line.diagnosis_pointers
        for pointer in pointers:
            if not 0 < pointer <= count:
                found.append((service_line, [p for p in pointers if not 0 < p <= count]))
                break
    return found


def before_code_set(facts: ClaimFacts) -> bool:
    """True when the claim's latest J0256 date of service is before the FY2026 code set."""
    dates = [when for when in facts.by_date if when]
    return bool(dates) and max(dates) < CODE_SET_START


@rule("JD001", "no-aatd-diagnosis", severity="error", root_cause="diagnosis", carc="11",
      rarc="M76", when=lambda f: not has_aatd(f))
def no_aatd_diagnosis(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """The claim has no E88.01 (alpha-1-antitrypsin deficiency) diagnosis.

    What it does:
        Looks for E88.01 among the claim's ICD-10-CM codes (HI ABK/ABF on an 837P, ABK/ABJ/
        APR/ABF on an 837I).

    Why payers deny it:
        Alpha-1 proteinase inhibitors are covered for emphysema due to congenital
        alpha-1-antitrypsin deficiency; without E88.01 the diagnosis does not support the
        drug (CARC 11 with M76).

    Example:
        ``HI*ABK:J439~`` (emphysema) and no ``E8801``.

    Fix:
        Code E88.01 when the deficiency is documented (serum AAT level and genotype in the
        record), with the lung disease as a further diagnosis.

    Source:
        ICD-10-CM FY2026 (E88.01 is billable); Aetna CPB 0145 and other alpha-1 PI policies.
    """
    facts = context.facts(claim)
    if not facts.lines:
        return
    if not has_aatd(facts):
        found = ", ".join(code for _, code in facts.icd10) or "none"
        yield hit(claim, None, f"J0256 claim has no {AATD} (alpha-1-antitrypsin deficiency) "
                  f"diagnosis; claim diagnoses: {found}")


@rule("JD002", "line-not-pointing-at-aatd", severity="error", root_cause="diagnosis",
      carc="11", rarc="M76", when=lambda f: not f.institutional and bool(lines_missing_aatd(f)))
def line_not_pointing_at_aatd(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """The J0256 line's diagnosis pointers do not select E88.01 (837P).

    What it does:
        On an 837P whose claim has E88.01, checks that the SV107 pointers of every J0256
        line include the position of E88.01 in HI. An 837I has no pointers and is skipped.

    Why payers deny it:
        The payer reads the line's diagnoses through its pointers only; a J0256 line
        pointing at, say, the hypertension code is a drug without its indication (CARC 11
        with M76).

    Example:
        ``HI*ABK:I10*ABF:E8801~`` and ``SV1*HC:J0256:JZ*4500*UN*450***1~`` (points at I10).

    Fix:
        Point SV107 at the position of E88.01 in HI (2 in the example), and at the lung
        diagnosis if any.

    Source:
        X12 837P 005010X222A1 SV107 (diagnosis code pointers into HI).
    """
    facts = context.facts(claim)
    if facts.institutional:
        return
    for service_line in lines_missing_aatd(facts):  # JD001 when E88.01 is missing
        shown = ",".join(str(p) for p in service_line.diagnosis_pointers) or "none"
        yield hit(claim, service_line, f"J0256 line diagnosis pointers (SV107) `{shown}` "
                  f"do not point at {AATD}")


@rule("JD003", "diagnosis-not-billable", severity="error", root_cause="diagnosis", carc="16",
      rarc="M76", when=lambda f: not all_billable(f))
def diagnosis_not_billable(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """A diagnosis code is not a billable ICD-10-CM code.

    What it does:
        Checks every ICD-10-CM code of the claim against the official tabular list shipped
        by the ``simple_icd_10_cm`` package (FY2026, April 2026 update): a code must exist
        and have no subcodes. For dates of service before that code set took effect
        (1 October 2025) the finding is a warning, since codes change every October.

    Why payers deny it:
        Claims with an invalid or non-billable (header) code are rejected or denied as an
        invalid diagnosis (CARC 16 with M76). J44.8 has subcodes (J44.81, J44.89) since
        October 2023 and is not billable.

    Example:
        ``HI*ABK:E8801*ABF:J448~``

    Fix:
        Code to the highest specificity: J44.81 or J44.89 instead of J44.8.

    Source:
        CMS ICD-10-CM FY2026 tabular list (April 1 2026 update).
    """
    facts = context.facts(claim)
    for qualifier, code in facts.icd10:
        status = icd10cm_status(code)
        if status == "billable":
            continue
        why = "has subcodes and is not billable" if status == "header" else \
            "is not an ICD-10-CM code"
        yield hit(claim, None, f"diagnosis `{code}` ({qualifier}) {why} in the {ICD10CM_TABLE}",
                  "warning" if before_code_set(facts) else None)


@rule("JD004", "no-lung-diagnosis", severity="warning", root_cause="diagnosis", carc="11",
      when=lambda f: f.policy.require_lung_diagnosis and not has_lung(f))
def no_lung_diagnosis(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """No emphysema/COPD diagnosis (J43.x, J44.x) where the payer policy asks for one.

    What it does:
        Where the payer policy sets ``require_lung_diagnosis`` (bundled: commercial), looks
        for an ICD-10-CM code in J43 (emphysema) or J44 (other COPD) on the claim.

    Why payers deny it:
        Commercial policies cover augmentation therapy for clinically evident emphysema with
        AAT deficiency; E88.01 alone does not show the lung disease and the claim is denied
        as a diagnosis inconsistent with the procedure (CARC 11), or as not medically
        necessary (CARC 50) until records are sent.

    Example:
        ``HI*ABK:E8801~`` alone on a commercial claim.

    Fix:
        Add the documented lung diagnosis (e.g. J43.9 emphysema, J44.9 COPD) and point the
        J0256 line at it.

    Source:
        Aetna CPB 0145; UnitedHealthcare, Cigna and HealthPartners alpha-1 PI policies.
    """
    facts = context.facts(claim)
    policy = facts.policy
    if not policy.require_lung_diagnosis or not facts.lines:
        return
    if not has_lung(facts):
        yield hit(claim, None, f"J0256 claim has no emphysema/COPD diagnosis (J43.x, J44.x), "
                  f"which the `{policy.name}` policy asks for", policy=policy)


@rule("JD005", "pointer-beyond-diagnoses", severity="error", root_cause="diagnosis", carc="16",
      rarc="M76", when=lambda f: not f.institutional and bool(pointers_beyond(f)))
def pointer_beyond_diagnoses(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """A J0256 line's diagnosis pointer (SV107) points past the claim's HI codes (837P).

    What it does:
        On an 837P, checks that every SV107 pointer of a J0256 line is between 1 and the
        number of diagnosis codes in the claim's HI segments. An 837I has no pointers.

    Why payers deny it:
        A pointer to a diagnosis that is not on the claim is an implementation-guide error:
        clearinghouses and payer front ends reject the claim before adjudication (or it is
        returned for an invalid diagnosis, CARC 16 with M76).

    Example:
        ``HI*ABK:E8801*ABF:J439~`` (two codes) and ``SV1*HC:J0256:JZ*2000*UN*400***1:3~``.

    Fix:
        Point SV107 only at positions present in HI (1 to the number of codes), or add the
        missing diagnosis to HI.

    Source:
        X12 837P 005010X222A1 SV107 (diagnosis code pointers, 1-12, into loop 2300 HI).
    """
    facts = context.facts(claim)
    if facts.institutional:
        return
    count = len(facts.dotted)
    for service_line, beyond in pointers_beyond(facts):
        if beyond:
            shown = ",".join(str(p) for p in beyond)
            yield hit(claim, service_line, f"J0256 line diagnosis pointer(s) (SV107) `{shown}` "
                      f"point past the claim's {count} diagnosis code"
                      f"{'s' if count != 1 else ''} (HI)")
