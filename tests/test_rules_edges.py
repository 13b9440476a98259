"""Edge cases of the rules, on generated X12 text (see rule_support.py)."""

from __future__ import annotations

import pytest
from rule_support import DATA, RULE_FIXTURES, check_text, codes, make

from edi_j0256.rules import Checker

claim, drug, admin = make.claim, make.drug, make.admin
COM = make.COM


def only(code: str, findings: list) -> list:
    return [f for f in findings if f.code == code]


# --- units -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("ndc", "ctp", "units", "flagged"), [
    ("13533070551", ("80", "ML"), "400", False),  # 80 mL x 50 mg/mL = 4000 mg
    ("13533070551", ("70", "ML"), "400", True),  # 3500 mg
    ("00053720202", ("76", "ML"), "400", False),  # Zemaira 4 g / 76 mL
    ("13533070501", ("4", "GR"), "400", False),
    ("13533070501", ("4", "UN"), "350", False),  # 4 vials hold 3500 mg, 3 would not
    ("13533070501", ("5", "UN"), "400", True),  # one vial too many for 4000 mg
    ("13533070501", ("3", "UN"), "400", True),  # 3000 mg cannot hold 4000 mg
    ("13533070501", ("4000", "F2"), "400", False),  # international units: not converted
])
def test_units_against_ndc_quantity(ndc, ctp, units, flagged) -> None:
    found = check_text([claim("U-1", lines=[drug(ndc=ndc, ctp=ctp, units=units,
                                                 charge="2000"), admin()])])
    assert bool(only("JU003", found)) is flagged


def test_waste_line_in_vials_only_checked_against_what_the_vials_hold() -> None:
    found = check_text([claim("U-2", lines=[
        drug(mods=[], units="450", charge="2250", ndc="13533070501", ctp=("5", "UN")),
        drug(mods=["JW"], units="50", charge="250", ndc="13533070501", ctp=("1", "UN")),
        admin()])])
    assert codes(found) == []


def test_units_as_mg_without_weight_or_ndc() -> None:
    found = check_text([claim("U-3", weight=None, lines=[drug(units="1400", ndc=None), admin()])])
    assert only("JU002", found) == []  # 14,000 mg: 60 mg/kg for a 233 kg patient
    found = check_text([claim("U-4", weight=None, lines=[drug(units="20000", ndc=None),
                                                          admin()])])
    assert only("JU002", found) and "250 kg" in only("JU002", found)[0].message


def test_units_as_mg_by_weight() -> None:
    found = check_text([claim("U-5", lines=[drug(units="4000", ndc=None), admin()])])
    assert only("JU002", found) and not only("JU004", found)


def test_dose_sums_administered_lines_of_a_date_and_skips_waste() -> None:
    found = check_text([claim("U-6", lines=[
        drug(units="300", charge="1500", ndc="13533070531", ctp=("6", "UN")),
        drug(units="100", charge="500", ndc="13533070501", ctp=("1", "UN")),
        drug(mods=["JW"], units="90", charge="450", ndc="13533070501", ctp=("900", "ME")),
        admin()])])
    assert not only("JU004", found)


def test_fractional_and_zero_units() -> None:
    assert only("JU001", check_text([claim("U-7", lines=[drug(units="0", ndc=None), admin()])]))


# --- modifiers -------------------------------------------------------------------------------

def test_waste_modifier_required_for_medicare_advantage_not_commercial() -> None:
    ma = {"sbr09": "16", "payer": "TEST MA PLAN", "payer_id": "TSTMA16"}
    found = check_text([claim("M-1", payer=ma, auth="MA1", lines=[drug(mods=[]), admin()])])
    assert only("JM001", found)[0].policy == "medicare_advantage"
    found = check_text([claim("M-2", **COM, lines=[drug(mods=[]), admin()])])
    assert not only("JM001", found)


@pytest.mark.parametrize("pos", ["21", "50", "72"])
def test_waste_modifier_not_applicable_where_not_separately_payable(pos) -> None:
    assert not only("JM001", check_text([claim("M-3", pos=pos, lines=[drug(mods=[]),
                                                                       admin()])]))


def test_waste_modifier_missing_on_837i_outpatient() -> None:
    found = check_text([claim("M-4", payer=make.INSTITUTIONAL_MEDICARE,
                              lines=[drug(mods=[], ptr=""), admin(ptr="")])], "837I")
    assert only("JM001", found)


