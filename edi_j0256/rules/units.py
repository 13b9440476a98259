"""JU: billing units of J0256 lines (one unit = 10 mg of alpha-1 proteinase inhibitor)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from edi_j0256.claims.model import Claim, ServiceLine
from edi_j0256.rules.context import (
    WASTE,
    ClaimFacts,
    RuleContext,
    fmt,
    hit,
    service_date,
    units_element,
)
from edi_j0256.rules.finding import Hit
from edi_j0256.rules.registry import rule

MG_PER_UNIT = Decimal(10)
LABEL_MG_PER_KG = Decimal(60)  # Prolastin-C, Aralast NP, Zemaira labels: 60 mg/kg weekly
LOW_MG_PER_KG, HIGH_MG_PER_KG = Decimal(30), Decimal(90)  # half and 1.5 times the label dose
MG_LIKE_MG_PER_KG = Decimal(300)  # 5 times the label dose: units were written as mg
HEAVIEST_KG = Decimal(250)  # no weight known: a dose above 60 mg/kg x 250 kg is mg
ML_TOLERANCE = Decimal("0.02")  # mL-based quantities: concentrations are rounded on labels


def ndc_mg(service_line: ServiceLine, context: RuleContext) -> Decimal | None:
    """The mg the 2410 CTP quantity stands for (ME mg, GR g, UN packages, ML mL), if known."""
    quantity, unit = service_line.ndc_quantity, (service_line.ndc_unit or "").upper()
    if quantity is None or quantity <= 0:
        return None
    if unit == "ME":
        return quantity
    if unit == "GR":
        return quantity * 1000
    product = context.crosswalk.get(service_line.ndc)
    if product is None or product.hcpcs != "J0256":
        return None
    if unit == "UN" and product.mg_per_package:
        return quantity * product.mg_per_package
    if unit == "ML" and product.mg_per_ml:
        return quantity * product.mg_per_ml
    return None


def looks_like_mg(facts: ClaimFacts, service_line: ServiceLine,
                  context: RuleContext) -> str | None:
    """Why the line's units look like milligrams, or None."""
    units = service_line.units
    if units is None or units <= 0:
        return None
    return _why_mg(facts, units, ndc_mg(service_line, context))


def mg_readings(facts: ClaimFacts, context: RuleContext) -> list[tuple]:
    """Per J0256 line of the claim, in order: ``(mg of its NDC quantity, why its units look
    like mg)`` (:func:`ndc_mg`, :func:`looks_like_mg`), worked out once for JU002-JU004."""
    readings = facts.mg_reasons
    if readings is None:
        readings = facts.mg_reasons = []
        for service_line in facts.lines:
            units = service_line.units
            if units is None or units <= 0:
                readings.append((None, None))
                continue
            mg = ndc_mg(service_line, context)
            readings.append((mg, _why_mg(facts, units, mg)))
    return readings


def _why_mg(facts: ClaimFacts, units: Decimal, mg: Decimal | None) -> str | None:
    if mg is not None and units == mg:
        return f"they equal the {fmt(mg)} mg of the NDC quantity"
    kg = facts.weight_kg
    if kg is not None and units * MG_PER_UNIT / kg >= MG_LIKE_MG_PER_KG:
        return (f"{fmt(units)} units = {fmt(units * MG_PER_UNIT)} mg, "
                f"{fmt(round(units * MG_PER_UNIT / kg))} mg/kg for the patient's weight")
    if kg is None and units * MG_PER_UNIT > LABEL_MG_PER_KG * HEAVIEST_KG:
        return (f"{fmt(units)} units = {fmt(units * MG_PER_UNIT)} mg, more than 60 mg/kg "
                f"for a {fmt(HEAVIEST_KG)} kg patient")
    return None


@rule("JU001", "units-not-whole", severity="error", root_cause="units", carc="16", rarc="M53",
      when=lambda f: f.odd_units)
