"""Reconciliation cases on real X12 text (fixtures/reconcile/make_cases.py, README there):
claim identity, history (original, replacement, void, reversal, correction), split lines,
OA-23 on a secondary claim, CARC 24, explained_by, recovery and appeal deadlines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from edi_j0256.reconcile import reconcile

AS_OF = date(2026, 3, 15)
HISTORY_CLAIMS = ("837p-history-original.x12", "837p-history-replacement.x12",
                  "837p-history-void.x12")


@pytest.fixture(scope="module")
def folder(fixtures_dir):
    return fixtures_dir / "reconcile"


@pytest.fixture(scope="module")
def cases(folder):
    return reconcile([folder / "837p-cases.x12"], [folder / "835-cases.x12"], as_of=AS_OF)


def one(result, claim_id: str, **match) -> dict:
    found = [r for r in result.records if r["claim_id"] == claim_id
             and all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, (claim_id, match, len(found))
    return found[0]


def test_same_clm01_from_two_billing_providers(folder):
    result = reconcile([folder / "837p-two-practices.x12"], [folder / "835-two-practices.x12"],
                       as_of=AS_OF)
    clinic = one(result, "SAME-0001", billing_npi="1999000015")
    other = one(result, "SAME-0001", billing_npi="1999000122")
    assert (clinic["status"], clinic["paid_amount"], clinic["payer_claim_control"]) == (
        "paid", Decimal(1500), "PCNSAMEA")
    assert (other["status"], other["denied_amount"], other["carcs"]) == (
        "denied", Decimal(2000), ["CO-197"])
    assert len(clinic["history"]) == len(other["history"]) == 1
    assert result.orphans == []


def test_payment_for_another_patient_is_not_linked(folder, tmp_path):
    text = (folder / "835-two-practices.x12").read_text()
    remit = tmp_path / "other-patient.x12"
    remit.write_text(text.replace("NM1*QC*1*TESTPATIENT*ALPHA****MI*9TA0RC00001",
                                  "NM1*QC*1*OTHERPATIENT*ZULU****MI*9TA0RC09999"))
    result = reconcile([folder / "837p-two-practices.x12"], [remit], as_of=AS_OF)
    assert one(result, "SAME-0001", billing_npi="1999000015")["status"] == "unmatched"
    assert [o["payer_claim_control"] for o in result.orphans] == ["PCNSAMEA"]


def test_reversal_in_a_later_file_then_correction_in_a_third(folder):
    # the files in the wrong order on purpose: history follows the payment dates
    result = reconcile([folder / n for n in HISTORY_CLAIMS[:2]],
                       [folder / "835-history-correction.x12", folder / "835-history-paid.x12",
                        folder / "835-history-reversal.x12"], as_of=AS_OF)
    original = one(result, "HIST-0001", frequency_code="1")
    replacement = one(result, "HIST-0001", frequency_code="7")
    assert [(h["claim_status"], h["paid_amount"], h["payer_claim_control"])
            for h in original["history"]] == [("1", Decimal(1500), "PCNHIST1"),
                                              ("22", Decimal(-1500), "PCNHIST1")]
    assert original["status"] == "reversed" and original["paid_amount"] == 0
    assert replacement["original_reference"] == "PCNHIST1"
    assert [h["payer_claim_control"] for h in replacement["history"]] == ["PCNHIST2"]
    assert replacement["status"] == "paid" and replacement["paid_amount"] == 1600
    assert result.totals["total"]["paid"] == 1600
    assert result.counted == (False, True)  # the claim once: its paid replacement
    assert result.totals["total"]["billed"] == 2000
    assert original["recovery_reason"] == (
        "replaced by a later version of the claim: follow that one")


def test_first_payment_goes_to_the_original_not_its_replacement(folder):
    result = reconcile([folder / n for n in HISTORY_CLAIMS[:2]],
                       [folder / "835-history-paid.x12"], as_of=AS_OF)
    assert one(result, "HIST-0001", frequency_code="1")["status"] == "paid"
    assert one(result, "HIST-0001", frequency_code="7")["status"] == "unmatched"
    # until the payer adjudicates the replacement, the paid original is the version counted
    assert result.counted == (True, False)
    assert (result.totals["total"]["billed"], result.totals["total"]["paid"]) == (2000, 1500)


def test_original_replacement_and_void(folder):
    result = reconcile([folder / n for n in HISTORY_CLAIMS],
                       [folder / f"835-history-{n}.x12"
                        for n in ("void", "paid", "reversal", "correction")], as_of=AS_OF)
    replacement = one(result, "HIST-0001", frequency_code="7")
    assert [h["claim_status"] for h in replacement["history"]] == ["1", "22"]
    assert replacement["status"] == "reversed" and replacement["paid_amount"] == 0
    void = one(result, "HIST-0001", frequency_code="8")
    assert (void["status"], void["history"], void["recovery"]) == ("void", [], "none")
    # the claim counts once: the replacement is the latest version the payer adjudicated (paid
    # under PCNHIST2, then reversed by the void's 835); the original it replaced and the void
    # (not a new dose) add nothing. Was 4000: the original's 2000 counted as well.
    assert result.counted == (False, True, False)
    assert [(r["frequency_code"], r["counted"]) for r in result.records] == [
        ("1", False), ("7", True), ("8", False)]
    assert result.totals["total"]["billed"] == 2000
    assert result.totals["total"]["lines"] == 1
    assert result.totals["total"]["paid"] == 0


def test_split_line_adds_up(cases):
    for claim_id, link in (("SPLIT-0001", "line_control"), ("SPLIT-0002", "attributes")):
        record = one(cases, claim_id)
        assert record["link"] == link
        assert [h["service_lines"] for h in record["history"]] == [2]
        assert (record["paid_amount"], record["denied_amount"], record["paid_units"]) == (
            Decimal(1500), Decimal(2000), Decimal(400))
        assert record["status"] == "partial" and record["carcs"] == ["CO-45", "CO-151"]
        assert record["root_causes"] == ["frequency_limits"]
    assert cases.orphans == []


def test_medicare_secondary_oa23_is_not_a_denial(cases):
    record = one(cases, "SEC-0001")
    assert record["carcs"] == ["OA-23", "CO-45"]
    assert (record["status"], record["denied_amount"], record["recoverable_amount"]) == (
        "paid", 0, 0)
    assert record["recovery"] == "none" and record["root_causes"] == []
    assert [a["denial"] for a in record["adjustments"]] == [False, False]


def test_oa23_on_a_primary_claim_is_counted(folder, tmp_path):
    remit = tmp_path / "primary.x12"
    remit.write_text((folder / "835-cases.x12").read_text().replace(
        "CLP*SEC-0001*2*", "CLP*SEC-0001*1*"))
    claims = tmp_path / "primary-837.x12"
    claims.write_text((folder / "837p-cases.x12").read_text().replace("SBR*S*18", "SBR*P*18"))
    record = one(reconcile([claims], [remit], as_of=AS_OF), "SEC-0001")
    assert record["denied_amount"] == 1600 and record["status"] == "partial"


def test_carc_24_is_coordination_of_benefits(cases):
    record = one(cases, "CAP-0001")
    assert record["carcs"] == ["CO-24"] and record["root_causes"] == ["coordination_of_benefits"]
    assert (record["recovery"], record["recovery_reason"]) == ("possible", "bill the right payer")
    assert record["recoverable_possible"] == 2000 and record["recoverable_likely"] == 0


def test_explained_by_related_root_causes(cases):
    ndc = one(cases, "NDC-0001")  # Glassia's NDC on J0256 -> CO-16 N657 (wrong code)
    assert "JN003" in ndc["findings"] and ndc["explained_by"] == ["JN003"]
    assert ndc["root_causes"] == ["coding"]
    dose = one(cases, "DOSE-0001")  # 107 mg/kg -> CO-151 N362 (units over the limit)
    assert "JU004" in dose["findings"] and dose["explained_by"] == ["JU004"]
    assert dose["root_causes"] == ["frequency_limits"]


def test_explained_by_predicted_carc_needs_its_rarc(folder, tmp_path):
    # JU004 predicts CO-151 M53: with M53 it explains by itself, with another RARC it does not
    text = (folder / "835-cases.x12").read_text()
    for rarc, expected in (("M53", ["JU004"]), ("N640", [])):
        remit = tmp_path / f"dose-{rarc}.x12"
        remit.write_text(text.replace("REF*6R*DOSE1-01~\nLQ*HE*N362", f"REF*6R*DOSE1-01~\n"
                                                                     f"LQ*HE*{rarc}"))
        record = one(reconcile([folder / "837p-cases.x12"], [remit], as_of=AS_OF), "DOSE-0001")
        assert record["rarcs"] == [rarc]
        assert record["explained_by"] == expected, rarc


def test_recovery_and_appeal_deadline(cases, folder):
    ndc = one(cases, "NDC-0001")
    # Medicare: BPR16 2026-02-15 + 5 days presumed receipt + 120 days
    assert ndc["appeal_deadline"] == date(2026, 6, 20) and ndc["days_left"] == 97
    assert (ndc["recovery"], ndc["recovery_reason"]) == ("likely", "correctable coding error")
    assert ndc["recoverable_likely"] == ndc["recoverable_amount"] == 2000
    later = reconcile([folder / "837p-cases.x12"], [folder / "835-cases.x12"],
                      as_of=date(2026, 7, 1))
    passed = one(later, "NDC-0001")
    assert (passed["recovery"], passed["recovery_reason"], passed["days_left"]) == (
        "none", "appeal window passed", -11)
    assert passed["recoverable_amount"] == 0 and passed["denied_amount"] == 2000


def test_ma130_means_resubmit_not_appeal(cases):
    record = one(cases, "MA130-0001")
    assert "MA130" in record["rarcs"]
    assert record["appeal_deadline"] is None and record["days_left"] is None
    assert (record["recovery"], record["recovery_reason"]) == (
        "likely", "no appeal rights: correct and resubmit")


def test_denial_moved_to_the_patient(cases):
    record = one(cases, "PR-0001")  # commercial PR-204: a denial, but the patient's to pay
    assert record["denied_amount"] == 2000 and record["root_causes"] == ["formulary"]
    assert (record["recovery"], record["recovery_reason"]) == ("none", "patient responsibility")
    assert record["appeal_deadline"] == date(2026, 8, 14)  # commercial: 180 days, no receipt


def test_totals_one_function(cases):
    total = cases.totals["total"]
    assert total["denied"] == sum(r["denied_amount"] for r in cases.records)
    assert total["recoverable_likely"] == 4000  # NDC-0001 and MA130-0001
    assert total["recoverable_possible"] == 2000 + 2000 + 2000 + 2000  # splits, dose, CO-24
    assert total["recoverable"] == total["recoverable_likely"] + total["recoverable_possible"]
    for view in ("by_root_cause", "by_payer"):
        for column in total:
            assert sum(b[column] for b in cases.totals[view].values()) == total[column], column


def test_remit_arriving_weeks_later_links_through_the_store(folder, tmp_path):
    db = tmp_path / "j0256.db"
    first = reconcile([folder / n for n in HISTORY_CLAIMS[:2]], db=db, as_of=AS_OF)
    assert {r["status"] for r in first.records} == {"unmatched"}
    reconcile(remit_paths=[folder / "835-history-paid.x12"], db=db, as_of=AS_OF)
    later = reconcile(remit_paths=[folder / "835-history-reversal.x12",
                                   folder / "835-history-correction.x12"], db=db, as_of=AS_OF)
    at_once = reconcile([folder / n for n in HISTORY_CLAIMS[:2]],
                        [folder / f"835-history-{n}.x12"
                         for n in ("paid", "reversal", "correction")], as_of=AS_OF)
    assert later.records == at_once.records
