"""JF: frequency and unit limits across the claims and files of one run.

These rules see each J0256 line as it is read, with what the run remembers of the same
patient's recent doses (:mod:`edi_j0256.rules.history`). A void (CLM05-3 = 8) takes back
the lines of the claim it voids and is no dose; a replacement (7) takes back its original's
lines and counts instead of them. Of two lines in conflict, the one read later is flagged,
and the message names the other.
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_j0256.rules.context import Arrival, RuleContext, fmt
from edi_j0256.rules.finding import Hit
from edi_j0256.rules.mue import MAI_WORDS, SETTING_OF_TRANSACTION, SETTING_WORDS
from edi_j0256.rules.registry import rule


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


@rule("JF001", "dose-within-7-days", severity="warning", root_cause="frequency_limits",
      carc="119", scope="run")
def dose_within_7_days(context: RuleContext) -> Iterator[Hit]:
    """J0256 is billed for the same patient again less than 7 days after an earlier dose.

    What it does:
        Across every claim and file of the run, and between the lines of one claim, groups
        administered (non-JW) J0256 lines by patient (payer, member ID, patient name and
        birth date, kept only as a digest) and flags a line dated fewer than
        ``min_days_between_doses`` days (bundled: 7) from another dose: on another claim, or
        on another date of the same claim. Exact duplicates are left to JC005; a void is no
        dose and a replacement takes its original's place.

    Why payers deny it:
        The labelled dose is 60 mg/kg once weekly; payers with frequency edits deny a second
        dose inside the week as a benefit limit for the period (CARC 119, or 273), some as
        more services than the information supports (CARC 151).

    Example:
        Claim A with J0256 on a Monday, claim B (another file of the same run) with J0256 on
        the Saturday of that week: claim B's line is flagged (5 days). Or one claim with
        two full doses three days apart.

    Fix:
        Check the date of service; if two infusions in one week were given on purpose, keep
        the physician's rationale and obtain the payer's approval before billing.

    Source:
        Prolastin-C, Aralast NP and Zemaira prescribing information (once weekly);
        commercial alpha-1 PI policies (Aetna CPB 0145).
    """
    for arrival in context.arrivals:
        days, nearest = arrival.policy.min_days_between_doses, arrival.seen.nearest
        if not days or nearest is None:
            continue
        gap, earlier = nearest
        when = f"again {_days(-gap)} after" if gap <= 0 else f"{_days(gap)} before"
        yield Hit(f"J0256 billed {when} {earlier.described_from(arrival.where.file)}; the "
                  f"`{arrival.policy.name}` policy expects at least {days} days between doses",
                  arrival.where, policy=arrival.policy.name)


@rule("JF002", "units-over-daily-cap", severity="error", root_cause="frequency_limits",
      carc="151", rarc="N362", scope="run")
def units_over_daily_cap(context: RuleContext) -> Iterator[Hit]:
    """J0256 units on one date of service exceed the payer's daily cap.

    What it does:
        Where the payer policy sets ``max_units_per_day``, adds the J0256 units (JW waste
        included, as payers count billed units) of each patient and date across the run and
        flags the line that goes over. No bundled profile sets a daily cap; CMS's MUE per
        date of service is JF004.

    Why payers deny it:
        Units above a per-day maximum (a medically unlikely edit or a plan limit) are denied
        (CARC 151 with N362).

    Example:
        A policy with ``max_units_per_day = 600`` and 650 units billed on one date.

    Fix:
        Check the units (mg / 10); if the dose is right, request the payer's override with
        the dosing rationale.

    Source:
        Payer policy files (``max_units_per_day``).
    """
    for arrival in context.arrivals:
        cap, total = arrival.policy.max_units_per_day, arrival.seen.day_units
        if cap and total > cap:
            yield Hit(f"J0256 units on this date total {fmt(total)}, over the "
                      f"`{arrival.policy.name}` policy cap of {cap} units per day"
                      f"{_source(arrival)}", arrival.where, policy=arrival.policy.name)


@rule("JF003", "units-over-7-day-cap", severity="error", root_cause="frequency_limits",
      carc="151", rarc="N362", scope="run")
def units_over_7_day_cap(context: RuleContext) -> Iterator[Hit]:
    """J0256 units in 7 days exceed the payer's cap.

    What it does:
        Where the payer policy sets ``max_units_per_7_days`` (bundled: commercial, 700 units
        from BCBS of Alabama PH-0052), adds each patient's J0256 units (JW included) over
        the 7-day windows that hold a line's date, across the run, and flags the lines that
        take a window over the cap.

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
    for arrival in context.arrivals:
        cap, total = arrival.policy.max_units_per_7_days, arrival.seen.week_units
        if cap and total > cap:
            yield Hit(f"J0256 units in a 7-day window holding this line's date total "
                      f"{fmt(total)}, over the `{arrival.policy.name}` policy cap of {cap} "
                      f"units per 7 days{_source(arrival)}", arrival.where,
                      policy=arrival.policy.name)


def _source(arrival: Arrival) -> str:
    source = arrival.policy.unit_cap_source
    return f" ({source})" if source else ""


@rule("JF004", "units-over-mue", severity="error", root_cause="frequency_limits", carc="151",
      rarc="N362", scope="run")
def units_over_mue(context: RuleContext) -> Iterator[Hit]:
    """J0256 units exceed CMS's Medically Unlikely Edit for the setting.

    What it does:
        Compares the J0256 units with the CMS MUE of the claim's setting (837P: practitioner
        services, 837I: outpatient hospital services; bundled: 1600 units, adjudication
        indicator 3, effective 2026-10-01; ``check --mue FILE`` loads CMS's current tables).
        With MAI 2 or 3 the units of all J0256 lines of the patient on one date of service
        (JW waste included, across lines, claims and files of the run) are added up; with
        MAI 1 each line is compared alone. The line that takes the total over is flagged,
        and every later line of that date.

    Why payers deny it:
        Medicare, Medicaid (NCCI) and many commercial payers deny units above the MUE:
        CARC 151 with RARC N362. With MAI 3 the whole date's units are compared; an appeal
        needs records showing the units were given (for J0256, 16,000 mg is 60 mg/kg for a
        patient of about 266 kg).

    Example:
        An 837P with ``SV1*HC:J0256:JZ*8500*UN*1700***1~`` (17,000 mg) on one date.

    Fix:
        Check the units (mg / 10, not mg) and the date of service of each line; if the dose
        is right, bill the MUE and appeal the rest with the records (weight, dose per kg).

    Source:
        CMS NCCI Medically Unlikely Edits, practitioner and outpatient hospital services
        tables effective 2026-10-01 (J0256 1600, MAI 3 "Date of Service Edit: Clinical";
        J0257 1400); Medicare Program Integrity Manual Chapter 3 (MUE adjudication).
    """
    for arrival in context.arrivals:
        setting = SETTING_OF_TRANSACTION.get(arrival.transaction_type or "")
        edit = context.mue.get(setting, "J0256")
        if edit is None:
            continue
        total = arrival.seen.day_units if edit.per_date else arrival.dose.units
        if total > edit.units:
            what = "on this date total" if edit.per_date else "on this line are"
            yield Hit(f"J0256 units {what} {fmt(total)}, over the CMS MUE of {edit.units} "
                      f"units {MAI_WORDS.get(edit.mai, '')} for {SETTING_WORDS[setting]} "
                      f"(MAI {edit.mai}; {edit.source})", arrival.where)
