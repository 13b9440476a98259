"""JM: modifiers on J0256 lines (JW/JZ drug waste, misplaced POS codes, 59/X{EPSU})."""

from __future__ import annotations

from collections.abc import Iterator

from edi_j0256.claims.model import Claim, ServiceLine
from edi_j0256.rules.context import (
    NO_WASTE,
    WASTE,
    ClaimFacts,
    RuleContext,
    fmt,
    hit,
    place_of_service,
)
from edi_j0256.rules.finding import Hit
from edi_j0256.rules.registry import rule

# Where JW/JZ do not apply: the drug is not separately payable (inpatient under IPPS, swing
# beds) or the setting is paid per encounter (FQHC, RHC).
NOT_SEPARATELY_PAYABLE_POS = frozenset({"21", "50", "72"})
NOT_SEPARATELY_PAYABLE_BILL_TYPES = ("11", "18", "71", "77")  # facility + classification

PLACES_OF_SERVICE = {
    "02": "Telehealth Provided Other than in Patient's Home", "10": "Telehealth Provided in "
    "Patient's Home", "11": "Office", "12": "Home", "13": "Assisted Living Facility",
    "19": "Off Campus-Outpatient Hospital", "20": "Urgent Care Facility",
    "21": "Inpatient Hospital", "22": "On Campus-Outpatient Hospital",
    "23": "Emergency Room - Hospital", "24": "Ambulatory Surgical Center",
    "31": "Skilled Nursing Facility", "32": "Nursing Facility", "49": "Independent Clinic",
    "50": "Federally Qualified Health Center", "72": "Rural Health Clinic",
}
OTHER_POS = {f"{n:02d}" for n in (*range(1, 28), *range(31, 35), 41, 42, *range(49, 59),
                                  60, 61, 62, 65, 66, 71, 72, 81, 99)}
DISTINCT_SERVICE = ("59", "XE", "XP", "XS", "XU")
POS_MODIFIERS = frozenset(OTHER_POS - set(DISTINCT_SERVICE))  # what JM005 flags


def waste_modifier_applies(claim: Claim, service_line: ServiceLine) -> bool:
    """False where JW/JZ do not apply (inpatient, swing bed, FQHC, RHC)."""
    if claim.transaction_type == "837I":
        return not (claim.facility_type or "").startswith(NOT_SEPARATELY_PAYABLE_BILL_TYPES)
    return place_of_service(claim, service_line) not in NOT_SEPARATELY_PAYABLE_POS


@rule("JM001", "waste-modifier-missing", severity="error", root_cause="modifiers", carc="4",
      rarc="N822",
      when=lambda f: f.bare and f.policy.require_waste_modifier)
