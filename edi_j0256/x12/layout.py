"""How an X12 file is laid out, read from its first bytes: the fixed-width ISA, the component
separator its composites are written with, fixed-width wrapping, CR-only line ends, and
compressed data given as X12.

The tokenizer asks these questions once per file (or once per delimiter set); the answers
are plain values, so each is tested on its own.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

if TYPE_CHECKING:
    from edi_j0256.x12.tokenizer import Segment

_START_LIMIT = 1 << 16  # bytes looked at to decide on wrapping


_COMPOSITE_WINDOW = 1 << 16
_QUALIFIERS = rb"(?:HC|AD|ER|IV|N4|WK|ZZ|ABK|ABF|ABJ|APR|ABN|BK|BF|BJ)"


def observed_component(buffer: bytes, start: int, element: str, segment: str) -> str | None:
    """The character the first composites after ``start`` are written with (SV1/SVC
    procedure, SV2 after the revenue code, HI diagnosis), or None when none is seen.

    >>> observed_component(b"CLM*A*10~HI*ABK:E8801~SV1*HC:J0256*10~", 0, "*", "~")
    ':'
    >>> observed_component(b"CLM*A*10~NM1*85~", 0, "*", "~") is None
    True
    """
    e = re.escape(element.encode("latin-1"))
    pattern = re.compile(rb"(?:(?:SV1|SVC|SV3)" + e + rb"|SV2" + e + rb"[0-9A-Za-z]*" + e +
                         rb"|HI" + e + rb")" + _QUALIFIERS + rb"([^A-Za-z0-9\s])")
    seen: Counter[bytes] = Counter()
    for n, match in enumerate(pattern.finditer(buffer, start, start + _COMPOSITE_WINDOW)):
        char = match.group(1)
        if char.decode("latin-1") not in (element, segment):
            seen[char] += 1
        if n >= 50:
            break
    return seen.most_common(1)[0][0].decode("latin-1") if seen else None


BOM = b"\xef\xbb\xbf"  # a UTF-8 byte order mark some editors put before the ISA


class Wrap(NamedTuple):
    """How a file wrapped at a fixed width maps to the stream read with its line breaks taken
    out: ``width`` bytes per line, each line break ``newline`` bytes, and ``lead`` bytes in
    front of the first line that are not part of it (a BOM put before a file already
    wrapped). The lead is left out of the stream; a BOM inside the first line stays in it."""

    width: int
    newline: int
    lead: int = 0


def wrap_width(data: bytes) -> Wrap | None:
    r"""The :class:`Wrap` of ``data`` when it starts a file wrapped at a fixed width: an ISA
    at the start (after a BOM, if any), every line but the last two of the same width, and
    line breaks inside segments (the ISA's 106 characters joined up end at a terminator).

    >>> isa = (b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260202*"
    ...        b"0930*^*00501*000000301*0*T*:~")
    >>> flat = isa + b"GS*HC*SENDER*RECEIVER*20260202*0930*301*X*005010X222A1~ST*837*0001~" * 3
    >>> lines = [flat[i:i + 80] for i in range(0, len(flat), 80)]
    >>> wrap_width(b"\n".join(lines))
    Wrap(width=80, newline=1, lead=0)
    >>> wrap_width(BOM + b"\r\n".join(lines))  # a BOM put in front after wrapping
    Wrap(width=80, newline=2, lead=3)
    >>> wrap_width(flat.replace(b"~", b"~\n")) is None
    True
    """
    bom = data.startswith(BOM)
    body = data[len(BOM):] if bom else data
    if not body.startswith(b"ISA"):
        return None
    lines = data[:_START_LIMIT].split(b"\n")
    full = lines[:-1]  # the last line may be cut by the chunk or be the file's short end
    if len(full) < 2:
        return None
    crlf = all(line.endswith(b"\r") for line in full)
    newline = 2 if crlf else 1
    sizes = [len(line) - (newline - 1) for line in full[:-1]]
    lead = len(BOM) if bom and sizes[1:] and set(sizes[1:]) == {sizes[0] - len(BOM)} else 0
    sizes[0] -= lead
    if len(set(sizes)) != 1:
        return None
    width = sizes[0]
    joined = body[:4096].replace(b"\r", b"").replace(b"\n", b"")
    element, terminator = joined[3:4], joined[105:106]
    if (width < 10 or element.isalnum() or element.isspace() or joined[:106].count(element) != 16
            or not terminator or terminator.isalnum() or terminator.isspace()):
        return None
    if all(line.rstrip(b"\r \t").endswith(terminator) for line in full):
        return None  # every line ends a segment (maybe padded): not wrapped
    return Wrap(width, newline, lead)


class CarriageReturns:
    """A stream of a file with CR-only line ends, each CR read as LF (offsets unchanged)."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream

    def read(self, size: int) -> bytes:
        return self.stream.read(size).replace(b"\r", b"\n")


class Unwrapped:
    """A stream with every line break of a wrapped file taken out."""

    def __init__(self, stream: BinaryIO, pending: bytes):
        self.stream, self.pending = stream, pending

    def read(self, size: int) -> bytes:
        while True:
            if self.pending is not None:
                data, self.pending = self.pending, None
            else:
                data = self.stream.read(size)
            if not data:
                return b""
            data = data.replace(b"\r", b"").replace(b"\n", b"")
            if data:
                return data


ISA_SEPARATORS = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
ISA_FIELDS = tuple(zip((0,) + tuple(p + 1 for p in ISA_SEPARATORS), ISA_SEPARATORS + (105,),
                        strict=True))


def isa_elements(segment: Segment) -> tuple[str, ...]:
    """The ISA's elements (tag first), by the fixed widths when splitting cannot find them (an
    ISA11 equal to the element separator gives 18 pieces)."""
    elements = segment.elements
    if len(elements) == 17:
        return elements
    text = segment.delimiters.element.join(elements) + "~"
    if fixed_width_isa(text.encode("latin-1"), 0):
        return tuple(text[a:b] for a, b in ISA_FIELDS)
    return elements


def fixed_width_isa(buffer: bytes, start: int) -> bool:
    """Whether the 106 bytes at ``start`` are an ISA with every separator at its place."""
    isa = buffer[start:start + 106]
    element = isa[3]
    return (len(isa) == 106 and all(isa[p] == element for p in ISA_SEPARATORS)
            and not chr(isa[105]).isalnum())


def compressed_hint(window: bytes) -> str:
    if window.startswith(b"\x1f\x8b"):
        return " (it is gzip-compressed)"
    if window.startswith((b"BZh", b"\xfd7zXZ", b"PK\x03\x04", b"(\xb5/\xfd")):
        return " (it is a compressed archive)"
    return ""
