"""The rules' ``when`` tests only skip work: findings are the same with every rule called.

A claim rule may say, with ``when``, what a claim must have for it to find anything (a JW
line, a unit count that is not a positive whole number ...); the engine then does not call
it on other claims. Each test here checks the same input twice, once as ``check`` does and
once with every ``when`` taken away, and compares every field of every finding in order:
on every fixture (each rule's trigger and pass files, the billing-error files, the reader's
edge cases), under a policy with caps and preferred brands, and on a generated file where a
fifth of the J0256 claims carry a billing error.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path

import pytest
from rule_support import DATA, ROOT

from edi_j0256.rules import Checker, RuleContext, load_crosswalk, load_policies
from edi_j0256.rules.registry import RULES
from edi_j0256.x12.kind import detect_file_kind

FIXTURES = sorted(p for p in (ROOT / "fixtures").rglob("*.x12")
                  if (kind := detect_file_kind(str(p))) is not None and kind.is_claims)
POLICY = DATA / "policy_caps_and_brands.toml"


def _findings(paths: list[Path], gated: bool, policy: Path | None = None) -> list[tuple]:
    checker = Checker(RuleContext(load_policies(policy), load_crosswalk()))
    if not gated:
        checker.claim_rules = [dataclasses.replace(r, when=None) for r in checker.claim_rules]
    found = list(checker.check_inputs([str(p) for p in paths]))
    return [dataclasses.astuple(f) for f in found]


def test_some_rules_are_gated() -> None:
    gated = {code for code, r in RULES.items() if r.when is not None}
    assert {"JU001", "JM003", "JN001", "JC006", "JD002"} <= gated
    assert all(RULES[code].scope == "claim" for code in gated)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(ROOT)))
def test_fixture_findings_do_not_depend_on_gates(path: Path) -> None:
    assert _findings([path], True) == _findings([path], False)


def test_policy_with_caps_and_brands_does_not_depend_on_gates() -> None:
    rules = sorted((ROOT / "fixtures" / "rules").glob("*.x12"))
    gated = _findings(rules, True, POLICY)
    assert gated == _findings(rules, False, POLICY)
    assert {"JN007", "JF002"} <= {f[0] for f in gated}


def test_generated_errors_do_not_depend_on_gates(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "generate_837p", ROOT / "benchmarks" / "generate_837p.py")
    generator = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["generate_837p"] = generator
    spec.loader.exec_module(generator)  # type: ignore[union-attr]
    path = tmp_path / "errors.x12"
    info = generator.generate(path, size_mb=0.4, j0256_share=1.0, seed=3, error_share=0.2)
    assert info["error_claims"] > 20
    gated = _findings([path], True)
    assert gated == _findings([path], False)
    codes = {f[0] for f in gated}
    assert {"JU001", "JU002", "JN001", "JD002", "JD003", "JC003", "JC006"} <= codes
