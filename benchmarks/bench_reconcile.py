"""Benchmark ``reconcile`` on generated 837P files and the 835s that mirror them, in one run.

For each size: ``generate_837p.py`` writes the 837 (2% J0256 claims by default), and the
small mirror generator below (:func:`write_mirror_835`) writes its 835: one CLP per claim
(CLP01 = CLM01, the billing NPI as N1*PE payee, NM1*QC patient, CLP03 = CLM02), one SVC per
line echoing its REF*6R, DTM*472 and units; paid at 80% with CO-45 for the rest, and a share
of J0256 lines denied (CO-16 M53, CO-197), one ST per payee and 2,000 claims. (The remit
engineer's ``benchmarks/generate_835.py`` may replace it; this one is kept small on purpose.)

Measured, in the same run:

Times are CPU seconds (user + sys: the floor's from ``time.process_time``, the CLI's from
``os.wait4``), so other work on a shared machine does not distort the ratios; wall seconds
are reported beside them.

- ``floor``: read both files in 4 MB chunks and split every segment into elements (the
  pure-Python floor; best of three runs); the goal is reconcile time <= 5x the floor over
  both files' bytes;
- ``reconcile``: ``python -m edi_j0256 reconcile --claims 837 --remits 835 --format jsonl
  -o OUT -q`` in a subprocess (a temporary store), and the same with ``--db`` (a new store
  file), each with its CPU and wall time and its own peak RSS (VmHWM, read at exit by a
  small wrapper: a child's ``ru_maxrss`` would count this process's pages at fork); goal
  under 300 MB; and how much of it SQLite's heap took at most (``sqlite_peak_mb``);
- correctness: one record per generated J0256 line, none unmatched, no orphans among the
  J0256 lines, denied lines as many as the mirror denied;
- growth: seconds per MB of input at each size, and the ratio of the largest to the smallest
  (linear: about 1).

    python benchmarks/bench_reconcile.py                       # 10, 50, 100 MB of 837
    python benchmarks/bench_reconcile.py --sizes 10 50 100 500 --json out/reconcile.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent

if str(HERE) not in sys.path:  # loaded from a test: common.py sits beside it
    sys.path.insert(0, str(HERE))
from common import floor, load_generator  # noqa: E402

DEFAULT_OUT = HERE / "out"
CHUNK = 1 << 22
GOAL_RATIO = 5.0
GOAL_RSS_MB = 300.0
CLAIMS_PER_TRANSACTION = 2000
DENY_EVERY = 7  # every 7th J0256 claim is denied




# -- the mirror 835 ------------------------------------------------------------------------

def _segments(path: Path):
    data = path.read_bytes()[:106]
    element, terminator = chr(data[3]), chr(data[105])
    with open(path, encoding="ascii", newline="") as stream:
        rest = ""
        while chunk := stream.read(CHUNK):
            parts = (rest + chunk).split(terminator)
            rest = parts.pop()
            for part in parts:
                part = part.strip()
                if part:
                    yield part.split(element)
        if rest.strip():
            yield rest.strip().split(element)


class _Mirror:
    def __init__(self, out, date: str = "20261130"):
        self.out, self.date = out, date
        self.pending: dict[str, list[list[str]]] = {}  # payee NPI -> CLP blocks
        self.totals: dict[str, Decimal] = {}
        self.transactions = self.claims = self.denied_lines = self.j0256_claims = 0
        self.out.write(f"ISA*00*{'':10}*00*{'':10}*ZZ*{'SYNTHPAYER':<15}*ZZ*"
                       f"{'SYNTHSUBMITTER':<15}*261130*1200*^*00501*000000777*0*P*:~\n"
                       f"GS*HP*SYNTHPAYER*SYNTHSUBMITTER*{date}*1200*777*X*005010X221A1~\n")

    def claim(self, npi: str, claim: dict) -> None:
        j0256 = any(line["procedure"].split(":")[1] == "J0256" for line in claim["lines"])
        if j0256:
            self.j0256_claims += 1
        deny = j0256 and self.j0256_claims % DENY_EVERY == 0
        carc = "197" if self.j0256_claims % (DENY_EVERY * 2) == 0 else "16"
        paid_total = Decimal(0)
        services = []
        for line in claim["lines"]:
            charge = Decimal(line["charge"])
            drug = line["procedure"].split(":")[1] == "J0256"
            if deny and drug:
                paid = Decimal(0)
                cas = [f"CAS*CO*{carc}*{charge}"]
                self.denied_lines += 1
            else:
                paid = (charge * Decimal("0.8")).quantize(Decimal("0.01"))
                cas = [f"CAS*CO*45*{charge - paid}"] if charge != paid else []
            paid_total += paid
            services += [f"SVC*{line['procedure']}*{line['charge']}*{paid}**{line['units']}",
                         f"DTM*472*{line['date']}", *cas, f"REF*6R*{line['control']}"]
            if deny and drug and carc == "16":
                services.append("LQ*HE*M53")
        status = "4" if paid_total == 0 else "1"
        block = [f"CLP*{claim['id']}*{status}*{claim['charge']}*{paid_total}*0*"
                 f"{claim['filing']}*PCN{claim['id']}*11*{claim['frequency']}",
                 f"NM1*QC*1*{claim['last']}*{claim['first']}****MI*{claim['member']}",
                 *services]
        self.pending.setdefault(npi, []).append(block)
        self.totals[npi] = self.totals.get(npi, Decimal(0)) + paid_total
        self.claims += 1
        if len(self.pending[npi]) >= CLAIMS_PER_TRANSACTION:
            self.flush(npi)

    def flush(self, npi: str) -> None:
        blocks = self.pending.pop(npi, [])
        if not blocks:
            return
        self.transactions += 1
        control = f"{self.transactions:04d}"
        body = [f"ST*835*{control}", f"BPR*I*{self.totals.pop(npi)}*C*ACH************"
                f"{self.date}", f"TRN*1*SYNTR{self.transactions:06d}*1999999999",
                "N1*PR*SYNTH PAYER", "REF*2U*SYNP1", f"N1*PE*SYNTH PROVIDER*XX*{npi}", "LX*1"]
        for block in blocks:
            body += block
        body.append(f"SE*{len(body) + 1}*{control}")
        self.out.write("~\n".join(body) + "~\n")

    def close(self) -> None:
        for npi in list(self.pending):
            self.flush(npi)
        self.out.write(f"GE*{self.transactions}*777~\nIEA*1*000000777~\n")


def write_mirror_835(claims_path: Path, remits_path: Path) -> dict:
    """The 835 answering every claim of ``claims_path``; returns what it wrote."""
    started = time.perf_counter()
    with open(remits_path, "w", encoding="ascii", newline="") as out:
        mirror = _Mirror(out)
        npi = subscriber = patient = filing = None
        claim: dict | None = None
        line: dict | None = None

        def close_claim():
            nonlocal claim
            if claim is not None:
                mirror.claim(npi, claim)
            claim = None

        for seg in _segments(claims_path):
            tag = seg[0]
            if tag in ("HL", "SE") or tag == "CLM":
                close_claim()
            if tag == "NM1" and seg[1] == "85":
                npi = seg[9]
            elif tag == "SBR":
                filing = seg[9] if len(seg) > 9 else ""
            elif tag == "NM1" and seg[1] == "IL":
                subscriber = (seg[3], seg[4], seg[9])
                patient = None
            elif tag == "NM1" and seg[1] == "QC":
                patient = (seg[3], seg[4])
            elif tag == "CLM":
                last, first = patient or subscriber[:2]
                claim = {"id": seg[1], "charge": seg[2], "frequency": seg[5].split(":")[2],
                         "filing": filing, "last": last, "first": first,
                         "member": subscriber[2], "lines": []}
            elif tag == "SV1" and claim is not None:
                line = {"procedure": seg[1], "charge": seg[2], "units": seg[4], "date": "",
                        "control": ""}
                claim["lines"].append(line)
            elif tag == "DTP" and seg[1] == "472" and line is not None:
                line["date"] = seg[3]
            elif tag == "REF" and seg[1] == "6R" and line is not None:
                line["control"] = seg[2]
        close_claim()
        mirror.close()
    return {"claims": mirror.claims, "j0256_claims": mirror.j0256_claims,
            "denied_j0256_lines": mirror.denied_lines, "transactions": mirror.transactions,
            "bytes": remits_path.stat().st_size,
            "seconds": round(time.perf_counter() - started, 3)}


# -- measurements --------------------------------------------------------------------------



# The CLI run through a wrapper that records the process's own high-water RSS (VmHWM) at
# exit: ru_maxrss of a child counts the parent's resident pages at fork/spawn time. After
# reading it, the wrapper asks the SQLite library the sqlite3 module uses for its heap's
# high-water mark (sqlite3_memory_highwater), so the peak can be split into SQLite's part
# and the rest (Python objects, read buffers, the allocator's free lists).
WRAPPER = """
import atexit, os, runpy, sys
def _hwm():
    with open("/proc/self/status") as status, open(os.environ["BENCH_HWM_FILE"], "w") as out:
        out.write(next(line for line in status if line.startswith("VmHWM")))
        try:
            import ctypes, _sqlite3
            library = ctypes.CDLL(_sqlite3.__file__)
            library.sqlite3_memory_highwater.restype = ctypes.c_int64
            out.write(f"SqliteHWM: {library.sqlite3_memory_highwater(0) // 1024} kB\\n")
        except (ImportError, OSError, AttributeError):
            pass
