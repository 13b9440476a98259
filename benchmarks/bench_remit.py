"""Benchmark ``remit`` against a pure-Python floor and pyx12, on the same 835s, in one run.

CPU seconds (``time.process_time``), each the best of ``--repeats`` runs, repeats interleaved
across files and variants so that machine drift hits them alike (compare the ratios of one
run, not seconds across runs):

- ``floor``: read the file in 4 MB chunks, split EVERY segment on the terminator and every
  segment into elements, count the J0256 SVC segments. The goals are ratios to it.
- ``remit``: the library as the CLI drives it: ``RemitReader(path, hcpcs="J0256")`` with
  ``remit_records`` consumed to the end (root causes, advice, every field of every record).
- ``remit (typed)``: the reader's typed records alone (``RemitReader.items()``), no dicts.
- ``remit CLI``: once per file, ``python -m edi_j0256 remit FILE --format jsonl -o OUT`` in a
  subprocess (start-up and JSON writing included): its CPU seconds and peak RSS.
- ``pyx12 X12Reader``: pyx12's segment reader (no map, no validation) on a small 835 of the
  same mix (pyx12 is slow), against ``remit`` and the floor on that same file.

Correctness: the reader's counts (claims, SVC lines, PLB pairs, records) must equal what the
generator wrote, with no balancing warning; any mismatch makes the exit status 1.

    python benchmarks/bench_remit.py                  # 100 MB files (2% J0256 and all-J0256)
    python benchmarks/bench_remit.py --size-mb 20     # quicker
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent

if str(HERE) not in sys.path:  # loaded from a test: common.py sits beside it
    sys.path.insert(0, str(HERE))
from common import load_script  # noqa: E402

DEFAULT_OUT = HERE / "out"
CHUNK = 1 << 22

GOAL_MIX = 3.0  # 2% J0256: remit <= 3x the floor's CPU time
GOAL_ALL = 6.0  # all-J0256: remit <= 6x the floor's
GOAL_PYX12 = 3.0  # remit >= 3x faster than pyx12's X12Reader on the same 835




generator = load_script("generate_835")


def get_file(out_dir: Path, size_mb: float, share: float, seed: int, regenerate: bool
             ) -> tuple[Path, dict]:
    stem = f"835-{size_mb:g}mb-{share * 100:g}pct-s{seed}"
    path, meta = out_dir / f"{stem}.x12", out_dir / f"{stem}.json"
    if not regenerate and meta.exists() and path.exists():
        info = json.loads(meta.read_text())
        if (info.get("generator_version") == generator.GENERATOR_VERSION
                and info.get("bytes") == path.stat().st_size):
            return path, info
    info = generator.generate(path, size_mb=size_mb, j0256_share=share, seed=seed,
                              claims_path=out_dir / f"{stem}.837p.x12")
    meta.write_text(json.dumps(info, indent=1))
    print(f"  generated {path.name}: {info['size_mb']} MB, {info['claims']} claims, "
          f"{info['j0256_lines']} J0256 lines in {info['seconds']} s", flush=True)
    return path, info


# -- the variants ---------------------------------------------------------------------------

def floor(path: Path) -> int:
    """Pure-Python floor: split every segment and every element; count J0256 SVC lines."""
    with open(path, "rb") as f:
        isa = f.read(106)
    element, component, terminator = isa[3:4], isa[104:105], isa[105:106]
    count = 0
    rest = b""
    with open(path, "rb") as f:
        while True:
            data = f.read(CHUNK)
            parts = (rest + data).split(terminator)
            rest = parts.pop() if data else b""
            for part in parts:
                elements = part.strip().split(element)
                if elements[0] == b"SVC" and elements[1].split(component)[1:2] == [b"J0256"]:
                    count += 1
            if not data:
                break
    return count


def remit_library(path: Path) -> tuple[int, object, list]:
    from edi_j0256.diagnostics import Diagnostics
    from edi_j0256.remit import remit_reader, remit_records

    diagnostics = Diagnostics()
    reader = remit_reader(path, hcpcs="J0256", diagnostics=diagnostics)
    count = sum(1 for _ in remit_records(reader.items(), hcpcs="J0256"))
    return count, reader.stats, [d for d in diagnostics if d.severity != "info"]


def remit_typed(path: Path) -> int:
    from edi_j0256.remit import RemitReader

    return sum(1 for _ in RemitReader(path, hcpcs="J0256").items())


def remit_cli(path: Path, output: Path) -> tuple[float, float, int]:
    """CPU seconds and peak RSS (MB) of the CLI in a subprocess; records written."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    # VmHWM: the peak RSS of this process's own address space (ru_maxrss would carry the
    # benchmark's own peak over the fork and exec on Linux).
    code = ("import resource, sys, runpy; sys.argv = ['edi-j0256'] + sys.argv[1:]\n"
            "try:\n    runpy.run_module('edi_j0256', run_name='__main__')\n"
            "finally:\n"
            "    try:\n"
            "        peak = next(int(x.split()[1]) for x in open('/proc/self/status')\n"
            "                    if x.startswith('VmHWM:'))\n"
            "    except (OSError, StopIteration):\n"
            "        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "    print(peak, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, "remit", str(path), "--format", "jsonl",
                           "-o", str(output), "--no-summary", "-q"],
                          capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rss_kb = int(done.stderr.strip().splitlines()[-1])
    with open(output, encoding="utf-8") as stream:
        written = sum(1 for _ in stream)
    return cpu, rss_kb / 1024, written


def pyx12_reader(path: Path) -> int:
    import pyx12.x12file

    count = 0
    with pyx12.x12file.X12Reader(str(path)) as reader:
        for seg in reader:
            if seg.get_seg_id() == "SVC" and seg.get_value("SVC01-2") == "J0256":
                count += 1
    return count


def cpu(function: Callable, *args):
    started = time.process_time()
    result = function(*args)
    return time.process_time() - started, result


# -- the run --------------------------------------------------------------------------------

def run(args: argparse.Namespace) -> int:
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    print("files ...", flush=True)
    files = {"2% J0256": get_file(out_dir, args.size_mb, args.mix_share, args.seed,
                                  args.regenerate),
             "all-J0256": get_file(out_dir, args.size_mb, 1.0, args.seed, args.regenerate)}
    small, small_info = get_file(out_dir, args.pyx12_size_mb, args.mix_share, args.seed,
                                 args.regenerate)
    failures: list[str] = []
    best: dict[tuple[str, str], float] = {}

    def keep(label: str, variant: str, seconds: float) -> None:
        key = (label, variant)
        best[key] = min(seconds, best.get(key, seconds))

    for repeat in range(args.repeats):
        print(f"repeat {repeat + 1}/{args.repeats} ...", flush=True)
        for label, (path, info) in files.items():
            seconds, svc = cpu(floor, path)
            keep(label, "floor", seconds)
            if svc != info["j0256_lines"]:
                failures.append(f"{label}: floor counted {svc} J0256 SVC, "
                                f"{info['j0256_lines']} written")
            seconds, (records, stats, problems) = cpu(remit_library, path)
            keep(label, "remit", seconds)
            seconds, _ = cpu(remit_typed, path)
            keep(label, "remit (typed)", seconds)
            if repeat == 0:
                want = (info["claims"], info["service_lines"], info["provider_adjustments"],
                        info["records"])
                got = (stats.claims, stats.service_lines, stats.provider_adjustments, records)
                if got != want:
                    failures.append(f"{label}: remit read (claims, SVC, PLB, records) {got}, "
                                    f"the generator wrote {want}")
                if problems:
                    failures.append(f"{label}: {len(problems)} diagnostics, first: "
                                    f"{problems[0]}")
    cli = {}
    for label, (path, info) in files.items():
        seconds, rss, written = remit_cli(path, out_dir / "remit-out.jsonl")
        cli[label] = (seconds, rss)
        if written != info["records"]:
            failures.append(f"{label}: the CLI wrote {written} records, {info['records']} due")
    print(f"pyx12 on the {small_info['size_mb']} MB 2% file ...", flush=True)
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    small_rows = {}
    for _ in range(args.pyx12_repeats):
        for variant, function in (("pyx12 X12Reader", pyx12_reader), ("floor", floor),
                                  ("remit", lambda p: remit_library(p)[0])):
            seconds, _ = cpu(function, small)
            small_rows[variant] = min(seconds, small_rows.get(variant, seconds))

    print(f"\nPython {platform.python_version()}, {os.cpu_count()} CPUs, CPU seconds, best of "
          f"{args.repeats}")
    print(f"{'file':<28} {'variant':<16} {'CPU s':>8} {'MB/s':>8} {'x floor':>8}")
    for label, (_path, info) in files.items():
        base = best[(label, "floor")]
        for variant in ("floor", "remit", "remit (typed)"):
            s = best[(label, variant)]
            print(f"{label + ', ' + str(info['size_mb']) + ' MB':<28} {variant:<16} {s:>8.2f} "
                  f"{info['size_mb'] / s:>8.1f} {s / base:>8.2f}")
        s, rss = cli[label]
        print(f"{'':<28} {'remit CLI':<16} {s:>8.2f} {info['size_mb'] / s:>8.1f} "
              f"{s / base:>8.2f}   peak RSS {rss:.0f} MB")
    base = small_rows["floor"]
    for variant, s in small_rows.items():
        print(f"{str(small_info['size_mb']) + ' MB, 2% J0256':<28} {variant:<16} {s:>8.2f} "
              f"{small_info['size_mb'] / s:>8.1f} {s / base:>8.2f}")

    mix = best[("2% J0256", "remit")] / best[("2% J0256", "floor")]
    every = best[("all-J0256", "remit")] / best[("all-J0256", "floor")]
    versus = small_rows["pyx12 X12Reader"] / small_rows["remit"]
    goals = [(f"2% J0256: remit <= {GOAL_MIX:g}x floor", mix, mix <= GOAL_MIX),
             (f"all-J0256: remit <= {GOAL_ALL:g}x floor", every, every <= GOAL_ALL),
             (f"remit >= {GOAL_PYX12:g}x faster than pyx12 X12Reader", versus,
              versus >= GOAL_PYX12)]
    print("\ngoals:")
    for text, value, met in goals:
        print(f"  {'met   ' if met else 'MISSED'} {text}: {value:.2f}x")
    for failure in failures:
        print(f"FAILED: {failure}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "python": platform.python_version(), "cpus": os.cpu_count(),
            "files": {label: info for label, (_, info) in files.items()},
            "cpu_seconds": {f"{k[0]} / {k[1]}": v for k, v in best.items()},
            "cli": cli, "small": small_rows, "goals": [(t, v, m) for t, v, m in goals],
            "failures": failures}, indent=1))
    if failures or (args.strict and not all(met for _, _, met in goals)):
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=100.0,
                        help="size of the two benchmark 835s (default 100)")
    parser.add_argument("--mix-share", type=float, default=0.02,
                        help="J0256 share of the mixed file (default 0.02)")
    parser.add_argument("--pyx12-size-mb", type=float, default=1.0,
                        help="size of the file pyx12 reads (default 1)")
    parser.add_argument("--repeats", "-n", type=int, default=3, help="best of N (default 3)")
    parser.add_argument("--pyx12-repeats", type=int, default=1, help="default 1")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="where files are generated")
    parser.add_argument("--regenerate", action="store_true", help="make the files again")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.pyx12_repeats < 1:
        parser.error("--repeats and --pyx12-repeats must be at least 1")
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
