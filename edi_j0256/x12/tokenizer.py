"""X12 tokenizer: bytes -> units -> segments, each with its position in the file.

The input is read in chunks, never whole. Delimiters come from each interchange's ISA
(element separator = 4th character, repetition separator = ISA11 in 5010, component
separator = ISA16, segment terminator = the character after ISA16), so a file may hold
several interchanges with different delimiters.

The stream is cut into *units* at a few boundary segments (the envelope, plus ``HL`` and
``CLM`` for claims or ``CLP`` for remittances). Cutting uses one compiled regex per delimiter
set, so it runs at C speed (with the compiled core, the same search as one typed pass, as are
the segment and line counts and the needle search); a unit is only split into segments and
elements when a consumer asks for them (:meth:`Unit.segments`). Consumers that can tell from
a unit's raw bytes that it holds nothing of interest skip it without tokenizing it, and
still know how many segments it held, so positions stay exact.

What real files carry is tolerated with a warning, never an exception: a UTF-8 BOM, CR/LF
or LF after terminators, leading spaces, text before the first ISA, an ISA whose padding was
collapsed, a newline used as the segment terminator, the terminator written at the start of
the next line, empty segments, a file that starts at GS or ST with no ISA, a file wrapped at a
fixed width (line breaks inside segments: read as if unwrapped, positions name the real
lines), and an ISA16 that disagrees with the composites the file is written with.

With ``runs=True`` (the claim reader, when it reads only claims holding some codes), stretches
in the two regular layouts are read needle-first by :mod:`edi_j0256.x12.needle`: claims without
a needle are counted at C speed and HL loops come as runs, with the same results as this loop.

Cost is linear in every dimension of the input: each byte is searched a bounded number of
times whatever the number of interchanges, empty segments or units, and a unit that grows
past :data:`_PIECE` bytes (a claim of a million lines) is handed on in pieces, so memory
stays bounded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from itertools import accumulate, chain, count, repeat
from operator import add
from pathlib import Path
from typing import BinaryIO

try:
    import cython
except ImportError:  # no Cython: plain Python, with the stand-in of what is used of it
    from edi_j0256 import _cython_shim as cython

if cython.compiled:
    from cython.cimports.libc.string import memchr, memcmp

from edi_j0256.diagnostics import Diagnostics, Severity, X12ReadError
from edi_j0256.x12 import layout
from edi_j0256.x12.sources import open_source, read_checked

ENVELOPE_TAGS = ("ISA", "IEA", "GS", "GE", "ST", "SE")
CLAIM_BOUNDARIES = ("HL", "CLM")
REMIT_BOUNDARIES = ("CLP",)

_WHITESPACE = b" \t\r\n"
_START_LIMIT = 1 << 16  # bytes searched for the first ISA / GS / ST
_MAX_UNIT = 1 << 26  # this many bytes without one segment terminator: not X12
_OVERLAP = 256  # bytes searched again when a carried unit's search resumes
_PIECE = 1 << 22  # a unit larger than this is handed on in pieces (Unit.piece / .continued)
_REPEAT_LIMIT = 10  # tolerance warnings of one code reported per file, then counted
_DENSE = 2048  # a buffer with a needle hit per fewer bytes is read by the general loop
_ROW_PART = 1 << 16  # Unit.stream_rows splits this many bytes at a time


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The four X12 delimiters of one interchange."""

    element: str = "*"
    component: str = ":"
    segment: str = "~"
    repetition: str | None = None


@dataclass(slots=True)
class Segment:
    """One segment: ``elements[0]`` is the tag, so ``elements[1]`` is the 01 element.

    Treat it as read-only (it is not frozen only because frozen dataclasses are slow to build,
    and the reader builds millions).
    """

    tag: str
    elements: tuple[str, ...]
    index: int  # 1-based segment index in the file
    line: int  # 1-based line number in the file
    offset: int  # byte offset of the segment's first character
    delimiters: Delimiters = field(default=Delimiters(), repr=False, compare=False)
    file: str = field(default="", compare=False)  # the file (or stream name) it was read from

    def element(self, n: int) -> str:
        """Element ``n`` (1-based) or ``''`` when absent."""
        return self.elements[n] if n < len(self.elements) else ""

    def components(self, n: int) -> tuple[str, ...]:
        """Element ``n`` split on the component separator."""
        value = self.elements[n] if n < len(self.elements) else ""
        return tuple(value.split(self.delimiters.component)) if value else ()

    def component(self, n: int, k: int) -> str:
        """Component ``k`` (1-based) of element ``n``, e.g. ``component(1, 2)`` is SV101-2."""
        parts = self.components(n)
        return parts[k - 1] if 0 < k <= len(parts) else ""

    def __getitem__(self, designator: str) -> str:
        """Value by reference designator: ``seg["SV104"]``, ``seg["SV101-2"]``."""
        ref = designator[len(self.tag):] if designator.startswith(self.tag) else designator
        number, _, sub = ref.partition("-")
        return self.component(int(number), int(sub)) if sub else self.element(int(number))


class _Region:
    """Positions inside one buffer under one set of delimiters, resolved only when asked.

    Counting terminators and newlines for every unit would cost time on units nobody reads,
    so a unit asks its region for its segment index and line only when they are needed; the
    region counts from the last position it resolved, forward or back (C-speed
    ``bytes.count``), so the cost is the distance between two questions, not the buffer.
    """

    __slots__ = ("file", "buffer", "offset", "terminator", "empty", "pos", "index", "line",
                 "wrap", "newlines")

    def __init__(self, file: str, buffer: bytes, offset: int, pos: int, index: int, line: int,
                 terminator: bytes, empty: re.Pattern[bytes] | None,
                 wrap: layout.Wrap | None = None, newlines: bool = True):
        self.file = file
        self.buffer, self.offset, self.terminator = buffer, offset, terminator
        self.empty = empty  # the caller passes it only when the buffer holds an empty segment
        self.pos, self.index, self.line = pos, index, line
        self.wrap = wrap  # a wrapped file's layout: lines from offsets
        self.newlines = newlines  # False: no LF in the buffer from ``pos`` on (none counted)

    def at(self, pos: int) -> tuple[int, int]:
        """(segment index, line) of the segment that starts at ``pos``."""
        buffer, here = self.buffer, self.pos
        low, high, sign = (here, pos, 1) if pos >= here else (pos, here, -1)
        lines = self.newlines and self.wrap is None
        if cython.compiled and len(self.terminator) == 1:
            segments, newlines = _typed_tally(buffer, low, high, self.terminator[0], lines)
        else:
            segments = buffer.count(self.terminator, low, high)
            newlines = buffer.count(b"\n", low, high) if lines else 0
        if self.empty is not None:
            segments -= len(self.empty.findall(buffer, low, high))
        self.index += sign * segments
        self.pos = pos
        if self.wrap is not None:
            return self.index, (self.offset + pos) // self.wrap[0] + 1
        self.line += sign * newlines
        return self.index, self.line

    def real_offset(self, offset: int) -> int:
        """The byte offset in the file of an offset in the (unwrapped) stream."""
        if self.wrap is None:
            return offset
        width, newline, lead = self.wrap
        return lead + offset + offset // width * newline


