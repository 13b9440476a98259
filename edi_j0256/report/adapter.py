"""The one adapter from a reconciliation to :class:`~edi_j0256.report.data.ReportData`.

Input: the reconciled line records, the orphan records and the totals of
:mod:`edi_j0256.reconcile` (the same totals ``reconcile`` prints), optionally the files of the
store. The headline and the root-cause / payer tables are those totals, recomputed by the same
function (:func:`edi_j0256.reconcile.engine.totals`) when a filter narrows the lines.

``counted`` (one per record, from the reconciliation) says which versions of a corrected claim
the totals count; the payer scorecard counts the same ones, and the corrections table shows
them all.

The recovery assessment (``recovery``, ``recovery_reason``, ``appeal_deadline``,
``days_left``) and provider-level adjustments are read when the records carry them; when they
do not, the report data holds ``None`` (shown as "—"), never a guess. Days left are counted
from the appeal deadline to the report's as-of date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from edi_j0256.reconcile.engine import totals as reconcile_totals
from edi_j0256.remit.model import CLAIM_STATUS_NAMES
from edi_j0256.remit.rootcause import root_cause_advice
from edi_j0256.report.data import (
    Code,
    CorrectedLine,
    Headline,
    HistoryRow,
    Money,
    OrphanRow,
    PlbRow,
    ReportData,
    WorklistRow,
)
from edi_j0256.report.measures import (
    OPEN_STATUSES,
    UNKNOWN_PAYER,
    ZERO,
    aging,
    carc_text,
    day,
    denials,
    money,
    payer_scores,
    rarc_text,
    recoverable,
    trend,
)


@dataclass(frozen=True, slots=True)
class ReportFilter:
    """Which lines the report covers: payment dates (inclusive) and payer IDs."""

    payment_from: date | None = None
    payment_to: date | None = None
    payers: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.payment_from or self.payment_to or self.payers)

    def keeps(self, payer_id: str | None, payment_date: date | None) -> bool:
        if self.payers and (payer_id or "").upper() not in {p.upper() for p in self.payers}:
            return False
        if self.payment_from or self.payment_to:
            if payment_date is None:
                return False
            if self.payment_from and payment_date < self.payment_from:
                return False
            if self.payment_to and payment_date > self.payment_to:
                return False
        return True

    def describe(self) -> tuple[str, ...]:
        words = []
        if self.payers:
            words.append("payer " + ", ".join(self.payers))
        if self.payment_from or self.payment_to:
            words.append(f"paid {self.payment_from or '…'} to {self.payment_to or '…'}")
        return tuple(words)


def _recoverable(bucket: Mapping, level: str) -> Decimal:
    """A totals bucket's recoverable dollars of one recovery level (``likely`` / ``possible``)."""
    return money(bucket.get(f"recoverable_{level}"))


def _money_rows(groups: Mapping[str, Mapping], assessed: bool,
                names: Mapping[str, str] | None = None) -> tuple[Money, ...]:
    """Rows of reconcile's totals by root cause or payer (recoverable from the same buckets)."""
    rows = []
    for key, bucket in groups.items():
        rows.append(Money(
            key, (names or {}).get(key), bucket["lines"], money(bucket["billed"]),
            money(bucket["paid"]), money(bucket["denied"]),
            _recoverable(bucket, "likely") if assessed else None,
            _recoverable(bucket, "possible") if assessed else None))
    return tuple(sorted(rows, key=lambda r: (-r.denied, r.name)))


