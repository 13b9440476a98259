"""Helpers for the rule tests: build 837 X12 text with the fixture generator and check it."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

from edi_j0256.rules import Checker, Finding, RuleContext, load_crosswalk, load_policies

ROOT = Path(__file__).resolve().parent.parent
RULE_FIXTURES = ROOT / "fixtures" / "rules"
DATA = Path(__file__).resolve().parent / "data"

_spec = importlib.util.spec_from_file_location("make_rule_fixtures",
                                               RULE_FIXTURES / "make_rule_fixtures.py")
make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make)


def check_text(claims: list[dict], kind: str = "837P", *, policy: Path | None = None,
               crosswalk: Path | None = None, select: tuple[str, ...] = ()) -> list[Finding]:
    """Findings of one generated 837 document (claim and run rules)."""
    text = make.document(claims, kind)
    context = RuleContext(load_policies(policy), load_crosswalk(crosswalk))
    checker = Checker(context, select=select)
    found = list(checker.check_file(io.BytesIO(text.encode("ascii")), name="test.x12"))
    return found + list(checker.finish())


def codes(findings: list[Finding]) -> list[str]:
    return sorted(f.code for f in findings)
