"""`genbib render`: the markdown lists and LaTeX related-work stubs from the canonical bib."""

from __future__ import annotations

from pathlib import Path

import click

from genbib.cli.common import echo, emit_json, print_problems, state
from genbib.errors import ExitCode


@click.command("render")
@click.option("--topic", metavar="SLUG", help="Render only this topic's list and stub.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "tex", "all"]),
    default=None,
    help="Which outputs (default: render.formats of the configuration, md and tex).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Write under DIR instead of the configuration's directory (DIR/lists, DIR/related-work).",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 naming the files that would change or be deleted.",
)
@click.option(
    "--dry-run", is_flag=True, help="Write nothing; list the files that would change or be deleted."
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable summary.")
def command(
    topic: str | None, fmt: str | None, out: str | None, check: bool, dry_run: bool, as_json: bool
) -> None:
    """Render per-topic markdown lists and LaTeX related-work stubs from the bib.

    Only files whose content changes are written, so a second run changes nothing.
    Templates come from the configured templates directory first, then genbib's own.
    Files of a topic no longer rendered are deleted if genbib wrote them and they are
    unchanged since (recorded in .genbib-render.json); any other file is kept.

    \b
    Example:
      genbib render                      # lists/*.md and related-work/*.tex
      genbib render --topic diffusion --format tex
      genbib render --check              # CI: exit 1 if any output is stale
      genbib render --dry-run            # would write ..., would delete lists/old.md
    """
    from genbib.bibtex.store import load
    from genbib.render import plan_lines, publish, render

    config = state().config(required=True)
    library = load(config.bib_path)
    formats = None if fmt is None else ("md", "tex") if fmt == "all" else (fmt,)
    rendering = render(
        library, config, topic=topic, formats=formats, out=Path(out) if out else None
    )
    if state().verbose or check:
        print_problems(list(rendering.problems))
    if check:
        plan = publish(rendering, dry_run=True)
        print_problems(plan.problems)
        if as_json:
            emit_json({
                "files": len(rendering.outputs),
                "differ": [str(p) for p in plan.changed],
                "stale": [str(p) for p in plan.deleted],
            })  # fmt: skip
        for p in plan.changed:
            click.echo(f"{p}: differs from the rendered output", err=True)
        for p in plan.deleted:
            click.echo(f"{p}: stale (no topic renders it any more)", err=True)
        if plan.changed or plan.deleted:
            echo("run `genbib render` to update them", err=True)
            raise SystemExit(ExitCode.FINDINGS)
        if not as_json:
            echo(f"{len(rendering.outputs)} files up to date")
        return
    published = publish(rendering, dry_run=dry_run)
    changed, deleted = published.changed, published.deleted
    if as_json:
        emit_json({
            "files": [str(o.path) for o in rendering.outputs],
            "changed": [str(p) for p in changed],
            "deleted": [str(p) for p in deleted],
            "kept": [{"path": str(s.path), "reason": s.reason} for s in published.kept],
            "dry_run": dry_run,
            "problems": [p.as_dict() for p in [*rendering.problems, *published.problems]],
        })  # fmt: skip
        return
    for line in plan_lines(published, dry_run=dry_run):
        echo(line)
    summary = (
        f"{len(rendering.topics)} topics, {len(rendering.outputs)} files: "
        f"{len(changed)} {'to update' if dry_run else 'updated'}, "
        f"{len(rendering.outputs) - len(changed)} unchanged"
    )
    if deleted:
        summary += f", {len(deleted)} {'to delete' if dry_run else 'deleted'}"
    if published.kept:
        summary += f", {len(published.kept)} stale kept"
    echo(summary)
