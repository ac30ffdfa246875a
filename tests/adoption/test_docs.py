"""The documentation covers every command, option and configuration key."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import click

from genbib.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "gen_reference", ROOT / "tools" / "gen_reference.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_command_and_option_has_help_and_an_example() -> None:
    ctx = click.Context(cli, info_name="genbib")
    names = cli.list_commands(ctx)
    assert {"fmt", "check", "import", "dedupe", "enrich", "sync", "render", "init", "cite"} <= set(
        names
    )
    for name in names:
        cmd = cli.get_command(ctx, name)
        assert cmd is not None and cmd.help, name
        assert "Example" in cmd.help, f"{name}: --help has no example"
        for param in cmd.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.help, f"genbib {name} {param.opts[0]}: no help text"


def test_reference_is_current() -> None:
    reference = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    assert reference == _generator().render(), "run `python tools/gen_reference.py`"


def test_reference_names_every_option_and_key() -> None:
    reference = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    ctx = click.Context(cli, info_name="genbib")
    for name in cli.list_commands(ctx):
        cmd = cli.get_command(ctx, name)
        assert cmd is not None
        assert f"`genbib {name}`" in reference
        for param in cmd.params:
            if isinstance(param, click.Option):
                assert param.opts[-1] in reference, f"{name} {param.opts}"
    for key in (
        "bib",
        "keys.formula",
        "zotero.api_key_env",
        "render.citations",
        "topics[].aliases",
    ):
        assert f"`{key}`" in reference
