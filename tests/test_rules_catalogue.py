"""The rule catalogue is complete: every registered rule carries all its metadata and docs."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_j0256.cli import cli
from edi_j0256.root_causes import ROOT_CAUSES
from edi_j0256.rules import RULES, all_rules, get_rule
from edi_j0256.rules.registry import HEADINGS, rule

DATA = Path(__file__).resolve().parent.parent / "edi_j0256" / "data"
HCPCS_LIKE = re.compile(r"^[A-Z]\d{4}$")


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_metadata_complete(code: str) -> None:
    r = RULES[code]
    assert r.code == code and re.match(r"^(JU|JM|JN|JD|JA|JP|JF|JC|IG)\d{3}$", code)
    assert not HCPCS_LIKE.match(code)
    assert re.match(r"^[a-z0-9]+(-[a-z0-9]+)*$", r.name), r.name
    assert r.severity in ("error", "warning", "info")
    assert r.root_cause in ROOT_CAUSES
    if r.root_cause != "format" or r.scope != "file":  # front-end rejections have no CARC
        assert r.carc, f"{code} has no predicted CARC"
    assert r.summary.endswith("."), f"{code}: first docstring line must be a sentence"
    for heading in HEADINGS:
        assert r.section(heading), f"{code} docstring lacks a '{heading}:' section"
    assert r.fix and len(r.fix) < 300


def test_names_are_unique() -> None:
    names = [r.name for r in all_rules()]
    assert len(names) == len(set(names))


def test_codes_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        rule("JU001", "again", severity="error", root_cause="units", carc="16")
    with pytest.raises(ValueError, match="family prefix"):
        rule("J0256", "hcpcs-like", severity="error", root_cause="units", carc="16")
    with pytest.raises(ValueError):
        rule("JU999", "bad-cause", severity="error", root_cause="typo", carc="16")


def _codes(name: str) -> dict[str, dict]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


@pytest.mark.skipif(not (DATA / "carc.csv").exists(), reason="carc.csv not bundled")
def test_predicted_codes_exist_and_are_active() -> None:
    carc, rarc = _codes("carc.csv"), _codes("rarc.csv")
    for r in all_rules():
        for code, table in ((r.carc, carc), (r.rarc, rarc)):
            if code:
                assert code in table, f"{r.code}: {code} is not in the bundled table"
                assert not table[code].get("stop_date"), f"{r.code}: {code} is deactivated"


def test_no_source_document_errors_in_docs() -> None:
    """J0561, J2185 and J0285 are not alpha-1 PI codes; POS codes are not modifiers."""
    for r in all_rules():
        for wrong in ("J0561", "J2185", "J0285"):
            assert wrong not in r.doc, f"{r.code} mentions {wrong}"


def test_rules_command_lists_catalogue() -> None:
    result = CliRunner().invoke(cli, ["rules"])
    assert result.exit_code == 0
    for code in RULES:
        assert code in result.output


def test_rules_command_explains_one() -> None:
    result = CliRunner().invoke(cli, ["rules", "jm001"])
    assert result.exit_code == 0
    assert result.output.startswith("JM001 waste-modifier-missing: ")
    for heading in HEADINGS:
        assert f"\n{heading}:\n" in result.output
    assert "CARC 4 / RARC N822" in result.output


def test_rules_command_family_and_unknown() -> None:
    family = CliRunner().invoke(cli, ["rules", "JN"])
    assert family.exit_code == 0
    assert "JN001" in family.output and "JU001" not in family.output
    unknown = CliRunner().invoke(cli, ["rules", "JQ9"])
    assert unknown.exit_code == 2
    assert unknown.output.strip().count("\n") == 0 and "JQ9" in unknown.output


def test_rules_command_json() -> None:
    import json

    result = CliRunner().invoke(cli, ["rules", "--format", "json"])
    records = json.loads(result.output)
    assert {r["code"] for r in records} == set(RULES)
    assert get_rule("ju002").code == "JU002"
