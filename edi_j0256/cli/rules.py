"""Placeholder for the `rules` command: being written; replaced by its owner."""

import click


@click.command("rules")
def command() -> None:
    """Not yet available."""
    raise click.ClickException("'rules' is not available yet")