def waste_modifier_missing(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """A J0256 line has neither JW nor JZ where the payer requires one.

    What it does:
        Where the payer policy sets ``require_waste_modifier`` (bundled: Medicare and
        Medicare Advantage), every J0256 line must carry JZ (nothing discarded) or be
        paired with a JW line (the discarded amount) of the same date. The administered
        line of a JW pair correctly has neither. Skipped where JW/JZ do not apply:
        inpatient (bill type 011x, POS 21), swing bed (018x), RHC (071x, POS 72) and FQHC
        (077x, POS 50).

    Why payers deny it:
        Since 1 July 2023 Medicare requires JZ on single-dose-container drugs with no
        waste, and since 1 October 2023 may return claims without the right modifier as
        unprocessable (commonly CO-4 or CO-16 with N822/N823). Every J0256 product is a
        single-dose vial.

    Example:
        ``SV1*HC:J0256*4500*UN*450***1~`` on a Medicare Part B claim, no JW line that day.

    Fix:
        Add JZ when nothing was discarded; otherwise bill the discarded units on a separate
        J0256 line with JW, same date.

    Source:
        CMS "JW and JZ Modifier Policy" (MLN, 2023) and Medicare Claims Processing Manual
        Chapter 17, section 40.
    """
    facts = context.facts(claim)
    policy = facts.policy
    if not policy.require_waste_modifier:
        return
    for lines in facts.by_date.values():
        if any(WASTE in s.modifiers for s in lines):
            continue  # a JW pair: its administered line correctly has neither
        for service_line in lines:
            if NO_WASTE in service_line.modifiers:
                continue
            if not waste_modifier_applies(claim, service_line):
                continue
            yield hit(claim, service_line, "J0256 line has neither JW nor JZ; the "
                      f"`{policy.name}` policy needs JZ (no waste) or a separate JW waste line",
                      policy=policy)


@rule("JM002", "jw-and-jz-same-date", severity="error", root_cause="modifiers", carc="4",
      rarc="N823",
      when=lambda f: WASTE in f.modifiers and NO_WASTE in f.modifiers)
def jw_and_jz_same_date(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """JW and JZ are both billed for J0256 on the same date.

    What it does:
        Flags a J0256 line carrying both JW and JZ, and both lines of a pair where one line
        says JZ and another bills JW waste on the same date.

    Why payers deny it:
        JZ attests that nothing was discarded, JW bills what was discarded: together they
        contradict each other and Medicare returns or denies the lines (CARC 4 / N823).

    Example:
        ``SV1*HC:J0256:JZ*4500*UN*450***1~`` and ``SV1*HC:J0256:JW*500*UN*50***1~`` on the
        same date.

    Fix:
        Keep JW on the waste line and remove JZ from the administered line (or remove the
        JW line when nothing was discarded).

    Source:
        CMS "JW and JZ Modifier Policy" FAQ (never JW and JZ for the same drug on the same
        date).
    """
    facts = context.facts(claim)
    if WASTE not in facts.modifiers or NO_WASTE not in facts.modifiers:
        return
    for lines in facts.by_date.values():
        waste_lines = [s for s in lines if WASTE in s.modifiers and NO_WASTE not in s.modifiers]
        no_waste_lines = [s for s in lines if NO_WASTE in s.modifiers and WASTE not in s.modifiers]
        for service_line in lines:
            if WASTE in service_line.modifiers and NO_WASTE in service_line.modifiers:
                yield hit(claim, service_line, "J0256 line carries both JW and JZ")
        if not (waste_lines and no_waste_lines):
            continue
        # Both lines of a JZ / JW pair are flagged: either may be the one the payer denies.
        for service_line in no_waste_lines:
            yield hit(claim, service_line, f"J0256 line has JZ (no waste) but line "
                      f"{_numbers(waste_lines)} bills JW waste on the same date")
        for service_line in waste_lines:
            yield hit(claim, service_line, f"J0256 JW waste line, but line "
                      f"{_numbers(no_waste_lines)} says JZ (nothing discarded) on the same date")


def _numbers(lines) -> str:
    return ", ".join(str(s.line_number) if s.line_number is not None else "?" for s in lines)


def waste_alone(facts: ClaimFacts) -> list[ServiceLine]:
    """The J0256 lines of the dates whose every J0256 line is a JW waste line."""
    if WASTE not in facts.modifiers:
        return []
    found: list[ServiceLine] = []
    for lines in facts.by_date.values():
        for service_line in lines:
            if WASTE not in service_line.modifiers:
                break
        else:
            found += lines
    return found


@rule("JM003", "jw-without-administered-line", severity="error", root_cause="modifiers",
      carc="4", rarc="N823", when=lambda f: bool(waste_alone(f)))
def jw_without_administered_line(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """A JW waste line has no administered J0256 line on the same date.

    What it does:
        For each J0256 line with JW, looks for a J0256 line without JW on the same date of
        service in the same claim.

    Why payers deny it:
        JW bills the discarded part of a vial whose other part was given: waste alone,
        without the administered amount, is denied (CARC 4 / N823) or questioned.

    Example:
        A claim whose only J0256 line is ``SV1*HC:J0256:JW*500*UN*50***1~``.

    Fix:
        Bill the administered amount on its own J0256 line without JW, same date, and keep
        the discarded amount on the JW line.

    Source:
        CMS "JW and JZ Modifier Policy" (JW line and administered line billed separately,
        same code and date).
    """
    for service_line in waste_alone(context.facts(claim)):
        yield hit(claim, service_line, "J0256 JW waste line has no administered J0256 line "
                  "on the same date")


@rule("JM004", "jw-units-a-vial-or-more", severity="error", root_cause="units", carc="151",
      rarc="M53",
      when=lambda f: WASTE in f.modifiers)
def jw_units_a_vial_or_more(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """The JW waste is a whole vial or more.

    What it does:
        Compares the units of a J0256 JW line (times 10 mg) with the labelled mg of the
        largest package billed that date (the NDC of the JW line or of the same date's
        administered lines, from the NDC crosswalk). Skipped when no package is known.

    Why payers deny it:
        Waste is what is left in the last opened single-dose vial, so it is smaller than one
        vial; a whole unopened vial is not waste and cannot be billed (CARC 151 / M53).

    Example:
        Administered 4,500 mg from Prolastin-C 1,000 mg vials, JW line of 150 units
        (1,500 mg): at most 500 mg (50 units) can be left from the vials opened.

    Fix:
        Bill on the JW line only the amount discarded from the last vial opened; return
        unopened vials to stock.

    Source:
        CMS "JW and JZ Modifier Policy" (discarded amount from a single-dose container);
        package sizes from the FDA NDC Directory.
    """
    facts = context.facts(claim)
    if WASTE not in facts.modifiers:
        return
    for lines in facts.by_date.values():
        waste = [s for s in lines if WASTE in s.modifiers and s.units]
        if not waste:
            continue
        sizes = [p.mg_per_package for s in lines
                 if (p := context.crosswalk.get(s.ndc)) and p.mg_per_package]
        if not sizes:
            continue
        vial = max(sizes)
        for service_line in waste:
            units = service_line.units
            if units * 10 >= vial:
                yield hit(claim, service_line, f"J0256 JW waste of `{fmt(units)}` units "
                          f"({fmt(units * 10)} mg) is a whole {fmt(vial)} mg vial or more")


@rule("JM005", "place-of-service-as-modifier", severity="error", root_cause="modifiers",
      carc="4", rarc="N823",
      when=lambda f: not f.modifiers.isdisjoint(POS_MODIFIERS))
def place_of_service_as_modifier(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """A place-of-service code is written as a modifier on the J0256 line.

    What it does:
        Flags two-digit modifiers on a J0256 line that are place-of-service codes (11
        Office, 12 Home, 19 and 22 outpatient hospital, 21 inpatient ...), except 59, which
        JM006 covers.

    Why payers deny it:
        Place of service is not a modifier: it goes in CLM05-1 (claim) and SV105 (line) of
        an 837P. As a modifier it is invalid for a drug (modifier 22, for instance, means
        Increased Procedural Services, a surgical modifier): CARC 4 with N823.

    Example:
        ``SV1*HC:J0256:22*4500*UN*450***1~`` meant to say "outpatient hospital".

    Fix:
        Remove the modifier; put the place of service in CLM05-1 or SV105 (837P) or the type
        of bill (837I CLM05).

    Source:
        CMS Place of Service code set; X12 837P CLM05-1 / SV105. The source document's
        claim that POS designators are modifiers is wrong.
    """
    facts = context.facts(claim)
    if facts.modifiers.isdisjoint(POS_MODIFIERS):
        return
    for service_line in facts.lines:
        for modifier in service_line.modifiers:
            if modifier not in POS_MODIFIERS:
                continue
            name = PLACES_OF_SERVICE.get(modifier)
            what = f"POS {modifier} {name}" if name else f"POS {modifier}"
            extra = " (modifier 22 means Increased Procedural Services)" if modifier == "22" else ""
            yield hit(claim, service_line, f"J0256 modifier `{modifier}` is a place-of-service "
                      f"code ({what}), not a drug modifier{extra}")


@rule("JM006", "distinct-service-modifier-on-drug", severity="warning", root_cause="modifiers",
      carc="4", rarc="N823",
      when=lambda f: not f.modifiers.isdisjoint(DISTINCT_SERVICE))
def distinct_service_modifier_on_drug(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """Modifier 59 or XE/XP/XS/XU is on a J0256 line.

    What it does:
        Flags the distinct-procedural-service modifiers 59, XE, XP, XS and XU on J0256 lines.

    Why payers deny it:
        These modifiers unbundle procedures under NCCI edits; a drug supply line is not a
        procedure and has nothing to unbundle, so payers treat them as modifier misuse
        (CARC 4 / N823) and audit them.

    Example:
        ``SV1*HC:J0256:59*4500*UN*450***1~``

    Fix:
        Remove 59/X{EPSU} from the drug line; use JW/JZ for waste reporting. If an
        administration code needs 59 under an NCCI edit, put it on that CPT line.

    Source:
        CMS NCCI Policy Manual, Chapter I (modifier 59 and X{EPSU} modifiers).
    """
    facts = context.facts(claim)
    if facts.modifiers.isdisjoint(DISTINCT_SERVICE):
        return
    for service_line in facts.lines:
        for modifier in service_line.modifiers:
            if modifier in DISTINCT_SERVICE:
                yield hit(claim, service_line, f"J0256 line carries distinct-service modifier "
                          f"`{modifier}`, which does not apply to a drug")
