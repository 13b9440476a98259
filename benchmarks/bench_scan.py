"""Benchmark ``scan`` against a pure-Python floor and pyx12, on the same files, in one run.

Variants, each timed as the best of ``--repeats`` runs, repeats interleaved across files and
variants so that machine drift hits them alike (compare the ratios of one run, not seconds
across runs):

- ``floor``: the simplest tight pure-Python reader: read the file in 4 MB chunks, split
  segments on the terminator and EVERY segment into elements, count SV1 segments whose
  SV101-2 is J0256. This is what "tokenise everything" costs. The scan goals are ratios to it.
- ``floor (str)``: the same loop on text (each chunk decoded first), for information: readers
  that hand out ``str`` elements, as scan's does, pay for the decoding too.
- ``regex``: a bytes regex counting J0256 SV1 segments (information only: what C-speed
  searching costs; it builds no context at all).
- ``scan``: the library, ``iter_scan(path, hcpcs=("J0256",))`` with every record consumed.
- ``scan CLI``: once per file, ``python -m edi_j0256 scan FILE --format jsonl -o OUT`` in a
  subprocess (interpreter start-up and JSON writing included), with its peak RSS.
- ``pyx12 X12Reader`` / ``pyx12 X12ContextReader`` / ``pyx12 x12n_document``: on a small file
  (pyx12 reads ~0.1-0.3 MB/s), MB/s extrapolated. X12Reader only splits segments and checks
  envelope counts; X12ContextReader walks the 837 map (loop context, like scan needs);
  x12n_document validates against the implementation guide.

Correctness: every count must equal what the generator wrote (J0256 lines, claims), and the
CLI's JSON Lines are compared field by field with the generator's ground truth (claim,
hierarchy context, line, NDC). Any mismatch makes the exit status 1.

    python benchmarks/bench_scan.py                 # 20 MB files, a few minutes
    python benchmarks/bench_scan.py --full          # + 100 MB files for the memory goal
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import importlib.util
import io
import json
import logging
import os
import platform
import pstats
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "out"
CODE = b"J0256"
CHUNK = 1 << 22

GOAL_ALL = 4.0  # all-J0256 file: scan time <= 4x the floor's (issue 10; moonshot 2x)
GOAL_MIX = 0.6  # 2% mix: scan time <= 0.6x the floor's
GOAL_PYX12 = 100.0  # scan MB/s > 100x pyx12's
GOAL_RSS_MB = 150.0  # peak RSS of the scan process on a 100 MB file


READER_MODULES = ("edi_j0256.x12.tokenizer", "edi_j0256.x12.needle", "edi_j0256.claims.parser",
                  "edi_j0256.scan", "edi_j0256.output")


def reader_core() -> str:
    """``compiled (n/5)`` when Cython-built modules of the reader core are imported (the
    timings depend on it), else ``pure``."""
    import importlib

    built = [name for name in READER_MODULES
             if not importlib.import_module(name).__file__.endswith(".py")]
    return f"compiled ({len(built)}/{len(READER_MODULES)})" if built else "pure"


def _load_generator():
    spec = importlib.util.spec_from_file_location("generate_837p", HERE / "generate_837p.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["generate_837p"] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


generator = _load_generator()


# -- the files ------------------------------------------------------------------------------

@dataclass
class BenchFile:
    label: str
    path: Path
    truth: Path
    info: dict  # what the generator reports it wrote

    @property
    def mb(self) -> float:
        return self.info["bytes"] / 1e6


def get_file(out_dir: Path, size_mb: float, share: float, newlines: bool, seed: int,
             regenerate: bool) -> BenchFile:
    """Generate (or reuse, when generated with the same parameters) one benchmark file."""
    layout = "nl" if newlines else "1line"
    stem = f"837p-{size_mb:g}mb-{share * 100:g}pct-{layout}-s{seed}"
    path, truth, meta = (out_dir / f"{stem}.x12", out_dir / f"{stem}.truth.jsonl",
                         out_dir / f"{stem}.json")
    info = None
    if not regenerate and meta.exists() and path.exists() and truth.exists():
        info = json.loads(meta.read_text())
        if (info.get("generator_version") != generator.GENERATOR_VERSION
                or info.get("bytes") != path.stat().st_size):
            info = None
    if info is None:
        info = generator.generate(path, size_mb=size_mb, j0256_share=share, newlines=newlines,
                                  seed=seed, truth=truth)
        meta.write_text(json.dumps(info, indent=1))
        print(f"  generated {path.name}: {info['size_mb']} MB, {info['claims']} claims, "
              f"{info['j0256_lines']} J0256 lines in {info['seconds']} s", flush=True)
    label = f"{size_mb:g} MB, {share * 100:g}% J0256, " + (
        "one segment per line" if newlines else "single line")
    return BenchFile(label, path, truth, info)


# -- the variants ---------------------------------------------------------------------------

def read_delimiters(path: Path) -> tuple[bytes, bytes, bytes]:
    """Element separator, component separator and terminator from the file's ISA."""
    with open(path, "rb") as f:
        isa = f.read(106)
    return isa[3:4], isa[104:105], isa[105:106]


