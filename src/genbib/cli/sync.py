"""`genbib sync`: the lab's whole pipeline, with the two-way Zotero sync at its heart."""

from __future__ import annotations

from typing import Any

import click

from genbib.cli.common import echo, emit_json, live_stderr, print_problems, state
from genbib.errors import ExitCode


@click.command("sync")
@click.option("--dry-run", is_flag=True, help="Print the plan for both sides; change nothing.")
@click.option("--no-pull", is_flag=True, help="Do not read Zotero's changes (push only).")
@click.option("--no-push", is_flag=True, help="Do not write to Zotero (pull only).")
@click.option(
    "--prefer", type=click.Choice(["local", "remote"]), default=None,
    help="Resolve conflicts (the same field changed on both sides) for the bib or for Zotero.",
)  # fmt: skip
@click.option(
    "--force-delete",
    is_flag=True,
    help="Allow deleting more than [zotero] max_delete_share at once.",
)
@click.option(
    "--online", is_flag=True, help="Let enrich query metadata sources (default: cache only)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--summary", type=click.Path(dir_okay=False), metavar="FILE",
    help="Also write the report as markdown to FILE (a pull request's body).",
)  # fmt: skip
def command(
    dry_run: bool, no_pull: bool, no_push: bool, prefer: str | None, force_delete: bool,
    online: bool, as_json: bool, summary: str | None,
) -> None:  # fmt: skip
    """Sync the bib with the lab's Zotero group, then dedupe, enrich and render.

    Edits on both sides are merged field by field; the same field changed on both sides is a
    conflict: the bib keeps its value, Zotero's is listed in bib/<name>.conflicts.json and
    the exit status is 3 until resolved (edit either side, or --prefer). Citation keys never
    change because of Zotero. The API key is read from the environment variable named in
    genbib.toml ([zotero] api_key_env, default ZOTERO_API_KEY) or the system keyring.

    \b
    Example:
      export ZOTERO_API_KEY=...          # never written anywhere by genbib
      genbib sync --dry-run              # what would change, on both sides
      genbib sync                        # pull, merge, dedupe, enrich, push, write, render
      genbib sync --prefer remote        # take Zotero's value for open conflicts
      genbib sync --summary sync.md      # and the report as markdown (the CI workflow's)
    """
    from genbib.sync.engine import Prefer
    from genbib.sync.session import Options
    from genbib.workflow.sync import sync

    config = state().config(required=True)
    options = Options(
        pull=not no_pull, push=not no_push, dry_run=dry_run,
        prefer=Prefer(prefer) if prefer else Prefer.NONE, force_delete=force_delete,
        max_delete_share=config.zotero.max_delete_share, key_formula=config.keys.formula,
    )  # fmt: skip
    with _Bars(enabled=not as_json and live_stderr()) as bars:
        report = sync(
            config, options, online=online, progress=bars.update if bars.enabled else None,
            notice=None if as_json else bars.notice,
        )  # fmt: skip
    if as_json:
        emit_json(report.as_dict())
    else:
        _print(report)
    problems = [p for s in report.stages for p in s.problems]
    if summary:
        from genbib.bibtex.io import atomic_write

        atomic_write(summary, summary_markdown(report.as_dict(), problems))
    if state().verbose and not as_json:
        print_problems(problems)
    if report.conflicts:
        raise SystemExit(ExitCode.CONFLICTS)
    if report.failed:
        raise SystemExit(ExitCode.REMOTE)


