"""A paper deleted from the bib stays deleted: a Zotero member adding it again as a new
item is recognised (by identifiers, then title) and not brought back under a new key
(against the Zotero emulator over HTTP)."""

from __future__ import annotations

from genbib.bibtex.retired import load as load_retired
from genbib.bibtex.retired import retired_path
from genbib.model.library import Library

from .conftest import Lab  # type: ignore[import-not-found]

DDPM_AGAIN = {  # as the Zotero Connector saves it from arxiv.org
    "itemType": "preprint",
    "title": "Denoising Diffusion Probabilistic Models",
    "creators": [{"creatorType": "author", "firstName": "Jonathan", "lastName": "Ho"}],
    "date": "2020-06-19",
    "url": "https://arxiv.org/abs/2006.11239",
    "archiveID": "arXiv:2006.11239",
}


def test_a_deleted_paper_added_again_in_zotero_is_skipped_with_a_finding(lab: Lab) -> None:
    lab.edit(lambda lib: lib.remove("ho2020denoising"))  # deleted through genbib: retired
    lab.sync()
    assert "arXiv:2006.11239" in load_retired(retired_path(lab.bib))["ho2020denoising"]
    keys = set(lab.library().keys_in_use())
    lab.emu.library.seed_items([DDPM_AGAIN])
    report = lab.sync()
    assert set(lab.library().keys_in_use()) == keys  # not back, under no key
    assert report.zotero is not None
    found = [p for p in report.zotero.problems if p.code == "SYNC_RETIRED"]
    assert len(found) == 1 and found[0].key == "ho2020denoising"
    assert "same arXiv 2006.11239" in found[0].message


def test_an_old_record_without_identifiers_is_matched_by_title(lab: Lab) -> None:
    lab.edit(lambda lib: lib.remove("ho2020denoising"))
    lab.sync()
    path = retired_path(lab.bib)  # a record written before notes carried identifiers
    path.write_text(path.read_text().replace("; arXiv:2006.11239", ""))
    lab.emu.library.seed_items([{**DDPM_AGAIN, "url": "", "archiveID": ""}])
    report = lab.sync()
    assert report.zotero is not None
    assert [p.key for p in report.zotero.problems if p.code == "SYNC_RETIRED"] == [
        "ho2020denoising"
    ]
    assert not any(e.title.startswith("Denoising Diffusion Prob") for e in lab.library())


def test_a_provisional_key_becomes_final_when_zotero_gives_the_author(lab: Lab) -> None:
    from genbib.bibtex.keys import is_provisional
    from genbib.model.entry import Entry

    def add(lib: Library) -> None:
        e = Entry("misc", "anon2022score")
        e.set("title", "Score Distillation Sampling for Text-to-Image Generation")
        e.set("year", "2022")
        e.set("keystatus", "provisional")
        lib.add(e)

    lab.edit(add)
    lab.sync()
    item = lab.item_key("anon2022score")
    lab.emu.library.edit_item(
        item, creators=[{"creatorType": "author", "firstName": "Ben", "lastName": "Poole"}]
    )
    report = lab.sync()
    entry = lab.entry("poole2022score")
    assert entry.aliases == ["anon2022score"] and not is_provisional(entry)
    assert "anon2022score" in load_retired(retired_path(lab.bib))
    assert lab.emu.library.item(item)["citationKey"] == "poole2022score"  # written back
    assert "1 provisional key(s) made final" in next(
        s.summary for s in report.stages if s.stage == "enrich"
    )