class Unit:
    """A run of segments that starts at a boundary segment (ISA, GS, ST, HL, CLM ...).

    ``raw`` and the positions are computed on first use: a consumer that skips the unit
    after a look at :meth:`contains` pays for neither.
    """

    __slots__ = ("tag", "start", "end", "delimiters", "last", "piece", "continued", "_region",
                 "_raw", "_segments")

    def __init__(self, tag: str, start: int, end: int, delimiters: Delimiters, region: _Region,
                 last: bool = False, piece: bool = False, continued: bool = False):
        self.tag, self.start, self.end = tag, start, end
        self.delimiters, self._region, self.last = delimiters, region, last
        self.piece = piece  # the unit goes on in the next unit(s): it was cut at _PIECE bytes
        self.continued = continued  # the rest of a unit cut before it (``tag`` is the unit's)
        self._raw: bytes | None = None
        self._segments: list[Segment] | None = None

    def count(self, tags: str) -> int:
        """How many segments with one of ``tags`` (``"LX"``, ``"SV1|SV2"``) the unit holds
        (bytes only, no tokenizing)."""
        return _count_tags(self._region.buffer, self.start, self.end, self.delimiters, tags,
                           first=True)

    def count_at_most(self, tag: str) -> int:
        """An upper bound of :meth:`count` for one tag (one C-speed ``bytes.count``)."""
        needle = (tag + self.delimiters.element).encode("latin-1")
        return self._region.buffer.count(needle, self.start, self.end)

    def contains(self, needle: bytes) -> bool:
        """Whether the unit's bytes contain ``needle`` (no copy, no tokenizing)."""
        return self._region.buffer.find(needle, self.start, self.end) >= 0

    def head(self) -> bytes:
        """The first segment's bytes, without its terminator."""
        buffer = self._region.buffer
        end = buffer.find(self._region.terminator, self.start, self.end)
        return buffer[self.start:end if end >= 0 else self.end].strip()

    @property
    def raw(self) -> bytes:
        if self._raw is None:
            self._raw = self._region.buffer[self.start:self.end]
        return self._raw

    @property
    def index(self) -> int:
        """Segment index of the first segment."""
        return self._region.at(self.start)[0]

    @property
    def line(self) -> int:
        """Line number of the first segment."""
        return self._region.at(self.start)[1]

    @property
    def offset(self) -> int:
        """File byte offset of the first segment."""
        return self._region.real_offset(self._region.offset + self.start)

    @property
    def segment_count(self) -> int:
        return len(self.segments())

    def rows(self, tags: frozenset[str] | None = None, *, offsets: bool = True) -> list[Row]:
        """Segments as plain ``(tag, elements, index, line, offset)`` tuples: for readers that
        walk millions of segments and want neither the objects nor the accessors. With
        ``offsets=False`` the offset of every row is -1 (not computed)."""
        return _rows(self, tags, offsets)

    def stream_rows(self, tags: frozenset[str] | None = None, *, offsets: bool = True,
                    size: int = _ROW_PART) -> Iterator[Row]:
        """:meth:`rows`, made about ``size`` bytes at a time as the caller takes them.

        The rows are exactly those of :meth:`rows`. A huge claim (thousands of lines) is
        then never held as one list of rows beside the objects built from it. Walking the
        rows of a 1 MB claim of 10,000 lines took 0.035 s as one list and 0.014 s in parts
        (compiled; pure 0.044 and 0.019 s, best of 7).
        """
        if self.end - self.start <= size:  # the usual claim: one list, no generator
            return iter(_rows(self, tags, offsets))
        return chain.from_iterable(_rows(part, tags, offsets) for part in self.parts(size))

    def parts(self, size: int) -> Iterator[Unit]:
        """The unit as consecutive units of ``size`` bytes or more, each cut where a segment
        starts right after a terminator (and its line break, if any): the rest of a unit with
        no such place after ``size`` bytes is one part."""
        buffer, terminator = self._region.buffer, self._region.terminator
        width, end = len(terminator), self.end
        start = self.start
        while end - start > size:
            cut = buffer.find(terminator, start + size, end)
            while cut >= 0:
                cut += width
                if terminator != b"\n":  # the line break after a terminator, if any
                    cut += (2 if buffer.startswith(b"\r\n", cut) else
                            1 if buffer.startswith(b"\n", cut) else 0)
                if cut < end and buffer[cut] > 32 and not buffer.startswith(terminator, cut):
                    break  # a segment's first byte (not an empty segment's terminator)
                cut = buffer.find(terminator, cut, end)
            if cut < 0 or cut >= end:
                break
            yield Unit(self.tag, start, cut, self.delimiters, self._region)
            start = cut
        yield (self if start == self.start else
               Unit(self.tag, start, end, self.delimiters, self._region, self.last,
                    self.piece, self.continued))

    def segments(self, tags: frozenset[str] | None = None) -> list[Segment]:
        """Split the unit into segments and elements.

        With ``tags``, only segments with those tags are built (positions stay exact); a
        consumer that needs a few segment types saves building the rest. The full list is
        cached.
        """
        if tags is not None:
            return self._segments if self._segments is not None else _split_segments(self, tags)
        if self._segments is None:
            self._segments = _split_segments(self)
        return self._segments


Row = tuple[str, list[str], int, int, int]  # tag, elements (tag first), index, line, offset


def _rows(unit: Unit, tags: frozenset[str] | None = None, offsets: bool = True) -> list[Row]:
    """Split a unit into segments and elements, with positions: the one splitter.

    With ``tags``, segments with other tags are counted (positions stay exact) but not split.
    A unit in one of the two regular layouts is split by :func:`_regular_rows`; any other
    (whitespace around terminators, empty segments, non-ASCII text) segment by segment here.
    """
    if cython.compiled:  # compiled: one typed pass over the bytes for the regular layouts
        out = _typed_rows(unit, tags, offsets)
        if out is not None:
            return out
    delimiters = unit.delimiters
    element = delimiters.element
    region = unit._region
    index, line = region.at(unit.start)
    offset = region.offset + unit.start
    text = unit.raw.decode("latin-1")  # one byte, one character: offsets stay byte offsets
    ascii_only = text.isascii()
    separator = delimiters.segment
    # a line break that is not right after a terminator (inside a segment, a blank line, a CR
    # before it) leaves the lines to be counted part by part
    newlines = text.count("\n") if separator != "\n" else 0
    after = text.count(separator + "\n") if newlines else 0
    stray = newlines != after
    if newlines and not stray and text.count(separator) == after:
        separator += "\n"  # one segment per line: cut the newline off with the terminator
    wrap = region.wrap  # a wrapped file's lines follow from the offsets
    out = (_regular_rows(text, separator, element, tags, index, line, offset,
                         offsets or wrap is not None) if ascii_only and not stray else None)
    if out is None:
        out = _general_rows(text, separator, element, tags, index, line, offset, ascii_only,
                            stray)
        if not offsets and wrap is None:
            out = [(tag, elements, index, line, -1) for tag, elements, index, line, _ in out]
    if wrap is not None:
        out = [(tag, elements, index, at // wrap[0] + 1,
                region.real_offset(at) if offsets else -1)
               for tag, elements, index, _, at in out]
    return out


