"""`genbib sync` follows the keys it renames into the lab's LaTeX sources (issue 15).

The dedupe stage merges two entries of one paper; the merged-away key stays in `ids`,
which BibTeX does not read, so the paper's `\\citep{old}` is rewritten to the surviving
key, and nothing else in the file changes. A dry run lists the rewrite and writes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from genbib.cli import cli

BIB = """@inproceedings{ho2020denoising,
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  title = {Denoising Diffusion Probabilistic Models},
  booktitle = {Advances in Neural Information Processing Systems},
  year = {2020},
  eprint = {2006.11239},
  archiveprefix = {arXiv},
}

@misc{ho2020ddpm,
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  title = {Denoising Diffusion Probabilistic Models},
  howpublished = {arXiv preprint arXiv:2006.11239},
  year = {2020},
  eprint = {2006.11239},
  archiveprefix = {arXiv},
}
"""
PAPER = "As shown by \\citet{ho2020denoising} and \\citep[p.~2]{x,ho2020denoising}.\n% \\cite{ho2020denoising}\n"


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "bib").mkdir()
    (tmp_path / "bib" / "genmodels.bib").write_text(BIB)
    (tmp_path / "paper").mkdir()
    (tmp_path / "paper" / "main.tex").write_text(PAPER)
    (tmp_path / "genbib.toml").write_text('[latex]\nsources = ["paper/*.tex"]\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


def test_sync_rewrites_the_cites_of_a_merged_key(lab: Path) -> None:
    dry = CliRunner().invoke(cli, ["sync", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "LaTeX  cite" in dry.output and "ho2020denoising -> ho2020ddpm" in dry.output
    assert (lab / "paper" / "main.tex").read_text() == PAPER
    done = CliRunner().invoke(cli, ["-v", "sync", "--json"])
    assert done.exit_code == 0, done.output
    assert (lab / "paper" / "main.tex").read_text() == PAPER.replace(
        "\\citet{ho2020denoising} and \\citep[p.~2]{x,ho2020denoising}",
        "\\citet{ho2020ddpm} and \\citep[p.~2]{x,ho2020ddpm}",
    )  # the commented-out cite is left as it was
    assert '"side": "latex"' in done.output
    again = CliRunner().invoke(cli, ["sync", "--json"])
    assert again.exit_code == 0 and '"side": "latex"' not in again.output
