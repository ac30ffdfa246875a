"""Colour and progress are decided per stream, with real terminals (pseudo-terminals).

`genbib import x.md 2>err.txt` on a terminal: stdout may be coloured, err.txt must be
plain. NO_COLOR (non-empty), TERM=dumb and streams that are not terminals get plain text.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

LIST = "# List\n\n## Diffusion\n\n- Denoising Diffusion Probabilistic Models. [[paper]](https://arxiv.org/abs/2006.11239)\n"
ANSI = b"\x1b["


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    (tmp_path / "genbib.toml").write_text('[[topics]]\nslug = "vae"\ntitle = "VAEs"\n')
    (tmp_path / "bib").mkdir()
    (tmp_path / "bib" / "genmodels.bib").write_text("")
    (tmp_path / "x.md").write_text(LIST)
    return tmp_path


def run(
    args: list[str], cwd: Path, *, tty_out: bool, tty_err: bool, **env: str
) -> tuple[bytes, bytes]:
    """Run genbib with stdout and/or stderr on a pseudo-terminal, the others on files."""
    full = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    full.update({"TERM": "xterm-256color", **env})
    master, slave = pty.openpty()
    out_file, err_file = cwd / "out.txt", cwd / "err.txt"
    with out_file.open("wb") as out, err_file.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "genbib", *args],
            stdout=slave if tty_out else out,
            stderr=slave if tty_err else err,
            stdin=subprocess.DEVNULL,
            env=full,
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
        proc.wait(timeout=120)
        os.close(master)
    terminal = b"".join(chunks)
    files = out_file.read_bytes() + err_file.read_bytes()
    return terminal, files


def test_stderr_redirected_to_a_file_gets_no_colour(lab: Path) -> None:
    terminal, files = run(
        ["import", "x.md", "--dry-run", "--offline"], lab, tty_out=True, tty_err=False
    )
    assert b"x.md:5: I-new-topic" in files  # the finding went to the file...
    assert ANSI not in files  # ...as plain text, though stdout is a terminal
    assert b"would add" in terminal


def test_stderr_on_a_terminal_is_coloured_and_stdout_in_a_file_is_not(lab: Path) -> None:
    terminal, files = run(
        ["import", "x.md", "--dry-run", "--offline"], lab, tty_out=False, tty_err=True
    )
    assert b"x.md:5: I-new-topic" in terminal and ANSI in terminal
    assert b"would add" in files and ANSI not in files
    (lab / "bad.bib").write_text("@article{a, title={About GAN}}\n")
    terminal, files = run(["check", "bad.bib"], lab, tty_out=False, tty_err=True)
    assert b"E010-missing-field" in files and ANSI not in files


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_no_color_and_dumb_terminals_get_plain_text(lab: Path, env: dict[str, str]) -> None:
    terminal, _ = run(
        ["import", "x.md", "--dry-run", "--offline"], lab, tty_out=True, tty_err=True, **env
    )
    assert b"x.md:5: I-new-topic" in terminal and ANSI not in terminal


def test_an_empty_no_color_does_not_turn_colour_off(lab: Path) -> None:
    """no-color.org: NO_COLOR counts only when it is set to a non-empty value."""
    terminal, _ = run(
        ["import", "x.md", "--dry-run", "--offline"], lab, tty_out=True, tty_err=True, NO_COLOR=""
    )
    assert ANSI in terminal


def test_progress_only_on_a_live_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import click

    from genbib.cli import common

    class Tty:
        def __init__(self, tty: bool) -> None:
            self.tty = tty

        def isatty(self) -> bool:
            return self.tty

    ctx = click.Context(click.Command("x"), obj=common.State())
    with ctx:
        monkeypatch.setattr(sys, "stderr", Tty(True))
        monkeypatch.setenv("TERM", "xterm")
        assert common.live_stderr()
        monkeypatch.setenv("TERM", "dumb")
        assert not common.live_stderr()
        monkeypatch.setenv("TERM", "xterm")
        monkeypatch.setattr(sys, "stderr", Tty(False))
        assert not common.live_stderr()
