"""Envelope-aware reading: the tokenizer's units plus ISA/GS/ST bookkeeping and checks.

:class:`X12Reader` passes units through unchanged and, for the envelope segments, keeps the
current interchange / group / transaction (``reader.envelope``) and checks, without ever
aborting: SE01 segment counts, ST02 = SE02, GE01 transaction counts, GS06 = GE02, IEA01 group
counts, ISA13 = IEA02, and envelopes that are opened and never closed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from edi_j0256.diagnostics import Diagnostics, Severity
from edi_j0256.x12.envelope import Envelope
from edi_j0256.x12.layout import isa_elements
from edi_j0256.x12.tokenizer import CLAIM_BOUNDARIES, Segment, Tokenizer, Unit

_TRANSACTION_TYPES = {"X222": "837P", "X098": "837P", "X223": "837I", "X096": "837I",
                      "X221": "835", "X091": "835", "X224": "837D", "X097": "837D"}


def transaction_type(st01: str, implementation: str | None) -> str:
    """837P / 837I / 835 ... from ST01 and the GS08 / ST03 implementation reference."""
    for key, name in _TRANSACTION_TYPES.items():
        if implementation and key in implementation:
            return name
    return st01


@dataclass(slots=True)
class _Open:
    control: str
    index: int
    line: int
    children: int = 0


class X12Reader:
    """Units of one file, with envelope context and envelope checks.

    With ``runs`` (see :class:`~edi_j0256.x12.tokenizer.Tokenizer`), HL loops may come as
    :class:`~edi_j0256.x12.needle.Run` objects between the units; they pass through.
    """

    def __init__(self, source: str | Path | BinaryIO, *, name: str | None = None,
                 diagnostics: Diagnostics | None = None,
                 boundaries: tuple[str, ...] = CLAIM_BOUNDARIES,
                 skip_unless: dict[str, tuple[bytes, ...]] | None = None,
                 tally: tuple[str, ...] = (), runs: bool = False):
        self.tokenizer = Tokenizer(source, name=name, diagnostics=diagnostics,
                                   boundaries=boundaries, skip_unless=skip_unless, tally=tally,
                                   runs=runs)
        self.name = self.tokenizer.name
        self.diagnostics = self.tokenizer.diagnostics
        self.envelope = Envelope(file=self.name)
        self.interchanges = 0
        self.groups = 0
        self.transactions = 0
        self._isa: _Open | None = None
        self._gs: _Open | None = None
        self._st: _Open | None = None

    def units(self) -> Iterator[Unit]:
        for unit in self.tokenizer.units():
            if unit.tag in ("ISA", "IEA", "GS", "GE", "ST", "SE"):
                for segment in unit.segments():
                    self._envelope_segment(segment)
            yield unit
        self._close_all()

    def segments(self) -> Iterator[Segment]:
        for unit in self.units():
            yield from unit.segments()

    # -- checks ----------------------------------------------------------------------------

    def _error(self, code: str, message: str, segment: Segment | None,
               severity: Severity = Severity.ERROR) -> None:
        self.diagnostics.add(code, severity, message, self.name,
                             segment.index if segment else None,
                             segment.line if segment else None)

    def _envelope_segment(self, seg: Segment) -> None:
        handler = getattr(self, f"_on_{seg.tag.lower()}", None)
        if handler is not None:
            handler(seg)

    def _on_isa(self, seg: Segment) -> None:
        if self._isa is not None:
            self._error("X201", f"interchange {self._isa.control} has no IEA before the next ISA",
                        seg)
            self._close_group(seg)
        elements = isa_elements(seg)
        element = (lambda n: elements[n] if n < len(elements) else "")  # noqa: E731
        control = element(13).strip()
        self._isa = _Open(control, seg.index, seg.line)
        self.interchanges += 1
        self.envelope = Envelope(file=self.name, interchange_control=control,
                                 sender_id=element(6).strip(), receiver_id=element(8).strip())

    def _on_gs(self, seg: Segment) -> None:
        if self._gs is not None:
            self._error("X211", f"group {self._gs.control} has no GE before the next GS", seg)
            self._close_transaction(seg)
        self._gs = _Open(seg.element(6), seg.index, seg.line)
        self.groups += 1
        if self._isa is not None:
            self._isa.children += 1
        self.envelope = replace(self.envelope, group_control=seg.element(6),
                                implementation=seg.element(8) or None,
                                transaction_control=None, transaction_type=None)

    def _on_st(self, seg: Segment) -> None:
        if self._st is not None:
            self._error("X221", f"transaction {self._st.control} has no SE before the next ST",
                        seg)
        self._st = _Open(seg.element(2), seg.index, seg.line)
        self.transactions += 1
        if self._gs is not None:
            self._gs.children += 1
        implementation = seg.element(3) or self.envelope.implementation
        self.envelope = replace(self.envelope, transaction_control=seg.element(2),
                                implementation=implementation,
                                transaction_type=transaction_type(seg.element(1), implementation))

    def _on_se(self, seg: Segment) -> None:
        st = self._st
        if st is None:
            self._error("X222", "SE with no open ST", seg)
            return
        counted = seg.index - st.index + 1
        if seg.element(1) != str(counted):
            self._error("X223", f"SE01 says {seg.element(1) or 'nothing'} segments but "
                        f"transaction {st.control} has {counted}", seg)
        if seg.element(2) != st.control:
            self._error("X224", f"SE02 {seg.element(2)!r} does not match ST02 {st.control!r}", seg)
        self._st = None

    def _on_ge(self, seg: Segment) -> None:
        gs = self._gs
        if gs is None:
            self._error("X212", "GE with no open GS", seg)
            return
        self._close_transaction(seg)
        if seg.element(1) != str(gs.children):
            self._error("X213", f"GE01 says {seg.element(1) or 'nothing'} transactions but "
                        f"group {gs.control} has {gs.children}", seg)
        if seg.element(2) != gs.control:
            self._error("X214", f"GE02 {seg.element(2)!r} does not match GS06 {gs.control!r}", seg)
        self._gs = None

    def _on_iea(self, seg: Segment) -> None:
        isa = self._isa
        if isa is None:
            self._error("X202", "IEA with no open ISA", seg)
            return
        self._close_group(seg)
        if seg.element(1) != str(isa.children):
            self._error("X203", f"IEA01 says {seg.element(1) or 'nothing'} groups but "
                        f"interchange {isa.control} has {isa.children}", seg)
        if seg.element(2).strip() != isa.control:
            self._error("X204", f"IEA02 {seg.element(2)!r} does not match ISA13 {isa.control!r}",
                        seg)
        self._isa = None

    def _close_transaction(self, seg: Segment | None) -> None:
        st = self._st
        if st is not None:
            self._unclosed("X225", f"transaction {st.control} (segment {st.index}) has no SE",
                           seg, st)
            self._st = None

    def _close_group(self, seg: Segment | None) -> None:
        self._close_transaction(seg)
        gs = self._gs
        if gs is not None:
            self._unclosed("X215", f"group {gs.control} (segment {gs.index}) has no GE", seg, gs)
            self._gs = None

    def _close_all(self) -> None:
        self._close_group(None)
        isa = self._isa
        if isa is not None:
            self._unclosed("X205", f"interchange {isa.control} has no IEA at the end of the "
                           "file", None, isa)
            self._isa = None

    def _unclosed(self, code: str, message: str, seg: Segment | None, opened: _Open) -> None:
        """Point at the segment that closed it implicitly, else where it was opened."""
        self.diagnostics.add(code, Severity.ERROR, message, self.name,
                             seg.index if seg else opened.index, seg.line if seg else opened.line)


def read_segments(source: str | Path | BinaryIO, *, name: str | None = None,
                  diagnostics: Diagnostics | None = None) -> Iterator[Segment]:
    """Every segment of one X12 file, with envelope checks added to ``diagnostics``.

    >>> import io
    >>> text = b"ST*835*0001~BPR*I*10~SE*3*0001~"
    >>> [s["BPR02"] for s in read_segments(io.BytesIO(text)) if s.tag == "BPR"]
    ['10']
    """
    return X12Reader(source, name=name, diagnostics=diagnostics).segments()
