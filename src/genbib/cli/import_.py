"""`genbib import`: papers from lists, .bib, Zotero/CSL JSON or identifiers into the bib."""

from __future__ import annotations

import click

from genbib.cli.common import echo, emit_json, live_stderr, print_problems, state
from genbib.errors import ExitCode

FORMATS = ("markdown", "bib", "zotero", "csl", "ids")


@click.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--topic", metavar="SLUG", help="Add this topic to every imported paper.")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), help="Source format (default: detected)."
)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False),
    help="Also write the JSON report here.",
)
@click.option(
    "--offline", is_flag=True, help="Never use the network (identifier lists stay stubs)."
)
@click.option(
    "--update-only", is_flag=True, help="Only update papers already in the bib (a metadata source)."
)
@click.option(
    "--metadata",
    "metadata",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="A .bib used after the sources, update-only, before keys are given (repeatable).",
)
@click.option(
    "--revive",
    is_flag=True,
    help="Bring back papers whose key was retired (deleted), under that key.",
)
@click.option(
    "--file",
    "--bib",
    "bib_file",
    type=click.Path(dir_okay=False),
    help="Target bib (default: the configured one; --bib is the older spelling).",
)
def command(
    sources: tuple[str, ...],
    topic: str | None,
    fmt: str | None,
    dry_run: bool,
    as_json: bool,
    report_file: str | None,
    offline: bool,
    update_only: bool,
    metadata: tuple[str, ...],
    revive: bool,
    bib_file: str | None,
) -> None:
    """Merge the papers of SOURCE files into the bib through the dedupe engine.

    Awesome-list markdown (tables, bullet lists, title blocks), .bib, Zotero item JSON,
    CSL-JSON and identifier lists (arXiv/DOI/OpenReview, one per line). A paper already
    in the bib gains the new links, topics and notes; it is never added twice. Findings
    (repaired mojibake, placeholder summaries, wrong links, conflicting venues, rows that
    are not papers) are printed as `source:line` lines. A paper whose key was retired
    (it was deleted) is skipped with a finding unless --revive. A run is all-or-nothing and
    running it again changes nothing. Exit 0 when done, 4 when a source is unreadable.

    \b
    Example:
      genbib import sources/*.md --dry-run
      genbib import sources/* --metadata bib/seed-metadata.bib
      genbib import other-lab.bib --update-only --json
    """
    from pathlib import Path

    from genbib.bibtex.io import atomic_write
    from genbib.bibtex.store import edit
    from genbib.importers import expand, import_sources

    st = state()
    config = st.config(required=bib_file is None)
    path = Path(bib_file) if bib_file else config.bib_path
    found = expand(sources)
    paths = [p for p, _ in found]
    bar = _Bar(verbose=bool(st.verbose), quiet=st.quiet or as_json, live=live_stderr())
    if topic and config.topics and config.topic(topic) is None:
        echo(f"note: topic {topic!r} is not configured in genbib.toml; it will be new", err=True)
    with edit(path, order=config.order, dry_run=dry_run) as library:
        report = import_sources(
            library,
            paths,
            config,
            topic=topic,
            fmt=fmt,
            update_only=update_only,
            metadata=metadata,
            offline=offline,
            dry_run=dry_run,
            progress=bar,
            optional=[p for p, in_folder in found if in_folder],
            revive=revive,
        )
    bar.done()
    data = report.as_dict()
    if report_file:
        import json

        atomic_write(report_file, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    if as_json:
        emit_json(data)
    else:
        if not st.quiet:
            print_problems(
                report.skipped_files + report.problems + (report.skipped if st.verbose else [])
            )
        if dry_run and report.added:
            echo("would add: " + ", ".join(report.added))
        if dry_run and report.merged:
            echo("would update: " + ", ".join(report.merged))
        echo(("dry run: " if dry_run else "") + report.summary() + f" -> {path}")
    if report.errors:
        raise SystemExit(ExitCode.FINDINGS)


class _Bar:
    """Progress on stderr while a long import works: a bar redrawn in place on a
    terminal (at most ten times a second), nothing otherwise; `-v` names each file.
    Lines are cleared by padding with spaces, not escape codes, so a terminal with
    NO_COLOR gets plain text."""

    WIDTH = 24

    def __init__(self, *, verbose: bool, quiet: bool, live: bool) -> None:
        self.live = not quiet and live
        self.verbose = verbose and not quiet
        self.last = 0.0
        self.drawn = False
        self.width = 0  # of the line drawn last, to blank it out

    def _draw(self, line: str) -> None:
        click.echo("\r" + line.ljust(self.width), nl=False, err=True)
        self.width = len(line)

    def __call__(self, what: str, done: int, total: int) -> None:
        import time

        if self.verbose and what.startswith("reading "):
            self.done()
            echo(what, err=True)
        if not self.live:
            return
        now = time.monotonic()
        if now - self.last < 0.1 and 0 < done < total:
            return
        self.last = now
        label = what if len(what) <= 40 else "..." + what[-37:]
        if total < 2:  # one file being read: say which, there is nothing to count
            self._draw(f"import: {label}")
        else:
            filled = self.WIDTH * done // total
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            self._draw(f"import: [{bar}] {done}/{total} {label}")
        self.drawn = True

    def done(self) -> None:
        if self.drawn:
            self._draw("")
            click.echo("\r", nl=False, err=True)
            self.drawn = False
