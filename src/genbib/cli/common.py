"""What every command shares: the run's state, configuration loading, output helpers.

Output goes through these helpers so that `--json`, `-q` and `NO_COLOR` behave the same
in every command.
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

from genbib.config import Config, load
from genbib.model.problems import Problem


@dataclass
class State:
    config_path: str | None = None
    verbose: int = 0
    quiet: bool = False
    _config: Config | None = field(default=None, repr=False)

    def config(self, *, required: bool = False) -> Config:
        if self._config is None:
            self._config = load(self.config_path, required=required)
        return self._config

    @cached_property
    def color(self) -> bool:
        return "NO_COLOR" not in os.environ and sys.stdout.isatty()


def state() -> State:
    ctx = click.get_current_context()
    obj = ctx.find_root().obj
    return obj if isinstance(obj, State) else State()


def bib_path(file: str | None) -> Path:
    """The FILE argument if given, else the configured canonical bib."""
    return Path(file) if file else state().config().bib_path


def echo(message: str = "", *, err: bool = False) -> None:
    if state().quiet and not err:
        return
    click.echo(message, err=err, color=state().color)


def styled(text: str, **style: Any) -> str:
    return click.style(text, **style) if state().color else text


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False))


def print_problems(problems: list[Problem]) -> None:
    for p in problems:
        colour = {"error": "red", "warning": "yellow"}.get(p.severity.value, "blue")
        click.echo(styled(p.format(), fg=colour), err=True, color=state().color)


def progress(iterable: Any, *, label: str, length: int | None = None) -> Any:
    """A progress bar on stderr for long work; silent when quiet or not a terminal."""
    if state().quiet or not sys.stderr.isatty():
        return _NullBar(iterable)
    return click.progressbar(iterable, label=label, length=length, file=sys.stderr)


class _NullBar:
    def __init__(self, iterable: Any) -> None:
        self._it = iterable

    def __enter__(self) -> Any:
        return self._it

    def __exit__(self, *exc: object) -> None:
        return None
