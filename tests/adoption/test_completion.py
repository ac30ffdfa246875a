"""Shell completion (click's) works for bash, zsh and fish, as documented."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GENBIB = str(Path(sys.executable).parent / "genbib")


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "_genbib_completion"),
        ("zsh", "#compdef genbib"),
        ("fish", "function _genbib_completion"),
    ],
)
def test_completion_script(shell: str, marker: str) -> None:
    env = {**os.environ, "_GENBIB_COMPLETE": f"{shell}_source"}
    out = subprocess.run([GENBIB], env=env, capture_output=True, text=True, check=True).stdout
    assert marker in out


def test_bash_completes_subcommands() -> None:
    env = {
        **os.environ,
        "_GENBIB_COMPLETE": "bash_complete",
        "COMP_WORDS": "genbib fm",
        "COMP_CWORD": "1",
    }
    out = subprocess.run([GENBIB], env=env, capture_output=True, text=True, check=True).stdout
    assert "plain,fmt" in out.splitlines()


def test_bash_completes_citation_keys_of_show(tmp_path: Path) -> None:
    (tmp_path / "genbib.toml").write_text('bib = "x.bib"\n')
    (tmp_path / "x.bib").write_text(
        "@misc{ho2020denoising,\n  title = {A},\n  ids = {ho2020ddpm},\n}\n\n"
        "@misc{song2021score,\n  title = {B},\n}\n"
    )
    env = {
        **os.environ,
        "_GENBIB_COMPLETE": "bash_complete",
        "COMP_WORDS": "genbib show ho",
        "COMP_CWORD": "2",
    }
    out = subprocess.run(
        [GENBIB], env=env, cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines() == ["plain,ho2020ddpm", "plain,ho2020denoising"]
