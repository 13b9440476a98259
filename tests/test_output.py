"""The writers: JSON through orjson byte for byte as ``json`` wrote it, atomic files."""

from __future__ import annotations

import errno
import io
import json
import os
import random
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from json_reference import stdlib_json

from edi_j0256.cli import cli
from edi_j0256.output import atomic_path, encode_record, write_csv, write_json, write_jsonl
from edi_j0256.scan import iter_scan

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def reference_jsonl(records) -> str:
    """What the writer wrote before orjson: the stdlib encoder with Decimal/date callbacks."""
    return "".join(stdlib_json(r) + "\n" for r in records)


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("837*.x12")))
def test_jsonl_identical_to_stdlib_on_fixtures(name):
    records, _ = iter_scan(FIXTURES / name)
    records = list(records)
    assert records
    out = io.StringIO()
    assert write_jsonl(records, out) == len(records)
    assert out.getvalue() == reference_jsonl(records)


def _value(rng: random.Random, depth: int = 0):
    kinds = ["str", "int", "dec", "date", "none", "bool", "float", "ctrl", "uni"]
    if depth < 2:
        kinds += ["list", "dict"]
    kind = rng.choice(kinds)
    if kind == "str":
        return "".join(rng.choice('ab"\\/~*:é') for _ in range(rng.randrange(6)))
    if kind == "int":
        return rng.choice([0, -1, 7, 2**63, -(2**70), rng.randrange(-10**6, 10**6)])
    if kind == "dec":
        return Decimal(rng.choice(["12.50", "0", "-3", "4500", "0.001", "1E+3", "1.10",
                                   "99999999999.99", "-0.5", "NaN", "Infinity"]))
    if kind == "date":
        return rng.choice([date(2026, 1, 5), datetime(2026, 2, 2, 9, 30)])
    if kind == "none":
        return None
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "float":
        return rng.choice([1.0, 0.1, 1e-05, 3e-09, 1e16, 123456789.125, -0.0, 1e300])
    if kind == "ctrl":
        return "".join(chr(rng.randrange(0, 32)) for _ in range(3)) + "\x7f\x9b\u2028"
    if kind == "uni":
        return "Zürich 東京 \U0001f600"
    if kind == "list":
        return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {f"k{n}": _value(rng, depth + 1) for n in range(rng.randrange(4))}


def test_jsonl_identical_to_stdlib_on_generated_records():
    rng = random.Random(256)
    records = [{f"f{n}": _value(rng) for n in range(12)} for _ in range(3000)]
    records.append({"modifiers": ("JW", "JZ"), "nested": [{"carc": "16", "amount":
                                                            Decimal("12.00")}]})
    out = io.StringIO()
    write_jsonl(records, out)
    assert out.getvalue() == reference_jsonl(records)
    for record in records[:50]:
        assert encode_record(record) == stdlib_json(record)


def test_json_array_identical():
    records, _ = iter_scan(FIXTURES / "837p-commercial.x12")
    records = list(records)
    out = io.StringIO()
    write_json(records, out)
    assert out.getvalue() == "[\n  " + ",\n  ".join(stdlib_json(r) for r in records) + "\n]\n"


def test_unusual_values_fall_back_to_stdlib():
    record = {"lone": "\ud800", 1: "int key", "big": 2**80}
    assert encode_record(record) == stdlib_json(record)
    deep = {"history": [{"carc": [{"code": "16", "amount": Decimal("1.5")}]}], "e": "file-e-"}
    assert encode_record(deep) == stdlib_json(deep)
    assert encode_record({}) == "{}"


def test_huge_decimal_is_written_not_raised():
    """A charge of 1E+5000 (found by fuzzing scan) once raised ValueError in the writer."""
    record = {"charge": Decimal("1E+5000"), "units": Decimal("1E+999999")}
    assert encode_record(record) == stdlib_json(record) == (
        '{"charge": "1E+5000", "units": "1E+999999"}')
    out = io.StringIO()
    from edi_j0256.output import write_csv
    write_csv([record], out)
    assert out.getvalue() == "charge,units\n1E+5000,1E+999999\n"


def test_not_a_number_is_null():
    """JSON has no NaN: a Decimal or float that is not a number is written as null."""
    assert encode_record({"a": Decimal("NaN"), "b": float("nan"), "c": float("inf")}) == (
        '{"a": null, "b": null, "c": null}')


# -- every digit of a Decimal --------------------------------------------------------------------

LONG = [("0.123456789012345678", "0.123456789012345678"),
        ("1234567890123456.78", "1234567890123456.78"),
        ("-9999999999999999.99", "-9999999999999999.99"),
        ("1.00000000000000000001", "1.00000000000000000001"),
        ("0.000000123456789012345678", "1.23456789012345678E-7"),  # the Decimal's own form
        ("12.3456789012345678900", "12.34567890123456789")]


def _nested(amount: Decimal) -> dict:
    return {"claim_id": "PCN1", "paid": amount, "carc": ["CO-45"],
            "adjustments": [{"group": "CO", "reason": "45", "amount": amount}],
            "payer": {"id": "SCHP1", "amount": amount}}


