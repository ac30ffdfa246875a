"""`genbib import` never gives a retired key (a deleted paper's) to a new paper."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from tests.importers.conftest import ROOT

from genbib.bibtex.retired import load as load_retired
from genbib.bibtex.retired import retired_path
from genbib.bibtex.store import edit, load
from genbib.cli import cli

DDPM = """@inproceedings{ho2020denoising,
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  title = {Denoising Diffusion Probabilistic Models},
  year = {2020},
  eprint = {2006.11239},
}
"""
# Another paper with DDPM's key stem: one source names it with DDPM's key, one with none.
OTHER_WITH_KEY = """@article{ho2020denoising,
  author = {Ho, Jonathan},
  title = {Denoising Score Matching Revisited},
  year = {2020},
}
"""
THIRD_LIST = """# Diffusion

| Title | Authors | Year |
| --- | --- | --- |
| Denoising Bridges for Everything | Jonathan Ho | 2020 |
"""


def _import(config: Path, *args: str) -> str:
    result = CliRunner().invoke(
        cli, ["--config", str(config), "import", *args], env={"NO_COLOR": "1"}
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_a_new_paper_never_gets_a_deleted_papers_key(tmp_path: Path) -> None:
    shutil.copy(ROOT / "genbib.toml", tmp_path / "genbib.toml")
    config = tmp_path / "genbib.toml"
    (tmp_path / "bib").mkdir()
    bib = tmp_path / "bib" / "genmodels.bib"
    (tmp_path / "ddpm.bib").write_text(DDPM)
    _import(config, str(tmp_path / "ddpm.bib"))
    assert set(load(bib).by_key()) == {"ho2020denoising"}

    with edit(bib) as lib:  # the paper is deleted (as a sync or any genbib command does)
        lib.remove("ho2020denoising")
    assert set(load_retired(retired_path(bib))) == {"ho2020denoising"}

    (tmp_path / "other.bib").write_text(OTHER_WITH_KEY)
    (tmp_path / "third.md").write_text(THIRD_LIST)
    out = _import(config, str(tmp_path / "other.bib"), str(tmp_path / "third.md"))
    entries = {e.title: e.key for e in load(bib)}
    assert set(entries) == {
        "Denoising Score Matching Revisited",
        "Denoising Bridges for Everything",
    }
    assert sorted(entries.values()) == ["ho2020denoisinga", "ho2020denoisingb"], out
    assert "ho2020denoising" not in load(bib).keys_in_use()
    # the dry-run plan shows the same: the retired key is never offered
    (tmp_path / "fourth.bib").write_text(
        OTHER_WITH_KEY.replace("Score Matching Revisited", "Once More")
    )
    out = _import(config, "--dry-run", str(tmp_path / "fourth.bib"))
    assert "would add: ho2020denoisingc" in out
