"""`genbib show KEY`."""

from __future__ import annotations

import click

from genbib.cli.common import bib_path, emit_json


@click.command("show")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--file", type=click.Path(dir_okay=False), help="The .bib to read (default: configured)."
)
def command(key: str, as_json: bool, file: str | None) -> None:
    """Print one entry with its links, topics and where each field came from.

    KEY may also be a former key (alias), an arXiv id or a DOI.

    \b
    Example:
      genbib show ho2020denoising
    """

    from genbib.bibtex.store import load
    from genbib.errors import GenbibError
    from genbib.find import Finder
    from genbib.show import describe

    path = bib_path(file)
    hits = Finder(load(path))._exact(key)
    if not hits:
        raise GenbibError(f"no entry {key!r} in {path}", hint=f"try `genbib cite {key}`")
    info = describe(hits[0].entry)
    if as_json:
        emit_json(info)
        return
    click.echo(f"{info['key']}  (@{info['type']}, {path}:{info['line']})")
    for name, value in info["fields"].items():
        source = info["sources"].get(name)
        click.echo(f"  {name:<14} {value}" + (f"   [from {source}]" if source else ""))
    if info["topics"]:
        click.echo(f"  topics: {', '.join(info['topics'])}")
    for link in info["links"]:
        click.echo(f"  {link['kind']:<8} {link['url']}")
