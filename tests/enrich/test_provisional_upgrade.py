"""Enrichment completes a provisional entry: its key becomes the formula's (the old one
kept in `ids` and retired), unless a configured LaTeX source cites it. Fetchers are
context managers: every path closes the client and saves the cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest
from enrich_fakes import FakeAPI

from genbib.bibtex.keys import is_provisional
from genbib.bibtex.reader import parse
from genbib.config import from_dict
from genbib.enrich.http import Request
from genbib.enrich.run import Options, enrich_library

META = """@inproceedings{ho2020denoising,
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  title = {Denoising Diffusion Probabilistic Models},
  booktitle = {Advances in Neural Information Processing Systems},
  year = {2020},
  eprint = {2006.11239},
  archiveprefix = {arXiv},
}
"""
LAB = """@misc{anon2020denoising,
  title = {Denoising Diffusion Probabilistic Models},
  year = {2020},
  eprint = {2006.11239},
  archiveprefix = {arXiv},
  keystatus = {provisional},
}
"""


def _config(tmp_path: Path, latex: list[str] | None = None) -> Any:
    (tmp_path / "meta.bib").write_text(META)
    data: dict[str, Any] = {"enrich": {"from_bib": ["meta.bib"], "sources": []}}
    if latex is not None:
        data["latex"] = {"sources": latex}
    return from_dict(data, root=tmp_path)


def test_enrich_completes_a_provisional_entry_and_gives_its_final_key(tmp_path: Path) -> None:
    lib = parse(LAB, "lab.bib")
    result = enrich_library(lib, _config(tmp_path), Options(online=False, sources=[]))
    (entry,) = lib.entries
    assert entry.key == "ho2020denoising" and entry.aliases == ["anon2020denoising"]
    assert not is_provisional(entry)
    assert "anon2020denoising" in lib.retired
    assert [p.code for p in result.problems if p.key == "ho2020denoising"] == ["key-final"]


def test_a_provisional_key_cited_by_the_lab_is_kept(tmp_path: Path) -> None:
    (tmp_path / "paper.tex").write_text("\\citep[p.~2]{other,anon2020denoising}\n")
    lib = parse(LAB, "lab.bib")
    result = enrich_library(lib, _config(tmp_path, ["*.tex"]), Options(sources=[]))
    (entry,) = lib.entries
    assert entry.key == "anon2020denoising" and entry.get("author")
    assert not is_provisional(entry) and not entry.aliases and not lib.retired
    (kept,) = [p for p in result.problems if p.code == "key-kept"]
    assert "paper.tex:1 cites it" in kept.message


def test_enrich_with_no_author_found_leaves_the_key_provisional(tmp_path: Path) -> None:
    lib = parse(LAB.replace("Denoising Diffusion", "Unknown Diffusion"), "lab.bib")
    lib.entries[0].set("eprint", None)
    enrich_library(lib, _config(tmp_path), Options(sources=[]))
    assert lib.entries[0].key == "anon2020denoising" and is_provisional(lib.entries[0])


def test_a_fetcher_closes_and_saves_its_cache_on_every_path(
    api: FakeAPI, make_fetcher: Any, tmp_path: Path
) -> None:
    api.add("https://export.arxiv.org/api/query", httpx2.Response(200, text="<feed/>"))
    req = Request("arxiv", "https://export.arxiv.org/api/query", (("id_list", "1"),))
    with make_fetcher() as fetcher:
        assert fetcher.get(req).ok
        assert fetcher._client is not None
    assert fetcher._client is None and (tmp_path / "cache.json").exists()

    (tmp_path / "cache.json").unlink()
    with pytest.raises(KeyboardInterrupt), make_fetcher() as fetcher:
        fetcher.get(req)
        raise KeyboardInterrupt
    assert fetcher._client is None and (tmp_path / "cache.json").exists()
