"""`genbib rekey OLD NEW`."""

from __future__ import annotations

import click

from genbib.cli.common import echo, state


@click.command("rekey")
@click.argument("old")
@click.argument("new")
@click.option(
    "--file", type=click.Path(dir_okay=False), help="The .bib to change (default: configured)."
)
def command(old: str, new: str, file: str | None) -> None:
    """Change citation key OLD to NEW; OLD stays in `ids` so old citations resolve.

    \b
    Example:
      genbib rekey ho2020denoising ho2020ddpm
    """
    from pathlib import Path

    from genbib.bibtex.rekey import rekey
    from genbib.bibtex.store import edit

    cfg = state().config(required=file is None)
    path = Path(file) if file else cfg.bib_path
    with edit(path, order=cfg.order) as lib:
        rekey(lib, old, new)
    echo(f"{old} -> {new} (old key kept in ids)")
