"""`--metadata` (and `--update-only`) record where the fields they decide came from, in
the `fieldsources` format of genbib.enrich.provenance, so `genbib show` and
`genbib enrich --explain` name the metadata file instead of "input"."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.importers.conftest import ROOT, SEED_METADATA, SOURCES, run_import

from genbib.bibtex.reader import parse
from genbib.bibtex.writer import dumps
from genbib.cli import cli
from genbib.config import Config
from genbib.enrich import provenance
from genbib.importers import ImportReport
from genbib.model.library import Library

SEED = "seed-metadata.bib"


@pytest.fixture(scope="module")
def lab_meta(lab_config: Config) -> tuple[Library, ImportReport]:
    return run_import(sorted(SOURCES.iterdir()), lab_config, metadata=[SEED_METADATA])


def test_fields_the_metadata_decides_name_the_file(
    lab_meta: tuple[Library, ImportReport],
) -> None:
    ddpm = lab_meta[0].by_key()["ho2020denoising"]
    rows = {name: src for name, src, _ in provenance.explain(ddpm)}
    for name in ("@inproceedings", "author", "year", "booktitle", "pages", "eprint"):
        assert rows[name] == SEED, name
    # what only the lists gave stays "input": short name, links, topics, notes
    for name in ("shortname", "code", "blog", "topics", "annotation"):
        assert rows[name] == provenance.INPUT, name
    # the enrich engine's format: sorted `field=source` pairs
    text = ddpm.get("fieldsources") or ""
    assert text.startswith("archiveprefix=seed-metadata.bib; author=seed-metadata.bib;")
    assert [p.split("=")[0] for p in text.split("; ")] == sorted(provenance.sources(ddpm))


def test_every_listed_paper_with_metadata_has_records(
    lab_meta: tuple[Library, ImportReport],
) -> None:
    lib = lab_meta[0]
    without = [e.title for e in lib.entries if "fieldsources" not in e.fields]
    assert without == ["Score Distillation Sampling for Text-to-Image Generation"]  # no metadata
    for e in lib.entries:
        for name in provenance.sources(e):
            assert name == provenance.TYPE or name in e.fields, (e.key, name)


BIB = """@misc{ho2020denoising,
  title = {Denoising Diffusion Probabilistic Models},
  year = {2020},
  eprint = {2006.11239},
  code = {https://github.com/hojonathanho/diffusion},
  fieldsources = {code=huggingface},
}
"""
META = """@inproceedings{ho2020ddpm,
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  title = {Denoising Diffusion Probabilistic Models},
  booktitle = {Advances in Neural Information Processing Systems},
  year = {2020},
  eprint = {2006.11239},
  fieldsources = {author=dblp},
  x-source = {dblp export},
}
"""


def test_records_of_the_bib_and_of_the_metadata_file_are_kept(
    tmp_path: Path, lab_config: Config
) -> None:
    meta = tmp_path / "dblp-export.bib"
    meta.write_text(META, encoding="utf-8")
    lib = parse(BIB, "genmodels.bib")
    _, report = run_import([meta], lab_config, library=lib, update_only=True)
    assert report.merged == ["ho2020denoising"]
    [e] = lib.entries
    assert provenance.sources(e) == {
        "author": "dblp",  # the metadata file's own record travels with the value
        "booktitle": "dblp-export.bib",
        "code": "huggingface",  # decided by an earlier enrichment, not by this file
        "entrytype": "dblp-export.bib",
        "eprint": "dblp-export.bib",
        "title": "dblp-export.bib",
        "year": "dblp-export.bib",
    }
    assert "x-source" not in e.fields
    before = dumps(lib)
    _, again = run_import([meta], lab_config, library=lib, update_only=True)
    assert again.merged == [] and dumps(lib) == before


def _cli(config: Path, *args: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, ["--config", str(config), *args], env={"NO_COLOR": "1"})
    return res.exit_code, res.output


def test_lab_build_show_and_enrich_agree(tmp_path: Path) -> None:
    """The documented build, then `genbib show` and an offline enrichment from the same
    metadata file: the sources are named and enrichment has nothing left to fill."""
    (tmp_path / "bib").mkdir()
    (tmp_path / "genbib.toml").write_bytes((ROOT / "genbib.toml").read_bytes())
    (tmp_path / "bib" / SEED).write_bytes(SEED_METADATA.read_bytes())
    config = tmp_path / "genbib.toml"
    sources = [str(p) for p in sorted(SOURCES.iterdir())]
    code, out = _cli(config, "import", *sources, "--metadata", str(tmp_path / "bib" / SEED))
    assert code == 0, out
    code, out = _cli(config, "show", "ho2020denoising")
    assert code == 0, out
    shown = {line.split()[0]: line for line in out.splitlines()[1:] if line.startswith("  ")}
    for name in ("author", "year", "booktitle"):
        assert shown[name].endswith(f"[from {SEED}]"), shown[name]
    assert "[from" not in shown["shortname"]
    bib = tmp_path / "bib" / "genmodels.bib"
    before = bib.read_bytes()
    code, out = _cli(config, "enrich", "--offline", "--from-bib", str(tmp_path / "bib" / SEED))
    assert code == 0, out
    assert "filled 0 field(s) in 0 entries" in out
    assert bib.read_bytes() == before