def _typed_rows(unit: Unit, tags: frozenset[str] | None, offsets: bool) -> list[Row] | None:
    """:func:`_rows` of a unit that :func:`_regular_rows` reads (ASCII, single-byte ASCII
    delimiters, not wrapped), made from the buffer's bytes in one typed pass when compiled:
    no decoded copy of the unit, no list of segment texts, and segments whose tag is not in
    ``tags`` never split. The rows are exactly :func:`_regular_rows`' (:func:`_general_rows`'
    for CR LF line ends); None for any other unit (the caller reads it the usual way). Only
    called when compiled.

    The layout is the first terminator's: followed by LF, or by CR LF, every terminator must
    be (one segment per line); else none may be. Anything :func:`_regular_rows` refuses (a space or
    control character next to a separator, two separators in a row, a leading separator,
    text past the last terminator ending in a space) returns None as soon as it is seen.
    A unit read to the end of its last terminator leaves its end's segment index and line
    with the region, so the next unit's position is not counted over these bytes again.
    """
    region = unit._region
    d = unit.delimiters
    if (region.wrap is not None or len(d.segment) != 1 or len(d.element) != 1
            or d.segment == d.element or ord(d.segment) > 127 or ord(d.element) > 127):
        return None
    t: cython.uchar = ord(d.segment)
    el: cython.uchar = ord(d.element)
    buffer: bytes = region.buffer
    p: cython.p_char = buffer
    start: cython.Py_ssize_t = unit.start
    end: cython.Py_ssize_t = unit.end
    i: cython.Py_ssize_t = start
    c: cython.uchar
    if end <= start:
        return None
    while i < end and p[i] != t:
        i += 1
    lf: cython.bint = t != 10 and i + 1 < end and p[i + 1] == 10  # one segment per line
    crlf: cython.bint = (t != 10 and t != 13 and i + 2 < end and p[i + 1] == 13
                         and p[i + 2] == 10)  # one segment per line, CR LF after each
    width: cython.Py_ssize_t = 3 if crlf else 2 if lf else 1
    step: cython.Py_ssize_t = 1 if (lf or crlf or t == 10) else 0  # lines per separator
    index: cython.Py_ssize_t
    line: cython.Py_ssize_t
    index, line = region.at(unit.start)
    base: cython.Py_ssize_t = region.offset
    out: list = []
    s: cython.Py_ssize_t = start  # the segment's first byte
    a: cython.Py_ssize_t
    k: cython.Py_ssize_t
    split: cython.bint
    while s < end:
        c = p[s]
        if c <= 32 or c == t or c > 127:
            return None  # whitespace or a separator after a separator (or first)
        i = s  # the end of the tag
        while i < end:
            c = p[i]
            if c == el or c == t or c > 127 or c == 10:
                break
            i += 1
        if i < end and (c > 127 or (c == 10 and t != 10)):
            return None  # non-ASCII, or a line break inside a segment (lines then counted)
        tag = p[s:i].decode("latin-1")
        split = tags is None or tag in tags
        if split:
            elements = [tag]
        a = i  # at an element separator, the terminator or the end
        while a < end and p[a] == el:
            k = a + 1
            while k < end:
                c = p[k]
                if c == el or c == t or c > 127 or c == 10:
                    break
                k += 1
            if k < end and (c > 127 or (c == 10 and t != 10)):
                return None
            if split:
                elements.append(p[a + 1:k].decode("latin-1"))
            a = k
        # a is at the terminator or the end of the unit
        if a < end:
            if p[a - 1] <= 32:
                return None  # whitespace before the separator
            if lf:
                if a + 1 >= end or p[a + 1] != 10:
                    return None  # not every terminator followed by LF
            elif crlf:
                if a + 2 >= end or p[a + 1] != 13 or p[a + 2] != 10:
                    return None  # not every terminator followed by CR LF
            elif a + 1 < end and p[a + 1] == 10 and t != 10:
                return None  # a terminator followed by LF, the first one was not
        elif p[end - 1] <= 32:
            return None  # text after the last terminator that ends in whitespace
        if split:
            out.append((tag, elements, index, line, base + s if offsets else -1))
        index += 1
        line += step
        s = a + width
    if s == end:  # ended right after a terminator: the next unit's position is known
        region.pos, region.index, region.line = end, index, line
    return out


_IRREGULAR: dict[str, re.Pattern[str]] = {}


def _regular_rows(text: str, separator: str, element: str, tags: frozenset[str] | None,
                  index: int, line: int, offset: int, offsets: bool) -> list[Row] | None:
    """The rows of a unit whose every segment sits between two separators with nothing to
    strip (one segment per line, or all on one line), or None for any other unit.

    Index, line and offset then follow from the segment's place alone: the n-th segment is
    ``index + n``, on ``line + n`` (one per line) or ``line``, and its offset is the lengths
    before it plus one separator each; all of it is computed at C speed, with no test per
    segment. The rows are exactly those :func:`_general_rows` gives (with ``offsets``
    False, each offset is -1).
    """
    irregular = _IRREGULAR.get(separator)
    if irregular is None:  # whitespace or another separator right after one, or before one
        sep = re.escape(separator)  # (written to start with the separator: a fast search)
        irregular = re.compile(f"{sep}(?:(?<=[\\x00-\\x20]{sep})|[\\x00-\\x20]|{sep})")
        _IRREGULAR[separator] = irregular
    if (not text or text[0] <= " " or text.startswith(separator)
            or irregular.search(text) is not None
            or (text[-1] <= " " and not text.endswith(separator))):
        return None
    parts = text.split(separator)
    if not parts[-1]:
        parts.pop()  # the text ends with a separator
    at = (map(add, accumulate(map(len, parts), initial=offset), count(0, len(separator)))
          if offsets else repeat(-1))
    positions = zip(map(str.split, parts, repeat(element)), count(index),
                    count(line, separator.count("\n")), at)
    if tags is None:
        return [(e[0], e, i, n, at) for e, i, n, at in positions]
    return [(e[0], e, i, n, at) for e, i, n, at in positions if e[0] in tags]


def _general_rows(text: str, separator: str, element: str, tags: frozenset[str] | None,
                  index: int, line: int, offset: int, ascii_only: bool,
                  stray: bool = True) -> list[Row]:
    """The rows of any unit, segment by segment: whitespace around a segment is stripped
    (and its newlines counted), empty segments are skipped, UTF-8 text is decoded.

    ``stray``: the text may hold a line break that is not right after a terminator, so
    every part's line breaks are counted (the two quick layouts below assume none)."""
    step = len(separator)
    lines_per_separator = separator.count("\n")
    out: list[Row] = []
    append = out.append
    for part in text.split(separator):
        # The two common layouts first: nothing to strip, or one newline after the terminator.
        if stray:
            body = part.strip()
            lead = part.find(body[0]) if body else 0
            before = part.count("\n", 0, lead)
            newlines = part.count("\n")
        elif part and part[-1] > " " and part[0] > " ":
            body = part
            lead = before = newlines = 0
        elif part[:1] == "\n" and part[1:2] > " " and part[-1] > " ":
            body = part[1:]
            lead = before = newlines = 1
        else:
            body = part.strip()
            lead = part.find(body[0]) if body else 0
            before = part.count("\n", 0, lead)
            newlines = part.count("\n")
        if body:
            if not ascii_only and not body.isascii():
                body = body.encode("latin-1").decode("utf-8", "replace")
            elements = body.split(element)
            tag = elements[0]
            if tags is None or tag in tags:
                append((tag, elements, index, line + before, offset + lead))
            index += 1
        line += newlines + lines_per_separator
        offset += len(part) + step
    return out


