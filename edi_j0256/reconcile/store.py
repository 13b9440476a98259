"""The SQLite store: claims, findings and remits kept across runs, in typed columns.

- WAL journal (a reader never blocks the loader), foreign keys on, a busy timeout, and every
  write in a ``BEGIN IMMEDIATE`` transaction retried while another writer holds the lock:
  concurrent ``reconcile --db`` runs serialise and lose nothing.
- One transaction per loaded file (the 837 files of one load together, since cross-claim
  findings span them): a load killed at any point leaves the files committed before it, and
  loading again stores the rest, giving the store a clean load gives.
- A file is known by the SHA-256 of its bytes: loading the same content twice (under any
  name) changes nothing.
- Schema version in ``PRAGMA user_version`` (:data:`SCHEMA_VERSION`); a database written by
  a newer version, a database that is not a store, or a damaged file raise
  :class:`StoreError` with one line; :meth:`ReconcileStore.check` runs SQLite's integrity check.
- A schema-2 store (before PLB rows were kept) is migrated in place when opened, in one
  transaction: the ``provider_adjustments`` table is added and filled from the stored 835
  files still on disk with the same bytes; :attr:`ReconcileStore.notes` says what was done
  and names the 835 files whose PLB rows could not be added (gone or changed).

Money and quantities are kept as decimal text (exact), dates as ISO text, code lists as
space-separated text.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, get_type_hints

from edi_j0256.reconcile.model import Adjustment, ClaimLine, LineFinding, RemitLine
from edi_j0256.remit.model import ProviderAdjustment

SCHEMA_VERSION = 3  # 3: provider_adjustments (PLB) kept with their 835 file
CLAIMS, REMITS = "837", "835"
BUSY_TIMEOUT_MS = 30_000
LOCK_RETRY_SECONDS = 600.0
T = TypeVar("T")

# columns stored for each record type (the nested findings / adjustments have tables of their own)
_NESTED = {"findings", "adjustments", "claim_adjustments", "file_order"}


@cache
def _columns(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.name not in _NESTED)


CLAIM_COLUMNS = _columns(ClaimLine)
REMIT_COLUMNS = _columns(RemitLine)


def _ddl(table: str, columns: tuple[str, ...]) -> str:
    return (f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL "
            f"REFERENCES files (id), " + ", ".join(columns) + ")")


SCHEMA = f"""
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('837', '835')),
    loaded_at TEXT NOT NULL,
    lines INTEGER NOT NULL
);
{_ddl("claim_lines", CLAIM_COLUMNS)};
CREATE INDEX claim_lines_claim_id ON claim_lines (claim_id);
CREATE INDEX claim_lines_position ON claim_lines (file_id, segment);
CREATE INDEX claim_lines_claim ON claim_lines (file_id, claim_segment);
CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    claim_line_id INTEGER NOT NULL REFERENCES claim_lines (id),
    code TEXT NOT NULL,
    root_cause TEXT NOT NULL,
    severity TEXT,
    carc TEXT,
    rarc TEXT
);
CREATE INDEX findings_claim_line ON findings (claim_line_id);
{_ddl("remit_lines", REMIT_COLUMNS)};
CREATE INDEX remit_lines_clp ON remit_lines (file_id, claim_segment);
CREATE INDEX remit_lines_order ON remit_lines (payment_date, file_id, claim_segment);
CREATE INDEX remit_lines_control ON remit_lines (payer_claim_control);
CREATE TABLE adjustments (
    id INTEGER PRIMARY KEY,
    remit_line_id INTEGER NOT NULL REFERENCES remit_lines (id),
    level TEXT NOT NULL,
    group_code TEXT NOT NULL,
    carc TEXT NOT NULL,
    amount TEXT,
    quantity TEXT,
    root_causes TEXT NOT NULL
);
CREATE INDEX adjustments_remit_line ON adjustments (remit_line_id);
"""
PLB_SCHEMA = """
CREATE TABLE provider_adjustments (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files (id),
    payer_id TEXT,
    payer_name TEXT,
    provider_id TEXT,
    fiscal_period_date TEXT,
    reason TEXT NOT NULL,
    reference TEXT,
    amount TEXT,
    trace_number TEXT,
    check_date TEXT,
    segment INTEGER NOT NULL,
    line INTEGER NOT NULL
);
"""
SCHEMA += PLB_SCHEMA
PLB_SINCE = 3  # the schema version that added provider_adjustments
PLB_COLUMNS = ("payer_id", "payer_name", "provider_id", "fiscal_period_date", "reason",
               "reference", "amount", "trace_number", "check_date", "segment", "line")


class StoreError(Exception):
    """The database cannot be used as a reconciliation store."""


def _damaged(path: str, exc: Exception) -> StoreError:
    return StoreError(f"{path}: store is damaged (not a usable SQLite database: {exc}); run "
                      "with --check-store, or load again into a new store")


# -- typed columns -----------------------------------------------------------------------------

def _to_sql(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return " ".join(value)
    return value


@cache
def _readers(cls: type) -> tuple[Callable[[Any], Any], ...]:
    hints = get_type_hints(cls)

    def reader(hint: Any) -> Callable[[Any], Any]:
        text = str(hint)
        if "Decimal" in text:
            return lambda v: None if v is None else Decimal(v)
        if "date" in text:
            return lambda v: None if v is None else date.fromisoformat(v)
        if "tuple" in text:
            return lambda v: tuple(v.split()) if v else ()
        return lambda v: v

    return tuple(reader(hints[name]) for name in _columns(cls))


def _relevel(adjustment: Adjustment, level: str) -> Adjustment:
    return Adjustment(adjustment.group, adjustment.carc, adjustment.amount, adjustment.quantity,
                      adjustment.root_causes, level)


def _record(cls: type[T], row: Iterable[Any], **extra: Any) -> T:
    values = {name: read(value) for name, read, value in
              zip(_columns(cls), _readers(cls), row, strict=True)}
    return cls(**values, **extra)


class ReconcileStore:
    """A reconciliation store in the SQLite file ``path`` (created when missing)."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        self.notes: list[str] = []  # one line each: what opening the store did (a migration)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None,
                                      timeout=BUSY_TIMEOUT_MS / 1000)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.execute("PRAGMA foreign_keys = ON")
            self.journal_mode = self._retry(
                lambda: self.db.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            self._migrate()
        except sqlite3.OperationalError as exc:
            if "unable to open" in str(exc) or "readonly" in str(exc):
                raise StoreError(f"{self.path}: cannot open the store ({exc})") from None
            raise _damaged(self.path, exc) from None
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.path, exc) from None

    def _retry(self, action: Callable[[], T]) -> T:
        """Run ``action``, waiting while another writer holds the database lock."""
        deadline = time.monotonic() + LOCK_RETRY_SECONDS
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                locked = "locked" in str(exc) or "busy" in str(exc)
                if not locked or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: store schema version {version} is newer than this "
                             f"program's ({SCHEMA_VERSION})")
        if version == PLB_SINCE - 1:
            self.transaction(self._add_plb_table)
            return
        if version:
            raise StoreError(f"{self.path}: store schema version {version} is older than this "
                             f"program's ({SCHEMA_VERSION}); load the files into a new store")

        def create() -> None:
            if self.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
                return  # another process created it while we waited
            if self.db.execute("SELECT count(*) FROM sqlite_master "
                               "WHERE type = 'table'").fetchone()[0]:
                raise StoreError(f"{self.path}: not a reconciliation store (has other tables)")
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

        self.transaction(create)

    def _add_plb_table(self) -> None:
        """Schema 2 -> 3 (inside one transaction): the PLB table, filled from the stored 835
        files that are still on disk with the bytes that were loaded."""
        if self.db.execute("PRAGMA user_version").fetchone()[0] != PLB_SINCE - 1:
            return  # another process migrated it while we waited
        for statement in PLB_SCHEMA.split(";"):
            if statement.strip():
                self.db.execute(statement)
        remits = self.db.execute("SELECT id, path, sha256 FROM files WHERE kind = ? ORDER BY "
                                 "id", (REMITS,)).fetchall()
        missing = [path for file_id, path, sha256 in remits
                   if not self._reload_plb(file_id, path, sha256)]
        self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self.notes.append(f"{self.path}: store upgraded from schema {PLB_SINCE - 1} to "
                          f"{SCHEMA_VERSION} (provider-level adjustments of "
                          f"{len(remits) - len(missing)} stored 835 file(s) added)")
        self.notes += [f"{path}: 835 stored before schema {PLB_SINCE} is gone or changed: its "
                       "PLB rows are not in the store (load it into a new store to have them)"
                       for path in missing]

    def _reload_plb(self, file_id: int, path: str, sha256: str) -> bool:
        """Add the PLB rows of one stored 835 file; False when the file is not the one loaded."""
        from edi_j0256.codes import DEFAULT_HCPCS
        from edi_j0256.diagnostics import Diagnostics, X12ReadError
        from edi_j0256.reconcile.sources import file_sha256, remit_claims

        try:
            if not Path(path).is_file() or file_sha256(path) != sha256:
                return False
            for _ in remit_claims(path, Diagnostics(), DEFAULT_HCPCS, on_plb=lambda plb: (
                    self.add_provider_adjustment(file_id, plb))):
                pass
        except (OSError, X12ReadError, UnicodeDecodeError, ValueError):
            self.db.execute("DELETE FROM provider_adjustments WHERE file_id = ?", (file_id,))
            return False
        return True

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ReconcileStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def transaction(self, write: Callable[[], T]) -> T:
        """Run ``write`` in one immediate transaction (retried while the store is locked);
        it commits unless ``write`` raises or returns False."""
        self._retry(lambda: self.db.execute("BEGIN IMMEDIATE"))
        try:
            done = write()
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        self.db.execute("ROLLBACK" if done is False else "COMMIT")
        return done

    def check(self) -> list[str]:
        """SQLite's integrity check: ``[]`` when the store is sound, else its problems."""
        try:
            rows = [r[0] for r in self.db.execute("PRAGMA integrity_check")]
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        return [] if rows == ["ok"] else rows

    def guard(self, action: Callable[[], T]) -> T:
        """``action`` with a damaged database reported as :class:`StoreError`."""
        try:
            return action()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise StoreError(f"{self.path}: store is locked by another process "
                                 f"({exc})") from None
            raise _damaged(self.path, exc) from None

    # -- loading (call inside :meth:`transaction`) ------------------------------------------

    def has_file(self, sha256: str) -> bool:
        row = self.db.execute("SELECT 1 FROM files WHERE sha256 = ?", (sha256,)).fetchone()
        return row is not None

    def add_file(self, path: str, sha256: str, kind: str) -> int | None:
        """Insert the file row; None when its content is already stored."""
        try:
            cursor = self.db.execute(
                "INSERT INTO files (path, sha256, kind, loaded_at, lines) VALUES (?, ?, ?, ?, 0)",
                (path, sha256, kind, datetime.now(UTC).isoformat(timespec="seconds")))
        except sqlite3.IntegrityError:
            return None
        return cursor.lastrowid

    def set_file_lines(self, file_id: int, count: int) -> None:
        self.db.execute("UPDATE files SET lines = ? WHERE id = ?", (count, file_id))

    def add_claim_line(self, file_id: int, claim_line: ClaimLine) -> int:
        values = [_to_sql(getattr(claim_line, c)) for c in CLAIM_COLUMNS]
        cursor = self.db.execute(
            f"INSERT INTO claim_lines (file_id, {', '.join(CLAIM_COLUMNS)}) VALUES "
            f"(?, {', '.join('?' * len(CLAIM_COLUMNS))})", [file_id, *values])
        return cursor.lastrowid

    def add_findings(self, file_id: int, segment: int, findings: Iterable[LineFinding],
                     claim_segment: bool = False) -> None:
        """Attach findings to the line stored at ``segment`` (SV1/SV2), or to every line of
        the claim whose CLM is at ``segment``."""
        column = "claim_segment" if claim_segment else "segment"
        ids = [r[0] for r in self.db.execute(
            f"SELECT id FROM claim_lines WHERE file_id = ? AND {column} = ?",
            (file_id, segment))]
        self.db.executemany(
            "INSERT INTO findings (claim_line_id, code, root_cause, severity, carc, rarc) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(i, f.code, f.root_cause, f.severity, f.carc, f.rarc) for i in ids for f in findings])

    def add_remit_line(self, file_id: int, remit: RemitLine) -> None:
        values = [_to_sql(getattr(remit, c)) for c in REMIT_COLUMNS]
        cursor = self.db.execute(
            f"INSERT INTO remit_lines (file_id, {', '.join(REMIT_COLUMNS)}) VALUES "
            f"(?, {', '.join('?' * len(REMIT_COLUMNS))})", [file_id, *values])
        self.db.executemany(
            "INSERT INTO adjustments (remit_line_id, level, group_code, carc, amount, quantity, "
            "root_causes) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(cursor.lastrowid, "own" if n == 0 else "claim", a.group, a.carc,
              _to_sql(a.amount), _to_sql(a.quantity), " ".join(a.root_causes))
             for n, items in enumerate((remit.adjustments, remit.claim_adjustments))
             for a in items])

    def add_provider_adjustment(self, file_id: int, plb: ProviderAdjustment) -> None:
        """One PLB reason/amount pair of an 835 file, with its payment's payer, trace number
        (TRN02) and check date (BPR16). Loaded with the file, so loading it again adds none."""
        payment = plb.payment
        self.db.execute(
            f"INSERT INTO provider_adjustments (file_id, {', '.join(PLB_COLUMNS)}) VALUES "
            f"(?{', ?' * len(PLB_COLUMNS)})",
            (file_id, *(_to_sql(v) for v in (
                payment.payer_id if payment else None, payment.payer_name if payment else None,
                plb.provider_id, plb.fiscal_period_date, plb.reason, plb.reference, plb.amount,
                plb.trace_number, plb.payment_date, plb.segment, plb.line))))

    # -- reading -------------------------------------------------------------------------------

    def provider_adjustments(self) -> list[dict]:
        """The stored PLB rows in load order, for the writers: ``file`` (path), the
        :data:`PLB_COLUMNS`, money as Decimal and dates as dates."""
        rows = self.db.execute(
            f"SELECT f.path, {', '.join('p.' + c for c in PLB_COLUMNS)} FROM "
            "provider_adjustments p JOIN files f ON f.id = p.file_id ORDER BY p.id")
        out = []
        for path, *values in rows:
            row = dict(zip(PLB_COLUMNS, values, strict=True))
            row["amount"] = None if row["amount"] is None else Decimal(row["amount"])
            for key in ("fiscal_period_date", "check_date"):
                row[key] = None if row[key] is None else date.fromisoformat(row[key])
            out.append({"file": path, **row})
        return out

    def files(self) -> list[dict]:
        rows = self.db.execute("SELECT id, path, sha256, kind, loaded_at, lines FROM files "
                               "ORDER BY id")
        return [dict(zip(("id", "path", "sha256", "kind", "loaded_at", "lines"), row,
                         strict=True)) for row in rows]

    def claim_line_rows(self, where: str = "", params: tuple = (), *,
                        findings: bool = True) -> Iterator[tuple[int, ClaimLine]]:
        """(id, line) of the stored 837 lines matching ``where`` (with their findings)."""
        sql = (f"SELECT id, file_id, {', '.join(CLAIM_COLUMNS)} FROM claim_lines {where}"
               f"{'' if 'ORDER BY' in where else ' ORDER BY id'}")
        rows = self.db.execute(sql, params).fetchall()
        found = self._findings([r[0] for r in rows]) if findings and rows else {}
        for line_id, file_id, *row in rows:
            yield line_id, _record(ClaimLine, row, file_order=file_id,
                                   findings=found.get(line_id, ()))

    def claim_line_batches(self, size: int = 500) -> Iterator[list[tuple[int, ClaimLine]]]:
        """Every stored 837 line with its findings, in load order, ``size`` at a time."""
        last = 0
        while batch := list(self.claim_line_rows("WHERE id > ? ORDER BY id LIMIT ?",
                                                 (last, size))):
            yield batch
            last = batch[-1][0]

    def _findings(self, ids: list[int]) -> dict[int, tuple[LineFinding, ...]]:
        found: dict[int, list[LineFinding]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for line_id, *row in self.db.execute(
                    "SELECT claim_line_id, code, root_cause, severity, carc, rarc FROM findings "
                    f"WHERE claim_line_id IN ({', '.join('?' * len(chunk))}) ORDER BY id",
                    chunk):
                found.setdefault(line_id, []).append(LineFinding(*row))
        return {k: tuple(v) for k, v in found.items()}

    def _adjustments(self, ids: list[int]) -> dict[int, tuple[list, list]]:
        out: dict[int, tuple[list, list]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for line_id, kind, group, carc, amount, quantity, causes in self.db.execute(
                    "SELECT remit_line_id, level, group_code, carc, amount, quantity, "
                    f"root_causes FROM adjustments WHERE remit_line_id IN "
                    f"({', '.join('?' * len(chunk))}) ORDER BY id", chunk):
                own, claim = out.setdefault(line_id, ([], []))
                (own if kind == "own" else claim).append(Adjustment(
                    group, carc, None if amount is None else Decimal(amount),
                    None if quantity is None else Decimal(quantity), tuple(causes.split()),
                    kind))
        return out

    def _remits(self, rows: list[tuple]) -> list[tuple[int, RemitLine]]:
        level_at = REMIT_COLUMNS.index("level")
        adjustments = self._adjustments([r[0] for r in rows])
        out = []
        for line_id, file_id, *row in rows:
            own, claim = adjustments.get(line_id, ((), ()))
            level = row[level_at]
            out.append((line_id, _record(
                RemitLine, row, file_order=file_id,
                adjustments=tuple(a if a.level == level else _relevel(a, level) for a in own),
                claim_adjustments=tuple(_relevel(a, "claim") for a in claim))))
        return out

    def remit_line_rows(self, where: str = "", params: tuple = ()) -> Iterator[
            tuple[int, RemitLine]]:
        """(id, line) of stored 835 lines matching ``where``, with their adjustments."""
        sql = (f"SELECT id, file_id, {', '.join(REMIT_COLUMNS)} FROM remit_lines {where} "
               f"{'' if 'ORDER BY' in where else 'ORDER BY id'}")
        cursor = self.db.execute(sql, params)
        while rows := cursor.fetchmany(500):
            yield from self._remits(rows)

    def remit_lines_by_id(self, ids: Iterable[int]) -> dict[int, RemitLine]:
        ids = sorted(set(ids))
        out: dict[int, RemitLine] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows = self.db.execute(
                f"SELECT id, file_id, {', '.join(REMIT_COLUMNS)} FROM remit_lines WHERE id IN "
                f"({', '.join('?' * len(chunk))})", chunk).fetchall()
            out.update(self._remits(rows))
        return out

    def claim_lines(self) -> list[ClaimLine]:
        return [line for _, line in self.claim_line_rows()]

    def remit_lines(self) -> list[RemitLine]:
        return [line for _, line in self.remit_line_rows()]