def _worklist_row(record: Mapping, as_of: date, assessed: bool,
                  show_member_ids: bool) -> WorklistRow:
    deadline = day(record.get("appeal_deadline"))
    days_left = (deadline - as_of).days if deadline else record.get("days_left")
    paid_on = day(record.get("payment_date"))
    denied_by = denials(record)
    recovery = record.get("recovery") if assessed else None
    return WorklistRow(
        claim_id=record.get("claim_id"), line_number=record.get("line_number"),
        member_id=record.get("member_id") if show_member_ids else None,
        payer_id=record.get("payer_id"), payer_name=record.get("payer_name"),
        service_date=day(record.get("service_date")), payment_date=paid_on,
        status=record.get("status") or "", billed=money(record.get("billed_amount")),
        paid=money(record.get("paid_amount")), denied=money(record.get("denied_amount")),
        recoverable=(recoverable(record) if recovery in ("likely", "possible")
                     else ZERO if recovery == "none" else None),
        recovery=recovery, recovery_reason=record.get("recovery_reason") if assessed else None,
        appeal_deadline=deadline, days_left=days_left,
        days_since_remit=max((as_of - paid_on).days, 0) if paid_on else None,
        carcs=tuple(Code(c, carc_text(c)) for c in
                    dict.fromkeys(f"{a.group}-{a.carc}" for a in denied_by)),
        rarcs=tuple(Code(c, rarc_text(c)) for c in record.get("rarcs") or ()),
        groups=tuple(dict.fromkeys(a.group for a in denied_by)),
        root_causes=tuple(record.get("root_causes") or ()),
        explained_by=tuple(record.get("explained_by") or ()),
        action=record.get("action"), file=str(record.get("file") or ""),
        line=record.get("line") or 0)


def _worklist_key(row: WorklistRow):
    return (row.appeal_deadline or date.max, row.days_left if row.days_left is not None
            else 1 << 30, -(row.recoverable or ZERO), -row.denied, row.claim_id or "",
            row.line_number or 0)


def _history(entry: Mapping) -> HistoryRow:
    status = entry.get("claim_status")
    return HistoryRow(
        day(entry.get("payment_date")), status, CLAIM_STATUS_NAMES.get(status or ""),
        entry.get("payer_claim_control"), entry.get("trace_number"),
        money(entry.get("paid_amount")) if entry.get("paid_amount") is not None else None,
        money(entry.get("denied_amount")) if entry.get("denied_amount") is not None else None,
        tuple(entry.get("carcs") or ()), str(entry.get("file") or ""), entry.get("line"))


def _corrections(records: Sequence[Mapping], counted: Sequence[bool]
                 ) -> tuple[CorrectedLine, ...]:
    """Lines reversed, voided, adjudicated more than once, or one version of a corrected
    claim (a replacement, or a version the totals do not count)."""
    return tuple(
        CorrectedLine(r.get("claim_id"), r.get("line_number"), r.get("status") or "",
                      money(r.get("paid_amount")), tuple(_history(h) for h in r["history"]),
                      r.get("frequency_code"), counts)
        for r, counts in zip(records, counted, strict=True)
        if len(r.get("history") or ()) > 1 or r.get("status") in ("reversed", "void")
        or r.get("frequency_code") == "7" or not counts)


def _orphan(record: Mapping) -> OrphanRow:
    return OrphanRow(
        record.get("claim_id"), record.get("line_control"), record.get("procedure_code"),
        day(record.get("service_date")), day(record.get("payment_date")),
        record.get("payer_id"), record.get("charge"), record.get("paid_amount"),
        record.get("denied_amount"), tuple(record.get("carcs") or ()),
        str(record.get("file") or ""), record.get("line"))


def _plb(rows: Iterable[Mapping] | None) -> tuple[PlbRow, ...] | None:
    if rows is None:
        return None
    return tuple(PlbRow(
        r.get("payer_id"), r.get("provider_id"), r.get("reason") or "", r.get("reference"),
        r.get("amount"), r.get("trace_number"), day(r.get("check_date")),
        str(r.get("file") or ""), r.get("line")) for r in rows)


def _file_counts(records: Sequence[Mapping], orphans: Sequence[Mapping],
                 files: Sequence[tuple[str, str]] | None) -> tuple[int, int]:
    if files is not None:
        return (sum(1 for kind, _ in files if kind == "837"),
                sum(1 for kind, _ in files if kind == "835"))
    claims = {r.get("file") for r in records if r.get("file")}
    remits = {h.get("file") for r in records for h in r.get("history") or () if h.get("file")}
    remits |= {o.get("file") for o in orphans if o.get("file")}
    return len(claims), len(remits)


