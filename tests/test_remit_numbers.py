"""The 835 reader takes numbers as :mod:`edi_j0256.x12.values` defines them (one home for the
X12 number shape and its 18-digit limit, the one the 837 reader uses): every amount it reads
is a number there, and every value it refuses (X352) is refused there."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_j0256.cli import cli
from edi_j0256.x12.values import MAX_NUMBER_DIGITS, parse_decimal

ISA = ("ISA*00*          *00*          *ZZ*TESTPAYERS     *ZZ*TESTSUBMITTER  *260305*1200*^*"
       "00501*000000555*0*T*:~\n")


def remit(paid: str) -> str:
    body = ("ST*835*0001~\nBPR*I*80*C*ACH************20260305~\nTRN*1*EFT9*1999999999~\n"
            "N1*PR*TEST PAYER~\nN1*PE*TEST CLINIC*XX*1999000049~\nLX*1~\n"
            f"CLP*C1*1*100*{paid}**MB*P1~\nSVC*HC:J0256*100*{paid}**10~\nCAS*CO*45*20~\n"
            "SE*10*0001~\n")
    return (ISA + "GS*HP*TESTPAYERS*TESTSUBMITTER*20260305*1200*555*X*005010X221A1~\n"
            + body + "GE*1*555~\nIEA*1*000000555~\n")


EIGHTEEN = "9" * MAX_NUMBER_DIGITS


@pytest.mark.parametrize("paid, read", [
    (EIGHTEEN, Decimal(EIGHTEEN)),                                  # the longest: 18 digits
    ("-" + EIGHTEEN, Decimal("-" + EIGHTEEN)),                      # the minus is not a digit
    ("0" * 15 + "80.5", Decimal("80.5")),                           # nor the point: 18
    ("9" * (MAX_NUMBER_DIGITS + 1), None),                          # 19 digits
    ("0" * 16 + "80.5", None),                                      # 19 digits and a point
    ("\uff18\uff10", None),                                         # fullwidth "80": not ASCII
    ("\u0668\u0660", None),                                         # Arabic-Indic "80"
])
def test_remit_reads_a_number_exactly_when_x12_values_does(tmp_path: Path, paid: str,
                                                           read: Decimal | None) -> None:
    assert parse_decimal(paid) == read
    path = tmp_path / "numbers.835"
    path.write_text(remit(paid), encoding="utf-8")
    result = CliRunner().invoke(cli, ["remit", "--format", "jsonl", "--no-summary",
                                      "--hcpcs", "J0256", str(path)])
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(r, parse_float=Decimal, parse_int=Decimal)
                 for r in result.stdout.splitlines()]
    assert (record["claim_paid"], record["paid"]) == (read, read)
    refused = [line for line in result.stderr.splitlines() if " X352 " in line]
    if read is None:
        assert [line.split(": ", 1)[1].split(" `")[0] for line in refused] == [
            "X352 CLP04", "X352 SVC03"]
    else:
        assert refused == []
