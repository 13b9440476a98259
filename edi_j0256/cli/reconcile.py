"""Placeholder for the `reconcile` command: being written; replaced by its owner."""

import click


@click.command("reconcile")
def command() -> None:
    """Not yet available."""
    raise click.ClickException("'reconcile' is not available yet")
