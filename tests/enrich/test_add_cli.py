"""`genbib add` and `genbib enrich` from the command line, and the sync stage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest
from click.testing import CliRunner
from enrich_fakes import FakeAPI, json_file, xml_file

from genbib import config as config_mod
from genbib.bibtex.reader import parse, read_file
from genbib.bibtex.writer import dumps
from genbib.cli import cli
from genbib.enrich import add as adding
from genbib.enrich import stage
from genbib.enrich.run import Options, enrich_library, make_fetcher
from genbib.errors import InputError


def ddpm_routes(api: FakeAPI) -> None:
    api.add("https://dblp.org/search/publ/api", json_file("dblp_ddpm.json"))
    api.add("https://export.arxiv.org/api/query", xml_file("arxiv_2006.11239.xml"))
    api.add("https://huggingface.co/api/papers/2006.11239", json_file("huggingface_paper.json"))
    api.add("https://api.openalex.org/works/", json_file("openalex_work.json"))
    api.add("https://api.crossref.org/works", json_file("crossref_empty.json"))
    api.add("https://api.github.com/repos/hojonathanho/diffusion", json_file("github_repo.json"))


def test_seed_kinds() -> None:
    assert adding.seed("https://arxiv.org/abs/2006.11239v2")[1] == "arxiv"
    assert adding.seed("10.1109/CVPR52688.2022.01042")[1] == "doi"
    assert adding.seed("https://openreview.net/forum?id=PxTIG12RRHS")[1] == "openreview"
    assert adding.seed("https://github.com/openai/consistency_models")[1] == "github"
    with pytest.raises(InputError, match="not an arXiv id"):
        adding.seed("javascript:alert(1)")


def test_add_by_arxiv_id(api: FakeAPI, make_fetcher: Any) -> None:
    ddpm_routes(api)
    added = adding.resolve("2006.11239", make_fetcher())
    e = added.entry
    assert e is not None and e.title == "Denoising Diffusion Probabilistic Models"
    assert e.type == "inproceedings" and e.get("eprint") == "2006.11239"
    assert e.get("code") == "https://github.com/hojonathanho/diffusion"
    lib = parse("", "lab.bib")
    adding.add_to(lib, added, topic="diffusion", formula="{author}{year}{title}")
    assert added.key == "ho2020denoising" and lib.entries[0].topics == ["diffusion"]


def test_add_existing_paper_merges(api: FakeAPI, make_fetcher: Any) -> None:
    ddpm_routes(api)
    lib = parse(
        """@misc{ddpm,
  title = {Denoising Diffusion Probabilistic Models},
  year = {2020},
  url = {https://arxiv.org/abs/2006.11239},
  topics = {diffusion},
}
""",
        "lab.bib",
    )
    added = adding.add_to(
        lib,
        adding.resolve("2006.11239", make_fetcher()),
        topic="vae",
        formula="{author}{year}{title}",
    )
    assert added.merged_into == "ddpm" and len(lib.entries) == 1
    assert set(lib.entries[0].topics) == {"diffusion", "vae"}
    assert lib.entries[0].get("author")


def test_add_by_doi_openreview_and_repository(api: FakeAPI, make_fetcher: Any) -> None:
    api.add("https://api.crossref.org/works/10.1109", json_file("crossref_work.json"))
    added = adding.resolve(
        "https://doi.org/10.1109/CVPR52688.2022.01042", make_fetcher(), sources=("crossref",)
    )
    assert added.entry is not None and added.entry.get("booktitle", "").startswith("IEEE/CVF")
    api.add("https://api2.openreview.net/notes", json_file("openreview_note.json"))
    added = adding.resolve(
        "https://openreview.net/forum?id=PxTIG12RRHS", make_fetcher(), sources=()
    )
    assert added.entry is not None and added.entry.get("presentation") == "Oral"
    assert added.entry.get("booktitle") == "International Conference on Learning Representations"
    api.add(
        "https://api.github.com/repos/openai/consistency_models/readme",
        json_file("github_readme.json"),
    )
    api.add("https://export.arxiv.org/api/query", xml_file("arxiv_2303.01469.xml"))
    added = adding.resolve(
        "https://github.com/openai/consistency_models", make_fetcher(), sources=("arxiv",)
    )
    e = added.entry
    assert e is not None and e.get("eprint") == "2303.01469" and e.title == "Consistency Models"
    assert e.get("code") == "https://github.com/openai/consistency_models"
    assert e.get("booktitle") == "International Conference on Machine Learning"


def test_add_unknown_paper_is_a_clear_error(make_fetcher: Any) -> None:
    with pytest.raises(InputError, match="could not resolve"):
        adding.resolve("2401.99999", make_fetcher(), sources=("arxiv",))


# --- the CLI, replaying a committed cache -------------------------------------------------
@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "bib").mkdir()
    (tmp_path / "genbib.toml").write_text(
        '[enrich]\ncontact = "lab@example.org"\ncache = ".genbib/cache"\n'
        '[[topics]]\nslug = "diffusion"\ntitle = "Diffusion"\n'
    )
    (tmp_path / "bib" / "genmodels.bib").write_text(
        "@misc{ho2020denoising,\n  title = {Denoising Diffusion Probabilistic Models},\n"
        "  year = {2020},\n}\n"
    )
    return tmp_path


def record_cache(project: Path, api: FakeAPI) -> None:
    """What an online run leaves behind: the cache file a lab commits."""
    cfg = config_mod.load(project / "genbib.toml")
    lib = read_file(cfg.bib_path)
    enrich_library(lib, cfg, Options(online=True, transport=httpx2.MockTransport(api)))
    opts = Options(online=True, transport=httpx2.MockTransport(api))
    fetcher = make_fetcher(cfg, opts)
    adding.resolve("2006.11239", fetcher)
    assert fetcher.cache is not None
    fetcher.cache.save()


def invoke(project: Path, *args: str) -> Any:
    return CliRunner().invoke(
        cli, ["--config", str(project / "genbib.toml"), *args], catch_exceptions=False
    )


def test_cli_enrich_offline_from_cache(project: Path, api: FakeAPI) -> None:
    ddpm_routes(api)
    record_cache(project, api)
    bib = project / "bib" / "genmodels.bib"
    before = bib.read_text()
    dry = invoke(project, "enrich", "--offline", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert bib.read_text() == before
    res = invoke(project, "enrich", "--offline", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["unresolved"] == [] and any(c["field"] == "author" for c in out["changes"])
    text = bib.read_text()
    assert "Ho, Jonathan" in text and "fieldsources" in text
    explain = invoke(project, "enrich", "--explain", "ho2020denoising")
    assert "author" in explain.output and "dblp" in explain.output
    assert invoke(project, "enrich", "--offline").output.count("<-") == 0  # idempotent


def test_cli_offline_lists_unresolved(project: Path) -> None:
    res = invoke(project, "enrich", "--offline", "--source", "dblp")
    assert res.exit_code == 0
    assert "not resolved offline" in res.output and "dblp.org" in res.output


def test_cli_add_offline_from_cache(project: Path, api: FakeAPI) -> None:
    ddpm_routes(api)
    record_cache(project, api)
    (project / "bib" / "genmodels.bib").write_text("")
    res = invoke(
        project, "add", "https://arxiv.org/abs/2006.11239", "--topic", "diffusion", "--offline"
    )
    assert res.exit_code == 0, res.output
    assert "added ho2020denoising" in res.output
    lib = read_file(project / "bib" / "genmodels.bib")
    assert lib.entries[0].topics == ["diffusion"]
    assert dumps(lib) == (project / "bib" / "genmodels.bib").read_text()


def test_cli_unknown_source_and_key(project: Path) -> None:
    res = CliRunner().invoke(
        cli,
        ["--config", str(project / "genbib.toml"), "enrich", "--offline", "--source", "scholar"],
    )
    assert res.exit_code == 4 and "unknown enrich source" in res.output
    res = CliRunner().invoke(
        cli, ["--config", str(project / "genbib.toml"), "enrich", "--offline", "nokey"]
    )
    assert res.exit_code == 4 and "nokey" in res.output


def test_stage_is_offline_and_dry_run_changes_nothing(project: Path) -> None:
    cfg = config_mod.load(project / "genbib.toml")
    meta = project / "bib" / "meta.bib"
    meta.write_text(
        "@inproceedings{x,\n  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},\n"
        "  title = {Denoising Diffusion Probabilistic Models},\n  booktitle = {NeurIPS},\n"
        "  year = {2020},\n  eprint = {2006.11239},\n}\n"
    )
    import dataclasses

    cfg = dataclasses.replace(
        cfg, enrich=dataclasses.replace(cfg.enrich, from_bib=("bib/meta.bib",))
    )
    lib = read_file(cfg.bib_path)
    before = dumps(lib)
    report = stage(lib, cfg, dry_run=True)
    assert dumps(lib) == before and report.changed == 1
    report = stage(lib, cfg)
    assert report.changed == 1 and "Ho, Jonathan" in dumps(lib)
    assert lib.entries[0].get("eprint") == "2006.11239"
    assert report.details["unresolved"]  # the network sources were not asked
