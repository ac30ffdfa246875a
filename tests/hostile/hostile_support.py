"""Helpers for hostile-input tests: a project directory, the CLI run in process, and the
checks that what genbib wrote is inert: markdown parsed back, LaTeX compiled in a sandbox."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner, Result

sys.path.insert(0, str(Path(__file__).parents[1] / "fuzz"))

from targets import assert_neutral_bib, assert_safe_markdown, assert_safe_tex

from genbib.bibtex.reader import read_file
from genbib.cli import cli

HOSTILE = Path(__file__).parents[1] / "data" / "hostile"
TOML = """
bib = "bib/genmodels.bib"

[[topics]]
slug = "diffusion"
title = "Diffusion | <script>alert(1)</script> \\\\input{/etc/passwd}"
description = "Papers ](javascript:alert(1)) with \\\\write18{id} and ^^5c in the description."

[[topics]]
slug = "gan"
title = "GANs"
"""
# Control characters, NUL, bidi overrides (Trojan Source), zero-width: generated here so
# the committed corpus stays plain text.
NASTY_TITLE = "Evil\x07 bell\x1b[2J esc \u202etxt.exe\u202c \u2066isAdmin\u2069 zero\u200bwidth"
INTERNAL = 70


@dataclass
class Project:
    root: Path
    outputs: list[str] = field(default_factory=list)

    @property
    def bib(self) -> Path:
        return self.root / "bib" / "genmodels.bib"

    def genbib(self, *args: str, ok: tuple[int, ...] = (0, 1)) -> Result:
        """Run `genbib --config ... ARGS` in process; a clear report, never an internal error."""
        result = CliRunner().invoke(cli, ["--config", str(self.root / "genbib.toml"), *args])
        text = result.output
        self.outputs.append(text)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"genbib {' '.join(args)}: internal error") from result.exception
        assert "Traceback" not in text, text
        assert result.exit_code in ok and result.exit_code != INTERNAL, (
            result.exit_code,
            text[-3000:],
        )
        return result

    def assert_outputs_inert(self) -> None:
        """Every file genbib wrote: the bib parses and is neutral (when made from untrusted
        input), the markdown has no HTML or unsafe link, the LaTeX nothing that runs."""
        for md in sorted((self.root / "lists").glob("*.md")):
            assert_safe_markdown(md.read_text())
        for tex in sorted((self.root / "related-work").glob("*.tex")):
            assert_safe_tex(tex.read_text(), driver=tex.name in ("all.tex", "example.tex"))
        assert not list(self.root.parent.glob("genbib-escape*"))
        assert not Path("/tmp/genbib-pwned").exists()


def make_project(tmp_path: Path) -> Project:
    root = tmp_path / "lab"
    (root / "bib").mkdir(parents=True)
    (root / "genbib.toml").write_text(TOML)
    return Project(root)


def neutral_bib(path: Path) -> None:
    lib = read_file(path)
    assert not [p for p in lib.problems if p.code.startswith("E00")], lib.problems
    assert_neutral_bib(lib)


# --- LaTeX in a sandbox -----------------------------------------------------------------


def _texmfvar() -> tuple[str, ...]:
    """TeX Live's per-user cache (fonts made by mktexpk), wherever this machine keeps it."""
    try:
        out = subprocess.run(
            ["kpsewhich", "-var-value", "TEXMFVAR"], capture_output=True, text=True, timeout=30
        )
        return (out.stdout.strip(),) if out.stdout.strip() else ()
    except (OSError, subprocess.SubprocessError):
        return ()


TEXLIVE_TREES = ("/usr/share/texlive", "/usr/share/texmf", "/var/lib/texmf", "/etc/texmf",
                 "/usr/local/texlive", "/usr/share/fonts", "/var/cache/fonts", *_texmfvar())  # fmt: skip
HAVE_TEX = shutil.which("pdflatex") is not None and shutil.which("bibtex") is not None


def latex(directory: Path, job: str, *, bibtex: bool) -> str:
    """pdflatex (+ bibtex + pdflatex twice) with shell escape off, paranoid file access
    and `-recorder`; the log. Fails when LaTeX stops with an error."""
    env = {**os.environ, "openin_any": "p", "openout_any": "p", "shell_escape": "f"}
    cmd = [
        "pdflatex",
        "-no-shell-escape",
        "-interaction=nonstopmode",
        "-halt-on-error",
        "-recorder",
        job,
    ]

    def run(args: list[str], environ: dict[str, str]) -> None:
        proc = subprocess.run(args, cwd=directory, env=environ, capture_output=True, text=True,
                              errors="replace", timeout=120)  # fmt: skip
        assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout[-3000:]}"

    run(cmd, env)
    if bibtex:
        # bibtex reads the canonical bib through `../bib/`: "restricted" (no dot files).
        run(["bibtex", job], {**env, "openin_any": "r"})
        run(cmd, env)
        run(cmd, env)
    return (directory / f"{job}.log").read_text(errors="replace")


def files_touched(directory: Path, job: str) -> list[tuple[str, Path]]:
    """(INPUT|OUTPUT, absolute path) from the recorder's .fls and bibtex's .blg."""
    out: list[tuple[str, Path]] = []
    pwd = directory
    for line in (directory / f"{job}.fls").read_text(errors="replace").splitlines():
        kind, _, name = line.partition(" ")
        if kind == "PWD":
            pwd = Path(name)
        elif kind in ("INPUT", "OUTPUT"):
            out.append((kind, (pwd / name).resolve()))
    blg = directory / f"{job}.blg"
    if blg.exists():
        for m in re.finditer(r"^(?:Database file #\d+|The style file|The top-level auxiliary file): (.+)$",
                             blg.read_text(errors="replace"), re.MULTILINE):  # fmt: skip
            name = m.group(1).strip()
            found = (directory / name).resolve()
            out.append(("INPUT", found if found.exists() else Path("/usr/share/texlive") / name))
    return out


def outside(touched: list[tuple[str, Path]], build: Path) -> list[tuple[str, Path]]:
    """Files read or written outside the build directory, other than TeX Live's own tree."""
    bad = []
    for kind, path in touched:
        if path.is_relative_to(build.resolve()):
            continue
        if kind == "INPUT" and str(path).startswith(TEXLIVE_TREES):
            continue
        bad.append((kind, path))
    return bad
