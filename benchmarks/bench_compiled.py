"""Benchmark the optional compiled core against the pure-Python modules, in one run.

On the generated 837P files of ``bench_scan.py`` (20 MB, one segment per line; every claim
J0256, and 2% of claims J0256), each repeat measures, interleaved, in CPU seconds (user +
system: the other jobs on a shared machine barely move them):

- ``floor``: ``bench_scan.floor_count`` (split every segment and element), in this process;
- ``scan (library)``: ``iter_scan`` with every record consumed, on both files, and
  ``check (library)``: ``Checker().check_file`` on the all-J0256 file, in a child process
  per mode that imports the package once (so import time is not counted);
- ``scan CLI``: ``python -m edi_j0256 scan FILE --format jsonl -o OUT`` on both files, a
  process per run (start-up included);

once with the compiled core (the extensions beside the sources: ``python setup.py build_ext
--inplace`` or ``pip install -e .``) and once with ``EDI_J0256_PURE=1``. It prints each best
time, its ratio to the floor, and compiled / pure. The two modes must give the same record
and finding counts and the CLI the same output bytes, else the exit status is 1.

    python benchmarks/bench_compiled.py                # about 3 minutes
    python benchmarks/bench_compiled.py --repeats 5 --json out/compiled.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from common import load_script

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MODES = ("compiled", "pure")


def _environment(mode: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("EDI_J0256_PURE", None)
    if mode == "pure":
        env["EDI_J0256_PURE"] = "1"
    return env


def cpu(function, *args) -> tuple[float, object]:
    started = time.process_time()
    result = function(*args)
    return time.process_time() - started, result


def child(all_path: str, mix_path: str) -> None:
    """One repeat of the library variants in this process; prints the results as JSON."""
    import edi_j0256

    bench_check = load_script("bench_check")
    bench_scan = load_script("bench_scan")
    results = {"compiled_modules": list(edi_j0256.compiled_modules())}
    for label, path in (("all", all_path), ("mix", mix_path)):
        seconds, (count, _stats) = cpu(bench_scan.scan_library, Path(path))
        results[f"scan {label}"] = {"cpu_s": seconds, "count": count}
    seconds, counts = cpu(bench_check.check_library, Path(all_path))
    results["check all"] = {"cpu_s": seconds, "count": list(counts)}
    json.dump(results, sys.stdout)


def library(mode: str, all_path: Path, mix_path: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", str(all_path), str(mix_path)],
                          env=_environment(mode), capture_output=True, text=True, check=True,
                          cwd=ROOT)
    return json.loads(done.stdout)


def scan_cli(mode: str, path: Path, output: Path) -> tuple[float, int]:
    """(CPU seconds, exit status) of the scan CLI in a subprocess."""
    command = [sys.executable, "-m", "edi_j0256", "scan", str(path), "--format", "jsonl",
               "-o", str(output), "-q"]
    process = subprocess.Popen(command, env=_environment(mode), cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    return usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def run(args: argparse.Namespace) -> int:
    bench_scan = load_script("bench_scan")
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {"all": bench_scan.get_file(out, args.size_mb, 1.0, True, 1, False),
             "mix": bench_scan.get_file(out, args.size_mb, args.mix_share, True, 1, False)}
    best: dict[str, float] = {}
    counts: dict[str, set] = {}
    problems: list[str] = []

    def keep(name: str, seconds: float) -> None:
        best[name] = min(best.get(name, float("inf")), seconds)

    for repeat in range(args.repeats):
        for label, bench in files.items():
            keep(f"floor {label}", cpu(bench_scan.floor_count, bench.path)[0])
        for mode in MODES if repeat % 2 == 0 else MODES[::-1]:
            result = library(mode, files["all"].path, files["mix"].path)
            if (mode == "compiled") != bool(result.pop("compiled_modules")):
                problems.append(f"{mode}: the child did not run {mode}")
            for name, value in result.items():
                keep(f"{name} {mode}", value["cpu_s"])
                counts.setdefault(name, set()).add(json.dumps(value["count"]))
            for label, bench in files.items():
                output = out / f"{bench.path.stem}.compiled-{mode}.jsonl"
                seconds, status = scan_cli(mode, bench.path, output)
                keep(f"scan CLI {label} {mode}", seconds)
                if status != 0:
                    problems.append(f"scan CLI {mode} on {bench.path.name}: exit {status}")
        print(f"  repeat {repeat + 1}/{args.repeats} done", flush=True)

    problems += [f"{name}: the modes disagree ({sorted(values)})"
                 for name, values in counts.items() if len(values) != 1]
    for bench in files.values():
        a, b = (out / f"{bench.path.stem}.compiled-{mode}.jsonl" for mode in MODES)
        if a.read_bytes() != b.read_bytes():
            problems.append(f"scan CLI output differs between the modes on {bench.path.name}")

    rows = []
    for name, label in (("scan", "all"), ("scan", "mix"), ("scan CLI", "all"),
                        ("scan CLI", "mix"), ("check", "all")):
        floor = best[f"floor {label}"]
        compiled, pure = (best[f"{name} {label} {mode}"] for mode in MODES)
        rows.append({"variant": f"{name} {label}", "file": files[label].path.name,
                     "floor_s": round(floor, 3), "pure_s": round(pure, 3),
                     "compiled_s": round(compiled, 3), "pure_x_floor": round(pure / floor, 2),
                     "compiled_x_floor": round(compiled / floor, 2),
                     "compiled_over_pure": round(compiled / pure, 3)})
    print(f"\nCPU seconds, best of {args.repeats}; x floor = time / floor_count's on the file")
    print(f"{'variant':<14} {'floor':>7} {'pure':>8} {'x floor':>8} {'compiled':>9} "
          f"{'x floor':>8} {'compiled/pure':>14}")
    for row in rows:
        print(f"{row['variant']:<14} {row['floor_s']:>7.3f} {row['pure_s']:>8.3f} "
              f"{row['pure_x_floor']:>8.2f} {row['compiled_s']:>9.3f} "
              f"{row['compiled_x_floor']:>8.2f} {row['compiled_over_pure']:>14.3f}")
    for problem in problems:
        print(f"FAIL: {problem}")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "problems": problems,
                                               "repeats": args.repeats}, indent=1) + "\n")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=20.0)
    parser.add_argument("--mix-share", type=float, default=0.02)
    parser.add_argument("--repeats", "-n", type=int, default=3)
    parser.add_argument("--out-dir", default=str(HERE / "out"))
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--child", nargs=2, metavar=("ALL", "MIX"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    sys.path.insert(0, str(ROOT))
    import edi_j0256

    if not edi_j0256.compiled_modules():
        print("no compiled core in this checkout: build it first (python setup.py build_ext "
              "--inplace, or python -m pip install -e .)", file=sys.stderr)
        return 2
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
