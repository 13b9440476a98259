"""JN: the National Drug Code of J0256 lines (2410 LIN03 with LIN02 = N4, CTP04, CTP05)."""

from __future__ import annotations

from collections.abc import Iterator

from edi_j0256.claims.model import Claim
from edi_j0256.claims.ndc import format_ndc
from edi_j0256.rules.context import NDC_UNITS, RuleContext, fmt, hit
from edi_j0256.rules.finding import Hit
from edi_j0256.rules.registry import rule


@rule("JN001", "ndc-missing", severity="error", root_cause="ndc", carc="16", rarc="M119",
      when=lambda f: f.no_ndc)
def ndc_missing(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """The J0256 line has no NDC.

    What it does:
        Flags J0256 lines without a 2410 LIN segment. An error where the payer policy sets
        ``require_ndc`` (bundled: Medicaid, commercial), a warning elsewhere.

    Why payers deny it:
        Medicaid needs the NDC of physician-administered drugs for rebates, and most
        commercial payers price J0256 by NDC: without it the line is returned (CARC 16
        with M119).

    Example:
        ``SV1*HC:J0256:JZ*4500*UN*450***1~`` followed by no ``LIN**N4*...~``.

    Fix:
        Add the 2410 loop: ``LIN**N4*<11-digit NDC>~`` and ``CTP****<quantity>*<unit>~``
        for the product actually given.

    Source:
        Deficit Reduction Act of 2005 (Medicaid NDC reporting); payer NDC billing
        guidelines; X12 837P 005010X222A1 loop 2410.
    """
    facts = context.facts(claim)
    policy = facts.policy
    severity = "error" if policy.require_ndc else "warning"
    for service_line in facts.lines:
        if not service_line.ndc_raw and not service_line.ndc:
            required = "requires" if policy.require_ndc else "does not require"
            yield hit(claim, service_line, f"J0256 line has no NDC (2410 LIN); the "
                      f"`{policy.name}` policy {required} one", severity, policy)


@rule("JN002", "ndc-malformed", severity="error", root_cause="ndc", carc="16", rarc="M119",
      when=lambda f: f.ndc_text)
def ndc_malformed(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """The NDC on the J0256 line is not an 11-digit N4 NDC.

    What it does:
        Flags a LIN03 that cannot be read as an 11-digit 5-4-2 NDC (a 10-digit NDC with
        hyphens is normalised by the leading zero of its short part and accepted) and a
        LIN02 qualifier other than N4.

    Why payers deny it:
        Payers match the 11-digit NDC exactly; anything else is an invalid NDC (CARC 16 with
        M119).

    Example:
        ``LIN**N4*1353370501~`` (10 digits, no hyphens: the missing zero's place is unknown).

    Fix:
        Send the 11-digit 5-4-2 form without hyphens, e.g. 13533-705-01 -> 13533070501,
        with LIN02 = N4.

    Source:
        X12 837P 005010X222A1 LIN02/LIN03; FDA NDC formats (4-4-2, 5-3-2, 5-4-1 to 5-4-2).
    """
    for service_line in context.facts(claim).lines:
        qualifier = (service_line.ndc_qualifier or "N4").upper()
        if service_line.ndc_raw and qualifier != "N4":
            yield hit(claim, service_line, f"J0256 NDC qualifier (LIN02) is `{qualifier}`, "
                      "not `N4`")
        elif service_line.ndc_raw and service_line.ndc is None:
            yield hit(claim, service_line, f"J0256 NDC `{service_line.ndc_raw}` is not an "
                      "11-digit NDC")


@rule("JN003", "ndc-of-another-code", severity="error", root_cause="ndc", carc="16",
      rarc="N846",
      when=lambda f: f.ndc_product)
def ndc_of_another_code(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """The NDC belongs to a product billed under another HCPCS code (e.g. Glassia, J0257).

    What it does:
        Looks the line's NDC up in the NDC-HCPCS crosswalk (bundled, or CMS's file given
        with ``--ndc-crosswalk``) and flags it when it maps to a code other than J0256.

    Why payers deny it:
        Glassia has its own code, J0257; a Glassia NDC on a J0256 line is a wrong-code error
        and the NDC does not match the HCPCS (CARC 16 with N846).

    Example:
        ``SV1*HC:J0256:JZ*...~`` with ``LIN**N4*00944288401~`` (Glassia 1 g).

    Fix:
        Bill the product's own code (J0257 for Glassia), or correct the NDC if another
        product was given.

    Source:
        CMS HCPCS file (J0256 "not otherwise specified", J0257 "(glassia)"); CMS ASP
        NDC-HCPCS crosswalk.
    """
    for service_line in context.facts(claim).lines:
        product = context.crosswalk.get(service_line.ndc)
        if product is not None and product.hcpcs != "J0256":
            yield hit(claim, service_line, f"J0256 line carries NDC "
                      f"`{format_ndc(product.ndc)}` ({product.product}), which is billed as "
                      f"{product.hcpcs}")


@rule("JN004", "ndc-not-in-crosswalk", severity="warning", root_cause="ndc", carc="16",
      rarc="N846",
      when=lambda f: f.ndc_product)
def ndc_not_in_crosswalk(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """The NDC is not a J0256 product in the NDC-HCPCS crosswalk.

    What it does:
        Flags a well-formed NDC on a J0256 line that the crosswalk does not list at all.
        A warning: the bundled table lists the known packages only; load CMS's current
        quarterly file with ``--ndc-crosswalk`` to check against the full list.

    Why payers deny it:
        Payers price J0256 through the NDC-HCPCS crosswalk; an NDC that is not in it does
        not match the HCPCS (CARC 16 with N846) or is obsolete (N847).

    Example:
        ``LIN**N4*00002140001~`` on a J0256 line.

    Fix:
        Take the NDC from the package actually used (Prolastin-C, Aralast NP, Zemaira); if
        it is a new package, check CMS's current crosswalk.

    Source:
        CMS ASP NDC-HCPCS crosswalk (quarterly); FDA NDC Directory.
    """
    for service_line in context.facts(claim).lines:
        if service_line.ndc and context.crosswalk.get(service_line.ndc) is None:
            yield hit(claim, service_line, f"J0256 NDC `{format_ndc(service_line.ndc)}` is not "
                      f"in the NDC crosswalk ({context.crosswalk.source})")


@rule("JN005", "ndc-quantity-missing", severity="error", root_cause="ndc", carc="16",
      rarc="N815",
      when=lambda f: f.ndc_quantity)
def ndc_quantity_missing(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """The NDC has no quantity, or a quantity that is not positive.

    What it does:
        Flags a J0256 line with an NDC whose CTP04 (quantity) is missing, zero or negative.

    Why payers deny it:
        The NDC quantity and unit are required with the NDC; without them payers return the
        line for an invalid NDC unit count (CARC 16 with N815).

    Example:
        ``LIN**N4*13533070501~`` with no ``CTP`` segment.

    Fix:
        Add ``CTP****<quantity>*<unit>~``, e.g. ``CTP****4500*ME~`` for 4,500 mg.

    Source:
        X12 837P 005010X222A1 loop 2410 CTP04/CTP05; payer NDC billing guidelines.
    """
    for service_line in context.facts(claim).lines:
        if not (service_line.ndc_raw or service_line.ndc):
            continue
        quantity = service_line.ndc_quantity
        if quantity is None or quantity <= 0:
            yield hit(claim, service_line, f"J0256 NDC quantity (CTP04) is `{fmt(quantity)}`, "
                      "not a positive number")


@rule("JN006", "ndc-unit-invalid", severity="error", root_cause="ndc", carc="16", rarc="N816",
      when=lambda f: f.ndc_unit)
def ndc_unit_invalid(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """The NDC unit of measure is missing or not F2, GR, ME, ML or UN.

    What it does:
        Checks CTP05-1 of J0256 lines that carry an NDC quantity.

    Why payers deny it:
        5010 allows only F2 (international unit), GR (gram), ME (milligram), ML (millilitre)
        and UN (unit); any other value is an invalid NDC unit of measure (CARC 16 with N816).

    Example:
        ``CTP****4500*MG~`` (MG is not an X12 unit code; milligrams are ME).

    Fix:
        Use ME for milligrams, ML for millilitres, UN for vials or kits.

    Source:
        X12 837P 005010X222A1 CTP05-1 code list.
    """
    for service_line in context.facts(claim).lines:
        if service_line.ndc_quantity is None:
            continue
        unit = (service_line.ndc_unit or "").upper()
        if unit not in NDC_UNITS:
            yield hit(claim, service_line, f"J0256 NDC unit (CTP05-1) is `{unit or 'none'}`, "
                      "not one of F2, GR, ME, ML, UN")


@rule("JN007", "non-preferred-brand", severity="warning", root_cause="formulary", carc="96",
      rarc="N130",
      when=lambda f: bool(f.policy.preferred_ndcs))
def non_preferred_brand(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """The product is not one of the payer's preferred brands.

    What it does:
        Where the payer policy lists ``preferred_ndcs``, flags J0256 lines whose NDC is not
        in the list. No bundled profile sets one: add your payers' lists to a policy file.

    Why payers deny it:
        Some payers cover one least-cost brand (Aetna: Prolastin-C) and others only after
        failure or intolerance; a non-preferred brand without an exception is non-covered
        (CARC 96 with N130).

    Example:
        A plan preferring Prolastin-C (``preferred_ndcs = ["13533-705-01"]``) billed with
        Zemaira ``LIN**N4*00053720202~``.

    Fix:
        Use the preferred brand, or obtain and reference the plan's medical-necessity
        exception before billing.

    Source:
        Aetna CPB 0145 (alpha-1 proteinase inhibitors, preferred product); plan formularies.
    """
    facts = context.facts(claim)
    policy = facts.policy
    if not policy.preferred_ndcs:
        return
    for service_line in facts.lines:
        if service_line.ndc and service_line.ndc not in policy.preferred_ndcs:
            yield hit(claim, service_line, f"J0256 NDC `{format_ndc(service_line.ndc)}` is not "
                      f"a preferred product of the `{policy.name}` policy", policy=policy)


@rule("JN008", "ndc-not-written-as-11-digits", severity="warning", root_cause="ndc", carc="16",
      rarc="M119",
      when=lambda f: f.ndc_text)
def ndc_not_written_as_11_digits(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """The NDC (LIN03) is readable but not written as 11 digits without hyphens.

    What it does:
        Flags a J0256 line whose LIN03 carries hyphens or is not 11 digits, but can still be
        read as an NDC (a hyphenated 10-digit 4-4-2 / 5-3-2 / 5-4-1 NDC is padded to 5-4-2).
        The other rules use the normalised 11 digits; an NDC that cannot be read is JN002.

    Why payers deny it:
        The guide asks for the 11-digit NDC without hyphens; some payers and clearinghouses
        normalise it, others reject the line as an invalid NDC (CARC 16 with M119).

    Example:
        ``LIN**N4*13533-705-51~`` (send ``13533070551``).

    Fix:
        Send the 11-digit 5-4-2 form without hyphens or spaces.

    Source:
        X12 837P 005010X222A1 / 837I 005010X223A2 LIN03 (11-digit NDC, no hyphens); FDA NDC
        formats.
    """
    for service_line in context.facts(claim).lines:
        raw = service_line.ndc_raw
        if raw and service_line.ndc and raw != service_line.ndc:
            yield hit(claim, service_line, f"J0256 NDC (LIN03) `{raw}` is not 11 digits without "
                      f"hyphens; read as `{service_line.ndc}`")
