"""`genbib stats`."""

from __future__ import annotations

import click

from genbib.cli.common import bib_path, emit_json, state


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--file", type=click.Path(dir_okay=False), help="The .bib to count (default: configured)."
)
def command(as_json: bool, file: str | None) -> None:
    """Counts by topic, year and venue, and which papers miss what.

    \b
    Example:
      genbib stats
      genbib stats --json | jq .missing.code
    """

    from genbib.lookup import open_for

    path = bib_path(file)
    s = open_for(path, state().config()).stats()
    if as_json:
        emit_json(s.as_dict())
        return
    click.echo(f"{s.papers} papers in {path}")
    for title, counter in (("topic", s.by_topic), ("year", s.by_year), ("venue", s.by_venue)):
        click.echo(f"\nby {title}:")
        items = sorted(counter.items()) if title != "venue" else counter.most_common()
        for name, count in items:
            click.echo(f"  {name:<40} {count:>5}")
    click.echo("\nmissing:")
    for name, keys in s.missing.items():
        shown = ", ".join(keys[:6]) + (", ..." if len(keys) > 6 else "")
        click.echo(f"  {name:<12} {len(keys):>5}  {shown}")
