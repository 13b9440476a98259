"""Damaged X12 never gets a traceback: every command ends with exit 0, 1 or 2.

The inputs are the fixtures with seeded random damage: bytes cut out or replaced, files cut
short, stray or half-written segments inserted (HL to a missing parent, SV1 with NaN charge,
CLP reversal with text amounts, a bare ISA ...), terminators turned into newlines.
"""

from __future__ import annotations

import random

import pytest
from click.testing import CliRunner

from edi_j0256.cli import cli

STRAYS = [b"HL*9*77*22*0~", b"CLM*X*abc***11:B:1~", b"SV1*HC:J0256:JW*NaN*UN*1e999~", b"LX*~",
          b"CLP*X*22*-5*x~", b"CAS*CO*~", b"SVC*HC:J0256*1*2**3*HC:J0257*9~", b"ISA*00~",
          b"SE*1*1~", b"GS*HC~", b"ST*837~", b"HI*ABK~", b"DTP*472*RD8*2026-~",
          b"LIN**N4*1-2-3~", b"CTP****~", b"PLB*1*2*WO:1*x~"]
NOISE = b"*:~^\n\r ABCJ0256E.-0123456789"


def damage(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        pos = rng.randrange(max(len(out), 1))
        op = rng.random()
        if op < 0.3:
            del out[pos:pos + rng.randint(1, 40)]
        elif op < 0.5:
            out[pos:pos] = bytes(rng.choice(NOISE) for _ in range(rng.randint(1, 6)))
        elif op < 0.6:
            out = out[:pos]
        elif op < 0.7 and out:
            out[pos] = rng.randrange(256)
        elif op < 0.85:
            out[pos:pos] = rng.choice(STRAYS)
        else:
            out = bytearray(bytes(out).replace(b"~", b"\n", rng.randint(1, 50)))
    return bytes(out)


@pytest.mark.parametrize("seed", range(24))
def test_damaged_files_never_crash_any_command(seed, fixtures_dir, tmp_path):
    rng = random.Random(seed)
    sources = sorted(fixtures_dir.glob("*.x12"))
    path = tmp_path / f"damaged-{seed}.x12"
    path.write_bytes(damage(rng.choice(sources).read_bytes(), rng))
    runner = CliRunner()
    for args in (["scan", str(path), "--format", "jsonl"],
                 ["check", str(path), "--format", "jsonl"],
                 ["remit", str(path), "--format", "jsonl"],
                 ["reconcile", "--claims", str(path), "--remits", str(path), "--format", "jsonl"]):
        result = runner.invoke(cli, args)
        assert result.exit_code in (0, 1, 2), (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            args, repr(result.exception))
        assert "Traceback" not in result.output + result.stderr
