"""Records of the reconciliation: an 837 line, an 835 line, one adjudication.

Frozen, slotted dataclasses with :class:`~decimal.Decimal` money, built from the claim reader's
:class:`~edi_j0256.claims.Claim` and the remit reader's
:class:`~edi_j0256.remit.model.ClaimPayment` (:mod:`.sources`), kept in the store as typed
columns (:mod:`.store`). Dictionaries are made only for the writers (:mod:`.engine`).

``member_id``, ``patient_id``, ``insured_id`` and the names are PHI: fields of the records
(they identify whose claim a payment is), never part of a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from edi_j0256.remit.denials import is_denial
from edi_j0256.remit.model import REVERSAL

ORPHAN = "orphan"
LINE, CLAIM = "line", "claim"


@dataclass(frozen=True, slots=True)
class LineFinding:
    """A validator finding on an 837 line, with the denial its rule predicts."""

    code: str
    root_cause: str
    severity: str | None = None
    carc: str | None = None  # the CARC the rule's finding most likely draws
    rarc: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One 837 J0256 service line with the claim facts reconciliation needs."""

    file: str
    file_order: int  # store: files.id
    claim_segment: int  # segment index of CLM: tells two claims with the same CLM01 apart
    claim_id: str | None  # CLM01
    claim_charge: Decimal | None  # CLM02
    frequency_code: str | None  # CLM05-3 (1 original, 7 replacement, 8 void)
    original_reference: str | None  # 2300 REF*F8: the payer's CLP07 of the original
    transaction_type: str | None  # 837P / 837I
    payer_id: str | None  # 2010BB NM1*PR NM109
    payer_name: str | None
    payer_responsibility: str | None  # SBR01 (P, S, T)
    filing_indicator: str | None  # SBR09
    billing_npi: str | None  # 2010AA NM1*85 NM109
    member_id: str | None  # 2010BA NM1*IL NM109 (PHI)
    patient_last_name: str | None  # 2010CA, else 2010BA (PHI)
    patient_first_name: str | None  # (PHI)
    subscriber_last_name: str | None  # 2010BA (PHI)
    subscriber_first_name: str | None  # (PHI)
    line_number: int | None  # LX01
    line_control: str | None  # REF*6R
    procedure_code: str | None  # SV101-2 / SV202-2
    modifiers: tuple[str, ...]
    service_date: date | None  # DTP*472 (837I: statement start when absent)
    billed_units: Decimal | None  # SV104 / SV205
    billed_amount: Decimal | None  # SV102 / SV203
    segment: int  # segment index of SV1 / SV2
    line: int  # line number of SV1 / SV2
    findings: tuple[LineFinding, ...] = ()

    @property
    def claim_key(self) -> tuple[int, int]:
        return (self.file_order, self.claim_segment)


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS triplet with its root causes; ``level`` is ``line`` (2110) or ``claim`` (2100)."""

    group: str
    carc: str
    amount: Decimal | None
    quantity: Decimal | None
    root_causes: tuple[str, ...]
    level: str = LINE

    @property
    def is_denial(self) -> bool:
        """A denial on a primary claim (see :meth:`counts_as_denial` for a secondary one)."""
        return is_denial(self.group, self.carc, self.root_causes)

    def counts_as_denial(self, secondary: bool) -> bool:
        """A denial on this claim: OA-23 on a secondary claim is the primary payer's share.
        Reconciled records say it per adjustment (``adjustments[].denial``)."""
        return is_denial(self.group, self.carc, self.root_causes, secondary=secondary)

    def scaled(self, share: Decimal) -> Adjustment:
        """This adjustment's part for one line of a claim (claim-level CAS split by charge)."""
        if share == 1 or self.amount is None:
            return self
        return Adjustment(self.group, self.carc, cents(self.amount * share), self.quantity,
                          self.root_causes, self.level)


@dataclass(frozen=True, slots=True)
class RemitLine:
    """One 835 J0256 SVC line (``level`` line) or a claim-level adjudication (``level`` claim).

    A claim-level record stands for a CLP without SVC lines, or a denied CLP (CLP02 = 4) with
    claim-level CAS: it applies to every J0256 line of the claim that no SVC of the same CLP
    matched.
    """

    file: str
    file_order: int
    claim_segment: int  # segment index of CLP: the lines of one CLP share it
    level: str  # "line" or "claim"
    payer_id: str | None
    payer_name: str | None
    payee_npi: str | None  # 1000B N1*PE N104 when N103 = XX
    trace_number: str | None  # TRN02
    payment_date: date | None  # BPR16
    claim_id: str | None  # CLP01
    claim_status: str | None  # CLP02
    payer_claim_control: str | None  # CLP07
    claim_frequency: str | None  # CLP09
    claim_charge: Decimal | None  # CLP03
    claim_paid: Decimal | None  # CLP04
    claim_date: date | None  # 2100 DTM*232 (statement from)
    patient_id: str | None  # NM1*QC NM109 (PHI)
    patient_last_name: str | None  # (PHI)
    patient_first_name: str | None  # (PHI)
    insured_id: str | None  # NM1*IL NM109 (PHI)
    line_control: str | None  # REF*6R
    procedure_code: str | None  # SVC01-2
    modifiers: tuple[str, ...]
    original_procedure_code: str | None  # SVC06-2
    original_modifiers: tuple[str, ...]
    charge: Decimal | None  # SVC02 (CLP03 for claim level)
    paid: Decimal | None  # SVC03 (CLP04 for claim level)
    units_paid: Decimal | None  # SVC05
    original_units: Decimal | None  # SVC07
    service_date: date | None  # DTM*472
    rarcs: tuple[str, ...]  # LQ*HE (MOA/MIA for claim level)
    claim_rarcs: tuple[str, ...]
    segment: int
    line: int
    adjustments: tuple[Adjustment, ...] = ()  # 2110 CAS (2100 CAS for claim level)
    claim_adjustments: tuple[Adjustment, ...] = ()  # 2100 CAS of the CLP (line level only)

    @property
    def is_reversal(self) -> bool:
        return self.claim_status == REVERSAL

    @property
    def submitted_procedure(self) -> str | None:
        return self.original_procedure_code or self.procedure_code

    @property
    def submitted_modifiers(self) -> tuple[str, ...]:
        return self.original_modifiers if self.original_procedure_code else self.modifiers

    @property
    def clp_key(self) -> tuple[int, int]:
        return (self.file_order, self.claim_segment)

    def order_key(self) -> tuple:
        """History order: payment date, then file order, then position in the file."""
        return (self.payment_date or date.min, self.file_order, self.segment)


def carcs(adjustments: tuple[Adjustment, ...]) -> list[str]:
    """``GROUP-CARC`` codes in order, each once: ``["CO-16", "PR-2"]``."""
    return list(dict.fromkeys(f"{a.group}-{a.carc}" for a in adjustments))


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))
