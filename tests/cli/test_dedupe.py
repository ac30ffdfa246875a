"""`genbib dedupe`: groups with reasons, confirmation, exit codes, JSON, alias citations."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from genbib.bibtex.reader import read_file
from genbib.cli import cli

BIB = r"""@inproceedings{ho2020denoising,
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  title = {Denoising Diffusion Probabilistic Models},
  booktitle = {NeurIPS}, year = {2020}, pages = {6840--6851},
}

@article{ho2020arxiv,
  author = {J. Ho and A. Jain and P. Abbeel},
  title = {Denoising diffusion probabilistic models},
  journal = {arXiv preprint arXiv:2006.11239}, year = {2020}, eprint = {2006.11239}, pages = {1--25},
}

@misc{song2023consistency, author = {Song, Yang}, title = {Consistency Models}, year = {2023}}

@misc{song2023improved, author = {Song, Yang}, title = {Improved Consistency Models}, year = {2023}}
"""


def run(tmp_path: Path, *args: str, input: str | None = None) -> Result:
    (tmp_path / "genbib.toml").write_text('bib = "refs.bib"\n', encoding="utf-8")
    return CliRunner().invoke(
        cli,
        ["--config", str(tmp_path / "genbib.toml"), "dedupe", *args],
        input=input,
        catch_exceptions=False,
    )


def write(tmp_path: Path) -> Path:
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    return path


def test_dry_run_shows_groups_reasons_and_conflicts(tmp_path: Path) -> None:
    path = write(tmp_path)
    res = run(tmp_path, str(path), "--dry-run")
    assert res.exit_code == 1  # a group is left unmerged
    assert "ho2020arxiv" in res.output and "ho2020denoising" in res.output
    assert "same title + 3/3 authors + year" in res.output
    assert 'pages: kept "6840--6851", not ho2020arxiv\'s "1--25"' in res.output
    assert "Improved" not in res.output
    assert path.read_text(encoding="utf-8") == BIB


def test_declined_confirmation_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path)
    res = run(tmp_path, str(path), input="n\n")
    assert res.exit_code != 0
    assert path.read_text(encoding="utf-8") == BIB


def test_yes_merges_keeps_alias_and_exits_0(tmp_path: Path) -> None:
    path = write(tmp_path)
    res = run(tmp_path, str(path), "--yes")
    assert res.exit_code == 0, res.output
    assert "merged 1 entry into 1" in res.output
    lib = read_file(path)
    assert [e.key for e in lib] == ["ho2020arxiv", "song2023consistency", "song2023improved"]
    merged = lib.by_key()["ho2020arxiv"]
    assert merged.aliases == ["ho2020denoising"] and merged.get("booktitle") == "NeurIPS"
    again = run(tmp_path, str(path), "--dry-run")
    assert again.exit_code == 0 and "no duplicates" in again.output


def test_confirmed_merge_and_configured_bib(tmp_path: Path) -> None:
    write(tmp_path)
    res = run(tmp_path, input="y\n")
    assert res.exit_code == 0, res.output
    assert len(read_file(tmp_path / "refs.bib")) == 3


def test_json_plan(tmp_path: Path) -> None:
    path = write(tmp_path)
    res = run(tmp_path, str(path), "--dry-run", "--json")
    data = json.loads(res.stdout)
    assert data["applied"] is False and data["merged"] == 0
    (group,) = data["groups"]
    assert group["survivor"] == "ho2020arxiv" and group["merged"] == ["ho2020denoising"]
    assert group["reasons"][0]["codes"] == ["title", "authors", "year"]
    assert any(
        p["code"] == "dedupe-superseded" and p["message"].startswith("pages:")
        for p in group["problems"]
    )
    res = run(tmp_path, str(path), "--yes", "--json")
    assert json.loads(res.stdout)["merged"] == 1 and res.exit_code == 0


def test_cites_warns_about_aliases(tmp_path: Path) -> None:
    path = write(tmp_path)
    paper = tmp_path / "paper"
    paper.mkdir()
    (paper / "main.tex").write_text(
        "As shown by \\citet{ho2020denoising} and \\citep[p.~3]{song2023consistency, ho2020denoising}.\n",
        encoding="utf-8",
    )
    (paper / "main.aux").write_text(
        "\\citation{ho2020denoising}\n\\abx@aux@cite{0}{ho2020denoising}\n", encoding="utf-8"
    )
    res = run(tmp_path, str(path), "--yes", "--cites", str(paper))
    assert res.exit_code == 0
    # The .tex follows the merge (BibTeX has no aliases); only the stale .aux, which the
    # next LaTeX run rewrites, still names the old key.
    assert (paper / "main.tex").read_text(encoding="utf-8") == (
        "As shown by \\citet{ho2020arxiv} and \\citep[p.~3]{song2023consistency, ho2020arxiv}.\n"
    )
    assert "main.tex:1: \\citet{ho2020denoising} -> ho2020arxiv" in res.stdout
    warnings = [line for line in res.stderr.splitlines() if "E050-cited-alias" in line]
    assert len(warnings) == 2
    assert all("main.aux:" in w for w in warnings)
    assert "a former key of 'ho2020arxiv'" in warnings[0]
