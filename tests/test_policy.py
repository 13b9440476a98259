"""Payer policy profiles: bundled defaults, selection, user overrides, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rule_support import DATA, RULE_FIXTURES

from edi_j0256.claims.model import Claim, Envelope
from edi_j0256.cli import cli
from edi_j0256.rules import PolicyError, load_policies


def _claim(sbr09: str | None = None, payer_id: str | None = None) -> Claim:
    return Claim(Envelope("t.x12", transaction_type="837P"), "C1",
                 claim_filing_indicator=sbr09, payer_id=payer_id)


def test_bundled_profiles() -> None:
    policies = load_policies()
    assert {"medicare", "medicare_advantage", "medicaid", "commercial"} <= set(policies.profiles)
    medicare = policies.profiles["medicare"]
    assert medicare.require_waste_modifier and not medicare.require_prior_auth
    commercial = policies.profiles["commercial"]
    assert commercial.require_prior_auth and commercial.max_units_per_7_days == 700
    assert "PH-0052" in commercial.unit_cap_source
    assert all(p.max_units_per_day is None for p in policies.profiles.values())  # no MUE


@pytest.mark.parametrize(("sbr09", "payer_id", "expected"), [
    ("MB", None, "medicare"), ("MA", None, "medicare"), ("MC", None, "medicaid"),
    ("CI", None, "commercial"), ("BL", None, "commercial"), ("HM", None, "commercial"),
    ("16", None, "medicare_advantage"), (None, None, "commercial"), ("ZZ", None, "commercial"),
])
def test_selection_by_filing_indicator(sbr09, payer_id, expected) -> None:
    assert load_policies().for_claim(_claim(sbr09, payer_id)).name == expected


def test_user_file_overrides_and_adds() -> None:
    policies = load_policies(DATA / "policy_caps_and_brands.toml")
    assert policies.profiles["medicare"].require_ndc
    assert policies.profiles["medicare"].require_waste_modifier  # untouched keys kept
    plan = policies.for_claim(_claim("MB", "tstcap01"))  # payer ID wins over SBR09
    assert plan.name == "test_capped_plan" and plan.max_units_per_day == 500
    assert plan.require_prior_auth and plan.max_units_per_7_days == 700  # based_on commercial
    assert plan.filing_indicators == ()  # not inherited
    assert plan.preferred_ndcs == ("13533070551",)
    assert policies.files[-1].endswith("policy_caps_and_brands.toml")


def test_zero_turns_a_cap_off(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("[profiles.commercial]\nmax_units_per_7_days = 0\nmin_age = 0\n")
    commercial = load_policies(path).profiles["commercial"]
    assert not commercial.max_units_per_7_days and not commercial.min_age


@pytest.mark.parametrize(("text", "names"), [
    ("[profiles.medicare]\nrequire_jwjz = true\n", "profiles.medicare.require_jwjz"),
    ("[profiles.medicare]\nrequire_ndc = \"yes\"\n", "profiles.medicare.require_ndc"),
    ("[profiles.commercial]\nmax_units_per_7_days = -5\n",
     "profiles.commercial.max_units_per_7_days"),
    ("[profiles.commercial]\nmax_units_per_day = 1.5\n", "profiles.commercial.max_units_per_day"),
    ("[profiles.x]\npreferred_ndcs = [\"123\"]\n", "profiles.x.preferred_ndcs"),
    ("[profiles.x]\nbased_on = \"nope\"\n", "profiles.x.based_on"),
    ("default_profile = \"nope\"\n", "default_profile"),
    ("payers = 1\n", "payers"),
    ("[profiles.a]\npayer_ids = [\"P1\"]\n[profiles.b]\npayer_ids = [\"P1\"]\n", "P1"),
    ("[profiles.medicare\n", "not valid TOML"),
])
def test_bad_policy_names_key_and_file(tmp_path: Path, text: str, names: str) -> None:
    path = tmp_path / "bad-policy.toml"
    path.write_text(text)
    with pytest.raises(PolicyError) as error:
        load_policies(path)
    assert str(path) in str(error.value) and names in str(error.value)


def test_bad_policy_exits_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[profiles.medicare]\nrequire_jwjz = true\n")
    result = CliRunner().invoke(cli, ["check", "--policy", str(path),
                                      str(RULE_FIXTURES / "clean-medicare.x12")])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "require_jwjz" in result.output and "bad.toml" in result.output


def test_missing_policy_file_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--policy", str(tmp_path / "none.toml"),
                                      str(RULE_FIXTURES / "clean-medicare.x12")])
    assert result.exit_code == 2 and "none.toml" in result.output


def test_policy_changes_findings() -> None:
    path = str(RULE_FIXTURES / "JU001-trigger.x12")  # Medicare claim without NDC
    bundled = CliRunner().invoke(cli, ["check", "--select", "JN001", path])
    assert bundled.exit_code == 0 and "does not require" in bundled.output  # a warning
    strict = CliRunner().invoke(cli, ["check", "--select", "JN001", "--policy",
                                      str(DATA / "policy_caps_and_brands.toml"), path])
    assert strict.exit_code == 1 and "`medicare` policy requires one" in strict.output
