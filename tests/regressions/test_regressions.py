"""Inputs that once broke the reader (see README.md here): what each gives now, exactly."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from edi_j0256.cli import cli
from edi_j0256.diagnostics import Diagnostics
from edi_j0256.scan import iter_scan

HERE = Path(__file__).resolve().parent


def _scan(name: str) -> tuple[list[dict], object, list[str]]:
    diagnostics = Diagnostics()
    records, reader = iter_scan(HERE / name, hcpcs=("ALL",), diagnostics=diagnostics)
    return list(records), reader.stats, [f"{d.line}: {d.code} {d.message}" for d in diagnostics]


def test_exponents_are_rejected_at_their_position():
    records, stats, diagnostics = _scan("exponent-hang.x12")
    assert [(r["claim_charge"], r["units"], r["charge"]) for r in records] == [
        (None, None, Decimal(2250)), (None, Decimal(1), Decimal(180))]
    assert diagnostics == ["19: X306 CLM02 '1E+5000' is not a number",
                           "22: X306 SV104 '1E+999999' is not a number"]
    assert (stats.claims, stats.claims_read) == (1, 1)


def test_isa11_equal_to_the_element_separator_keeps_the_claim():
    records, stats, diagnostics = _scan("isa11-is-element.x12")
    assert [(r["interchange_control"], r["claim_id"], r["procedure_code"], r["diagnosis_codes"])
            for r in records] == [("000000301", "RDR-1001", "J0256", ["E88.01", "J43.9"]),
                                  ("000000301", "RDR-1001", "96365", ["E88.01"])]
    assert diagnostics == ["1: X115 ISA11 repetition separator '^' is also another delimiter; "
                           "repetitions are not split"]


def test_remit_reads_an_835_whose_isa16_is_the_element_separator():
    result = CliRunner().invoke(cli, ["remit", str(HERE / "835-isa16-is-element.x12"),
                                      "--format", "jsonl"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["procedure_code"] for r in rows if r["record_type"] == "line"] == ["J0256"] * 5
    assert "X111 ISA16 component separator (missing or the element separator)" in result.stderr


def test_a_segment_truncated_to_isa_does_not_change_the_delimiters():
    records, stats, diagnostics = _scan("gs-truncated-to-isa.x12")
    assert [(r["claim_id"], r["procedure_code"], r["units"]) for r in records] == [
        ("RDR-1001", "J0256", Decimal(450)), ("RDR-1001", "96365", Decimal(1))]
    assert diagnostics[0] == ("2: X105 ISA is truncated: fewer than 16 elements; the delimiters "
                              "in use are kept")
    assert (stats.claims, stats.claims_read, stats.interchanges) == (1, 1, 2)
