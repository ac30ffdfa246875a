"""A paper saved in Zotero is recognised as import and `genbib add` recognise it
(`genbib.dedupe.recognize`): the dedupe engine, its fallbacks, then the retired record.

Members act through pyzotero over HTTP against the emulator. The papers here are the same
as a bib entry only by one of the admission's fallback rules, which sync did not have:
a paper retitled between its arXiv version and its proceedings version (the lab's real
case: arXiv 2410.06664, "DECOUPLE-THEN-MERGE: Towards Better Training for Diffusion
Models" on arXiv, "Decouple-Then-Merge: Finetune Diffusion Models as Multi-Task Learning"
at CVPR 2025), and a copy linking another paper's arXiv id.
"""

from __future__ import annotations

from typing import Any

from genbib.bibtex.reader import parse
from genbib.model.library import Library

from .conftest import Lab  # type: ignore[import-not-found]
from .test_members import create, item_deletes, member, tags  # type: ignore[import-not-found]

DEME = """@inproceedings{ma2025decouple,
  author = {Ma, Qianli and Ning, Xuefei and Liu, Dongrui and Niu, Li and Zhang, Linfeng},
  title = {Decouple-Then-Merge: Finetune Diffusion Models as Multi-Task Learning},
  booktitle = {Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)},
  year = {2025},
  eprint = {2410.06664},
  archiveprefix = {arXiv},
  url = {https://arxiv.org/abs/2410.06664},
}
"""

DEME_V1 = {  # as the Zotero Connector saves the arXiv abstract page of version 1
    "itemType": "preprint",
    "title": "DECOUPLE-THEN-MERGE: Towards Better Training for Diffusion Models",
    "creators": [
        {"creatorType": "author", "firstName": "Qianli", "lastName": "Ma"},
        {"creatorType": "author", "firstName": "Xuefei", "lastName": "Ning"},
        {"creatorType": "author", "firstName": "Dongrui", "lastName": "Liu"},
    ],
    "date": "2024-10-09",
    "repository": "arXiv",
    "archiveID": "arXiv:2410.06664",
    "url": "http://arxiv.org/abs/2410.06664",
    "tags": [{"tag": "to-read"}, {"tag": "Computer Science - Computer Vision", "type": 1}],
}


def add_deme(lib: Library) -> None:
    lib.add(parse(DEME, "deme.bib").entries[0])


def deme_entries(lab: Lab) -> list[str]:
    return [e.key for e in lab.library() if "2410.06664" in (e.get("eprint") or "")]


def test_a_retitled_arxiv_version_saved_by_a_member_is_merged_not_added(lab: Lab) -> None:
    lab.edit(add_deme)
    lab.sync()
    survivor = lab.item_key("ma2025decouple")
    zot = member(lab)
    (copy,) = create(zot, DEME_V1)
    (note,) = create(zot, {"itemType": "note", "parentItem": copy, "note": "<p>Fig. 2</p>"})
    before_deletes = len(item_deletes(lab))

    report = lab.sync()
    assert report.zotero is not None
    codes = {p.code: p for p in report.zotero.problems}
    assert "I-retitled" in codes and copy in codes["I-retitled"].message
    assert codes["I-retitled"].key == "ma2025decouple"
    assert "SYNC_DUPLICATE" in codes and copy in codes["SYNC_DUPLICATE"].message
    # one paper in the bib, under its title; the member's item merged as Zotero merges
    assert deme_entries(lab) == ["ma2025decouple"]
    assert lab.entry("ma2025decouple").title.startswith("Decouple-Then-Merge: Finetune")
    assert lab.emu.library.item(copy).get("deleted")
    assert len(item_deletes(lab)) == before_deletes  # nothing deleted for good
    assert lab.emu.library.item(note)["parentItem"] == survivor
    kept = lab.emu.library.item(survivor)
    assert {"to-read", "Computer Science - Computer Vision"} <= tags(kept)
    uri = f"http://zotero.org/groups/{lab.emu.group_id}/items/{copy}"
    assert uri in kept["relations"]["dc:replaces"]
    bib = lab.bib.read_bytes()
    again = lab.sync()
    assert lab.bib.read_bytes() == bib and not again.changes, again.changes


def test_a_retitled_version_of_a_new_bib_entry_is_linked_to_it(lab: Lab) -> None:
    """The entry is new to the sync (not in Zotero yet) when the member saves the arXiv
    version: the item becomes that entry's item, not a second paper."""
    lab.edit(add_deme)
    (copy,) = create(member(lab), DEME_V1)
    report = lab.sync()
    assert report.zotero is not None
    assert "I-retitled" in {p.code for p in report.zotero.problems}
    assert deme_entries(lab) == ["ma2025decouple"]
    assert lab.item_key("ma2025decouple") == copy
    item = lab.emu.library.item(copy)
    assert not item.get("deleted") and item["citationKey"] == "ma2025decouple"
    assert "to-read" in tags(item)
    assert len(lab.top_items()) == len(lab.library())


def test_a_copy_linking_another_papers_arxiv_id_is_merged_without_the_wrong_link(
    lab: Lab,
) -> None:
    """The same title and year as a paper of the bib, another arXiv id: the bib's paper
    (the admission believes the bib over a copy); its wrong link does not reach the bib."""
    lab.sync()
    wrong: dict[str, Any] = {
        "itemType": "preprint",
        "title": "Score-Based Generative Modeling through Stochastic Differential Equations",
        "creators": [{"creatorType": "author", "firstName": "Yang", "lastName": "Song"}],
        "date": "2021",
        "archiveID": "arXiv:2011.99999",
        "url": "https://arxiv.org/abs/2011.99999",
    }
    (copy,) = create(member(lab), wrong)
    report = lab.sync()
    assert report.zotero is not None
    found = [p for p in report.zotero.problems if p.code == "I-wrong-id"]
    assert len(found) == 1 and "2011.99999" in found[0].message
    assert found[0].key == "song2021scorebased"
    assert lab.emu.library.item(copy).get("deleted")
    entries = [e for e in lab.library() if e.title.startswith("Score-Based Generative")]
    assert [e.key for e in entries] == ["song2021scorebased"]
    assert "2011.99999" not in str(entries[0].fields)


def test_a_retired_paper_saved_again_by_a_member_is_skipped(lab: Lab) -> None:
    """A deleted paper saved again in Zotero, in its retitled arXiv version: recognised by
    its arXiv id through the retired record, reported, and not added back to the bib."""
    lab.edit(add_deme)
    lab.sync()
    lab.edit(lambda lib: lib.remove("ma2025decouple"))  # deleted through genbib: retired
    lab.sync()
    keys = set(lab.library().keys_in_use())
    (copy,) = create(member(lab), DEME_V1)
    report = lab.sync()
    assert report.zotero is not None
    found = [p for p in report.zotero.problems if p.code == "SYNC_RETIRED"]
    assert len(found) == 1 and found[0].key == "ma2025decouple"
    assert "same arXiv 2410.06664" in found[0].message
    assert set(lab.library().keys_in_use()) == keys and not deme_entries(lab)
    item = lab.emu.library.item(copy)  # the member's item is left as it is
    assert not item.get("deleted") and "to-read" in tags(item)
    bib = lab.bib.read_bytes()
    again = lab.sync()
    assert lab.bib.read_bytes() == bib
    assert not [c for c in again.changes if c.side == "bib"]