def test_jw_and_jz_on_one_line() -> None:
    found = check_text([claim("M-5", lines=[drug(mods=["JW", "JZ"]), admin()])])
    assert "both JW and JZ" in only("JM002", found)[0].message


@pytest.mark.parametrize(("modifier", "code", "text"), [
    ("11", "JM005", "POS 11 Office"), ("12", "JM005", "POS 12 Home"),
    ("19", "JM005", "Off Campus-Outpatient Hospital"), ("XS", "JM006", "XS"),
    ("59", "JM006", "59"),
])
def test_misused_modifiers(modifier, code, text) -> None:
    found = only(code, check_text([claim("M-6", lines=[drug(mods=["JZ", modifier]), admin()])]))
    assert found and text in found[0].message


# --- NDC -------------------------------------------------------------------------------------

def test_ndc_missing_is_a_warning_where_not_required() -> None:
    found = only("JN001", check_text([claim("N-1", lines=[drug(ndc=None), admin()])]))
    assert found[0].severity == "warning" and found[0].policy == "medicare"
    found = only("JN001", check_text([claim("N-2", **COM, lines=[drug(ndc=None), admin()])]))
    assert found[0].severity == "error"


def test_ndc_qualifier_not_n4() -> None:
    found = check_text([claim("N-3", lines=[drug(ndc_qual="EN"), admin()])])
    assert "`EN`" in only("JN002", found)[0].message


@pytest.mark.parametrize(("written", "found"), [("13533-705-51", ["JN008"]),
                                               ("13533-0705-51", ["JN008"]),
                                               ("13533070551", [])])
def test_ndc_forms_accepted(written, found) -> None:
    """Hyphenated NDCs are read (no JN002), with a warning that the guide wants 11 digits."""
    assert codes(check_text([claim("N-4", lines=[drug(ndc=written), admin()])])) == found


# --- diagnosis -------------------------------------------------------------------------------

def test_invalid_code_and_old_dates() -> None:
    found = only("JD003", check_text([claim("D-1", dx=["ABK:E8801", "ABF:X9999"])]))
    assert "not an ICD-10-CM code" in found[0].message and found[0].severity == "error"
    old = only("JD003", check_text([claim("D-2", dx=["ABK:E8801", "ABF:J448"], lines=[
        drug(date="20250605"), admin(date="20250605")])]))
    assert old[0].severity == "warning"


def test_pointers_not_checked_on_837i() -> None:
    found = check_text([claim("D-3", payer=make.INSTITUTIONAL_MEDICARE,
                              dx=["ABK:I10", "ABF:E8801", "ABF:J439"],
                              lines=[drug(ptr=""), admin(ptr="")])], "837I")
    assert not only("JD002", found)


def test_line_without_pointers() -> None:
    found = only("JD002", check_text([claim("D-4", lines=[drug(ptr=""), admin()])]))
    assert "`none`" in found[0].message


# --- coverage --------------------------------------------------------------------------------

@pytest.mark.parametrize(("dob", "flagged"), [("20080105", False), ("20080106", True)])
def test_minimum_age_boundary(dob, flagged) -> None:
    found = check_text([claim("P-1", **COM, dob=dob)])  # service date 2026-01-05
    assert bool(only("JP001", found)) is flagged
    for f in found:
        assert dob not in f.message


# --- frequency and duplicates ----------------------------------------------------------------

def _two(first: str, second: str, **second_kw) -> list:
    return check_text([claim("F-1", lines=[drug(date=first), admin(date=first)]),
                       claim("F-2", lines=[drug(date=second, **second_kw),
                                           admin(date=second)])])


def test_seven_days_apart_is_weekly_dosing() -> None:
    assert not only("JF001", _two("20260105", "20260112"))
    assert only("JF001", _two("20260105", "20260111"))


def test_same_day_second_claim() -> None:
    found = _two("20260105", "20260105", units="390", charge="1950")
    assert "0 days" in only("JF001", found)[0].message and not only("JC005", found)
    exact = _two("20260105", "20260105")
    assert only("JC005", exact) and not only("JF001", exact)
    assert only("JC005", exact)[0].claim_id == "F-2"


