"""The faster 835 reader gives exactly the records the reader on main gave before it.

``tests/data/remit_fast/expected/`` holds the output of ``edi-j0256 remit`` (standard output,
standard error and exit code) made by the code on main *before* the speed work (commit
b8255e4), for every 835 fixture, the peer 835s in ``../shared/corpus/peers`` and two
generated files (``benchmarks/generate_835.py``: all-J0256 with one segment per line, seed 7;
5% J0256 on a single line, seed 11). Three runs of each: the default codes (J0256), every
line (``--hcpcs ALL --summary``, so that every claim is built and the summary is compared
too), the provider-level adjustments (``--plb``) and every line with the info diagnostics
(``-v``: unknown or stopped CARC/RARC). The comparison is byte for byte.

To make the expected files again (only on purpose, from code known to be right, e.g. main's
checkout)::

    PYTHONPATH=/work/main python tests/test_remit_fast.py
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "remit_fast"
EXPECTED = DATA / "expected"
PEERS = ROOT.parent / "shared" / "corpus" / "peers"
PEER_835S = ("badx12/errors/error_validation.edi", "edi-835-parser/blue_cross_nc_sample.txt",
             "edi-835-parser/emedny_sample.txt",
             "edi-835-parser/united_healthcare_legacy_sample.txt", "pyx12/835_mult_loops.txt",
             "tigershark/835-example-2.txt", "tigershark/835-example.txt")
MODES = {"j0256": ["--format", "jsonl", "--no-summary"],
         "all": ["--format", "jsonl", "--hcpcs", "ALL", "--summary"],
         "plb": ["--format", "jsonl", "--plb", "--no-summary"],
         "verbose": ["--format", "jsonl", "--hcpcs", "ALL", "--no-summary", "-v"]}


def inputs() -> list[str]:
    """The 835 inputs, as paths relative to the repository root (they appear in records)."""
    found = [str(p.relative_to(ROOT)) for p in sorted(ROOT.glob("fixtures/**/835-*.x12"))]
    found += [str(p.relative_to(ROOT)) for p in sorted(DATA.glob("*.835"))]
    found += [os.path.join("..", "shared", "corpus", "peers", p) for p in PEER_835S]
    return found


def key(path: str, mode: str) -> str:
    return f"{Path(path).name}.{mode}"


def run(path: str, mode: str) -> tuple[int, str, str]:
    from edi_j0256.cli import cli

    here = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(cli, ["remit", *MODES[mode], path])
    finally:
        os.chdir(here)
    return result.exit_code, result.stdout, result.stderr


CASES = [(path, mode) for path in inputs() for mode in MODES]


@pytest.mark.parametrize(("path", "mode"), CASES, ids=[key(p, m) for p, m in CASES])
def test_same_output_as_before(path: str, mode: str) -> None:
    if path.startswith("..") and not (ROOT / path).exists():
        pytest.skip(f"peer corpus not found at {PEERS}")
    expected = json.loads((EXPECTED / "runs.json").read_text())[key(path, mode)]
    stdout = gzip.decompress((EXPECTED / f"{key(path, mode)}.jsonl.gz").read_bytes()).decode()
    code, out, err = run(path, mode)
    assert code == expected["exit_code"]
    assert err == expected["stderr"]
    assert out == stdout


def test_the_cases_cover_claims_and_plb() -> None:
    """The expected outputs are not empty: every kind of record is compared."""
    runs = json.loads((EXPECTED / "runs.json").read_text())
    assert set(runs) == {key(p, m) for p, m in CASES}
    lines = {m: 0 for m in MODES}
    for name in runs:
        text = gzip.decompress((EXPECTED / f"{name}.jsonl.gz").read_bytes()).decode()
        lines[name.rsplit(".", 1)[1]] += len(text.splitlines())
    assert lines["j0256"] > 700 and lines["all"] > lines["j0256"] and lines["plb"] > 5


def main() -> None:
    EXPECTED.mkdir(parents=True, exist_ok=True)
    runs = {}
    for path, mode in CASES:
        code, out, err = run(path, mode)
        runs[key(path, mode)] = {"exit_code": code, "stderr": err}
        (EXPECTED / f"{key(path, mode)}.jsonl.gz").write_bytes(
            gzip.compress(out.encode(), mtime=0))
        print(key(path, mode), code, len(out.splitlines()), file=sys.stderr)
    (EXPECTED / "runs.json").write_text(json.dumps(runs, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
