"""837P / 837I units -> :class:`Claim` records with their full hierarchy context.

The HL hierarchy (2000A billing provider, 2000B subscriber, 2000C patient) is followed with
a stack, so each claim gets the billing provider, subscriber and payer of ITS loops, even when
one transaction holds many billing providers and subscribers; memory stays bounded by the
depth of the hierarchy, not the size of the file.

When only some procedure codes matter (``hcpcs``), a claim unit whose raw bytes do not
contain any of them is counted and skipped without being tokenized, and HL units are only
tokenized when a claim under them is kept. Every kept claim is built exactly as it would be
without the filter.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from edi_j0256.claims.model import DIAGNOSIS_QUALIFIERS, Claim, Diagnosis, Envelope, ServiceLine
from edi_j0256.claims.ndc import normalize_ndc
from edi_j0256.diagnostics import Diagnostics, Severity
from edi_j0256.x12.reader import X12Reader
from edi_j0256.x12.tokenizer import Segment, Unit
from edi_j0256.x12.values import parse_date, parse_decimal

# The segments a claim unit is read from; the others (N3, N4, PRV, CAS, SVD, AMT ...) are
# counted for positions but not built.
CLAIM_TAGS = frozenset({"CLM", "LX", "SV1", "SV2", "DTP", "REF", "HI", "NM1", "SBR", "PAT",
                        "LIN", "CTP"})


@dataclass(slots=True)
class ReadStats:
    """Counts of what was read, so nothing is dropped silently (counts in = counts out)."""

    files: int = 0
    interchanges: int = 0
    transactions: int = 0
    claims: int = 0  # every CLM seen
    claims_read: int = 0  # claims built into records (all, or those holding the codes)
    claims_skipped: int = 0  # claims that cannot hold the codes, counted without being built
    claims_unreadable: int = 0  # claims that could not be read (reported as errors)
    service_lines: int = 0
    matched_lines: int = 0  # service lines with one of the requested codes

    def add(self, other: ReadStats) -> None:
        for name in self.__slots__:  # type: ignore[attr-defined]
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(slots=True)
class _Level:
    """One HL loop: its id, level code (20, 22, 23) and its unit, tokenized on demand."""

    id: bytes  # HL01
    parent: bytes  # HL02
    level: bytes  # HL03: 20 billing provider, 22 subscriber, 23 patient
    unit: Unit
    facts: dict | None = None


@dataclass(slots=True)
class _Context:
    facts: dict = field(default_factory=dict)


class ClaimReader:
    """Claims of one 837 file. Iterate :meth:`claims`; read :attr:`stats` afterwards."""

    def __init__(self, source: str | Path | BinaryIO, *, name: str | None = None,
                 diagnostics: Diagnostics | None = None,
                 hcpcs: str | Iterable[str] | None = None):
        codes = [hcpcs] if isinstance(hcpcs, str) else hcpcs or ()
        self.codes = frozenset(code.strip().upper() for code in codes)
        needles = tuple({c.encode() for c in self.codes} | {c.lower().encode() for c in self.codes})
        self.reader = X12Reader(source, name=name, diagnostics=diagnostics,
                                skip_unless={"CLM": needles} if needles else None,
                                tally=("SV1", "SV2"))
        self.name = self.reader.name
        self.diagnostics = self.reader.diagnostics
        self.stats = ReadStats(files=1)
        self._stack: list[_Level] = []

    def claims(self) -> Iterator[Claim]:
        """Claims in file order; with ``hcpcs``, only those holding one of the codes."""
        stats = self.stats
        for unit in self.reader.units():
            tag = unit.tag
            if tag == "CLM":
                claim = self._claim(unit)
                if claim is None:
                    continue
                matched = sum(1 for line in claim.lines if line.procedure_code in self.codes)
                stats.matched_lines += matched
                if self.codes and not matched:
                    stats.claims_skipped += 1
                    continue
                stats.claims_read += 1
                yield claim
            elif tag == "HL":
                self._push(unit)
            elif tag in ("ST", "SE"):
                self._stack.clear()
        tokenizer = self.reader.tokenizer
        skipped = tokenizer.skipped.get("CLM", 0)
        stats.claims_skipped += skipped
        stats.claims = stats.claims_read + stats.claims_skipped + stats.claims_unreadable
        stats.service_lines = sum(tokenizer.tallies.values())
        stats.interchanges = self.reader.interchanges
        stats.transactions = self.reader.transactions

    # -- hierarchy ---------------------------------------------------------------------------

    def _push(self, unit: Unit) -> None:
        """Open an HL loop: pop the stack back to its parent (HL02), then push it (bytes only:
        this runs for every HL of the file, kept or not)."""
        parts = unit.head().split(unit.delimiters.element.encode("latin-1"), 4)
        hl_id, parent, level = (parts + [b"", b"", b""])[1:4]
        stack = self._stack
        while stack and stack[-1].id != parent:
            stack.pop()
        if parent and not stack:
            self._warn("X301", f"HL {hl_id.decode('latin-1')} names parent "
                       f"{parent.decode('latin-1')}, which is not an open HL loop",
                       unit.index, unit.line)
        stack.append(_Level(hl_id, parent, level, unit))

    def _context(self) -> dict:
        """Facts of the billing provider, subscriber and patient loops above the claim."""
        merged: dict = {}
        for level in self._stack:
            if level.facts is None:
                level.facts = self._level_facts(level)
            for key, value in level.facts.items():
                if value is not None:
                    merged[key] = value
        return merged

    def _level_facts(self, level: _Level) -> dict:
        facts: dict = {}
        for seg in level.unit.segments():
            tag = seg.tag
            if tag == "NM1":
                qualifier = seg.element(1)
                if qualifier == "85":
                    facts["billing_npi"] = seg.element(9) or None
                elif qualifier == "IL":
                    facts["member_id"] = seg.element(9) or None
                elif qualifier == "PR":
                    facts["payer_name"] = seg.element(3) or None
                    facts["payer_id"] = seg.element(9) or None
            elif tag == "SBR":
                facts["payer_responsibility"] = seg.element(1) or None
                facts["claim_filing_indicator"] = seg.element(9) or None
            elif tag == "PAT":
                if seg.element(7) == "01" and seg.element(8):
                    facts["patient_weight_lb"] = self._decimal(seg, 8)
            elif tag == "DMG" and seg.element(1) == "D8":
                facts["patient_birth_date"] = self._date(seg, seg.element(2))
        return facts

    # -- claims ------------------------------------------------------------------------------

    def _claim(self, unit: Unit) -> Claim | None:
        try:
            return self._build_claim(unit, self.reader.envelope)
        except Exception as exc:  # one bad claim never stops the file
            self.stats.claims_unreadable += 1
            self._warn("X302", f"claim at segment {unit.index} could not be read "
                       f"({type(exc).__name__}); skipped", unit.index, unit.line, Severity.ERROR)
            return None

    def _build_claim(self, unit: Unit, envelope: Envelope) -> Claim:
        context = self._context()  # first: positions are resolved in file order
        segments = unit.segments(CLAIM_TAGS)
        clm = segments[0]
        claim = Claim(envelope=envelope, claim_id=clm.element(1) or None,
                      claim_charge=self._decimal(clm, 2), segment=clm.index, line=clm.line)
        if not claim.claim_id:
            self._warn("X303", "CLM01 (patient control number) is empty", clm.index, clm.line)
        place, _, frequency = (list(clm.components(5)) + ["", "", ""])[:3]
        claim.frequency_code = frequency or None
        for key, value in context.items():
            setattr(claim, key, value)
        current: ServiceLine | None = None
        in_other_payer = False  # 2320 / 2330 loops: another payer's data, not this claim's
        for seg in segments[1:]:
            tag = seg.tag
            if tag == "LX":
                current = ServiceLine(line_number=self._int(seg, 1), procedure_qualifier=None,
                                      procedure_code=None, lx_segment=seg.index)
                claim.lines.append(current)
                in_other_payer = False
            elif tag in ("SV1", "SV2"):
                if current is None:
                    self._warn("X304", f"{tag} with no LX before it", seg.index, seg.line)
                    current = ServiceLine(None, None, None, lx_segment=seg.index)
                    claim.lines.append(current)
                self._service(current, seg)
            elif current is not None:
                self._line_segment(current, seg)
            elif tag == "SBR":
                in_other_payer = True
            elif in_other_payer:
                continue
            else:
                self._claim_segment(claim, seg)
        kind = envelope.transaction_type
        if kind not in ("837P", "837I") and claim.lines:
            kind = "837I" if any(line.revenue_code for line in claim.lines) else "837P"
            claim.envelope = Envelope(**{**_fields(envelope), "transaction_type": kind})
        if kind == "837I":
            claim.facility_type = place or None
        else:
            claim.place_of_service = place or None
        return claim

    def _claim_segment(self, claim: Claim, seg: Segment) -> None:
        tag = seg.tag
        if tag == "HI":
            for n in range(1, len(seg.elements)):
                qualifier, code = (list(seg.components(n)) + ["", ""])[:2]
                if qualifier in DIAGNOSIS_QUALIFIERS and code:
                    claim.diagnoses.append(Diagnosis(qualifier, code))
        elif tag == "REF" and seg.element(1) == "G1":
            claim.prior_auth = seg.element(2) or None
        elif tag == "NM1" and seg.element(1) == "82":
            claim.rendering_npi = seg.element(9) or None
        elif tag == "DTP" and seg.element(1) == "434":
            claim.statement_from, claim.statement_to = self._dates(seg)
        elif tag == "PAT" and seg.element(7) == "01" and seg.element(8):
            claim.patient_weight_lb = self._decimal(seg, 8)

    def _service(self, line: ServiceLine, seg: Segment) -> None:
        if seg.tag == "SV1":
            procedure = seg.components(1)
            line.charge = self._decimal(seg, 2)
            line.unit_basis = seg.element(3) or None
            line.units = self._decimal(seg, 4)
            line.place_of_service = seg.element(5) or None
            pointers = []
            for p in seg.components(7):
                if p.isascii() and p.isdigit():
                    pointers.append(int(p))
                elif p:
                    self._warn("X305", f"SV107 diagnosis pointer {p!r} is not a number",
                               seg.index, seg.line)
            line.diagnosis_pointers = tuple(pointers)
        else:
            line.revenue_code = seg.element(1) or None
            procedure = seg.components(2)
            line.charge = self._decimal(seg, 3)
            line.unit_basis = seg.element(4) or None
            line.units = self._decimal(seg, 5)
        if procedure:
            line.procedure_qualifier = procedure[0] or None
            code = procedure[1].strip().upper() if len(procedure) > 1 else ""
            line.procedure_code = code or None  # HCPCS codes compare upper-case
            line.modifiers = tuple(m.strip().upper() for m in procedure[2:6] if m.strip())
        line.segment, line.line = seg.index, seg.line

    def _line_segment(self, line: ServiceLine, seg: Segment) -> None:
        tag = seg.tag
        if tag == "DTP" and seg.element(1) == "472":
            line.service_date, line.service_date_end = self._dates(seg)
        elif tag == "REF":
            qualifier = seg.element(1)
            if qualifier == "6R":
                line.line_control = seg.element(2) or None
            elif qualifier == "G1":
                line.prior_auth = seg.element(2) or None
        elif tag == "LIN":
            line.ndc_qualifier = seg.element(2) or None
            line.ndc_raw = seg.element(3) or None
            line.ndc = normalize_ndc(line.ndc_raw) if line.ndc_qualifier == "N4" else None
        elif tag == "CTP":
            line.ndc_quantity = self._decimal(seg, 4)
            line.ndc_unit = seg.component(5, 1) or None
        elif tag == "NM1" and seg.element(1) == "82":
            line.rendering_npi = seg.element(9) or None

    # -- values ------------------------------------------------------------------------------

    def _warn(self, code: str, message: str, index: int | None, line: int | None,
              severity: Severity = Severity.WARNING) -> None:
        self.diagnostics.add(code, severity, message, self.name, index, line)

    def _decimal(self, seg: Segment, n: int) -> Decimal | None:
        text = seg.element(n)
        if not text:
            return None
        value = parse_decimal(text)
        if value is None:
            self._warn("X306", f"{seg.tag}{n:02d} {text!r} is not a number", seg.index, seg.line)
        return value

    def _int(self, seg: Segment, n: int) -> int | None:
        text = seg.element(n)
        if text.isascii() and text.isdigit():
            return int(text)
        if text:
            self._warn("X306", f"{seg.tag}{n:02d} {text!r} is not a whole number", seg.index,
                       seg.line)
        return None

    def _date(self, seg: Segment, text: str) -> date | None:
        """CCYYMMDD -> date; a bad one is reported without its value (it may be a birth date)."""
        value = parse_date(text)
        if value is None:
            self._warn("X307", f"{seg.tag} date is not a valid CCYYMMDD date", seg.index,
                       seg.line)
        return value

    def _dates(self, seg: Segment) -> tuple[date | None, date | None]:
        """DTP with D8 (one date) or RD8 (CCYYMMDD-CCYYMMDD)."""
        fmt, value = seg.element(2), seg.element(3)
        if fmt == "RD8" and "-" in value:
            start, _, end = value.partition("-")
            return self._date(seg, start), self._date(seg, end)
        return self._date(seg, value), None


def _fields(envelope: Envelope) -> dict:
    return {name: getattr(envelope, name) for name in envelope.__slots__}  # type: ignore[attr-defined]


def read_claims(source: str | Path | BinaryIO, *, name: str | None = None,
                diagnostics: Diagnostics | None = None,
                hcpcs: str | Iterable[str] | None = None) -> Iterator[Claim]:
    """Claims of one 837P / 837I file (all, or only those holding one of ``hcpcs``)."""
    return ClaimReader(source, name=name, diagnostics=diagnostics, hcpcs=hcpcs).claims()
