"""`genbib init [DIR]`."""

from __future__ import annotations

import click

from genbib.cli.common import echo


@click.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option("--ci", type=click.Choice(["github"]), help="Also write a scheduled sync workflow.")
def command(directory: str, force: bool, ci: str | None) -> None:
    """Scaffold genbib.toml, bib/, templates/, .gitignore, .gitattributes and pre-commit hooks.

    Existing files are never overwritten without --force.

    \b
    Example:
      genbib init my-paper-repo
      genbib init --ci github .
    """
    from genbib.scaffold import init

    result = init(directory, force=force, ci=ci)
    for path in result.created:
        echo(f"created {path}")
    for path in result.updated:
        echo(f"updated {path}")
    echo("next: add [[topics]] to genbib.toml, then `genbib import LIST.md` or `genbib add ID`")