def test_dependents_sharing_a_member_id_are_different_patients() -> None:
    found = check_text([claim("F-3"), claim("F-4", dob="19600101", lines=[
        drug(date="20260107"), admin(date="20260107")])])
    assert not only("JF001", found)


def test_replacement_claims_not_compared() -> None:
    found = check_text([claim("F-5"), claim("F-5", freq="7"), claim("F-5", freq="8")])
    assert not only("JF001", found) and not only("JC005", found)


def test_seven_day_window_boundary() -> None:
    commercial = [claim("F-6", **COM), claim("F-7", **COM, lines=[
        drug(date="20260112"), admin(date="20260112")])]
    assert not only("JF003", check_text(commercial))  # 400 + 400 but 7 days apart


def test_daily_cap_from_user_policy() -> None:
    found = only("JF002", check_text(make.FIXTURES["JF002-trigger"][0],
                                     policy=DATA / "policy_caps_and_brands.toml"))
    assert "600" in found[0].message and "TP-001" in found[0].message


# --- coding ----------------------------------------------------------------------------------

def test_home_infusion_per_diem_range_counts_as_administration() -> None:
    found = check_text([claim("C-1", pos="12", lines=[drug(), admin(code="S9346",
                                                                     charge="150")])])
    assert not only("JC003", found)


def test_iv_therapy_revenue_code_counts_on_837i() -> None:
    found = check_text([claim("C-2", payer=make.INSTITUTIONAL_MEDICARE, lines=[
        drug(ptr=""), admin(code="99999", ptr="")])], "837I")
    assert not only("JC003", found)


# --- PHI -------------------------------------------------------------------------------------

def test_no_member_ids_names_or_birth_dates_in_messages() -> None:
    checker = Checker()
    found = []
    for path in sorted(RULE_FIXTURES.glob("*.x12")):
        found += checker.check_file(str(path))
    found += checker.finish()
    secrets = set()
    for claims, _ in make.FIXTURES.values():
        for c in claims:
            secrets |= {c["member"], c["dob"], c["name"], "TESTPATIENT"}
            if c.get("patient"):
                secrets |= {c["patient"]["first"], c["patient"]["dob"]}
    assert found
    for f in found:
        for secret in secrets:
            assert secret not in f.message and secret not in f.fix, (f.code, secret)


# --- patient identity ------------------------------------------------------------------------

def test_twins_are_two_patients_and_one_child_twice_is_one() -> None:
    twins = make.FIXTURES["twins-pass"][0]
    assert codes(check_text(twins)) == []
    same = [twins[0], {**twins[1], "patient": twins[0]["patient"]}]  # one child, two claims
    assert codes(check_text(same)) == ["JC005", "JF003"]  # and 800 units in 7 days


def test_void_read_before_a_new_claim_leaves_no_dose_behind() -> None:
    original, void, new = make.FIXTURES["void-pass"][0]
    assert codes(check_text([original, new])) == ["JC005"]  # without the void: a duplicate
    assert codes(check_text([original, void, new])) == []


def test_member_key_of_claims_in_turn_is_each_patients_own() -> None:
    """member_key digests each claim's own patient, whatever patient came just before (it
    keeps the last one's digest): twins on one member ID, a name in other case and spacing,
    and patients in turn A, A, B, A."""
    from datetime import date

    from edi_j0256.claims.model import Claim
    from edi_j0256.rules.context import member_key
    from edi_j0256.rules.history import patient_key

    def patient(first: str, last: str = "Doe", member: str = "W123", payer: str = "P1",
                born: date = date(1970, 1, 2)) -> Claim:
        return Claim(None, "C", payer_id=payer, member_id=member, patient_last_name=last,
                     patient_first_name=first, patient_birth_date=born)

    ann = patient_key("P1", "W123", "DOE", "ANN", date(1970, 1, 2))
    bob = patient_key("P1", "W123", "DOE", "BOB", date(1970, 1, 2))
    order = [patient("Ann"), patient(" ann ", "doe"), patient("Bob"), patient("Ann"),
             patient("Ann", born=date(1970, 1, 3)), patient("Ann", payer="P2"),
             patient("Ann", member="")]
    assert [member_key(c) for c in order] == [
        ann, ann, bob, ann, patient_key("P1", "W123", "DOE", "ANN", date(1970, 1, 3)),
        patient_key("P2", "W123", "DOE", "ANN", date(1970, 1, 2)), None]
    assert len({ann, bob}) == 2