atexit.register(_hwm)
sys.argv = ["edi_j0256", *sys.argv[1:]]
runpy.run_module("edi_j0256", run_name="__main__", alter_sys=True)
"""


def run_cli(args: list[str]) -> tuple[float, float, float, int, float | None]:
    """(wall seconds, CPU seconds, peak RSS MB, exit status, SQLite heap peak MB or None) of
    one ``python -m edi_j0256``."""
    with tempfile.NamedTemporaryFile("r", suffix=".hwm") as hwm:
        env = {**os.environ, "PYTHONPATH": str(HERE.parent), "BENCH_HWM_FILE": hwm.name}
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-c", WRAPPER, *args], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        text = Path(hwm.name).read_text()
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    peak_kb = int(fields["VmHWM"].split()[0]) if "VmHWM" in fields else 0
    sqlite_kb = int(fields["SqliteHWM"].split()[0]) if "SqliteHWM" in fields else None
    return (seconds, usage.ru_utime + usage.ru_stime, peak_kb / 1024,
            os.waitstatus_to_exitcode(status), None if sqlite_kb is None else sqlite_kb / 1024)


def check(output: Path, info: dict, mirror: dict) -> list[str]:
    problems = []
    statuses: dict[str, int] = {}
    lines = 0
    with open(output, encoding="utf-8") as stream:
        for text in stream:
            record = json.loads(text)
            statuses[record["status"]] = statuses.get(record["status"], 0) + 1
            lines += 1
    if lines != info["j0256_lines"]:
        problems.append(f"{lines} records for {info['j0256_lines']} J0256 lines")
    if statuses.get("unmatched"):
        problems.append(f"{statuses['unmatched']} unmatched lines")
    if statuses.get("denied", 0) < mirror["denied_j0256_lines"]:
        problems.append(f"{statuses.get('denied', 0)} denied, the 835 denied "
                        f"{mirror['denied_j0256_lines']}")
    return problems


def bench_size(size: float, out_dir: Path, share: float, seed: int) -> dict:
    generator = load_generator()
    claims = out_dir / f"reconcile-837-{size:g}mb.x12"
    remits = out_dir / f"reconcile-835-{size:g}mb.x12"
    info = generator.generate(claims, size_mb=size, j0256_share=share, seed=seed)
    mirror = write_mirror_835(claims, remits)
    total_mb = (claims.stat().st_size + remits.stat().st_size) / 1e6
    floor_s = float("inf")
    for _ in range(3):  # best of three: the files were just written, the first read warms up
        started = time.process_time()
        floor(claims) + floor(remits)
        floor_s = min(floor_s, time.process_time() - started)
    result = {"size_mb_837": round(claims.stat().st_size / 1e6, 1),
              "size_mb_835": round(remits.stat().st_size / 1e6, 1),
              "j0256_lines": info["j0256_lines"], "claims": info["claims"],
              "floor_s": round(floor_s, 2)}
    for label, extra in (("memory", []), ("db", ["--db", str(out_dir / f"store-{size:g}.db")])):
        for leftover in out_dir.glob(f"store-{size:g}.db*"):
            leftover.unlink()
        output = out_dir / f"reconcile-{label}-{size:g}.jsonl"
        wall, seconds, rss, status, sqlite_mb = run_cli([
            "reconcile", "--claims", str(claims), "--remits", str(remits), *extra, "--format",
            "jsonl", "-o", str(output), "-q", "--as-of", "2026-12-01"])
        problems = [] if status == 0 else [f"exit status {status}"]
        problems += check(output, info, mirror)
        result[label] = {"seconds": round(seconds, 2), "wall_seconds": round(wall, 2),
                         "peak_rss_mb": round(rss, 1),
                         "sqlite_peak_mb": None if sqlite_mb is None else round(sqlite_mb, 1),
                         "ratio_to_floor": round(seconds / floor_s, 2),
                         "s_per_mb": round(seconds / total_mb, 4), "problems": problems}
        output.unlink()
    for leftover in out_dir.glob(f"store-{size:g}.db*"):
        leftover.unlink()
    claims.unlink()
    remits.unlink()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=float, nargs="+", default=[10, 50, 100],
                        help="837 sizes in MB (10**6 bytes); default 10 50 100")
    parser.add_argument("--j0256-share", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out-dir", default=str(DEFAULT_OUT))
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = []
    print(f"python {platform.python_version()}, {os.cpu_count()} cpus")
    print("CPU seconds (user + sys); wall seconds in --json")
    print(f"{'837 MB':>7}{'835 MB':>8}{'J0256':>7}{'floor s':>9}  "
          f"{'memory s':>9}{'x floor':>8}{'RSS MB':>8}  {'--db s':>8}{'x floor':>8}"
          f"{'RSS MB':>8}")
    for size in args.sizes:
        r = bench_size(size, out_dir, args.j0256_share, args.seed)
        results.append(r)
        m, d = r["memory"], r["db"]
        print(f"{r['size_mb_837']:>7}{r['size_mb_835']:>8}{r['j0256_lines']:>7}"
              f"{r['floor_s']:>9}  {m['seconds']:>9}{m['ratio_to_floor']:>8}"
              f"{m['peak_rss_mb']:>8}  {d['seconds']:>8}{d['ratio_to_floor']:>8}"
              f"{d['peak_rss_mb']:>8}", flush=True)
        print(f"  of the peak RSS, SQLite's heap at most: {m['sqlite_peak_mb']} MB, --db "
              f"{d['sqlite_peak_mb']} MB", flush=True)
        for label in ("memory", "db"):
            for problem in r[label]["problems"]:
                print(f"  PROBLEM ({label}): {problem}")
    smallest, largest = results[0], results[-1]
    growth = {label: round(largest[label]["s_per_mb"] / smallest[label]["s_per_mb"], 2)
              for label in ("memory", "db")}
    print(f"growth (s/MB at the largest / at the smallest size): {growth}")
    ok = all(not r[label]["problems"] and r[label]["peak_rss_mb"] < GOAL_RSS_MB
             and r[label]["ratio_to_floor"] <= GOAL_RATIO
             for r in results for label in ("memory", "db"))
    print("goals (<= 5x floor, < 300 MB RSS, counts exact):", "met" if ok else "NOT met")
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "growth": growth,
                                               "goals_met": ok}, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
