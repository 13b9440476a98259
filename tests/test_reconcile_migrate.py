"""Opening a schema-2 store (before PLB rows were kept) migrates it in place, in one transaction.

A schema-2 store is a schema-3 store without the ``provider_adjustments`` table and with
``user_version`` 2 (the only difference between the two schemas): the tests make one so from a
store loaded with copies of the fixture files.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner

from edi_j0256.cli import cli
from edi_j0256.reconcile import ReconcileStore, StoreError, load, reconcile, reconcile_store

AS_OF = date(2026, 3, 25)
CLAIMS = ("837p-medicare.x12",)
REMITS = ("835-medicare.x12", "835-medicare-correction.x12")
PLB = [("L6", "INTEREST", Decimal("-1.25"), "TSTCHK0001", date(2026, 2, 20)),
       ("FB", "TSTMB26020100102", Decimal("-1254.4"), "TSTCHK0003", date(2026, 3, 10))]


@pytest.fixture()
def files(fixtures_dir, tmp_path):
    for name in CLAIMS + REMITS:
        shutil.copy(fixtures_dir / name, tmp_path / name)
    return [str(tmp_path / n) for n in CLAIMS], [str(tmp_path / n) for n in REMITS]


def schema_2_store(db, claims, remits) -> None:
    with ReconcileStore(db) as store:
        load(store, claims, remits)
    connection = sqlite3.connect(db)
    connection.execute("DROP TABLE provider_adjustments")
    connection.execute("PRAGMA user_version = 2")
    connection.commit()
    connection.close()


def schema(db) -> tuple[int, bool]:
    connection = sqlite3.connect(db)
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        table = connection.execute("SELECT count(*) FROM sqlite_master WHERE name = "
                                   "'provider_adjustments'").fetchone()[0]
    finally:
        connection.close()
    return version, bool(table)


def plb_rows(rows) -> list[tuple]:
    return [(r["reason"], r["reference"], r["amount"], r["trace_number"], r["check_date"])
            for r in rows]


def test_schema_2_store_is_migrated_with_its_plb_rows(files, tmp_path):
    claims, remits = files
    db = tmp_path / "old.db"
    schema_2_store(db, claims, remits)
    with ReconcileStore(db) as store:
        assert store.notes == [f"{db}: store upgraded from schema 2 to 3 (provider-level "
                               "adjustments of 2 stored 835 file(s) added)"]
        migrated = reconcile_store(store, AS_OF)
    assert schema(db) == (3, True)
    assert plb_rows(migrated.plb) == PLB
    assert [r["file"] for r in migrated.plb] == remits
    fresh = reconcile(claims, remits, as_of=AS_OF)
    assert migrated == fresh
    with ReconcileStore(db) as store:  # once only
        assert store.notes == []
        assert plb_rows(store.provider_adjustments()) == PLB


def test_an_835_gone_since_is_named_and_the_rest_migrated(files, tmp_path):
    claims, remits = files
    db = tmp_path / "old.db"
    schema_2_store(db, claims, remits)
    with open(remits[1], "a", encoding="ascii") as stream:  # changed since it was loaded
        stream.write("\n")
    with ReconcileStore(db) as store:
        assert store.notes == [
            f"{db}: store upgraded from schema 2 to 3 (provider-level adjustments of 1 stored "
            "835 file(s) added)",
            f"{remits[1]}: 835 stored before schema 3 is gone or changed: its PLB rows are not "
            "in the store (load it into a new store to have them)"]
        assert plb_rows(store.provider_adjustments()) == PLB[:1]


def test_a_failed_migration_leaves_the_store_as_it_was(files, tmp_path, monkeypatch):
    claims, remits = files
    db = tmp_path / "old.db"
    schema_2_store(db, claims, remits)
    calls = []

    def failing(self, file_id, plb):
        calls.append(file_id)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(ReconcileStore, "add_provider_adjustment", failing)
    with pytest.raises(StoreError, match=r"old\.db: store is damaged .*disk I/O error"):
        ReconcileStore(db)
    assert calls and schema(db) == (2, False)  # rolled back: no table, still schema 2
    monkeypatch.undo()
    with ReconcileStore(db) as store:
        assert plb_rows(store.provider_adjustments()) == PLB


def test_commands_say_the_store_was_upgraded(files, tmp_path):
    claims, remits = files
    db = tmp_path / "old.db"
    schema_2_store(db, claims, remits)
    shutil.move(remits[0], tmp_path / "moved.x12")  # gone from where it was loaded
    runner = CliRunner()
    result = runner.invoke(cli, ["reconcile", "--db", str(db), "--as-of", "2026-03-25",
                                 "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[:2] == [
        f"note: {db}: store upgraded from schema 2 to 3 (provider-level adjustments of 1 "
        "stored 835 file(s) added)",
        f"note: {remits[0]}: 835 stored before schema 3 is gone or changed: its PLB rows are "
        "not in the store (load it into a new store to have them)"]
    again = runner.invoke(cli, ["report", "--db", str(db), "-o", str(tmp_path / "r.html")])
    assert again.exit_code == 0 and "note:" not in again.stderr


def test_older_stores_still_fail_in_one_line(tmp_path):
    db = tmp_path / "v1.db"
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA user_version = 1")
    connection.close()
    result = CliRunner().invoke(cli, ["report", "--db", str(db), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: {db}: store schema version 1 is older than this program's (3); load the files "
        "into a new store"]
