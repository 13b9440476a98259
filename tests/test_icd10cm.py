"""ICD-10-CM billability from the code list that simple_icd_10_cm ships agrees with the
package's own tree (which is slower to load and much larger in memory)."""

from __future__ import annotations

import random
import warnings

from edi_j0256.rules.refdata import _icd10cm_codes, icd10cm_status


def test_known_codes():
    assert icd10cm_status("E88.01") == "billable"  # alpha-1-antitrypsin deficiency
    assert icd10cm_status("E8801") == "billable"  # as an 837 HI carries it
    assert icd10cm_status("J44.8") == "header"  # has children since FY2024
    assert icd10cm_status("J44.89") == "billable"
    assert icd10cm_status("E88") == "header"
    assert icd10cm_status("Z99.99") == "invalid"


def test_code_list_agrees_with_the_package_tree():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import simple_icd_10_cm as tree
    codes = _icd10cm_codes()
    sample = random.Random(7).sample(sorted(codes), 2000) + ["J44.8", "E88.01", "J43.9"]
    for code in sample:
        expected = ("invalid" if not tree.is_valid_item(code) else
                    "header" if tree.is_chapter_or_block(code) or not tree.is_leaf(code)
                    else "billable")
        assert icd10cm_status(code) == expected, code
