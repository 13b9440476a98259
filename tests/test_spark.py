"""The Spark adapter in local mode gives the CLI's records, remit lines and findings.

Run with ``-m spark`` (``.ci/run`` does when Java is present). Skipped with the reason when
pyspark or Java is missing.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
POLICY = ROOT / "tests" / "data" / "policy_caps_and_brands.toml"

if importlib.util.find_spec("pyspark") is None:
    pytest.skip("pyspark is not installed (pip install -e '.[spark]')", allow_module_level=True)
if shutil.which("java") is None:
    pytest.skip("Java is not installed (Spark needs a JVM)", allow_module_level=True)

from edi_j0256.diagnostics import Diagnostics  # noqa: E402
from edi_j0256.output import plain  # noqa: E402
from edi_j0256.parallel import plan_pieces  # noqa: E402
from edi_j0256.remit import remit_reader, remit_records  # noqa: E402
from edi_j0256.rules import Checker, RuleContext, load_crosswalk, load_policies  # noqa: E402
from edi_j0256.scan import iter_scan  # noqa: E402
from edi_j0256.spark import findings_frame, remit_frame, scan_frame, session  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    spark = session("local[2]")
    yield spark
    spark.stop()


def benchmark_script(name: str):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from common import load_script

        return load_script(name)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def generated(tmp_path_factory, script: str, **options) -> Path:
    """A file written by ``benchmarks/SCRIPT.py`` (half the claims with J0256)."""
    path = tmp_path_factory.mktemp(script) / "generated.x12"
    benchmark_script(script).generate(path, j0256_share=0.5, **options)
    return path


@pytest.fixture(scope="module")
def big_835(tmp_path_factory) -> Path:
    """A generated 835 of ~0.6 MB in many small ST..SE transactions (and its 837P)."""
    return generated(tmp_path_factory, "generate_835", size_mb=0.6, seed=7,
                     claims_per_transaction=40)


@pytest.fixture(scope="module")
def big_837(tmp_path_factory) -> Path:
    """A generated 837P of ~0.5 MB in transactions of 50 claims."""
    return generated(tmp_path_factory, "generate_837p", size_mb=0.5, seed=5,
                     claims_per_transaction=50)


def clean(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    return value


def rows(frame) -> list[dict]:
    return [clean(r.asDict(recursive=True)) for r in frame.collect()]


def cli_records(paths) -> list[dict]:
    out = []
    for path in paths:
        records, _ = iter_scan(path)
        out.extend(plain(r) for r in records)
    return out


def cli_remits(paths, codes=("J0256",)) -> list[dict]:
    """What ``edi-j0256 remit`` writes for the files (its reader and records)."""
    return [plain(r) for p in paths
            for r in remit_records(remit_reader(p, diagnostics=Diagnostics(), hcpcs=codes)
                                   .items(), hcpcs=codes)]


def by_position(records):
    return sorted(records, key=lambda r: (r["file"], r["segment"]))


def same_remits(got: list[dict], expected: list[dict]) -> None:
    assert expected and len(got) == len(expected)
    key = lambda r: (r["file"], r["segment"], r["record_type"])  # noqa: E731
    fields = list(got[0])
    assert sorted(got, key=key) == sorted(({f: r.get(f) for f in fields} for r in expected),
                                          key=key)


def by_value(records: list[dict]) -> list[dict]:
    return sorted(records, key=lambda r: tuple(str(v) for v in r.values()))


def test_scan_frame_equals_cli_on_fixtures(spark):
    paths = sorted(str(p) for p in FIXTURES.glob("837*.x12"))
    expected = cli_records(paths)
    got = rows(scan_frame(spark, [str(FIXTURES / "837*.x12")]))
    assert len(got) == len(expected) == 36
    assert by_position(got) == by_position(expected)


def test_scan_frame_cuts_a_large_file(spark, big_837):
    path = big_837
    expected = cli_records([str(path)])
    got = rows(scan_frame(spark, [str(path)], min_piece=60_000))
    assert len(got) == len(expected) > 100
    assert by_position(got) == by_position(expected)


def test_remit_frame_equals_cli(spark):
    paths = sorted(str(p) for p in FIXTURES.glob("835*.x12"))
    same_remits(rows(remit_frame(spark, paths)), cli_remits(paths))


def test_frames_report_inputs_they_cannot_read(spark, tmp_path):
    """What ``remit`` and ``check`` call unusable reaches the ``problems`` accumulator."""
    from edi_j0256.spark.frames import unusable

    text = tmp_path / "notes.x12"
    text.write_text("not an interchange\n")
    claims, remits = str(FIXTURES / "837p-medicare.x12"), str(FIXTURES / "835-medicare.x12")
    problems = unusable(spark)
    same_remits(rows(remit_frame(spark, [remits, claims, str(text)], problems=problems)),
                cli_remits([remits]))
    assert set(problems.value) == {
        f"{claims}: no 835 transaction (ST*835) in the file",
        f"{text}: not an X12 file: no ISA, GS or ST segment found at the start"}
    problems = unusable(spark)
    got = rows(findings_frame(spark, [claims, str(text)], problems=problems))
    assert by_value(got) == by_value(checked([claims]))
    assert set(problems.value) == {
        f"{text}: not an X12 file: no ISA, GS or ST segment found at the start"}


def test_remit_frame_cuts_a_large_835_at_st(spark, big_835):
    path = str(big_835)
    pieces = plan_pieces(path, 8, 60_000)
    assert len(pieces) >= 5 and all(p.prefix.startswith(b"ISA") for p in pieces[1:])
    expected = cli_remits([path])
    assert len(expected) > 300
    same_remits(rows(remit_frame(spark, [path], min_piece=60_000)), expected)
    codes = ("J0256", "J1950", "96365")
    same_remits(rows(remit_frame(spark, [path], codes, min_piece=60_000)),
                cli_remits([path], codes))


def test_remit_piece_with_a_tolerance_warning_reads_its_file_whole(spark, big_835, tmp_path):
    """An empty segment (X107) late in the file: the pieces' segment counts would be one
    off after it, so the file is read whole and the positions are still the CLI's."""
    data = big_835.read_bytes()
    at = data.index(b"~\nCLP*", len(data) * 3 // 4) + 1
    damaged = tmp_path / "damaged.x12"
    damaged.write_bytes(data[:at] + b"~" + data[at:])
    diagnostics = Diagnostics()
    expected = [plain(r) for r in remit_records(remit_reader(
        str(damaged), diagnostics=diagnostics, hcpcs=("J0256",)).items())]
    assert "X107" in {d.code for d in diagnostics}
    shifted = [r for r in expected if r["segment"] > data[:at].count(b"~")]
    assert shifted  # records after the empty segment, whose positions a piece gets wrong
    same_remits(rows(remit_frame(spark, [str(damaged)], min_piece=60_000)), expected)


def test_findings_frame_equals_check(spark):
    paths = sorted(str(p) for p in FIXTURES.glob("837*.x12")) + sorted(
        str(p) for p in (FIXTURES / "rules").glob("J[CF]00[1-5]-trigger*.x12"))
    expected = [plain(f.record()) for f in Checker().check_files(paths)]
    got = rows(findings_frame(spark, paths))
    run_rules = {"JF001", "JF003", "JC005"}  # JF002 needs a payer policy with a daily cap
    assert run_rules <= {r["code"] for r in expected}  # the run rules are exercised
    assert by_value(got) == by_value(expected)


def test_findings_frame_with_a_user_policy_and_select(spark):
    """The policy reaches the executors: JF002 (the plan's daily cap) and JN007 (its
    preferred brand) fire only with it, and ``select`` narrows as check's does."""
    paths = [str(FIXTURES / "rules" / f"{name}.x12") for name in
             ("JF002-trigger", "JF002-pass", "JN007-trigger", "JF001-trigger-a",
                          "JF001-trigger-b")]
    policies = load_policies(POLICY)
    expected = [plain(f.record()) for f in
                Checker(RuleContext(policies, load_crosswalk())).check_files(paths)]
    bundled = {plain(f.record())["code"] for f in Checker().check_files(paths)}
    assert {"JF002", "JN007"} <= {r["code"] for r in expected}
    assert not {"JF002", "JN007"} & bundled
    assert by_value(rows(findings_frame(spark, paths, policies=policies))) == by_value(expected)
    selected = [plain(f.record()) for f in Checker(RuleContext(policies, load_crosswalk()),
                                                   select=("JF",)).check_files(paths)]
    assert selected and {r["code"][:2] for r in selected} == {"JF"}
    got = rows(findings_frame(spark, paths, policies=policies, select=("JF",)))
    assert by_value(got) == by_value(selected)


CAPS = """
[profiles.commercial]
max_units_per_day = 300
max_units_per_7_days = 500
[profiles.medicare]
max_units_per_day = 300
require_prior_auth = true
[profiles.medicaid]
max_units_per_day = 300
[profiles.medicare_advantage]
max_units_per_7_days = 500
"""


def checked(paths, policies=None) -> list[dict]:
    context = RuleContext(policies or load_policies(), load_crosswalk())
    return [plain(f.record()) for f in Checker(context).check_files(paths)]


@pytest.mark.parametrize("damaged", [False, True])
def test_findings_frame_cuts_a_large_file_at_st(spark, big_837, tmp_path, damaged):
    """Pieces of one file on the executors, a user policy with caps (claim and run rules
    fire on every piece); with an empty segment (X107) in a late piece, the file is read
    whole and the findings are still check's."""
    policy = tmp_path / "caps.toml"
    policy.write_text(CAPS)
    policies = load_policies(policy)
    path = big_837
    if damaged:
        data = big_837.read_bytes()
        at = data.index(b"~\nCLM*", len(data) * 3 // 4) + 1
        path = tmp_path / "damaged.x12"
        path.write_bytes(data[:at] + b"~" + data[at:])
    pieces = plan_pieces(path, 8, 60_000)
    assert len(pieces) >= 5 and all(p.prefix.startswith(b"ISA") for p in pieces[1:])
    expected = checked([str(path)], policies)
    codes = {r["code"] for r in expected}
    assert {"JF002", "JF003", "JA001"} <= codes and ("X107" in codes) == damaged
    got = rows(findings_frame(spark, [str(path)], policies=policies, min_piece=60_000))
    assert by_value(got) == by_value(expected)


def test_findings_frame_cuts_interchanges_with_patients_across_pieces(spark, tmp_path):
    """The rule fixtures' 837s as one file of many interchanges, cut at ISA: the same
    patients come back in later pieces, so the run rules meet across pieces."""
    from edi_j0256.x12.kind import detect_file_kind

    joined = b""
    for fixture in sorted((FIXTURES / "rules").glob("J*.x12")):
        kind, data = detect_file_kind(str(fixture)), fixture.read_bytes()
        if kind is not None and kind.is_claims and data.startswith(b"ISA"):
            joined += data if data.endswith(b"\n") else data + b"\n"
    path = tmp_path / "rules.x12"
    path.write_bytes(joined)
    assert len(plan_pieces(path, 9, 10_000)) >= 5
    expected = checked([str(path)])
    assert sum(r["code"] in ("JF001", "JF003", "JF004", "JC005") for r in expected) > 100
    got = rows(findings_frame(spark, [str(path), str(FIXTURES / "837p-medicare.x12")],
                              min_piece=10_000))
    assert by_value(got) == by_value(checked([str(path), str(FIXTURES / "837p-medicare.x12")]))


def run_entry(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "edi_j0256.spark", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_entry_check_with_policy_writes_the_findings_as_parquet(tmp_path):
    import pyarrow.parquet as pq
    from click.testing import CliRunner

    from edi_j0256.cli import cli

    paths = [str(FIXTURES / "rules" / f"{name}.x12") for name in
             ("JF002-trigger", "JN007-trigger", "JF003-trigger")]
    jsonl = tmp_path / "findings.jsonl"
    result = CliRunner().invoke(cli, ["check", *paths, "--policy", str(POLICY),
                                      "--format", "jsonl", "-o", str(jsonl)])
    assert result.exit_code == 1, result.output  # errors found
    expected = [json.loads(line) for line in jsonl.read_text().splitlines()]
    out = tmp_path / "parquet"
    done = run_entry("check", *paths, "--policy", str(POLICY), "-o", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"{out}: {len(expected)} check rows" in done.stderr
    got = [clean(r) for r in pq.read_table(out).to_pylist()]
    assert {"JF002", "JN007"} <= {r["code"] for r in got}
    assert by_value(got) == by_value(expected)


@pytest.mark.parametrize(("args", "message"), [
    (("--policy", "no/such.toml"), "no/such.toml: cannot read policy file"),
    (("--select", "ZZ9"), "--select: unknown rule code or prefix 'ZZ9'"),
])
def test_entry_bad_check_option_is_one_line_exit_2(tmp_path, args, message):
    done = run_entry("check", str(FIXTURES / "837p-medicare.x12"), "-o", str(tmp_path / "o"),
                     *args)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"Error: {message}" + done.stderr.strip()
                                                .split(message, 1)[1]]
    assert "Traceback" not in done.stderr and not (tmp_path / "o").exists()


def test_entry_names_inputs_it_cannot_read_and_reads_the_others(tmp_path):
    """As the CLI: a missing path, a glob matching nothing and a file that is not X12 are
    named in one line each (the CLI's words), the others are written, exit 2."""
    out = tmp_path / "scan"
    text = tmp_path / "notes.x12"
    text.write_text("not an interchange\n")
    done = run_entry("scan", str(tmp_path / "none-*.x12"), str(tmp_path / "missing.x12"),
                     str(text), str(FIXTURES / "837p-medicare.x12"), "-o", str(out))
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: {tmp_path / 'none-*.x12'}: no file matches",
                      f"error: {tmp_path / 'missing.x12'}: no such file or folder",
                      f"error: {text}: not an X12 file: no ISA, GS or ST segment found at "
                      "the start"]
    expected = cli_records([str(FIXTURES / "837p-medicare.x12")])
    assert f"{out}: {len(expected)} scan rows" in done.stderr
    done = run_entry("scan", str(tmp_path / "missing.x12"), "-o", str(out))
    assert done.returncode == 2 and done.stderr.strip() == (
        f"error: {tmp_path / 'missing.x12'}: no such file or folder")
