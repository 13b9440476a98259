"""Segment- and byte-level mutants of the 835 fixtures: the reader never raises on content
(only "not X12 at all" is an X12ReadError), and every CLP it meets is accounted for.

The mutants come from a seeded generator, so a failure names a reproducible case.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_j0256.cli import cli
from edi_j0256.diagnostics import Diagnostics, X12ReadError
from edi_j0256.remit import RemitReader, plb_records, remit_records

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted([*(ROOT / "fixtures").glob("835-*.x12"),
                   *(ROOT / "fixtures" / "remit").glob("835-*.x12")])
VALUES = (b"", b"1E+5000", b"1E+999999", b"\x1b[2J", b"-", b".", b"CLP", b"SVC", b"*", b":",
          b"~", b"\x00", b"9" * 40, b"=HYPERLINK(1)")


def mutant(data: bytes, rng: random.Random) -> bytes:
    segments = data.split(b"~")
    k = rng.randrange(len(segments))
    op = rng.randrange(6)
    if op == 0:
        del segments[k]
    elif op == 1:
        segments.insert(k, segments[rng.randrange(len(segments))])
    elif op == 2:
        elements = segments[k].split(b"*")
        elements[rng.randrange(len(elements))] = rng.choice(VALUES)
        segments[k] = b"*".join(elements)
    elif op == 3:
        segments = segments[:k]
    elif op == 4:
        j = rng.randrange(len(segments))
        segments[k], segments[j] = segments[j], segments[k]
    else:
        flipped = bytearray(b"~".join(segments))
        flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        return bytes(flipped)
    return b"~".join(segments)


def clp_count(text: bytes) -> int:
    """CLP segments as the tokenizer cuts them: after a terminator and optional whitespace."""
    return sum(1 for part in text.split(b"~")[1:] if part.lstrip(b" \t\r\n").startswith(b"CLP*"))


def check_mutants(seed: int, per_file: int) -> int:
    rng = random.Random(seed)
    checked = 0
    for path in FIXTURES:
        data = path.read_bytes()
        for n in range(per_file):
            text = mutant(data, rng)
            for codes in ("J0256", "ALL"):
                reader = RemitReader(io.BytesIO(text), name="mutant.835", hcpcs=codes,
                                     diagnostics=Diagnostics())
                try:
                    items = list(reader.items())
                except X12ReadError:
                    continue
                list(remit_records(items, hcpcs=codes))
                list(plb_records(items))
                stats = reader.stats
                where = f"{path.name} seed {seed} mutant {n} codes {codes}"
                assert stats.claims == (stats.claims_read + stats.claims_skipped
                                        + stats.claims_outside + stats.claims_unreadable), where
                if text.startswith(data[:106]):  # the ISA is intact: counts match the bytes
                    assert stats.claims == clp_count(text), where
                elif not stats.transactions:  # delimiters lost: the file is reported unusable
                    assert any(d.code == "X350" for d in reader.diagnostics), where
                checked += 1
    return checked


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mutants_never_raise_and_every_clp_is_counted(seed: int) -> None:
    assert check_mutants(seed, per_file=8) > 100


@pytest.mark.slow
def test_thousands_of_mutants() -> None:
    assert sum(check_mutants(seed, per_file=150) for seed in range(10, 14)) > 10_000


def test_the_cli_exits_0_or_2_on_mutants(tmp_path: Path) -> None:
    rng = random.Random(99)
    paths = []
    for n, source in enumerate(FIXTURES * 2):
        path = tmp_path / f"m{n}.835"
        path.write_bytes(mutant(source.read_bytes(), rng))
        paths.append(str(path))
    result = CliRunner().invoke(cli, ["remit", "--format", "jsonl", "--no-summary", *paths])
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
