"""`genbib add` of a paper whose key was retired: skipped with a finding (offline, before
any lookup), or brought back under its old key with --revive; and `add` merging into a
provisional entry makes its key final."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from genbib.bibtex.keys import is_provisional
from genbib.bibtex.store import edit, load
from genbib.cli import cli

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
    (tmp_path / "bib").mkdir()
    (tmp_path / "meta.bib").write_text(META)
    config = tmp_path / "genbib.toml"
    config.write_text('bib = "bib/lab.bib"\n\n[enrich]\nfrom_bib = ["meta.bib"]\n')
    return config


def _add(config: Path, *args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["--config", str(config), "add", "--offline", "--json", *args])
    assert result.exit_code == 0, result.output
    data: list[dict] = json.loads(result.output)
    return data


def test_add_of_a_retired_arxiv_id_is_skipped_then_revived(tmp_path: Path) -> None:
    config = _lab(tmp_path)
    bib = tmp_path / "bib" / "lab.bib"
    (first,) = _add(config, "2006.11239")
    assert first["key"] == "ho2020denoising"
    with edit(bib) as lib:
        lib.remove("ho2020denoising")

    (skip,) = _add(config, "https://arxiv.org/abs/2006.11239v2")
    assert skip["retired"] == "ho2020denoising" and not skip["revived"]
    (finding,) = skip["problems"]
    assert finding["code"] == "I-retired" and "same arXiv 2006.11239" in finding["message"]
    assert len(load(bib)) == 0

    (back,) = _add(config, "2006.11239", "--revive")
    assert back["key"] == "ho2020denoising" and back["revived"]
    assert load(bib).by_key()["ho2020denoising"].title == "Denoising Diffusion Probabilistic Models"


def test_add_completing_a_provisional_entry_makes_its_key_final(tmp_path: Path) -> None:
    config = _lab(tmp_path)
    bib = tmp_path / "bib" / "lab.bib"
    bib.write_text(
        "@misc{anon2020denoising,\n  title = {Denoising Diffusion Probabilistic Models},\n"
        "  year = {2020},\n  eprint = {2006.11239},\n  keystatus = {provisional},\n}\n"
    )
    (merged,) = _add(config, "2006.11239")
    assert merged["merged_into"] == "ho2020denoising"
    entry = load(bib).by_key()["ho2020denoising"]
    assert not is_provisional(entry) and entry.aliases == ["anon2020denoising"]
    assert "key-final" in {p["code"] for p in merged["problems"]}
