"""The command line: a thin click layer over library functions.

Commands live one per module (`genbib.cli.<name>`, each exporting `command`) and are
imported only when invoked, so `genbib --help` stays fast. Library errors become one
clean message and a documented exit code; `-v` adds the traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

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
    "init": ("genbib.cli.init", "Scaffold genbib.toml, bib/ and pre-commit hooks in a directory."),
    "templates": ("genbib.cli.templates", "List the render templates, or copy one to override it."),
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
        """Turn genbib errors into one clean line and their exit code (traceback on -v)."""
        from genbib.errors import GenbibError

        try:
            return super().invoke(ctx)
        except GenbibError as exc:
            _report(exc, bool(getattr(ctx.obj, "verbose", 0)))
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
    from genbib.bibtex.io import on_wait
    from genbib.cli.common import State

    ctx.obj = State(config_path=config_path, verbose=verbose, quiet=quiet)
    on_wait(lambda message: click.echo(f"note: {message}", err=True))


def main(argv: list[str] | None = None) -> Any:
    """Entry point: run the CLI and turn every failure into one line and its exit code.

    The user's and the environment's failures (bad input, permissions, a full disk, no
    network, a lock) are `GenbibError`s, or OS and network errors caught here as a last
    resort; only what is left is a bug (exit 70). SIGTERM is raised like Ctrl-C so that
    locks and temp files are cleaned up on the way out.
    """
    from genbib.errors import ExitCode, GenbibError, Terminated

    restore = _raise_on_sigterm()
    verbose = _verbose(argv)
    try:
        return cli.main(args=argv, prog_name="genbib", standalone_mode=False)
    except click.exceptions.Abort as exc:
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, KeyboardInterrupt):
            _interrupted(isinstance(cause, Terminated))
        # A question not answered (stdin closed, or answered "no"): nothing was changed.
        why = "no answer (standard input is closed)" if isinstance(cause, EOFError) else "declined"
        if isinstance(cause, EOFError):
            click.echo("", err=True)  # end the unanswered prompt's line
        click.echo(
            f"error: {why}; nothing was changed; answer on a terminal, or pass --yes", err=True
        )
        sys.exit(int(ExitCode.FINDINGS))
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except GenbibError as exc:
        _report(exc, verbose)
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt as exc:
        _interrupted(isinstance(exc, Terminated))
    except Exception as exc:
        known = _environment(exc)
        if known is not None:
            _report(known, verbose)
            sys.exit(int(known.exit_code))
        if verbose or os.environ.get("GENBIB_DEBUG"):  # a bug: say so plainly
            raise
        click.echo(
            f"internal error: {type(exc).__name__}: {exc}; this is a bug in genbib: "
            "run again with -v for the traceback and report it",
            err=True,
        )
        sys.exit(int(ExitCode.INTERNAL))
    finally:
        restore()


def run() -> NoReturn:
    """The `genbib` program: `main`, then the process ends at once.

    Python's own exit frees every object the run left in module globals and caches, one
    by one, after a last garbage collection over all of them: 0.4 s after an import of
    14,000 rows into a 20,000-entry bib, time in which nothing is left to do. Every file
    genbib writes is complete and closed by then (atomic writes, locks released as their
    `with` blocks end) and genbib registers no exit handlers, so only the standard
    streams need flushing before `os._exit`. `main` stays callable in-process (tests).
    """
    try:
        code: object = main()
    except SystemExit as exc:
        code = exc.code
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # what `sys.exit("message")` does
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`genbib cite x | head -1`)
            pass
    os._exit(status)


def _report(exc: Any, verbose: bool) -> None:
    """One line: `error: FILE: what happened; what to do` (the traceback first on -v)."""
    if verbose:
        import traceback

        traceback.print_exc()
    line = f"error: {exc.message}"
    if exc.hint:
        line += f"; {exc.hint}"
    click.echo(line, err=True)


def _interrupted(terminated: bool) -> None:
    from genbib.errors import ExitCode

    signal_name = "terminated (SIGTERM)" if terminated else "interrupted"
    click.echo(
        f"\n{signal_name}: files are written whole or not at all; run the command again to finish",
        err=True,
    )
    sys.exit(int(ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED))


def _environment(exc: Exception) -> Any:
    """An OS or network error that escaped the library, as the `GenbibError` it is."""
    import errno

    from genbib.errors import FileError, RemoteError

    if isinstance(exc, OSError) and exc.errno in _ENVIRONMENT_ERRNOS:
        where = exc.filename or "a file"
        writing = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS)
        return FileError.from_os(exc, where, "write" if writing else "access")
    kind = type(exc)
    if kind.__module__.split(".")[0].startswith("httpx") and "Transport" in "".join(
        c.__name__ for c in kind.__mro__
    ):
        try:
            host = exc.request.url.host  # type: ignore[attr-defined]
        except Exception:  # no request attached
            host = "a remote service"
        return RemoteError(
            f"{host}: cannot connect ({exc or kind.__name__})",
            hint="check the network connection (and proxy settings), then run again",
        )
    return None


def _errnos() -> frozenset[int]:
    import errno

    names = ("EACCES", "EPERM", "ENOSPC", "EDQUOT", "EROFS", "ENOENT", "EISDIR", "ENOTDIR",
             "EIO", "EMFILE", "ENAMETOOLONG", "ELOOP", "EBUSY", "ETXTBSY")  # fmt: skip
    return frozenset(getattr(errno, n) for n in names if hasattr(errno, n))


_ENVIRONMENT_ERRNOS = _errnos()


def _raise_on_sigterm() -> Callable[[], None]:
    """SIGTERM (a CI timeout, `kill`) unwinds like Ctrl-C: locks released, temp files gone.

    Returns what puts the previous handler back (main() is also called in-process).
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.getsignal(signal.SIGTERM)
    if previous is not signal.SIG_DFL:
        return lambda: None

    def handler(signum: int, frame: object) -> None:
        from genbib.errors import Terminated

        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM kills outright
        raise Terminated()

    signal.signal(signal.SIGTERM, handler)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def _verbose(argv: list[str] | None) -> bool:
    args = sys.argv[1:] if argv is None else argv
    return any(a == "--verbose" or (a.startswith("-v") and set(a[1:]) == {"v"}) for a in args)
