"""The reader-core speed work changes no record and no finding (issue 10, "Goals").

`scan --format jsonl` (J0256, and ``--hcpcs ALL``) and `check --format jsonl` are run on every
fixture (``fixtures/**/*.x12``), every peer file (``../shared/corpus/peers``) and two small
generated files (``tests/data/speed/gen-*.x12``), and their exit status, standard output and
standard error are compared exactly with what the code before the speed work wrote
(``tests/data/speed/expected-*.jsonl.gz``, one JSON object per run).

To write the expected outputs again (only from code whose output is known to be right):
``PYTHONPATH=$PWD python tests/test_speed_identity.py --write``.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO_ROOT = Path(__file__).resolve().parent.parent
SPEED_DIR = REPO_ROOT / "tests" / "data" / "speed"
PEERS_DIR = REPO_ROOT.parent / "shared" / "corpus" / "peers"

# (name, argument list before the file): each is run once per input file
COMMANDS = {
    "scan": ["scan", "--format", "jsonl"],
    "scan-all": ["scan", "--format", "jsonl", "--hcpcs", "ALL"],
    "check": ["check", "--format", "jsonl", "--fail-on", "warning"],
}


def _inputs(group: str) -> list[str]:
    """Input paths relative to the repository root (as the CLI is run from there)."""
    if group == "fixtures":
        found = sorted((REPO_ROOT / "fixtures").rglob("*.x12"))
        found += sorted(SPEED_DIR.glob("gen-*.x12"))
    else:
        found = sorted(p for p in PEERS_DIR.rglob("*") if p.is_file() and p.suffix != ".md")
    return [os.path.relpath(p, REPO_ROOT) for p in found]


def _run(args: list[str]) -> dict:
    from edi_j0256.cli import cli

    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return {"args": args, "exit": result.exit_code, "stdout": result.stdout,
            "stderr": result.stderr}


def _expected_path(command: str, group: str) -> Path:
    return SPEED_DIR / f"expected-{command}-{group}.jsonl.gz"


def _read(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        return stream.read().splitlines()


def _runs(command: str, group: str) -> list[dict]:
    runs = [_run([*COMMANDS[command], path]) for path in _inputs(group)]
    if command == "check" and group == "fixtures":
        # the cross-claim rules (frequency, caps, duplicates) across all rule fixtures at once
        together = sorted(p for p in _inputs(group) if p.startswith("fixtures/rules/"))
        runs.append(_run([*COMMANDS[command], *together]))
    return runs


@pytest.fixture
def at_repo_root(monkeypatch):
    monkeypatch.chdir(REPO_ROOT)


@pytest.mark.parametrize("group", ["fixtures", "peers"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_output_is_unchanged(command, group, at_repo_root):
    if group == "peers" and not PEERS_DIR.is_dir():
        pytest.skip(f"peer corpus not found at {PEERS_DIR}")
    expected_lines = _read(_expected_path(command, group))
    expected = [json.loads(line) for line in expected_lines]
    actual = _runs(command, group)
    assert [run["args"] for run in actual] == [run["args"] for run in expected]
    for got, want in zip(actual, expected, strict=True):
        assert got == want, f"{command} {' '.join(want['args'][len(COMMANDS[command]):])}"


def test_the_expected_outputs_hold_records_and_findings():
    """The comparison above is not vacuous: the stored runs contain real records and findings."""
    def count(command):
        lines = _read(_expected_path(command, "fixtures"))
        return sum(json.loads(line)["stdout"].count("\n") for line in lines)

    assert count("scan") > 1000
    assert count("scan-all") > count("scan")
    assert count("check") > 100


def _write() -> None:
    os.chdir(REPO_ROOT)
    for command in COMMANDS:
        for group in ("fixtures", "peers"):
            with gzip.open(_expected_path(command, group), "wt", encoding="utf-8") as out:
                for run in _runs(command, group):
                    out.write(json.dumps(run, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    _write()
