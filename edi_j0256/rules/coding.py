"""JC: coding and setting of J0256 claims (revenue code, bill type, administration, charges,
duplicates, claim totals)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from edi_j0256.claims.model import Claim, ServiceLine
from edi_j0256.npi import is_valid_npi
from edi_j0256.rules.context import (
    ClaimFacts,
    RuleContext,
    charge_element,
    fmt,
    hit,
    place_of_service,
    service_date,
)
from edi_j0256.rules.finding import Hit
from edi_j0256.rules.registry import rule

DRUG_REVENUE_CODE = "0636"  # drugs requiring detailed coding
IV_THERAPY_REVENUE = "026"  # 0260-0269 IV therapy
ADMINISTRATION_CODES = frozenset({
    "96365", "96366", "96367", "96368",  # IV infusion: initial, each added hour, sequential,
    "96374", "96375", "96376",  # concurrent; IV push
    "S9346", "99601", "99602",  # home infusion: alpha-1-PI per diem, home infusion visit
})
INPATIENT_BILL_TYPES = ("11", "12")  # hospital inpatient (Part A), inpatient Part B only


def administration_dates(claim: Claim) -> tuple[bool, set, list]:
    """(an administration line without a date, its single dates, its date ranges)."""
    undated, dates, ranges = False, set(), []
    for other in claim.lines:
        code, revenue = other.procedure_code, other.revenue_code
        if not (code in ADMINISTRATION_CODES or (code and code.upper() in ADMINISTRATION_CODES)
                or (revenue is not None and revenue.zfill(4).startswith(IV_THERAPY_REVENUE))):
            continue
        start = service_date(claim, other)
        end = other.service_date_end or start
        if start is None:
            undated = True
        elif end == start:
            dates.add(start)
        else:
            ranges.append((start, end))
    return undated, dates, ranges


def administered_on(claim: Claim, service_line: ServiceLine,
                    administrations: tuple[bool, set, list] | None = None) -> bool:
    """True when the claim has an administration line covering the J0256 line's date."""
    undated, dates, ranges = administrations or administration_dates(claim)
    when = service_line.service_date or claim.statement_from
    if undated or (when is None and (dates or ranges)):
        return True
    return when in dates or any(start <= when <= end for start, end in ranges)


@rule("JC001", "revenue-code-not-0636", severity="warning", root_cause="coding", carc="16",
      rarc="M50",
      when=lambda f: f.institutional)
