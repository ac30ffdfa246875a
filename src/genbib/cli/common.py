"""What every command shares: the run's state, configuration loading, output helpers.

Output goes through these helpers so that `--json`, `-q` and `NO_COLOR` behave the same
in every command. Colour and progress are decided per stream: `genbib import x.md
2>err.txt` on a terminal colours stdout and writes plain text to err.txt. `NO_COLOR`
(non-empty), `TERM=dumb` and a stream that is not a terminal get plain text.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import click

from genbib.config import CONFIG_NAME, Config, find_config, load
from genbib.errors import ConfigError
from genbib.model.problems import Problem


@dataclass
class State:
    config_path: str | None = None
    verbose: int = 0
    quiet: bool = False
    _config: Config | None = field(default=None, repr=False)

    def config(self, *, required: bool = False) -> Config:
        """genbib.toml; `required` when the command needs the lab's (no FILE was given)."""
        if required and self.config_path is None and find_config() is None:
            raise ConfigError(
                f"no {CONFIG_NAME} here ({Path.cwd()} or a folder above it)",
                hint="run `genbib init` to start one, pass --config FILE, or name the .bib file",
            )
        if self._config is None:
            self._config = load(self.config_path, required=required)
        return self._config

    @cached_property
    def color(self) -> bool:
        """Colour on stdout."""
        return wants_color(sys.stdout)

    @cached_property
    def err_color(self) -> bool:
        """Colour on stderr (decided apart from stdout: either may be redirected)."""
        return wants_color(sys.stderr)


def wants_color(stream: Any) -> bool:
    """Colour only for a terminal, unless NO_COLOR is set (non-empty) or TERM is dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or not a real stream
        return False


def live_stderr() -> bool:
    """Whether stderr may show progress bars and tickers (a real terminal, not -q)."""
    return (
        not state().quiet
        and os.environ.get("TERM") != "dumb"
        and getattr(sys.stderr, "isatty", lambda: False)()
    )


def state() -> State:
    ctx = click.get_current_context()
    obj = ctx.find_root().obj
    return obj if isinstance(obj, State) else State()


def bib_path(file: str | None) -> Path:
    """The FILE argument if given, else the configured canonical bib (needs genbib.toml)."""
    return Path(file) if file else state().config(required=True).bib_path


def echo(message: str = "", *, err: bool = False) -> None:
    if state().quiet and not err:
        return
    st = state()
    click.echo(message, err=err, color=st.err_color if err else st.color)


def styled(text: str, **style: Any) -> str:
    """Styled text; `echo` strips the style again on a stream that gets no colour."""
    st = state()
    return click.style(text, **style) if st.color or st.err_color else text


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False))


def print_problems(problems: list[Problem]) -> None:
    for p in problems:
        colour = {"error": "red", "warning": "yellow"}.get(p.severity.value, "blue")
        click.echo(styled(p.format(), fg=colour), err=True, color=state().err_color)


def progress(iterable: Any, *, label: str, length: int | None = None) -> Any:
    """A progress bar on stderr for long work; silent when quiet or not a terminal."""
    if not live_stderr():
        return _NullBar(iterable)
    return click.progressbar(iterable, label=label, length=length, file=sys.stderr)


class _NullBar:
    def __init__(self, iterable: Any) -> None:
        self._it = iterable

    def __enter__(self) -> Any:
        return self._it

    def __exit__(self, *exc: object) -> None:
        return None