def floor_count(path: Path) -> int:
    """Pure-Python floor: split every segment and every element; count J0256 SV1 lines."""
    element, component, terminator = read_delimiters(path)
    count = 0
    rest = b""
    with open(path, "rb") as f:
        while True:
            data = f.read(CHUNK)
            if not data:
                break
            parts = (rest + data).split(terminator)
            rest = parts.pop()
            for part in parts:
                elements = part.strip().split(element)
                if elements[0] == b"SV1":
                    composite = elements[1].split(component)
                    if len(composite) > 1 and composite[1] == CODE:
                        count += 1
    if rest.strip():
        elements = rest.strip().split(element)
        if elements[0] == b"SV1" and elements[1].split(component)[1:2] == [CODE]:
            count += 1
    return count


def floor_str_count(path: Path) -> int:
    """The floor on text: the same loop after decoding each chunk to str (as readers that
    hand out str elements, like scan's tokenizer, must)."""
    element, component, terminator = (d.decode("latin-1") for d in read_delimiters(path))
    code = CODE.decode()
    count = 0
    rest = ""
    with open(path, "rb") as f:
        while True:
            data = f.read(CHUNK)
            if not data:
                break
            parts = (rest + data.decode("latin-1")).split(terminator)
            rest = parts.pop()
            for part in parts:
                elements = part.strip().split(element)
                if elements[0] == "SV1":
                    composite = elements[1].split(component)
                    if len(composite) > 1 and composite[1] == code:
                        count += 1
    if rest.strip():
        elements = rest.strip().split(element)
        if elements[0] == "SV1" and elements[1].split(component)[1:2] == [code]:
            count += 1
    return count


def regex_count(path: Path) -> int:
    """Bytes regex: J0256 SV1 segments, at C speed, no tokenizing and no context."""
    element, component, terminator = (re.escape(d) for d in read_delimiters(path))
    pattern = re.compile(terminator + rb"\s*SV1" + element + rb"[A-Z0-9]{2}" + component
                         + CODE + rb"(?=" + component + b"|" + element + b"|"
                         + terminator + b")")
    raw_terminator = read_delimiters(path)[2]
    count = 0
    carry = b""
    with open(path, "rb") as f:
        while True:
            data = f.read(CHUNK)
            buffer = carry + data
            if not data:
                count += len(pattern.findall(buffer))
                break
            cut = buffer.rfind(raw_terminator)
            if cut < 0:
                carry = buffer
                continue
            count += len(pattern.findall(buffer, 0, cut + 1))
            carry = buffer[cut:]
    return count


def scan_library(path: Path) -> tuple[int, object]:
    """``iter_scan`` with every record consumed; returns (records, stats)."""
    from edi_j0256.scan import iter_scan

    records, reader = iter_scan(path, hcpcs=("J0256",))
    count = 0
    for _ in records:
        count += 1
    return count, reader.stats


def scan_cli(path: Path, output: Path) -> tuple[float, float, int, str]:
    """The CLI in a subprocess: (seconds, peak RSS in MB, exit status, stderr)."""
    command = [sys.executable, "-m", "edi_j0256", "scan", str(path), "--format", "jsonl",
               "-o", str(output)]
    errors = output.with_suffix(".stderr")
    with open(errors, "wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024, process.returncode, errors.read_text(
        errors="replace")


def pyx12_x12reader(path: Path) -> int:
    import pyx12.x12file

    count = 0
    with pyx12.x12file.X12Reader(str(path)) as reader:
        for seg in reader:
            if seg.get_seg_id() == "SV1" and seg.get_value("SV101-2") == "J0256":
                count += 1
    return count


def pyx12_context_reader(path: Path) -> int:
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12context

    count = 0
    param = pyx12.params.params()
    with pyx12.x12context.X12ContextReader(param, pyx12.error_handler.errh_null(),
                                           str(path)) as reader:
        for node in reader.iter_segments():
            if node.id == "SV1" and node.get_value("SV101-2") == "J0256":
                count += 1
    return count