def units_not_whole(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """J0256 units are missing, zero, negative or not a whole number.

    What it does:
        Checks SV104 (837P) / SV205 (837I), the service unit count of every J0256 line.

    Why payers deny it:
        J0256 is billed in whole 10 mg units. A missing, zero, negative or fractional unit
        count makes the line unprocessable (CARC 16 with RARC M53).

    Example:
        ``SV1*HC:J0256:JZ*4500*UN*450.5***1~`` bills 450.5 units.

    Fix:
        Bill the administered mg divided by 10 as a whole number (round a partial unit up),
        e.g. 4,500 mg = 450 units.

    Source:
        CMS HCPCS J0256 descriptor ("10 mg"); X12 837P SV104 / 837I SV205.
    """
    for service_line in context.facts(claim).lines:
        units = service_line.units
        if units is None:
            yield hit(claim, service_line, f"J0256 line has no unit count "
                      f"({units_element(claim)})")
        elif units <= 0 or units != units.to_integral_value():
            yield hit(claim, service_line, f"J0256 units ({units_element(claim)}) are "
                      f"`{fmt(units)}`, not a positive whole number")


@rule("JU002", "units-look-like-milligrams", severity="error", root_cause="units", carc="151",
      rarc="M53")
def units_look_like_milligrams(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """J0256 units look like milligrams rather than 10 mg units.

    What it does:
        Flags a J0256 line whose units equal the mg of its NDC quantity (CTP04 with CTP05 ME,
        or UN packages times the labelled mg), or whose dose read as units is five times the
        label's 60 mg/kg or more for the patient's weight (PAT08), or, with no weight, more
        than 60 mg/kg for a 250 kg patient.

    Why payers deny it:
        Billing total milligrams instead of 10 mg units overbills ten times; payers deny or
        cut the line as more services than the information supports (CARC 151) or as
        invalid units (CARC 16 / M53).

    Example:
        A 4,500 mg infusion billed ``SV1*HC:J0256:JZ*4500*UN*4500***1~`` with
        ``CTP****4500*ME~``: 4,500 units = 45,000 mg.

    Fix:
        Divide the administered mg by 10: 4,500 mg = 450 units.

    Source:
        CMS HCPCS J0256 descriptor ("10 mg"); Prolastin-C, Aralast NP and Zemaira labels
        (60 mg/kg once weekly); source document, denial cause 2 (total mg billed as units).
    """
    facts = context.facts(claim)
    for service_line, (_, why) in zip(facts.lines, mg_readings(facts, context), strict=True):
        if why:
            yield hit(claim, service_line, f"J0256 units `{fmt(service_line.units)}` look like "
                      f"milligrams: {why}; one unit is 10 mg")


@rule("JU003", "units-disagree-with-ndc-quantity", severity="error", root_cause="units",
      carc="16", rarc="M53")
def units_disagree_with_ndc_quantity(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """J0256 units do not match the NDC quantity of the same line.

    What it does:
        Converts the 2410 CTP04 quantity to mg (CTP05 ME: mg; GR: grams; UN: packages times
        the labelled mg per package from the NDC crosswalk; ML: mL times the product's mg per
        mL) and compares it with the line's units times 10 mg. ME, GR and ML must agree
        within one unit (ML within 2%); UN packages must hold the billed amount, and one
        package fewer must not (a JW waste line is only checked against the upper bound).
        F2 and unknown products are skipped.

    Why payers deny it:
        Payers compare HCPCS units with the NDC quantity; when they disagree the line is
        returned for invalid units (CARC 16 with M53) or NDC unit count (N815).

    Example:
        ``SV1*HC:J0256:JZ*5000*UN*450***1~`` with ``CTP****3000*ME~``: 3,000 mg is 300
        units, not 450.

    Fix:
        Make the HCPCS units (mg / 10) and the NDC quantity describe the same amount; report
        the discarded amount on its own JW line with its own NDC quantity.

    Source:
        CMS and payer NDC billing guidance (NDC quantity and unit of measure in the 2410
        loop, LIN / CTP04 / CTP05); J0256 = 10 mg.
    """
    facts = context.facts(claim)
    for service_line, (mg, why) in zip(facts.lines, mg_readings(facts, context), strict=True):
        if mg is None:  # also when the units are missing or not positive
            continue
        units = service_line.units
        unit = (service_line.ndc_unit or "").upper()
        billed = units * MG_PER_UNIT
        expected = mg / MG_PER_UNIT
        if unit == "UN":
            product = context.crosswalk.get(service_line.ndc)
            per_package = product.mg_per_package if product else None
            too_much = billed > mg
            too_little = (WASTE not in service_line.modifiers and per_package is not None
                          and billed <= mg - per_package)
            if not (too_much or too_little):
                continue
        else:
            tolerance = max(Decimal(1), expected * ML_TOLERANCE) if unit == "ML" else 1
            if abs(units - expected) < tolerance:
                continue
        if why:
            continue  # JU002 says it better
        yield hit(claim, service_line,
                  f"J0256 units `{fmt(units)}` ({fmt(billed)} mg) disagree with the NDC quantity "
                  f"`{fmt(service_line.ndc_quantity)} {unit}` ({fmt(round(mg, 1))} mg = "
                  f"{fmt(round(expected, 1))} units)")


@rule("JU004", "dose-outside-label", severity="warning", root_cause="units", carc="151",
      rarc="M53")
def dose_outside_label(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """The billed dose per kg is far from the label's 60 mg/kg.

    What it does:
        When the claim carries the patient's weight (PAT07 = 01, PAT08 in pounds), adds the
        administered (non-JW) J0256 units of each date and flags a dose below 30 mg/kg or
        above 90 mg/kg (half and one and a half times the label dose). Doses that look like
        milligrams (five times the label or more) are left to JU002.

    Why payers deny it:
        Commercial policies cover the labelled 60 mg/kg weekly; a dose far above it draws
        a units denial (CARC 151) or a records request, far below it suggests a units error.

    Example:
        A 70 kg patient (PAT*****01*154~) billed 700 units = 7,000 mg = 100 mg/kg.

    Fix:
        Check the units (mg / 10) and the weight; if the dose is right, keep the dosing
        rationale in the record and attach it when the payer asks.

    Source:
        Prolastin-C, Aralast NP and Zemaira prescribing information (60 mg/kg IV once
        weekly); commercial alpha-1 PI medical policies (Aetna CPB 0145).
    """
    facts = context.facts(claim)
    kg = facts.weight_kg
    if kg is None:
        return
    given: dict = {}  # administered lines by date, dates in line order, with their "why mg"
    for service_line, (_, why) in zip(facts.lines, mg_readings(facts, context), strict=True):
        units = service_line.units
        if WASTE not in service_line.modifiers and units and units > 0:
            when = service_date(claim, service_line)
            if when in given:
                given[when].append((service_line, why))
            else:
                given[when] = [(service_line, why)]
    for lines in given.values():
        units = Decimal(0)
        for service_line, _ in lines:
            units += service_line.units
        per_kg = units * MG_PER_UNIT / kg
        if LOW_MG_PER_KG <= per_kg <= HIGH_MG_PER_KG:
            continue
        if any(why for _, why in lines):
            continue  # JU002
        yield hit(claim, lines[0][0], f"J0256 dose {fmt(units * MG_PER_UNIT)} mg "
                  f"({fmt(units)} units) is {fmt(round(per_kg))} mg/kg for the patient's "
                  f"weight; the label dose is 60 mg/kg")


@rule("JU005", "unit-basis-not-units", severity="error", root_cause="units", carc="16",
      rarc="M53",
      when=lambda f: f.odd_basis)
def unit_basis_not_units(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """The J0256 line is measured in minutes or days instead of units.

    What it does:
        Checks SV103 (837P) / SV204 (837I), the unit or basis for measurement, on J0256
        lines: a drug is billed in units (UN), not minutes (MJ, anesthesia) or days (DA).

    Why payers deny it:
        A drug line in minutes or days cannot be priced per 10 mg unit; it is returned for
        invalid units (CARC 16 with M53).

    Example:
        ``SV1*HC:J0256:JZ*4500*MJ*450***1~``

    Fix:
        Send UN in SV103 (SV204 on an 837I) with the unit count.

    Source:
        X12 837P 005010X222A1 SV103 / 837I 005010X223A2 SV204; CMS HCPCS J0256 (10 mg).
    """
    element = "SV204" if claim.transaction_type == "837I" else "SV103"
    for service_line in context.facts(claim).lines:
        basis = (service_line.unit_basis or "").upper()
        if basis and basis != "UN":
            yield hit(claim, service_line,
                      f"J0256 line unit basis ({element}) is `{basis}`, not `UN` (units)")
