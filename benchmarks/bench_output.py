"""JSON Lines writing: the orjson writer against the stdlib writer it replaced, in one run.

The records of an all-J0256 file are read once into memory; then each writer writes them all
to an in-memory text stream, best of ``--repeat``. The pure-Python floor (read the file, split
every segment and element) is timed in the same run so the numbers compare with
``bench_scan.py``'s. The two outputs are compared byte for byte.

    python benchmarks/bench_output.py                 # 20 MB all-J0256 file
    python benchmarks/bench_output.py --size-mb 50
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import time
from pathlib import Path

from common import floor, load_generator  # noqa: E402 - benchmarks/ is sys.path[0]

from edi_j0256.output import plain, write_csv, write_jsonl
from edi_j0256.scan import iter_scan

HERE = Path(__file__).resolve().parent


def _stdlib_default(value):
    return plain(value)  # a Decimal as int/float, a date as ISO text


_stdlib = json.JSONEncoder(ensure_ascii=False, default=_stdlib_default).encode


def stdlib_jsonl(records, stream) -> int:
    """The baseline: the stdlib encoder with the Decimal and date callbacks."""
    for record in records:
        stream.write(_stdlib(record))
        stream.write("\n")
    return len(records)


def best(func, *args, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func(*args)
        times.append(time.perf_counter() - start)
    return min(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"bench-output-{args.size_mb:g}mb-all.x12"
    if not path.exists():
        load_generator().generate(path, size_mb=args.size_mb, j0256_share=1.0, seed=1)
    floor_s, _ = best(floor, path, repeat=args.repeat)
    read_s, records = best(lambda: list(iter_scan(path)[0]), repeat=1)
    gc.collect()
    gc.freeze()  # the records are held for the run; a streaming scan holds one at a time
    outputs = {}

    def run(writer):
        stream = io.StringIO()
        writer(records, stream)
        outputs[writer.__name__] = stream.getvalue()

    stdlib_s = orjson_s = csv_s = float("inf")
    for _ in range(args.repeat):  # interleaved, so a busy machine slows every variant alike
        stdlib_s = min(stdlib_s, best(run, stdlib_jsonl, repeat=1)[0])
        orjson_s = min(orjson_s, best(run, write_jsonl, repeat=1)[0])
        csv_s = min(csv_s, best(run, write_csv, repeat=1)[0])
    identical = outputs["stdlib_jsonl"] == outputs["write_jsonl"]
    mb = path.stat().st_size / 1e6
    print(f"{path.name}: {mb:.1f} MB, {len(records)} J0256 records")
    rows = [("floor (read + split)", floor_s), ("scan to records", read_s),
            ("jsonl, stdlib encoder (before)", stdlib_s), ("jsonl, orjson writer (now)", orjson_s),
            ("csv writer (with formula guard)", csv_s)]
    for name, seconds in rows:
        print(f"  {name:34} {seconds:7.3f} s  {seconds / floor_s:5.2f}x floor")
    print(f"  jsonl speed-up: {stdlib_s / orjson_s:.2f}x; byte-identical output: {identical}")
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
