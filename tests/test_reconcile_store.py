"""The SQLite store: two runs equal one in memory, idempotent loads, WAL, interrupted loads."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from edi_j0256.reconcile import (
    ReconcileStore,
    StoreError,
    load,
    reconcile,
    reconcile_store,
)
from edi_j0256.reconcile.store import SCHEMA_VERSION

CLAIMS = ("837p-medicare.x12", "837p-billing-errors.x12")
REMITS = ("835-medicare.x12", "835-medicare-correction.x12", "835-billing-errors.x12")


@pytest.fixture()
def paths(fixtures_dir):
    return [fixtures_dir / n for n in CLAIMS], [fixtures_dir / n for n in REMITS]


def counts(db) -> dict:
    connection = sqlite3.connect(db)
    try:
        return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("files", "claim_lines", "findings", "remit_lines",
                                  "adjustments")}
    finally:
        connection.close()


def test_two_runs_equal_one_in_memory(paths, tmp_path):
    claims, remits = paths
    db = tmp_path / "j0256.db"
    first = reconcile(claims, db=db)
    assert {r["status"] for r in first.records} == {"unmatched"}
    later = reconcile(remit_paths=remits, db=db)  # weeks later: the 835s alone
    in_memory = reconcile(claims, remits)
    assert later.records == in_memory.records
    assert later.orphans == in_memory.orphans
    assert later.totals == in_memory.totals
    assert any(r["explained_by"] for r in later.records)  # findings survived the store


def test_loading_the_same_file_twice_changes_nothing(paths, tmp_path):
    claims, remits = paths
    db = tmp_path / "j0256.db"
    once = reconcile(claims, remits, db=db)
    before = counts(db)
    copy = tmp_path / "same-content-other-name.x12"
    shutil.copyfile(remits[0], copy)
    with ReconcileStore(db) as store:
        report = load(store, claims, [*remits, copy])
        again = reconcile_store(store)
    assert report.loaded == []
    assert len(report.skipped) == len(claims) + len(remits) + 1
    assert counts(db) == before
    assert again.records == once.records


def test_same_file_twice_in_one_call(paths, tmp_path):
    claims, remits = paths
    with ReconcileStore(tmp_path / "j0256.db") as store:
        report = load(store, claims + claims[:1], remits)
        assert report.skipped == [("837", str(claims[0]))]


def test_wal_and_schema_version(tmp_path):
    db = tmp_path / "j0256.db"
    with ReconcileStore(db) as store:
        assert store.journal_mode == "wal"
    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    connection.close()


def test_unusable_file_among_good_ones_is_reported_the_rest_stored(paths, tmp_path):
    claims, remits = paths
    db = tmp_path / "j0256.db"
    broken = tmp_path / "broken.x12"
    broken.write_text("this is not X12 at all\n")
    binary = tmp_path / "binary.x12"
    binary.write_bytes(bytes(range(256)) * 40)
    with ReconcileStore(db) as store:
        report = load(store, [*claims, binary], [remits[0], broken, remits[1],
                                                 tmp_path / "missing.835", claims[0]])
        stored = {(f["kind"], f["path"]) for f in store.files()}
    assert stored == {("837", str(c)) for c in claims} | {("835", str(r)) for r in remits[:2]}
    problems = dict(report.errors)
    assert set(problems) == {str(binary), str(broken), str(tmp_path / "missing.835"),
                             str(claims[0])}
    assert "not an 835 remittance file (give it with --claims)" in problems[str(claims[0])]
    assert "no such file" in problems[str(tmp_path / "missing.835")].lower()
    assert all(m.startswith(p) and "\n" not in m for p, m in report.errors)


def test_failed_transaction_rolls_back(paths, tmp_path):
    claims, remits = paths
    db = tmp_path / "j0256.db"
    with ReconcileStore(db) as store:
        load(store, claims)
        before = counts(db)

        def write():
            store.add_file("x.835", "0" * 64, "835")
            raise RuntimeError("disk full")

        with pytest.raises(RuntimeError):
            store.transaction(write)
    assert counts(db) == before


def test_refuses_other_databases(tmp_path):
    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    with pytest.raises(StoreError, match="not a reconciliation store"):
        ReconcileStore(other)
    newer = tmp_path / "newer.db"
    connection = sqlite3.connect(newer)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(StoreError, match="newer"):
        ReconcileStore(newer)
    text = tmp_path / "text.db"
    text.write_text("not sqlite " * 200)
    with pytest.raises(StoreError, match="text.db: store is damaged"):
        ReconcileStore(text)
    older = tmp_path / "older.db"
    connection = sqlite3.connect(older)
    connection.execute("PRAGMA user_version = 1")
    connection.close()
    with pytest.raises(StoreError, match="older"):
        ReconcileStore(older)
