"""Benchmark ``check`` against the pure-Python floor, in CPU seconds, in one run.

Variants on the same generated all-J0256 837P files (``generate_837p.py``, every claim a
J0256 claim where the patient is an adult), repeats interleaved, best of ``--repeats``:

- ``floor``: read the file in 4 MB chunks, split every segment and element, count J0256
  SV1s (``bench_scan.floor_count``). The goal is a ratio to it: ``check`` <= 6x.
- ``read_claims``: the claim reader alone (what ``check`` builds its records with).
- ``check``: the library, ``Checker().check_file(path)`` with every finding consumed.
- ``check CLI``: once per file, ``python -m edi_j0256 check FILE --format jsonl -o OUT`` in a
  subprocess: CPU seconds (user + system) and peak RSS (the memory goal: < 200 MB on a
  500 MB file; ``--full`` measures 100 MB and 200 MB files so the growth per MB shows).

With findings (``--error-share``, default 0.2; 0 leaves it out): the same variants on a
20 MB all-J0256 file where that share of the J0256 claims carries one billing error
(``generate_837p.py --error-share``: about 9% of the J0256 lines draw a finding, with the
cap and MUE findings they bring), so building and writing findings is measured too; the
CLI must write as many findings as the library found, and exit 1.

Scaling (``--scaling``): ``check`` on 10,000 / 20,000 claims of one member and on one claim
of 5,000 / 10,000 lines (``fixtures/rules/make_rule_fixtures.py``): doubling should about
double the time.

The CLI must find exactly the claims and J0256 lines the generator wrote, and no finding on
the clean files (the generator bills J0256 cleanly); any mismatch makes the exit status 1.

    python benchmarks/bench_check.py                # 20 MB, about a minute
    python benchmarks/bench_check.py --full         # + 100 MB and 200 MB (several minutes)
    python benchmarks/bench_check.py --scaling
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOAL_RATIO = 6.0  # check CPU time <= 6x the floor's
GOAL_RSS_MB_AT_500 = 200.0


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[name] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


bench_scan = _load("bench_scan", HERE / "bench_scan.py")
fixtures = _load("make_rule_fixtures", ROOT / "fixtures" / "rules" / "make_rule_fixtures.py")


def cpu(func, *args) -> tuple[float, object]:
    started = time.process_time()
    result = func(*args)
    return time.process_time() - started, result


def read_claims_count(path: Path) -> int:
    from edi_j0256.claims import read_claims

    return sum(1 for _ in read_claims(path, hcpcs=("J0256",)))


def check_library(path: Path) -> tuple[int, int, int]:
    from edi_j0256.rules import Checker

    checker = Checker()
    findings = sum(1 for _ in checker.check_file(path)) + sum(1 for _ in checker.finish())
    return checker.counts.claims, checker.counts.lines, findings


def check_cli(path: Path, output: Path) -> tuple[float, float, int, str]:
    """(CPU seconds, peak RSS MB, exit status, stderr) of the CLI in a subprocess."""
    command = [sys.executable, "-m", "edi_j0256", "check", str(path), "--format", "jsonl",
               "-o", str(output)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    _, status, usage = os.wait4(process.pid, 0)
    return (usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
            os.waitstatus_to_exitcode(status), stderr)


def error_file(out: Path, size_mb: float, error_share: float):
    """The all-J0256 file with billing errors (generated once per parameters)."""
    stem = f"837p-{size_mb:g}mb-100pct-nl-s1-err{error_share * 100:g}"
    path, meta = out / f"{stem}.x12", out / f"{stem}.json"
    info = json.loads(meta.read_text()) if meta.exists() and path.exists() else None
    if info is not None and (info.get("generator_version") != bench_scan.generator.GENERATOR_VERSION
                             or info.get("bytes") != path.stat().st_size):
        info = None
    if info is None:
        info = bench_scan.generator.generate(path, size_mb=size_mb, j0256_share=1.0, seed=1,
                                             error_share=error_share)
        meta.write_text(json.dumps(info, indent=1))
    return bench_scan.BenchFile(f"{size_mb:g} MB, all J0256, {error_share:g} with errors",
                                path, path, info)


def bench_files(sizes: list[float], repeats: int, out: Path,
                error_share: float = 0.0) -> tuple[list[dict], bool]:
    ok = True
    rows = []
    files = [bench_scan.get_file(out, size, 1.0, True, 1, False) for size in sizes]
    if error_share:
        files.append(error_file(out, sizes[0], error_share))
    for bench_file in files:
        info = bench_file.info
        best = {"floor": float("inf"), "read_claims": float("inf"), "check": float("inf")}
        counts = None
        for _ in range(repeats):
            seconds, _count = cpu(bench_scan.floor_count, bench_file.path)
            best["floor"] = min(best["floor"], seconds)
            seconds, _count = cpu(read_claims_count, bench_file.path)
            best["read_claims"] = min(best["read_claims"], seconds)
            seconds, counts = cpu(check_library, bench_file.path)
            best["check"] = min(best["check"], seconds)
        written = out / f"{bench_file.path.stem}.check.jsonl"
        cli_cpu, rss, status, stderr = check_cli(bench_file.path, written)
        claims, lines, findings = counts
        right = claims == info["j0256_claims"] and lines == info["j0256_lines"]
        if info.get("error_claims"):
            with open(written, "rb") as f:
                cli_findings = sum(1 for _ in f)
            right &= findings > 0 and cli_findings == findings and status == 1
        else:
            right &= findings == 0 and status == 0
        ok &= right
        rows.append({"file": bench_file.path.name, "mb": round(info["bytes"] / 1e6, 1),
                     "j0256_lines": lines, "findings": findings,
                     "floor_s": round(best["floor"], 3),
                     "read_claims_x": round(best["read_claims"] / best["floor"], 2),
                     "check_x": round(best["check"] / best["floor"], 2),
                     "check_cli_cpu_s": round(cli_cpu, 2), "cli_rss_mb": round(rss, 1),
                     "counts_ok": right, "stderr": stderr.strip()[:200]})
    return rows, ok


def bench_scaling(repeats: int) -> list[dict]:
    from edi_j0256.rules import Checker

    def run(text: str) -> float:
        best = float("inf")
        for _ in range(repeats):
            checker = Checker()
            started = time.process_time()
            for _finding in checker.check_file(io.BytesIO(text.encode("ascii")), name="x"):
                pass
            best = min(best, time.process_time() - started)
        return best

    rows = []
    for name, build, small, large in (
            ("claims of one member", fixtures.many_claims_one_member, 10_000, 20_000),
            ("J0256 doses in one claim (2 lines each)", fixtures.one_claim_many_lines,
             5_000, 10_000)):
        a, b = run(build(small)), run(build(large))
        rows.append({"dimension": name, "small": small, "large": large,
                     "small_s": round(a, 2), "large_s": round(b, 2),
                     "ratio": round(b / a, 2)})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="also 100 MB and 200 MB files")
    parser.add_argument("--sizes", type=float, nargs="*", help="file sizes in MB")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--error-share", type=float, default=0.2,
                        help="also a file where this share of J0256 claims has a billing "
                             "error (0: none)")
    parser.add_argument("--scaling", action="store_true", help="only the scaling cases")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    ok = True
    if args.scaling:
        results["scaling"] = bench_scaling(args.repeats)
    else:
        sizes = args.sizes or ([20.0, 100.0, 200.0] if args.full else [20.0])
        rows, ok = bench_files(sizes, args.repeats if not args.full else 1, args.out,
                               args.error_share)
        results["files"] = rows
        big = [r for r in rows if r["mb"] >= 50 and not r["findings"]]
        if len(big) >= 2:
            first, last = big[0], big[-1]
            per_mb = (last["cli_rss_mb"] - first["cli_rss_mb"]) / (last["mb"] - first["mb"])
            results["rss_mb_per_file_mb"] = round(per_mb, 3)
            results["rss_mb_at_500_extrapolated"] = round(
                last["cli_rss_mb"] + per_mb * (500 - last["mb"]), 1)
        results["goal_check_x"] = GOAL_RATIO
        results["goal_rss_mb_at_500"] = GOAL_RSS_MB_AT_500
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