_TALLY_PATTERNS: dict[tuple[str, str, str], re.Pattern[bytes]] = {}


def _count_tags(buffer: bytes, start: int, end: int, delimiters: Delimiters, tags: str,
                first: bool = False) -> int:
    """Segments whose tag is one of ``tags`` (``"SV1|SV2"``) in ``buffer[start:end]``: the
    tag after a terminator and any whitespace (CR-only or LF line ends, indentation), or at
    ``start`` when ``first``."""
    if (cython.compiled and len(delimiters.segment) == 1 and len(delimiters.element) == 1
            and delimiters.segment < "\x80" and delimiters.element < "\x80"):
        found = _typed_count(buffer, start, end, ord(delimiters.segment),
                             ord(delimiters.element), tags)
        if first:
            found += _head_tag(buffer, start, delimiters) in tags.split("|")
        return found
    key = (delimiters.segment, delimiters.element, tags)
    pattern = _TALLY_PATTERNS.get(key)
    if pattern is None:
        term = re.escape(delimiters.segment.encode("latin-1"))
        elem = re.escape(delimiters.element.encode("latin-1"))
        # the delimiter after the tag is looked at, not taken: ``SV1~SV1*`` is two segments
        pattern = re.compile(term + rb"[ \t\r\n]*+(?:" + tags.encode() + rb")(?=" + elem
                             + b"|" + term + b")")
        _TALLY_PATTERNS[key] = pattern
    found = len(pattern.findall(buffer, start, end))
    if first:
        found += _head_tag(buffer, start, delimiters) in tags.split("|")
    return found


def _head_tag(buffer: bytes, start: int, delimiters: Delimiters) -> str:
    """The tag of the segment at ``start`` (after any whitespace), as :func:`_count_tags`
    reads it for ``first``."""
    head = buffer[start:start + 64].lstrip(_WHITESPACE)[:8].decode("latin-1")
    return head.split(delimiters.element, 1)[0].split(delimiters.segment, 1)[0]


def _typed_boundaries(buffer: bytes, start: int, terminator: int, element: int,
                      names: bytes, tags: tuple[str, ...], initials: bytes
                      ) -> list[tuple[int, str]]:
    """What :meth:`Tokenizer._boundaries` gives from ``_pattern.finditer``, as one typed
    pass with single-byte ASCII delimiters: at each terminator, after spaces, tabs, CR and
    LF, an ``ISA`` followed by a character that is neither the terminator, a letter, a digit
    nor whitespace (the list ends there: the delimiters may change), or one of the tags in
    ``names`` (``b"IEA|GS|...|"``, in the order of ``tags``) followed by the element
    separator or the terminator (``initials[c]`` is 1 for a byte ``c`` a name starts with).
    As the regex, the search goes on at a match's end, else one byte after the terminator.
    No Python object is touched between matches. Only called when compiled."""
    p: cython.p_uchar = cython.cast(cython.p_uchar, cython.cast(cython.p_char, buffer))
    q: cython.p_uchar = cython.cast(cython.p_uchar, cython.cast(cython.p_char, names))
    size: cython.Py_ssize_t = len(buffer)
    count: cython.Py_ssize_t = len(names)
    t: cython.uchar = terminator
    el: cython.uchar = element
    i: cython.Py_ssize_t = start
    j: cython.Py_ssize_t
    k: cython.Py_ssize_t
    a: cython.Py_ssize_t
    name: cython.Py_ssize_t
    c: cython.uchar
    hit: cython.p_uchar
    first: cython.p_uchar = cython.cast(cython.p_uchar, cython.cast(cython.p_char, initials))
    out: list = []
    while i < size:
        hit = cython.cast(cython.p_uchar, memchr(p + i, t, size - i))  # the next terminator
        if hit == cython.NULL:
            break
        i = hit - p
        j = _skip_space(cython.cast(cython.p_char, p), i + 1, size)
        if j + 3 < size and p[j] == 73 and p[j + 1] == 83 and p[j + 2] == 65:  # ISA
            c = p[j + 3]
            if not (c == t or (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122)
                    or c == 32 or (9 <= c <= 13)):
                out.append((j, "ISA"))
                return out
        a = 0 if j < size and first[p[j]] else count  # the start of the name tried
        name = 0
        while a < count:
            k = 0
            while a + k < count and q[a + k] != 124 and j + k < size and p[j + k] == q[a + k]:
                k += 1
            if q[a + k] == 124 and j + k < size and (p[j + k] == el or p[j + k] == t):
                break  # the whole name, then a separator
            while q[a] != 124:
                a += 1
            a += 1
            name += 1
        if a < count:
            out.append((j, tags[name]))
            i = j
        else:
            i += 1
    return out


def _typed_tally(buffer: bytes, low: int, high: int, terminator: int, newlines: bool
                 ) -> tuple[int, int]:
    """(terminators, LFs) in ``buffer[low:high]`` (``0 <= low``), the two ``bytes.count`` of
    :meth:`_Region.at` as one pass (LFs only with ``newlines``). The inner loop keeps its
    counts in bytes, 255 bytes at a time, so the C compiler turns it into vector compares:
    about 20 times faster than the two counts on 20 MB. Only called when compiled."""
    p: cython.p_uchar = cython.cast(cython.p_uchar, cython.cast(cython.p_char, buffer))
    t: cython.uchar = terminator
    i: cython.Py_ssize_t = low
    j: cython.Py_ssize_t
    stop: cython.Py_ssize_t
    end: cython.Py_ssize_t = min(high, len(buffer))
    found: cython.Py_ssize_t = 0
    lines: cython.Py_ssize_t = 0
    block: cython.uchar
    block_lines: cython.uchar
    while i < end:
        stop = i + 255 if end - i > 255 else end
        block = 0
        block_lines = 0
        if newlines:
            for j in range(i, stop):
                block += p[j] == t
                block_lines += p[j] == 10
        else:
            for j in range(i, stop):
                block += p[j] == t
        found += block
        lines += block_lines
        i = stop
    return found, lines


def _typed_empty(buffer: bytes, pos: int, terminator: int) -> int:
    """Where the first empty segment from ``pos`` starts (the terminator before it), or
    ``len(buffer)``: the search of :meth:`Tokenizer._set_delimiters`' ``_empty`` pattern
    (a terminator, spaces, tabs, CR and, unless the terminator is LF, LF, then a
    terminator) as one typed pass. Only called when compiled."""
    p: cython.p_char = buffer
    size: cython.Py_ssize_t = len(buffer)
    i: cython.Py_ssize_t = pos
    j: cython.Py_ssize_t
    t: cython.char = terminator
    c: cython.char
    newline: cython.bint = terminator != 10  # LF is whitespace unless it terminates
    hit: cython.p_char
    while i < size:
        hit = cython.cast(cython.p_char, memchr(p + i, t, size - i))  # the next terminator
        if hit == cython.NULL:
            break
        i = hit - p
        j = i + 1
        while j < size:
            c = p[j]
            if not (c == 32 or c == 9 or c == 13 or (c == 10 and newline)):
                break
            j += 1
        if j < size and p[j] == t:
            return i
        i += 1
    return size


