"""`genbib show` and `genbib stats` on small libraries."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from genbib.cli import cli

BIB = """@inproceedings{ho2020denoising,
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  title = {Denoising Diffusion Probabilistic Models},
  booktitle = {Advances in Neural Information Processing Systems},
  year = {2020},
  eprint = {2006.11239},
  archiveprefix = {arXiv},
  code = {https://github.com/hojonathanho/diffusion},
  topics = {diffusion},
  ids = {ho2020ddpm},
  fieldsources = {author=seed-metadata.bib; year=arxiv},
}

@misc{anon2024untitled,
  title = {Untitled},
}
"""


def write(tmp_path: Path) -> Path:
    p = tmp_path / "lab.bib"
    p.write_text(BIB)
    return p


def test_show_by_key_alias_and_arxiv(tmp_path: Path) -> None:
    bib = write(tmp_path)
    runner = CliRunner()
    for ident in ("ho2020denoising", "ho2020ddpm", "2006.11239"):
        result = runner.invoke(cli, ["show", "--file", str(bib), ident])
        assert result.exit_code == 0, result.output
        assert "ho2020denoising" in result.output
        assert "[from seed-metadata.bib]" in result.output
        assert "code     https://github.com/hojonathanho/diffusion" in result.output


def test_show_json_and_missing(tmp_path: Path) -> None:
    bib = write(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["show", "--file", str(bib), "--json", "ho2020denoising"])
    data = json.loads(result.output)
    assert data["sources"] == {"author": "seed-metadata.bib", "year": "arxiv"}
    assert data["arxiv"] == "2006.11239"
    assert "fieldsources" not in data["fields"]
    result = runner.invoke(cli, ["show", "--file", str(bib), "nope"])
    assert result.exit_code == 4
    assert "no entry 'nope'" in result.output


def test_stats(tmp_path: Path) -> None:
    bib = write(tmp_path)
    result = CliRunner().invoke(cli, ["stats", "--file", str(bib), "--json"])
    data = json.loads(result.output)
    assert data["papers"] == 2
    assert data["by_topic"] == {"(none)": 1, "diffusion": 1}
    assert data["by_year"] == {"2020": 1, "unknown": 1}
    assert data["missing"]["author"] == ["anon2024untitled"]
    assert data["missing"]["code"] == ["anon2024untitled"]
    text = CliRunner().invoke(cli, ["stats", "--file", str(bib)]).output
    assert "2 papers" in text and "missing:" in text
