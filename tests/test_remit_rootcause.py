"""CARC/RARC -> root cause: every row of denial_map.csv, the catalogue fixture, the code tables."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import pytest

from edi_j0256.diagnostics import Diagnostics
from edi_j0256.remit import read_remits, remit_records
from edi_j0256.remit.codes import CodeTable, bundled_tables
from edi_j0256.remit.rootcause import DenialMap, root_cause_advice
from edi_j0256.root_causes import NOT_DENIALS, ROOT_CAUSES

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "fixtures" / "remit" / "835-catalogue.x12"
SOURCE_DOCUMENT_CAUSES = ("documentation", "units", "modifiers", "authorization",
                          "frequency_limits", "formulary")


def _rows(name: str) -> list[dict]:
    text = resources.files("edi_j0256").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


MAP_ROWS = _rows("denial_map.csv")
BY_CODE_TEXT = "root cause assigned from the code text"  # rows that cover the rest of carc.csv
CURATED_ROWS = [r for r in MAP_ROWS if BY_CODE_TEXT not in r["source"]]


@pytest.fixture(scope="module")
def denial_map() -> DenialMap:
    return DenialMap.load()


@pytest.mark.parametrize("row", MAP_ROWS,
                         ids=lambda r: f"{r['group'] or '*'}-{r['carc']}-{r['rarc'] or '*'}")
def test_every_mapping_row(row: dict, denial_map: DenialMap) -> None:
    assert row["root_cause"] in ROOT_CAUSES
    assert row["source"].strip(), "every row cites its source"
    group = row["group"] or "CO"
    rarcs = [row["rarc"]] if row["rarc"] else []
    assert denial_map.classify(group, row["carc"], rarcs) == (row["root_cause"],)


def test_mapping_rows_are_unique() -> None:
    keys = [(r["group"], r["carc"], r["rarc"]) for r in MAP_ROWS]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(("group", "carc", "rarcs", "expected"), [
    ("CO", "16", ["M53"], ("units",)),
    ("CO", "16", ["M119"], ("ndc",)),
    ("CO", "16", ["N846"], ("ndc",)),
    ("CO", "16", ["M76"], ("diagnosis",)),
    ("CO", "4", ["N822"], ("modifiers",)),
    ("CO", "182", ["N823"], ("modifiers",)),
    ("CO", "151", [], ("units",)),
    ("CO", "151", ["N362"], ("frequency_limits",)),
    ("CO", "96", ["N130"], ("formulary",)),
    ("CO", "45", [], ("contractual",)),
    ("PR", "1", [], ("patient_responsibility",)),
    ("PR", "204", [], ("formulary",)),  # a denial shifted to the patient is still a denial
    ("CO", "16", ["N14", "M53"], ("units",)),  # a RARC that refines nothing is skipped
    ("CO", "16", ["M53", "M119"], ("units", "ndc")),  # each refining RARC counts
    ("CO", "16", ["MA130"], ("format",)),
    ("CO", "16", [], ("other",)),  # CARC 16 needs a RARC to say what
    ("OA", "45", [], ("other",)),  # the CO/PI rows do not cover OA
    ("CO", "9999", ["M53"], ("other",)),  # unknown CARC
    ("co", " 16 ", ["m53"], ("units",)),  # spacing and case as payers write them
    ("", "", [], ("other",)),
])
def test_rarc_refines_carc(group, carc, rarcs, expected, denial_map: DenialMap) -> None:
    assert denial_map.classify(group, carc, rarcs) == expected


def test_source_document_causes_are_reachable(denial_map: DenialMap) -> None:
    reachable = {r.root_cause for r in denial_map.rules}
    assert set(SOURCE_DOCUMENT_CAUSES) <= reachable


def test_root_causes_csv_covers_the_vocabulary() -> None:
    rows = {r["root_cause"]: r for r in _rows("root_causes.csv")}
    assert set(rows) == set(ROOT_CAUSES)
    for name, row in rows.items():
        assert row["explanation"] and row["action"], name
        assert row["recoverable"] in ("yes", "no", "partly"), name
    assert rows["contractual"]["recoverable"] == "no"
    advice = root_cause_advice()
    assert "retro-authorization" in advice["authorization"].action
    assert "Appeal with records" in advice["documentation"].action
    assert "Corrected claim" in advice["units"].action
    assert "Write off" in advice["contractual"].action


def test_bad_root_cause_in_a_user_map_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "map.csv"
    path.write_text("group,carc,rarc,root_cause,source\n,16,M53,unitz,mine\n")
    with pytest.raises(ValueError, match="row 2"):
        DenialMap.load(path)


def test_catalogue_exercises_every_mapping_row() -> None:
    """fixtures/remit/835-catalogue.x12 has one claim per curated row (regenerate it after
    editing); the rows that give the rest of carc.csv a root cause are checked by
    test_every_mapping_row and test_every_carc_has_a_deliberate_root_cause."""
    records = list(remit_records(read_remits(CATALOGUE)))
    seen = {}
    for record in records:
        (adjustment,) = record["adjustments"]
        seen[(adjustment["group"], adjustment["carc"], tuple(record["rarcs"]))] = (
            adjustment["root_causes"])
    for row in CURATED_ROWS:
        group = row["group"] or ("PR" if row["root_cause"] == "patient_responsibility" else "CO")
        key = (group, row["carc"], (row["rarc"],) if row["rarc"] else ())
        assert key in seen, f"row {key} is exercised by no 835 fixture"
        assert seen[key] == [row["root_cause"]]


def test_catalogue_records_denied_amounts() -> None:
    for record in remit_records(read_remits(CATALOGUE)):
        denial = not set(record["adjustments"][0]["root_causes"]) <= NOT_DENIALS
        assert record["denied_amount"] == (1000 if denial else 0)
        assert bool(record["root_causes"]) == denial


# -- code tables ---------------------------------------------------------------------------
def test_bundled_code_tables_know_the_mapped_codes() -> None:
    carcs, rarcs = bundled_tables()
    if not len(carcs) or not len(rarcs):
        pytest.skip("data/carc.csv or data/rarc.csv is not installed")
    for row in MAP_ROWS:
        assert row["carc"] in carcs, row["carc"]
        assert not row["rarc"] or row["rarc"] in rarcs, row["rarc"]


def test_unknown_codes_are_kept_and_reported() -> None:
    diagnostics = Diagnostics()
    path = ROOT / "fixtures" / "remit" / "835-exceptions.x12"
    records = list(remit_records(read_remits(path, diagnostics=diagnostics)))
    adjustment = next(a for r in records for a in r["adjustments"] if a["carc"] == "ZZ1")
    assert adjustment["root_causes"] == ["other"]
    assert "ZZ99" in records[1]["rarcs"]
    if len(bundled_tables()[0]):
        assert adjustment["description"] == "unknown CARC ZZ1"
        assert {"X365", "X366"} <= {d.code for d in diagnostics}


def test_code_table_tolerates_missing_and_odd_files(tmp_path: Path) -> None:
    missing = CodeTable.load("CARC", tmp_path / "absent.csv")
    assert len(missing) == 0 and missing.describe("45") is None
    odd = tmp_path / "carc.csv"
    odd.write_text("\ufeffcode,description,start_date,stop_date,source\n"
                   " 45 ,Charge exceeds fee schedule,not-a-date,,x\n,blank code,,,\n")
    table = CodeTable.load("CARC", odd)
    assert "45" in table and table.get("45").start_date is None
    assert table.describe("45") == "Charge exceeds fee schedule"
    assert table.describe("ZZ1") == "unknown CARC ZZ1"


def test_every_carc_has_a_deliberate_root_cause(denial_map: DenialMap) -> None:
    """A CARC of carc.csv that no row of denial_map.csv names would fall to `other` by
    accident; `other` is allowed only as a row of its own."""
    carcs, _ = bundled_tables()
    if not len(carcs):
        pytest.skip("data/carc.csv is not installed")
    plain = {r["carc"] for r in MAP_ROWS if not r["rarc"]}
    accidental = sorted(set(carcs.entries) - plain)
    assert accidental == [], f"CARCs without a root-cause row: {accidental}"


@pytest.mark.parametrize(("group", "carc", "expected"), [
    ("CO", "24", ("coordination_of_benefits",)),  # capitation / managed care plan: bill it
    ("OA", "23", ("coordination_of_benefits",)),
    ("CO", "B13", ("duplicate",)),
    ("CO", "153", ("units",)),  # information does not support this dosage
    ("CO", "211", ("ndc",)),
    ("CO", "286", ("timely_filing",)),  # appeal time limits not met
])
def test_carcs_named_by_the_domain_notes(group, carc, expected, denial_map: DenialMap) -> None:
    assert denial_map.classify(group, carc, []) == expected


def test_non_denials_one_home() -> None:
    from decimal import Decimal

    from edi_j0256.remit.denials import denied_amount, is_denial, is_secondary

    assert not is_denial("CO", "45", ("contractual",))
    assert not is_denial("CO", "253", ("contractual",))
    for carc in ("1", "2", "3"):
        assert not is_denial("PR", carc, ("patient_responsibility",))
    assert is_denial("OA", "23", ("coordination_of_benefits",))  # on a primary claim
    assert not is_denial("OA", "23", ("coordination_of_benefits",), secondary=True)
    assert is_secondary("2") and is_secondary("20") and is_secondary("1", "S")
    assert not is_secondary("1", "P") and not is_secondary(None)
    items = [("OA", "23", Decimal("700"), ("coordination_of_benefits",)),
             ("CO", "16", Decimal("50"), ("units",)), ("CO", "45", Decimal("9"), ("contractual",))]
    assert denied_amount(items, secondary=True) == Decimal("50")
    assert denied_amount(items) == Decimal("750")
