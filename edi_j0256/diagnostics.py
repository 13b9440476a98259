"""Diagnostics: what the reader noticed about a file, with the position it noticed it at.

A diagnostic is never an exception: the reader keeps going and reports. Codes are stable:
``X1xx`` for tokenizer tolerance, ``X2xx`` for envelope checks, ``X3xx`` for claim and
remittance structure. Messages never carry member names, IDs or dates of birth.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One thing the reader noticed: ``file:line: CODE message``."""

    code: str
    severity: Severity
    message: str
    file: str
    segment: int | None = None  # 1-based segment index in the file
    line: int | None = None  # 1-based line number in the file

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.code} {self.message}"


class Diagnostics(list):
    """A list of diagnostics with the helpers the readers use to add to it.

    A damaged file can produce a diagnostic per segment, so memory stays bounded: past
    ``keep_per_code`` diagnostics of one code only a count is kept (``suppressed``). A
    ``sink`` sees every diagnostic as it is added, kept or not (``scan --diagnostics FILE``
    streams them there).
    """

    def __init__(self, *, keep_per_code: int | None = 1000,
                 sink: Callable[[Diagnostic], None] | None = None):
        super().__init__()
        self.keep_per_code = keep_per_code
        self.sink = sink
        self.kept: Counter[str] = Counter()
        self.suppressed: Counter[tuple[str, Severity]] = Counter()
        self._last_suppressed: dict[tuple[str, Severity], Diagnostic] = {}

    def add(self, code: str, severity: Severity | str, message: str, file: str,
            segment: int | None = None, line: int | None = None) -> Diagnostic:
        diagnostic = Diagnostic(code, Severity(severity), message, file, segment, line)
        if self.sink is not None:
            self.sink(diagnostic)
        if self.keep_per_code is not None and self.kept[code] >= self.keep_per_code:
            key = (code, diagnostic.severity)
            self.suppressed[key] += 1
            self._last_suppressed[key] = diagnostic
        else:
            self.kept[code] += 1
            self.append(diagnostic)
        return diagnostic

    def unlisted(self) -> list[Diagnostic]:
        """One diagnostic per code (and severity) past ``keep_per_code``, saying how many
        more there were (:func:`unlisted`), so a consumer that lists the kept ones (check's
        findings) still reports that the rest exist."""
        return [unlisted(self._last_suppressed[key], n, self.keep_per_code or 0)
                for key, n in self.suppressed.items()]

    def count(self, severity: Severity | str | None = None) -> int:  # type: ignore[override]
        """How many were added (kept or suppressed), of one severity or all."""
        kept = sum(1 for d in self if severity is None or d.severity == severity)
        return kept + sum(n for (_, level), n in self.suppressed.items()
                          if severity is None or level == severity)


def unlisted(last: Diagnostic, count: int, kept: int) -> Diagnostic:
    """``N more CODE diagnostics in this file not listed (the first K are; the last is
    here)``, at the last of them."""
    more = f"{count} more {last.code} diagnostic{'s' if count != 1 else ''}"
    return Diagnostic(last.code, last.severity, f"{more} in this file not listed (the first "
                      f"{kept} are; the last is here)", last.file, last.segment, last.line)


class X12ReadError(Exception):
    """The input cannot be read as X12 at all (not X12, unreadable): exit code 2."""

    def __init__(self, file: str, message: str, segment: int | None = None,
                 line: int | None = None):
        self.file, self.segment, self.line = file, segment, line
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")


# The codes the X12 and claim readers use (x12/, claims/), one line each. Codes are never
# reused. X35x and above belong to the remittance reader and its checks (remit/).
READER_CODES: dict[str, str] = {
    "X101": "UTF-8 byte order mark at the start of the file skipped",
    "X102": "text before the first ISA skipped",
    "X103": "whitespace before the first ISA skipped",
    "X104": "no ISA envelope: delimiters guessed from the first GS / ST",
    "X105": "ISA truncated, or without a segment terminator after ISA16",
    "X106": "ISA is not 106 characters",
    "X107": "empty segment (two terminators with nothing between) skipped",
    "X108": "file ends without a segment terminator",
    "X109": "segment terminator written at the start of the next line",
    "X110": "newline used as the segment terminator",
    "X111": "ISA16 component separator is not a delimiter; another one used",
    "X112": "an interchange changes the delimiters",
    "X113": "file wrapped at a fixed width; read as if unwrapped",
    "X114": "ISA16 disagrees with the composites; the separator they are written with used",
    "X115": "ISA11 repetition separator equal to another delimiter; not used",
    "X201": "interchange without IEA before the next ISA",
    "X202": "IEA with no open ISA",
    "X203": "IEA01 group count does not match",
    "X204": "IEA02 does not match ISA13",
    "X205": "interchange without IEA at the end of the file",
    "X211": "group without GE before the next GS",
    "X212": "GE with no open GS",
    "X213": "GE01 transaction count does not match",
    "X214": "GE02 does not match GS06",
    "X215": "group without GE",
    "X221": "transaction without SE before the next ST",
    "X222": "SE with no open ST",
    "X223": "SE01 segment count does not match",
    "X224": "SE02 does not match ST02",
    "X225": "transaction without SE",
    "X301": "HL parent (HL02) not an open loop; read under the evident parent",
    "X302": "claim could not be read; skipped and counted",
    "X303": "CLM01 (patient control number) empty",
    "X304": "SV1 / SV2 with no LX before it",
    "X305": "SV107 diagnosis pointer not a number",
    "X306": "numeric element not an X12 number (exponent, NaN, over 18 digits ...)",
    "X307": "date not a valid CCYYMMDD date (value not shown)",
    "X308": "HL hierarchy deeper than the reader follows",
    "X309": "claim with more service lines than the reader builds (or cut in pieces); not "
             "built, counted",
    "X312": "claim with more service lines than its guide allows; built, with this warning",
    "X310": "CLM with no elements; not built, counted",
    "X311": "claims in a transaction that is not an 837P / 837I; not read, counted",
}
