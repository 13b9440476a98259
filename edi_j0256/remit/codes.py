"""CARC and RARC code tables: ``data/carc.csv`` and ``data/rarc.csv``, or files the user supplies.

Columns: ``code,description,start_date,stop_date,source``. The official lists change several
times a year, so the tables are data a user can refresh. A code missing from a table is kept
as written and described as unknown; a missing or unreadable table leaves every code unknown.
Nothing here raises on content.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

from edi_j0256.diagnostics import Diagnostics, Severity
from edi_j0256.remit.model import ClaimPayment, RemitPayment


@dataclass(frozen=True, slots=True)
class CodeEntry:
    code: str
    description: str
    start_date: date | None = None
    stop_date: date | None = None  # after this date the code may no longer be used
    source: str = ""


def _iso(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text and text.strip() else None
    except ValueError:
        return None


class CodeTable:
    """One code list (CARC or RARC) keyed by code, upper case."""

    def __init__(self, kind: str, entries: dict[str, CodeEntry]):
        self.kind = kind
        self.entries = entries

    def __contains__(self, code: str) -> bool:
        return code.strip().upper() in self.entries

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, code: str) -> CodeEntry | None:
        return self.entries.get(code.strip().upper())

    def describe(self, code: str) -> str | None:
        """The code's text; ``"unknown CARC 9999"`` when the table lacks it; None, no table."""
        entry = self.get(code)
        if entry:
            return entry.description
        return f"unknown {self.kind} {code}" if self.entries else None

    def stopped(self, code: str, on: date | None) -> bool:
        """True when the code was no longer valid on the given date."""
        entry = self.get(code)
        return bool(entry and on and entry.stop_date and on > entry.stop_date)

    @classmethod
    def from_text(cls, kind: str, text: str) -> CodeTable:
        entries: dict[str, CodeEntry] = {}
        for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))):
            code = (row.get("code") or "").strip().upper()
            if code:
                entries[code] = CodeEntry(code, (row.get("description") or "").strip(),
                                          _iso(row.get("start_date")), _iso(row.get("stop_date")),
                                          (row.get("source") or "").strip())
        return cls(kind, entries)

    @classmethod
    def load(cls, kind: str, path: str | Path | None = None) -> CodeTable:
        """Read ``path``, or the bundled ``data/<kind>.csv``; an absent table is empty."""
        try:
            if path is not None:
                text = Path(path).read_text(encoding="utf-8")
            else:
                ref = resources.files("edi_j0256").joinpath(f"data/{kind.lower()}.csv")
                text = ref.read_text(encoding="utf-8") if ref.is_file() else ""
        except (OSError, UnicodeDecodeError):
            text = ""
        return cls.from_text(kind, text)


@lru_cache(maxsize=1)
def bundled_tables() -> tuple[CodeTable, CodeTable]:
    """The bundled (CARC, RARC) tables, read once."""
    return CodeTable.load("CARC"), CodeTable.load("RARC")


def check_claim_codes(claim: ClaimPayment, carcs: CodeTable, rarcs: CodeTable,
                      diagnostics: Diagnostics) -> None:
    """``X365`` unknown CARC, ``X366`` unknown RARC, ``X367`` code used after its stop date,
    for one claim payment (its claim-level and line-level codes).

    Skipped for a table that is empty (not installed), so a missing table is not noise.
    """
    header = claim.payment
    file = header.envelope.file if header else "<input>"
    when = (header.payment_date or header.production_date) if header else None

    def check(table: CodeTable, code: str, segment: int, line: int) -> None:
        if not len(table) or not code:
            return
        if code not in table:
            diagnostics.add("X365" if table.kind == "CARC" else "X366", Severity.INFO,
                            f"{table.kind} `{code}` is not in the code table; root cause "
                            f"`other`", file, segment, line)
        elif table.stopped(code, when):
            diagnostics.add("X367", Severity.INFO, f"{table.kind} `{code}` was stopped on "
                            f"{table.get(code).stop_date}", file, segment, line)

    for a in claim.adjustments:
        check(carcs, a.carc, a.segment, a.line)
    for code in claim.remarks:
        check(rarcs, code, claim.segment, claim.line)
    for service in claim.lines:
        for a in service.adjustments:
            check(carcs, a.carc, a.segment, a.line)
        for code in service.rarcs:
            check(rarcs, code, service.segment, service.line)


def check_codes(payment: RemitPayment, carcs: CodeTable, rarcs: CodeTable,
                diagnostics: Diagnostics) -> None:
    """:func:`check_claim_codes` for every claim of one whole transaction."""
    for claim in payment.claims:
        check_claim_codes(claim, carcs, rarcs, diagnostics)
