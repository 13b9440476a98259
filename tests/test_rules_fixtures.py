"""Every rule against real X12 files: one that triggers it and one that must not.

The files are in fixtures/rules/, written by fixtures/rules/make_rule_fixtures.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_support import DATA, RULE_FIXTURES, make

from edi_j0256.rules import RULES, Checker, RuleContext, load_crosswalk, load_policies

POLICY = DATA / "policy_caps_and_brands.toml"

# rule -> (files that must trigger it, files that must not); files run together in one run
CASES: dict[str, tuple[list[list[str]], list[list[str]]]] = {
    "JU001": ([["JU001-trigger"]], [["JU001-pass"]]),
    "JU002": ([["JU002-trigger"]], [["JU002-pass"]]),
    "JU003": ([["JU003-trigger"]], [["JU003-pass"], ["JM001-pass"], ["JC005-pass"]]),
    "JU004": ([["JU004-trigger"]], [["JU004-pass"]]),
    "JU005": ([["JU005-trigger"]], [["JU005-pass"]]),
    "JM001": ([["JM001-trigger"]], [["JM001-pass"], ["clean-commercial"]]),
    "JM002": ([["JM002-trigger"]], [["JM002-pass"], ["JM001-pass"]]),
    "JM003": ([["JM003-trigger"]], [["JM003-pass"]]),
    "JM004": ([["JM004-trigger"]], [["JM004-pass"]]),
    "JM005": ([["JM005-trigger"]], [["JM005-pass"]]),
    "JM006": ([["JM006-trigger"]], [["JM006-pass"]]),
    "JN001": ([["JN001-trigger"], ["JN001-trigger-medicaid"]], [["JN001-pass"]]),
    "JN002": ([["JN002-trigger"]], [["JN002-pass"]]),
    "JN003": ([["JN003-trigger"]], [["JN003-pass"]]),
    "JN004": ([["JN004-trigger"]], [["JN004-pass"]]),
    "JN005": ([["JN005-trigger"]], [["JN005-pass"]]),
    "JN006": ([["JN006-trigger"]], [["JN006-pass"]]),
    "JN008": ([["JN008-trigger"], ["JN002-pass"]], [["JN008-pass"], ["clean-commercial"]]),
    "JD001": ([["JD001-trigger"]], [["JD001-pass"]]),
    "JD002": ([["JD002-trigger"]], [["JD002-pass"]]),
    "JD003": ([["JD003-trigger"]], [["JD003-pass"]]),
    "JD004": ([["JD004-trigger"]], [["JD004-pass"]]),
    "JD005": ([["JD005-trigger"]], [["JD005-pass"], ["JD002-pass"]]),
    "JA001": ([["JA001-trigger"]], [["JA001-pass"], ["JA001-pass-medicare"]]),
    "JP001": ([["JP001-trigger"]], [["JP001-pass"]]),
    "JF001": ([["JF001-trigger-a", "JF001-trigger-b"], ["JF001-trigger-one-claim"]],
              [["JF001-pass"], ["JF001-trigger-a"], ["JF001-trigger-b"], ["replacement-pass"],
               ["void-pass"], ["twins-pass"], ["JM001-pass"]]),
    "JF003": ([["JF003-trigger"]], [["JF003-pass"]]),
    "JF004": ([["JF004-trigger"]], [["JF004-pass"], ["JF002-trigger"]]),
    "JC001": ([["JC001-trigger"]], [["JC001-pass"]]),
    "JC002": ([["JC002-trigger"], ["JC002-trigger-837i"]], [["JC002-pass"]]),
    "JC003": ([["JC003-trigger"]], [["JC003-pass"]]),
    "JC004": ([["JC004-trigger"]], [["JC004-pass"]]),
    "JC005": ([["JC005-trigger"]], [["JC005-pass"], ["replacement-pass"], ["void-pass"],
                                    ["twins-pass"]]),
    "JC006": ([["JC006-trigger"]], [["JC006-pass"]]),
    "JC007": ([["JC007-trigger"]], [["JC007-pass"]]),
    "JC008": ([["JC008-trigger"]], [["JC008-pass"], ["replacement-pass"], ["void-pass"]]),
}
# rules whose trigger needs a user policy (no bundled profile sets a daily cap or brands)
POLICY_CASES: dict[str, tuple[list[str], list[str]]] = {
    "JF002": (["JF002-trigger"], ["JF002-pass"]),
    "JN007": (["JN007-trigger"], ["JN007-pass"]),
}
CLEAN = ["clean-medicare", "clean-commercial", "clean-outpatient"]


def run(names: list[str], policy: Path | None = None) -> list:
    checker = Checker(RuleContext(load_policies(policy), load_crosswalk()))
    found = []
    for name in names:
        found += checker.check_file(str(RULE_FIXTURES / f"{name}.x12"))
    return found + list(checker.finish())


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_triggers_and_passes(code: str) -> None:
    triggers, passes = CASES[code]
    for names in triggers:
        hits = [f for f in run(names) if f.code == code]
        assert hits, f"{code} not raised by {names}"
        assert all(f.claim_id and f.line for f in hits)
    for names in passes:
        assert code not in {f.code for f in run(names)}, f"{code} raised by {names}"


@pytest.mark.parametrize("code", sorted(POLICY_CASES))
def test_policy_rule_triggers_and_passes(code: str) -> None:
    trigger, passing = POLICY_CASES[code]
    assert code in {f.code for f in run(trigger, POLICY)}
    assert code not in {f.code for f in run(passing, POLICY)}
    assert code not in {f.code for f in run(trigger)}  # bundled profiles never set it


def test_every_claim_rule_has_fixture_cases() -> None:
    covered = set(CASES) | set(POLICY_CASES)
    missing = {c for c, r in RULES.items() if r.scope != "file"} - covered
    assert not missing, f"rules without trigger/pass fixtures: {sorted(missing)}"


@pytest.mark.parametrize("name", CLEAN)
def test_clean_realistic_claims_have_no_findings(name: str) -> None:
    assert run([name]) == []


def test_clean_project_fixtures_have_no_errors() -> None:
    files = ["837p-medicare", "837p-commercial", "837i-outpatient"]
    checker = Checker()
    found = []
    for name in files:
        found += checker.check_file(str(RULE_FIXTURES.parent / f"{name}.x12"))
    found += checker.finish()
    assert [str(f) for f in found] == []


def test_cross_file_frequency_flags_the_line_read_later() -> None:
    found = [f for f in run(["JF001-trigger-a", "JF001-trigger-b"]) if f.code == "JF001"]
    assert [(f.claim_id, f.file.endswith("JF001-trigger-b.x12")) for f in found] == [
        ("RUL-6002", True)]
    assert "5 days after claim RUL-6001" in found[0].message
    assert "JF001-trigger-a.x12" in found[0].message
    found = [f for f in run(["JF001-trigger-b", "JF001-trigger-a"]) if f.code == "JF001"]
    assert [f.claim_id for f in found] == ["RUL-6001"]
    assert "5 days before claim RUL-6002" in found[0].message


def test_hyphenated_ndc_is_normalised_with_a_warning() -> None:
    found = run(["JN002-pass"])
    assert [(f.code, f.severity) for f in found] == [("JN008", "warning")]


def test_fixture_files_match_the_generator(tmp_path: Path) -> None:
    for name, (claims, kind) in make.FIXTURES.items():
        on_disk = (RULE_FIXTURES / f"{name}.x12").read_text(encoding="ascii")
        control = int(on_disk.split("\n", 2)[1].split("*")[6])
        assert make.document(claims, kind, control) == on_disk, name


def test_billing_errors_fixture_defects_are_found() -> None:
    """Each claim of fixtures/837p-billing-errors.x12 has one stated defect."""
    expected = {
        "ERR-6001": "JM001", "ERR-6002": "JU002", "ERR-6003": "JN003", "ERR-6004": "JM002",
        "ERR-6005": "JM005", "ERR-6006": "JN001", "ERR-6007": "JM004", "ERR-6008": "JC006",
        "ERR-6009": "JD001", "ERR-6010": "JA001", "ERR-6012": "JC003",
    }
    found = Checker().check_file(str(RULE_FIXTURES.parent / "837p-billing-errors.x12"))
    by_claim: dict[str, set[str]] = {}
    for f in found:
        by_claim.setdefault(f.claim_id, set()).add(f.code)
    for claim_id, code in expected.items():
        assert code in by_claim.get(claim_id, set()), (claim_id, code, by_claim.get(claim_id))
    assert by_claim["ERR-6011"] == {"JN008"}  # hyphenated NDC, normalised: a warning only
    assert "JM006" in by_claim["ERR-6005"]
