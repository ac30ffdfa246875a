"""`genbib dedupe`: show each group of duplicates with its evidence, then merge."""

from __future__ import annotations

from typing import Any

import click

from genbib.cli.common import bib_path, echo, emit_json, print_problems, progress, state, styled
from genbib.errors import ExitCode, GenbibError


@click.command("dedupe")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--dry-run", is_flag=True, help="Show the groups and what a merge would drop; change nothing."
)
@click.option("--json", "as_json", is_flag=True, help="Print the plan (and what was done) as JSON.")
@click.option("--yes", "-y", is_flag=True, help="Merge without asking.")
@click.option(
    "--keep", "keep", metavar="KEY", multiple=True,
    help="Keep KEY for its group (repeatable); the others become its aliases.",
)  # fmt: skip
@click.option(
    "--cites", "cites_dir", type=click.Path(file_okay=False, exists=True),
    help="Also rewrite \\cite commands of merged-away keys in the .tex files under DIR "
    "(the configured [latex] sources are always rewritten).",
)  # fmt: skip
def command(
    file: str | None,
    dry_run: bool,
    as_json: bool,
    yes: bool,
    keep: tuple[str, ...],
    cites_dir: str | None,
) -> None:
    """Find entries of FILE (default: the configured bib) that are the same paper and merge them.

    Each group is shown with its evidence ("same arXiv id 2006.11239", "same title +
    3/3 authors + year") and every value the merge would not keep. The key given with
    --keep survives its group; otherwise a final key over a provisional one (keystatus),
    then the oldest key. Merged-away keys go to its `ids` field, so old citations still
    resolve under biber. Exit status: 0 when nothing is left to merge, 1 when groups remain
    (--dry-run, or the merge was declined).

    \b
    Example:
      genbib dedupe --dry-run
      genbib dedupe bib/genmodels.bib --yes --cites paper/
      genbib dedupe --keep ho2020denoising --yes
    """
    from genbib.bibtex.store import edit, load
    from genbib.dedupe import apply, plan

    path = bib_path(file)
    order = state().config().order if file is None else "key"
    if not path.exists():
        raise GenbibError(f"{path}: no such file")
    lib = load(path)
    _check_keep(lib, keep)
    with progress(None, label="Matching", length=2 * len(lib)) as bar:
        p = plan(
            lib.entries,
            existing=[e.key for e in lib],
            keep=keep,
            progress=bar.update if bar else None,
        )
    stray = [k for k in keep if not any(k in g.keys for g in p.groups)]
    if not as_json:
        _show(p)
    applied = False
    merge_problems: list[Any] = []
    if p.groups and not dry_run:
        if not yes:
            if as_json:
                raise GenbibError("--json needs --yes or --dry-run (it cannot ask)")
            click.confirm(
                f"Merge {p.merged_away} entr{'y' if p.merged_away == 1 else 'ies'}?",
                abort=True,
                err=True,
            )
        with edit(path, order=order) as live:
            again = plan(live.entries, existing=[e.key for e in live], keep=keep)
            if [g.keys for g in again.groups] != [g.keys for g in p.groups]:
                raise GenbibError(
                    f"{path} changed while you were deciding", hint="run genbib dedupe again"
                )
            merge_problems = apply(live, again)
            merge_problems.extend(_settle_keys(live, again, keep))
            lib = live
        applied = True
    from genbib.cli.rekey import follow  # BibTeX has no aliases: the sources follow the keys

    dirs = (cites_dir,) if cites_dir else ()
    rewrites = follow(_planned(p), dirs, dry_run=not applied, quiet=as_json) if p.groups else []
    cites = _cites(cites_dir, lib, p) if cites_dir else []
    for k in stray:
        echo(f"--keep {k}: not in any group of duplicates; nothing to keep", err=True)
    if as_json:
        data = p.as_dict()
        data.update(
            file=str(path), applied=applied, merged=p.merged_away if applied else 0,
            cites=[c.as_dict() for c in cites], rewritten=[c.describe() for c in rewrites],
        )  # fmt: skip
        emit_json(data)
    else:
        print_problems(cites)
        if applied:
            echo(f"{path}: merged {p.merged_away} entr{'y' if p.merged_away == 1 else 'ies'} "
                 f"into {len(p.groups)}; old keys kept in ids")  # fmt: skip
            if state().verbose:
                print_problems(merge_problems)
        elif not p.groups:
            echo(f"{path}: no duplicates")
    if p.groups and not applied:
        raise SystemExit(ExitCode.FINDINGS)


def _check_keep(lib: Any, keep: tuple[str, ...]) -> None:
    known = lib.keys_in_use()
    missing = [k for k in keep if k not in known]
    if missing:
        raise GenbibError(
            f"--keep: no entry has the key {', '.join(map(repr, missing))}",
            hint="give the citation key (or a former key in ids) of an entry of the bib",
        )


def _settle_keys(lib: Any, p: Any, keep: tuple[str, ...]) -> list[Any]:
    """A key kept on request is final; a provisional survivor that the merge completed
    gets its final key (`genbib.bibtex.rekey.upgrade_keys`)."""
    from genbib.bibtex.keys import mark_provisional
    from genbib.bibtex.rekey import upgrade_keys

    wanted = set(keep)
    for g in p.groups:
        if wanted & {g.survivor.key, *g.survivor.aliases}:
            mark_provisional(g.survivor, False)
    config = state().config()
    return upgrade_keys(lib, config.keys.formula, config.latex_sources())


def _show(p: Any) -> None:
    for n, g in enumerate(p.groups, 1):
        echo(styled(f"[{n}] {g.survivor.key}", bold=True) + f"  {g.survivor.title}")
        for other in g.others:
            echo(f"    + {other.key or '(no key)'}  {other.title}")
        for link in g.links:
            echo(f"      {link.a} = {link.b}: {link.text}")
        for prob in g.problems:
            mark = "!" if prob.severity.value == "warning" else "~"
            echo(styled(f"      {mark} {prob.message}", fg="yellow" if mark == "!" else None))
    print_problems(list(p.problems))
    if p.groups:
        echo(
            f"{len(p.groups)} group(s): {p.merged_away} entr{'y' if p.merged_away == 1 else 'ies'} to merge"
        )


def _cites(directory: str, lib: Any, p: Any) -> list[Any]:
    from genbib.bibtex.check import cited_aliases
    from genbib.bibtex.citations import scan_citations

    return cited_aliases(lib, scan_citations(directory), _planned(p))


def _planned(p: Any) -> dict[str, str]:
    """Merged-away key -> surviving key, for each group of the plan."""
    return {
        other.key: g.survivor.key
        for g in p.groups
        for other in g.others
        if other.key and other.key != g.survivor.key
    }
