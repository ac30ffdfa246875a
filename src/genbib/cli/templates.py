"""`genbib templates list|copy`: see the package's templates, copy one to override it."""

from __future__ import annotations

import click

from genbib.cli.common import echo, state


@click.group("templates")
def command() -> None:
    """The templates `render` uses; copy one into the lab's templates/ to override it.

    A copied template overrides only itself: the others keep coming from genbib,
    with their fixes.

    \b
    Example:
      genbib templates list
      genbib templates copy topic.md.j2
    """


@command.command("list")
def list_() -> None:
    """Each template, and whether the lab overrides it."""
    from genbib.scaffold import default_templates

    cfg = state().config(required=True)
    lab = cfg.path(cfg.templates)
    for name in sorted(default_templates()):
        where = "overridden in " + str(lab / name) if (lab / name).is_file() else "genbib's"
        echo(f"{name}\t{where}")


@command.command("copy")
@click.argument("names", nargs=-1, required=True)
@click.option("--force", is_flag=True, help="Overwrite the lab's copy.")
def copy(names: tuple[str, ...], force: bool) -> None:
    """Copy NAMES into the configured templates folder, to edit there."""
    from genbib.scaffold import copy_templates

    cfg = state().config(required=True)
    result = copy_templates(cfg.path(cfg.templates), list(names), force=force)
    for path in result.created:
        echo(f"created {path}")
    for path in result.updated:
        echo(f"updated {path}")
