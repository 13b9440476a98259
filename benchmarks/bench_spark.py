"""Spark local[N] against the CLI's library path on one generated 837P, in one run.

For ``scan`` and ``check`` (``--what``), times (wall, best of ``--repeat``) the pure-Python
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


def clock(func, *args):
    start = time.perf_counter()
    result = func(*args)
    return time.perf_counter() - start, result


def best(repeat: int, func, *args):
    """The fastest of ``repeat`` runs (the machine is shared: noise only adds time)."""
    runs = [clock(func, *args) for _ in range(repeat)]
    return min(runs, key=lambda run: run[0])


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
    floor_s, _ = best(args.repeat, floor, path)
    print(f"  floor                        {floor_s:7.1f} s", flush=True)
    from edi_j0256.spark import findings_frame, scan_frame, session

    start_s, spark = clock(session, args.master)
    print(f"  Spark {args.master} start-up   {start_s:7.1f} s", flush=True)
    frames = {"scan": lambda: scan_frame(spark, [str(path)], min_piece=args.min_piece_mb << 20),
              "check": lambda: findings_frame(spark, [str(path)])}
    clis = {"scan": scan_cli, "check": check_cli}
    same = True
    for what in args.what.split(","):
        target = args.out / f"bench-spark-{what}-parquet"

        def run(make=frames[what], target=target) -> int:
            shutil.rmtree(target, ignore_errors=True)
            make().write.mode("overwrite").parquet(str(target))
            return spark.read.parquet(str(target)).count()

        one_s, one_n = best(args.repeat, clis[what], path, args.out / f"bench-{what}.jsonl", 1)
        par_s, par_n = best(args.repeat, clis[what], path, args.out / f"bench-{what}-par.jsonl",
                            args.jobs)
        spark_s, spark_n = best(args.repeat, run)
        same = same and one_n == par_n == spark_n
        print(f"  {what}: one process         {one_s:7.1f} s  {one_s / floor_s:5.1f}x floor  "
              f"{one_n} rows")
        print(f"  {what}: {args.jobs} processes         {par_s:7.1f} s  "
              f"{par_s / floor_s:5.1f}x floor  {par_n} rows")
        print(f"  {what}: Spark {args.master}    {spark_s:7.1f} s  "
              f"{spark_s / floor_s:5.1f}x floor  {spark_n} rows  (with start-up "
              f"{start_s + spark_s:.1f} s)")
        print(f"  {what}: Spark/one process {(start_s + spark_s) / one_s:.2f}x with start-up, "
              f"{spark_s / one_s:.2f}x without; {_pays(mb, start_s, spark_s, one_s)}",
              flush=True)
    spark.stop()
    print(f"  same counts: {same}")
    return 0 if same else 1


def _pays(mb: float, start_s: float, spark_s: float, cli_s: float) -> str:
    """Where Spark's start-up is won back, at the per-MB rates measured here."""
    saved = (cli_s - spark_s) / mb  # seconds per MB Spark is faster
    if saved <= 0:
        return "Spark is slower per MB here: it never pays on this master"
    return f"pays from about {start_s / saved / 1000:.1f} GB per run on this master"


if __name__ == "__main__":
    raise SystemExit(main())
