"""`genbib add`: add papers by identifier, complete from the metadata sources."""

from __future__ import annotations

import click

from genbib.cli.common import echo, emit_json, print_problems, state


@click.command("add")
@click.argument("idents", metavar="ID...", nargs=-1, required=True)
@click.option("--topic", metavar="SLUG", help="Put the new entries under this topic.")
@click.option(
    "--online/--offline",
    default=True,
    help="--offline resolves from the cache and from-bib files only.",
)
@click.option(
    "--revive",
    is_flag=True,
    help="Bring back a paper whose key was retired (deleted), under that key.",
)
@click.option("--dry-run", is_flag=True, help="Show the entries; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def command(
    idents: tuple[str, ...],
    topic: str | None,
    online: bool,
    revive: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Add papers by arXiv id or URL, DOI, OpenReview URL or the paper's GitHub repository.

    Each becomes a complete entry (authors, year, venue, identifiers, code and project
    links); a paper already in the bib is merged into its entry instead. A paper whose
    key was retired (it was deleted) is skipped with a finding, unless --revive.

    \b
    Example:
      genbib add 2006.11239 --topic diffusion
      genbib add https://openreview.net/forum?id=PxTIG12RRHS
      genbib add https://github.com/openai/consistency_models 10.1109/CVPR52688.2022.01042
    """
    from genbib.bibtex import store
    from genbib.bibtex.writer import format_entry
    from genbib.dedupe.admit import Admitter
    from genbib.dedupe.recognize import Recognizer
    from genbib.enrich import add as adding
    from genbib.enrich.run import Options, load_from_bib, make_fetcher
    from genbib.enrich.sources.frombib import BibIndex
    from genbib.errors import ConfigError

    cfg = state().config(required=True)
    if topic and cfg.topics and cfg.topic(topic) is None:
        raise ConfigError(
            f"unknown topic {topic!r}",
            hint=f"define it in {cfg.source or 'genbib.toml'} under [[topics]]",
        )
    index = BibIndex(load_from_bib(cfg, ()))
    before = store.load(cfg.bib_path, missing_ok=True)  # read only: retired ids, no lock
    results: list[adding.Added] = []
    known = Recognizer(before.entries) if before.retired and not revive else None
    with make_fetcher(cfg, Options(online=online)) as fetcher:  # closed, cache saved
        for ident in idents:
            skip = None if revive else adding.retired_seed(ident, before, known)
            results.append(
                skip
                or adding.resolve(
                    ident,
                    fetcher,
                    sources=cfg.enrich.sources,
                    index=index,
                    bases=cfg.enrich.base_urls.overrides(),
                )
            )
    with store.edit(cfg.bib_path, order=cfg.order, dry_run=dry_run) as lib:
        admitter = Admitter(lib, revive=revive)
        for added in results:
            if added.entry is not None:
                adding.add_to(
                    admitter,
                    added,
                    topic=topic,
                    formula=cfg.keys.formula,
                    sources=cfg.latex_sources(),
                )
    if as_json:
        emit_json(
            [
                {
                    "id": a.ident,
                    "key": a.key,
                    "merged_into": a.merged_into,
                    "retired": a.retired,
                    "revived": a.revived,
                    "problems": [p.as_dict() for p in a.problems],
                    "dry_run": dry_run,
                }
                for a in results
            ]
        )
        return
    for a in results:
        print_problems(a.problems)
        if a.retired:
            echo(f"{a.ident}: skipped: the paper of retired key {a.retired}")
        elif a.merged_into:
            echo(f"{a.ident}: already in the bib as {a.key}; merged")
        else:
            verb = "would add" if dry_run else "added"
            echo(f"{a.ident}: {verb} {a.key}" + (" (revived)" if a.revived else ""))
            if dry_run and a.entry is not None:
                echo(format_entry(a.entry))