def pyx12_validate(path: Path) -> bool:
    import pyx12.params
    import pyx12.x12n_document

    return bool(pyx12.x12n_document.x12n_document(
        param=pyx12.params.params(), src_file=str(path), fd_997=None, fd_html=None,
        fd_xmldoc=None, fd_json=io.StringIO()))


# -- measuring ------------------------------------------------------------------------------

@dataclass
class Row:
    file: BenchFile
    variant: str
    times: list[float] = field(default_factory=list)
    check: str = ""
    ok: bool = True
    rss_mb: float | None = None
    note: str = ""

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def mb_s(self) -> float:
        return self.file.mb / self.best


def timed(function: Callable, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def compare_truth(jsonl: Path, truth: Path, limit: int = 5) -> tuple[int, int, list[str]]:
    """Compare scan's JSON Lines with the generator's truth: (records, mismatches, examples)."""
    problems: list[str] = []
    mismatches = records = 0
    with open(jsonl, encoding="utf-8") as got, open(truth, encoding="utf-8") as want:
        for line, expected_line in zip_longest(got, want):
            if line is None:
                break
            records += 1
            if expected_line is None:
                continue  # more records than the generator wrote: the count check says so
            record, expected = json.loads(line), json.loads(expected_line)
            for key, value in expected.items():
                if record.get(key) != value:
                    mismatches += 1
                    if len(problems) < limit:
                        problems.append(f"{expected['claim_id']} line {expected['line_number']}"
                                        f" {key}: expected {value!r}, scan gave "
                                        f"{record.get(key)!r}")
    return records, mismatches, problems


def profile_scan(bench: BenchFile, top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    scan_library(bench.path)
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(top)
    lines = [line for line in text.getvalue().splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    header = next((line.strip() for line in lines if "function calls" in line), "")
    root = str(HERE.parent) + os.sep
    body = [line.replace(root, "") for line in lines[start:]]
    return f"cProfile of scan on {bench.label} ({header})\n" + "\n".join(body)


def run(args: argparse.Namespace) -> int:
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    layouts = {"both": (True, False), "newlines": (True,), "single-line": (False,)}[args.layouts]
    print(f"generating / reusing files in {out_dir} ...", flush=True)
    files = [get_file(out_dir, args.size_mb, share, newlines, args.seed, args.regenerate)
             for share in (1.0, args.mix_share) for newlines in layouts]
    small = get_file(out_dir, args.pyx12_size_mb, args.mix_share, True, args.seed,
                     args.regenerate)
    big: list[BenchFile] = []
    if args.full:
        big = [get_file(out_dir, args.full_size_mb, share, True, args.seed, args.regenerate)
               for share in (1.0, args.mix_share)]

    rows: dict[tuple[str, str], Row] = {}
    failures: list[str] = []

    def row(bench: BenchFile, variant: str) -> Row:
        return rows.setdefault((str(bench.path), variant), Row(bench, variant))

    def check(r: Row, got: int, want: int, what: str) -> None:
        text = f"{what} {got}/{want}"
        r.check = f"{r.check}, {text}" if r.check else text
        if got != want:
            r.ok = False
            failures.append(f"{r.variant} on {r.file.label}: {what} {got}, generator wrote "
                            f"{want}")

    # warm-up: touch every file and import everything once (the first pass over fresh
    # memory on these VMs can be much slower than the following ones)
    for bench in files + [small]:
        floor_count(bench.path)
    scan_library(small.path)

    print(f"timing: best of {args.repeats}, repeats interleaved ...", flush=True)
    for repeat in range(args.repeats):
        for bench in files:
            want = bench.info["j0256_lines"]
            for variant, function in (("floor", floor_count), ("floor (str)", floor_str_count),
                                      ("regex", regex_count),
                                      ("scan (library)", scan_library)):
                seconds, result = timed(function, bench.path)
                r = row(bench, variant)
                r.times.append(seconds)
                if repeat == 0:
                    if variant.startswith("scan"):
                        count, stats = result
                        check(r, count, want, "records")
                        check(r, stats.matched_lines, want, "lines")
                        check(r, stats.claims, bench.info["claims"], "claims")
                        check(r, stats.service_lines, bench.info["service_lines"],
                              "service lines")
                    else:
                        check(r, result, want, "lines")
        print(f"  repeat {repeat + 1}/{args.repeats} done", flush=True)

    print("CLI runs (one each, subprocess) ...", flush=True)
    for bench in files + big:
        output = out_dir / (bench.path.stem + ".scan.jsonl")
        seconds, rss, status, stderr = scan_cli(bench.path, output)
        r = row(bench, "scan CLI -> jsonl")
        r.times.append(seconds)
        r.rss_mb = rss
        if status != 0:
            r.ok = False
            failures.append(f"CLI exit status {status} on {bench.label}: {stderr[-300:]}")
        records, mismatches, problems = compare_truth(output, bench.truth)
        check(r, records, bench.info["j0256_lines"], "records")
        r.check += f", fields {'OK' if not mismatches else f'{mismatches} WRONG'}"
        if mismatches:
            r.ok = False
            failures.append(f"CLI on {bench.label}: {mismatches} field mismatches, e.g. "
                            + "; ".join(problems))
        if bench in big:
            seconds, result = timed(floor_count, bench.path)
            floor_row = row(bench, "floor")
            floor_row.times.append(seconds)
            check(floor_row, result, bench.info["j0256_lines"], "lines")
        if not args.keep_outputs:
            output.unlink(missing_ok=True)
            output.with_suffix(".stderr").unlink(missing_ok=True)

    print(f"pyx12 on {small.label} ({args.pyx12_repeats} run(s) each) ...", flush=True)
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    want = small.info["j0256_lines"]
    for repeat in range(args.pyx12_repeats):
        for variant, function in (("floor", floor_count), ("scan (library)", scan_library),
                                  ("pyx12 X12Reader", pyx12_x12reader),
                                  ("pyx12 X12ContextReader", pyx12_context_reader),
                                  ("pyx12 x12n_document", pyx12_validate)):
            seconds, result = timed(function, small.path)
            r = row(small, variant)
            r.times.append(seconds)
            if repeat == 0:
                if variant == "pyx12 x12n_document":
                    r.check = "valid" if result else "INVALID"
                    if not result:
                        r.ok = False
                        failures.append("pyx12 says the generated file is not valid")
                elif variant == "scan (library)":
                    check(r, result[0], want, "records")
                else:
                    check(r, result, want, "lines")

    # -- the table ---------------------------------------------------------------------------
    print()
    print(f"edi-j0256 scan benchmark, {dt.date.today().isoformat()}, Python "
          f"{platform.python_version()}, {os.cpu_count()} CPUs, best of {args.repeats} "
          f"(pyx12: best of {args.pyx12_repeats}), reader core {reader_core()}")
    header = (f"{'file':<40} {'variant':<24} {'seconds':>8} {'MB/s':>7} {'x floor':>8} "
              f"{'peak RSS':>9}  check")
    print(header)
    print("-" * len(header))
    floors = {key[0]: r.best for key, r in rows.items() if key[1] == "floor"}
    for bench in files + big + [small]:
        for (path, _variant), r in rows.items():
            if path != str(bench.path):
                continue
            ratio = r.best / floors[path] if path in floors else float("nan")
            rss = f"{r.rss_mb:.0f} MB" if r.rss_mb is not None else ""
            flag = "" if r.ok else "  <-- FAIL"
            print(f"{bench.label:<40} {r.variant:<24} {r.best:>8.3f} {r.mb_s:>7.2f} "
                  f"{ratio:>7.2f}x {rss:>9}  {r.check}{flag}")
        print()

    # -- the goals ---------------------------------------------------------------------------
    print("goals")
    goals: list[tuple[str, str, bool | None]] = []
    for bench in files:
        scan = rows[(str(bench.path), "scan (library)")].best
        ratio = scan / floors[str(bench.path)]
        cli = rows.get((str(bench.path), "scan CLI -> jsonl"))
        cli_ratio = cli.best / floors[str(bench.path)] if cli is not None else None
        goal, what = ((GOAL_ALL, "all-J0256") if bench.info["j0256_share"] == 1.0
                      else (GOAL_MIX, f"{args.mix_share * 100:g}% mix"))
        goals.append((f"{what} ({bench.label}): scan <= {goal}x floor", f"{ratio:.2f}x",
                      ratio <= goal))
        if cli_ratio is not None:
            goals.append((f"{what} ({bench.label}): CLI -> jsonl <= {goal}x floor",
                          f"{cli_ratio:.2f}x", cli_ratio <= goal))
    pyx12_rates = {v: rows[(str(small.path), v)].mb_s for v in
                   ("pyx12 X12ContextReader", "pyx12 x12n_document", "pyx12 X12Reader")}
    for bench in files:
        scan_rate = rows[(str(bench.path), "scan (library)")].mb_s
        context = scan_rate / pyx12_rates["pyx12 X12ContextReader"]
        document = scan_rate / pyx12_rates["pyx12 x12n_document"]
        raw = scan_rate / pyx12_rates["pyx12 X12Reader"]
        goals.append((f"scan on {bench.label} vs pyx12 X12ContextReader: > {GOAL_PYX12:g}x",
                      f"{context:.0f}x (x12n_document {document:.0f}x, raw X12Reader "
                      f"{raw:.1f}x)", context > GOAL_PYX12))
    if big:
        for bench in big:
            r = rows[(str(bench.path), "scan CLI -> jsonl")]
            goals.append((f"peak RSS, CLI on {bench.label}: < {GOAL_RSS_MB:g} MB",
                          f"{r.rss_mb:.0f} MB", (r.rss_mb or 0) < GOAL_RSS_MB))
    else:
        worst = max(rows[(str(b.path), "scan CLI -> jsonl")].rss_mb or 0 for b in files)
        goals.append((f"peak RSS on a 100 MB file: < {GOAL_RSS_MB:g} MB",
                      f"not measured (run with --full); {worst:.0f} MB on "
                      f"{args.size_mb:g} MB files", None))
    width = max(len(g[0]) for g in goals)
    for text, measured, passed in goals:
        verdict = "n/a " if passed is None else ("PASS" if passed else "MISS")
        print(f"  [{verdict}] {text:<{width}}  {measured}")

    if args.profile:
        print()
        for bench in files:
            if bench.info["newlines"]:
                print(profile_scan(bench, args.profile))
                print()

    if args.json:
        result = {
            "date": dt.datetime.now().isoformat(timespec="seconds"),
            "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
            "python": platform.python_version(), "cpus": os.cpu_count(),
            "repeats": args.repeats, "reader_core": reader_core(),
            "rows": [{"file": r.file.label, "path": r.file.path.name, "mb": r.file.mb,
                      "variant": r.variant, "best_seconds": r.best, "times": r.times,
                      "mb_s": r.mb_s, "x_floor": (r.best / floors[k[0]]) if k[0] in floors
                      else None, "peak_rss_mb": r.rss_mb, "check": r.check, "ok": r.ok}
                     for k, r in rows.items()],
            "goals": [{"goal": g, "measured": m, "passed": p} for g, m, p in goals],
            "failures": failures,
        }
        Path(args.json).write_text(json.dumps(result, indent=1))
        print(f"\nresults written to {args.json}")

    if failures:
        print("\nCORRECTNESS FAILURES (counts in != counts out):")
        for failure in failures:
            print(f"  {failure}")
        return 1
    if args.strict and any(p is False for _, _, p in goals):
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=float, default=20.0,
                        help="size of the timed files (default 20)")
    parser.add_argument("--mix-share", type=float, default=0.02,
                        help="J0256 share of the realistic-mix file (default 0.02)")
    parser.add_argument("--layouts", choices=("both", "newlines", "single-line"),
                        default="both", help="one segment per line, one single line, or both "
                        "(default both)")
    parser.add_argument("--repeats", "-n", type=int, default=3,
                        help="timed runs per variant; the best counts (default 3)")
    parser.add_argument("--pyx12-size-mb", type=float, default=1.0,
                        help="size of the file pyx12 reads (default 1)")
    parser.add_argument("--pyx12-repeats", type=int, default=1,
                        help="timed pyx12 runs per variant (default 1)")
    parser.add_argument("--full", action="store_true",
                        help="also generate --full-size-mb files and measure the CLI's peak "
                        "memory and time on them (the memory goal)")
    parser.add_argument("--full-size-mb", type=float, default=100.0,
                        help="size of the --full files (default 100)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--out-dir", default=str(DEFAULT_OUT),
                        help=f"where generated files go (default {DEFAULT_OUT}, gitignored)")
    parser.add_argument("--regenerate", action="store_true",
                        help="generate the files again even when they exist")
    parser.add_argument("--keep-outputs", action="store_true",
                        help="keep the CLI's .scan.jsonl outputs")
    parser.add_argument("--profile", type=int, metavar="N", default=0,
                        help="print the top N functions of a cProfile of scan on each file")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when a performance goal is missed (default: only on "
                        "correctness failures)")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.pyx12_repeats < 1:
        parser.error("--repeats and --pyx12-repeats must be at least 1")
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
