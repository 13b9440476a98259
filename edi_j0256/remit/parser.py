"""835 units -> a stream of typed records: payment headers, claim payments, PLB adjustments.

The 835 is read through the same reader as the 837 (:class:`edi_j0256.x12.X12Reader`, one
envelope tracker), cut into units at each CLP (:data:`~edi_j0256.x12.REMIT_BOUNDARIES`), so a
transaction of any number of claims streams in bounded memory: :class:`RemitReader` yields
each record as it is read and keeps only the open transaction's header and two running sums.

With procedure codes (``hcpcs``, not ``ALL``), a CLP unit whose raw bytes hold none of the
codes but do hold an SVC segment cannot concern them: it is counted and passed over without
being tokenised (its CLP04 still goes into the payment's balance, read from the CLP segment's
bytes; a PLB written after it is still read). A CLP with no SVC at all is always built: its
claim-level adjustments cannot say which procedure they were for. Every claim that is built is
built exactly as it would be without the filter. Line and claim balancing (X360, X361) run on
the claims that are built (``hcpcs="ALL"`` builds and checks every claim).

The reader never raises on content: what it cannot use it reports as a diagnostic and goes on.
Transactions other than 835 (an 837 in the same interchange) are skipped and counted.

Diagnostic codes (family ``X35x``-``X36x``, remittance structure):

- ``X350`` error: the file holds no 835 transaction.
- ``X351`` warning: a segment outside the loop it belongs to (SVC before any CLP ...).
- ``X352`` warning: a number or date that cannot be read (X12 numbers have no exponent and at
  most 18 digits); the field is left empty.
- ``X353`` warning: a CAS group code that is not CO/PR/OA/PI (CR is accepted in 4010 only).
- ``X354`` warning: a CAS triplet with a reason and no amount, or an amount and no reason.
- ``X355`` warning: an 835 without BPR, or a CLP without CLP01.
- ``X356`` error: a CLP outside an 835 transaction (no ST*835 open); counted, not read.
- ``X357`` error: a claim payment that could not be read; counted, skipped.
- ``X358`` warning: ISA16 gives no usable component separator (empty, or equal to the element
  separator); ``:`` is assumed.
- ``X359`` error: a claim payment with more service lines than the reader builds
  (:data:`MAX_BUILT_SERVICES`), or too large to hold whole (cut in pieces by the tokenizer);
  counted, not read (its CLP04 still goes into the payment's balance).
- ``X360``-``X362``: balancing, see :mod:`edi_j0256.remit.balance`.
- ``X365``-``X367``: CARC/RARC not in the code tables, see :mod:`edi_j0256.remit.codes`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from edi_j0256.codes import ALL_CODES, normalize_codes
from edi_j0256.diagnostics import Diagnostics, Severity
from edi_j0256.remit.balance import PaymentTotals, check_claim, check_payment
from edi_j0256.remit.codes import CodeTable, check_claim_codes
from edi_j0256.remit.model import (
    ClaimPayment,
    PaymentHeader,
    ProviderAdjustment,
    RemitAdjustment,
    ServiceLinePayment,
    make_adjustment,
    make_service_line,
)
from edi_j0256.x12.reader import X12Reader
from edi_j0256.x12.tokenizer import REMIT_BOUNDARIES, Segment, Unit
from edi_j0256.x12.values import MAX_NUMBER_DIGITS, number_problem, parse_date

GROUP_CODES_5010 = frozenset({"CO", "PR", "OA", "PI"})
GROUP_CODES_4010 = GROUP_CODES_5010 | {"CR"}
PLB_PAIRS = tuple(range(3, 15, 2))  # PLB03/04 ... PLB13/14
MOA_REMARKS = (3, 4, 5, 6, 7)
MIA_REMARKS = (5, 20, 21, 22, 23)
ENVELOPE_TAGS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})
CLAIM_LOOP_TAGS = frozenset({"SVC", "CAS", "LQ", "MOA", "MIA", "NM1", "AMT", "QTY"})
CAS_AMOUNTS = {n: f"CAS{n + 1:02d}" for n in range(2, 20, 3)}
CAS_QUANTITIES = {n: f"CAS{n + 2:02d}" for n in range(2, 20, 3)}
_SHOWN = 24  # characters of a bad value quoted in a message
# The 835 guide (005010X221A1) repeats loop 2110 (SVC) up to 999 times per claim; past ten
# times that a claim payment is absurd, and building it would hold the memory of a batch.
MAX_BUILT_SERVICES = 10_000
_FEWEST_SVC_BYTES = len("SVC*A*1~")  # a unit shorter than this per SVC loop is never counted
VALUE_CACHE_LIMIT = 16_384  # distinct texts remembered per cache, so memory stays bounded
# An 835 repeats the same amounts, quantities, dates and CAS segments thousands of times: each
# text is read into its (immutable) Decimal, date or CAS triplets once, then found by a dict
# lookup. Only what was read without a diagnostic is kept (anything else takes the full path
# each time, with its message); a full cache keeps what it has (the values seen first are the
# frequent ones) and stops growing.
_DECIMALS: dict[str, Decimal] = {}
_DATES: dict[str, date] = {}
_CLP04_READ: dict[bytes, Decimal] = {}  # CLP04 bytes of the claims passed over -> amount
_CAS_READ: dict[tuple[str, ...], tuple[tuple[str, str, Decimal | None, Decimal | None], ...]] = {}
RemitItem = PaymentHeader | ClaimPayment | ProviderAdjustment


@dataclass(slots=True)
class RemitStats:
    """What was read, so nothing is dropped silently (counts in = counts out).

    ``claims = claims_read + claims_skipped + claims_outside + claims_unreadable``; every
    CLP segment of the file is one of them. ``service_lines`` is every SVC segment, counted
    on the bytes, built or not.
    """

    files: int = 0
    interchanges: int = 0
    transactions: int = 0  # 835 transactions (ST*835)
    other_transactions: int = 0  # ST of other transaction sets, skipped
    claims: int = 0  # every CLP segment
    claims_read: int = 0  # built into ClaimPayment records
    claims_skipped: int = 0  # could not concern the codes: counted, not built
    claims_outside: int = 0  # CLP with no ST*835 open (X356)
    claims_unreadable: int = 0  # could not be read (X357)
    service_lines: int = 0  # every SVC segment
    service_lines_read: int = 0  # SVC loops of the claims that were built
    provider_adjustments: int = 0  # PLB reason/amount pairs

    def add(self, other: RemitStats) -> None:
        for name in self.__slots__:  # type: ignore[attr-defined]
            setattr(self, name, getattr(self, name) + getattr(other, name))


class _Line:
    """A 2110 loop being read; frozen into a :class:`ServiceLinePayment` when it ends."""

    __slots__ = ("head", "service_date", "service_date_end", "line_control", "references",
                 "allowed_amount", "adjustments", "rarcs", "position")

    def __init__(self, head: tuple, position: tuple[int, int]):
        self.head = head  # SVC01 .. SVC07: the first eleven fields, in their order
        self.service_date = self.service_date_end = self.line_control = None
        self.allowed_amount = None
        self.references: list[tuple[str, str]] = []
        self.adjustments: list[RemitAdjustment] = []
        self.rarcs: list[str] = []
        self.position = position

    def freeze(self) -> ServiceLinePayment:
        return make_service_line(*self.head, self.service_date, self.service_date_end,
                                 self.line_control, tuple(self.references),
                                 self.allowed_amount, tuple(self.adjustments),
                                 tuple(self.rarcs), *self.position)


class RemitReader:
    """The 835 records of one file. Iterate :meth:`items`; read :attr:`stats` afterwards.

    >>> import io
    >>> text = (b"ST*835*0001~BPR*I*80*C*ACH************20260105~TRN*1*EFT1*1999999999~"
    ...         b"N1*PR*PAYER~N1*PE*CLINIC*XX*1999999984~LX*1~CLP*C1*1*100*80**MB*P1~"
    ...         b"SVC*HC:J0256*100*80**10~CAS*CO*45*20~SE*10*0001~")
    >>> reader = RemitReader(io.BytesIO(text), name="era.835")
    >>> [type(item).__name__ for item in reader.items()]
    ['PaymentHeader', 'ClaimPayment']
    >>> reader.stats.claims, reader.stats.service_lines
    (1, 1)
    """

    def __init__(self, source: str | Path | BinaryIO, *, name: str | None = None,
                 diagnostics: Diagnostics | None = None,
                 hcpcs: str | Iterable[str] | None = ALL_CODES,
                 carcs: CodeTable | None = None, rarcs: CodeTable | None = None):
        self.codes = normalize_codes(hcpcs)
        self.every = ALL_CODES in self.codes
        self.needles = tuple({c.encode("latin-1", "replace") for c in self.codes}
                             | {c.lower().encode("latin-1", "replace") for c in self.codes})
        self.reader = X12Reader(source, name=name, diagnostics=diagnostics,
                                boundaries=REMIT_BOUNDARIES, tally=("SVC",))
        self.name = self.reader.name
        self.diagnostics = self.reader.diagnostics
        self.carcs, self.rarcs = carcs, rarcs
        self.stats = RemitStats(files=1)
        self._header: PaymentHeader | None = None
        self._totals = PaymentTotals()
        self._isa_version = "5010"
        self._seen_835 = False
        self._skipping = False  # inside a transaction that is not an 835
        self._svc_needles: list[bytes] = []
        self._cas_needles: tuple[bytes, ...] = ()
        self._needles_for: object = None
        self._bad_component: object = None
        self._element_for: object = None
        self._element = b"*"
        self._warnings = 0  # diagnostics added by this reader (a value read with none is cached)
        self._codes_on: object = ()  # the date the codes below were found valid on (none yet)
        self._valid_carcs: set[str] = set()
        self._valid_rarcs: set[str] = set()

    # -- the walk ----------------------------------------------------------------------------

    def items(self) -> Iterator[RemitItem]:
        """Headers, claim payments and provider adjustments, in file order."""
        for unit in self.reader.units():
            tag = unit.tag
            if tag == "CLP":
                yield from self._clp(unit)
            elif tag == "ST":
                yield from self._st(unit)
            else:
                self._close()
                if tag == "ISA":
                    isa12 = unit.segments()[0].element(12)
                    self._isa_version = "4010" if isa12.startswith("004") else "5010"
                self._outside(unit.segments()[1:])
        self._close()
        tokenizer = self.reader.tokenizer
        self.stats.service_lines = tokenizer.tallies.get("SVC", 0)
        self.stats.interchanges = self.reader.interchanges
        if not self._seen_835:
            self.diagnostics.add("X350", Severity.ERROR,
                                 "no 835 transaction (ST*835) in the file", self.name)

    def _close(self) -> None:
        """End the open transaction: its payment balance, from the running sums."""
        if self._header is not None:
            check_payment(self._header, self._totals, self.diagnostics)
        self._header = None
        self._skipping = False

    def _outside(self, segments: list[Segment]) -> None:
        for s in segments:
            if s.tag not in ENVELOPE_TAGS and not self._skipping:
                self._warn("X351", f"{_shown(s.tag)} outside an 835 transaction (ST*835); "
                           "ignored", s.index, s.line)

    # -- header ------------------------------------------------------------------------------

    def _st(self, unit: Unit) -> Iterator[RemitItem]:
        self._close()
        if unit.segments()[0].element(1) != "835":  # split by the envelope reader already
            self._skipping = True
            self.stats.other_transactions += 1
            return
        rows = unit.rows()
        self._seen_835 = True
        self.stats.transactions += 1
        envelope = self.reader.envelope
        implementation = envelope.implementation or ""
        version = ("4010" if implementation.startswith("004") else "5010") if implementation \
            else self._isa_version
        values: dict = {}
        party = None
        rest = []
        for tag, e, index, line, _ in rows[1:]:
            e = _padded(e, 17)
            if tag == "BPR":
                values.update(handling_code=e[1] or None,
                              payment_amount=self._number(e[2], "BPR02", index, line),
                              credit_debit=e[3] or None, payment_method=e[4] or None,
                              payment_date=self._date(e[16], "BPR16", index, line))
            elif tag == "TRN":
                if "trace_number" not in values:
                    values.update(trace_number=e[2] or None, trace_originator=e[3] or None)
            elif tag == "N1":
                party = e[1]
                if party == "PR":
                    values.update(payer_name=e[2] or None, payer_id=e[4] or None)
                elif party == "PE":
                    values.update(payee_name=e[2] or None, payee_id=e[4] or None,
                                  payee_id_qualifier=e[3] or None)
            elif tag == "REF":
                if party == "PR" and e[1] == "2U" and not values.get("payer_id"):
                    values["payer_id"] = e[2] or None
            elif tag == "DTM":
                if e[1] == "405":
                    values["production_date"] = self._date(e[2], "DTM02", index, line)
            elif tag in CLAIM_LOOP_TAGS or tag == "PLB":
                rest.append((tag, e, index, line))
        first = rows[0]
        header = PaymentHeader(envelope=envelope, version=version, segment=first[2],
                               line=first[3], **values)
        if "payment_amount" not in values and "handling_code" not in values:
            self._warn("X355", "835 transaction without BPR", first[2], first[3])
        self._header = header
        self._totals = PaymentTotals()
        yield header
        for tag, e, index, line in rest:
            if tag == "PLB":
                yield from self._plb(e, self._component(unit), index, line)
            else:
                self._warn("X351", f"{tag} outside a claim (CLP); ignored", index, line)

    # -- claims ------------------------------------------------------------------------------

    def _clp(self, unit: Unit) -> Iterator[RemitItem]:
        if unit.continued:  # the rest of a claim payment too large to build (X359, counted)
            yield from self._trailing_plb(unit)
            return
        stats = self.stats
        stats.claims += 1
        header = self._header
        if header is None:
            stats.claims_outside += 1
            self._warn("X356", "CLP outside an 835 transaction (no ST*835 before it); "
                       "counted, not read", unit.index, unit.line, Severity.ERROR)
            return
        refusal = self._refusal(unit)
        if refusal is not None:
            stats.claims_unreadable += 1
            self._warn("X359", refusal, unit.index, unit.line, Severity.ERROR)
            self._skipped_claim(unit)
            yield from self._trailing_plb(unit)
            return
        if not self.every and not self._concerns(unit):
            stats.claims_skipped += 1
            self._skipped_claim(unit)
            yield from self._trailing_plb(unit)
            return
        try:
            claim, trailer = self._build(unit, header)
        except Exception as exc:  # one bad claim never stops the file
            stats.claims_unreadable += 1
            self._warn("X357", f"claim payment at segment {unit.index} could not be read "
                       f"({type(exc).__name__}); skipped", unit.index, unit.line,
                       Severity.ERROR)
            yield from self._trailing_plb(unit)
            return
        stats.claims_read += 1
        stats.service_lines_read += len(claim.lines)
        if claim.paid is not None:
            self._totals.claims_paid += claim.paid
        check_claim(claim, self.name, self.diagnostics)
        if self.carcs is not None and self.rarcs is not None:
            self._check_codes(claim, header)
        yield claim
        for e, index, line in trailer:
            yield from self._plb(e, self._component(unit), index, line)

    def _refusal(self, unit: Unit) -> str | None:
        """Why a claim payment is not built (X359), or None to build it: cut in pieces (the
        tokenizer hands on a unit past 4 MB in parts), or more SVC loops than
        :data:`MAX_BUILT_SERVICES` (counted on the bytes, only in a unit long enough to hold
        that many: the usual claim is not searched again)."""
        if unit.piece:
            return (f"claim payment at segment {unit.index} is larger than the reader builds "
                    f"(more than {MAX_BUILT_SERVICES} service lines); counted, not read")
        if (unit.end - unit.start > MAX_BUILT_SERVICES * _FEWEST_SVC_BYTES
                and unit.count_at_most("SVC") > MAX_BUILT_SERVICES):
            services = unit.count("SVC")
            if services > MAX_BUILT_SERVICES:
                return (f"claim payment at segment {unit.index} has {services} service lines, "
                        f"more than the reader builds ({MAX_BUILT_SERVICES}); counted, not read")
        return None

    def _check_codes(self, claim: ClaimPayment, header: PaymentHeader) -> None:
        """:func:`~edi_j0256.remit.codes.check_claim_codes` for a claim that has a CARC or
        RARC not yet found valid on this payment's date: a claim whose codes all were cannot
        add a diagnostic, so the tables are not asked again (the same few codes fill a file).
        """
        when = header.payment_date or header.production_date
        if when != self._codes_on:
            self._codes_on = when
            self._valid_carcs, self._valid_rarcs = {""}, {""}
        carcs = {a.carc for a in claim.adjustments}
        rarcs = set(claim.remarks)
        for service in claim.lines:
            carcs.update(a.carc for a in service.adjustments)
            rarcs.update(service.rarcs)
        valid_carcs, valid_rarcs = self._valid_carcs, self._valid_rarcs
        if carcs <= valid_carcs and rarcs <= valid_rarcs:
            return
        check_claim_codes(claim, self.carcs, self.rarcs, self.diagnostics)
        for codes, table, valid in ((carcs, self.carcs, valid_carcs),
                                    (rarcs, self.rarcs, valid_rarcs)):
            if len(table):
                valid.update(c for c in codes - valid
                             if c in table and not table.stopped(c, when))

    def _trailing_plb(self, unit: Unit) -> Iterator[ProviderAdjustment]:
        """The PLB segments written after a claim that is not built (they close the
        transaction, so they sit in its last CLP unit)."""
        if unit.contains(b"PLB"):
            for _tag, e, index, line, _ in unit.rows(frozenset({"PLB"})):
                yield from self._plb(e, self._component(unit), index, line)

    def _concerns(self, unit: Unit) -> bool:
        """Whether a CLP unit may hold one of the codes, from its bytes: it names one, it has
        no SVC, or it has claim-level adjustments (a CAS before its first SVC): those reach
        every line of the claim, the 837's J0256 line among them even when the payer sent no
        SVC for it, and cannot be told apart by procedure."""
        for needle in self.needles:
            if unit.contains(needle):
                return True
        if self._needles_for is not unit.delimiters:
            d = unit.delimiters
            term, elem = d.segment.encode("latin-1"), d.element.encode("latin-1")
            self._svc_needles = list(dict.fromkeys((term + b"\nSVC" + elem, term + b"SVC" + elem,
                                                    term + b"\r\nSVC" + elem)))
            self._cas_needles = tuple(dict.fromkeys((term + b"CAS" + elem,
                                                     term + b"\nCAS" + elem,
                                                     term + b"\r\nCAS" + elem)))
            self._needles_for = d
        needles = self._svc_needles
        for n, needle in enumerate(needles):
            if unit.contains(needle):
                if n:  # the layout of this file: ask for it first from now on
                    needles.insert(0, needles.pop(n))
                if not unit.contains(self._cas_needles[0][-4:]):
                    return False  # no CAS at all: nothing at claim level
                raw = unit.raw
                first_svc = raw.find(needle)
                return any(raw.find(cas, 0, first_svc) >= 0 for cas in self._cas_needles)
        return True

    def _skipped_claim(self, unit: Unit) -> None:
        """CLP04 of a claim passed over, from the CLP segment's bytes (for X362)."""
        parts = unit.head().split(self._element_bytes(unit), 5)
        if len(parts) < 5 or not parts[4]:
            return
        paid = parts[4]
        value = _CLP04_READ.get(paid)
        if value is not None:
            self._totals.claims_paid += value
            return
        digits = paid[1:] if paid[:1] == b"-" else paid
        if len(digits) <= MAX_NUMBER_DIGITS and (digits.isdigit()
                                                 or digits.replace(b".", b"", 1).isdigit()):
            value = Decimal(paid.decode("ascii"))
            if len(_CLP04_READ) < VALUE_CACHE_LIMIT:
                _CLP04_READ[paid] = value
            self._totals.claims_paid += value
            return
        value = self._number(paid.decode("latin-1"), "CLP04", unit.index, unit.line)
        if value is not None:
            self._totals.claims_paid += value

    def _element_bytes(self, unit: Unit) -> bytes:
        d = unit.delimiters
        if self._element_for is not d:
            self._element_for, self._element = d, d.element.encode("latin-1")
        return self._element

    def _build(self, unit: Unit, header: PaymentHeader
               ) -> tuple[ClaimPayment, list[tuple[list[str], int, int]]]:
        """One claim payment from its unit, and the PLB segments written after it.

        This is the loop every segment of a built claim goes through, so it is written for
        speed: the claim's segments are told apart by tag, most frequent first (CAS, SVC,
        DTM, REF, AMT), numbers and dates come from the value caches, and only CAS and SVC
        have handlers of their own."""
        rows = unit.rows()
        component = self._component(unit)
        number = self._number
        decimals, known_dates = _DECIMALS, _DATES
        _, e, index, line, _ = rows[0]
        e = _padded(e, 10)
        values: dict = dict(
            claim_id=e[1] or None, status=e[2] or None,
            charge=number(e[3], "CLP03", index, line), paid=number(e[4], "CLP04", index, line),
            patient_responsibility=number(e[5], "CLP05", index, line),
            filing_indicator=e[6] or None, payer_claim_control=e[7] or None,
            facility_type=e[8] or None, frequency_code=e[9] or None, segment=index, line=line)
        if not values["claim_id"]:
            self._warn("X355", "CLP01 (patient control number) is empty", index, line)
        adjustments: list[RemitAdjustment] = []
        moa: list[str] = []
        mia: list[str] = []
        references: list[tuple[str, str]] = []
        dates: dict[str, date] = {}
        amounts: dict[str, Decimal] = {}
        lines: list[ServiceLinePayment] = []
        trailer: list[tuple[list[str], int, int]] = []
        service: _Line | None = None
        into = adjustments  # where a CAS goes: the claim's, then the open service line's
        in_claim = True  # False after an LX or PLB: the segments that follow are not this claim's
        version = header.version
        cas, start_line, cas_read = self._cas, self._service, _CAS_READ
        walk = iter(rows)
        next(walk)
        for tag, e, index, line, _ in walk:
            if in_claim:
                if tag == "CAS":
                    triplets = cas_read.get(tuple(e))
                    if triplets is None:
                        triplets = cas(e, version, index, line)
                    for group, reason, value, count in triplets:
                        into.append(make_adjustment(group, reason, value, count, index, line))
                    continue
                if tag == "SVC":
                    if service is not None:
                        lines.append(service.freeze())
                    service = start_line(e, component, index, line)
                    into = service.adjustments
                    continue
            elif tag == "SVC":
                self._warn("X351", "SVC outside a claim (CLP); ignored", index, line)
                continue
            if tag == "PLB" or tag == "LX":
                if service is not None:
                    lines.append(service.freeze())
                service, in_claim = None, False
                if tag == "PLB":
                    trailer.append((e, index, line))
                continue
            if not in_claim:
                if tag in CLAIM_LOOP_TAGS:
                    self._warn("X351", f"{tag} outside a claim (CLP); ignored", index, line)
                continue
            if len(e) < 3:
                e = _padded(e, 3)
            if tag == "DTM":
                value = known_dates.get(e[2])
                if value is None:
                    value = self._date(e[2], "DTM02", index, line)
                if service is not None:
                    qualifier = e[1]
                    if qualifier == "472" or qualifier == "150":
                        service.service_date = value
                    elif qualifier == "151":
                        service.service_date_end = value
                elif value is not None:
                    dates[e[1]] = value
            elif tag == "REF":
                if service is None:
                    references.append((e[1], e[2]))
                elif e[1] == "6R":
                    service.line_control = e[2] or None
                else:
                    service.references.append((e[1], e[2]))
            elif tag == "AMT":
                value = decimals.get(e[2])
                if value is None:
                    value = number(e[2], "AMT02", index, line)
                if service is not None:
                    if e[1] == "B6":
                        service.allowed_amount = value
                elif value is not None:
                    amounts[e[1]] = value
            elif tag == "LQ":
                if service is None:
                    self._warn("X351", "LQ outside a service line (SVC); ignored", index, line)
                elif e[1] == "HE" and e[2]:
                    service.rarcs.append(e[2])
            elif service is not None:
                continue  # NM1, MOA, MIA belong to the claim, before its first SVC
            elif tag == "NM1":
                e = _padded(e, 10)
                if e[1] == "QC":
                    values.update(patient_id=e[9] or None, patient_last_name=e[3] or None,
                                  patient_first_name=e[4] or None)
                elif e[1] == "IL":
                    values.update(insured_id=e[9] or None, insured_last_name=e[3] or None,
                                  insured_first_name=e[4] or None)
            elif tag == "MOA":
                e = _padded(e, 8)
                moa.extend(e[n] for n in MOA_REMARKS if e[n])
            elif tag == "MIA":
                e = _padded(e, 24)
                mia.extend(e[n] for n in MIA_REMARKS if e[n])
        if service is not None:
            lines.append(service.freeze())
        claim = ClaimPayment(**values, adjustments=tuple(adjustments), remarks=(*moa, *mia),
                             outpatient_remarks=tuple(moa), inpatient_remarks=tuple(mia),
                             references=tuple(references), dates=dates, amounts=amounts,
                             lines=tuple(lines), payment=header)
        return claim, trailer

    def _service(self, e: list[str], component: str, index: int, line: int) -> _Line:
        if len(e) < 8:
            e = _padded(e, 8)
        number = self._number
        return _Line((*_procedure(e[1], component), number(e[2], "SVC02", index, line),
                      number(e[3], "SVC03", index, line), e[4] or None,
                      number(e[5], "SVC05", index, line),
                      *(_procedure(e[6], component) if e[6] else _NO_PROCEDURE),
                      number(e[7], "SVC07", index, line) if e[7] else None), (index, line))

    def _cas(self, e: list[str], version: str, index: int, line: int
             ) -> tuple[tuple[str, str, Decimal | None, Decimal | None], ...]:
        """The (group, reason, amount, quantity) triplets of a CAS segment, in order. Kept in
        the cache when they were read without a diagnostic and the group is valid in every
        version (so the same segment in a 5010 and a 4010 transaction says the same)."""
        warnings = self._warnings
        triplets = []
        size = len(e)
        group = e[1] if size > 1 else ""
        if group not in (GROUP_CODES_4010 if version == "4010" else GROUP_CODES_5010):
            hint = " (4010 only)" if group == "CR" else ""
            self._warn("X353", f"CAS01 group code `{_shown(group)}` is not valid in "
                       f"{version}{hint}; kept", index, line)
        decimals = _DECIMALS
        for n in range(2, min(size, 20), 3):  # CAS02/05/08/11/14/17, then amount, quantity
            reason = e[n]
            amount = e[n + 1] if n + 1 < size else ""
            if not (reason and amount and reason[0] > " " and reason[-1] > " "):
                reason, amount = reason.strip(), amount.strip()
                if not reason and not amount:
                    continue
                if not reason or not amount:
                    self._warn("X354", f"CAS{n:02d}/CAS{n + 1:02d} triplet is incomplete "
                               f"(reason `{_shown(reason)}`, amount `{_shown(amount)}`)",
                               index, line)
            value = decimals.get(amount)
            if value is None and amount:
                value = _plain(amount)
                if value is None:
                    value = self._number(amount, CAS_AMOUNTS[n], index, line)
            quantity = e[n + 2] if n + 2 < size else ""
            count = None
            if quantity:
                count = decimals.get(quantity)
                if count is None:
                    count = _plain(quantity)
                    if count is None:
                        count = self._number(quantity, CAS_QUANTITIES[n], index, line)
            triplets.append((group, reason, value, count))
        found = tuple(triplets)
        if (warnings == self._warnings and group in GROUP_CODES_5010
                and len(_CAS_READ) < VALUE_CACHE_LIMIT):
            _CAS_READ[tuple(e)] = found
        return found

    def _plb(self, e: list[str], component: str, index: int, line: int
             ) -> Iterator[ProviderAdjustment]:
        e = _padded(e, 15)
        provider = e[1] or None
        period = self._date(e[2], "PLB02", index, line)
        for n in PLB_PAIRS:
            if not e[n] and not e[n + 1]:
                continue
            reason, _, reference = e[n].partition(component)
            amount = self._number(e[n + 1], f"PLB{n + 1:02d}", index, line)
            adjustment = ProviderAdjustment(
                provider_id=provider, fiscal_period_date=period, reason=reason,
                reference=reference.split(component, 1)[0] or None, amount=amount,
                payment=self._header, segment=index, line=line)
            self.stats.provider_adjustments += 1
            if amount is not None:
                self._totals.provider_adjustments += amount
            yield adjustment

    # -- values ------------------------------------------------------------------------------

    def _component(self, unit: Unit) -> str:
        """The component separator, or ``:`` when ISA16 gave none that can be used (empty,
        or the element or segment separator), said once per interchange (X358)."""
        d = unit.delimiters
        if d.component and d.component not in (d.element, d.segment):
            return d.component
        if self._bad_component is not d:
            self._bad_component = d
            self._warn("X358", f"ISA16 gives no usable component separator "
                       f"({d.component!r}); ':' assumed", unit.index, unit.line)
        return ":"

    def _warn(self, code: str, message: str, index: int | None, line: int | None,
              severity: Severity = Severity.WARNING) -> None:
        self._warnings += 1
        self.diagnostics.add(code, severity, message, self.name, index, line)

    def _number(self, text: str, where: str, index: int, line: int) -> Decimal | None:
        """An X12 R value (:mod:`edi_j0256.x12.values`: optional minus, ASCII digits, optional
        point; no exponent, at most ``MAX_NUMBER_DIGITS`` digits), else X352 and None."""
        if not text:
            return None
        value = _DECIMALS.get(text)
        if value is not None:
            return value
        value = _plain(text)
        if value is not None:
            return value
        stripped = text.strip()
        if stripped != text:
            return self._number(stripped, where, index, line)
        if number_problem(text) is None:
            return Decimal(text)  # e.g. 18 digits and a point
        self._warn("X352", f"{where} `{_shown(text)}` is not a number", index, line)
        return None

    def _date(self, text: str, where: str, index: int, line: int) -> date | None:
        value = _DATES.get(text)
        if value is not None:
            return value
        text = text.strip()
        if not text:
            return None
        value = parse_date(text)
        if value is None:
            self._warn("X352", f"{where} `{_shown(text)}` is not a CCYYMMDD date", index, line)
        elif len(_DATES) < VALUE_CACHE_LIMIT:
            _DATES[text] = value
        return value