def _typed_count(buffer: bytes, start: int, end: int, terminator: int, element: int,
                 tags: str) -> int:
    """:func:`_count_tags`' regex count (``first`` aside) as one typed pass per tag, when
    compiled. The sum over the tags equals the alternation's count: a segment has one tag, so
    at most one of them matches after a given terminator. Only called when compiled."""
    p: cython.p_char = buffer
    found: cython.Py_ssize_t = 0
    for name in tags.split("|"):
        found += _typed_count_one(p, start, end, terminator, element, name.encode("latin-1"))
    return found


@cython.cfunc
def _typed_count_one(p: cython.p_char, start: cython.Py_ssize_t, end: cython.Py_ssize_t,
                     t: cython.char, el: cython.char, name: bytes) -> cython.Py_ssize_t:
    """One tag's count for :func:`_typed_count`: after each terminator and any spaces, tabs,
    CR or LF, the tag followed (before ``end``) by the element separator or the terminator;
    the search goes on after a match's tag, as ``findall`` does. No Python object is touched
    in the loop."""
    q: cython.p_char = name
    n: cython.Py_ssize_t = len(name)
    i: cython.Py_ssize_t = start
    j: cython.Py_ssize_t
    k: cython.Py_ssize_t
    found: cython.Py_ssize_t = 0
    hit: cython.p_char
    while i < end:
        hit = cython.cast(cython.p_char, memchr(p + i, t, end - i))  # the next terminator
        if hit == cython.NULL:
            break
        i = hit - p
        j = _skip_space(p, i + 1, end)
        i += 1
        if j + n >= end:
            continue
        k = 0
        while k < n and p[j + k] == q[k]:
            k += 1
        if k == n and (p[j + n] == el or p[j + n] == t):
            found += 1
            i = j + n
    return found


@cython.cfunc
@cython.inline
def _skip_space(p: cython.p_char, j: cython.Py_ssize_t, end: cython.Py_ssize_t
                ) -> cython.Py_ssize_t:
    """The first position from ``j`` (``end`` at most) that is not a space, tab, CR or LF:
    where the segment after a terminator starts."""
    c: cython.char
    while j < end:
        c = p[j]
        if c != 32 and c != 9 and c != 13 and c != 10:
            break
        j += 1
    return j


def _split_segments(unit: Unit, tags: frozenset[str] | None = None) -> list[Segment]:
    delimiters, file = unit.delimiters, unit._region.file
    return [Segment(tag, tuple(elements), index, line, offset, delimiters, file)
            for tag, elements, index, line, offset in _rows(unit, tags)]


@dataclass(slots=True)
class _State:
    """Where the tokenizer stands at the start of the pending bytes."""

    index: int = 1  # segment index of the next segment
    line: int = 1
    offset: int = 0  # file offset of buffer[0]
    tag: str = ""  # tag of the unit that starts at the cursor
    continued: bool = False  # the unit at the cursor is the rest of a unit cut in pieces
    searched: int = 0  # file offset up to which the unit at the cursor was searched already
    carry_hit: bool = False  # the unit at the cursor holds a needle in its searched part


