"""Placeholder for the `remit` command: being written; replaced by its owner."""

import click


@click.command("remit")
def command() -> None:
    """Not yet available."""
    raise click.ClickException("'remit' is not available yet")
