"""Segment-level mutants of the fixtures through scan, check, remit and reconcile.

Hypothesis picks the mutations (``benchmarks/fuzz_commands.py`` makes them; the long run with
thousands of mutants per command lives there). Every command must answer with exit code 0,
1 or 2, never a traceback, within the time limit. Inputs that once broke a command are kept
in ``tests/regressions/`` (``manifest.json`` names the problem) and run here too; those whose
command still fails are expected failures (not strict), listed for the command's owner.
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
REGRESSIONS = Path(__file__).resolve().parent / "regressions"


def _fuzz():
    spec = importlib.util.spec_from_file_location("fuzz_commands",
                                                  ROOT / "benchmarks" / "fuzz_commands.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["fuzz_commands"] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


fuzz = _fuzz()
QUICK = settings(max_examples=30, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("command", fuzz.COMMANDS)
@QUICK
@given(seed=st.integers(0, 2**32 - 1))
def test_mutants_never_crash(command, seed):
    data, partner = fuzz.pick(command, random.Random(seed))
    assert fuzz.run_command(command, data, partner) is None


def test_mutations_change_the_file():
    rng = random.Random(7)
    original = fuzz.CLAIMS[0].read_bytes()
    assert sum(fuzz.mutate(original, rng) != original for _ in range(50)) >= 40


def test_a_crash_is_reported():
    """The harness itself can fail: a command that raises is caught and described."""
    problem = fuzz.run_command("scan", b"", None)
    assert problem is None  # an empty file is an ordinary error (exit 2)
    assert fuzz.command_args("reconcile", "m.x12", str(fuzz.FIXTURES / "835-medicare.x12"))[
        :3] == ["reconcile", "--claims", "m.x12"]


def _regressions():
    manifest = REGRESSIONS / "manifest.json"
    if not manifest.exists():
        return []
    entries = json.loads(manifest.read_text())
    # Each input once broke its command ("problem" says how); all are fixed and must stay so.
    return [pytest.param(name, entry, id=name) for name, entry in sorted(entries.items())]


@pytest.mark.parametrize(("name", "entry"), _regressions())
def test_regression_inputs(name, entry):
    partner = ROOT / entry["partner"] if entry.get("partner") else None
    data = (REGRESSIONS / name).read_bytes()
    assert fuzz.run_command(entry["command"], data, partner) is None
