"""`genbib fmt`: canonical form for a .bib file (`--canonical`: also each entry's kind)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from genbib.cli.common import bib_path, echo, print_problems, state
from genbib.errors import ExitCode, GenbibError

if TYPE_CHECKING:
    from genbib.bibtex.writer import Order


@click.command("fmt")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option(
    "--check", is_flag=True, help="Change nothing; exit 1 and print a diff if not canonical."
)
@click.option(
    "--to-utf8",
    is_flag=True,
    help="Rewrite a file that is not UTF-8 (UTF-16, GBK, Latin-1...) as UTF-8.",
)
@click.option(
    "--canonical",
    is_flag=True,
    help="Also bring entries to their kind's canonical form (changes fields; shows the diff first).",
)
@click.option("--dry-run", is_flag=True, help="With --canonical: show the diff, change nothing.")
@click.option("--yes", "-y", is_flag=True, help="With --canonical: write without asking.")
@click.option("--diff", "show_diff", is_flag=True, help="Also print the diff of what is rewritten.")
def command(
    files: tuple[str, ...],
    check: bool,
    to_utf8: bool,
    canonical: bool,
    dry_run: bool,
    yes: bool,
    show_diff: bool,
) -> None:
    """Rewrite FILES (default: the configured bib) in canonical form.

    Nothing is lost: comments, @string, @preamble and blocks that do not parse are kept.
    Plain `fmt` changes only the layout, never a field's content. `--canonical` also
    gives each entry the form of its kind that natbib's and biblatex's styles all print
    with a venue (an arXiv preprint: @misc with howpublished = {arXiv preprint arXiv:ID},
    eprint, archiveprefix, primaryclass; see docs/guide/canonical.md), after showing
    the diff. A file that is not UTF-8 is read in its encoding (a byte-order mark, a
    declared or a detected one) and rewritten, as UTF-8, only with --to-utf8.

    \b
    Example:
      genbib fmt bib/genmodels.bib
      genbib fmt --check bib/genmodels.bib   # for CI and pre-commit
      genbib fmt --to-utf8 jabref-export.bib # a UTF-16 or Latin-1 file, once
      genbib fmt --canonical --dry-run       # the diff the canonical form would make
      genbib fmt --canonical --yes
      genbib fmt --diff                      # rewrite, and show what changed
    """
    from genbib.bibtex.store import format_file

    if dry_run and not canonical:
        raise GenbibError("--dry-run goes with --canonical", hint="plain fmt: use --check")
    # genbib.toml's entry order applies to any file formatted in the lab's tree, so
    # `genbib fmt bib/genmodels.bib` and `genbib fmt` never disagree.
    order = state().config().order
    paths = [bib_path(f) for f in files] or [bib_path(None)]
    if canonical:
        done = [_canonical(p, order, check=check or dry_run, yes=yes) for p in paths]
        if check and not all(done):
            raise SystemExit(ExitCode.FINDINGS)
        return
    not_canonical = False
    for path in paths:
        result = format_file(
            path, check=check, order=order, diff=check or show_diff, to_utf8=to_utf8
        )
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


def _canonical(path: Path, order: Order, *, check: bool, yes: bool) -> bool:
    """Show the canonical-form diff of `path`, then (unless `check`) write it; True when
    the file already was in that form."""
    from genbib.bibtex import normalize

    if not path.exists():
        raise GenbibError(f"{path}: no such file")
    plan = normalize.plan(path, order=order)
    if not plan.changes:
        echo(f"{path}: entries already in canonical form")
        return True
    click.echo(plan.diff, nl=False)
    summary = (
        f"{len(plan.changes)} change(s) in {plan.entries} entr{'y' if plan.entries == 1 else 'ies'}"
    )
    if check:
        echo(f"{path}: {summary} needed (run `genbib fmt --canonical {path}`)", err=True)
        return False
    if not yes:
        click.confirm(f"{path}: apply {summary}?", abort=True, err=True)
    normalize.apply(path, plan, order=order)
    echo(f"{path}: {summary}")
    return False