class Tokenizer:
    """Streams units (and through them, segments) out of one X12 file.

    >>> import io
    >>> data = io.BytesIO(b"ST*837*0001~BHT*0019~SE*3*0001~")
    >>> [s.tag for s in Tokenizer(data, name="x.txt").segments()]
    ['ST', 'BHT', 'SE']
    """

    def __init__(self, source: str | Path | BinaryIO, *, name: str | None = None,
                 diagnostics: Diagnostics | None = None,
                 boundaries: tuple[str, ...] = CLAIM_BOUNDARIES,
                 skip_unless: dict[str, tuple[bytes, ...]] | None = None,
                 tally: tuple[str, ...] = (),
                 chunk_size: int = 1 << 22, runs: bool = False):
        self.source = source
        self.name = name or (str(source) if isinstance(source, (str, Path)) else
                             getattr(source, "name", "<stream>"))
        self.diagnostics = diagnostics if diagnostics is not None else Diagnostics()
        self.boundaries = tuple(t for t in boundaries if t not in ENVELOPE_TAGS)
        self.chunk_size = chunk_size
        self.skip_unless = dict(skip_unless or {})
        self.skipped = dict.fromkeys(self.skip_unless, 0)  # units passed over, by tag
        self._needles = tuple({n for needles in self.skip_unless.values() for n in needles})
        self.tally = tally
        self.tallies = dict.fromkeys(tally, 0)  # segments counted by tag, in every unit
        self.delimiters: Delimiters | None = None
        self.interchanges = 0
        self.wrap: layout.Wrap | None = None  # how a wrapped file maps to the stream read
        self._pattern: re.Pattern[bytes] | None = None
        self._tags: dict[bytes, str] = {}
        self._empty: re.Pattern[bytes] | None = None
        self._warned: dict[str, int] = {}
        self._isa_pending = False  # an ISA starts at the carry position, not yet read
        self._declared: dict[Delimiters, Delimiters] = {}  # ISA's delimiters -> those used
        self._next_empty: dict[re.Pattern[bytes], int] = {}  # per buffer: next empty segment
        # With ``runs`` (and claims skipped unless they hold a needle), regular stretches are
        # read needle-first (:mod:`edi_j0256.x12.needle`): HL loops come as runs, not units.
        self.runs = runs and set(self.skip_unless) == {"CLM"} and bool(self._needles)
        self._items: dict = {}  # needle path: item patterns by delimiters and layout

    # -- diagnostics ---------------------------------------------------------------------

    def warn(self, code: str, message: str, index: int | None = None, line: int | None = None,
             severity: Severity = Severity.WARNING) -> None:
        seen = self._warned.get(code, 0)
        self._warned[code] = seen + 1
        if seen < _REPEAT_LIMIT:
            self.diagnostics.add(code, severity, message, self.name, index, line)

    def _close_warnings(self) -> None:
        for code, seen in self._warned.items():
            if seen > _REPEAT_LIMIT:
                self.diagnostics.add(code, Severity.INFO,
                                     f"{seen - _REPEAT_LIMIT} more {code} warnings not listed",
                                     self.name)

    # -- public API ----------------------------------------------------------------------

    def segments(self) -> Iterator[Segment]:
        for unit in self.units():
            yield from unit.segments()

    def units(self) -> Iterator[Unit]:
        if isinstance(self.source, (str, Path)):
            with closing(open_source(self.source, self.name)) as stream:
                yield from self._units(stream)
        else:
            yield from self._units(self.source)

    # -- the chunk loop ------------------------------------------------------------------

    def _read(self, stream) -> bytes:
        return read_checked(stream, self.chunk_size, self.name)

    def _units(self, stream: BinaryIO) -> Iterator[Unit]:
        state = _State()
        buffer = b""
        pos = 0
        final = False
        first = True
        while not final:
            data = self._read(stream)
            if first:
                first = False
                while data and len(data) < _START_LIMIT:  # decide on a whole window
                    more = self._read(stream)
                    if not more:
                        break
                    data += more
                head = data[:_START_LIMIT]
                if b"\r" in head and b"\n" not in head:
                    # CR-only line ends (old Mac): read as LF, byte for byte, so lines count.
                    stream = layout.CarriageReturns(stream)  # type: ignore[assignment]
                    data = data.replace(b"\r", b"\n")
                wrap = layout.wrap_width(data)
                if wrap is not None:
                    self.wrap = wrap
                    self.warn("X113", f"file is wrapped at {wrap[0]} columns (line breaks "
                              "inside segments); read as if unwrapped", 1, 1)
                    if wrap.lead:  # a BOM before the first line: out of the stream
                        self._warn_bom()
                        data = data[wrap.lead:]
                    stream = layout.Unwrapped(stream, data)  # type: ignore[assignment]
                    data = self._read(stream)
            final = not data
            buffer = buffer[pos:] + data
            state.offset += pos
            pos = 0
            self._next_empty = {}
            if self.delimiters is None:
                start = self._find_start(buffer, state, final)
                if start is None:
                    continue
                pos = start
            pos = yield from self._scan(buffer, pos, state, final)
            if not final and len(buffer) - pos > _PIECE:
                pos = yield from self._cut_piece(buffer, pos, state)
        self._close_warnings()

    def _cut_piece(self, buffer: bytes, pos: int, state: _State) -> Iterator[Unit]:
        """Hand on a unit that grew past _PIECE bytes up to its last complete segment, so a
        claim of a million lines never sits in memory whole."""
        assert self.delimiters is not None
        terminator = self.delimiters.segment.encode("latin-1")
        cut = buffer.rfind(terminator, pos, len(buffer) - 64)  # room to see the next tag
        if cut < 0:
            if len(buffer) - pos > _MAX_UNIT:
                raise X12ReadError(self.name, f"no segment terminator found in {_MAX_UNIT} "
                                   f"bytes after segment {state.index}: not X12, or a "
                                   "terminator other than the ISA declares", state.index,
                                   state.line)
            return pos
        cut += len(terminator)
        region = self._region(buffer, pos, state)
        yield Unit(state.tag, pos, cut, self.delimiters, region, piece=True,
                   continued=state.continued)
        self._count(buffer, pos, cut)
        for tag in self.tally:  # a tallied segment right at the cut has no terminator before it
            self.tallies[tag] += _count_tags(buffer, cut, cut, self.delimiters, tag, first=True)
        if region.empty is not None:
            self._report_empty(region, pos, cut)
        state.index, state.line = region.at(cut)
        state.continued = True
        return cut

    def _region(self, buffer: bytes, pos: int, state: _State) -> _Region:
        """A region from ``pos``; the empty-segment search is made once per buffer and
        delimiter set, not once per interchange (10,000 interchanges in a chunk)."""
        assert self.delimiters is not None
        empty = self._empty
        if empty is not None:
            found = self._next_empty.get(empty, -1)
            if found != len(buffer) and found < pos:
                if cython.compiled and self.delimiters.segment < "\x80":
                    found = _typed_empty(buffer, pos, ord(self.delimiters.segment))
                else:
                    match = empty.search(buffer, pos)
                    found = match.start() if match else len(buffer)
                self._next_empty[empty] = found
            if found == len(buffer):
                empty = None
        return _Region(self.name, buffer, state.offset, pos, state.index, state.line,
                       self.delimiters.segment.encode("latin-1"), empty, self.wrap)

    def _scan(self, buffer: bytes, pos: int, state: _State, final: bool):
        """Emit every complete unit in ``buffer`` from ``pos``; return the carry position."""
        skip_tags = self.skip_unless.keys()
        # A unit carried over from the last buffer was searched already: resume near where
        # that search stopped, so a unit spanning many chunks is searched once, not per chunk.
        carried, carry_hit = pos, state.carry_hit
        resume = max(pos, state.searched - state.offset - _OVERLAP)
        hits = _positions(buffer, resume, self._needles) if skip_tags else []
        hit, hit_count = 0, len(hits)
        while True:
            if self._isa_pending:
                if self._read_isa(buffer, pos, state, final) is None:
                    return pos  # the ISA runs past the buffer: wait for more bytes
                self._isa_pending = False
            assert self._pattern is not None and self.delimiters is not None
            if self.runs and not state.continued and self.wrap is None and (
                    hit_count * _DENSE < len(buffer) - pos):
                from edi_j0256.x12.needle import NeedleScan  # it builds on this module

                needle = NeedleScan(self, buffer, pos, state, hits,
                                            carry_hit and pos == carried)
                yield from needle.units()
                if needle.stop != pos:
                    pos = needle.stop
                    state.tag = needle.stop_tag
                    state.index, state.line = needle.region.at(pos)
                    if state.tag == "ISA":
                        self._isa_pending = True
                        resume = 0
                        continue
            delimiters = self.delimiters
            terminator = delimiters.segment.encode("latin-1")
            region = self._region(buffer, pos, state)
            tag = state.tag
            unit_start = pos
            new_interchange = False
            for end, next_tag in self._boundaries(buffer, max(pos, resume)):
                if state.continued:
                    state.continued = False
                    yield Unit(tag, unit_start, end, delimiters, region, continued=True)
                elif tag in skip_tags:
                    while hit < hit_count and hits[hit] < unit_start:
                        hit += 1
                    if (hit < hit_count and hits[hit] < end) or (carry_hit
                                                                 and unit_start == carried):
                        yield Unit(tag, unit_start, end, delimiters, region)
                    else:
                        self.skipped[tag] += 1
                else:
                    yield Unit(tag, unit_start, end, delimiters, region)
                unit_start = end
                tag = next_tag
                if tag == "ISA":
                    new_interchange = True
                    break
            state.tag = tag
            state.index, state.line = region.at(unit_start)
            last = None
            if final and not new_interchange and buffer[unit_start:].strip(_WHITESPACE):
                last = Unit(tag, unit_start, len(buffer), delimiters, region, last=True,
                            continued=state.continued)
                state.continued = False
            self._count(buffer, pos, len(buffer) if last else unit_start)
            if region.empty is not None:
                self._report_empty(region, pos, len(buffer) if last else unit_start)
            if new_interchange:
                self._isa_pending = True
                pos = unit_start
                resume = 0
                continue
            if last is not None:
                spaces = _WHITESPACE.replace(terminator, b"")
                if not buffer[unit_start:].rstrip(spaces).endswith(terminator):
                    segments = last.segments()
                    where = segments[-1] if segments else None
                    self.warn("X108", "file ends without a segment terminator after the last "
                              "segment", where.index if where else None,
                              where.line if where else None)
                yield last
                return len(buffer)
            if final:
                return len(buffer)
            state.searched = state.offset + len(buffer)
            state.carry_hit = (unit_start == carried and carry_hit) or any(
                unit_start <= h for h in hits[hit:])
            return unit_start

    def _boundaries(self, buffer: bytes, start: int):
        """(end, tag) of each unit boundary from ``start``, up to and with the first ISA:
        where the ``_pattern`` matches, and the tag of the unit that starts there."""
        d = self.delimiters
        assert d is not None and self._pattern is not None
        if cython.compiled and len(d.segment) == 1 and len(d.element) == 1 and (
                d.segment < "\x80" and d.element < "\x80"):
            return _typed_boundaries(buffer, start, ord(d.segment), ord(d.element),
                                     *self._boundary_names)
        tags = self._tags
        return ((match.end(), tags[match[1] or match[2]])
                for match in self._pattern.finditer(buffer, start))

    def _count(self, buffer: bytes, start: int, end: int) -> None:
        """Tally segment starts: the tag right after a terminator and any whitespace."""
        if not self.tally or end <= start:
            return
        assert self.delimiters is not None
        for tag in self.tally:
            self.tallies[tag] += _count_tags(buffer, start, end, self.delimiters, tag)

    def _report_empty(self, region: _Region, start: int, end: int) -> None:
        """One warning per empty segment in ``[start, end)`` (bytes read exactly once).

        Each match starts at the terminator of the segment before the empty one, so the
        real segments up to it are the terminators so far less the empty ones found so far.
        Counting goes on from the previous match, never from ``start`` again.
        """
        buffer, terminator = region.buffer, region.terminator
        first, line = region.at(start)
        width = len(terminator)
        terminators = newlines = 0
        here = start
        for found, match in enumerate(region.empty.finditer(buffer, start, end)):  # type: ignore[union-attr]
            upto = match.start() + width
            terminators += buffer.count(terminator, here, upto)
            newlines += buffer.count(b"\n", here, match.end()) if here < match.end() else 0
            here = max(upto, match.end())
            if self._warned.get("X107", 0) >= _REPEAT_LIMIT:
                self._warned["X107"] += 1  # counted; the rest are only counted too
                continue
            after = first - 1 + terminators - found
            where = (region.offset + match.end()) // region.wrap[0] + 1 if region.wrap else (
                line + newlines)
            self.warn("X107", f"empty segment after segment {after} (two terminators with "
                      "nothing between) skipped", after, where)

    # -- finding the start and the delimiters ---------------------------------------------

    def _warn_bom(self) -> None:
        self.warn("X101", "UTF-8 byte order mark at the start of the file skipped", 1, 1)

    def _find_start(self, buffer: bytes, state: _State, final: bool) -> int | None:
        window = buffer[:_START_LIMIT]
        if len(window) < _START_LIMIT and not final and len(window) < 200:
            return None  # too little to decide
        pos = 0
        if window.startswith(layout.BOM):
            self._warn_bom()
            pos = len(layout.BOM)
        isa = re.compile(rb"ISA[^A-Za-z0-9\s]").search(window, pos)
        if isa is not None:
            skipped = window[pos:isa.start()]
            if self._read_isa(buffer, isa.start(), state, final) is None:
                return None
            if skipped.strip(_WHITESPACE):
                self.warn("X102", f"{len(skipped)} bytes of text before the first ISA skipped",
                          1, 1)
            elif skipped:
                self.warn("X103", "whitespace before the first ISA skipped", 1, 1)
            state.line += window.count(b"\n", 0, isa.start())
            state.tag = "ISA"
            return isa.start()
        bare = re.compile(rb"\s*(GS|ST)([^A-Za-z0-9\s])").match(window, pos)
        if bare is None:
            if not final and len(buffer) < _START_LIMIT:
                return None
            raise X12ReadError(self.name, "not an X12 file: no ISA, GS or ST segment found "
                               f"at the start{layout.compressed_hint(window)}")
        start = bare.start(1)
        state.line += window.count(b"\n", 0, start)
        self._set_delimiters(self._guess_delimiters(window, start, bare.group(2)))
        self.warn("X104", f"no ISA envelope: the file starts at {bare.group(1).decode()}; "
                  f"delimiters guessed as {self._describe()}", 1, state.line)
        state.tag = bare.group(1).decode()
        return start

    def _guess_delimiters(self, window: bytes, start: int, element: bytes) -> Delimiters:
        terminator = "~"
        for i in range(start + 2, min(len(window), start + 200)):
            c = window[i:i + 1]
            if c.isalnum() or c == element or c in b" .-/":
                continue
            if c in b"\r\n":
                rest = window[i:].lstrip(_WHITESPACE)[:1]
                terminator = rest.decode("latin-1") if rest and not rest.isalnum() else "\n"
            else:
                terminator = c.decode("latin-1")
            break
        element_text = element.decode("latin-1")
        component = layout.observed_component(window, start, element_text, terminator) or ":"
        return Delimiters(element_text, component, terminator, None)

    def _read_isa(self, buffer: bytes, start: int, state: _State, final: bool) -> bool | None:
        """Read the delimiters of the ISA at ``start``; None when more bytes are needed."""
        element = buffer[start + 3:start + 4]
        idx = start + 3
        for _ in range(15):
            idx = buffer.find(element, idx + 1)
            if idx < 0:
                break
        if self.delimiters is not None and not layout.fixed_width_isa(buffer, start):
            # A later ISA that ends (at the interchange's terminator) before its 16th element
            # is damaged: reading delimiters from it would misread the rest of the file.
            end = buffer.find(self.delimiters.segment.encode("latin-1"), start + 3)
            if end >= 0 and (idx < 0 or end < idx):
                self.warn("X105", "ISA is truncated: fewer than 16 elements; the delimiters "
                          "in use are kept", state.index, state.line, Severity.ERROR)
                self.interchanges += 1
                return True
        need = idx + 3 if idx >= 0 else len(buffer) + 1
        if idx < 0 or need + 64 > len(buffer):
            if not final:
                return None
            if idx < 0 or need > len(buffer):
                self.warn("X105", "ISA is truncated: fewer than 16 elements", state.index,
                          state.line, Severity.ERROR)
                self._set_delimiters(Delimiters(element.decode("latin-1"), ":", "~"))
                self.interchanges += 1
                return True
        fields = buffer[start:idx + 2].decode("latin-1").split(element.decode("latin-1"))
        if idx + 3 - start != 106 and layout.fixed_width_isa(buffer, start):
            # A 106-character ISA with its separators where X12 puts them: trust the widths
            # (an ISA11 equal to the element separator miscounts the separators).
            idx = start + 103
            text = buffer[start:start + 105].decode("latin-1")
            fields = [text[a:b] for a, b in layout.ISA_FIELDS]
        component = fields[16][:1]
        terminator = buffer[idx + 2:idx + 3]
        length = idx + 3 - start
        if length != 106:
            self.warn("X106", f"ISA is {length} characters, not 106 (padding collapsed or "
                      "an element of the wrong width)", state.index, state.line)
        if terminator in (b"\r", b"\n"):
            rest = buffer[idx + 2:idx + 66].lstrip(_WHITESPACE)[:1]
            if rest and not rest.isalnum() and rest != element:
                terminator = rest
                self.warn("X109", "segment terminator written at the start of the next line",
                          state.index, state.line)
            else:
                terminator = b"\n"
                self.warn("X110", "newline used as the segment terminator", state.index,
                          state.line)
        elif not terminator or terminator.isalnum() or terminator == element:
            self.warn("X105", "ISA has no segment terminator after ISA16; '~' assumed",
                      state.index, state.line, Severity.ERROR)
            terminator = b"~"
        repetition = fields[11] if len(fields) > 12 and fields[12] >= "00501" else ""
        repetition = repetition if len(repetition) == 1 and not repetition.isalnum() else None
        declared = Delimiters(element.decode("latin-1"), component,
                              terminator.decode("latin-1"), repetition)
        delimiters = self._declared.get(declared)
        if delimiters is None:
            delimiters = self._check_component(declared, buffer, idx + 3, state)
            self._declared[declared] = delimiters
        if self.delimiters is not None and delimiters != self.delimiters:
            self.warn("X112", f"interchange {fields[13].strip()} changes delimiters to "
                      f"{_describe(delimiters)}", state.index, state.line, Severity.INFO)
        if delimiters != self.delimiters:
            self._set_delimiters(delimiters)
        self.interchanges += 1
        return True

    def _check_component(self, declared: Delimiters, buffer: bytes, start: int,
                         state: _State) -> Delimiters:
        """The delimiters to read with: ISA16 unless it cannot be one (empty, a letter or
        digit, the element separator, the terminator) or the composites are plainly written
        with another character (``HC:99213`` under an ISA16 of ``>``); a repetition
        separator equal to the component separator is dropped."""
        component, element, segment = declared.component, declared.element, declared.segment
        observed = layout.observed_component(buffer, start, element, segment)
        usable = (len(component) == 1 and not component.isalnum()
                  and component not in (element, segment) and not component.isspace())
        if not usable:
            use = observed or next(c for c in ":>^" if c not in (element, segment))
            what = repr(component) if component else "(missing or the element separator)"
            self.warn("X111", f"ISA16 component separator {what} is not a delimiter "
                      f"(empty, a letter or digit, or another delimiter); {use!r} used, as "
                      f"{'the composites are written' if observed else 'assumed'}",
                      state.index, state.line, Severity.ERROR)
            component = use
        elif observed is not None and observed != component:
            self.warn("X114", f"ISA16 declares the component separator {component!r} but the "
                      f"composites are written with {observed!r} (e.g. HC{observed}CODE); "
                      f"read with {observed!r}", state.index, state.line)
            component = observed
        repetition = declared.repetition
        if repetition is not None and repetition in (component, element, segment):
            self.warn("X115", f"ISA11 repetition separator {repetition!r} is also another "
                      "delimiter; repetitions are not split", state.index, state.line)
            repetition = None
        return Delimiters(element, component, segment, repetition)

    def _set_delimiters(self, delimiters: Delimiters) -> None:
        self.delimiters = delimiters
        term = re.escape(delimiters.segment.encode("latin-1"))
        elem = re.escape(delimiters.element.encode("latin-1"))
        tags = b"|".join(t.encode() for t in ENVELOPE_TAGS[1:] + self.boundaries)
        # Possessive whitespace and a first-letter class before the alternation: the engine
        # gives up at most terminators after one character test (twice as fast as without).
        # A boundary tag may be followed by its terminator (``CLM~``: a claim whose elements
        # were lost is still a claim, reported and counted).
        first = re.escape(bytes(sorted({t.encode()[0] for t in ENVELOPE_TAGS + self.boundaries})))
        # An ``ISA`` followed by the terminator (a segment that lost its elements) is not a
        # new interchange: reading delimiters from it would misread the rest of the file.
        self._pattern = re.compile(term + rb"[ \t\r\n]*+(?=[" + first + rb"])(?=(?:(ISA)"
                                   rb"(?!" + term + rb")[^A-Za-z0-9\s]|(" + tags + rb")(?:" + elem
                                   + b"|" + term + rb")))")
        self._tags = {t.encode(): t for t in ENVELOPE_TAGS + self.boundaries}
        names = ENVELOPE_TAGS[1:] + self.boundaries  # the regex's alternation, in its order
        initials = bytes(int(any(t.encode()[0] == c for t in names)) for c in range(256))
        self._boundary_names = ("".join(t + "|" for t in names).encode(), names, initials)
        ws = rb"[ \t\r]*+" if delimiters.segment == "\n" else rb"[ \t\r\n]*+"
        self._empty = re.compile(term + ws + rb"(?=" + term + rb")")

    def _describe(self) -> str:
        return _describe(self.delimiters) if self.delimiters else "unknown"


