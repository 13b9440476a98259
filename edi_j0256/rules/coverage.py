"""JA / JP: prior authorization and payer coverage criteria of J0256 claims."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from edi_j0256.claims.model import Claim
from edi_j0256.rules.context import RuleContext, hit
from edi_j0256.rules.finding import Hit
from edi_j0256.rules.registry import rule


def age_on(birth: date, when: date) -> int:
    return when.year - birth.year - ((when.month, when.day) < (birth.month, birth.day))


@rule("JA001", "prior-auth-missing", severity="error", root_cause="authorization", carc="197",
      when=lambda f: f.policy.require_prior_auth and not f.claim.prior_auth)
def prior_auth_missing(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """No prior authorization number where the payer policy requires one.

    What it does:
        Where the payer policy sets ``require_prior_auth`` (bundled: commercial, Medicaid,
        Medicare Advantage; not Medicare fee-for-service), flags J0256 lines when neither the
        claim (2300 REF*G1) nor the line (2400 REF*G1) carries an authorization number.

    Why payers deny it:
        Alpha-1 proteinase inhibitors are on most commercial and Medicaid prior-authorization
        lists; a claim without an authorization on file is denied (CARC 197; CARC 15,
        "authorization number missing/invalid", is deactivated on the current X12 list).

    Example:
        A commercial (SBR09 CI) J0256 claim with no ``REF*G1*...~``.

    Fix:
        Obtain the authorization before the first infusion and send its number in
        ``REF*G1`` at claim or line level.

    Source:
        Aetna CPB 0145, UnitedHealthcare, Cigna and HealthPartners alpha-1 PI policies
        (precertification required); X12 837P 2300/2400 REF*G1.
    """
    facts = context.facts(claim)
    policy = facts.policy
    if not policy.require_prior_auth or claim.prior_auth:
        return
    for service_line in facts.lines:
        if not service_line.prior_auth:
            yield hit(claim, service_line, "J0256 line has no prior authorization number "
                      f"(REF*G1); the `{policy.name}` policy requires one", policy=policy)


@rule("JP001", "patient-under-minimum-age", severity="warning", root_cause="documentation",
      carc="6", rarc="N129",
      when=lambda f: bool(f.policy.min_age) and f.claim.patient_birth_date is not None)
def patient_under_minimum_age(claim: Claim, context: RuleContext) -> Iterator[Hit]:
    """The patient is younger than the payer policy's minimum age.

    What it does:
        Where the payer policy sets ``min_age`` (bundled: commercial, 18), compares the
        patient's age on the J0256 date of service (from DMG02) with it. The message never
        shows the birth date or the age.

    Why payers deny it:
        Several commercial policies cover augmentation therapy for adults only; a younger
        patient's claim is denied as inconsistent with the patient's age (CARC 6 with N129)
        unless an exception was approved.

    Example:
        A commercial claim for a 16-year-old patient.

    Fix:
        Check the birth date on the claim; if it is right, obtain the payer's exception
        and keep it with the authorization.

    Source:
        Commercial alpha-1 PI medical policies (adult patients; some deny under 18).
    """
    facts = context.facts(claim)
    policy = facts.policy
    if not policy.min_age or claim.patient_birth_date is None:
        return
    for when, lines in facts.by_date.items():  # dates in the order of their first line
        if when and age_on(claim.patient_birth_date, when) < policy.min_age:
            yield hit(claim, lines[0], f"patient is younger than the minimum age "
                      f"{policy.min_age} of the `{policy.name}` policy", policy=policy)
            return
