"""Spark local[N] against the CLI's library path on one generated 837P, in one run.

For ``scan`` and ``check`` (``--what``), times (wall and CPU seconds of the process tree,
the JVM and Spark's Python workers included; best of ``--repeat`` by CPU) the pure-Python
floor, the single process writing JSON Lines (what ``scan -o`` / ``check --format jsonl``
do), the same on ``--jobs`` processes (``edi_j0256.parallel``), and Spark writing Parquet
(session start-up reported once, separately: the JVM costs ~20-30 s before any work). Counts
are compared so every variant read the same records; the last line says where Spark pays:
the input size at which its start-up is won back, if its per-MB rate beats the CLI's.

    python benchmarks/bench_spark.py --size-mb 100 --master 'local[2]' --min-piece-mb 16
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

from common import floor, load_generator  # noqa: E402 - benchmarks/ is sys.path[0]

from edi_j0256.output import write_jsonl
from edi_j0256.parallel import check_file_parallel, scan_parallel_jsonl
from edi_j0256.rules import Checker
from edi_j0256.scan import iter_scan

HERE = Path(__file__).resolve().parent


def tree_cpu() -> float:
    """CPU seconds of this process and every process under it, the ended ones its children
    waited for included (Spark's JVM and its Python workers are descendants): on a shared
    machine this is what the work cost, whatever the wall clock says."""
    parents, times = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    me, total = os.getpid(), 0
    for pid, ticks in times.items():
        at = pid
        while at not in (me, 0, 1) and at in parents:
            at = parents[at]
        if at == me:
            total += ticks
    return total / os.sysconf("SC_CLK_TCK")


def clock(func, *args):
    """(wall seconds, CPU seconds of the process tree, result)."""
    start, cpu = time.perf_counter(), tree_cpu()
    result = func(*args)
    return time.perf_counter() - start, tree_cpu() - cpu, result


def best(repeat: int, func, *args):
    """The fastest of ``repeat`` runs by CPU time (the machine is shared: noise only adds)."""
    runs = [clock(func, *args) for _ in range(repeat)]
    return min(runs, key=lambda run: run[1])


def scan_cli(path: Path, out: Path, jobs: int) -> int:
    if jobs > 1:
        blocks, state = scan_parallel_jsonl(path, jobs=jobs)
        with open(out, "w", encoding="utf-8") as stream:
            for block in blocks:
                stream.write(block)
        return state.records
    records, _ = iter_scan(path)
    with open(out, "w", encoding="utf-8") as stream:
        return write_jsonl(records, stream)


def check_cli(path: Path, out: Path, jobs: int) -> int:
    checker = Checker()
    findings = check_file_parallel(checker, path, jobs) if jobs > 1 else \
        checker.check_file(path)
    with open(out, "w", encoding="utf-8") as stream:
        return write_jsonl((f.record() for f in [*findings, *checker.finish()]), stream)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=100.0)
    parser.add_argument("--share", type=float, default=1.0)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--min-piece-mb", type=int, default=16)
    parser.add_argument("--what", default="scan,check", help="comma-separated: scan, check")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each variant (best)")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"bench-spark-{args.size_mb:g}mb-{args.share * 100:g}pct.x12"
    if not path.exists():
        load_generator().generate(path, size_mb=args.size_mb, j0256_share=args.share, seed=1)
    mb = path.stat().st_size / 1e6
    print(f"{path.name}: {mb:.0f} MB; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores; best of {args.repeat}", flush=True)
    floor_s, floor_cpu, _ = best(args.repeat, floor, path)
    print(f"  floor                     {floor_s:7.1f} s wall {floor_cpu:7.1f} s CPU", flush=True)
    kinds = args.what.split(",")
    clis = {"scan": scan_cli, "check": check_cli}
    results: dict[str, list] = {}
    for what in kinds:  # before Spark starts: its idle JVM would add to their CPU time
        results[what] = [
            ("one process", *best(args.repeat, clis[what], path,
                                  args.out / f"bench-{what}.jsonl", 1)),
            (f"{args.jobs} processes", *best(args.repeat, clis[what], path,
                                             args.out / f"bench-{what}-par.jsonl", args.jobs))]
    from edi_j0256.spark import findings_frame, scan_frame, session

    start_s, start_cpu, spark = clock(session, args.master)
    spark.sparkContext.setLogLevel("ERROR")
    print(f"  Spark {args.master} start-up {start_s:7.1f} s wall {start_cpu:7.1f} s CPU",
          flush=True)
    piece = args.min_piece_mb << 20
    frames = {"scan": lambda: scan_frame(spark, [str(path)], min_piece=piece),
              "check": lambda: findings_frame(spark, [str(path)], min_piece=piece)}
    same = True
    for what in kinds:
        target = args.out / f"bench-spark-{what}-parquet"

        def run(make=frames[what], target=target) -> int:
            shutil.rmtree(target, ignore_errors=True)
            make().write.mode("overwrite").parquet(str(target))
            return spark.read.parquet(str(target)).count()

        variants = [*results[what], (f"Spark {args.master}", *best(args.repeat, run))]
        for name, wall, cpu, count in variants:
            print(f"  {what}: {name:18} {wall:7.1f} s wall {cpu:7.1f} s CPU "
                  f"({cpu / floor_cpu:5.1f}x the floor's)  {count} rows", flush=True)
        one, spark_run = variants[0], variants[2]
        same = same and len({count for *_, count in variants}) == 1
        print(f"  {what}: Spark/one process {(start_s + spark_run[1]) / one[1]:.2f}x wall with "
              f"start-up, {spark_run[1] / one[1]:.2f}x without; CPU {spark_run[2] / one[2]:.2f}x;"
              f" {_pays(mb, start_s, spark_run[2], one[2])}", flush=True)
    spark.stop()
    print(f"  same counts: {same}")
    return 0 if same else 1


def _pays(mb: float, start_s: float, spark_cpu: float, cli_cpu: float) -> str:
    """Where Spark on N idle executor cores beats one CLI process, from CPU seconds (the
    wall clock of a shared machine says little): Spark's wall ~ its CPU / N, the CLI's ~ its
    CPU; the start-up is won back once the input saves that much."""
    parts = [f"Spark needs {spark_cpu / cli_cpu:.1f} cores per CLI process"]
    for cores in (2, 8, 32):
        saved = (cli_cpu - spark_cpu / cores) / mb  # seconds per MB
        parts.append(f"on {cores} cores " + (f"pays from ~{start_s / saved:,.0f} MB" if saved > 0
                                             else "never pays"))
    return "; ".join(parts)


if __name__ == "__main__":
    raise SystemExit(main())
