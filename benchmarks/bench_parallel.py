"""``scan`` of ONE large file on two cores (``edi_j0256.parallel``) against one core.

Both runs write JSON Lines to a file, as ``scan -o FILE`` does; the outputs and the
diagnostics are compared byte for byte. Wall and CPU seconds (this process plus its workers)
are reported with the pure-Python floor (read the file, split every segment and element) of
the same run, and the machine's load average, because a busy machine cannot give two idle
cores.

    python benchmarks/bench_parallel.py                       # 200 MB, every claim J0256
    python benchmarks/bench_parallel.py --size-mb 50 --jobs 2
    python benchmarks/bench_parallel.py --check-only --repeat 3   # check --jobs, medians
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import time
from pathlib import Path

from common import floor, load_generator  # noqa: E402 - benchmarks/ is sys.path[0]

from edi_j0256.diagnostics import Diagnostics
from edi_j0256.output import write_jsonl
from edi_j0256.parallel import check_file_parallel, scan_parallel, scan_parallel_jsonl
from edi_j0256.scan import iter_scan

HERE = Path(__file__).resolve().parent


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(func, *args):
    wall, used = time.perf_counter(), cpu()
    result = func(*args)
    return time.perf_counter() - wall, cpu() - used, result


def write(records, out: Path, diagnostics: Diagnostics) -> str:
    with open(out, "w", encoding="utf-8") as stream:
        write_jsonl(records, stream)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    out.unlink()
    return digest + ":" + hashlib.sha256(repr(list(diagnostics)).encode()).hexdigest()


def one_core(path: Path, out: Path) -> str:
    diagnostics = Diagnostics()
    records, _ = iter_scan(path, diagnostics=diagnostics)
    return write(records, out, diagnostics)


def two_cores(path: Path, out: Path, jobs: int) -> str:
    """Records as dicts through the parent (any output format)."""
    diagnostics = Diagnostics()
    records, state = scan_parallel(path, jobs=jobs, diagnostics=diagnostics)
    digest = write(records, out, diagnostics)
    print(f"  (cut into {state.pieces} pieces; single reader took over: {state.fell_back})")
    return digest


def two_cores_jsonl(path: Path, out: Path, jobs: int) -> str:
    """JSON Lines encoded in the workers; the parent copies text (``scan --format jsonl``)."""
    diagnostics = Diagnostics()
    blocks, state = scan_parallel_jsonl(path, jobs=jobs, diagnostics=diagnostics)
    with open(out, "w", encoding="utf-8") as stream:
        for block in blocks:
            stream.write(block)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    out.unlink()
    return digest + ":" + hashlib.sha256(repr(list(diagnostics)).encode()).hexdigest()


def check(path: Path, jobs: int) -> str:
    """``check``: findings of one file plus the run rules, one core or ``jobs`` pieces."""
    from edi_j0256.rules import Checker

    checker = Checker()
    found = list(checker.check_file(path) if jobs == 1 else
                 check_file_parallel(checker, path, jobs))
    found += checker.finish()
    text = "".join(repr(f.record()) for f in found)
    return hashlib.sha256(text.encode()).hexdigest() + f":{len(found)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=200.0)
    parser.add_argument("--share", type=float, default=1.0, help="share of J0256 claims")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--check", action="store_true", help="also time check --jobs")
    parser.add_argument("--check-only", action="store_true", help="time check --jobs only")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each (medians shown)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"bench-parallel-{args.size_mb:g}mb-{args.share * 100:g}pct.x12"
    if not path.exists():
        load_generator().generate(path, size_mb=args.size_mb, j0256_share=args.share, seed=1)
    print(f"{path.name}: {path.stat().st_size / 1e6:.0f} MB; load average before: "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.check_only:
        return check_runs(path, args.jobs, args.repeat)
    floor_wall, floor_cpu, _ = timed(floor, path)
    one_wall, one_cpu, one = timed(one_core, path, args.out / "one.jsonl")
    two_wall, two_cpu, two = timed(two_cores, path, args.out / "two.jsonl", args.jobs)
    text_wall, text_cpu, text = timed(two_cores_jsonl, path, args.out / "text.jsonl", args.jobs)
    print(f"  floor                    {floor_wall:7.1f} s wall {floor_cpu:7.1f} s cpu")
    for name, wall, used in ((" --jobs 1", one_wall, one_cpu),
                             (f" --jobs {args.jobs}, dicts", two_wall, two_cpu),
                             (f" --jobs {args.jobs}, jsonl", text_wall, text_cpu)):
        print(f"  {name:23} {wall:7.1f} s wall {used:7.1f} s cpu  {wall / floor_wall:5.1f}x floor"
              f"  speed-up {one_wall / wall:.2f}x wall, cpu {used / one_cpu:.2f}x")
    same = one == two == text
    print(f"  goal 1.7x; identical output and diagnostics: {same}; "
          f"load average after: {os.getloadavg()[0]:.1f}", flush=True)
    if args.check:
        c1_wall, c1_cpu, c1 = timed(check, path, 1)
        c2_wall, c2_cpu, c2 = timed(check, path, args.jobs)
        print(f"  check --jobs 1           {c1_wall:7.1f} s wall {c1_cpu:7.1f} s cpu")
        print(f"  check --jobs {args.jobs}           {c2_wall:7.1f} s wall {c2_cpu:7.1f} s cpu"
              f"  speed-up {c1_wall / c2_wall:.2f}x wall, cpu {c2_cpu / c1_cpu:.2f}x; "
              f"identical findings: {c1 == c2} ({c1.split(':')[1]})")
        same = same and c1 == c2
    return 0 if same else 1


def check_runs(path: Path, jobs: int, repeat: int) -> int:
    """``check`` one core vs ``jobs`` pieces, alternated ``repeat`` times; medians, with the
    floor of each round (the machine is shared: the load average is printed per round)."""
    rows: dict[str, list[tuple[float, float]]] = {"floor": [], "1": [], str(jobs): []}
    digests = set()
    for round_ in range(repeat):
        load = os.getloadavg()[0]
        wall, used, _ = timed(floor, path)
        rows["floor"].append((wall, used))
        for n in (1, jobs):
            wall, used, digest = timed(check, path, n)
            rows[str(n)].append((wall, used))
            digests.add(digest)
        print(f"  round {round_ + 1}: load {load:.1f}; " + "; ".join(
            f"{k} {v[-1][0]:.1f} s wall {v[-1][1]:.1f} s cpu" for k, v in rows.items()),
            flush=True)
    median = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
              for k, v in rows.items()}
    floor_wall = median["floor"][0]
    for name in ("1", str(jobs)):
        wall, used = median[name]
        print(f"  check --jobs {name:3} median {wall:7.1f} s wall {used:7.1f} s cpu "
              f"{wall / floor_wall:5.1f}x floor wall")
    (w1, c1), (w2, c2) = median["1"], median[str(jobs)]
    same = len(digests) == 1
    print(f"  speed-up {w1 / w2:.2f}x wall (goal 1.7x), cpu overhead {c2 / c1:.2f}x; "
          f"identical findings in every run: {same} ({', '.join(sorted(digests))})")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
