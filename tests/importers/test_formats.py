"""Structured sources: .bib, Zotero item JSON (through genbib.zotero.mapping), CSL-JSON, ids."""

from __future__ import annotations

from pathlib import Path

from tests.importers.conftest import DATA, SOURCES, find, run_import

from genbib.config import Config
from genbib.importers.run import Format, detect

FORMATS = DATA / "formats"


def test_detect() -> None:
    assert detect(FORMATS / "other_lab.bib", "") is Format.BIB
    text = (FORMATS / "zotero_items.json").read_text("utf-8")
    assert detect(Path("x.json"), text) is Format.ZOTERO
    assert detect(Path("x.json"), (FORMATS / "items.csl.json").read_text("utf-8")) is Format.CSL
    assert detect(Path("x.txt"), "2006.11239\nhttps://arxiv.org/abs/2303.01469\n") is Format.IDS
    assert detect(Path("list.txt"), "# Title\n\n- A paper\n") is Format.MARKDOWN


def test_bib_source_keeps_keys_expands_macros_reports_bad_blocks(lab_config: Config) -> None:
    lib, report = run_import([FORMATS / "other_lab.bib"], lab_config)
    got = {e.key: e for e in lib.entries}
    assert set(got) == {"ho2020ddpm", "karras2022edm"}
    assert got["ho2020ddpm"].get("booktitle") == "Advances in Neural Information Processing Systems"
    assert [p.line for p in report.problems if p.code == "E002-parse"] == [19]


def test_zotero_items_with_children(lab_config: Config) -> None:
    lib, _ = run_import([FORMATS / "zotero_items.json"], lab_config)
    ddpm = next(e for e in lib.entries if e.title.startswith("Denoising"))
    assert ddpm.get("code") == "https://github.com/hojonathanho/diffusion"
    assert ddpm.get("annotation") == "Read for the reading group."
    assert ddpm.arxiv == "2006.11239"
    assert len(lib.entries) == 2  # the note and the attachment are children, not papers


def test_csl_json_drops_unsafe_url(lab_config: Config) -> None:
    lib, _ = run_import([FORMATS / "items.csl.json"], lab_config)
    survey = next(e for e in lib.entries if "Survey" in e.title)
    assert survey.type == "article" and survey.doi == "10.1109/tpami.2023.3261988"
    assert survey.get("url") is None


def test_bib_merges_into_list_entries(lab_config: Config) -> None:
    """A DBLP-style .bib after the lists: fills authors, adds nothing twice."""
    lib, _ = run_import(sorted(SOURCES.iterdir()), lab_config)
    n = len(lib.entries)
    lib, report = run_import([FORMATS / "other_lab.bib"], lab_config, library=lib)
    assert len(lib.entries) == n
    assert len(report.merged) == 2
    ddpm = next(e for e in lib.entries if e.title == "Denoising Diffusion Probabilistic Models")
    assert ddpm.get("author") == "Ho, Jonathan and Jain, Ajay and Abbeel, Pieter"
    assert "ho2020ddpm" in ddpm.aliases  # the other lab's key still resolves


def test_update_only_adds_nothing(lab_config: Config, tmp_path: Path) -> None:
    lib, _ = run_import([FORMATS / "zotero_items.json"], lab_config)
    lib, report = run_import([FORMATS / "other_lab.bib"], lab_config, library=lib, update_only=True)
    assert len(lib.entries) == 2
    assert report.not_added == ["Elucidating the Design Space of Diffusion-Based Generative Models"]
    assert find(report, "I-not-in-bib")


def test_topic_option(lab_config: Config) -> None:
    lib, _ = run_import(
        [FORMATS / "items.csl.json", DATA / "nested.md"], lab_config, topic="surveys"
    )
    assert all("surveys" in e.topics for e in lib.entries)


def test_identifiers_resolved_online_through_enrich(lab_config: Config, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Online, each identifier goes through genbib.enrich (faked here: no network in tests)."""
    from genbib.importers import run as run_module
    from genbib.model.entry import Entry

    def fake_resolver(config: Config):  # type: ignore[no-untyped-def]
        def resolve(ident: str) -> tuple[Entry | None, list[object]]:
            if "2006.11239" not in ident:
                return None, []
            e = Entry("inproceedings", "")
            e.set("title", "Denoising Diffusion Probabilistic Models")
            e.set("author", "Ho, Jonathan")
            e.set("year", "2020")
            e.set("eprint", "2006.11239")
            return e, []

        return resolve

    monkeypatch.setattr(run_module, "_resolver", fake_resolver)
    lib, report = run_import([DATA / "own" / "ids.txt"], lab_config, offline=False)
    keys = sorted(e.key for e in lib.entries)
    assert keys == [
        "arxiv:2112.10752",
        "arxiv:2303.01469",
        "ho2020denoising",
        "openreview:PqvMRDCJT9t",
    ]
    assert len(find(report, "I-stub")) == 3
