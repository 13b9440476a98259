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
