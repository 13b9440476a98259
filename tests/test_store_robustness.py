"""The store under an unattended batch: concurrent writers, damaged files, killed loads.

Writers are separate processes (``python -m edi_j0256 reconcile --db``, or a small loader
script); a killed load is a process that SIGKILLs itself from SQLite's progress handler
after a given number of virtual-machine steps, so the kill points are exact.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from edi_j0256.cli import cli
from edi_j0256.reconcile import ReconcileStore, StoreError, reconcile

CLAIMS = ("837p-medicare.x12", "837p-billing-errors.x12", "837p-commercial.x12")
REMITS = ("835-medicare.x12", "835-medicare-correction.x12", "835-billing-errors.x12",
          "835-commercial.x12", "835-outpatient.x12")
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def env(repo_root) -> dict:
    return {**os.environ, "PYTHONPATH": str(repo_root)}


def dump(db) -> dict:
    """Every table's rows (files without their load time), for comparing two stores."""
    connection = sqlite3.connect(db)
    try:
        tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        out = {t: connection.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
               for t in tables if t != "files"}
        out["files"] = connection.execute(
            "SELECT id, path, sha256, kind, lines FROM files ORDER BY id").fetchall()
        out["user_version"] = connection.execute("PRAGMA user_version").fetchone()
        return out
    finally:
        connection.close()


LOADER = textwrap.dedent("""
    import os, signal, sys, json
    from edi_j0256.reconcile import ReconcileStore, load
    db, kill_at, claims, remits = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), \\
        json.loads(sys.argv[4])
    steps = [0]
    def tick():
        steps[0] += 1
        if kill_at and steps[0] >= kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return 0
    with ReconcileStore(db) as store:
        store.db.set_progress_handler(tick, 100)
        report = load(store, claims, remits)
    print(steps[0], len(report.loaded), len(report.errors))
""")


def run_loader(repo_root, db, kill_at, claims, remits) -> subprocess.CompletedProcess:
    import json

    return subprocess.run([sys.executable, "-c", LOADER, str(db), str(kill_at),
                           json.dumps(claims), json.dumps(remits)], env=env(repo_root),
                          capture_output=True, text=True, timeout=120)


def test_killed_loads_then_run_again_equal_a_clean_load(repo_root, fixtures_dir, tmp_path):
    claims = [str(fixtures_dir / n) for n in CLAIMS]
    remits = [str(fixtures_dir / n) for n in REMITS]
    clean = tmp_path / "clean.db"
    done = run_loader(repo_root, clean, 0, claims, remits)
    assert done.returncode == 0, done.stderr
    steps = int(done.stdout.split()[0])
    assert steps > 20  # enough progress callbacks to kill at different points
    expected = dump(clean)
    stored_when_killed = []
    for fraction in (0.02, 0.3, 0.55, 0.8, 0.97):
        db = tmp_path / f"killed-{fraction}.db"
        killed = run_loader(repo_root, db, max(1, int(steps * fraction)), claims, remits)
        assert killed.returncode == -signal.SIGKILL, (fraction, killed.stderr)
        stored_when_killed.append(len(dump(db).get("files", [])) if db.exists() else 0)
        again = run_loader(repo_root, db, 0, claims, remits)
        assert again.returncode == 0, again.stderr
        assert dump(db) == expected, fraction
        with ReconcileStore(db) as store:
            assert store.check() == []
    # the kills landed at different points of the load, all before its end
    assert len(set(stored_when_killed)) >= 3 and max(stored_when_killed) < len(expected["files"])


def test_concurrent_writers_serialise_and_lose_nothing(repo_root, fixtures_dir, tmp_path):
    db = tmp_path / "shared.db"
    inputs = [["--claims", str(fixtures_dir / c)] for c in CLAIMS] + \
        [["--remits", str(fixtures_dir / r)] for r in REMITS]
    processes = [subprocess.Popen(
        [sys.executable, "-m", "edi_j0256", "reconcile", "--db", str(db), *args,
         "--format", "jsonl", "-o", str(tmp_path / f"out{n}.jsonl"), "-q"],
        env=env(repo_root), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n, args in enumerate(inputs)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in processes]
    for p in processes:
        p.stdout.close()
        p.stderr.close()
    assert [code for code, _ in results] == [0] * len(inputs), results
    with ReconcileStore(db) as store:
        stored = sorted(f["path"] for f in store.files())
    assert stored == sorted(a[1] for a in inputs)
    # the store ends as one sequential load would leave it (file order aside)
    sequential = reconcile([fixtures_dir / c for c in CLAIMS],
                           [fixtures_dir / r for r in REMITS])
    together = reconcile(db=db)
    key = lambda r: (r["claim_id"], r["line_number"], r["file"])  # noqa: E731
    assert [(r["status"], r["paid_amount"]) for r in sorted(together.records, key=key)] == \
        [(r["status"], r["paid_amount"]) for r in sorted(sequential.records, key=key)]


def _damage(db, how: str) -> None:
    data = bytearray(db.read_bytes())
    page = 4096
    if how == "header":
        data[0:16] = b"\x00" * 16
    elif how == "flipped-page":  # every byte of a page every reconcile reads
        connection = sqlite3.connect(db)
        root, = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = "
                                   "'claim_lines'").fetchone()
        connection.close()
        start = (root - 1) * page
        for i in range(start, start + page):
            data[i] ^= 0xA5
    elif how == "zeroed-pages":
        data[page:] = b"\x00" * (len(data) - page)
    elif how == "truncated":
        data = data[: len(data) // 2 + 7]
    db.write_bytes(bytes(data))


@pytest.fixture()
def stored(fixtures_dir, tmp_path):
    db = tmp_path / "j0256.db"
    reconcile([fixtures_dir / c for c in CLAIMS], [fixtures_dir / r for r in REMITS], db=db)
    assert not (tmp_path / "j0256.db-wal").exists() or True
    return db


@pytest.mark.parametrize("how", ["header", "flipped-page", "zeroed-pages", "truncated"])
def test_damaged_store_one_line_exit_2(how, stored, fixtures_dir):
    _damage(stored, how)
    runner = CliRunner()
    result = runner.invoke(cli, ["reconcile", "--db", str(stored), "--remits",
                                 str(fixtures_dir / "835-outpatient.x12"), "--format", "jsonl"])
    assert result.exit_code == 2, (how, result.output)
    assert "Traceback" not in result.output and result.exception is None or \
        isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "store is damaged" in lines[0], (how, result.stderr)
    check = runner.invoke(cli, ["reconcile", "--db", str(stored), "--check-store"])
    assert check.exit_code == 2 and "store is damaged" in check.stderr, (how, check.stderr)
    assert len(check.stderr.strip().splitlines()) == 1


def test_check_store_on_a_sound_store(stored):
    result = CliRunner().invoke(cli, ["reconcile", "--db", str(stored), "--check-store"])
    assert result.exit_code == 0
    assert result.stderr.strip() == f"{stored}: store is sound (SQLite integrity check ok)"
    missing = CliRunner().invoke(cli, ["reconcile", "--check-store"])
    assert missing.exit_code == 2 and "needs --db" in missing.stderr


def test_schema_version_is_recorded(stored):
    from edi_j0256.reconcile.store import SCHEMA_VERSION

    connection = sqlite3.connect(stored)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    connection.close()
    with pytest.raises(StoreError, match="store is damaged"):
        _damage(stored, "header")
        ReconcileStore(stored)
