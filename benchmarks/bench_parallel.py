"""``scan`` and ``check`` of ONE large file with ``--jobs N`` against ``--jobs 1``.

Each run is the CLI in its own process (``python -m edi_j0256 scan FILE --jobs N -o OUT``),
so start-up, planning and writing count. That process reports its own CPU seconds (the
parent: the serial part) and its workers' (``RUSAGE_CHILDREN``); wall seconds are taken
around it. Runs of ``--jobs 1`` and ``--jobs N`` alternate ``--repeat`` times and medians
are shown, with the load average, because the machine is shared. The outputs are compared
byte for byte.

Two projections of the speed-up on idle cores are printed: Amdahl's with the parent taken
as wholly serial, ``cpu(--jobs 1) / (parent + workers / N)`` (``scan``: the parent copies
what the workers wrote), and with the parent's work overlapping the workers',
``cpu(--jobs 1) / ((parent + workers) / N)`` (``check``: the parent runs the run rules on each
piece while the workers read the next ones); the truth lies between. Peak RSS is the
largest process's (the parent's or a worker's, ``ru_maxrss``).

    python benchmarks/bench_parallel.py                        # 200 MB, every claim J0256
    python benchmarks/bench_parallel.py --size-mb 50 --repeat 3
    python benchmarks/bench_parallel.py --command check --jobs 2
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import load_generator  # noqa: E402 - benchmarks/ is sys.path[0]

HERE = Path(__file__).resolve().parent

# Runs the CLI in this process and reports its own and its workers' CPU seconds on stderr.
WRAPPER = """
import json, resource, runpy, sys
sys.argv = ["edi_j0256", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("edi_j0256", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
own = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write(json.dumps({"exit": code, "parent": own.ru_utime + own.ru_stime,
                             "workers": kids.ru_utime + kids.ru_stime,
                             "rss_mb": max(own.ru_maxrss, kids.ru_maxrss) / 1024}) + "\\n")
"""

COMMANDS = {
    "scan": ["scan", "--format", "jsonl", "-q"],
    "check": ["check", "--format", "jsonl"],
}


def run(command: str, path: Path, jobs: int, out: Path) -> dict:
    """One CLI run: wall, parent and worker CPU seconds, exit code, output digest."""
    args = [sys.executable, "-c", WRAPPER, *COMMANDS[command], str(path), "--jobs", str(jobs),
            "-o", str(out)]
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    report = json.loads(done.stderr.strip().splitlines()[-1])
    digest = hashlib.sha256(out.read_bytes()).hexdigest() if out.exists() else "none"
    out.unlink(missing_ok=True)
    return {**report, "wall": wall, "digest": digest, "size": len(done.stdout)}


def measure(command: str, path: Path, jobs: int, repeat: int, out: Path) -> bool:
    rows: dict[int, list[dict]] = {1: [], jobs: []}
    for round_ in range(repeat):
        load = os.getloadavg()[0]
        for n in (1, jobs):
            rows[n].append(run(command, path, n, out / f"{command}-{n}.jsonl"))
        one, many = rows[1][-1], rows[jobs][-1]
        print(f"  {command} round {round_ + 1} (load {load:.1f}): --jobs 1 {one['wall']:.1f} s "
              f"wall {one['parent']:.1f} s cpu; --jobs {jobs} {many['wall']:.1f} s wall, parent "
              f"{many['parent']:.2f} s + workers {many['workers']:.1f} s cpu; wall ratio "
              f"{one['wall'] / many['wall']:.2f}x; peak RSS {one['rss_mb']:.0f} / "
              f"{many['rss_mb']:.0f} MB", flush=True)

    def median(n: int, key: str) -> float:
        return statistics.median(r[key] for r in rows[n])

    single_cpu = median(1, "parent") + median(1, "workers")
    parent, workers = median(jobs, "parent"), median(jobs, "workers")
    cores = min(jobs, os.cpu_count() or 1)
    ratios = [a["wall"] / b["wall"] for a, b in zip(rows[1], rows[jobs], strict=True)]
    same = len({r["digest"] for r in rows[1] + rows[jobs]}) == 1
    exits = {r["exit"] for r in rows[1] + rows[jobs]}
    print(f"  {command}: --jobs 1 median {median(1, 'wall'):.1f} s wall {single_cpu:.1f} s cpu; "
          f"--jobs {jobs} median {median(jobs, 'wall'):.1f} s wall, parent {parent:.2f} s + "
          f"workers {workers:.1f} s cpu ({(parent + workers) / single_cpu:.2f}x one process)")
    print(f"  {command}: serial fraction (parent's share of the CPU) "
          f"{parent / (parent + workers):.3f}; wall ratio median {statistics.median(ratios):.2f}x "
          f"(min {min(ratios):.2f}, max {max(ratios):.2f}); projected on {cores} idle cores "
          f"{single_cpu / (parent + workers / cores):.2f}x serial parent, "
          f"{single_cpu / ((parent + workers) / cores):.2f}x overlapped (goal 1.7x); "
          f"identical output: {same}; exit codes {sorted(exits)}", flush=True)
    return same and len(exits) == 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=200.0)
    parser.add_argument("--share", type=float, default=1.0, help="share of J0256 claims")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each (medians shown)")
    parser.add_argument("--command", choices=("scan", "check", "both"), default="both")
    parser.add_argument("--file", type=Path, help="an existing 837 file instead")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.file or args.out / f"bench-parallel-{args.size_mb:g}mb-{args.share * 100:g}pct.x12"
    if not path.exists():
        load_generator().generate(path, size_mb=args.size_mb, j0256_share=args.share, seed=1)
    print(f"{path.name}: {path.stat().st_size / 1e6:.0f} MB; load average before: "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    commands = ("scan", "check") if args.command == "both" else (args.command,)
    ok = [measure(command, path, args.jobs, args.repeat, args.out) for command in commands]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    raise SystemExit(main())
