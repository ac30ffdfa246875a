"""`genbib fmt`, `genbib check` and `genbib rekey` end to end, on files in tmp_path."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

MESSY = '@ARTICLE(b, Title = "Second", year = 2021)\n@misc{a,title={First}}\n'
CANONICAL = (
    "@misc{a,\n  title = {First},\n}\n\n@article{b,\n  title = {Second},\n  year = {2021},\n}\n"
)


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with no genbib.toml in it or above it."""
    monkeypatch.chdir(tmp_path)
    assert not any((d / "genbib.toml").exists() for d in (tmp_path, *tmp_path.parents))
    return tmp_path


def test_fmt_file_without_configuration(genbib: Callable[..., Any], nowhere: Path) -> None:
    bib = nowhere / "refs.bib"
    bib.write_text(MESSY)
    r = genbib("fmt", "--check", str(bib))
    assert r.code == 1
    assert r.out.startswith(f"--- {bib}\n+++ {bib} (canonical)\n")
    assert "-@ARTICLE(b" in r.out and "+@article{b," in r.out
    assert "not in canonical form" in r.err
    assert bib.read_text() == MESSY  # --check changes nothing
    r = genbib("fmt", str(bib))
    assert r.code == 0 and "reformatted" in r.out
    assert bib.read_text() == CANONICAL
    r = genbib("fmt", str(bib))
    assert r.code == 0 and "already canonical" in r.out
    r = genbib("fmt", "--check", str(bib))
    assert r.code == 0 and r.out.strip().endswith("canonical")


def test_fmt_diff_rewrites_and_shows_the_changes(genbib: Callable[..., Any], nowhere: Path) -> None:
    bib = nowhere / "refs.bib"
    bib.write_text(MESSY)
    r = genbib("fmt", str(bib))
    assert not r.out.startswith("---")  # no diff unless asked for
    bib.write_text(MESSY)
    r = genbib("fmt", "--diff", str(bib))
    assert r.code == 0 and r.out.startswith(f"--- {bib}\n") and "reformatted" in r.out
    assert bib.read_text() == CANONICAL


