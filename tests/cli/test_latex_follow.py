"""The LaTeX sources follow key changes (`rekey`, `dedupe`), `fmt --canonical` shows its
diff first, and `cite` prints the configured backend's command."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from genbib.bibtex.reader import read_file

BIB = """@misc{ho2020denoising,
  author = {Ho, Jonathan},
  title = {Denoising Diffusion Probabilistic Models},
  journal = {arXiv preprint arXiv:2006.11239},
  year = {2020},
  eprint = {2006.11239},
  archiveprefix = {arXiv},
}

@misc{other,
  author = {Other, A.},
  title = {Something Else},
  howpublished = {Web page},
  year = {2021},
}
"""


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "genbib.toml").write_text(
        'bib = "refs.bib"\n[latex]\nsources = ["papers/**/*.tex"]\n', encoding="utf-8"
    )
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "papers" / "iclr").mkdir(parents=True)
    (tmp_path / "papers" / "iclr" / "main.tex").write_text(
        "As \\citet{ho2020denoising} and \\citep[p.~2]{ho2020denoising,other} show.\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_rekey_rewrites_the_configured_sources(genbib: Callable[..., Any], lab: Path) -> None:
    paper = lab / "papers" / "iclr" / "main.tex"
    r = genbib("rekey", "--dry-run", "ho2020denoising", "ho2020ddpm")
    assert r.code == 0, r.err
    assert f"would rewrite {paper}:1: \\citet{{ho2020denoising}} -> ho2020ddpm" in r.out
    assert "would rewrite 2 citation(s) in 1 of 1 LaTeX file(s)" in r.out
    assert (
        "ho2020denoising" in paper.read_text()
        and "ho2020ddpm" not in (lab / "refs.bib").read_text()
    )
    r = genbib("rekey", "ho2020denoising", "ho2020ddpm")
    assert r.code == 0, r.err
    assert f"rewrote {paper}:1: \\citep{{ho2020denoising}} -> ho2020ddpm" in r.out
    assert paper.read_text() == (
        "As \\citet{ho2020ddpm} and \\citep[p.~2]{ho2020ddpm,other} show.\n"
    )
    assert "ids = {ho2020denoising}" in (lab / "refs.bib").read_text()


def test_rekey_cites_dir_rewrites_a_folder_given_on_the_command_line(
    genbib: Callable[..., Any], lab: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("thesis")
    (elsewhere / "ch1.tex").write_text("\\parencite{other}\n", encoding="utf-8")
    r = genbib("rekey", "other", "other2021", "--cites", str(elsewhere))
    assert r.code == 0, r.err
    assert (elsewhere / "ch1.tex").read_text() == "\\parencite{other2021}\n"
    assert "in 2 of 2 LaTeX file(s)" in r.out


def test_check_cites_after_rekey_is_clean_under_natbib(
    genbib: Callable[..., Any], lab: Path
) -> None:
    genbib("rekey", "ho2020denoising", "ho2020ddpm")
    r = genbib("check", "--cites", str(lab / "papers"))
    assert "E052" not in r.out, r.out


def test_fmt_canonical_shows_the_diff_then_writes(genbib: Callable[..., Any], lab: Path) -> None:
    bib = lab / "refs.bib"
    r = genbib("fmt", "--canonical", "--dry-run")
    assert r.code == 0
    assert "-  journal = {arXiv preprint arXiv:2006.11239},\n" in r.out
    assert "+  howpublished = {arXiv preprint arXiv:2006.11239},\n" in r.out
    assert bib.read_text() == BIB
    assert genbib("fmt", "--canonical", "--check").code == 1
    assert genbib("fmt").code == 0 and "journal = {arXiv" in bib.read_text()  # fmt alone: layout
    r = genbib("fmt", "--canonical", "--yes")
    assert r.code == 0 and "2 change(s) in 1 entry" in r.err + r.out
    assert "howpublished = {arXiv preprint arXiv:2006.11239}" in bib.read_text()
    assert "journal" not in bib.read_text()
    r = genbib("fmt", "--canonical", "--check")
    assert r.code == 0 and "already in canonical form" in r.out


def test_fmt_canonical_asks_first(
    genbib: Callable[..., Any], lab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO("n\n"))
    r = genbib("fmt", "--canonical")
    assert r.code == 1 and "declined; nothing was changed" in r.out + r.err  # the error policy
    assert (lab / "refs.bib").read_text() == BIB


@pytest.mark.parametrize(
    ("citations", "command"), [("natbib", "\\citep{other}"), ("biblatex", "\\parencite{other}")]
)
def test_cite_prints_the_configured_backends_command(
    genbib: Callable[..., Any], lab: Path, citations: str, command: str
) -> None:
    cfg = lab / "genbib.toml"
    cfg.write_text(cfg.read_text() + f'[render]\ncitations = "{citations}"\n', encoding="utf-8")
    r = genbib("cite", "Something Else")
    assert r.code == 0
    assert r.out.splitlines()[-1] == command


def test_cite_bibtex_prints_the_entries_and_no_command(
    genbib: Callable[..., Any], lab: Path
) -> None:
    r = genbib("cite", "Something Else", "--bibtex", "-n", "1")
    assert r.code == 0
    assert (
        r.out == "@misc{other,\n  author = {Other, A.},\n  title = {Something Else},\n"
        "  howpublished = {Web page},\n  year = {2021},\n}\n\n"
    )


def test_rekey_without_sources_says_bibtex_papers_need_a_hand(
    genbib: Callable[..., Any], lab: Path
) -> None:
    (lab / "genbib.toml").write_text('bib = "refs.bib"\n', encoding="utf-8")
    r = genbib("rekey", "other", "other2021")
    assert r.code == 0
    assert "BibTeX does not read ids" in r.err
    assert (
        "\\citep[p.~2]{ho2020denoising,other}" in (lab / "papers" / "iclr" / "main.tex").read_text()
    )


def test_dedupe_dry_run_shows_the_rewrites_and_json_lists_them(
    genbib: Callable[..., Any], lab: Path
) -> None:
    bib = lab / "refs.bib"
    bib.write_text(
        BIB + "\n@misc{ho2020ddpm,\n  author = {Ho, Jonathan},\n"
        "  title = {Denoising Diffusion Probabilistic Models},\n"
        "  howpublished = {arXiv preprint arXiv:2006.11239},\n  year = {2020},\n"
        "  eprint = {2006.11239},\n  archiveprefix = {arXiv},\n}\n",
        encoding="utf-8",
    )
    paper = lab / "papers" / "iclr" / "main.tex"
    before = paper.read_text()
    r = genbib("dedupe", "--dry-run")
    assert r.code == 1  # groups remain
    assert "would rewrite" in r.out and paper.read_text() == before
    r = genbib("dedupe", "--yes", "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    (survivor,) = (e for e in read_file(bib) if e.aliases)
    (gone,) = survivor.aliases
    assert data["applied"] and data["rewritten"]
    assert all(line.endswith(f"{{{gone}}} -> {survivor.key}") for line in data["rewritten"])
    assert paper.read_text() == before.replace(gone, survivor.key)


def test_check_reads_the_configured_sources_without_cites(
    genbib: Callable[..., Any], lab: Path
) -> None:
    """`[latex] sources` are the lab's papers: plain `genbib check` checks their cites."""
    paper = lab / "papers" / "iclr" / "main.tex"
    assert genbib("check").code == 0
    paper.write_text(paper.read_text() + "And \\citet{nowhere2024}.\n", encoding="utf-8")
    r = genbib("check")
    assert r.code == 1
    assert f"{paper}:2: nowhere2024: E052-cited-undefined" in r.out, r.out
    # a key that another bib beside the paper defines resolves
    (paper.parent / "extra.bib").write_text("@misc{nowhere2024,\n  title = {X},\n}\n")
    assert "E052" not in genbib("check").out
    # a bib given by name is checked alone
    assert "E052" not in genbib("check", str(lab / "papers" / "iclr" / "extra.bib")).out
