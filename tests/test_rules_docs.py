"""docs/rules.md is the catalogue as the rules' docstrings say it: regenerate it when a rule
changes (``edi-j0256 rules --format markdown > docs/rules.md``)."""

from __future__ import annotations

from click.testing import CliRunner

from edi_j0256.cli import cli
from edi_j0256.rules import all_rules


def test_docs_rules_md_is_current(repo_root):
    result = CliRunner().invoke(cli, ["rules", "--format", "markdown"])
    assert result.exit_code == 0
    assert (repo_root / "docs" / "rules.md").read_text() == result.stdout
    for rule in all_rules():
        assert f"\n## {rule.code}\n" in result.stdout
        assert rule.fix.split()[0] in result.stdout
