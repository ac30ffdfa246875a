"""Keys that become right: a paper imported without author or year gets a provisional key
(marked `keystatus = {provisional}`), and its final key the first time its metadata is
complete, unless a LaTeX source of the lab cites the provisional one. A paper whose key
was retired is not imported again under a new key (skipped), unless --revive."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from tests.importers.conftest import ROOT

from genbib.bibtex.check import check_library
from genbib.bibtex.keys import is_provisional
from genbib.bibtex.retired import load as load_retired
from genbib.bibtex.retired import retired_path
from genbib.bibtex.store import edit, load
from genbib.cli import cli

LIST = """# Diffusion

| Title | Year | Paper |
| --- | --- | --- |
| Denoising Diffusion Probabilistic Models | 2020 | [arXiv](https://arxiv.org/abs/2006.11239) |
| Score-Based Generative Modeling through Stochastic Differential Equations | 2021 | [arXiv](https://arxiv.org/abs/2011.13456) |
"""
META = """@inproceedings{ho2020denoising,
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  title = {Denoising Diffusion Probabilistic Models},
  booktitle = {Advances in Neural Information Processing Systems},
  year = {2020},
  eprint = {2006.11239},
  archiveprefix = {arXiv},
}
"""


def _lab(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "genbib.toml", tmp_path / "genbib.toml")
    (tmp_path / "bib").mkdir()
    (tmp_path / "list.md").write_text(LIST)
    (tmp_path / "meta.bib").write_text(META)
    return tmp_path / "genbib.toml"


def _run(config: Path, *args: str) -> dict:
    result = CliRunner().invoke(
        cli, ["--config", str(config), "import", "--offline", "--json", *args]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_offline_import_then_metadata_arrives_the_key_becomes_final(tmp_path: Path) -> None:
    config = _lab(tmp_path)
    bib = tmp_path / "bib" / "genmodels.bib"
    data = _run(config, str(tmp_path / "list.md"))
    assert sorted(data["added"]) == ["anon2020denoising", "anon2021score"]
    lib = load(bib)
    assert all(is_provisional(e) for e in lib)
    assert "keystatus = {provisional}," in bib.read_text()
    # `check` (the pre-commit hook) does not fail the commit of a provisional entry
    assert not [p for p in check_library(lib) if p.severity.value == "error"]

    data = _run(config, str(tmp_path / "list.md"), "--metadata", str(tmp_path / "meta.bib"))
    lib = load(bib)
    entry = lib.by_key()["ho2020denoising"]
    assert not is_provisional(entry) and entry.aliases == ["anon2020denoising"]
    assert "anon2020denoising" in load_retired(retired_path(bib))  # never given again
    assert is_provisional(lib.by_key()["anon2021score"])  # still no author: unchanged
    assert [p["key"] for p in data["problems"] if p["code"] == "key-final"] == ["ho2020denoising"]
    assert "ho2020denoising" in data["merged"]
    again = _run(config, str(tmp_path / "list.md"), "--metadata", str(tmp_path / "meta.bib"))
    assert again["added"] == [] and again["merged"] == []  # settled: nothing moves


def test_a_cited_provisional_key_is_kept_and_reported(tmp_path: Path) -> None:
    config = _lab(tmp_path)
    with config.open("a") as f:
        f.write('\n[latex]\nsources = ["paper/*.tex"]\n')
    (tmp_path / "paper").mkdir()
    (tmp_path / "paper" / "main.tex").write_text("As shown by \\citet{anon2020denoising}.\n")
    _run(config, str(tmp_path / "list.md"))
    data = _run(config, str(tmp_path / "list.md"), "--metadata", str(tmp_path / "meta.bib"))
    entry = load(tmp_path / "bib" / "genmodels.bib").by_key()["anon2020denoising"]
    assert entry.get("author") and not is_provisional(entry)  # final now, as it is
    (kept,) = [p for p in data["problems"] if p["code"] == "key-kept"]
    assert "main.tex:1 cites it" in kept["message"]


def test_a_retired_paper_reimported_is_skipped_then_revived(tmp_path: Path) -> None:
    config = _lab(tmp_path)
    bib = tmp_path / "bib" / "genmodels.bib"
    _run(config, str(tmp_path / "meta.bib"), str(tmp_path / "list.md"))
    with edit(bib) as lib:  # the lab deletes DDPM
        lib.remove("ho2020denoising")
    data = _run(config, str(tmp_path / "list.md"))
    assert data["added"] == []
    (skip,) = [p for p in data["problems"] if p["code"] == "I-retired"]
    assert skip["key"] == "ho2020denoising" and "same arXiv 2006.11239" in skip["message"]
    assert skip["file"].endswith("list.md") and skip["line"] > 0
    assert "ho2020denoising" not in load(bib).keys_in_use()

    data = _run(config, str(tmp_path / "list.md"), "--revive")
    assert data["added"] == ["ho2020denoising"]
    assert [p["code"] for p in data["problems"] if p["key"] == "ho2020denoising"] == ["I-revived"]
    entry = load(bib).by_key()["ho2020denoising"]
    assert entry.title == "Denoising Diffusion Probabilistic Models"
    assert not is_provisional(entry)  # its old key is final, whatever the list lacks


def test_a_retired_paper_in_an_empty_bib_is_still_recognised(tmp_path: Path) -> None:
    # the first-import shortcut (empty bib, lists only) must not skip the retired record
    config = _lab(tmp_path)
    bib = tmp_path / "bib" / "genmodels.bib"
    _run(config, str(tmp_path / "meta.bib"))
    with edit(bib) as lib:
        lib.remove("ho2020denoising")
    assert len(load(bib)) == 0
    data = _run(config, str(tmp_path / "list.md"))
    assert data["added"] == ["anon2021score"]
    assert [p["key"] for p in data["problems"] if p["code"] == "I-retired"] == ["ho2020denoising"]
