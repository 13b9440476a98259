"""The analyst's measures over reconciled line records: trend, aging and payer scorecards,
and the readers of record values they share with :mod:`.adapter`.

A record here is a reconciled line record of :mod:`edi_j0256.reconcile`; a denial is what the
reconciliation flagged as one (``adjustments[].denial`` of the record).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

from edi_j0256.reconcile.model import Adjustment
from edi_j0256.remit.codes import bundled_tables
from edi_j0256.report.data import (
    AGING_BUCKETS,
    AgingBucket,
    CarcCount,
    PayerScore,
    Period,
    WorklistRow,
)

ZERO = Decimal(0)
OPEN_STATUSES = ("denied", "partial")
WEEKLY_UP_TO_DAYS = 92  # a payment-date range this short is charted by week, else by month
TOP_CARCS = 3
UNKNOWN_PAYER = "(unknown)"


def money(value) -> Decimal:
    """A record's amount as Decimal (missing: 0)."""
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value))


def day(value) -> date | None:
    """A record's date (a date, or ISO text as the store gives it); None when unreadable."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def denials(record: Mapping) -> list[Adjustment]:
    """The adjustments of a record that are denials, as the reconciliation flagged them
    (``adjustments[].denial``: OA-23 on a secondary claim, CO-45, CO-253, PR-1/2/3 are not)."""
    if record.get("status") in ("reversed", "unmatched", "void"):
        return []
    return [Adjustment(a.get("group") or "", a.get("carc") or "", a.get("amount"),
                       a.get("quantity"), tuple(a.get("root_causes") or ()))
            for a in record.get("adjustments") or () if a.get("denial")]


def recoverable(record: Mapping) -> Decimal:
    """The dollars a line's recovery assessment is about (its recoverable part of the denial)."""
    return money(record.get("recoverable_amount", record.get("denied_amount")))


def _code(table, code: str) -> str | None:
    try:
        return table.describe(code)
    except (AttributeError, ValueError):
        return None


def carc_text(code: str) -> str | None:
    carcs, _ = bundled_tables()
    return _code(carcs, code.split("-", 1)[-1])


def rarc_text(code: str) -> str | None:
    _, rarcs = bundled_tables()
    return _code(rarcs, code)


def _monday(when: date) -> date:
    return when - timedelta(days=when.weekday())


def trend(records: Sequence[Mapping]) -> tuple[tuple[Period, ...], str]:
    paid_on = [(d, r) for r in records if (d := day(r.get("payment_date")))]
    if not paid_on:
        return (), "month"
    first, last = min(d for d, _ in paid_on), max(d for d, _ in paid_on)
    weekly = (last - first).days <= WEEKLY_UP_TO_DAYS
    start_of = _monday if weekly else (lambda d: d.replace(day=1))
    sums: dict[date, list] = {}
    period, end = start_of(first), start_of(last)
    while period <= end:  # every period in the range, the empty ones too
        sums[period] = [0, ZERO]
        period = (period + timedelta(days=7) if weekly
                  else (period.replace(day=28) + timedelta(days=4)).replace(day=1))
    for paid, record in paid_on:
        denied = money(record.get("denied_amount"))
        if denied > 0:
            bucket = sums[start_of(paid)]
            bucket[0] += 1
            bucket[1] += denied
    return (tuple(Period(p.isoformat() if weekly else p.strftime("%Y-%m"), p, n, d)
                  for p, (n, d) in sums.items()), "week" if weekly else "month")


def aging(rows: Sequence[WorklistRow]) -> tuple[AgingBucket, ...]:
    out = []
    for label, low, high in AGING_BUCKETS:
        inside = [r for r in rows if r.days_since_remit is not None
                  and r.days_since_remit >= low and (high is None or r.days_since_remit <= high)]
        out.append(AgingBucket(label, len(inside), sum((r.denied for r in inside), ZERO)))
    return tuple(out)


def payer_scores(records: Sequence[Mapping]) -> tuple[PayerScore, ...]:
    by_payer: dict[str, list[Mapping]] = defaultdict(list)
    for record in records:
        by_payer[record.get("payer_id") or UNKNOWN_PAYER].append(record)
    scores = []
    for payer_id, lines in sorted(by_payer.items()):
        answered = [r for r in lines if r.get("status") != "unmatched"]
        days = [(p - s).days for r in answered
                if (p := day(r.get("payment_date"))) and (s := day(r.get("service_date")))]
        carcs: dict[str, list] = defaultdict(lambda: [0, ZERO])
        for record in answered:
            seen = set()
            for adjustment in denials(record):
                code = f"{adjustment.group}-{adjustment.carc}"
                carcs[code][1] += money(adjustment.amount)
                if code not in seen:
                    carcs[code][0] += 1
                    seen.add(code)
        top = sorted(carcs.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[:TOP_CARCS]
        scores.append(PayerScore(
            payer_id, next((r.get("payer_name") for r in lines if r.get("payer_name")), None),
            len(answered),
            sum(1 for r in answered if r.get("status") in OPEN_STATUSES
                and money(r.get("denied_amount")) > 0),
            sum((money(r.get("billed_amount")) for r in answered), ZERO),
            sum((money(r.get("paid_amount")) for r in answered), ZERO),
            sum((money(r.get("denied_amount")) for r in answered), ZERO),
            float(median(days)) if days else None,
            tuple(CarcCount(code, carc_text(code), n, amount) for code, (n, amount) in top)))
    return tuple(scores)