def _positions(buffer: bytes, start: int, needles: tuple[bytes, ...]) -> list[int]:
    """Sorted positions of every needle in ``buffer[start:]`` (C-speed ``find``).

    Needles that differ only in their letters (``J0256``, ``j0256``) are found in one pass,
    by the tail they share (``0256``), each candidate checked for one of the needles.
    """
    found = []
    for key, group in _needle_keys(needles):
        if group == (key,):
            found += _find_all(buffer, start, key)
            continue
        size = len(group[0]) - len(key)
        if all(len(needle) - len(key) == size for needle in group):  # J0256, j0256: J or j
            heads = frozenset(needle[:size] for needle in group)
            found += [at - size for at in _find_all(buffer, start + size, key)
                      if buffer[at - size:at] in heads]
            continue
        for at in _find_all(buffer, start, key):
            for needle in group:
                begin = at - len(needle) + len(key)
                if begin >= start and buffer.startswith(needle, begin):
                    found.append(begin)
                    break
    if len(needles) > 1:
        found.sort()
    return found


def _find_all(buffer: bytes, start: int, key: bytes) -> list[int]:
    """Every position of ``key`` in ``buffer[start:]``, overlapping ones too."""
    if cython.compiled and len(key) >= 2:
        return _typed_find_all(buffer, start, key)
    found = []
    at = buffer.find(key, start)
    while at >= 0:
        found.append(at)
        at = buffer.find(key, at + 1)
    return found


