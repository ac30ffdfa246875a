"""The command line as users meet it: version, help, messages, exit codes, colour."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from genbib import __version__
from genbib.cli import COMMANDS, _available, cli
from genbib.errors import ExitCode

Run = Callable[..., Any]


def test_version(genbib: Callable[..., Any]) -> None:
    r = genbib("--version")
    assert r.code == 0 and r.out.strip() == f"genbib, version {__version__}"


def test_group_help_lists_commands_with_example(genbib: Callable[..., Any]) -> None:
    r = genbib("--help")
    assert r.code == 0
    assert "Example" in r.out and "fmt" in r.out and "check" in r.out


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_help_has_an_example(genbib: Callable[..., Any], name: str) -> None:
    if not _available(COMMANDS[name][0]):
        pytest.skip(f"{name} is not built yet")
    r = genbib(name, "--help")
    assert r.code == 0, r.err
    assert "Example" in r.out


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys\n"
        "from genbib.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = {'pybtex', 'rich', 'jinja2', 'httpx2', 'pyzotero', 'rapidfuzz', 'ftfy',"
        " 'markdown_it', 'latexcodec'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_usage_error_exit_code(genbib: Callable[..., Any]) -> None:
    r = genbib("fmt", "--no-such-option")
    assert r.code == ExitCode.USAGE
    assert "No such option" in r.err
    assert genbib("no-such-command").code == ExitCode.USAGE


def test_library_error_is_one_clean_line_and_traceback_with_v(
    genbib: Callable[..., Any], tmp_path: Path
) -> None:
    bib = tmp_path / "x.bib"
    bib.write_text("@misc{a, title={x}}\n")
    r = genbib("rekey", "--file", str(bib), "missing", "new")
    assert r.code == ExitCode.INPUT
    assert r.err == "error: no entry with key 'missing'\n"
    r = genbib("-v", "rekey", "--file", str(bib), "missing", "new")
    assert r.code == ExitCode.INPUT
    assert "Traceback" in r.err and "error: no entry with key 'missing'" in r.err


def test_unreadable_file_and_bad_config_exit_4(genbib: Callable[..., Any], tmp_path: Path) -> None:
    r = genbib("check", str(tmp_path / "missing.bib"))
    assert r.code == ExitCode.INPUT and "cannot read" in r.err
    bad = tmp_path / "bad.toml"
    bad.write_text("bibb = 1\n")
    r = genbib("--config", str(bad), "check", str(tmp_path / "x.bib"))
    assert r.code == ExitCode.INPUT
    assert f"error: {bad}: unknown key 'bibb'" in r.err


def test_internal_errors_say_so(
    genbib: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import genbib.bibtex.store as store

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(store, "format_file", boom)
    monkeypatch.delenv("GENBIB_DEBUG", raising=False)
    r = genbib("fmt", str(tmp_path / "x.bib"))
    assert r.code == ExitCode.INTERNAL
    assert "internal error: RuntimeError: kaboom" in r.err
    assert "Traceback" not in r.err


def _tty_output(args: list[str], env: dict[str, str], cwd: Path) -> bytes:
    """Run genbib with stdout on a pseudo-terminal (colour is only for terminals)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "genbib", *args],
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=cwd,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    return b"".join(chunks)


def test_no_color(tmp_path: Path) -> None:
    bib = tmp_path / "x.bib"
    bib.write_text("@article{a, title={About GAN}}\n")
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    coloured = _tty_output(["check", str(bib)], env, tmp_path)
    assert b"\x1b[" in coloured and b"E010-missing-field" in coloured
    plain = _tty_output(["check", str(bib)], {**env, "NO_COLOR": "1"}, tmp_path)
    assert b"\x1b[" not in plain and b"E010-missing-field" in plain


def test_quiet_silences_summaries(genbib: Callable[..., Any], tmp_path: Path) -> None:
    bib = tmp_path / "x.bib"
    bib.write_text("@misc{a, title={x}}\n")
    assert genbib("fmt", str(bib)).err == ""
    r = genbib("-q", "fmt", str(bib))
    assert r.code == 0 and r.out == "" and r.err == ""


def test_group_is_the_console_script() -> None:
    assert cli.name == "cli" or cli.name == "genbib"


def test_the_program_ends_with_mains_exit_code_and_all_its_output(tmp_path: Path) -> None:
    """`python -m genbib` (and the console script) end through `genbib.cli.run`, which
    skips Python's exit with `os._exit`: what was printed must still arrive whole, and
    the process's exit code must be the one `main` gave."""
    env = {**os.environ, "NO_COLOR": "1"}
    ok = subprocess.run(
        [sys.executable, "-m", "genbib", "--help"], capture_output=True, text=True, env=env
    )
    assert ok.returncode == 0
    for name in COMMANDS:
        assert f"  {name} " in ok.stdout  # the whole help, to its last line
    bad = subprocess.run(
        [sys.executable, "-m", "genbib", "import", str(tmp_path / "missing.md")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad.returncode == ExitCode.USAGE and "does not exist" in bad.stderr
    bib = tmp_path / "lab.bib"
    bib.write_text("@misc{ho2020denoising,\n  title = {Denoising Diffusion},\n}\n")
    missing = subprocess.run(
        [sys.executable, "-m", "genbib", "show", "nosuchkey", "--file", str(bib)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert missing.returncode == ExitCode.INPUT and "nosuchkey" in missing.stderr
