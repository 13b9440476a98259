"""Reconciliation: linking, reversals, claim-level denials, partial payments, orphans, totals.

Shared fixtures (fixtures/README.md) with the remit helper's 835s, plus fixtures/reconcile/
for what those do not cover: 835 lines without REF*6R, a claim-level denial of a claim with
two J0256 lines, a denied claim whose drug line has no SVC, a reversal with no correction.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from edi_j0256.diagnostics import Diagnostics
from edi_j0256.reconcile import reconcile
from edi_j0256.reconcile.sources import remit_claims, remit_lines
from edi_j0256.rules.registry import get_rule

AS_OF = date(2026, 3, 15)

SHARED_CLAIMS = ("837p-medicare.x12", "837p-billing-errors.x12", "837p-commercial.x12",
                 "837i-outpatient.x12")
SHARED_REMITS = ("835-medicare.x12", "835-medicare-correction.x12", "835-billing-errors.x12",
                 "835-commercial.x12", "835-outpatient.x12")


@pytest.fixture(scope="module")
def shared(fixtures_dir):
    # the correction file first: history must be ordered by payment date, not argument order
    remits = sorted(SHARED_REMITS, key=lambda name: "correction" not in name)
    return reconcile([fixtures_dir / n for n in SHARED_CLAIMS],
                     [fixtures_dir / n for n in remits], as_of=AS_OF)


@pytest.fixture(scope="module")
def own(fixtures_dir):
    folder = fixtures_dir / "reconcile"
    return reconcile([folder / "837p-reconcile.x12"],
                     [folder / "835-reconcile-reversal.x12", folder / "835-reconcile-paid.x12"],
                     as_of=AS_OF)


def line(result, claim_id: str, number: int) -> dict:
    found = [r for r in result.records if r["claim_id"] == claim_id and r["line_number"] == number]
    assert len(found) == 1, (claim_id, number)
    return found[0]


def test_one_record_per_837_j0256_line(shared):
    assert len(shared.records) == 36
    assert {r["procedure_code"] for r in shared.records} == {"J0256"}
    assert not [r for r in shared.records if r["claim_id"] == "MCR-B-2001"]


def test_links_by_clp01_and_line_control(shared):
    record = line(shared, "MCR-A-1001", 2)
    assert record["link"] == "line_control"
    assert record["modifiers"] == ["JW"]
    assert record["status"] == "paid"
    assert record["paid_amount"] == Decimal("156.8")
    assert record["denied_amount"] == 0 and record["root_causes"] == []
    assert record["payer_claim_control"] == "PCNMCRA1001"
    assert record["trace_number"] == "TSTCHK0001"
    assert record["payment_date"] == date(2026, 2, 20)
    assert record["carcs"] == ["CO-45", "CO-253", "PR-2"]


def test_links_without_6r_by_procedure_modifiers_date_charge(own):
    administered, waste = line(own, "REC-1001", 1), line(own, "REC-1001", 2)
    assert administered["link"] == waste["link"] == "attributes"
    # the 835 lists the JW line first: modifiers decide, not the order
    assert (administered["paid_amount"], waste["paid_amount"]) == (Decimal(1450), Decimal(150))
    assert administered["status"] == waste["status"] == "paid"


def test_reversal_then_correction_latest_wins_history_kept(shared):
    record = line(shared, "MCR-A-1002", 1)
    assert [h["claim_status"] for h in record["history"]] == ["1", "22", "1"]
    assert [h["paid_amount"] for h in record["history"]] == [Decimal("1254.4"),
                                                             Decimal("-1254.4"), Decimal(0)]
    assert record["status"] == "denied"
    assert record["root_causes"] == ["documentation"]
    assert record["paid_amount"] == 0 and record["denied_amount"] == 2000
    assert record["payment_date"] == date(2026, 3, 10)
    assert record["action"]  # from root_causes.csv


def test_reversal_without_correction_is_reversed(own):
    record = line(own, "REC-1003", 1)
    assert record["status"] == "reversed"
    assert [h["claim_status"] for h in record["history"]] == ["1", "22"]
    assert record["paid_amount"] == 0  # net of the history
    assert record["denied_amount"] == record["recoverable_amount"] == 0


def test_claim_level_denial_applies_to_every_j0256_line(own):
    records = [line(own, "REC-1002", 1), line(own, "REC-1002", 3)]
    for record in records:
        assert record["status"] == "denied"
        assert record["link"] == "claim_level"
        assert record["root_causes"] == ["authorization"]
        assert record["carcs"] == ["CO-197"]
        # CO-197 4360 on the claim, split by charge: 2000 of 4360 to each drug line
        assert record["denied_amount"] == Decimal("2000.00")
        assert record["recoverable_amount"] == Decimal("2000.00")


def test_denied_claim_with_claim_cas_reaches_a_line_without_svc(own):
    record = line(own, "REC-1004", 1)  # only the 96365 line has an SVC
    assert record["status"] == "denied" and record["link"] == "claim_level"
    assert record["root_causes"] == ["ndc"] and record["rarcs"] == ["M119"]
    assert record["denied_amount"] == 2000


def test_claim_level_denial_from_shared_fixtures(shared):
    record = line(shared, "MCR-A-1003", 1)
    assert record["status"] == "denied" and record["link"] == "claim_level"
    assert record["root_causes"] == ["eligibility"]


def test_partial_payment_with_unit_reduction(shared):
    record = line(shared, "MCR-B-2002", 1)
    assert record["status"] == "partial"
    assert record["billed_units"] == 300 and record["paid_units"] == 250
    assert record["paid_amount"] == 784 and record["denied_amount"] == 200
    assert record["root_causes"] == ["frequency_limits"]
    assert "N362" in record["rarcs"]


def test_orphans(shared, own):
    assert [(o["claim_id"], o["line_control"]) for o in shared.orphans] == [
        ("MCR-X-9001", "MCRX9001-01")]
    orphan = own.orphans[0]
    assert orphan["status"] == "orphan" and orphan["claim_id"] == "REC-9999"
    assert orphan["paid_amount"] == Decimal("105.6")


def test_explained_by_the_modifier_rule(shared):
    record = line(shared, "ERR-6001", 1)  # Medicare, no JZ; the 835 says CO-4 N822
    assert record["status"] == "denied"
    assert record["carcs"] == ["CO-4"] and record["rarcs"] == ["N822"]
    assert record["root_causes"] == ["modifiers"]
    assert "JM001" in record["findings"]
    assert "JM001" in record["explained_by"]
    assert get_rule("JM001").root_cause == "modifiers"
    assert record["recoverable_amount"] == 2000


def test_explained_by_only_matching_root_causes(shared):
    for record in shared.records:
        causes = set(record["root_causes"])
        for code in record["explained_by"]:
            assert code in record["findings"]
            assert get_rule(code).root_cause in causes


def test_unrecoverable_root_causes(shared, fixtures_dir, tmp_path):
    text = (fixtures_dir / "reconcile" / "835-reconcile-paid.x12").read_text()
    remit = tmp_path / "duplicate.x12"
    remit.write_text(text.replace("CAS*CO*197*4360", "CAS*CO*18*4360"))
    result = reconcile([fixtures_dir / "reconcile" / "837p-reconcile.x12"], [remit], as_of=AS_OF)
    record = line(result, "REC-1002", 1)
    assert record["root_causes"] == ["duplicate"]
    assert record["denied_amount"] == 2000 and record["recoverable_amount"] == 0


def test_unmatched_without_remits(fixtures_dir):
    records, orphans, totals, plb, counted = reconcile([fixtures_dir / "837p-medicare.x12"])
    assert {r["status"] for r in records} == {"unmatched"}
    assert orphans == [] and plb == []
    assert counted == (True,) * len(records)  # no corrected claim: every line counts
    assert totals["by_root_cause"]["unmatched"]["lines"] == len(records)


def test_totals_add_up(shared):
    totals = shared.totals
    for view in ("by_root_cause", "by_payer"):
        for column in ("lines", "billed", "paid", "denied", "recoverable"):
            assert sum(b[column] for b in totals[view].values()) == totals["total"][column]
    assert totals["total"]["billed"] == sum(r["billed_amount"] for r in shared.records)
    assert totals["by_root_cause"]["modifiers"]["denied"] > 0
    assert set(totals["by_payer"]) == {"TSTMB01", "TSTMA01", "TSTCI01", "TSTBL01"}


def test_remit_lines_keep_only_drug_lines(fixtures_dir):
    lines = [line for payment, claim in remit_claims(fixtures_dir / "835-medicare.x12",
                                                     Diagnostics())
             for line in remit_lines(payment, claim, 1, ("J0256",))]
    assert {r.procedure_code for r in lines if r.level == "line"} == {"J0256"}
    assert [r.claim_id for r in lines if r.level == "claim"] == ["MCR-A-1003"]
