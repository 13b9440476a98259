"""CMS Medically Unlikely Edits: the bundled dated values and CMS's tables as published."""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_support import RULE_FIXTURES, check_text, make

from edi_j0256.rules.mue import MueError, load_mue, read_cms_mue

REFDATA = RULE_FIXTURES / "refdata"
PRACTITIONER = REFDATA / "mue_practitioner_2026-10_layout.csv"
OUTPATIENT = REFDATA / "mue_outpatient_2026-10_layout.csv"


def test_bundled_values_are_cms_october_2026() -> None:
    table = load_mue()
    values = {(s, c): (e.units, e.mai) for (s, c), e in table.edits.items()}
    assert values == {("practitioner", "J0256"): (1600, 3), ("outpatient", "J0256"): (1600, 3),
                      ("dme", "J0256"): (0, 3), ("practitioner", "J0257"): (1400, 3),
                      ("outpatient", "J0257"): (1400, 3)}
    assert table.get("practitioner", "j0256").source == (
        "CMS MUE practitioner services table, effective 2026-10-01")


def test_cms_table_as_published() -> None:
    """AMA notice in one quoted multi-line cell, ``HCPCS/\\nCPT Code``, MAI as words, latin-1."""
    raw = PRACTITIONER.read_bytes()
    assert raw.startswith(b'"CPT codes') and b'"HCPCS/\r\nCPT Code"' not in raw
    assert b'"HCPCS/\nCPT Code"' in raw and b"caf\xe9" in raw
    setting, edits = read_cms_mue(PRACTITIONER)
    assert setting == "practitioner"
    assert [(e.hcpcs, e.units, e.mai, e.rationale) for e in edits] == [
        ("0001U", 1, 2, "CMS Policy"), ("96365", 1, 3, "Clinical: Data"),
        ("96366", 8, 3, "Clinical: Data"), ("J0256", 1600, 3, "Clinical: Data"),
        ("J0257", 1400, 3, "Clinical: Data"), ("J1100", 120, 3, "Clinical: Data"),
        ("99213", 1, 2, "Code Descriptor / CPT Instruction")]
    assert read_cms_mue(OUTPATIENT)[0] == "outpatient"


def test_loaded_table_replaces_only_its_setting() -> None:
    table = load_mue([REFDATA / "mue_practitioner_lowered_layout.csv"])
    assert table.get("practitioner", "J0256").units == 1200
    assert table.get("outpatient", "J0256").units == 1600  # still the bundled value
    assert table.sources[-1].endswith("mue_practitioner_lowered_layout.csv")


@pytest.mark.parametrize(("text", "error"), [
    ("HCPCS,Value\nJ0256,1\n", "no header row starting 'HCPCS/CPT Code'"),
    ('"HCPCS/\nCPT Code","Practitioner Services MUE Values"\nJ0256,1\n',
     "lacks the 'MUE Values' or 'MUE Adjudication Indicator'"),
    ('"HCPCS/\nCPT Code","Dental MUE Values","MUE Adjudication Indicator"\nJ0256,1,3\n',
     "unknown MUE setting 'DENTAL'"),
    ('"HCPCS/\nCPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator"\n'
     'J0256,lots,"3 Date of Service Edit: Clinical"\n', "line 3: MUE value 'lots'"),
])
def test_bad_mue_files(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "mue.csv"
    path.write_text(text, encoding="latin-1")
    with pytest.raises(MueError, match=error):
        read_cms_mue(path)


claim, drug, admin = make.claim, make.drug, make.admin
HEAVY = {"member": "9TR0TR0TRM1", "weight": "600"}


def _mue(found) -> list[tuple[int, str]]:
    return [(f.line, f.message) for f in found if f.code == "JF004"]


def test_mai_3_adds_every_line_of_the_date_across_claims() -> None:
    first = claim("M-1", **HEAVY, lines=[
        drug(units="900", charge="4500", ndc="13533070551", ctp=("9000", "ME")), admin()])
    second = claim("M-2", **HEAVY, lines=[
        drug(units="800", charge="4000", ndc="00053720202", ctp=("8000", "ME")), admin()])
    other_day = claim("M-3", **HEAVY, lines=[
        drug(units="800", charge="4000", ndc="00053720202", ctp=("8000", "ME"),
             date="20260112"), admin(date="20260112")])
    found = _mue(check_text([first, second, other_day]))
    assert [m for _, m in found] == [
        "J0256 units on this date total 1700, over the CMS MUE of 1600 units per date of "
        "service for practitioner services (MAI 3; CMS MUE practitioner services table, "
        "effective 2026-10-01)"]


def test_outpatient_claims_use_the_outpatient_table() -> None:
    lines = [drug(units="900", charge="4500", ndc="13533070551", ctp=("9000", "ME"), ptr=""),
             drug(units="800", charge="4000", ndc="00053720202", ctp=("8000", "ME"), ptr=""),
             admin(ptr="")]
    found = _mue(check_text([claim("M-4", payer=make.INSTITUTIONAL_MEDICARE, lines=lines)],
                            "837I"))
    assert len(found) == 1 and "for outpatient hospital services" in found[0][1]
