"""Diagnostics stay bounded in memory on a damaged file, and nothing is lost from the count
or from ``--diagnostics FILE``."""

from __future__ import annotations

import json

from click.testing import CliRunner

from edi_j0256.cli import cli
from edi_j0256.diagnostics import Diagnostics, Severity

ISA = ("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260101*1200*^*"
       "00501*000000001*0*T*:~")


def damaged_837(claims: int) -> str:
    """An 837P whose every J0256 line has a charge that is not a number (SV102 'abc')."""
    body = ["ST*837*0001*005010X222A1", "BHT*0019*00*B1*20260101*1200*CH",
            "HL*1**20*1", "NM1*85*2*TEST CLINIC*****XX*1234567893", "HL*2*1*22*0",
            "SBR*P*18*******MB", "NM1*IL*1*TESTPATIENT*ANY****MI*TEST0000001",
            "NM1*PR*2*TEST PAYER*****PI*TSTMB01"]
    for n in range(claims):
        body += [f"CLM*DMG-{n}*100***11:B:1*Y*A*Y*Y", "HI*ABK:E8801", "LX*1",
                 "SV1*HC:J0256:JZ*abc*UN*10***1", "DTP*472*D8*20260105"]
    body.append(f"SE*{len(body) + 1}*0001")
    return "\n".join([ISA, "GS*HC*SENDER*RECEIVER*20260101*1200*1*X*005010X222A1", *(
        s + "~" for s in body), "GE*1*1~", "IEA*1*000000001~"]) + "\n"


def test_diagnostics_keep_the_first_of_each_code_and_count_the_rest():
    seen = []
    diagnostics = Diagnostics(keep_per_code=3, sink=seen.append)
    for n in range(5):
        diagnostics.add("X306", Severity.WARNING, f"bad {n}", "f.x12", n, n)
    diagnostics.add("X301", Severity.ERROR, "other", "f.x12")
    assert [d.message for d in diagnostics] == ["bad 0", "bad 1", "bad 2", "other"]
    assert diagnostics.count() == 6 and diagnostics.count(Severity.WARNING) == 5
    assert len(seen) == 6  # the sink saw every one


def test_scan_on_a_file_with_thousands_of_bad_values(tmp_path):
    path = tmp_path / "damaged.x12"
    path.write_text(damaged_837(1200))
    sink = tmp_path / "diagnostics.jsonl"
    result = CliRunner().invoke(cli, ["scan", str(path), "--format", "jsonl", "--summary",
                                      "--diagnostics", str(sink)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["matched_lines"] == 1200  # every line is still read, charge null
    assert summary["warnings"] == 1200
    rows = [json.loads(x) for x in sink.read_text().splitlines()]
    assert sum(1 for r in rows if r["code"] == "X306") == 1200  # all of them, past the cap
    assert "more diagnostics" in result.stderr


def test_every_reader_code_is_catalogued_and_every_catalogued_code_used():
    import re
    from pathlib import Path

    from edi_j0256.diagnostics import READER_CODES

    package = Path(__file__).resolve().parent.parent / "edi_j0256"
    used = set()
    for folder in ("x12", "claims"):
        for path in (package / folder).glob("*.py"):
            used |= set(re.findall(r'"(X[0-3][0-9]{2})"', path.read_text()))
    used = {code for code in used if code >= "X100"}  # "X091" ... are guide references
    assert used == set(READER_CODES)
