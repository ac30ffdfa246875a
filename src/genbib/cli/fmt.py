"""`genbib fmt`: canonical form for a .bib file."""

from __future__ import annotations

import click

from genbib.cli.common import bib_path, echo, print_problems, state
from genbib.errors import ExitCode


@click.command("fmt")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--check", is_flag=True, help="Change nothing; exit 1 and print a diff if not canonical."
)
def command(file: str | None, check: bool) -> None:
    """Rewrite FILE (default: the configured bib) in canonical form.

    Nothing is lost: comments, @string, @preamble and blocks that do not parse are kept.

    \b
    Example:
      genbib fmt bib/genmodels.bib
      genbib fmt --check bib/genmodels.bib   # for CI and pre-commit
    """
    from genbib.bibtex.store import format_file

    path = bib_path(file)
    # genbib.toml's entry order applies to any file formatted in the lab's tree, so
    # `genbib fmt bib/genmodels.bib` and `genbib fmt` never disagree.
    order = state().config().order
    result = format_file(path, check=check, order=order)
    # Blocks that did not parse are kept as written, but the user must hear of them.
    print_problems(result.problems)
    if check:
        if result.changed:
            click.echo(result.diff, nl=False)
            echo(f"{path}: not in canonical form (run `genbib fmt {path}`)", err=True)
            raise SystemExit(ExitCode.FINDINGS)
        echo(f"{path}: canonical")
        return
    echo(f"{path}: {'reformatted' if result.changed else 'already canonical'}")
