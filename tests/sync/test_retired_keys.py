"""Keys are never reused: a paper deleted on either side leaves its key retired, and a new
paper with the same key stem gets another key (against the Zotero emulator over HTTP)."""

from __future__ import annotations

from typing import Any

from genbib.bibtex.retired import load as load_retired
from genbib.bibtex.retired import retired_path
from genbib.sync.engine import Op

from .conftest import Lab  # type: ignore[import-not-found]

# Another paper whose key stem is DDPM's (`ho2020denoising`), as a Zotero member adds it.
OTHER_HO = {
    "itemType": "journalArticle",
    "title": "Denoising Score Matching Revisited",
    "creators": [{"creatorType": "author", "firstName": "Jonathan", "lastName": "Ho"}],
    "date": "2020",
}


def _retired(lab: Lab) -> dict[str, str]:
    return load_retired(retired_path(lab.bib))


def _add_other_ho(lab: Lab, **extra: Any) -> str:
    (item,) = lab.emu.library.seed_items([{**OTHER_HO, **extra}])
    lab.sync()
    (key,) = [k for k, e in lab.library().by_key().items() if e.title == OTHER_HO["title"]]
    assert lab.emu.library.item(item)["citationKey"] == key  # written back to Zotero
    return key


def test_zotero_deletion_retires_the_key_and_a_new_paper_gets_another(lab: Lab) -> None:
    lab.emu.library.remove_items([lab.item_key("ho2020denoising")])
    lab.sync()
    assert "ho2020denoising" not in lab.library().by_key()
    assert _retired(lab) == {
        "ho2020denoising": "Denoising Diffusion Probabilistic Models (2020); arXiv:2006.11239"
    }
    assert _add_other_ho(lab) == "ho2020denoisinga"
    assert "ho2020denoising" not in lab.library().keys_in_use()


def test_bib_deletion_by_hand_is_noticed_through_the_sync_state(lab: Lab) -> None:
    # deleted in an editor, not through genbib: only the sync state knows the key existed
    text = lab.bib.read_text()
    start = text.index("@inproceedings{ho2020denoising,")
    end = text.index("\n@", start)
    lab.bib.write_text(text[:start] + text[end + 1 :])
    assert not retired_path(lab.bib).exists()
    lab.sync()
    assert "ho2020denoising" not in lab.state().by_key()  # deleted in Zotero too
    assert _retired(lab)["ho2020denoising"].startswith("Denoising Diffusion Probabilistic")
    assert _add_other_ho(lab) == "ho2020denoisinga"


def test_a_zotero_item_carrying_a_retired_key_gets_a_new_one(lab: Lab) -> None:
    lab.edit(lambda lib: lib.remove("ho2020denoising"))  # through genbib: retired at once
    assert "ho2020denoising" in _retired(lab)
    lab.sync()
    # e.g. an item copied in Zotero from the deleted one, then retitled
    assert _add_other_ho(lab, citationKey="ho2020denoising") == "ho2020denoisinga"


def test_the_same_paper_coming_back_keeps_its_own_key(lab: Lab) -> None:
    # bib deletion against a Zotero edit: the edit wins, and the paper is the same item
    item = lab.item_key("kingma2017variational")
    lab.emu.library.edit_item(item, university="UvA")
    lab.edit(lambda lib: lib.remove("kingma2017variational"))
    assert "kingma2017variational" in _retired(lab)
    lab.sync()
    assert lab.entry("kingma2017variational").get("school") == "UvA"
    assert lab.item_key("kingma2017variational") == item


def test_dry_run_plans_a_new_key_and_writes_no_record(lab: Lab) -> None:
    lab.edit(lambda lib: lib.remove("ho2020denoising"))
    record = retired_path(lab.bib).read_bytes()
    lab.emu.library.seed_items([OTHER_HO])
    report = lab.sync(dry_run=True)
    assert report.zotero is not None
    assert [p.key for p in report.zotero.planned if p.bib is Op.CREATE] == ["ho2020denoisinga"]
    assert retired_path(lab.bib).read_bytes() == record
