"""`genbib enrich`: fill missing metadata from sources, or explain where fields came from."""

from __future__ import annotations

import click

from genbib.cli.common import echo, emit_json, live_stderr, print_problems, state, styled
from genbib.errors import ExitCode


@click.command("enrich")
@click.argument("keys", nargs=-1)
@click.option(
    "--source",
    "sources",
    metavar="NAME,...",
    help="Only these sources (arxiv, crossref, dblp, openalex, huggingface, github).",
)
@click.option(
    "--online/--offline",
    default=True,
    help="--offline never opens a connection: only from-bib files and the cache.",
)
@click.option(
    "--from-bib",
    "from_bib",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="A local .bib file used as a metadata source (repeatable).",
)
@click.option("--refresh", is_flag=True, help="Ask the sources again even if the cache is fresh.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing to the bib.")
@click.option("--json", "as_json", is_flag=True, help="Print changes and findings as JSON.")
@click.option("--explain", metavar="KEY", help="Show where each field of KEY came from, and exit.")
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False),
    help="The bib to enrich (default: the configured one).",
)
def command(
    keys: tuple[str, ...],
    sources: str | None,
    online: bool,
    from_bib: tuple[str, ...],
    refresh: bool,
    dry_run: bool,
    as_json: bool,
    explain: str | None,
    file: str | None,
) -> None:
    """Fill authors, year, venue, identifiers and code/project links of KEYS (default:
    every entry) from metadata sources. A source's answer is used only when its title,
    authors and year agree with the entry; otherwise it is reported. Every filled field
    records its source in the entry's `fieldsources`.

    Exit status: 0, 1 when a finding is an error, 5 when a source could not be reached.

    \b
    Example:
      genbib enrich --offline --from-bib bib/seed-metadata.bib
      genbib enrich ho2020denoising --source arxiv,dblp --dry-run
      genbib enrich --explain ho2020denoising
    """
    from pathlib import Path

    from genbib.bibtex import store
    from genbib.enrich import Options, enrich_library
    from genbib.enrich import explain as explain_entry

    cfg = state().config(required=file is None)
    path = Path(file) if file else cfg.bib_path
    if explain:
        lib = store.load(path)
        entry = lib.by_key().get(explain)
        if entry is None:
            from genbib.errors import InputError

            raise InputError(f"{path}: no entry with key {explain!r}")
        rows = explain_entry(entry)
        if as_json:
            emit_json([{"field": f, "source": s, "value": v} for f, s, v in rows])
            return
        width = max(len(f) for f, _, _ in rows)
        for f, s, v in rows:
            short = v if len(v) <= 70 else v[:67] + "..."
            click.echo(f"{f:<{width}}  {styled(s, fg='cyan'):<20}  {short}", color=state().color)
        return
    names = tuple(s.strip() for s in sources.split(",") if s.strip()) if sources else None
    ticker = _Ticker()
    with store.edit(path, order=cfg.order, dry_run=dry_run) as lib:
        result = enrich_library(
            lib,
            cfg,
            Options(
                sources=names,
                online=online,
                refresh=refresh,
                from_bib=from_bib,
                keys=keys,
                progress=ticker if ticker.live else None,
            ),
        )
    ticker.done()
    if as_json:
        data = result.as_dict()
        data["dry_run"] = dry_run
        emit_json(data)
    else:
        for c in result.changes:
            echo(f"{c.key}: {c.field} <- {c.new[:80]!r} ({c.source})")
        print_problems(result.problems)
        if result.unresolved:
            echo(
                f"not resolved offline ({len(result.unresolved)} lookup(s) not in the cache):",
                err=True,
            )
            for key, src, req in result.unresolved:
                echo(f"  {key}: {src} {req}", err=True)
        verb = "would fill" if dry_run else "filled"
        echo(
            f"{path}: {verb} {len(result.changes)} field(s) in {len(result.changed_keys)} "
            f"entries; {len(result.problems)} finding(s)",
            err=True,
        )
    if any(p.severity.value == "error" for p in result.problems):
        raise SystemExit(ExitCode.FINDINGS)
    unavailable = [p for p in result.problems if p.code == "enrich-unavailable"]
    if unavailable:
        from genbib.errors import RemoteError

        hosts = sorted({_host(p.message) for p in unavailable})
        refused = all("cannot connect" in p.message for p in unavailable)
        what = "cannot connect" if refused else "not reachable or failing"
        raise RemoteError(
            f"{', '.join(hosts)}: {what}; {len(unavailable)} lookup(s) skipped",
            hint="check the network connection (and proxy settings), then run again "
            "(what the other sources gave was kept)",
        )


def _host(message: str) -> str:
    """The host of the URL in a finding ("arxiv: cannot connect: ... (https://host/...)")."""
    import re

    m = re.search(r"https?://([^/\s)]+)", message)
    return m.group(1) if m else message.split(":")[0]


class _Ticker:
    """A one-line request counter on stderr while sources answer (terminals only)."""

    def __init__(self) -> None:

        self.live = live_stderr()
        self.count = 0

    def __call__(self, n: int) -> None:
        self.count += n
        click.echo(f"\renrich: {self.count} lookup(s) answered", nl=False, err=True)

    def done(self) -> None:
        if self.live and self.count:
            click.echo("", err=True)