_BLANK = [""] * 24


def _padded(elements: list[str], size: int) -> list[str]:
    """Elements 0 .. size-1, ``''`` where absent, so handlers index without length checks."""
    missing = size - len(elements)
    return elements + _BLANK[:missing] if missing > 0 else elements


def _plain(text: str) -> Decimal | None:
    """The common number, decided with C-speed string tests: ASCII digits, at most one point,
    an optional leading minus, at most ``MAX_NUMBER_DIGITS`` characters besides the minus.
    None otherwise (the caller then looks closer)."""
    value = _DECIMALS.get(text)
    if value is not None:
        return value
    digits = text[1:] if text[:1] == "-" else text
    if len(digits) <= MAX_NUMBER_DIGITS and digits.isascii() and (
            digits.isdigit() or digits.replace(".", "", 1).isdigit()):
        value = Decimal(text)
        if len(_DECIMALS) < VALUE_CACHE_LIMIT:
            _DECIMALS[text] = value
        return value
    return None


_NO_PROCEDURE: tuple[None, None, tuple[str, ...]] = (None, None, ())


def _procedure(text: str, component: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    """A composite procedure (SVC01, SVC06): qualifier, code and modifiers (up to four)."""
    if not text:
        return None, None, ()
    parts = text.split(component)
    if len(parts) == 2:
        return parts[0] or None, parts[1] or None, ()
    return (parts[0] or None, parts[1] or None if len(parts) > 1 else None,
            tuple(filter(None, parts[2:6])))


def _shown(text: str) -> str:
    """A value quoted in a message: cut to a few characters (a hostile value can be long)."""
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."


def iter_remit(source: str | Path | BinaryIO, *, name: str | None = None,
               diagnostics: Diagnostics | None = None,
               hcpcs: str | Iterable[str] | None = ALL_CODES,
               carcs: CodeTable | None = None, rarcs: CodeTable | None = None
               ) -> Iterator[RemitItem]:
    """The records of one 835 file as they are read (see :class:`RemitReader`)."""
    return RemitReader(source, name=name, diagnostics=diagnostics, hcpcs=hcpcs, carcs=carcs,
                       rarcs=rarcs).items()
