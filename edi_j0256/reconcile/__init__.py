"""Reconciliation of 837 J0256 lines with their 835 adjudications.

>>> from edi_j0256.reconcile import reconcile  # doctest: +SKIP
>>> records, orphans, totals = reconcile(["claims.x12"], ["remit.835"])  # doctest: +SKIP
>>> records[0]["status"], records[0]["explained_by"]  # doctest: +SKIP
('denied', ['JM001'])

Stages, one module each: :mod:`.sources` (read 837 / 835 files into lines, run the validator
through :mod:`.findings`), :mod:`.store` (SQLite, also used in memory), :mod:`.link` (835 line
-> 837 line), :mod:`.engine` (amounts, status, history, totals).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from edi_j0256.diagnostics import Diagnostics
from edi_j0256.reconcile.engine import reconcile_lines, totals
from edi_j0256.reconcile.findings import validate
from edi_j0256.reconcile.sources import (
    DEFAULT_HCPCS,
    claim_lines,
    file_sha256,
    read_claim_file,
    read_remit_file,
)
from edi_j0256.reconcile.store import ReconcileStore, StoreError

__all__ = ["LoadReport", "ReconcileStore", "Reconciliation", "StoreError", "load",
           "reconcile", "reconcile_store"]


class Reconciliation(NamedTuple):
    records: list[dict]  # one per 837 J0256 line
    orphans: list[dict]  # 835 lines that matched no 837 line
    totals: dict  # see engine.totals


@dataclass(slots=True)
class LoadReport:
    """What a load did: files stored, and files skipped because their content was stored."""

    loaded: list[tuple[str, str]] = field(default_factory=list)  # (kind, path)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _new(store: ReconcileStore, paths: Iterable[str | Path], kind: str, seen: set[str],
         report: LoadReport) -> list[tuple[str, str]]:
    """(path, sha256) of the files whose content is neither stored nor listed before."""
    fresh = []
    for path in paths:
        digest = file_sha256(path)
        if digest in seen or store.has_file(digest):
            report.skipped.append((kind, str(path)))
        else:
            fresh.append((str(path), digest))
        seen.add(digest)
    return fresh


def load(store: ReconcileStore, claim_paths: Sequence[str | Path] = (),
         remit_paths: Sequence[str | Path] = (), *, hcpcs: Sequence[str] = DEFAULT_HCPCS,
         diagnostics: Diagnostics | None = None,
         on_file: Callable[[str, str, bool], None] | None = None) -> LoadReport:
    """Read and store new 837 and 835 files, one transaction per file.

    The 837 files of one call are validated together (cross-claim rules see all of them)
    before any is stored. Raises :class:`~edi_j0256.diagnostics.X12ReadError` (or OSError)
    naming the file that cannot be read; files stored before it stay stored.
    """
    report = LoadReport()
    seen: set[str] = set()
    claim_files = _new(store, claim_paths, "837", seen, report)
    claims = [(path, digest, read_claim_file(path, hcpcs=hcpcs, diagnostics=diagnostics))
              for path, digest in claim_files]
    findings = validate(c for _, _, file_claims in claims for c in file_claims)
    for path, digest, file_claims in claims:
        lines = list(claim_lines(file_claims, 0, findings, hcpcs))
        done = store.add_claim_file(path, digest, lines)
        (report.loaded if done else report.skipped).append(("837", path))
        if on_file:
            on_file("837", path, done)
    remit_files = _new(store, remit_paths, "835", seen, report)
    for path, digest in remit_files:
        lines = read_remit_file(path, 0, hcpcs=hcpcs, diagnostics=diagnostics)
        done = store.add_remit_file(path, digest, lines)
        (report.loaded if done else report.skipped).append(("835", path))
        if on_file:
            on_file("835", path, done)
    return report


def reconcile_store(store: ReconcileStore) -> Reconciliation:
    """Reconcile everything the store holds."""
    records, orphans = reconcile_lines(store.claim_lines(), store.remit_lines())
    return Reconciliation(records, orphans, totals(records))


def reconcile(claim_paths: Sequence[str | Path] = (), remit_paths: Sequence[str | Path] = (),
              db: str | Path | None = None, *, hcpcs: Sequence[str] = DEFAULT_HCPCS,
              diagnostics: Diagnostics | None = None,
              on_file: Callable[[str, str, bool], None] | None = None) -> Reconciliation:
    """Load the files (into ``db``, or a store in memory) and reconcile all that is stored."""
    with ReconcileStore(db if db is not None else ":memory:") as store:
        load(store, claim_paths, remit_paths, hcpcs=hcpcs, diagnostics=diagnostics,
             on_file=on_file)
        return reconcile_store(store)
