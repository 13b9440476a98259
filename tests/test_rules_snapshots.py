"""Snapshots: every rule fixture's findings, compared exactly with the file beside it.

``fixtures/rules/NAME.expected`` holds one ``LINE: CODE message`` per finding of
``NAME.x12`` checked alone (in reading order); ``A+B.expected`` holds the findings of the
files A and B checked in one run, each line prefixed with its file's name. A finding moved to
another segment, a changed message or a lost finding fails the test.

After an intentional change, regenerate them and review the diff:

    EDI_J0256_UPDATE_SNAPSHOTS=1 PYTHONPATH=$PWD python -m pytest tests/test_rules_snapshots.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rule_support import DATA, RULE_FIXTURES

from edi_j0256.rules import Checker, Finding, RuleContext, load_crosswalk, load_policies

UPDATE = os.environ.get("EDI_J0256_UPDATE_SNAPSHOTS") == "1"
POLICY = DATA / "policy_caps_and_brands.toml"
NEEDS_POLICY = ("JF002-", "JN007-")  # their payer's caps and brands are in a user policy
RUNS = {"JF001-trigger-a+JF001-trigger-b": ["JF001-trigger-a", "JF001-trigger-b"],
        "JF001-trigger-b+JF001-trigger-a": ["JF001-trigger-b", "JF001-trigger-a"]}
SINGLE = sorted(p.stem for p in RULE_FIXTURES.glob("*.x12"))


def findings(names: list[str]) -> list[Finding]:
    policy = POLICY if names[0].startswith(NEEDS_POLICY) else None
    checker = Checker(RuleContext(load_policies(policy), load_crosswalk()))
    found: list[Finding] = []
    for name in names:
        found += checker.check_file(str(RULE_FIXTURES / f"{name}.x12"))
    return found + list(checker.finish())


def render(found: list[Finding], with_file: bool) -> str:
    lines = []
    for f in found:
        prefix = f"{Path(f.file).stem}:" if with_file and f.file else ""
        message = f.message.replace(f"{RULE_FIXTURES}/", "")  # no machine's folder in it
        lines.append(f"{prefix}{f.line}: {f.code} {message}")
    return "".join(line + "\n" for line in lines)


def compare(name: str, text: str) -> None:
    path = RULE_FIXTURES / f"{name}.expected"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path.name} missing: run with EDI_J0256_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8"), f"{name}: findings differ from snapshot"


@pytest.mark.parametrize("name", SINGLE)
def test_fixture_matches_its_snapshot(name: str) -> None:
    compare(name, render(findings([name]), with_file=False))


@pytest.mark.parametrize("run", sorted(RUNS))
def test_cross_file_run_matches_its_snapshot(run: str) -> None:
    compare(run, render(findings(RUNS[run]), with_file=True))


def test_every_snapshot_has_its_fixture() -> None:
    stale = {p.stem for p in RULE_FIXTURES.glob("*.expected")} - set(SINGLE) - set(RUNS)
    assert not stale, f"snapshots without a fixture: {sorted(stale)}"


def test_trigger_snapshots_name_their_rule() -> None:
    for name in SINGLE:
        code = name.split("-")[0]
        text = (RULE_FIXTURES / f"{name}.expected").read_text(encoding="utf-8")
        codes = {line.split(" ")[1] for line in text.splitlines()}
        if "-trigger" in name and code != "JF001":
            assert code in codes, name
        if "-pass" in name and code[:2] in ("JU", "JM", "JN", "JD", "JA", "JP", "JF", "JC"):
            assert code not in codes, name
