"""`genbib cite QUERY`."""

from __future__ import annotations

import click

from genbib.cli.common import bib_path, echo, emit_json, state


@click.command("cite")
@click.argument("query", nargs=-1, required=True)
@click.option("-n", "--limit", default=5, show_default=True, help="How many papers to list.")
@click.option("--bibtex", is_flag=True, help="Print the BibTeX entries of the papers found.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--file", type=click.Path(dir_okay=False), help="The .bib to search (default: configured)."
)
def command(
    query: tuple[str, ...], limit: int, bibtex: bool, as_json: bool, file: str | None
) -> None:
    """Find papers by title words, author, short name, key, arXiv id or DOI.

    Prints the best matches, then a ready citation of the first one in the configured
    backend's form (`[render] citations`): \\citep{...} for natbib (BibTeX),
    \\parencite{...} for biblatex (biber).

    \b
    Example:
      genbib cite denoising diffusion
      genbib cite DDPM --bibtex
      genbib cite 2006.11239
    """

    from genbib.lookup import open_for

    cfg = state().config()
    path = bib_path(file)
    hits = open_for(path, cfg).search(" ".join(query), limit=limit)
    if as_json:
        emit_json(
            [
                {
                    "key": h.entry.key,
                    "title": h.entry.title,
                    "year": h.entry.year,
                    "score": h.score,
                    "matched": h.why,
                }
                for h in hits
            ]
        )
    elif not hits:
        echo(f"no paper matches {' '.join(query)!r}", err=True)
    elif bibtex:
        from genbib.bibtex.writer import format_entry  # only here: not in a look-up's start-up

        for h in hits:
            click.echo(format_entry(h.entry) + "\n")
    else:
        for h in hits:
            year = h.entry.year or "n.d."
            click.echo(f"{h.entry.key:<32} {year}  {h.entry.title}  [{h.why} {h.score:g}]")
        command = "parencite" if cfg.render.citations == "biblatex" else "citep"
        click.echo(f"\\{command}{{{hits[0].entry.key}}}")
    if not hits:
        raise SystemExit(1)