def _span(days: Iterable[date | None]) -> tuple[date | None, date | None]:
    known = [d for d in days if d]
    return (min(known), max(known)) if known else (None, None)


def report_data(records: Sequence[Mapping], orphans: Sequence[Mapping], totals: Mapping,
                plb: Iterable[Mapping] | None = None, counted: Sequence[bool] | None = None,
                *, as_of: date | None = None, actions: Mapping[str, str] | None = None,
                files: Sequence[tuple[str, str]] | None = None,
                report_filter: ReportFilter | None = None, show_member_ids: bool = False,
                title: str = "J0256 denial report") -> ReportData:
    """Everything the page shows, from a reconciliation (``report_data(*result)``: records,
    orphans, totals, provider-level adjustments, which records the totals count).

    ``files`` are ``(kind, path)`` pairs (kind ``837`` / ``835``), e.g. from the store; without
    them the files are those the records name. ``plb`` are provider-level adjustment records
    when the reconciliation has them (``None``: not available). ``counted`` defaults to the
    records' own ``counted`` field (every record, for records without one).
    """
    as_of = as_of or date.today()
    report_filter = report_filter or ReportFilter()
    counted = tuple(counted) if counted is not None else tuple(
        bool(r.get("counted", True)) for r in records)
    if report_filter.active:
        kept = [(r, c) for r, c in zip(records, counted, strict=True)
                if report_filter.keeps(r.get("payer_id"), day(r.get("payment_date")))]
        records, counted = [r for r, _ in kept], tuple(c for _, c in kept)
        orphans = [o for o in orphans if report_filter.keeps(o.get("payer_id"),
                                                             day(o.get("payment_date")))]
        totals = reconcile_totals(records, counted)
        if plb is not None:
            plb = [p for p in plb if report_filter.keeps(p.get("payer_id"),
                                                         day(p.get("check_date")))]
    assessed = any("recovery" in r for r in records)
    worklist = sorted((_worklist_row(r, as_of, assessed, show_member_ids)
                       for r, counts in zip(records, counted, strict=True)
                       if counts and r.get("status") in OPEN_STATUSES
                       and money(r.get("denied_amount")) > 0), key=_worklist_key)
    overall = totals["total"]
    claim_files, remit_files = _file_counts(records, orphans, files)
    service = _span(day(r.get("service_date")) for r in records)
    payment = _span([day(r.get("payment_date")) for r in records]
                    + [day(o.get("payment_date")) for o in orphans])
    headline = Headline(
        overall["lines"], money(overall["billed"]), money(overall["paid"]),
        money(overall["denied"]),
        _recoverable(overall, "likely") if assessed else None,
        _recoverable(overall, "possible") if assessed else None,
        len(worklist), as_of, claim_files, remit_files, *service, *payment)
    payer_names = {r.get("payer_id") or UNKNOWN_PAYER: r.get("payer_name")
                   for r in records if r.get("payer_name")}
    periods, unit = trend(records)
    return ReportData(
        title=title, headline=headline,
        by_root_cause=_money_rows(totals["by_root_cause"], assessed),
        by_payer=_money_rows(totals["by_payer"], assessed, payer_names),
        trend=periods, trend_unit=unit, aging=aging(worklist),
        payers=payer_scores([r for r, c in zip(records, counted, strict=True) if c]),
        worklist=tuple(worklist), corrections=_corrections(records, counted), plb=_plb(plb),
        orphans=tuple(_orphan(o) for o in orphans),
        actions=tuple(sorted((actions if actions is not None else {
            name: advice.action for name, advice in root_cause_advice().items()}).items())),
        filters=report_filter.describe(), show_member_ids=show_member_ids,
        recovery_assessed=assessed)
