"""`genbib show KEY`."""

from __future__ import annotations

import click

from genbib.cli.common import bib_path, emit_json, state


def _complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Keys (and aliases) of the bib, from its look-up index: instant on a big bib."""
    from pathlib import Path

    from genbib.cli.common import State
    from genbib.lookup import complete_keys

    obj = ctx.find_root().obj
    config = (obj if isinstance(obj, State) else State()).config()
    file = ctx.params.get("file")
    return complete_keys(Path(file) if file else config.bib_path, config, incomplete)


@click.command("show")
@click.argument("key", shell_complete=_complete)
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

    from genbib.errors import GenbibError
    from genbib.lookup import open_for
    from genbib.show import describe

    path = bib_path(file)
    hits = open_for(path, state().config()).exact(key)
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
