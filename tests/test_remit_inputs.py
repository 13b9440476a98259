"""``remit`` on inputs that are not what it wants: wrong kinds, unreadable files, hostile values.

Each bad file is named in one line, the others are still read, the exit status is 2 at the end;
never a traceback, never a hang.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_j0256.cli import cli
from edi_j0256.diagnostics import Diagnostics
from edi_j0256.remit import RemitReader

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
GOOD = FIXTURES / "remit" / "835-plb-payee.x12"
ISA = ("ISA*00*          *00*          *ZZ*TESTPAYERS     *ZZ*TESTSUBMITTER  *260305*1200*^*"
       "00501*000000555*0*T*:~\n")


def run(*args: str):
    return CliRunner().invoke(cli, ["remit", "--format", "jsonl", "--no-summary", *args])


def errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error: ")]


def envelope(gs08: str, st: str, body: str) -> str:
    segments = body.count("~") + 2
    return (ISA + f"GS*XX*TESTPAYERS*TESTSUBMITTER*20260305*1200*555*X*{gs08}~\n{st}~\n{body}"
            f"SE*{segments}*0001~\nGE*1*555~\nIEA*1*000000555~\n")


def remit_text(claims: str) -> str:
    return envelope("005010X221A1", "ST*835*0001",
                    "BPR*I*80*C*ACH************20260305~\nTRN*1*EFT9*1999999999~\n"
                    "N1*PR*TEST PAYER~\nN1*PE*TEST CLINIC*XX*1999000049~\nLX*1~\n" + claims)


def test_wrong_kinds_are_named_and_the_good_file_is_read(tmp_path: Path) -> None:
    enrollment = tmp_path / "enrol.834"
    enrollment.write_text(envelope("005010X220A1", "ST*834*0001*005010X220A1",
                                   "BGN*00*1*20260305*1200~\n"))
    inquiry = tmp_path / "ask.270"
    inquiry.write_text(envelope("005010X279A1", "ST*270*0001*005010X279A1",
                                "BHT*0022*13*1*20260305*1200~\n"))
    claims_p, claims_i = FIXTURES / "837p-medicare.x12", FIXTURES / "837i-outpatient.x12"
    result = run(str(claims_p), str(enrollment), str(GOOD), str(inquiry), str(claims_i))
    assert result.exit_code == 2
    assert errors(result) == [
        f"error: {claims_p}: is an 837P professional claim, not an 835 remittance advice "
        "(give it to scan or check, or to reconcile with --claims)",
        f"error: {enrollment}: is an 834 benefit enrollment, not an 835 remittance advice",
        f"error: {inquiry}: is a 270 eligibility inquiry, not an 835 remittance advice",
        f"error: {claims_i}: is an 837I institutional claim, not an 835 remittance advice "
        "(give it to scan or check, or to reconcile with --claims)"]
    assert [json.loads(r)["claim_id"] for r in result.stdout.splitlines()] == [
        "PLB-J-1001", "PLB-J-1002", "PLB-I-1004"]
    assert "Traceback" not in result.output
    assert "read: 5 files, 1 transactions, 4 claims," in result.stderr


def test_unreadable_files_among_good_ones(tmp_path: Path) -> None:
    binary = tmp_path / "era.bin"
    binary.write_bytes(bytes(range(256)) * 64)
    missing = tmp_path / "missing.835"
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "b.835").write_bytes(GOOD.read_bytes())
    (folder / "a.txt").write_text("hello, not X12\n" * 10)
    result = run(str(binary), str(missing), str(folder), str(GOOD))
    assert result.exit_code == 2
    assert errors(result) == [
        f"error: {binary}: not an X12 file: no ISA, GS or ST segment found at the start",
        f"error: {missing}: no such file",
        f"error: {folder / 'a.txt'}: not an X12 file: no ISA, GS or ST segment found at the "
        "start"]
    assert len(result.stdout.splitlines()) == 6  # both copies of the good file
    assert "Traceback" not in result.output


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads a chmod 000 file anyway")
def test_a_file_without_read_permission(tmp_path: Path) -> None:
    locked = tmp_path / "locked.835"
    locked.write_bytes(GOOD.read_bytes())
    locked.chmod(0)
    try:
        result = run(str(locked), str(GOOD))
    finally:
        locked.chmod(0o600)
    assert result.exit_code == 2
    assert errors(result) == [f"error: {locked}: cannot read: Permission denied"]
    assert len(result.stdout.splitlines()) == 3


def test_component_separator_equal_to_the_element_separator(tmp_path: Path) -> None:
    path = tmp_path / "isa16.835"
    text = remit_text("CLP*C1*1*100*80**MB*P1~\nSVC*HC:J0256*100*80**10~\nCAS*CO*45*20~\n")
    path.write_text(text.replace("*0*T*:~", "*0*T**~", 1))
    result = run(str(path))
    assert result.exit_code == 0, result.output
    # The reader recovers the component separator from the composites and says so (X111).
    assert f"{path}:1: X111 ISA16 component separator" in result.stderr
    (record,) = [json.loads(r) for r in result.stdout.splitlines()]
    assert (record["procedure_code"], record["paid"]) == ("J0256", 80)


@pytest.mark.parametrize("value", ["1E+5000", "1E+999999", "1e5", "12345678901234567890",
                                   "NaN", "+80", "8,0"])
def test_numbers_x12_cannot_carry_are_reported_at_their_position(tmp_path: Path,
                                                                value: str) -> None:
    path = tmp_path / "numbers.835"
    path.write_text(remit_text(f"CLP*C1*1*100*{value}**MB*P1~\nSVC*HC:J0256*100*{value}**10~\n"
                               "CAS*CO*45*20~\n"))
    result = run(str(path))
    assert result.exit_code == 0, result.output
    shown = value if len(value) <= 24 else value[:24] + "..."
    assert f"{path}:9: X352 CLP04 `{shown}` is not a number" in result.stderr
    assert f"{path}:10: X352 SVC03 `{shown}` is not a number" in result.stderr
    (record,) = [json.loads(r) for r in result.stdout.splitlines()]
    assert (record["claim_paid"], record["paid"], record["charge"]) == (None, None, 100)


def test_clp_outside_a_transaction_is_counted_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "outside.835"
    inside = remit_text("CLP*C1*1*100*80**MB*P1~\nSVC*HC:J0256*100*80**10~\nCAS*CO*45*20~\n")
    text = inside.replace("GE*1*555~\n", "CLP*C2*4*50*0**MB*P2~\nCAS*CO*16*50~\nGE*1*555~\n")
    path.write_text(text)
    result = run(str(path))
    assert result.exit_code == 0, result.output
    assert (f"{path}:13: X356 CLP outside an 835 transaction (no ST*835 before it); "
            "counted, not read") in result.stderr
    assert "X351" not in result.stderr  # its CAS is part of the claim reported
    assert "claims: 2 = 1 built + 1 outside an 835 transaction (X356)" in result.stderr
    assert len(result.stdout.splitlines()) == 1


def test_a_transaction_of_another_kind_inside_an_835_file_is_skipped() -> None:
    text = remit_text("CLP*C1*1*100*80**MB*P1~\nSVC*HC:J0256*100*80**10~\nCAS*CO*45*20~\n")
    text = text.replace("GE*1*555~", "ST*999*0002~\nAK1*HC*1~\nSE*3*0002~\nGE*2*555~")
    reader = RemitReader(__import__("io").BytesIO(text.encode()), name="mixed.835",
                         diagnostics=Diagnostics())
    kinds = [type(i).__name__ for i in reader.items()]
    assert kinds == ["PaymentHeader", "ClaimPayment"]
    assert (reader.stats.transactions, reader.stats.other_transactions) == (1, 1)
    assert [d.code for d in reader.diagnostics] == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_named_not_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "era.fifo"
    os.mkfifo(fifo)
    result = run(str(fifo), str(GOOD))  # would block forever if it were opened
    assert result.exit_code == 2
    assert errors(result) == [f"error: {fifo}: is a FIFO (named pipe), not a file: not read"]
    assert len(result.stdout.splitlines()) == 3
