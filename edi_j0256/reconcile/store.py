"""The SQLite store: claims, findings and remits kept across runs.

- WAL journal (a reader never blocks the loader), foreign keys on.
- One transaction per loaded file: an interrupted load keeps every file committed before it.
- A file is known by the SHA-256 of its bytes: loading the same content twice (under any
  name) changes nothing.
- Schema version in ``PRAGMA user_version`` (:data:`SCHEMA_VERSION`); a database written by a
  newer version, or a database that is not a store, is refused with :class:`StoreError`.

Records are kept as JSON text (:func:`edi_j0256.reconcile.model.encode`: exact decimals) with
the columns the linker looks things up by. ``":memory:"`` gives a store that lives for one run.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from edi_j0256.reconcile.model import ClaimLine, LineFinding, RemitLine, decode, encode

SCHEMA_VERSION = 1
CLAIMS, REMITS = "837", "835"

SCHEMA = """
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('837', '835')),
    loaded_at TEXT NOT NULL,
    lines INTEGER NOT NULL
);
CREATE TABLE claim_lines (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files (id),
    claim_id TEXT,
    line_number INTEGER,
    line_control TEXT,
    segment INTEGER NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX claim_lines_claim_id ON claim_lines (claim_id);
CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    claim_line_id INTEGER NOT NULL REFERENCES claim_lines (id),
    code TEXT NOT NULL,
    root_cause TEXT NOT NULL,
    severity TEXT
);
CREATE INDEX findings_claim_line ON findings (claim_line_id);
CREATE TABLE remit_lines (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files (id),
    claim_id TEXT,
    level TEXT NOT NULL CHECK (level IN ('line', 'claim')),
    line_control TEXT,
    payment_date TEXT,
    record TEXT NOT NULL
);
CREATE INDEX remit_lines_claim_id ON remit_lines (claim_id);
"""


class StoreError(Exception):
    """The database cannot be used as a reconciliation store."""


class ReconcileStore:
    """A reconciliation store in the SQLite file ``path`` (created when missing)."""

    def __init__(self, path: str | Path = ":memory:"):
        self.path = str(path)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None)
            self.db.execute("PRAGMA foreign_keys = ON")
            self.journal_mode = self.db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable SQLite database ({exc})") from None

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: store schema version {version} is newer than this "
                             f"program's ({SCHEMA_VERSION})")
        tables = self.db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
        if tables.fetchone()[0]:
            raise StoreError(f"{self.path}: not a reconciliation store (has other tables)")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ReconcileStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- loading -------------------------------------------------------------------------------

    def has_file(self, sha256: str) -> bool:
        row = self.db.execute("SELECT 1 FROM files WHERE sha256 = ?", (sha256,)).fetchone()
        return row is not None

    def _add_file(self, path: str, sha256: str, kind: str, count: int) -> int | None:
        """Insert the file row inside the open transaction; None when already stored."""
        try:
            cursor = self.db.execute(
                "INSERT INTO files (path, sha256, kind, loaded_at, lines) VALUES (?, ?, ?, ?, ?)",
                (path, sha256, kind, datetime.now(UTC).isoformat(timespec="seconds"), count))
        except sqlite3.IntegrityError:
            return None
        return cursor.lastrowid

    def _transaction(self, write) -> bool:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            done = write()
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT" if done else "ROLLBACK")
        return done

    def add_claim_file(self, path: str, sha256: str, lines: list[ClaimLine]) -> bool:
        """Store one 837 file's lines and findings in one transaction; False if already there."""
        def write() -> bool:
            file_id = self._add_file(path, sha256, CLAIMS, len(lines))
            if file_id is None:
                return False
            for claim_line in lines:
                cursor = self.db.execute(
                    "INSERT INTO claim_lines (file_id, claim_id, line_number, line_control, "
                    "segment, record) VALUES (?, ?, ?, ?, ?, ?)",
                    (file_id, claim_line.claim_id, claim_line.line_number,
                     claim_line.line_control, claim_line.segment,
                     encode(replace(claim_line, findings=()))))
                self.db.executemany(
                    "INSERT INTO findings (claim_line_id, code, root_cause, severity) "
                    "VALUES (?, ?, ?, ?)",
                    [(cursor.lastrowid, f.code, f.root_cause, f.severity)
                     for f in claim_line.findings])
            return True
        return self._transaction(write)

    def add_remit_file(self, path: str, sha256: str, lines: list[RemitLine]) -> bool:
        """Store one 835 file's lines in one transaction; False if already there."""
        def write() -> bool:
            file_id = self._add_file(path, sha256, REMITS, len(lines))
            if file_id is None:
                return False
            self.db.executemany(
                "INSERT INTO remit_lines (file_id, claim_id, level, line_control, payment_date, "
                "record) VALUES (?, ?, ?, ?, ?, ?)",
                [(file_id, r.claim_id, r.level, r.line_control,
                  r.payment_date.isoformat() if r.payment_date else None, encode(r))
                 for r in lines])
            return True
        return self._transaction(write)

    # -- reading -------------------------------------------------------------------------------

    def claim_lines(self) -> list[ClaimLine]:
        """Every stored 837 line with its findings, in load order (file order = files.id)."""
        findings: dict[int, list[LineFinding]] = {}
        for line_id, code, cause, severity in self.db.execute(
                "SELECT claim_line_id, code, root_cause, severity FROM findings ORDER BY id"):
            findings.setdefault(line_id, []).append(LineFinding(code, cause, severity))
        rows = self.db.execute("SELECT id, file_id, record FROM claim_lines ORDER BY id")
        return [replace(decode(ClaimLine, record), file_order=file_id,
                        findings=tuple(findings.get(line_id, ())))
                for line_id, file_id, record in rows]

    def remit_lines(self) -> list[RemitLine]:
        """Every stored 835 line, in load order."""
        rows = self.db.execute("SELECT file_id, record FROM remit_lines ORDER BY id")
        return [replace(decode(RemitLine, record), file_order=file_id) for file_id, record in rows]

    def files(self) -> list[dict]:
        rows = self.db.execute("SELECT id, path, sha256, kind, loaded_at, lines FROM files "
                               "ORDER BY id")
        return [dict(zip(("id", "path", "sha256", "kind", "loaded_at", "lines"), row,
                         strict=True)) for row in rows]
