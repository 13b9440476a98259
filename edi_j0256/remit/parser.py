"""835 segments -> :class:`~edi_j0256.remit.model.RemitPayment` records, one per ST..SE.

The parser never raises on content: what it cannot use it reports as a diagnostic and goes on.
Segments of other transaction sets (an 837 in the same interchange) are skipped.

Diagnostic codes (family ``X35x``-``X36x``, remittance structure):

- ``X350`` error: the file holds no 835 transaction.
- ``X351`` warning: a segment outside the loop it belongs to (SVC before any CLP ...).
- ``X352`` warning: a number or date that cannot be read; the field is left empty.
- ``X353`` warning: a CAS group code that is not CO/PR/OA/PI (CR is accepted in 4010 only).
- ``X354`` warning: a CAS triplet with a reason and no amount, or an amount and no reason.
- ``X355`` warning: an 835 without BPR, or a CLP without CLP01.
- ``X360``-``X362``: balancing, see :mod:`edi_j0256.remit.balance`.
- ``X365``/``X366``: CARC/RARC not in the code tables, see :mod:`edi_j0256.remit.codes`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from edi_j0256.diagnostics import Diagnostics, Severity
from edi_j0256.remit.balance import check_balance
from edi_j0256.remit.model import (
    ClaimPayment,
    ProviderAdjustment,
    RemitAdjustment,
    RemitPayment,
    ServiceLinePayment,
)
from edi_j0256.x12.envelope import Envelope
from edi_j0256.x12.values import parse_date, parse_decimal

GROUP_CODES_5010 = frozenset({"CO", "PR", "OA", "PI"})
GROUP_CODES_4010 = GROUP_CODES_5010 | {"CR"}
CAS_TRIPLETS = tuple(range(2, 20, 3))  # CAS02, 05, 08, 11, 14, 17: reason; +1 amount; +2 quantity
PLB_PAIRS = tuple(range(3, 15, 2))  # PLB03/04 ... PLB13/14
MOA_REMARKS = (3, 4, 5, 6, 7)
MIA_REMARKS = (5, 20, 21, 22, 23)


class _Builder:
    """Walks the segments of one file, keeping the open transaction, claim and service line."""

    def __init__(self, file: str, diagnostics: Diagnostics):
        self.file = file
        self.diagnostics = diagnostics
        self.envelope = Envelope(file=file)
        self.version = "5010"
        self.payment: RemitPayment | None = None
        self.claim: ClaimPayment | None = None
        self.service: ServiceLinePayment | None = None
        self.party: str | None = None  # last N1 entity (PR, PE) of the header
        self.skipping: str | None = None  # ST01 of a transaction that is not an 835
        self.seen_835 = False
        self.handlers: dict[str, Callable[[Any], None]] = {
            "ISA": self.isa, "GS": self.gs, "BPR": self.bpr, "TRN": self.trn, "N1": self.n1,
            "REF": self.ref, "DTM": self.dtm, "LX": self.lx, "CLP": self.clp, "CAS": self.cas,
            "NM1": self.nm1, "MOA": self.moa, "MIA": self.mia, "AMT": self.amt, "SVC": self.svc,
            "LQ": self.lq, "PLB": self.plb,
        }

    # -- helpers ---------------------------------------------------------------------------
    def warn(self, code: str, message: str, segment: Any) -> None:
        self.diagnostics.add(code, Severity.WARNING, message, self.file,
                             getattr(segment, "index", None), getattr(segment, "line", None))

    def number(self, segment: Any, n: int) -> Decimal | None:
        text = segment.element(n).strip()
        if not text:
            return None
        value = parse_decimal(text)
        if value is None:
            self.warn("X352", f"{segment.tag}{n:02d} `{text}` is not a number", segment)
        return value

    def date(self, segment: Any, n: int) -> date | None:
        text = segment.element(n).strip()
        if not text:
            return None
        value = parse_date(text)
        if value is None:
            self.warn("X352", f"{segment.tag}{n:02d} `{text}` is not a CCYYMMDD date", segment)
        return value

    def outside(self, segment: Any, loop: str) -> None:
        self.warn("X351", f"{segment.tag} outside {loop}; ignored", segment)

    # -- envelope --------------------------------------------------------------------------
    def isa(self, s: Any) -> None:
        self.envelope = Envelope(file=self.file, interchange_control=s.element(13).strip() or None,
                                 sender_id=s.element(6).strip() or None,
                                 receiver_id=s.element(8).strip() or None)
        self.version = "4010" if s.element(12).startswith("004") else "5010"

    def gs(self, s: Any) -> None:
        self.envelope.group_control = s.element(6) or None
        self.envelope.implementation = s.element(8) or None
        if s.element(8):
            self.version = "4010" if s.element(8).startswith("004") else "5010"

    def start(self, s: Any) -> None:
        control = (s.element(2) or None) if s.tag == "ST" else None
        envelope = replace(self.envelope, transaction_control=control, transaction_type="835")
        self.payment = RemitPayment(envelope=envelope, version=self.version,
                                    segment=s.index, line=s.line)
        self.claim = self.service = None
        self.party = None
        self.seen_835 = True

    def finish(self) -> RemitPayment | None:
        payment, self.payment = self.payment, None
        self.claim = self.service = None
        return payment

    # -- header ----------------------------------------------------------------------------
    def bpr(self, s: Any) -> None:
        p = self.payment
        p.handling_code = s.element(1) or None
        p.payment_amount = self.number(s, 2)
        p.credit_debit = s.element(3) or None
        p.payment_method = s.element(4) or None
        p.payment_date = self.date(s, 16)

    def trn(self, s: Any) -> None:
        if self.payment.trace_number is None:
            self.payment.trace_number = s.element(2) or None
            self.payment.trace_originator = s.element(3) or None

    def n1(self, s: Any) -> None:
        self.party = s.element(1)
        if self.party == "PR":
            self.payment.payer_name = s.element(2) or None
            self.payment.payer_id = s.element(4) or None
        elif self.party == "PE":
            self.payment.payee_name = s.element(2) or None
            self.payment.payee_id = s.element(4) or None
            self.payment.payee_id_qualifier = s.element(3) or None

    def lx(self, s: Any) -> None:
        self.claim = self.service = None

    # -- claim -----------------------------------------------------------------------------
    def clp(self, s: Any) -> None:
        self.service = None
        self.claim = ClaimPayment(
            claim_id=s.element(1) or None, status=s.element(2) or None,
            charge=self.number(s, 3), paid=self.number(s, 4),
            patient_responsibility=self.number(s, 5), filing_indicator=s.element(6) or None,
            payer_claim_control=s.element(7) or None, facility_type=s.element(8) or None,
            frequency_code=s.element(9) or None, segment=s.index, line=s.line)
        if not self.claim.claim_id:
            self.warn("X355", "CLP01 (patient control number) is empty", s)
        self.payment.claims.append(self.claim)

    def nm1(self, s: Any) -> None:
        if self.claim is None:
            return
        entity = s.element(1)
        if entity == "QC":
            self.claim.patient_id = s.element(9) or None
            self.claim.patient_last_name = s.element(3) or None
            self.claim.patient_first_name = s.element(4) or None
        elif entity == "IL":
            self.claim.insured_id = s.element(9) or None
            self.claim.insured_last_name = s.element(3) or None
            self.claim.insured_first_name = s.element(4) or None

    def moa(self, s: Any) -> None:
        if self.claim is None:
            return self.outside(s, "a claim (CLP)")
        self.claim.remarks.extend(s.element(n) for n in MOA_REMARKS if s.element(n))

    def mia(self, s: Any) -> None:
        if self.claim is None:
            return self.outside(s, "a claim (CLP)")
        self.claim.remarks.extend(s.element(n) for n in MIA_REMARKS if s.element(n))

    def cas(self, s: Any) -> None:
        owner = self.service or self.claim
        if owner is None:
            return self.outside(s, "a claim (CLP) or service line (SVC)")
        group = s.element(1)
        allowed = GROUP_CODES_4010 if self.version == "4010" else GROUP_CODES_5010
        if group not in allowed:
            hint = " (4010 only)" if group == "CR" else ""
            self.warn("X353", f"CAS01 group code `{group}` is not valid in "
                              f"{self.version}{hint}; kept", s)
        for n in CAS_TRIPLETS:
            reason, amount = s.element(n).strip(), s.element(n + 1).strip()
            if not reason and not amount:
                continue
            if not reason or not amount:
                self.warn("X354", f"CAS{n:02d}/CAS{n + 1:02d} triplet is incomplete "
                                  f"(reason `{reason}`, amount `{amount}`)", s)
            owner.adjustments.append(RemitAdjustment(
                group=group, carc=reason, amount=self.number(s, n + 1),
                quantity=self.number(s, n + 2), segment=s.index, line=s.line))

    # -- service line ----------------------------------------------------------------------
    def svc(self, s: Any) -> None:
        if self.claim is None:
            self.service = None
            return self.outside(s, "a claim (CLP)")
        procedure = s.components(1)
        original = s.components(6)
        self.service = ServiceLinePayment(
            procedure_qualifier=procedure[0] if procedure and procedure[0] else None,
            procedure_code=procedure[1] if len(procedure) > 1 and procedure[1] else None,
            modifiers=tuple(m for m in procedure[2:6] if m),
            charge=self.number(s, 2), paid=self.number(s, 3),
            revenue_code=s.element(4) or None, units_paid=self.number(s, 5),
            original_qualifier=original[0] if original and original[0] else None,
            original_procedure_code=original[1] if len(original) > 1 and original[1] else None,
            original_modifiers=tuple(m for m in original[2:6] if m),
            original_units=self.number(s, 7), segment=s.index, line=s.line)
        self.claim.lines.append(self.service)

    def lq(self, s: Any) -> None:
        if self.service is None:
            return self.outside(s, "a service line (SVC)")
        if s.element(1) == "HE" and s.element(2):
            self.service.rarcs.append(s.element(2))

    # -- segments whose meaning depends on the loop ----------------------------------------
    def ref(self, s: Any) -> None:
        qualifier, value = s.element(1), s.element(2)
        if self.service is not None:
            if qualifier == "6R":
                self.service.line_control = value or None
            else:
                self.service.references.append((qualifier, value))
        elif self.claim is not None:
            self.claim.references.append((qualifier, value))
        elif self.party == "PR" and qualifier == "2U" and not self.payment.payer_id:
            self.payment.payer_id = value or None

    def dtm(self, s: Any) -> None:
        qualifier = s.element(1)
        if self.service is not None:
            if qualifier in ("472", "150"):
                self.service.service_date = self.date(s, 2)
            elif qualifier == "151":
                self.service.service_date_end = self.date(s, 2)
        elif self.claim is not None:
            value = self.date(s, 2)
            if value is not None:
                self.claim.dates[qualifier] = value
        elif qualifier == "405":
            self.payment.production_date = self.date(s, 2)

    def amt(self, s: Any) -> None:
        if self.service is not None:
            if s.element(1) == "B6":
                self.service.allowed_amount = self.number(s, 2)
        elif self.claim is not None:
            value = self.number(s, 2)
            if value is not None:
                self.claim.amounts[s.element(1)] = value

    def plb(self, s: Any) -> None:
        self.claim = self.service = None
        provider, period = s.element(1) or None, self.date(s, 2)
        for n in PLB_PAIRS:
            if not s.element(n) and not s.element(n + 1):
                continue
            self.payment.provider_adjustments.append(ProviderAdjustment(
                provider_id=provider, fiscal_period_date=period, reason=s.component(n, 1),
                reference=s.component(n, 2) or None, amount=self.number(s, n + 1),
                segment=s.index, line=s.line))

    # -- driver ----------------------------------------------------------------------------
    def feed(self, s: Any) -> RemitPayment | None:
        """Take one segment; return a finished transaction when one closes."""
        tag = s.tag
        if tag == "ST":
            done = self.finish()
            self.skipping = None if s.element(1) == "835" else (s.element(1) or "?")
            if self.skipping is None:
                self.start(s)
            return done
        if tag in ("SE", "GE", "IEA"):
            self.skipping = None
            return self.finish()
        if tag in ("ISA", "GS"):
            done = self.finish()
            self.handlers[tag](s)
            return done
        if self.skipping:
            return None
        handler = self.handlers.get(tag)
        if handler is None:
            return None
        if self.payment is None:
            if tag != "BPR":
                return self.outside(s, "an 835 transaction (ST*835)")
            self.start(s)
            self.warn("X355", "BPR without ST*835; read as an 835", s)
        handler(s)
        return None


def parse_remits(segments: Iterable[Any], *, file: str = "<input>",
                 diagnostics: Diagnostics | None = None) -> Iterator[RemitPayment]:
    """Build one :class:`RemitPayment` per 835 transaction set from X12 segments.

    ``segments`` are :class:`edi_j0256.x12.Segment` objects (anything with ``tag``,
    ``element(n)``, ``components(n)``, ``component(n, k)``, ``index`` and ``line``).
    Reports ``X350`` when no 835 transaction was found.
    """
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    builder = _Builder(file, diagnostics)
    for segment in segments:
        done = builder.feed(segment)
        if done is not None:
            yield _checked(done, builder)
    done = builder.finish()
    if done is not None:
        yield _checked(done, builder)
    if not builder.seen_835:
        diagnostics.add("X350", Severity.ERROR, "no 835 transaction (ST*835) in the file", file)


def _checked(payment: RemitPayment, builder: _Builder) -> RemitPayment:
    if payment.payment_amount is None and payment.handling_code is None:
        builder.diagnostics.add("X355", Severity.WARNING, "835 transaction without BPR",
                                builder.file, payment.segment, payment.line)
    check_balance(payment, builder.diagnostics)
    return payment
