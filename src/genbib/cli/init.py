"""`genbib init [DIR]`."""

from __future__ import annotations

import click

from genbib.cli.common import echo


@click.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option("--ci", type=click.Choice(["github"]), help="Also write a scheduled sync workflow.")
@click.option(
    "--templates",
    "with_templates",
    is_flag=True,
    help="Also copy every default template into templates/ (one: `genbib templates copy`).",
)
@click.option(
    "--genbib-source",
    metavar="URL@COMMIT",
    help="Where the hooks and the workflow install genbib from "
    "(default: where this genbib was installed from).",
)
def command(
    directory: str, force: bool, ci: str | None, with_templates: bool, genbib_source: str | None
) -> None:
    """Scaffold genbib.toml, bib/, .gitignore, .gitattributes and pre-commit hooks.

    Templates stay in genbib (so fixes reach the lab) unless --templates or
    `genbib templates copy NAME` copies them to override. The hooks and the
    --ci workflow install genbib from its git repository at a fixed commit.
    Existing files are never overwritten without --force.

    \b
    Example:
      genbib init my-paper-repo
      genbib init --ci github .
      genbib init --genbib-source https://github.com/lab/genbib@<commit> .
    """
    from genbib.scaffold import init
    from genbib.scaffold.source import installed, parse

    source = parse(genbib_source) if genbib_source else installed()
    result = init(directory, force=force, ci=ci, templates=with_templates, source=source)
    for path in result.created:
        echo(f"created {path}")
    for path in result.updated:
        echo(f"updated {path}")
    if source is None:
        echo(
            "note: the pre-commit hooks use the genbib on PATH (where genbib was installed "
            "from is unknown); pass --genbib-source URL@COMMIT to let pre-commit install it"
        )
    else:
        echo(f"hooks install genbib from {source.url} at {source.rev[:12]}")
    echo("next: add [[topics]] to genbib.toml, then `genbib import LIST.md` or `genbib add ID`")