def _typed_find_all(buffer: bytes, start: int, key: bytes) -> list[int]:
    """:func:`_find_all` as a typed pass for a key of two or more bytes: 64 bytes at a time,
    a branch-free loop the C compiler turns into vector compares tells whether any position
    has the key's first two and last bytes; only such blocks are looked at one position at a
    time. Five to seven times faster than ``bytes.find`` for ``0256`` in a claim file, where
    its digits are everywhere (2-3 ms against 14 on 20 MB). Only called when compiled."""
    p: cython.p_uchar = cython.cast(cython.p_uchar, cython.cast(cython.p_char, buffer))
    q: cython.p_uchar = cython.cast(cython.p_uchar, cython.cast(cython.p_char, key))
    m: cython.Py_ssize_t = len(key)
    a: cython.uchar = q[0]
    b: cython.uchar = q[1]
    z: cython.uchar = q[m - 1]
    last: cython.Py_ssize_t = len(buffer) - m  # the last position the key fits at
    i: cython.Py_ssize_t = max(start, 0)
    j: cython.Py_ssize_t
    stop: cython.Py_ssize_t
    hit: cython.uchar
    found: list = []
    while i <= last:
        stop = i + 64 if last - i >= 64 else last + 1
        hit = 0
        for j in range(i, stop):
            hit |= (p[j] == a) & (p[j + 1] == b) & (p[j + m - 1] == z)
        if hit:
            for j in range(i, stop):
                if p[j] == a and p[j + 1] == b and memcmp(p + j, q, m) == 0:
                    found.append(j)
        i = stop
    return found


_KEYS: dict[tuple[bytes, ...], list[tuple[bytes, tuple[bytes, ...]]]] = {}


def _needle_keys(needles: tuple[bytes, ...]) -> list[tuple[bytes, tuple[bytes, ...]]]:
    """Needles grouped by the tail after their last letter, when it is 3+ bytes long."""
    keys = _KEYS.get(needles)
    if keys is None:
        groups: dict[bytes, list[bytes]] = {}
        for needle in needles:
            letters = [i for i, c in enumerate(needle) if chr(c).isalpha()]
            tail = needle[letters[-1] + 1:] if letters else needle
            key = tail if len(tail) >= 3 else needle
            groups.setdefault(key, []).append(needle)
        keys = _KEYS[needles] = [(k, tuple(sorted(g))) for k, g in groups.items()]
    return keys


def _describe(d: Delimiters) -> str:
    return (f"element {d.element!r}, component {d.component!r}, "
            f"segment {d.segment!r}, repetition {d.repetition!r}")

