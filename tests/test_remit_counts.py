"""``remit`` says what it read, and what it read is every CLP and SVC of the files."""

from __future__ import annotations

import re

from click.testing import CliRunner

from edi_j0256.cli import cli
from edi_j0256.x12 import read_segments


def test_remit_reports_counts_that_match_the_segments(fixtures_dir):
    files = sorted(str(p) for p in fixtures_dir.glob("835-*.x12"))
    result = CliRunner().invoke(cli, ["remit", *files, "--format", "jsonl", "--no-summary"])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stderr.splitlines() if x.startswith("read: "))
    read = {name: int(n) for n, name in re.findall(r"(\d+) ([a-z ]+?)(?:,|$)", line[6:])}
    tags = [s.tag for f in files for s in read_segments(f)]
    assert read["files"] == len(files)
    assert read["transactions"] == tags.count("ST")
    assert read["claims"] == tags.count("CLP")
    assert read["service lines"] == tags.count("SVC")
    assert read["records"] == len(result.stdout.splitlines())


def _claims_line(stderr: str) -> tuple[int, list[int]]:
    line = next(x for x in stderr.splitlines() if x.startswith("claims: "))
    total, _, parts = line[len("claims: "):].partition(" = ")
    return int(total), [int(p.split()[0]) for p in parts.split(" + ")]


def test_every_clp_is_built_skipped_or_reported(fixtures_dir):
    """With the default code filter most claims are skipped at byte level: still counted."""
    files = sorted(str(p) for p in [*fixtures_dir.glob("835-*.x12"),
                                    *(fixtures_dir / "remit").glob("835-*.x12")])
    tags = [s.tag for f in files for s in read_segments(f)]
    for codes in ("J0256", "ALL", "96365,99213"):
        result = CliRunner().invoke(cli, ["remit", *files, "--hcpcs", codes, "--format",
                                          "jsonl", "--no-summary"])
        assert result.exit_code == 0, result.output
        total, parts = _claims_line(result.stderr)
        assert total == sum(parts) == tags.count("CLP"), codes
        assert f"{tags.count('SVC')} service lines" in result.stderr
        assert f"{tags.count('ST')} transactions" in result.stderr
        if codes == "ALL":
            assert parts == [total]  # all built
        else:
            assert len(parts) == 2 and parts[1] > 0  # built + skipped
