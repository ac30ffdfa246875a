"""`genbib rekey OLD NEW`, and the key-following every key change shares.

Under biber an old key still resolves through `ids`; under BibTeX it does not, so the
LaTeX sources follow the key: `follow()` rewrites `\\cite...{OLD}` in the configured
`[latex] sources` and in any `--cites DIR`, printing each change (`dedupe` and the
provisional-key upgrade call it too).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from genbib.cli.common import echo, state

if TYPE_CHECKING:
    from genbib.bibtex.citations import KeyChange


@click.command("rekey")
@click.argument("old")
@click.argument("new")
@click.option(
    "--file", type=click.Path(dir_okay=False), help="The .bib to change (default: configured)."
)
@click.option(
    "--cites",
    "cites_dirs",
    multiple=True,
    type=click.Path(file_okay=False, exists=True),
    help="Also rewrite \\cite{OLD} in the .tex files under DIR (repeatable); the "
    "configured [latex] sources are always rewritten.",
)
@click.option("--dry-run", is_flag=True, help="Show the key change and the \\cite rewrites only.")
def command(
    old: str, new: str, file: str | None, cites_dirs: tuple[str, ...], dry_run: bool
) -> None:
    """Change citation key OLD to NEW; OLD stays in `ids` (biber resolves it) and the
    \\cite commands of the configured LaTeX sources follow (BibTeX has no aliases).

    Every natbib and biblatex cite command is rewritten (`\\citet`, `\\citep[p.~2]{a,b}`,
    `\\citeauthor`, `\\parencite`, `\\textcite`, `\\cites`, ...), atomically, changing
    only the key; each change is printed.

    \b
    Example:
      genbib rekey ho2020denoising ho2020ddpm
      genbib rekey ho2020denoising ho2020ddpm --cites ~/papers/iclr --dry-run
    """
    from genbib.bibtex.rekey import rekey_file

    cfg = state().config(required=file is None)
    path = Path(file) if file else cfg.bib_path
    rekey_file(path, old, new, order=cfg.order, dry_run=dry_run)
    verb = "would rename" if dry_run else "renamed"
    echo(f"{verb} {old} -> {new} (old key kept in ids)")
    follow({old: new}, cites_dirs, dry_run=dry_run)


def follow(
    mapping: Mapping[str, str],
    cites_dirs: tuple[str, ...] = (),
    *,
    dry_run: bool = False,
    quiet: bool = False,
) -> list[KeyChange]:
    """Rewrite the keys of `mapping` (old -> new) in the configured LaTeX sources and
    the .tex files under `cites_dirs`; print one line per change and a summary."""
    from genbib.bibtex.citations import rewrite_files, tex_files

    cfg = state().config()
    files = tex_files(cfg.latex_sources(), [Path(d) for d in cites_dirs])
    changes = rewrite_files(files, mapping, dry_run=dry_run)
    if quiet:
        return changes
    if not files and cfg.render.citations == "natbib":
        echo(
            "no LaTeX sources to follow the key change ([latex] sources, --cites DIR): "
            "BibTeX does not read ids, so a paper citing an old key must be changed by hand "
            "(genbib check --cites DIR finds it)",
            err=True,
        )
    for c in changes:
        echo(("would rewrite " if dry_run else "rewrote ") + c.describe())
    if files:
        touched = len({c.file for c in changes})
        verb = "would rewrite" if dry_run else "rewrote"
        echo(f"{verb} {len(changes)} citation(s) in {touched} of {len(files)} LaTeX file(s)")
    return changes
