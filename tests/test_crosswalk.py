"""The NDC-HCPCS crosswalk: the bundled table and CMS's quarterly file as published."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from rule_support import DATA, RULE_FIXTURES

from edi_j0256.cli import cli
from edi_j0256.rules import CrosswalkError, load_crosswalk
from edi_j0256.rules.refdata import read_cms_crosswalk

CMS_SAMPLE = DATA / "asp_ndc_hcpcs_crosswalk_sample.csv"


def test_bundled_crosswalk() -> None:
    crosswalk = load_crosswalk()
    prolastin = crosswalk.get("13533070551")
    assert prolastin.hcpcs == "J0256" and prolastin.mg_per_package == 4000
    assert prolastin.mg_per_ml == 50
    assert crosswalk.get("00944288401").hcpcs == "J0257"  # Glassia
    assert {p.hcpcs for p in crosswalk.products.values()} == {"J0256", "J0257"}
    assert all(len(ndc) == 11 and ndc.isdigit() for ndc in crosswalk.products)


def test_cms_file_as_published() -> None:
    crosswalk = load_crosswalk(CMS_SAMPLE)
    assert crosswalk.source == str(CMS_SAMPLE)
    assert len(crosswalk.products) == 8
    prolastin = crosswalk.get("13533070501")  # NDC2 13533-0705-01
    assert prolastin.hcpcs == "J0256" and prolastin.product == "Prolastin-C Liquid"
    assert prolastin.mg_per_package == Decimal(1000)  # BILLUNITSPKG 100 x 10 MG
    assert crosswalk.get("00944288403").mg_per_package == 4000
    assert crosswalk.get("99999025601").hcpcs == "J0256"


def test_cms_header_variants_and_latin1(tmp_path: Path) -> None:
    text = ("ASP crosswalk\n\n_2025_CODE,Short Description,LABELER NAME,NDC2,Drug Name,"
            "HCPCS dosage,PKG SIZE,PKG QTY,BILLUNITS,BILLUNITSPKG\n"
            "J0256,Alpha 1 proteinase inhibitor,Labeler \xe9,0944-2815-01,Aralast NP,10 MG,1,1,"
            "100,100\nJ0256,x,y,NOT-AN-NDC,z,10 MG,1,1,1,1\n")
    path = tmp_path / "cw.csv"
    path.write_bytes(text.encode("latin-1"))
    crosswalk = load_crosswalk(path)
    assert list(crosswalk.products) == ["00944281501"]  # 4-4-2 padded; bad row skipped
    assert crosswalk.get("00944281501").mg_per_package == 1000


@pytest.mark.parametrize(("text", "error"), [
    ("just,some,csv\n1,2,3\n", "not a CMS ASP NDC-HCPCS crosswalk"),
    ("_2026_CODE,NDC2,Drug Name\nJ0256,13533-0705-01,x\n", "lacks column"),
    ("_2026_CODE,NDC2,Drug Name,HCPCS Dosage,BILLUNITSPKG\n", "no NDC rows"),
])
def test_bad_crosswalk(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(CrosswalkError, match=error):
        load_crosswalk(path)


def test_read_cms_crosswalk_text() -> None:
    products = read_cms_crosswalk(CMS_SAMPLE.read_text(encoding="utf-8"), "x")
    assert products["00053720202"].mg_per_package == 4000


def test_cli_uses_the_given_crosswalk(tmp_path: Path) -> None:
    unknown = str(RULE_FIXTURES / "JN004-trigger.x12")  # NDC 00002-1400-01
    bundled = CliRunner().invoke(cli, ["check", "--select", "JN", unknown])
    assert "JN004" in bundled.output and "bundled ndc_crosswalk.csv" in bundled.output
    cms = CliRunner().invoke(cli, ["check", "--select", "JN", "--ndc-crosswalk",
                                   str(CMS_SAMPLE), unknown])
    assert "JN004" in cms.output and str(CMS_SAMPLE) in cms.output
    bad = tmp_path / "bad.csv"
    bad.write_text("nothing here\n")
    result = CliRunner().invoke(cli, ["check", "--ndc-crosswalk", str(bad), unknown])
    assert result.exit_code == 2 and "bad.csv" in result.output
    assert result.output.count("\n") == 1


OCTOBER_2026 = RULE_FIXTURES / "refdata" / "asp_ndc_hcpcs_crosswalk_2026-10_layout.csv"


def test_october_2026_layout_loads_by_column_name() -> None:
    """Since 2026 the NDC column is ``NDC`` (not ``NDC2``) and ``LABELER NAME`` is added;
    8 preamble lines, latin-1, CRLF; a 12-digit number that is not an NDC is skipped."""
    assert OCTOBER_2026.read_bytes().count(b"\r\n") == 23
    crosswalk = load_crosswalk(OCTOBER_2026)
    assert crosswalk.skipped == 1
    assert sorted(crosswalk.products) == [
        "00053720202", "00944281501", "00944288401", "00944288403", "13533070501",
        "13533070531", "13533070551", "99999017801", "99999025602", "99999110010",
        "99999250501"]
    prolastin = crosswalk.get("13533070551")
    assert (prolastin.hcpcs, prolastin.product, prolastin.mg_per_package) == (
        "J0256", "Prolastin-C Liquid", Decimal(4000))
    assert crosswalk.get("00944288403").hcpcs == "J0257"
    # listed under J0256 and J3590: the J0256 row is kept
    assert crosswalk.get("99999025602").hcpcs == "J0256"


def test_both_layouts_give_the_same_products_for_the_same_rows() -> None:
    old = load_crosswalk(CMS_SAMPLE)
    new = load_crosswalk(OCTOBER_2026)
    for ndc in ("13533070501", "13533070551", "00944281501", "00053720202", "00944288401"):
        assert old.get(ndc) == new.get(ndc), ndc


def test_layout_without_an_ndc_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cw.csv"
    path.write_text("_2026_CODE,LABELER NAME,Drug Name,HCPCS dosage,BILLUNITSPKG\n"
                    "J0256,x,y,10 MG,1\n")
    with pytest.raises(CrosswalkError, match=r"an NDC \(NDC2 or NDC\) column"):
        load_crosswalk(path)
