"""Which key survives a merge: `--keep KEY` first, then a final key over a provisional
one (`keystatus = {provisional}`), then the oldest."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from genbib.bibtex.keys import is_provisional
from genbib.bibtex.reader import parse
from genbib.bibtex.store import load
from genbib.cli import cli
from genbib.dedupe import apply, plan

BIB = r"""@misc{anon2020denoising,
  title = {Denoising Diffusion Probabilistic Models},
  year = {2020}, eprint = {2006.11239},
  keystatus = {provisional},
}

@inproceedings{ddpm,
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  title = {Denoising Diffusion Probabilistic Models},
  booktitle = {NeurIPS}, year = {2020}, eprint = {2006.11239},
}

@article{ho2020denoising,
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  title = {Denoising diffusion probabilistic models},
  journal = {arXiv preprint arXiv:2006.11239}, year = {2020}, eprint = {2006.11239},
}
"""


def test_a_final_key_survives_over_a_provisional_one() -> None:
    lib = parse(BIB.split("@inproceedings")[0] + BIB[BIB.index("@article") :], "refs.bib")
    # the provisional entry is first in key order and "old": it still gives way
    p = plan(lib.entries, existing=[e.key for e in lib])
    (group,) = p.groups
    assert group.survivor.key == "ho2020denoising"
    apply(lib, p)
    (entry,) = lib.entries
    assert entry.aliases == ["anon2020denoising"] and not is_provisional(entry)


def test_keep_names_the_survivor_even_by_a_former_key() -> None:
    lib = parse(BIB, "refs.bib")
    assert plan(lib.entries, keep=["ddpm"]).groups[0].survivor.key == "ddpm"
    lib.entries[1].add_alias("ddpm-old")
    assert plan(lib.entries, keep=["ddpm-old"]).groups[0].survivor.key == "ddpm"


def _run(tmp_path: Path, *args: str) -> tuple[int, str]:
    (tmp_path / "genbib.toml").write_text('bib = "refs.bib"\n')
    (tmp_path / "refs.bib").write_text(BIB)
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "genbib.toml"), "dedupe", *args])
    return result.exit_code, result.output


def test_dedupe_keep_on_the_command_line(tmp_path: Path) -> None:
    code, out = _run(tmp_path, "--keep", "ddpm", "--yes", "--json")
    assert code == 0, out
    assert json.loads(out)["groups"][0]["survivor"] == "ddpm"
    (entry,) = load(tmp_path / "refs.bib").entries
    assert entry.key == "ddpm" and set(entry.aliases) == {"anon2020denoising", "ho2020denoising"}


def test_keeping_a_provisional_key_makes_it_final(tmp_path: Path) -> None:
    code, out = _run(tmp_path, "--keep", "anon2020denoising", "--yes")
    assert code == 0, out
    (entry,) = load(tmp_path / "refs.bib").entries
    assert entry.key == "anon2020denoising" and not is_provisional(entry)


def test_keep_of_an_unknown_key_is_refused(tmp_path: Path) -> None:
    code, out = _run(tmp_path, "--keep", "nosuchkey", "--yes")
    assert code != 0 and "no entry has the key 'nosuchkey'" in out
    assert (tmp_path / "refs.bib").read_text() == BIB
