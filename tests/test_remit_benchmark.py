"""The 835 benchmark generator on 1 MB: it answers its 837P, balances, and remit reads it all."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from edi_j0256.claims import ClaimReader
from edi_j0256.diagnostics import Diagnostics
from edi_j0256.remit import ClaimPayment, remit_reader, remit_records

HERE = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict:
    spec = importlib.util.spec_from_file_location("generate_835", HERE / "generate_835.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_835"] = module
    spec.loader.exec_module(module)
    folder = tmp_path_factory.mktemp("bench835")
    return module.generate(folder / "era.835", size_mb=1, j0256_share=0.2, seed=7,
                           claims_per_transaction=300)


def test_remit_reads_every_claim_line_and_plb_written(generated: dict) -> None:
    assert 0.7 < generated["size_mb"] < 1.5
    diagnostics = Diagnostics()
    reader = remit_reader(generated["path"], hcpcs="J0256", diagnostics=diagnostics)
    records = list(remit_records(reader.items()))
    stats = reader.stats
    assert (stats.claims, stats.service_lines, stats.provider_adjustments, stats.transactions
            ) == (generated["claims"], generated["service_lines"],
                  generated["provider_adjustments"], generated["transactions"])
    assert stats.claims_skipped > 0 and stats.claims_read + stats.claims_skipped == stats.claims
    assert len(records) == generated["records"]
    assert sum(r["procedure_code"] == "J0256" for r in records) == generated["j0256_lines"]
    denied = [r for r in records if r["procedure_code"] == "J0256" and r["denied_amount"]]
    assert len(denied) == generated["denied_j0256_lines"]
    assert [str(d) for d in diagnostics if d.severity != "info"] == []  # balanced, counts exact


def test_the_835_answers_its_837(generated: dict) -> None:
    claims = {c.claim_id: c for c in ClaimReader(generated["claims_path"]).claims()}
    paid = [c for c in remit_reader(generated["path"]).items() if isinstance(c, ClaimPayment)]
    assert sorted(c.claim_id for c in paid) == sorted(claims)  # CLP01 = CLM01, each once
    for payment in paid:
        claim = claims[payment.claim_id]
        assert payment.charge == claim.claim_charge
        assert payment.payment.payee_npi == claim.billing_npi
        if payment.lines:
            assert [(s.line_control, s.procedure_code, s.modifiers, s.charge, s.service_date)
                    for s in payment.lines] == [
                (ln.line_control, ln.procedure_code, ln.modifiers, ln.charge, ln.service_date)
                for ln in claim.lines]


@pytest.mark.slow
def test_pyx12_accepts_a_generated_835(generated: dict, tmp_path: Path) -> None:
    """The benchmark files are valid 005010X221A1 by pyx12's implementation-guide check."""
    x12n_document = pytest.importorskip("pyx12.x12n_document")
    import logging

    import pyx12.params

    sys.modules["generate_835"].generate(tmp_path / "small.835", size_mb=0.1, seed=3,
                                         claims_path=tmp_path / "small.837p.x12")
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    assert x12n_document.x12n_document(param=pyx12.params.params(),
                                       src_file=str(tmp_path / "small.835"), fd_997=None,
                                       fd_html=None, fd_xmldoc=None, xslt_files=None)