def _print(report: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(no_color=not state().color, highlight=False, soft_wrap=True)
    z = report.zotero
    if report.dry_run:
        echo(
            "Plan (dry run, nothing changed): "
            + (f"{len(report.changes)} change(s)" if report.changes else "nothing to change")
        )
        for c in report.changes:
            echo(f"  {c.format()}")
    elif state().verbose:
        for c in report.changes:
            echo(f"  {c.format()}")
    if z is not None:
        for key, c in z.conflicts:
            echo(f"conflict: {key}: {c.field}: bib {c.local!r} / Zotero {c.remote!r}", err=True)
        for p in z.problems:
            if p.severity.value != "info":
                echo(p.format(), err=True)
    if state().quiet:
        return
    table = Table(title="genbib sync" + (" (dry run)" if report.dry_run else ""))
    table.add_column("stage")
    table.add_column("changed", justify="right")
    table.add_column("summary")
    from rich.markup import escape

    for s in report.stages:  # summaries are plain text: "[zotero]" is not rich markup
        table.add_row(
            escape(s.stage),
            "-" if s.skipped else str(s.changed),
            escape(f"skipped: {s.skipped}" if s.skipped else s.summary),
        )
    console.print(table)
    local = [s.stage for s in report.stages if not s.skipped and s.stage != "zotero"]
    if z is None:
        echo(
            "no Zotero configured (set [zotero] library_id in genbib.toml): "
            f"ran the local stages: {', '.join(local)}"
        )
    counts = report.counts()
    if counts:
        verb = "would change" if report.dry_run else "changed"
        echo(f"{verb}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if z is not None:
        echo(f"Zotero requests: {report.requests}")


MAX_LINES = 200  # changes and findings listed in a summary; the rest are counted
SIDES = {"bib": "bib", "zotero": "Zotero", "latex": "LaTeX"}


def summary_markdown(report: dict[str, Any], problems: list[Any]) -> str:
    """The sync report as markdown: readable as a pull request's body (the workflow `init
    --ci github` writes). Titles and values come from Zotero items, so every piece of
    text goes through render's markdown escaping."""
    from genbib.render.escape import md

    dry = " (dry run)" if report.get("dry_run") else ""
    lines = [f"## genbib sync{dry}", "", "| stage | changed | summary |", "| --- | ---: | --- |"]
    for s in report.get("stages", []):
        changed = "-" if s.get("skipped") else str(s.get("changed", 0))
        text = f"skipped: {s['skipped']}" if s.get("skipped") else s.get("summary", "")
        lines.append(f"| {md(s.get('stage', ''))} | {changed} | {md(text)} |")
    counts = report.get("counts") or {}
    if counts:
        lines += ["", ", ".join(f"{md(k)}: {v}" for k, v in counts.items())]
    sections = [
        (
            "Changes",
            [
                f"- {SIDES.get(c['side'], md(c['side']))}: {md(c['action'])} "
                f"{md(c['target'])}" + (f" ({md(c['detail'])})" if c.get("detail") else "")
                for c in report.get("changes", [])
            ],
        ),
        (
            "Conflicts (the bib kept its value; edit either side, or sync --prefer)",
            [
                f"- {md(c['key'])} {md(c['field'])}: bib {md(c['bib'])}, Zotero {md(c['zotero'])}"
                for c in (report.get("zotero") or {}).get("conflicts", [])
            ],
        ),
        (
            "Findings",
            [f"- {md(p.format())}" for p in problems if p.severity.value != "info"],
        ),
    ]
    for title, items in sections:
        if items:
            lines += ["", f"### {title} ({len(items)})", "", *items[:MAX_LINES]]
            if len(items) > MAX_LINES:
                lines.append(f"- ... and {len(items) - MAX_LINES} more")
    zotero = report.get("zotero")
    if zotero:
        lines += ["", f"Zotero requests: {zotero.get('requests', 0)}"]
    return "\n".join(lines) + "\n"


class _Bars:
    """rich progress bars on stderr for transfers of more than one batch."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> _Bars:
        if self.enabled:
            from rich.console import Console
            from rich.progress import Progress

            self._progress = Progress(console=Console(stderr=True), transient=True)
            self._progress.start()
        return self

    def notice(self, text: str) -> None:
        """A line while waiting (a retry): above the bars on a terminal, else on stderr."""
        if self._progress is not None:
            self._progress.console.print(text, markup=False, highlight=False)
        else:
            echo(text, err=True)

    def update(self, label: str, done: int, total: int) -> None:
        if self._progress is None:
            return
        if label not in self._tasks:
            self._tasks[label] = self._progress.add_task(label, total=total)
        self._progress.update(self._tasks[label], completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
