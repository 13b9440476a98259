"""Reconciliation of 837 J0256 lines with their 835 adjudications.

>>> from edi_j0256.reconcile import reconcile  # doctest: +SKIP
>>> result = reconcile(["claims.x12"], ["remit.835"])  # doctest: +SKIP
>>> result.records[0]["status"], result.records[0]["recovery"]  # doctest: +SKIP
('denied', 'likely')
>>> [(row["reason"], row["amount"]) for row in result.plb]  # doctest: +SKIP
[('WO', Decimal('-361.19'))]

Stages, one module each: :mod:`.sources` (837 claims and 835 claim payments -> typed lines),
:mod:`.findings` (validator findings per line), :mod:`.store` (SQLite, typed columns; a
temporary file for an in-memory run), :mod:`.link` (indexed queries: 835 -> 837),
:mod:`.versions` (which version of a corrected claim counts), :mod:`.engine` (amounts, status,
history, totals), :mod:`.assess` (recovery, appeal deadline), :mod:`.explain` (which findings
explain a denial). :func:`reconciliation` is the one assembly of a result, for the library call
and both commands: records, orphans, totals, provider-level adjustments (PLB).

Claims, findings and remits go to the store as they are read; linking and the records are
queries over it, so memory does not grow with the input. :func:`totals` is the one place the
dollar totals are computed (``billed``, ``paid``, ``denied``, ``recoverable_likely``,
``recoverable_possible``, ``recoverable`` = both), each claim once: of an original and its
replacement, the latest version its payer adjudicated.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

from edi_j0256.codes import DEFAULT_HCPCS, normalize_codes
from edi_j0256.diagnostics import Diagnostics, X12ReadError
from edi_j0256.reconcile import engine
from edi_j0256.reconcile.engine import Line, Totals, totals
from edi_j0256.reconcile.findings import Validator, for_line
from edi_j0256.reconcile.link import link
from edi_j0256.reconcile.sources import claim_lines, file_sha256, remit_claims, remit_lines
from edi_j0256.reconcile.store import ReconcileStore, StoreError
from edi_j0256.x12.kind import detect_file_kind

__all__ = ["Line", "LoadReport", "ReconcileStore", "Reconciliation", "StoreError", "Totals",
           "linked_lines", "linked_records", "linked_orphans", "load", "reconcile",
           "reconcile_store", "reconciliation", "totals"]


class Reconciliation(NamedTuple):
    records: list[dict]  # one per 837 J0256 line
    orphans: list[dict]  # 835 lines that matched no 837 line
    totals: dict  # see engine.totals
    plb: list[dict]  # provider-level adjustments, ReconcileStore.provider_adjustments
    counted: tuple[bool, ...]  # per record: whether the totals count it (engine.Line)


@dataclass(slots=True)
class LoadReport:
    """What a load did: files stored, files skipped (content already stored), files unusable."""

    loaded: list[tuple[str, str]] = field(default_factory=list)  # (kind, path)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, one-line message)


def _wrong_kind(path: str, want_claims: bool) -> str | None:
    """The one-line problem of a file of the wrong kind; None when the kind fits (or no
    transaction is seen: the reader then says why)."""
    kind = detect_file_kind(path)
    if kind is None:
        return None
    if want_claims and not kind.is_claims:
        hint = " (give it with --remits)" if kind.is_remits else ""
        return f"{path}: is {_article(kind.describe())}, not an 837 claim file{hint}"
    if not want_claims and not kind.is_remits:
        hint = " (give it with --claims)" if kind.is_claims else ""
        return f"{path}: is {_article(kind.describe())}, not an 835 remittance file{hint}"
    return None


def _article(words: str) -> str:
    """ "an 835 ...", "an 837P ...", "a 270 ..." (numbers read aloud)."""
    return ("an " if words[:1] in "8AEIOUaeiou" else "a ") + words


class _Loader:
    def __init__(self, store: ReconcileStore, codes: tuple[str, ...], diagnostics: Diagnostics,
                 report: LoadReport, on_file: Callable[[str, str, bool], None] | None):
        self.store, self.codes, self.diagnostics = store, codes, diagnostics
        self.report, self.on_file = report, on_file
        self.seen: set[str] = set()

    def fresh(self, paths: Sequence[str | Path], kind: str) -> list[tuple[str, str]]:
        """(path, sha256) of the usable files whose content is neither stored nor seen."""
        fresh = []
        for path in map(str, paths):
            try:
                if Path(path).exists() and not Path(path).is_file():  # FIFO, device, folder
                    self.report.errors.append((path, f"{path}: not a regular file"))
                    continue
                problem = _wrong_kind(path, kind == "837")
                digest = file_sha256(path)
            except OSError as exc:
                self.report.errors.append((path, f"{path}: {exc.strerror or exc}"))
                continue
            if problem:
                self.report.errors.append((path, problem))
                continue
            if digest in self.seen or self.store.guard(lambda d=digest: self.store.has_file(d)):
                self.report.skipped.append((kind, path))
            else:
                fresh.append((path, digest))
            self.seen.add(digest)
        return fresh

    def done(self, kind: str, path: str, stored: bool) -> None:
        (self.report.loaded if stored else self.report.skipped).append((kind, path))
        if self.on_file:
            self.on_file(kind, path, stored)

    def claims(self, files: list[tuple[str, str]]) -> None:
        """All fresh 837 files in one transaction (cross-claim findings span them), one
        savepoint per file so an unreadable file is left out alone."""
        from edi_j0256.claims import ClaimReader

        store, db = self.store, self.store.db
        validator = Validator()
        stored: list[tuple[str, int]] = []

        def write() -> None:
            for number, (path, digest) in enumerate(files):
                db.execute(f"SAVEPOINT file{number}")
                try:
                    file_id = store.add_file(path, digest, "837")
                    if file_id is None:  # another run stored the same content meanwhile
                        db.execute(f"RELEASE file{number}")
                        self.report.skipped.append(("837", path))
                        continue
                    count = 0
                    reader = ClaimReader(path, name=path, diagnostics=self.diagnostics,
                                         hcpcs=self.codes)
                    for claim in reader.claims():
                        by_line = validator.claim_findings(claim)
                        for claim_line in claim_lines(claim, file_id, self.codes):
                            line_id = store.add_claim_line(file_id, claim_line)
                            found = for_line(by_line, claim_line.segment)
                            if found:
                                db.executemany(
                                    "INSERT INTO findings (claim_line_id, code, root_cause, "
                                    "severity, carc, rarc) VALUES (?, ?, ?, ?, ?, ?)",
                                    [(line_id, f.code, f.root_cause, f.severity, f.carc,
                                      f.rarc) for f in found])
                            count += 1
                    store.set_file_lines(file_id, count)
                except (X12ReadError, UnicodeDecodeError, ValueError) as exc:
                    db.execute(f"ROLLBACK TO file{number}")
                    db.execute(f"RELEASE file{number}")
                    self.report.errors.append((path, _message(path, exc)))
                    continue
                db.execute(f"RELEASE file{number}")
                stored.append((path, file_id))
            ids = dict(stored)
            for file, segment, finding in validator.finish():
                if file in ids and segment is not None:
                    on_claim = not self._is_line(ids[file], segment)
                    store.add_findings(ids[file], segment, [finding], claim_segment=on_claim)

        store.guard(lambda: store.transaction(write))
        for path, _ in stored:
            self.done("837", path, True)

    def _is_line(self, file_id: int, segment: int) -> bool:
        return self.store.db.execute("SELECT 1 FROM claim_lines WHERE file_id = ? AND "
                                     "segment = ?", (file_id, segment)).fetchone() is not None

    def remits(self, files: list[tuple[str, str]]) -> None:
        """Each fresh 835 file in a transaction of its own."""
        store = self.store
        for path, digest in files:
            def write(path=path, digest=digest) -> bool:
                file_id = store.add_file(path, digest, "835")
                if file_id is None:
                    return False
                count = 0
                for payment, claim in remit_claims(
                        path, self.diagnostics, self.codes,
                        on_plb=lambda plb: store.add_provider_adjustment(file_id, plb)):
                    for remit in remit_lines(payment, claim, file_id, self.codes):
                        store.add_remit_line(file_id, remit)
                        count += 1
                store.set_file_lines(file_id, count)
                return True
            try:
                stored = store.guard(lambda w=write: store.transaction(w))
            except (X12ReadError, UnicodeDecodeError, ValueError) as exc:
                self.report.errors.append((path, _message(path, exc)))
                continue
            self.done("835", path, stored)


def _message(path: str, exc: Exception) -> str:
    text = str(exc)
    return text if text.startswith(path) else f"{path}: {text}"


def load(store: ReconcileStore, claim_paths: Sequence[str | Path] = (),
         remit_paths: Sequence[str | Path] = (), *, hcpcs: Sequence[str] = DEFAULT_HCPCS,
         diagnostics: Diagnostics | None = None,
         on_file: Callable[[str, str, bool], None] | None = None) -> LoadReport:
    """Read and store the new 837 and 835 files; the unusable ones are listed in
    :attr:`LoadReport.errors` (one line each) and the others stored all the same.

    Raises :class:`StoreError` when the store itself cannot be used.
    """
    report = LoadReport()
    loader = _Loader(store, normalize_codes(hcpcs), diagnostics if diagnostics is not None
                     else Diagnostics(), report, on_file)
    claim_files = loader.fresh(claim_paths, "837")
    remit_files = loader.fresh(remit_paths, "835")
    if claim_files:
        loader.claims(claim_files)
    loader.remits(remit_files)
    return report


def linked_lines(store: ReconcileStore, as_of: date | None = None) -> Iterator[Line]:
    """Link what the store holds and stream the reconciled records with whether the totals
    count them (837 load order).

    Linking and reading run in one read transaction: one snapshot of the store, whatever
    other runs commit meanwhile (WAL: they are not blocked).
    """
    store.db.execute("BEGIN")
    try:
        store.guard(lambda: link(store))
        yield from engine.lines(store, as_of or date.today())
    finally:
        if store.db.in_transaction:
            store.db.execute("COMMIT")


def linked_records(store: ReconcileStore, as_of: date | None = None) -> Iterator[dict]:
    """The records of :func:`linked_lines`."""
    for line in linked_lines(store, as_of):
        yield line.record


def linked_orphans(store: ReconcileStore) -> Iterator[dict]:
    """Orphan records of the last :func:`linked_records` run."""
    yield from engine.orphans(store)


def reconciliation(store: ReconcileStore, lines: Iterable[Line]) -> Reconciliation:
    """The result of a linked store as lists: ``lines`` (from :func:`linked_lines`, or
    :func:`engine.lines` after it), the orphans, the totals and the stored PLB rows."""
    def run() -> Reconciliation:
        running = Totals()
        records, counted = [], []
        for line in lines:
            records.append(running.add(line.record, line.counted))
            counted.append(line.counted)
        return Reconciliation(records, list(linked_orphans(store)), running.result(),
                              store.provider_adjustments(), tuple(counted))
    return store.guard(run)


def reconcile_store(store: ReconcileStore, as_of: date | None = None) -> Reconciliation:
    """Reconcile everything the store holds, as lists."""
    return reconciliation(store, linked_lines(store, as_of))


def reconcile(claim_paths: Sequence[str | Path] = (), remit_paths: Sequence[str | Path] = (),
              db: str | Path | None = None, *, hcpcs: Sequence[str] = DEFAULT_HCPCS,
              diagnostics: Diagnostics | None = None, as_of: date | None = None,
              on_file: Callable[[str, str, bool], None] | None = None) -> Reconciliation:
    """Load the files (into ``db``, or a temporary store) and reconcile all that is stored."""
    with tempfile.TemporaryDirectory(prefix="edi-j0256-") as folder:
        with ReconcileStore(db if db is not None else Path(folder) / "reconcile.db") as store:
            load(store, claim_paths, remit_paths, hcpcs=hcpcs, diagnostics=diagnostics,
                 on_file=on_file)
            return reconcile_store(store, as_of)
