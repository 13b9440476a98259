"""Records of the reconciliation: an 837 line, an 835 line, one adjudication, the result.

Frozen dataclasses with :class:`~decimal.Decimal` money. :func:`encode` / :func:`decode` turn
them into JSON text and back without losing a cent (the SQLite store keeps them that way).

``member_id`` is PHI: a field of the 837 line and of the output record, never part of a
message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from edi_j0256.root_causes import NOT_DENIALS

ORPHAN = "orphan"


@dataclass(frozen=True, slots=True)
class LineFinding:
    """A validator finding on an 837 line: its code, root cause and severity."""

    code: str
    root_cause: str
    severity: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One 837 J0256 service line with the claim facts reconciliation needs."""

    file: str
    file_order: int  # load order of the file (store: files.id; in memory: position)
    claim_segment: int  # segment index of CLM: tells two claims with the same CLM01 apart
    claim_id: str | None  # CLM01
    claim_charge: Decimal | None  # CLM02
    frequency_code: str | None  # CLM05-3
    transaction_type: str | None  # 837P / 837I
    payer_id: str | None  # 2010BB NM1*PR NM109
    payer_name: str | None
    member_id: str | None  # 2010BA NM1*IL NM109 (PHI)
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
    level: str = "line"

    @property
    def is_denial(self) -> bool:
        """True unless every root cause is contractual or patient responsibility."""
        return not set(self.root_causes) <= NOT_DENIALS

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
    trace_number: str | None  # TRN02
    payment_date: date | None  # BPR16
    claim_id: str | None  # CLP01
    claim_status: str | None  # CLP02
    payer_claim_control: str | None  # CLP07
    claim_charge: Decimal | None  # CLP03
    claim_paid: Decimal | None  # CLP04
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
    adjustments: tuple[Adjustment, ...]  # 2110 CAS (2100 CAS for claim level)
    claim_adjustments: tuple[Adjustment, ...]  # 2100 CAS of the CLP (line level only)
    rarcs: tuple[str, ...]  # LQ*HE (MOA/MIA for claim level)
    claim_rarcs: tuple[str, ...]
    segment: int
    line: int

    @property
    def is_reversal(self) -> bool:
        return self.claim_status == "22"

    @property
    def submitted_procedure(self) -> str | None:
        return self.original_procedure_code or self.procedure_code

    @property
    def submitted_modifiers(self) -> tuple[str, ...]:
        return self.original_modifiers if self.original_procedure_code else self.modifiers

    def order_key(self) -> tuple:
        """History order: payment date, then file order, then position in the file."""
        return (self.payment_date or date.min, self.file_order, self.segment)


@dataclass(frozen=True, slots=True)
class Adjudication:
    """One 835 decision on one 837 line, with the amounts that fall to that line."""

    remit: RemitLine
    link: str  # line_control, attributes, claim_level
    paid: Decimal
    denied: Decimal
    recoverable: Decimal
    adjustments: tuple[Adjustment, ...]
    root_causes: tuple[str, ...]

    def entry(self) -> dict:
        """The history entry written in the output record."""
        remit = self.remit
        return {
            "file": remit.file, "segment": remit.segment, "line": remit.line,
            "payment_date": remit.payment_date, "trace_number": remit.trace_number,
            "payer_claim_control": remit.payer_claim_control,
            "claim_status": remit.claim_status, "link": self.link, "level": remit.level,
            "paid_amount": self.paid, "denied_amount": self.denied,
            "units_paid": remit.units_paid, "carcs": carcs(self.adjustments),
            "rarcs": list(dict.fromkeys(remit.rarcs + remit.claim_rarcs)),
            "root_causes": list(self.root_causes),
        }


def carcs(adjustments: tuple[Adjustment, ...]) -> list[str]:
    """``GROUP-CARC`` codes in order, each once: ``["CO-16", "PR-2"]``."""
    return list(dict.fromkeys(f"{a.group}-{a.carc}" for a in adjustments))


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


# -- JSON codec ---------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def encode(record: Any) -> str:
    """JSON text of a record of this module (Decimal as text, dates ISO)."""
    return json.dumps(_plain(record), ensure_ascii=False, separators=(",", ":"))


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _build(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, UnionType):
        hint = next(a for a in get_args(hint) if a is not type(None))
        origin = get_origin(hint)
    if origin is tuple:
        item = get_args(hint)[0]
        return tuple(_build(item, v) for v in value)
    if hint is Decimal:
        return Decimal(value)
    if hint is date:
        return date.fromisoformat(value)
    if is_dataclass(hint):
        return decode(hint, value)
    return value


def decode(cls: type, data: str | dict) -> Any:
    """The record of type ``cls`` that :func:`encode` wrote."""
    if isinstance(data, str):
        data = json.loads(data)
    hints = _hints(cls)
    return cls(**{f.name: _build(hints[f.name], data.get(f.name)) for f in fields(cls)})
