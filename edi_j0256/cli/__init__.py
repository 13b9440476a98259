"""The ``edi-j0256`` command line: one click group, thin commands that call the library.

Exit codes (every command): 0 done (warnings allowed), 1 findings at or above ``--fail-on``
(``check``), 2 unusable input or bad options. Errors are one line, never a traceback.

The group loads a command's module only when that command is looked up, so ``edi-j0256 scan``
does not pay for importing the rules, the reconciliation store and the report (about 0.3 s of
CPU, a whole pure-Python pass over 20 MB). ``--help`` looks every command up and so lists each
with the short help of its own docstring, as an eagerly built group would.
"""

from __future__ import annotations

import importlib

import click

from edi_j0256 import __version__

# The commands, each the ``command`` of the module of its name under edi_j0256.cli.
COMMANDS = ("check", "reconcile", "remit", "report", "rules", "scan")


class LazyGroup(click.Group):
    """A click group whose commands are imported on first look-up (see the module docstring)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in COMMANDS:
            return command
        command = importlib.import_module(f"{__name__}.{cmd_name}").command
        if command.name != cmd_name:
            raise RuntimeError(f"{__name__}.{cmd_name} defines {command.name!r}, "
                               f"not {cmd_name!r}")
        self.add_command(command)
        return command


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: the version, and whether the compiled core is in use."""
    if value and not ctx.resilient_parsing:
        from edi_j0256._core import describe

        click.echo(f"edi-j0256, version {__version__}\n{describe()}")
        ctx.exit()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=_print_version, help="Show the version and exit.")
def cli() -> None:
    """Read, check and reconcile X12 837/835 claims for HCPCS J0256 (alpha-1 PI, 10 mg)."""


def main() -> None:
    cli(prog_name="edi-j0256")
