"""The ``edi-j0256`` command line: one click group, thin commands that call the library.

Exit codes (every command): 0 done (warnings allowed), 1 findings at or above ``--fail-on``
(``check``), 2 unusable input or bad options. Errors are one line, never a traceback.
"""

from __future__ import annotations

import click

from edi_j0256 import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="edi-j0256")
def cli() -> None:
    """Read, check and reconcile X12 837/835 claims for HCPCS J0256 (alpha-1 PI, 10 mg)."""


def _register() -> None:
    from edi_j0256.cli import check, reconcile, remit, rules, scan

    for module in (scan, check, rules, remit, reconcile):
        cli.add_command(module.command)
    cli.add_command(__import__("edi_j0256.cli.report", fromlist=["command"]).command)


_register()


def main() -> None:
    cli(prog_name="edi-j0256")
