"""The command line: a thin click layer over library functions.

Commands live one per module (`genbib.cli.<name>`, each exporting `command`) and are
imported only when invoked, so `genbib --help` stays fast. Library errors become one
clean message and a documented exit code; `-v` adds the traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from genbib import __version__

# name -> (module, one-line help shown by `genbib --help` without importing the module)
COMMANDS: dict[str, tuple[str, str]] = {
    "fmt": ("genbib.cli.fmt", "Rewrite a .bib file in canonical form (--canonical: each kind's)."),
    "check": (
        "genbib.cli.check",
        "Lint a .bib file: parse problems, missing fields, unsafe LaTeX.",
    ),
    "rekey": ("genbib.cli.rekey", "Change a citation key; old one kept as alias, \\cites follow."),
    "import": ("genbib.cli.import_", "Import awesome lists, .bib, Zotero JSON or identifiers."),
    "dedupe": ("genbib.cli.dedupe", "Find and merge entries that are the same paper."),
    "enrich": ("genbib.cli.enrich", "Fill authors, venues and identifiers from metadata sources."),
    "add": ("genbib.cli.add", "Add papers by arXiv id, DOI, OpenReview or GitHub URL."),
    "sync": (
        "genbib.cli.sync",
        "Run the lab's pipeline: two-way Zotero sync, dedupe, enrich, render.",
    ),
    "render": (
        "genbib.cli.render",
        "Render per-topic markdown lists and LaTeX related-work stubs.",
    ),
    "init": ("genbib.cli.init", "Scaffold genbib.toml, bib/, templates and hooks in a directory."),
    "cite": ("genbib.cli.cite", "Find papers; print keys and the backend's \\citep/\\parencite."),
    "show": ("genbib.cli.show", "Print one entry with its links, topics and field sources."),
    "stats": ("genbib.cli.stats", "Counts by topic, year and venue, and what is missing."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, (mod, _) in COMMANDS.items() if _available(mod))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS or not _available(COMMANDS[cmd_name][0]):
            return None
        module = importlib.import_module(COMMANDS[cmd_name][0])
        cmd: click.Command = module.command
        return cmd

    def invoke(self, ctx: click.Context) -> Any:
        """Turn genbib errors into one clean message and their exit code (traceback on -v)."""
        from genbib.errors import GenbibError

        try:
            return super().invoke(ctx)
        except GenbibError as exc:
            obj = ctx.obj
            if getattr(obj, "verbose", 0):
                import traceback

                traceback.print_exc()
            click.echo(f"error: {exc.message}", err=True)
            if exc.hint:
                click.echo(f"hint: {exc.hint}", err=True)
            ctx.exit(int(exc.exit_code))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _available(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="genbib.toml to use (default: found by walking up from the working directory).",
)
@click.option("-v", "--verbose", count=True, help="More output; -v also shows tracebacks.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.version_option(__version__, prog_name="genbib")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: int, quiet: bool) -> None:
    """genbib keeps a lab's bibliography in one canonical BibTeX file.

    \b
    Example:
      genbib fmt --check bib/genmodels.bib
    """
    from genbib.cli.common import State

    ctx.obj = State(config_path=config_path, verbose=verbose, quiet=quiet)


def main(argv: list[str] | None = None) -> Any:
    """Entry point: run the CLI and turn genbib errors into messages and exit codes."""
    from genbib.errors import ExitCode, GenbibError

    try:
        return cli.main(args=argv, prog_name="genbib", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(int(ExitCode.INTERRUPTED))
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except GenbibError as exc:
        if _verbose(argv):
            import traceback

            traceback.print_exc()
        click.echo(f"error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"hint: {exc.hint}", err=True)
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt:
        sys.exit(int(ExitCode.INTERRUPTED))
    except Exception as exc:  # a bug: say so plainly, traceback on -v
        if _verbose(argv) or os.environ.get("GENBIB_DEBUG"):
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("hint: run again with -v for the traceback and report it", err=True)
        sys.exit(int(ExitCode.INTERNAL))


def _verbose(argv: list[str] | None) -> bool:
    args = sys.argv[1:] if argv is None else argv
    return any(a == "--verbose" or (a.startswith("-v") and set(a[1:]) == {"v"}) for a in args)
