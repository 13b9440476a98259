"""What an X12 file is, from its envelope: 837P, 837I, 835, or another transaction set.

Every command asks :func:`detect_kind` before reading a file, so an 835 given to ``scan`` or
an 837 given to ``remit`` is named in one line (exit 2) instead of reading as "0 claims".
Only the first :data:`PROBE_BYTES` are looked at: the ST and GS segments of the first
transactions. A file whose start holds no ST is ``None`` (the readers then say why).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

PROBE_BYTES = 1 << 16

# GS08 / ST03 implementation references -> the names this project uses.
IMPLEMENTATIONS = {"X222": "837P", "X098": "837P", "X223": "837I", "X096": "837I",
                   "X221": "835", "X091": "835", "X224": "837D", "X097": "837D"}
# ST01 transaction set identifiers of the transactions people most often send by mistake.
TRANSACTION_NAMES = {
    "837": "837 health care claim", "835": "835 remittance advice",
    "270": "270 eligibility inquiry", "271": "271 eligibility response",
    "276": "276 claim status inquiry", "277": "277 claim status response",
    "278": "278 services review", "820": "820 premium payment",
    "834": "834 benefit enrollment", "999": "999 implementation acknowledgment",
    "997": "997 functional acknowledgment", "TA1": "TA1 interchange acknowledgment",
}
CLAIM_KINDS = frozenset({"837P", "837I", "837"})  # "837": no GS08 / ST03 to tell P from I
REMIT_KINDS = frozenset({"835"})


def kind_name(kind: str) -> str:
    """Words for a kind: ``837D`` -> "837D dental claim", ``834`` -> "834 benefit enrollment"."""
    words = {"837P": "837P professional claim", "837I": "837I institutional claim",
             "837D": "837D dental claim", "835": "835 remittance advice"}
    return words.get(kind) or TRANSACTION_NAMES.get(kind) or f"{kind} transaction"


def transaction_kind(st01: str, implementation: str | None) -> str:
    """837P / 837I / 837D / 835 from the implementation reference, else ST01 as written.

    >>> transaction_kind("837", "005010X222A1")
    '837P'
    >>> transaction_kind("270", "005010X279A1")
    '270'
    """
    for key, name in IMPLEMENTATIONS.items():
        if implementation and key in implementation:
            return name
    return st01


@dataclass(frozen=True, slots=True)
class FileKind:
    """The transaction kinds seen at the start of a file, in order of first appearance."""

    kinds: tuple[str, ...]

    @property
    def is_claims(self) -> bool:
        return any(k in CLAIM_KINDS for k in self.kinds)

    @property
    def is_remits(self) -> bool:
        return any(k in REMIT_KINDS for k in self.kinds)

    def describe(self) -> str:
        return ", ".join(kind_name(k) for k in self.kinds) or "no transaction"


_HEADER = re.compile(rb"(?:^|[^A-Za-z0-9])(GS|ST)([^A-Za-z0-9\s])")
_VALUE = re.compile(rb"[A-Za-z0-9]*")
_HEADER_BYTES = 160  # a GS or ST segment is shorter than this


def _elements(head: bytes, start: int, separator: bytes, count: int) -> list[str]:
    """The first ``count`` elements after a tag, each cut at its first non-alphanumeric byte
    (the terminator, a newline): a bounded look at the bytes, never a backtracking search."""
    parts = head[start:start + _HEADER_BYTES].split(separator, count)[:count]
    return [_VALUE.match(part).group().decode("latin-1") for part in parts]  # type: ignore[union-attr]


def detect_kind(head: bytes) -> FileKind | None:
    """The kinds named by the ST segments (with GS08 / ST03) in ``head``; None when none.

    >>> detect_kind(b"GS*HC*A*B*20260101*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~")
    FileKind(kinds=('837P',))
    >>> detect_kind(b"ST*835*0001~BPR*I~").kinds
    ('835',)
    >>> detect_kind(b"not x12") is None
    True
    """
    kinds: dict[str, None] = {}
    group_implementation: str | None = None
    for match in _HEADER.finditer(head):
        tag, separator = match.group(1), match.group(2)
        if head[match.start(1) - 1:match.start(1)] == separator:
            continue  # "*ST*" inside a segment is a value, not a segment start
        if tag == b"GS":
            elements = _elements(head, match.end(), separator, 8)
            if len(elements) == 8 and elements[7]:
                group_implementation = elements[7]
            continue
        st01, _, st03 = (_elements(head, match.end(), separator, 3) + ["", "", ""])[:3]
        if len(st01) == 3 or st01 == "TA1":
            kinds[transaction_kind(st01, st03 or group_implementation)] = None
    return FileKind(tuple(kinds)) if kinds else None


def detect_file_kind(path: str | Path, head: bytes | None = None) -> FileKind | None:
    """:func:`detect_kind` on the first bytes of ``path`` (or on ``head`` when given).

    The file is opened as every reader opens it (:func:`~edi_j0256.x12.sources.open_source`:
    gzip and zip members read, a FIFO or device refused). Raises OSError when the file cannot
    be read; the caller names the file in its message.
    """
    if head is None:
        from edi_j0256.diagnostics import X12ReadError
        from edi_j0256.x12.sources import read_head

        try:
            head = read_head(path, PROBE_BYTES)
        except X12ReadError as exc:
            raise OSError(str(exc).split(": ", 1)[-1]) from exc
    return detect_kind(unwrapped(head))


def unwrapped(head: bytes) -> bytes:
    """``head`` without its line breaks when it starts a file wrapped at a fixed width (an
    ST03 or GS08 cut by the wrap would otherwise hide the transaction kind)."""
    from edi_j0256.x12.layout import wrap_width

    if wrap_width(head) is None:
        return head
    return head.replace(b"\r", b"").replace(b"\n", b"")
