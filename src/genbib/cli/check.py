"""`genbib check`: lint a .bib file and report findings with stable codes."""

from __future__ import annotations

import click

from genbib.cli.common import bib_path, echo, emit_json, state, styled
from genbib.errors import ExitCode


@click.command("check")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--strict", is_flag=True, help="Count warnings as errors.")
@click.option(
    "--cites",
    type=click.Path(exists=True, file_okay=False),
    help="A LaTeX project directory: an error where its .tex/.aux cite a key that does "
    "not resolve under the configured backend ([render] citations; natbib: ids do not count). "
    "Without it, the configured bib is checked against the files [latex] sources names.",
)
def command(files: tuple[str, ...], as_json: bool, strict: bool, cites: str | None) -> None:
    """Check FILES (default: the configured bib): parse problems, duplicate keys, missing
    fields, malformed identifiers and links, title markup, unsafe LaTeX, unknown topics.

    Each finding prints as `file:line: key: CODE message`; codes are stable. Exit status
    is 1 when there are errors (with --strict, also warnings), else 0.

    \b
    Example:
      genbib check bib/genmodels.bib
      genbib check --json --strict bib/genmodels.bib
      genbib check --cites paper/ bib/genmodels.bib

    With `[latex] sources` in genbib.toml, `genbib check` also checks the citations of
    those files against the configured bib (as --cites does for a folder).
    """
    from genbib.bibtex.check import check_file

    cfg = state().config()
    topics = [t.slug for t in cfg.topics] if cfg.source and cfg.topics else None
    paths = [bib_path(f) for f in files] or [bib_path(None)]
    backend = cfg.render.citations
    # The lab's own papers ([latex] sources) cite the configured bib: checked with it.
    sources = cfg.latex_sources() if cites is None and cfg.source else []
    own = cfg.bib_path.resolve()
    results = [
        check_file(
            p,
            topics=topics,
            cites=cites,
            backend=backend,
            strict_mode=strict,
            sources=sources if p.resolve() == own else (),
        )
        for p in paths
    ]
    if as_json:
        emit_json(results[0].as_dict() if len(results) == 1 else [r.as_dict() for r in results])
        paths = []
    for path, result in zip(paths, results, strict=False):
        for p in result.problems:
            colour = {"error": "red", "warning": "yellow"}.get(p.severity.value, "blue")
            click.echo(styled(p.format(), fg=colour), color=state().color)
        if result.problems:
            echo(
                f"{path}: {result.errors} error(s), {result.warnings} warning(s) "
                f"in {result.entries} entries",
                err=True,
            )
        else:
            echo(f"{path}: clean ({result.entries} entries)", err=True)
    if any(r.errors for r in results):
        raise SystemExit(ExitCode.FINDINGS)
