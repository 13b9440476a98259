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

    def add(self, code: str, severity: Severity | str, message: str, file: str,
            segment: int | None = None, line: int | None = None) -> Diagnostic:
        diagnostic = Diagnostic(code, Severity(severity), message, file, segment, line)
        if self.sink is not None:
            self.sink(diagnostic)
        if self.keep_per_code is not None and self.kept[code] >= self.keep_per_code:
            self.suppressed[(code, diagnostic.severity)] += 1
        else:
            self.kept[code] += 1
            self.append(diagnostic)
        return diagnostic

    def count(self, severity: Severity | str | None = None) -> int:  # type: ignore[override]
        """How many were added (kept or suppressed), of one severity or all."""
        kept = sum(1 for d in self if severity is None or d.severity == severity)
        return kept + sum(n for (_, level), n in self.suppressed.items()
                          if severity is None or level == severity)


class X12ReadError(Exception):
    """The input cannot be read as X12 at all (not X12, unreadable): exit code 2."""

    def __init__(self, file: str, message: str, segment: int | None = None,
                 line: int | None = None):
        self.file, self.segment, self.line = file, segment, line
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")
