"""The report's own typed input: what the page shows, computed once from a reconciliation.

Everything the page renders is one of these frozen records. They are built in one place,
:func:`edi_j0256.report.adapter.report_data`, from what ``reconcile`` produces; a value the
reconciliation does not provide is ``None`` here and shows as "—" on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

AGING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("91-120", 91, 120),
    (">120", 121, None),
)
RECOVERY_LEVELS = ("likely", "possible", "none")


@dataclass(frozen=True, slots=True)
class Headline:
    """The numbers at the top: reconcile's own totals, plus the recovery assessment."""

    lines: int
    billed: Decimal
    paid: Decimal
    denied: Decimal
    recoverable_likely: Decimal | None  # None: the reconciliation has no recovery assessment
    recoverable_possible: Decimal | None
    open_denials: int
    as_of: date
    claim_files: int
    remit_files: int
    service_from: date | None
    service_to: date | None
    payment_from: date | None
    payment_to: date | None


@dataclass(frozen=True, slots=True)
class Money:
    """One bar of a chart or one row of a totals table: a name with its dollars."""

    name: str
    detail: str | None  # e.g. the payer's name beside its ID
    lines: int
    billed: Decimal
    paid: Decimal
    denied: Decimal
    recoverable_likely: Decimal | None
    recoverable_possible: Decimal | None


@dataclass(frozen=True, slots=True)
class Period:
    """Denied dollars of the lines paid (adjudicated) in one month or week."""

    label: str  # "2026-02" or "2026-02-16" (the Monday)
    start: date
    lines: int
    denied: Decimal


@dataclass(frozen=True, slots=True)
class AgingBucket:
    """Open denials by days since their remittance (as of the report date)."""

    label: str
    lines: int
    denied: Decimal


@dataclass(frozen=True, slots=True)
class CarcCount:
    code: str  # "CO-16"
    text: str | None
    lines: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PayerScore:
    payer_id: str
    payer_name: str | None
    lines: int  # lines with an 835 answer
    denied_lines: int  # denied or reduced
    billed: Decimal
    paid: Decimal
    denied: Decimal
    median_days_to_payment: float | None  # service date -> payment date
    top_carcs: tuple[CarcCount, ...]

    @property
    def denial_rate_count(self) -> float | None:
        return self.denied_lines / self.lines if self.lines else None

    @property
    def denial_rate_dollars(self) -> float | None:
        return float(self.denied / self.billed) if self.billed else None

    @property
    def paid_to_billed(self) -> float | None:
        return float(self.paid / self.billed) if self.billed else None


@dataclass(frozen=True, slots=True)
class Code:
    """A CARC (with its group) or RARC with the code list's text (shown on hover)."""

    code: str
    text: str | None


@dataclass(frozen=True, slots=True)
class WorklistRow:
    """One open denied or reduced 837 line."""

    claim_id: str | None
    line_number: int | None
    member_id: str | None  # PHI: None unless --show-member-ids
    payer_id: str | None
    payer_name: str | None
    service_date: date | None
    payment_date: date | None
    status: str
    billed: Decimal
    paid: Decimal
    denied: Decimal
    recoverable: Decimal | None  # denied dollars the recovery assessment counts (likely/possible)
    recovery: str | None  # likely, possible, none
    recovery_reason: str | None
    appeal_deadline: date | None
    days_left: int | None  # appeal_deadline - as_of
    days_since_remit: int | None
    carcs: tuple[Code, ...]
    rarcs: tuple[Code, ...]
    groups: tuple[str, ...]  # CAS group codes of the denial adjustments (CO, PR, OA, PI)
    root_causes: tuple[str, ...]
    explained_by: tuple[str, ...]  # the finding codes that predicted the denial
    action: str | None
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One adjudication in the history of a line that was reversed or corrected."""

    payment_date: date | None
    claim_status: str | None
    claim_status_text: str | None
    payer_claim_control: str | None
    trace_number: str | None
    paid: Decimal | None
    denied: Decimal | None
    carcs: tuple[str, ...]
    file: str
    line: int | None


@dataclass(frozen=True, slots=True)
class CorrectedLine:
    claim_id: str | None
    line_number: int | None
    status: str
    paid: Decimal
    history: tuple[HistoryRow, ...]
    frequency_code: str | None = None  # CLM05-3: 1 original, 7 replacement, 8 void
    counted: bool = True  # False: another version of the claim is the one the totals count


@dataclass(frozen=True, slots=True)
class PlbRow:
    """One provider-level adjustment (PLB reason/amount pair)."""

    payer_id: str | None
    provider_id: str | None
    reason: str
    reference: str | None
    amount: Decimal | None
    trace_number: str | None
    check_date: date | None
    file: str
    line: int | None


@dataclass(frozen=True, slots=True)
class OrphanRow:
    """An 835 line that matched no claim."""

    claim_id: str | None
    line_control: str | None
    procedure_code: str | None
    service_date: date | None
    payment_date: date | None
    payer_id: str | None
    charge: Decimal | None
    paid: Decimal | None
    denied: Decimal | None
    carcs: tuple[str, ...]
    file: str
    line: int | None


@dataclass(frozen=True, slots=True)
class ReportData:
    title: str
    headline: Headline
    by_root_cause: tuple[Money, ...]
    by_payer: tuple[Money, ...]
    trend: tuple[Period, ...]
    trend_unit: str  # "month" or "week"
    aging: tuple[AgingBucket, ...]
    payers: tuple[PayerScore, ...]
    worklist: tuple[WorklistRow, ...]
    corrections: tuple[CorrectedLine, ...]
    plb: tuple[PlbRow, ...] | None  # None: the reconciliation does not carry PLB records
    orphans: tuple[OrphanRow, ...]
    actions: tuple[tuple[str, str], ...]  # (root cause, what to do)
    filters: tuple[str, ...]  # the filters applied, in words
    show_member_ids: bool
    recovery_assessed: bool  # whether the lines carry a recovery assessment
