"""Spark local[N] against the CLI's library path on one generated 837P, in one run.

Times (wall) the pure-Python floor, the single-process scan to JSON Lines (what ``scan -o``
does), ``parallel.scan_parallel_jsonl`` on ``--jobs`` processes, and Spark (session start-up
reported separately: the JVM costs ~20-30 s before any work) writing Parquet. Counts are
compared so every variant read the same records.

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
from edi_j0256.parallel import scan_parallel_jsonl
from edi_j0256.scan import iter_scan

HERE = Path(__file__).resolve().parent


def clock(func, *args):
    start = time.perf_counter()
    result = func(*args)
    return time.perf_counter() - start, result


def cli(path: Path, out: Path) -> int:
    records, _ = iter_scan(path)
    with open(out, "w", encoding="utf-8") as stream:
        return write_jsonl(records, stream)


def parallel(path: Path, out: Path, jobs: int) -> int:
    blocks, state = scan_parallel_jsonl(path, jobs=jobs)
    with open(out, "w", encoding="utf-8") as stream:
        for block in blocks:
            stream.write(block)
    return state.records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=100.0)
    parser.add_argument("--share", type=float, default=1.0)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--min-piece-mb", type=int, default=16)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"bench-spark-{args.size_mb:g}mb-{args.share * 100:g}pct.x12"
    if not path.exists():
        load_generator().generate(path, size_mb=args.size_mb, j0256_share=args.share, seed=1)
    print(f"{path.name}: {path.stat().st_size / 1e6:.0f} MB; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    floor_s, _ = clock(floor, path)
    cli_s, cli_n = clock(cli, path, args.out / "bench-spark-cli.jsonl")
    par_s, par_n = clock(parallel, path, args.out / "bench-spark-par.jsonl", args.jobs)
    from edi_j0256.spark import scan_frame, session

    start_s, spark = clock(session, args.master)
    target = args.out / "bench-spark-parquet"
    shutil.rmtree(target, ignore_errors=True)

    def run() -> int:
        scan_frame(spark, [str(path)], min_piece=args.min_piece_mb << 20) \
            .write.mode("overwrite").parquet(str(target))
        return spark.read.parquet(str(target)).count()

    spark_s, spark_n = clock(run)
    spark.stop()
    print(f"  floor                       {floor_s:7.1f} s")
    print(f"  CLI path, one process       {cli_s:7.1f} s  {cli_n} records")
    print(f"  parallel, {args.jobs} processes       {par_s:7.1f} s  {par_n} records")
    print(f"  Spark {args.master}: start   {start_s:7.1f} s")
    print(f"  Spark {args.master}: scan    {spark_s:7.1f} s  {spark_n} records "
          f"(with start-up {start_s + spark_s:.1f} s)")
    print(f"  Spark/CLI: {(start_s + spark_s) / cli_s:.2f}x with start-up, "
          f"{spark_s / cli_s:.2f}x without; same counts: {cli_n == par_n == spark_n}")
    return 0 if cli_n == par_n == spark_n else 1


if __name__ == "__main__":
    raise SystemExit(main())
