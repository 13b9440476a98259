"""Remittance records built from 835 (005010X221A1, and 004010X091A1) transactions.

Frozen, slotted dataclasses named after the X12 elements they come from. Every record carries
the position of the segment it was built from (``segment``: 1-based segment index in the file,
``line``: 1-based line number).

The reader streams (:func:`edi_j0256.remit.iter_remit`): for each 835 transaction it yields
one :class:`PaymentHeader` (BPR, TRN, DTM*405, N1*PR, N1*PE), then each
:class:`ClaimPayment` (2100 loop, with its :class:`ServiceLinePayment` 2110 loops and their
:class:`RemitAdjustment` CAS triplets) as it is read, then each :class:`ProviderAdjustment`
(PLB pair). Claims and provider adjustments point at their header, so nothing of a
transaction has to be held to describe one claim. :class:`RemitPayment` gathers one whole
transaction for callers that want it (:func:`edi_j0256.remit.read_remits`).

Money and quantities are :class:`decimal.Decimal`. Reversals (CLP02 = 22) carry negative
amounts, as the payer sent them.

The fields that link an 835 line back to its 837 line are kept as written: CLP01 (the 837's
CLM01), REF*6R (the 837's line item control number), the SVC01 procedure and modifiers,
DTM*472, SVC02 charge and SVC07 / SVC05 units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from edi_j0256.x12.envelope import Envelope

# CLP02, claim status code (5010); 4010 used the same values for 1-4 and 22.
CLAIM_STATUS_NAMES: dict[str, str] = {
    "1": "processed as primary",
    "2": "processed as secondary",
    "3": "processed as tertiary",
    "4": "denied",
    "19": "processed as primary, forwarded to additional payer(s)",
    "20": "processed as secondary, forwarded to additional payer(s)",
    "21": "processed as tertiary, forwarded to additional payer(s)",
    "22": "reversal of previous payment",
    "23": "not our claim, forwarded to additional payer(s)",
    "25": "predetermination pricing only, no payment",
}

REVERSAL = "22"
DENIED = "4"


@dataclass(frozen=True, slots=True)
class PaymentHeader:
    """The 835 header (Table 1): one per transaction (ST..SE), referenced by its claims."""

    envelope: Envelope
    version: str = "5010"  # "5010" or "4010", from GS08 / ST03 / ISA12
    handling_code: str | None = None  # BPR01 (I remittance and payment, H notification only)
    payment_amount: Decimal | None = None  # BPR02, total actual provider payment
    credit_debit: str | None = None  # BPR03 (C, D)
    payment_method: str | None = None  # BPR04 (ACH, CHK, NON, BOP, FWT)
    payment_date: date | None = None  # BPR16, check issue or EFT effective date
    trace_number: str | None = None  # TRN02, check or EFT trace number
    trace_originator: str | None = None  # TRN03, payer identifier
    production_date: date | None = None  # DTM*405
    payer_name: str | None = None  # 1000A N1*PR N102
    payer_id: str | None = None  # 1000A N1*PR N104 (or REF*2U)
    payee_name: str | None = None  # 1000B N1*PE N102
    payee_id: str | None = None  # 1000B N1*PE N104 (NPI, tax id)
    payee_id_qualifier: str | None = None  # 1000B N1*PE N103 (XX NPI, FI tax id ...)
    segment: int = 0  # segment index of ST
    line: int = 0  # line number of ST

    @property
    def payee_npi(self) -> str | None:
        """N1*PE N104 when N103 says it is an NPI (XX)."""
        return self.payee_id if self.payee_id_qualifier == "XX" else None


@dataclass(frozen=True, slots=True)
class RemitAdjustment:
    """One CAS triplet: CAS01 group, CAS02/05/08/11/14/17 reason (CARC), amount, quantity."""

    group: str  # CAS01: CO, PR, OA, PI (and CR in 4010)
    carc: str  # claim adjustment reason code
    amount: Decimal | None  # CAS03 / 06 / 09 / 12 / 15 / 18
    quantity: Decimal | None = None  # CAS04 / 07 / 10 / 13 / 16 / 19
    segment: int = 0
    line: int = 0


@dataclass(frozen=True, slots=True)
class ServiceLinePayment:
    """One 2110 loop: SVC, DTM*472 (or 150/151), CAS, REF, AMT, LQ*HE."""

    procedure_qualifier: str | None  # SVC01-1 (HC, NU for a revenue code, N4 ...)
    procedure_code: str | None  # SVC01-2
    modifiers: tuple[str, ...] = ()  # SVC01-3..6
    charge: Decimal | None = None  # SVC02, line item charge
    paid: Decimal | None = None  # SVC03, line item provider payment
    revenue_code: str | None = None  # SVC04, national uniform billing revenue code
    units_paid: Decimal | None = None  # SVC05, units of service paid (1 when absent)
    original_qualifier: str | None = None  # SVC06-1
    original_procedure_code: str | None = None  # SVC06-2, submitted code when it was changed
    original_modifiers: tuple[str, ...] = ()  # SVC06-3..6
    original_units: Decimal | None = None  # SVC07, submitted units when they were changed
    service_date: date | None = None  # DTM*472, or DTM*150 (period start)
    service_date_end: date | None = None  # DTM*151 (period end)
    line_control: str | None = None  # REF*6R, the 837's line item control number
    references: tuple[tuple[str, str], ...] = ()  # other REF (qualifier, value)
    allowed_amount: Decimal | None = None  # AMT*B6
    adjustments: tuple[RemitAdjustment, ...] = ()  # 2110 CAS
    rarcs: tuple[str, ...] = ()  # LQ*HE remark codes, in order
    segment: int = 0  # segment index of SVC
    line: int = 0  # line number of SVC

    @property
    def submitted_units(self) -> Decimal | None:
        """SVC07 when the payer changed the units, else SVC05 (what was billed and paid)."""
        return self.original_units if self.original_units is not None else self.units_paid


@dataclass(frozen=True, slots=True)
class ClaimPayment:
    """One 2100 loop: CLP with its CAS, NM1, MOA/MIA, REF, DTM, AMT and service lines.

    ``patient_*`` (NM1*QC) and ``insured_*`` (NM1*IL) are PHI: fields of the record, never
    part of a message. ``payment`` is the header of the transaction the claim was paid in.
    """

    claim_id: str | None  # CLP01, the 837's CLM01 (patient control number)
    status: str | None = None  # CLP02, see CLAIM_STATUS_NAMES
    charge: Decimal | None = None  # CLP03, total claim charge
    paid: Decimal | None = None  # CLP04, claim payment amount
    patient_responsibility: Decimal | None = None  # CLP05
    filing_indicator: str | None = None  # CLP06 (MB, MC, 12, 13, 16 ...)
    payer_claim_control: str | None = None  # CLP07, payer claim control number
    facility_type: str | None = None  # CLP08 (place of service or facility type)
    frequency_code: str | None = None  # CLP09, claim frequency type code
    adjustments: tuple[RemitAdjustment, ...] = ()  # 2100 CAS
    remarks: tuple[str, ...] = ()  # MOA then MIA remark codes (RARCs), in order
    outpatient_remarks: tuple[str, ...] = ()  # MOA03-07
    inpatient_remarks: tuple[str, ...] = ()  # MIA05, MIA20-23
    patient_id: str | None = None  # NM1*QC NM109 (PHI)
    patient_last_name: str | None = None  # NM1*QC NM103 (PHI)
    patient_first_name: str | None = None  # NM1*QC NM104 (PHI)
    insured_id: str | None = None  # NM1*IL NM109, when the insured is not the patient (PHI)
    insured_last_name: str | None = None  # NM1*IL NM103 (PHI)
    insured_first_name: str | None = None  # NM1*IL NM104 (PHI)
    references: tuple[tuple[str, str], ...] = ()  # REF (qualifier, value)
    dates: dict[str, date] = field(default_factory=dict)  # DTM qualifier -> date (232, 233 ...)
    amounts: dict[str, Decimal] = field(default_factory=dict)  # AMT qualifier -> amount (AU ...)
    lines: tuple[ServiceLinePayment, ...] = ()
    payment: PaymentHeader | None = field(default=None, repr=False, compare=False)
    segment: int = 0  # segment index of CLP
    line: int = 0  # line number of CLP

    @property
    def status_name(self) -> str | None:
        return CLAIM_STATUS_NAMES.get(self.status or "")

    @property
    def is_reversal(self) -> bool:
        return self.status == REVERSAL


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """One PLB reason/amount pair: PLB03/04, 05/06 ... 13/14 (positive amounts reduce BPR02).

    A record of its own: a provider-level adjustment (WO overpayment recovery, L6 interest,
    FB forwarding balance, 72 authorized return ...) belongs to the payment, not to a claim.
    """

    provider_id: str | None  # PLB01
    fiscal_period_date: date | None  # PLB02
    reason: str  # PLB03-1, adjustment reason (WO, FB, L6, 72 ...)
    reference: str | None  # PLB03-2, e.g. the claim being recovered
    amount: Decimal | None  # PLB04
    payment: PaymentHeader | None = field(default=None, repr=False, compare=False)
    segment: int = 0
    line: int = 0

    @property
    def trace_number(self) -> str | None:
        """TRN02 of the payment the adjustment was made in."""
        return self.payment.trace_number if self.payment else None

    @property
    def payment_date(self) -> date | None:
        """BPR16, the check or EFT date of that payment."""
        return self.payment.payment_date if self.payment else None


@dataclass(slots=True)
class RemitPayment:
    """One whole 835 transaction (ST..SE): its header, claims and PLB pairs.

    The header's fields read through (``payment.trace_number`` is
    ``payment.header.trace_number``).
    """

    header: PaymentHeader
    claims: list[ClaimPayment] = field(default_factory=list)
    provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)

    def __getattr__(self, name: str):
        if name in PaymentHeader.__dataclass_fields__ or name == "payee_npi":
            return getattr(self.header, name)
        raise AttributeError(name)


def _positional(cls):
    """A constructor of ``cls`` taking every field in order: the same object as ``cls(...)``,
    made without the frozen ``__init__``'s ``object.__setattr__`` call per field (the reader
    makes one per CAS triplet and SVC loop: millions on a large 835, about 40% cheaper)."""
    setters = tuple(getattr(cls, name).__set__ for name in cls.__dataclass_fields__)
    new = object.__new__

    def make(*values):
        made = new(cls)
        for set_value, value in zip(setters, values, strict=True):  # every field, or an error
            set_value(made, value)
        return made

    make.__doc__ = f"{cls.__name__} from all its fields, in order."
    return make


def _adjustment_maker():
    group, carc, amount, quantity, segment, line = (
        getattr(RemitAdjustment, name).__set__ for name in RemitAdjustment.__dataclass_fields__)
    new = object.__new__

    def make(g, c, a, q, s, n):
        made = new(RemitAdjustment)
        group(made, g)
        carc(made, c)
        amount(made, a)
        quantity(made, q)
        segment(made, s)
        line(made, n)
        return made

    return make


make_adjustment = _adjustment_maker()  # RemitAdjustment(group, carc, amount, quantity, seg, line)
make_service_line = _positional(ServiceLinePayment)  # every field of ServiceLinePayment, in order
