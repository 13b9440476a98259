"""Placeholder for the `check` command: being written; replaced by its owner."""

import click


@click.command("check")
def command() -> None:
    """Not yet available."""
    raise click.ClickException("'check' is not available yet")
