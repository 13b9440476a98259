"""Command-level fuzzing: segment-level mutants of the fixtures through every command.

Each mutant is a fixture with one to three mutations (a segment deleted, duplicated, swapped,
emptied down to its tag, an element replaced with a hostile value, the file cut short, an
interchange repeated, a delimiter changed); it is fed to ``scan``, ``check``, ``remit`` and
``reconcile`` in-process through click's CliRunner. A command passes when it exits 0, 1 or 2
without a traceback within the time limit. A failing input is saved under
``tests/regressions/`` with what went wrong, for a regression test (``--save``).

    python benchmarks/fuzz_commands.py --mutants 2000            # per command
    python benchmarks/fuzz_commands.py --mutants 500 --command remit --save
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from edi_j0256.cli import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
REGRESSIONS = ROOT / "tests" / "regressions"
CLAIMS = sorted(FIXTURES.glob("837*.x12")) + [FIXTURES / "reconcile" / "837p-reconcile.x12"]
REMITS = sorted(FIXTURES.glob("835*.x12")) + sorted((FIXTURES / "remit").glob("835*.x12"))
COMMANDS = ("scan", "check", "remit", "reconcile")
TIME_LIMIT = 20  # seconds per command run: longer is a hang

HOSTILE = ("1E+5000", "1E+999999", "9" * 5000, "-0", "\x00\x01\x1b[2J\x0b", "", "NaN",
           '=HYPERLINK("http://x/?"&A1,"click")', "+1", "-A1", "@SUM(A1)", "\tTAB", "\rCR",
           "99999999999999999999.999", "Infinity", "20260231", "00000000", "\xff\xfe", "-",
           ".", "1.2.3", "0" * 40, "J0256", "JW", "JZ", "HC:J0256:JW:JZ:KX:59", "E8801",
           "*", ":", "^", "~")


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def segments_of(data: bytes) -> tuple[list[bytes], bytes]:
    terminator = data[105:106] if data.startswith(b"ISA") and len(data) > 106 else b"~"
    return data.split(terminator), terminator


def mutate(data: bytes, rng: random.Random, rounds: int | None = None) -> bytes:
    """One to three segment-level mutations of an X12 file."""
    for _ in range(rounds or rng.randint(1, 3)):
        segments, terminator = segments_of(data)
        element = data[3:4] if data.startswith(b"ISA") else b"*"
        n = len(segments)
        i, j = rng.randrange(n), rng.randrange(n)
        op = rng.randrange(11)
        if op == 0:  # delete a segment
            del segments[i]
        elif op == 1:  # duplicate a segment
            segments.insert(i, segments[i])
        elif op == 2:  # swap two segments
            segments[i], segments[j] = segments[j], segments[i]
        elif op == 3:  # the segment loses its elements ("CLM~")
            segments[i] = segments[i].split(element)[0]
        elif op in (4, 5, 6):  # an element gets a hostile value
            parts = segments[i].split(element)
            k = rng.randrange(1, max(len(parts), 2))
            parts += [b""] * (k + 1 - len(parts))
            parts[k] = rng.choice(HOSTILE).encode("latin-1")
            segments[i] = element.join(parts)
        elif op == 7:  # the file is cut short
            return data[:rng.randrange(len(data) + 1)]
        elif op == 8:  # the interchange is repeated (a clearinghouse bundle)
            return data + data
        elif op == 9:  # ISA16 or the element separator collides with another delimiter
            if len(data) > 106 and data.startswith(b"ISA"):
                spot = rng.choice((3, 104, 105, 82))
                value = rng.choice((element, terminator, b":", b"\n", b"A"))
                data = data[:spot] + value + data[spot + 1:]
                continue
        else:  # terminators become newlines
            return data.replace(terminator, b"\n")
        data = terminator.join(segments)
    return data


def command_args(command: str, path: str, partner: str) -> list[str]:
    if command == "scan":
        return ["scan", path, "-q", "--format", "csv"]
    if command == "check":
        return ["check", path, "--format", "jsonl"]
    if command == "remit":
        return ["remit", path, "-q", "--format", "csv"]
    claims, remits = (path, partner) if partner.endswith("835.x12") or "835" in Path(
        partner).name else (partner, path)
    return ["reconcile", "--claims", claims, "--remits", remits, "--format", "csv", "-q"]


def run_command(command: str, data: bytes, partner: Path | None = None,
                folder: str | None = None) -> str | None:
    """None when the command behaved; otherwise what went wrong, in one line."""
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        path = Path(tmp) / "mutant.x12"
        path.write_bytes(data)
        args = command_args(command, str(path), str(partner or ""))
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(TIME_LIMIT)
        try:
            result = CliRunner().invoke(cli, args)
        except Timeout:
            return f"{command}: no answer within {TIME_LIMIT} s (hang)"
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        error = result.exception
        if isinstance(error, Timeout):
            return f"{command}: no answer within {TIME_LIMIT} s (hang)"
        if error is not None and not isinstance(error, SystemExit):
            where = traceback.extract_tb(result.exc_info[2])[-1]
            return (f"{command}: {type(error).__name__}: {str(error)[:120]} "
                    f"({Path(where.filename).name}:{where.lineno})")
        if result.exit_code not in (0, 1, 2):
            return f"{command}: exit code {result.exit_code}"
        if "Traceback" in result.output:
            return f"{command}: traceback in the output"
        return None


def pick(command: str, rng: random.Random) -> tuple[bytes, Path | None]:
    """A mutant for ``command`` and, for reconcile, the unmutated other side."""
    if command == "remit":
        return mutate(rng.choice(REMITS).read_bytes(), rng), None
    if command == "reconcile":
        claims = FIXTURES / "reconcile" / "837p-reconcile.x12"
        remits = FIXTURES / "reconcile" / "835-reconcile-paid.x12"
        if rng.random() < 0.5:
            return mutate(claims.read_bytes(), rng), remits
        return mutate(remits.read_bytes(), rng), claims
    return mutate(rng.choice(CLAIMS).read_bytes(), rng), None


def save(command: str, data: bytes, partner: Path | None, problem: str) -> Path:
    REGRESSIONS.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()[:12]
    path = REGRESSIONS / f"{command}-{digest}.x12"
    path.write_bytes(data)
    manifest = REGRESSIONS / "manifest.json"
    entries = json.loads(manifest.read_text()) if manifest.exists() else {}
    entries[path.name] = {"command": command, "problem": problem,
                          "partner": str(partner.relative_to(ROOT)) if partner else None}
    manifest.write_text(json.dumps(entries, indent=1, sort_keys=True) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutants", type=int, default=2000, help="per command")
    parser.add_argument("--command", choices=COMMANDS, action="append")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--save", action="store_true", help="save failing inputs")
    args = parser.parse_args(argv)
    totals: dict[str, Counter] = {}
    problems: Counter[str] = Counter()
    for command in args.command or COMMANDS:
        rng = random.Random(f"{args.seed}-{command}")
        counts = totals[command] = Counter()
        start = time.perf_counter()
        for _ in range(args.mutants):
            data, partner = pick(command, rng)
            problem = run_command(command, data, partner)
            counts["mutants"] += 1
            if problem is None:
                counts["ok"] += 1
                continue
            counts["failed"] += 1
            kind = problem.split(" (")[0][:100]
            if problems[kind] == 0 and args.save:
                print(f"  saved {save(command, data, partner, problem).name}: {problem}")
            problems[kind] += 1
        counts["seconds"] = round(time.perf_counter() - start)
        print(f"{command}: {dict(counts)}", flush=True)
    for kind, n in problems.most_common():
        print(f"  {n:5} x {kind}")
    print(json.dumps({c: dict(v) for c, v in totals.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