@pytest.mark.parametrize("text, exact", LONG)
def test_a_long_decimal_keeps_every_digit(text, exact):
    """R elements carry up to 18 digits; as a float 0.123456789012345678 was written
    0.12345678901234568. Flat, nested and indented records, JSON Lines and CSV keep them."""
    amount = Decimal(text)
    assert repr(float(amount)) != exact  # the float would lose digits
    flat = {"charge": amount, "units": [amount, Decimal("2")]}
    assert encode_record(flat) == f'{{"charge": {exact}, "units": [{exact}, 2]}}'
    nested = encode_record(_nested(amount))
    assert nested == (f'{{"claim_id": "PCN1", "paid": {exact}, "carc": ["CO-45"], '
                      f'"adjustments": [{{"group": "CO", "reason": "45", "amount": {exact}}}], '
                      f'"payer": {{"id": "SCHP1", "amount": {exact}}}}}')
    back = json.loads(nested, parse_float=Decimal)
    assert back["paid"] == back["adjustments"][0]["amount"] == back["payer"]["amount"] == amount
    out = io.StringIO()
    write_csv([flat], out)
    quote = "'" if exact.startswith("-") else ""  # "-9...;2" is text a formula could start
    assert out.getvalue() == f"charge,units\n{exact},{quote}{exact};2\n"


def test_scan_writes_an_18_digit_charge_as_billed(tmp_path):
    """SV102 of 18 digits (R 1/18) read from X12 comes out of ``scan`` digit for digit."""
    text = (FIXTURES / "837p-medicare.x12").read_text()
    billed = "SV1*HC:J0256*2250.12345678901234*UN*450.123456789012345***1:2~"
    assert text.count("SV1*HC:J0256*2250*UN*450***1:2~") == 1
    path = tmp_path / "long.x12"
    path.write_text(text.replace("SV1*HC:J0256*2250*UN*450***1:2~", billed))
    for fmt, expected in (("jsonl", '"charge": 2250.12345678901234, "unit_basis": "UN", '
                                    '"units": 450.123456789012345'),
                          ("csv", "2250.12345678901234,UN,450.123456789012345")):
        result = CliRunner().invoke(cli, ["scan", str(path), "-q", "--format", fmt])
        assert result.exit_code == 0, result.output
        assert expected in result.output, result.output


def test_a_decimal_a_float_holds_is_written_as_before():
    """Whole numbers as ints, the rest as the float's shortest text when that float is the
    Decimal: the bytes the stdlib wrote (json_reference) do not change."""
    for text in ["12.50", "0.1", "1E-7", "0.00001", "99999999999.99", "2370.75", "-0.5",
                 "1E+3", "12.00", "0.3"]:
        record = _nested(Decimal(text))
        assert encode_record(record) == stdlib_json(record), text


def test_generated_long_decimals_read_back_equal():
    rng = random.Random(18)
    for _ in range(2000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 19)))
        amount = Decimal(digits).scaleb(-rng.randrange(0, 19)) * rng.choice([1, -1])
        flat = json.loads(encode_record({"a": amount, "b": [amount]}), parse_float=Decimal)
        nested = json.loads(encode_record(_nested(amount)), parse_float=Decimal)
        inner = json.loads(encode_record({"x": {"y": amount}}), parse_float=Decimal)
        assert flat == {"a": amount, "b": [amount]}, amount
        assert nested["adjustments"][0]["amount"] == nested["paid"] == amount, amount
        assert inner == {"x": {"y": amount}}, amount


# -- atomic files ------------------------------------------------------------------------------

def scan(*args: str):
    return CliRunner().invoke(cli, ["scan", str(FIXTURES / "837p-medicare.x12"), "-q", *args])


def test_output_appears_complete(tmp_path):
    target = tmp_path / "out.jsonl"
    result = scan("-o", str(target))
    assert result.exit_code == 0
    assert len(target.read_text().splitlines()) == 5
    assert os.listdir(tmp_path) == ["out.jsonl"]
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_disk_full_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_text("previous run\n")
    import edi_j0256.output as output

    real = output._csv_row
    calls = []

    def full(cells):
        calls.append(1)
        if len(calls) > 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(cells)

    monkeypatch.setattr(output, "_csv_row", full)
    result = scan("-o", str(target), "--format", "csv")
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        f"Error: cannot write {target}: No space left on device")
    assert "Traceback" not in result.output
    assert target.read_text() == "previous run\n"  # the old file is untouched
    assert os.listdir(tmp_path) == ["out.csv"]  # no temporary file left


def test_missing_folder_is_one_line(tmp_path):
    target = tmp_path / "nowhere" / "out.jsonl"
    result = scan("-o", str(target))
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"Error: cannot write {target}: folder {target.parent} does not exist")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_is_one_line(tmp_path):  # pragma: no cover - CI runs as root
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    result = scan("-o", str(folder / "out.jsonl"))
    assert result.exit_code == 2
    assert "Permission denied" in result.output


def test_read_only_folder_via_rename_error(tmp_path, monkeypatch):
    """Root ignores folder permissions, so the failure is forced where it would happen."""
    def refuse(src, dst):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), dst)

    monkeypatch.setattr(os, "replace", refuse)
    target = tmp_path / "out.jsonl"
    result = scan("-o", str(target))
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: cannot write {target}: Permission denied"
    assert os.listdir(tmp_path) == []


def test_output_to_dev_null_is_written_in_place():
    with atomic_path("/dev/null") as path:
        assert path == "/dev/null"


def test_parquet_is_atomic(tmp_path, monkeypatch):
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    target = tmp_path / "out.parquet"
    assert scan("--format", "parquet", "-o", str(target)).exit_code == 0
    assert pq.read_table(target).num_rows == 5
    assert os.listdir(tmp_path) == ["out.parquet"]

    def full(self, table, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full)
    target.unlink()
    result = scan("--format", "parquet", "-o", str(target))
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: cannot write {target}: No space left on device"
    assert os.listdir(tmp_path) == []