def revenue_code_not_0636(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """An 837I J0256 line is not on revenue code 0636.

    What it does:
        Checks SV201, the revenue code of J0256 lines on institutional claims.

    Why payers deny it:
        Drugs with a HCPCS code that requires detailed coding belong on revenue code 0636;
        payers and the outpatient code editor return or package drug lines on other revenue
        codes (CARC 16 with M50).

    Example:
        ``SV2*0250*HC:J0256:JZ*9000*UN*450~`` (0250 general pharmacy).

    Fix:
        Put the J0256 line on revenue code 0636; keep 026x for the IV therapy line.

    Source:
        NUBC UB-04 revenue codes (0636 "drugs requiring detailed coding"); Medicare Claims
        Processing Manual Chapter 17.
    """
    facts = context.facts(claim)
    if not facts.institutional:
        return
    for service_line in facts.lines:
        revenue = (service_line.revenue_code or "").zfill(4)
        if revenue != DRUG_REVENUE_CODE:
            yield hit(claim, service_line, f"J0256 line is on revenue code (SV201) "
                      f"`{service_line.revenue_code}`, not `{DRUG_REVENUE_CODE}`")


@rule("JC002", "inpatient-setting", severity="error", root_cause="coding", carc="5",
      rarc="M77",
      when=lambda f: f.institutional or f.inpatient_place)
def inpatient_setting(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """J0256 is billed on an inpatient bill type (011x/012x) or with POS 21.

    What it does:
        Flags J0256 lines on an 837I whose type of bill (CLM05-1) is 011x or 012x, and on an
        837P whose place of service (SV105, else CLM05-1) is 21 (inpatient hospital).

    Why payers deny it:
        During an inpatient stay the drug is part of the hospital's inpatient payment and is
        not separately payable; a physician cannot bill a drug the hospital supplied (CARC 5,
        or CARC 97 when bundled into the stay).

    Example:
        ``CLM*PCN1*9000***11:A:1*...~`` with a J0256 line.

    Fix:
        Bill the infusion on the outpatient claim (013x, or POS 11/19/22 on an 837P) when it
        was given as an outpatient; inpatient drugs go on the inpatient claim's pharmacy
        revenue lines without separate payment.

    Source:
        Medicare Claims Processing Manual Chapter 3 (inpatient) and Chapter 17 (drugs);
        CMS Place of Service code set (21 = Inpatient Hospital).
    """
    facts = context.facts(claim)
    if facts.institutional:
        bill_type = claim.facility_type or ""
        if bill_type.startswith(INPATIENT_BILL_TYPES):
            for service_line in facts.lines:
                yield hit(claim, service_line, f"J0256 line is on inpatient type of bill "
                          f"`0{bill_type}{claim.frequency_code or ''}`")
        return
    for service_line in facts.lines:
        if place_of_service(claim, service_line) == "21":
            yield hit(claim, service_line, "J0256 line has place of service `21` (Inpatient "
                      "Hospital), where the drug is not separately billable")


def unadministered(facts: ClaimFacts) -> list[ServiceLine]:
    """The J0256 lines with no administration line for their date (none on an inpatient
    claim, or for a line with place of service 21: JC002 covers both)."""
    claim = facts.claim
    if facts.institutional and (claim.facility_type or "").startswith(INPATIENT_BILL_TYPES):
        return []
    administrations = administration_dates(claim)
    return [s for s in facts.lines if place_of_service(claim, s) != "21"
            and not administered_on(claim, s, administrations)]


@rule("JC003", "no-administration-code", severity="warning", root_cause="coding", carc="16",
      rarc="M51", when=lambda f: bool(unadministered(f)))
def no_administration_code(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """No administration line on the claim for the J0256 date of service.

    What it does:
        Looks for an administration line covering each J0256 date: CPT 96365-96368 (IV
        infusion), 96374-96376 (IV push), home infusion S9346 / 99601 / 99602, or revenue
        code 026x (IV therapy) on an 837I. Skipped on inpatient claims (JC002).

    Why payers deny it:
        Alpha-1 PI is an IV infusion given by a clinician; a drug line with no infusion
        code is unusual and draws records requests or edits for incomplete procedure coding
        (CARC 16 with M51).

    Example:
        A claim with only ``SV1*HC:J0256:JZ*4500*UN*450***1~`` on the infusion date.

    Fix:
        Add the administration line (96365 for the first hour, 96366 for each added hour)
        with the same date, or bill it on the claim where it belongs.

    Source:
        CPT 96365-96368 / 96374; CMS HCPCS S9346; source document (administration billed
        separately).
    """
    for service_line in unadministered(context.facts(claim)):
        yield hit(claim, service_line, "J0256 line has no administration code (96365, "
                  "96366, 96374, S9346 or revenue code 026x) on the claim for its date")


@rule("JC004", "charge-not-positive", severity="error", root_cause="coding", carc="16",
      rarc="M79",
      when=lambda f: f.odd_charge)
def charge_not_positive(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """The J0256 line charge is missing, zero or negative.

    What it does:
        Checks SV102 (837P) / SV203 (837I) of J0256 lines.

    Why payers deny it:
        A zero or negative line charge cannot be priced or compared with the fee schedule;
        the line is rejected for an invalid charge (CARC 16 with M79). Free drug from a
        patient-assistance program is not billed as J0256 at all.

    Example:
        ``SV1*HC:J0256:JZ*0*UN*450***1~``

    Fix:
        Bill the provider's usual charge for the units; do not bill drug the provider did not
        pay for.

    Source:
        X12 837P SV102 / 837I SV203 (monetary amount); CMS claims processing (charges must
        be reported).
    """
    for service_line in context.facts(claim).lines:
        if service_line.charge is None or service_line.charge <= 0:
            element = charge_element(claim)
            yield hit(claim, service_line, f"J0256 line charge ({element}) is "
                      f"`{fmt(service_line.charge)}`, not a positive amount")


@rule("JC005", "duplicate-line", severity="error", root_cause="duplicate", carc="18",
      scope="run")
def duplicate_line(context: RuleContext) -> Iterator[Hit]:
    """The same J0256 line is billed twice for the same patient.

    What it does:
        Across every claim and file of the run, flags a J0256 line identical to an earlier
        one for the same patient: same code, modifiers, date, units, charge and NDC (two
        NDCs on one date are two products, not a duplicate). A replacement (CLM05-3 = 7)
        takes the place of its original (same CLM01, same patient) and a void (8) takes
        the original back, so neither is a duplicate of it.

    Why payers deny it:
        Payers deny exact duplicates of a service already billed (CARC 18).

    Example:
        The same claim sent twice in one batch, or one claim with two identical J0256 lines.

    Fix:
        Remove the duplicate; to correct a paid claim send a replacement (CLM05-3 = 7) with
        the payer's claim number, not a new original.

    Source:
        X12 CARC 18 (exact duplicate claim/service); X12 837 CLM05-3 claim frequency codes.
    """
    for arrival in context.arrivals:
        first = arrival.seen.duplicate_of
        if first is not None:
            yield Hit(f"J0256 line duplicates {first.described_from(arrival.where.file)} (same "
                      "code, modifiers, date, units, charge and NDC)", arrival.where)


def mismatched_total(facts: ClaimFacts) -> Decimal | None:
    """The sum of the claim's line charges when it differs from CLM02 (None when it agrees,
    CLM02 is missing or the claim has no J0256 line)."""
    claim = facts.claim
    if claim.claim_charge is None or not facts.lines:
        return None
    total = Decimal(0)
    for service_line in claim.lines:
        if service_line.charge is not None:
            total += service_line.charge
    return None if total == claim.claim_charge else total


@rule("JC006", "claim-total-mismatch", severity="error", root_cause="format", carc="16",
      rarc="M54", when=lambda f: mismatched_total(f) is not None)
def claim_total_mismatch(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """The claim total charge (CLM02) is not the sum of the line charges.

    What it does:
        Adds SV102 (837P) / SV203 (837I) of every line of a J0256 claim and compares the sum
        with CLM02.

    Why payers deny it:
        The implementation guides require CLM02 to equal the sum of the service line
        charges; clearinghouses and payers reject claims that do not balance (CARC 16 with
        M54, or a front-end rejection). pyx12 does not check it.

    Example:
        ``CLM*PCN1*5000***11:B:1~`` with lines of 4,500 and 300.

    Fix:
        Make CLM02 the sum of the line charges.

    Source:
        X12 837P 005010X222A1 / 837I 005010X223A2, CLM02 note (total of all service line
        charges).
    """
    total = mismatched_total(context.facts(claim))
    if total is not None:
        yield hit(claim, None, f"claim total charge (CLM02) `{fmt(claim.claim_charge)}` is not "
                  f"the sum of the line charges `{fmt(total)}`")


def npis_valid(facts: ClaimFacts) -> bool:
    """True when the billing, claim rendering and J0256 line rendering NPIs that are given
    all pass the check digit."""
    claim = facts.claim
    for npi in (claim.billing_npi, claim.rendering_npi):
        if npi and not is_valid_npi(npi):
            return False
    for service_line in facts.lines:
        npi = service_line.rendering_npi
        if npi and not is_valid_npi(npi):
            return False
    return True


@rule("JC007", "npi-check-digit", severity="error", root_cause="format", carc="16",
      rarc="N257", when=lambda f: bool(f.lines) and not npis_valid(f))
def npi_check_digit(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """A billing or rendering NPI on the J0256 claim fails the NPI check digit.

    What it does:
        Checks the billing provider NPI (2010AA NM109), the claim's rendering provider
        (2310B) and each J0256 line's rendering provider (2420A), when NM108 is ``XX``: ten
        digits whose last is the Luhn check digit over ``80840`` and the first nine.

    Why payers deny it:
        An NPI that fails its check digit cannot belong to any provider: the claim is
        rejected at the front end or denied as lacking a valid billing (CARC 16 with N257)
        or rendering (N290) provider identifier. pyx12's implementation-guide check does not
        look at check digits.

    Example:
        ``NM1*85*2*TEST CLINIC*****XX*1234567890~`` (the check digit of 123456789 is 3).

    Fix:
        Correct the NPI from NPPES or the provider's enrollment record and resubmit.

    Source:
        CMS, "Requirements for Constructing NPI Check Digits" (Luhn formula with prefix
        80840); HIPAA 5010 837 implementation guides (NM108 ``XX`` = NPI).
    """
    lines = context.facts(claim).lines
    if not lines:
        return
    for role, npi in (("billing provider", claim.billing_npi),
                      ("rendering provider", claim.rendering_npi)):
        if npi and not is_valid_npi(npi):
            yield hit(claim, None, f"{role} NPI `{npi}` fails the NPI check digit")
    for service_line in lines:
        npi = service_line.rendering_npi
        if npi and not is_valid_npi(npi):
            yield hit(claim, service_line, f"line rendering provider NPI `{npi}` fails the NPI "
                      "check digit")


@rule("JC008", "correction-without-original-reference", severity="error", root_cause="format",
      carc="16", rarc="MA130",
      when=lambda f: f.claim.frequency_code in ("7", "8"))
def correction_without_original_reference(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """A replacement or void (CLM05-3 = 7 / 8) carries no REF*F8 original claim number.

    What it does:
        Flags a J0256 claim whose claim frequency code (CLM05-3) is 7 (replacement of a prior
        claim) or 8 (void of a prior claim) without a 2300 ``REF*F8`` giving the payer's
        claim control number of the original claim.

    Why payers deny it:
        The 837P and 837I guides require REF*F8 on replacements and voids: without it the
        payer cannot find the claim to replace or void, and rejects the claim at the front
        end or returns it as unprocessable (CARC 16 with MA130); sent again as an original
        it would be denied as a duplicate (CARC 18).

    Example:
        ``CLM*PCN1*2180***11:B:7*Y*A*Y*Y~`` with no ``REF*F8*<payer claim number>~``.

    Fix:
        Add ``REF*F8*`` with the payer claim control number of the original claim (the 835's
        CLP07 for it), keeping the original's CLM01.

    Source:
        X12 837P 005010X222A1 and 837I 005010X223A2, loop 2300 REF*F8 (Payer Claim Control
        Number: required when CLM05-3 is 7 or 8); NUBC claim frequency codes.
    """
    frequency = claim.frequency_code or ""
    if frequency not in ("7", "8") or claim.original_reference or not context.facts(claim).lines:
        return
    what = "replacement" if frequency == "7" else "void"
    yield hit(claim, None, f"claim frequency (CLM05-3) `{frequency}` ({what}) without REF*F8, "
              "the payer claim control number of the original claim")