def test_fmt_default_file_and_order_from_configuration(
    genbib: Callable[..., Any], nowhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (nowhere / "genbib.toml").write_text('bib = "lab/x.bib"\norder = "input"\n')
    (nowhere / "lab").mkdir()
    bib = nowhere / "lab" / "x.bib"
    bib.write_text(MESSY)
    sub = nowhere / "lab"
    monkeypatch.chdir(sub)  # found by walking up
    assert genbib("fmt").code == 0
    text = bib.read_text()
    assert text.index("@article{b") < text.index("@misc{a")  # input order kept


def test_fmt_reports_parse_problems_and_keeps_the_block(
    genbib: Callable[..., Any], nowhere: Path
) -> None:
    bib = nowhere / "x.bib"
    bib.write_text("@misc{a, title={x}}\n@misc{b, title={oops}\n@misc{c, title={y}}\n")
    r = genbib("fmt", "--check", str(bib))
    assert f"{bib}:2: b: E002-parse" in r.err
    assert genbib("fmt", str(bib)).code == 0
    assert "@misc{b, title={oops}\n" in bib.read_text()
    assert bib.read_text().count("oops") == 1


def test_check_text_output_and_exit_codes(genbib: Callable[..., Any], nowhere: Path) -> None:
    bib = nowhere / "x.bib"
    bib.write_text("@misc{ok, title={Fine}}\n\n@article{bad, title={About GAN}, year={20x0}}\n")
    r = genbib("check", str(bib))
    assert r.code == 1
    assert r.out.splitlines() == [
        f"{bib}:3: bad: E010-missing-field @article needs author, journal or journaltitle",
        f"{bib}:3: bad: E014-year year '20x0' is not a four-digit year",
        f"{bib}:3: bad: E021-unprotected-caps title words a style may lower-case: GAN "
        "(protect them: {GAN})",
    ]
    assert "2 error(s), 1 warning(s) in 2 entries" in r.err


def test_check_warnings_only_pass_unless_strict(genbib: Callable[..., Any], nowhere: Path) -> None:
    bib = nowhere / "x.bib"
    bib.write_text("@misc{w, title={About GAN}}\n")
    assert genbib("check", str(bib)).code == 0
    assert genbib("check", "--strict", str(bib)).code == 1
    bib.write_text("@misc{w, title={About {GAN}}}\n")
    r = genbib("check", "--strict", str(bib))
    assert r.code == 0 and r.out == "" and "clean (1 entries)" in r.err


def test_check_json(genbib: Callable[..., Any], nowhere: Path) -> None:
    bib = nowhere / "x.bib"
    bib.write_text("@misc{w, title={About GAN}}\n")
    r = genbib("check", "--json", "--strict", str(bib))
    data = json.loads(r.out)
    assert r.code == 1
    assert data == {
        "file": str(bib),
        "entries": 1,
        "errors": 1,
        "warnings": 0,
        "problems": [
            {
                "code": "E021-unprotected-caps",
                "message": "title words a style may lower-case: GAN (protect them: {GAN})",
                "severity": "error",
                "file": str(bib),
                "line": 1,
                "key": "w",
            }
        ],
    }


def test_check_topics_from_configuration(genbib: Callable[..., Any], nowhere: Path) -> None:
    bib = nowhere / "x.bib"
    bib.write_text("@misc{w, title={T}, topics={diffusion, nope}}\n")
    assert genbib("check", str(bib)).code == 0  # no configuration: topics not checked
    (nowhere / "genbib.toml").write_text('[[topics]]\nslug = "diffusion"\n')
    r = genbib("check", str(bib))
    assert r.code == 1 and "E040-unknown-topic topic(s) nope" in r.out


def test_check_cites(genbib: Callable[..., Any], nowhere: Path) -> None:
    bib = nowhere / "x.bib"
    bib.write_text("@misc{new, title={T}, ids={old}}\n")
    (nowhere / "paper").mkdir()
    (nowhere / "paper" / "main.tex").write_text("\\cite{old}\n")
    r = genbib("check", "--cites", str(nowhere / "paper"), str(bib))
    assert r.code == 1  # natbib (the default): BibTeX does not read ids, \cite{old} is undefined
    assert r.out.startswith(f"{nowhere / 'paper' / 'main.tex'}:1: old: E052-cited-undefined")
    (nowhere / "genbib.toml").write_text('[render]\ncitations = "biblatex"\n')
    r = genbib(
        "--config",
        str(nowhere / "genbib.toml"),
        "check",
        "--cites",
        str(nowhere / "paper"),
        str(bib),
    )
    assert r.code == 0  # biber resolves the alias: a warning
    assert r.out.startswith(f"{nowhere / 'paper' / 'main.tex'}:1: old: E050-cited-alias")


def test_rekey(genbib: Callable[..., Any], nowhere: Path) -> None:
    bib = nowhere / "x.bib"
    bib.write_text("@misc{ho2020denoising, title={DDPM}}\n@misc{other, title={x}}\n")
    r = genbib("rekey", "--file", str(bib), "ho2020denoising", "ho2020ddpm")
    assert r.code == 0 and "ho2020denoising -> ho2020ddpm" in r.out
    assert "@misc{ho2020ddpm,\n  title = {DDPM},\n  ids = {ho2020denoising},\n}" in bib.read_text()
    before = bib.read_bytes()
    r = genbib("rekey", "--file", str(bib), "ho2020ddpm", "other")
    assert r.code == 4 and "already used" in r.err
    assert bib.read_bytes() == before


def test_config_option_points_elsewhere(genbib: Callable[..., Any], nowhere: Path) -> None:
    lab = nowhere / "elsewhere"
    lab.mkdir()
    (lab / "genbib.toml").write_text('bib = "refs.bib"\n')
    (lab / "refs.bib").write_text(MESSY)
    r = genbib("--config", str(lab / "genbib.toml"), "fmt")
    assert r.code == 0
    assert (lab / "refs.bib").read_text() == CANONICAL  # bib path relative to the toml
    r = genbib("--config", str(nowhere / "missing.toml"), "fmt")
    assert r.code == 4 and "no such configuration file" in r.err
