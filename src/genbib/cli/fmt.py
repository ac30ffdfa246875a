"""`genbib fmt`: canonical form for a .bib file."""

from __future__ import annotations

import click

from genbib.cli.common import bib_path, echo, print_problems, state
from genbib.errors import ExitCode


@click.command("fmt")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option(
    "--check", is_flag=True, help="Change nothing; exit 1 and print a diff if not canonical."
)
@click.option("--diff", "show_diff", is_flag=True, help="Also print the diff of what is rewritten.")
def command(files: tuple[str, ...], check: bool, show_diff: bool) -> None:
    """Rewrite FILES (default: the configured bib) in canonical form.

    Nothing is lost: comments, @string, @preamble and blocks that do not parse are kept.

    \b
    Example:
      genbib fmt bib/genmodels.bib
      genbib fmt --check bib/genmodels.bib   # for CI and pre-commit
      genbib fmt --diff                      # rewrite, and show what changed
    """
    from genbib.bibtex.store import format_file

    # genbib.toml's entry order applies to any file formatted in the lab's tree, so
    # `genbib fmt bib/genmodels.bib` and `genbib fmt` never disagree.
    order = state().config().order
    not_canonical = False
    for path in [bib_path(f) for f in files] or [bib_path(None)]:
        result = format_file(path, check=check, order=order, diff=check or show_diff)
        # Blocks that did not parse are kept as written, but the user must hear of them.
        print_problems(result.problems)
        if check and result.changed:
            click.echo(result.diff, nl=False)
            echo(f"{path}: not in canonical form (run `genbib fmt {path}`)", err=True)
            not_canonical = True
        elif check:
            echo(f"{path}: canonical")
        else:
            if show_diff:
                click.echo(result.diff, nl=False)
            echo(f"{path}: {'reformatted' if result.changed else 'already canonical'}")
    if not_canonical:
        raise SystemExit(ExitCode.FINDINGS)
