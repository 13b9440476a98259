"""Which CMS MUE table applies to which claim (rules/mue.py, "Which table applies"): 837P
practitioner services, 837I outpatient hospital services; the DME supplier services table
(J0256 0) is loaded but applied to no claim, because nothing in the domain notes tells a DME
supplier's 837P from a practitioner's."""

from __future__ import annotations

import io
from pathlib import Path

from rule_support import make

from edi_j0256.rules import Checker, RuleContext, load_crosswalk, load_policies
from edi_j0256.rules.mue import SETTING_OF_TRANSACTION, load_mue, read_cms_mue

DME_TAXONOMY = "332B00000X"  # Durable Medical Equipment & Medical Supplies (billing PRV03)


def dme_table(tmp_path: Path) -> Path:
    """A DME supplier services table in CMS's published layout (latin-1, AMA notice cell,
    ``HCPCS/`` newline ``CPT Code``)."""
    path = tmp_path / "MCR_MUE_DMESupplierServices_Eff_10-01-2026.csv"
    path.write_bytes(
        b'"CPT codes, descriptions and other data only are copyright 2025 American Medical\n'
        b'Association. All Rights Reserved."\n'
        b'"HCPCS/\nCPT Code","DME Supplier Services MUE Values","MUE Adjudication Indicator",'
        b'"MUE Rationale"\n'
        b'E0781,1,"3 Date of Service Edit: Clinical","Clinical: Data"\n'
        b'J0256,0,"3 Date of Service Edit: Clinical","Nature of Service/Procedure"\n')
    return path


def findings_of_a_dme_supplier(units: str, mue_files: list[Path]) -> list[tuple[int, str]]:
    """JF004 findings of one Medicare 837P billed under a DME supplier taxonomy, place of
    service 12 (home), ``units`` of J0256 on one date."""
    lines = [make.drug(units=units, charge=str(int(units) * 5), ndc="13533070551",
                       ctp=(str(int(units) * 10), "ME")), make.admin()]
    text = make.document([make.claim("DME-1", pos="12", lines=lines)], "837P")
    assert text.count("PRV*BI*PXC*207RP1001X~") == 1
    text = text.replace("PRV*BI*PXC*207RP1001X~", f"PRV*BI*PXC*{DME_TAXONOMY}~")
    context = RuleContext(load_policies(None), load_crosswalk(None), load_mue(mue_files))
    checker = Checker(context, select=("JF004",))
    found = list(checker.check_file(io.BytesIO(text.encode("ascii")), name="dme.x12"))
    found += list(checker.finish())
    return [(f.line, f.message) for f in found]


def test_a_cms_dme_table_is_read_as_the_dme_setting(tmp_path):
    setting, edits = read_cms_mue(dme_table(tmp_path))
    assert setting == "dme"
    assert [(e.hcpcs, e.units, e.mai, e.rationale) for e in edits] == [
        ("E0781", 1, 3, "Clinical: Data"), ("J0256", 0, 3, "Nature of Service/Procedure")]
    table = load_mue([dme_table(tmp_path)])
    assert (table.get("dme", "J0256").units, table.get("practitioner", "J0256").units) == (0, 1600)


def test_no_transaction_takes_the_dme_table():
    assert SETTING_OF_TRANSACTION == {"837P": "practitioner", "837I": "outpatient"}


def test_a_dme_suppliers_837p_is_held_to_the_practitioner_mue(tmp_path):
    """450 units (4,500 mg) pass the practitioner MUE (1600) even with the DME table (0)
    loaded; 1700 go over the practitioner MUE, named as such."""
    assert findings_of_a_dme_supplier("450", [dme_table(tmp_path)]) == []
    (found,) = findings_of_a_dme_supplier("1700", [dme_table(tmp_path)])
    assert found[1] == (
        "J0256 units on this date total 1700, over the CMS MUE of 1600 units per date of "
        "service for practitioner services (MAI 3; CMS MUE practitioner services table, "
        "effective 2026-10-01)")
