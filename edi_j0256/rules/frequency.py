"""JF: frequency and unit limits across the claims and files of one run.

These rules run once, at the end of a run, over the J0256 lines the context remembered
(voided and replacement claims, CLM05-3 = 8 / 7, are not remembered). The later line is the
one flagged.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

from edi_j0256.rules.context import Dose, RuleContext, fmt
from edi_j0256.rules.finding import Hit
from edi_j0256.rules.registry import rule


def in_order(doses: list[Dose]) -> list[Dose]:
    return sorted(doses, key=lambda d: (d.service_date, d.order))


@rule("JF001", "dose-within-7-days", severity="warning", root_cause="frequency_limits",
      carc="119", scope="run")
def dose_within_7_days(context: RuleContext) -> Iterator[Hit]:
    """J0256 is billed for the same patient again less than 7 days after an earlier dose.

    What it does:
        Across every claim and file of the run, groups administered (non-JW) J0256 lines by
        patient (payer, member ID and birth date, kept in memory only) and flags a line
        whose date is fewer than ``min_days_between_doses`` days (bundled: 7) after a dose
        on another claim. Exact duplicates are left to JC005.

    Why payers deny it:
        The labelled dose is 60 mg/kg once weekly; payers with frequency edits deny a second
        dose inside the week as a benefit limit for the period (CARC 119, or 273), some as
        more services than the information supports (CARC 151).

    Example:
        Claim A with J0256 on a Monday, claim B (another file of the same run) with J0256 on
        the Saturday of that week: claim B's line is flagged (5 days).

    Fix:
        Check the date of service; if two infusions in one week were given on purpose, keep
        the physician's rationale and obtain the payer's approval before billing.

    Source:
        Prolastin-C, Aralast NP and Zemaira prescribing information (once weekly);
        commercial alpha-1 PI policies (Aetna CPB 0145).
    """
    for doses in context.doses.values():
        given = [d for d in in_order(doses) if not d.waste]
        for index, later in enumerate(given):
            days = later.policy.min_days_between_doses
            if not days:
                continue
            for earlier in reversed(given[:index]):
                gap = (later.service_date - earlier.service_date).days
                if gap >= days:
                    break
                if earlier.claim_key == later.claim_key or earlier.signature == later.signature:
                    continue
                yield Hit(f"J0256 billed again {gap} day{'s' if gap != 1 else ''} after "
                          f"{earlier.described_from(later)}; the `{later.policy.name}` policy "
                          f"expects at least {days} days between doses", later.where,
                          policy=later.policy.name)
                break


@rule("JF002", "units-over-daily-cap", severity="error", root_cause="frequency_limits",
      carc="151", rarc="N362", scope="run")
def units_over_daily_cap(context: RuleContext) -> Iterator[Hit]:
    """J0256 units on one date of service exceed the payer's daily cap.

    What it does:
        Where the payer policy sets ``max_units_per_day``, adds the J0256 units (JW waste
        included, as payers count billed units) of each patient and date across the run and
        flags the line that goes over. No bundled profile sets a daily cap: no public CMS
        MUE for J0256 was found, so none is invented.

    Why payers deny it:
        Units above a per-day maximum (a medically unlikely edit or a plan limit) are denied
        (CARC 151 with N362).

    Example:
        A policy with ``max_units_per_day = 600`` and 650 units billed on one date.

    Fix:
        Check the units (mg / 10); if the dose is right, request the payer's override with
        the dosing rationale.

    Source:
        Payer policy files (``max_units_per_day``); CMS MUE program (no public J0256 value).
    """
    for doses in context.doses.values():
        totals: dict = {}
        for dose in in_order(doses):
            cap = dose.policy.max_units_per_day
            before = totals.get(dose.service_date, Decimal(0))
            totals[dose.service_date] = before + dose.units
            if cap and before + dose.units > cap:
                yield Hit(f"J0256 units on this date total {fmt(before + dose.units)}, over the "
                          f"`{dose.policy.name}` policy cap of {cap} units per day"
                          f"{_source(dose)}", dose.where, policy=dose.policy.name)


@rule("JF003", "units-over-7-day-cap", severity="error", root_cause="frequency_limits",
      carc="151", rarc="N362", scope="run")
def units_over_7_day_cap(context: RuleContext) -> Iterator[Hit]:
    """J0256 units in 7 days exceed the payer's cap.

    What it does:
        Where the payer policy sets ``max_units_per_7_days`` (bundled: commercial, 700 units
        from BCBS of Alabama PH-0052), adds each patient's J0256 units (JW included) over
        every 7-day window ending on a date of service, across the run, and flags the lines
        that take a window over the cap.

    Why payers deny it:
        Plans cap alpha-1 PI at a weekly maximum (700 units = 7,000 mg, 60 mg/kg for a
        116 kg patient); units over it are denied (CARC 151 with N362, or CARC 119).

    Example:
        A commercial patient billed 450 units on a Monday and 450 units on the Friday.

    Fix:
        Check the units and dates; if right, request the payer's override with the dosing
        rationale (weight, dose per kg).

    Source:
        BCBS of Alabama medical policy PH-0052 (700 billable units per 7 days); payer
        policy files (``max_units_per_7_days``).
    """
    for doses in context.doses.values():
        ordered = in_order(doses)
        for index, dose in enumerate(ordered):
            cap = dose.policy.max_units_per_7_days
            if not cap:
                continue
            start = dose.service_date - timedelta(days=6)
            total = sum((d.units for d in ordered[: index + 1] if d.service_date >= start),
                        Decimal(0))
            if total > cap:
                yield Hit(f"J0256 units in the 7 days ending on this line's date total "
                          f"{fmt(total)}, over the `{dose.policy.name}` policy cap of {cap} "
                          f"units per 7 days{_source(dose)}", dose.where,
                          policy=dose.policy.name)


def _source(dose: Dose) -> str:
    return f" ({dose.policy.unit_cap_source})" if dose.policy.unit_cap_source else ""
