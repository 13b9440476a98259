"""The command group loads a command's module only when that command runs, and its ``--help``
is the one an eagerly built group gives."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import click
from click.testing import CliRunner

from edi_j0256.cli import COMMANDS, cli

# Modules only check, rules, reconcile, remit and report need: a scan must not import them.
NOT_FOR_SCAN = ("edi_j0256.rules", "edi_j0256.reconcile", "edi_j0256.report",
                "edi_j0256.remit", "edi_j0256.cli.check", "edi_j0256.cli.reconcile",
                "sqlite3", "edi_j0256.parallel",  # parallel: only with --jobs > 1
                "concurrent.futures", "multiprocessing")  # process pools: only with --jobs > 1


def _modules_after(repo_root, *argv: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``edi-j0256 ARGV``."""
    probe = ("import sys, json, runpy\n"
             f"sys.argv = ['edi-j0256', *{list(argv)!r}]\n"
             "try:\n"
             "    runpy.run_module('edi_j0256', run_name='__main__')\n"
             "except SystemExit:\n"
             "    pass\n"
             "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n")
    env = {**os.environ, "PYTHONPATH": str(repo_root)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=repo_root, env=env, check=True, timeout=60)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def _loaded(modules: set[str], prefix: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for name in modules)


def test_scan_imports_none_of_the_other_commands(repo_root, fixtures_dir):
    modules = _modules_after(repo_root, "scan", "-q", str(fixtures_dir / "837p-medicare.x12"))
    assert "edi_j0256.cli.scan" in modules
    assert [name for name in NOT_FOR_SCAN if _loaded(modules, name)] == []


def test_scan_with_jobs_still_lets_the_workers_write(repo_root, fixtures_dir, tmp_path):
    out = tmp_path / "out.jsonl"
    modules = _modules_after(repo_root, "scan", "-q", "-j", "2", "-o", str(out),
                             str(fixtures_dir / "837p-medicare.x12"),
                             str(fixtures_dir / "837p-commercial.x12"))
    assert "edi_j0256.parallel" in modules
    one = tmp_path / "one.jsonl"
    _modules_after(repo_root, "scan", "-q", "-o", str(one),
                   str(fixtures_dir / "837p-medicare.x12"),
                   str(fixtures_dir / "837p-commercial.x12"))
    assert out.read_bytes() == one.read_bytes() and out.read_bytes().count(b"\n") > 5


def test_the_version_imports_no_command(repo_root):
    modules = _modules_after(repo_root, "--version")
    assert sorted(m for m in modules if m.startswith("edi_j0256.cli.")) == []


def test_help_lists_every_command_as_an_eager_group_does():
    eager = click.Group(cli.name, help=cli.help, params=cli.params,
                        context_settings=cli.context_settings)
    for name in COMMANDS:
        eager.add_command(importlib.import_module(f"edi_j0256.cli.{name}").command, name)
    lazy_help = CliRunner().invoke(cli, ["--help"], prog_name="edi-j0256")
    eager_help = CliRunner().invoke(eager, ["--help"], prog_name="edi-j0256")
    assert lazy_help.exit_code == eager_help.exit_code == 0
    assert lazy_help.output == eager_help.output
    listing = lazy_help.output.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listing] == sorted(COMMANDS)


def test_each_command_module_defines_the_command_of_its_name():
    for name in COMMANDS:
        assert importlib.import_module(f"edi_j0256.cli.{name}").command.name == name


def test_an_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(cli, ["sacn"], prog_name="edi-j0256")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Error: No such command 'sacn'. "
                                              "Did you mean 'scan'?")
