"""The Spark adapter in local mode gives the CLI's records, remit lines and findings.

Run with ``-m spark`` (``.ci/run`` does when Java is present). Skipped with the reason when
pyspark or Java is missing.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

if importlib.util.find_spec("pyspark") is None:
    pytest.skip("pyspark is not installed (pip install -e '.[spark]')", allow_module_level=True)
if shutil.which("java") is None:
    pytest.skip("Java is not installed (Spark needs a JVM)", allow_module_level=True)

from edi_j0256.output import plain  # noqa: E402
from edi_j0256.rules import Checker  # noqa: E402
from edi_j0256.scan import iter_scan  # noqa: E402
from edi_j0256.spark import findings_frame, remit_frame, scan_frame, session  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    spark = session("local[2]")
    yield spark
    spark.stop()


def rows(frame) -> list[dict]:
    def clean(value):
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    return [clean(r.asDict(recursive=True)) for r in frame.collect()]


def cli_records(paths) -> list[dict]:
    out = []
    for path in paths:
        records, _ = iter_scan(path)
        out.extend(plain(r) for r in records)
    return out


def by_position(records):
    return sorted(records, key=lambda r: (r["file"], r["segment"]))


def test_scan_frame_equals_cli_on_fixtures(spark):
    paths = sorted(str(p) for p in FIXTURES.glob("837*.x12"))
    expected = cli_records(paths)
    got = rows(scan_frame(spark, [str(FIXTURES / "837*.x12")]))
    assert len(got) == len(expected) == 36
    assert by_position(got) == by_position(expected)


def test_scan_frame_cuts_a_large_file(spark, tmp_path):
    spec = importlib.util.spec_from_file_location("generate_837p",
                                                  ROOT / "benchmarks" / "generate_837p.py")
    gen = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["generate_837p"] = gen
    spec.loader.exec_module(gen)  # type: ignore[union-attr]
    path = tmp_path / "big.x12"
    gen.generate(path, size_mb=0.5, j0256_share=0.5, seed=5, claims_per_transaction=50)
    expected = cli_records([str(path)])
    got = rows(scan_frame(spark, [str(path)], min_piece=60_000))
    assert len(got) == len(expected) > 100
    assert by_position(got) == by_position(expected)


def test_remit_frame_equals_cli(spark):
    from edi_j0256.diagnostics import Diagnostics
    from edi_j0256.remit import read_remits, remit_records

    paths = sorted(str(p) for p in FIXTURES.glob("835*.x12"))
    expected = [plain(r) for p in paths
                for r in remit_records(read_remits(p, diagnostics=Diagnostics()))]
    got = rows(remit_frame(spark, paths))
    assert expected and len(got) == len(expected)
    key = lambda r: (r["file"], r["segment"], r["record_type"])  # noqa: E731
    fields = list(got[0])
    assert sorted(got, key=key) == sorted(({f: r.get(f) for f in fields} for r in expected),
                                          key=key)


def test_findings_frame_equals_check(spark):
    paths = sorted(str(p) for p in FIXTURES.glob("837*.x12")) + sorted(
        str(p) for p in (FIXTURES / "rules").glob("J[CF]00[1-5]-trigger*.x12"))
    expected = [plain(f.record()) for f in Checker().check_files(paths)]
    got = rows(findings_frame(spark, paths))
    key = lambda r: tuple(str(v) for v in r.values())  # noqa: E731
    run_rules = {"JF001", "JF003", "JC005"}  # JF002 needs a payer policy with a daily cap
    assert run_rules <= {r["code"] for r in expected}  # the run rules are exercised
    assert sorted(got, key=key) == sorted(expected, key=key)
