"""Sync and the canonical form (`genbib.model.canonical`), with pyzotero over HTTP against
the strict emulator: a member's arXiv preprint enters the bib canonical and stays put; a
linked entry the lab has not canonicalised is never rewritten by a sync (only by `genbib
fmt --canonical`); and what `fmt --canonical` derives is never pushed to Zotero.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tests.zotero.test_canonical_mapping import ARXIV_ITEMS

from genbib.bibtex.check import check_library
from genbib.bibtex.reader import parse
from genbib.cli import main
from genbib.model.canonical import PREPRINT_PREFIX
from genbib.model.library import Library
from genbib.sync.state import state_path

from .conftest import Lab  # type: ignore[import-not-found]
from .test_members import create, member  # type: ignore[import-not-found]

# A paper saved from arxiv.org with the Zotero Connector (the arXiv translator's fields
# since Zotero 7: `preprint`, archiveID, repository, the arXiv DOI, `arXiv:ID [cs]`).
DDIM = {
    "itemType": "preprint", "title": "Denoising Diffusion Implicit Models",
    "creators": [{"creatorType": "author", "firstName": "Jiaming", "lastName": "Song"},
                 {"creatorType": "author", "firstName": "Chenlin", "lastName": "Meng"},
                 {"creatorType": "author", "firstName": "Stefano", "lastName": "Ermon"}],
    "abstractNote": "Denoising diffusion probabilistic models (DDPMs) have achieved...",
    "date": "2020-10-06", "repository": "arXiv", "archiveID": "arXiv:2010.02502",
    "DOI": "10.48550/arXiv.2010.02502", "url": "http://arxiv.org/abs/2010.02502",
    "extra": "arXiv:2010.02502 [cs]", "libraryCatalog": "arXiv.org",
    "accessDate": "2024-03-01T09:00:00Z",
    "tags": [{"tag": "Computer Science - Machine Learning", "type": 1}],
}  # fmt: skip


def writes(lab: Lab) -> list[str]:
    """The requests of the last sync that were not reads."""
    recent = lab.emu.requests[len(lab.emu.requests) - lab.last_requests :]
    return [f"{r.method} {r.path}" for r in recent if r.method != "GET"]


def versions(lab: Lab) -> dict[str, int]:
    """Every item's version in the emulator (a write to an item bumps it)."""
    return {k: int(v.get("version", 0)) for k, v in lab.emu.library.items().items()}


def fields(lab: Lab, key: str) -> dict[str, str]:
    e = lab.entry(key)
    return {"@type": e.type, **e.fields}


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {n for n in {*before, *after} if before.get(n) != after.get(n)}


def edit_item(lab: Lab, item: str, **values: Any) -> None:
    zot = member(lab)
    data = zot.item(item)["data"]
    data.update(values)
    zot.update_item(data)


def test_a_members_arxiv_preprint_enters_canonical_and_stays(lab: Lab) -> None:
    (item,) = create(member(lab), DDIM)
    report = lab.sync()
    assert not report.conflicts and not report.failed
    key = lab.state().rows[item].key
    e = lab.entry(key)
    # (a) the canonical preprint: every style prints its venue line
    assert e.type == "misc"
    assert e.get("howpublished") == PREPRINT_PREFIX + "2010.02502"
    assert (e.get("eprint"), e.get("archiveprefix"), e.get("primaryclass")) == (
        "2010.02502",
        "arXiv",
        "cs",
    )
    assert not [p for p in check_library(Library([e])) if p.code.startswith("E015")]
    held = lab.emu.library.item(item)
    assert "tex." not in held["extra"]  # nothing derived was pushed back as noise
    # (b) the next sync is a no-op on both sides
    bib, seen = lab.bib.read_bytes(), versions(lab)
    again = lab.sync()
    assert not again.changes and not writes(lab)
    assert lab.bib.read_bytes() == bib and versions(lab) == seen
    # a member's edit of another field: that field alone comes back, the form stays
    before = fields(lab, key)
    edit_item(lab, item, abstractNote="DDIMs are a more efficient class of models.")
    lab.sync()
    assert changed(before, fields(lab, key)) == {"abstract"} and not writes(lab)
    bib = lab.bib.read_bytes()
    lab.sync()
    assert lab.bib.read_bytes() == bib and not writes(lab)


def test_a_linked_entry_not_canonicalised_is_not_rewritten(lab: Lab) -> None:
    """(c) song2021scorebased is a linked preprint without howpublished: a member's edit
    of its title changes the title in the bib, nothing else (no howpublished appears)."""
    key = "song2021scorebased"
    item = lab.item_key(key)
    assert "howpublished" not in lab.entry(key).fields
    assert lab.emu.library.item(item)["itemType"] == "preprint"
    before = fields(lab, key)
    edit_item(lab, item, title="Score-Based Generative Modeling through SDEs")
    report = lab.sync()
    assert not report.conflicts
    assert changed(before, fields(lab, key)) == {"title"} and not writes(lab)
    assert lab.entry(key).title == "Score-Based Generative Modeling through SDEs"


@pytest.mark.parametrize("member_edit", [False, True], ids=["unchanged", "member edited"])
def test_fmt_canonical_then_sync_pushes_nothing_derived(lab: Lab, member_edit: bool) -> None:
    """(d) `genbib fmt --canonical` on the synced lab bib (a preprint gains howpublished,
    @software and @online become @misc): the next sync writes nothing to Zotero, records
    the canonical form as agreed, and the sync after it is a no-op; with a member's edit
    pending, only that edit moves (into the bib)."""
    song = lab.item_key("song2021scorebased")
    if member_edit:
        edit_item(lab, song, abstractNote="Creating noise from data is easy.")
    items_before = {k: lab.emu.library.item(k) for k in lab.top_items()}
    code = main(["fmt", "--canonical", "--yes", str(lab.bib)])
    assert code in (0, None)
    canonical = lab.library().by_key()
    assert canonical["song2021scorebased"].get("howpublished") == (PREPRINT_PREFIX + "2011.13456")
    assert (canonical["diffusers2022"].type, canonical["weng2021diffusion"].type) == (
        "misc",
        "misc",
    )
    dry = lab.sync(dry_run=True)  # what the run would do: nothing in Zotero
    assert not [c for c in dry.changes if c.side == "zotero"], dry.changes
    report = lab.sync()
    assert not report.conflicts and not report.failed
    assert not [c for c in report.changes if c.side == "zotero"], report.changes
    assert not writes(lab)
    for k, data in items_before.items():  # the members' items as they were
        now = lab.emu.library.item(k)
        assert now["itemType"] == data["itemType"] and now.get("extra") == data.get("extra")
    entry = lab.entry("song2021scorebased")
    assert entry.get("howpublished") == PREPRINT_PREFIX + "2011.13456"  # the bib keeps it
    if member_edit:
        assert entry.get("abstract") == "Creating noise from data is easy."
    row = lab.state().rows[song]
    assert row.fields.get("howpublished") == "{" + PREPRINT_PREFIX + "2011.13456}"
    bib, seen = lab.bib.read_bytes(), versions(lab)
    again = lab.sync()
    assert not again.changes and not writes(lab)
    assert lab.bib.read_bytes() == bib and versions(lab) == seen
    # and a member's later edit comes back alone, the canonical form kept
    before = fields(lab, "song2021scorebased")
    edit_item(lab, song, title="Score SDE")
    lab.sync()
    assert changed(before, fields(lab, "song2021scorebased")) == {"title"}
    assert not writes(lab)


def test_linking_again_does_not_canonicalise_the_bib(lab: Lab) -> None:
    """The sync state lost (deleting it links papers again): the derived values the item
    implies (song2021scorebased's howpublished, diffusers2022's @misc) are no gap to fill,
    so the bib keeps its form; only `fmt --canonical` changes it."""
    bib = lab.bib.read_bytes()
    state_path(lab.bib).unlink()
    report = lab.sync()
    assert not report.conflicts and not report.failed
    assert lab.bib.read_bytes() == bib, [c for c in report.changes if c.side == "bib"]
    assert not [c for c in report.changes if c.side == "zotero"], report.changes
    again = lab.sync()
    assert not again.changes and lab.bib.read_bytes() == bib and not writes(lab)


def test_arxiv_papers_in_every_connector_shape_enter_canonical(
    make_lab: Callable[..., Lab],
) -> None:
    """Members save arXiv papers in each shape the Connector and its translators give
    (`ARXIV_ITEMS`); pulled into an empty bib, each is a canonical preprint `genbib check`
    does not flag, the items keep their type and fields (only the citation key is written
    back), and the next sync is a no-op."""
    lab = make_lab()
    lab.edit(lambda lib: [lib.remove(k) for k in list(lib.by_key())])  # (retires their keys:
    # the shapes hold papers the lab bib does not have, so none is held back as deleted)
    made = dict(zip(create(member(lab), *ARXIV_ITEMS.values()), ARXIV_ITEMS, strict=True))
    report = lab.sync()
    assert not report.conflicts and not report.failed
    rows = lab.state().rows
    lib = lab.library().by_key()
    for item, shape in made.items():
        e = lib[rows[item].key]
        assert e.type == "misc", shape
        assert (e.get("eprint"), e.get("archiveprefix")) == (e.arxiv, "arXiv"), shape
        assert e.get("howpublished") == PREPRINT_PREFIX + (e.arxiv or "?"), shape
        held = lab.emu.library.item(item)
        assert held["itemType"] == ARXIV_ITEMS[shape]["itemType"], shape
        assert "tex." not in held.get("extra", ""), shape
        for name, value in ARXIV_ITEMS[shape].items():
            if name not in ("creators", "tags", "extra"):
                assert held.get(name) == value, (shape, name)
    problems = check_library(lab.library())
    assert not [p for p in problems if p.code.startswith("E015")], problems
    bib, seen = lab.bib.read_bytes(), versions(lab)
    again = lab.sync()
    assert not again.changes and not writes(lab)
    assert lab.bib.read_bytes() == bib and versions(lab) == seen


GOOGLE_SCHOLAR_BIB = """@article{karras2022elucidating,
  author = {Karras, Tero},
  title = {Elucidating the Design Space of Diffusion-Based Generative Models},
  journal = {arXiv preprint arXiv:2206.00364},
  year = {2022},
}
"""


def test_linking_a_preprint_item_to_a_google_scholar_entry(lab: Lab) -> None:
    """The bib has a paper the Google Scholar way (`@article`, `journal = {arXiv preprint
    arXiv:ID}`) and a member saves it from arxiv.org: the two are linked without the
    canonical form entering the bib (no howpublished, eprint or @misc); the entry's own
    fields go to the item as on any link (the bib's copy wins); nothing churns after."""
    lab.edit(lambda lib: lib.add(next(iter(parse(GOOGLE_SCHOLAR_BIB)))))
    (item,) = create(member(lab), ARXIV_ITEMS["preprint"])  # before the entry is synced
    before = fields(lab, "karras2022elucidating")
    report = lab.sync()
    assert not report.failed
    assert lab.item_key("karras2022elucidating") == item  # linked, not a second copy
    after = fields(lab, "karras2022elucidating")
    assert not {"howpublished", "eprint", "archiveprefix"} & set(after)
    assert after["@type"] == "article" and after["journal"] == before["journal"]
    bib, seen = lab.bib.read_bytes(), versions(lab)
    again = lab.sync()
    assert not again.changes and not writes(lab)
    assert lab.bib.read_bytes() == bib and versions(lab) == seen


def test_a_members_second_copy_fills_real_gaps_only(lab: Lab) -> None:
    """A member saves song2021scorebased again from arxiv.org (a `preprint` item): the
    copy is merged into the known item as Zotero merges, and what it knows that the entry
    lacks (its DOI, its URL) comes into the bib, but not the canonical form's values
    (howpublished) the entry has never had."""
    song = {
        **ARXIV_ITEMS["preprint"],
        "title": "Score-Based Generative Modeling through Stochastic Differential Equations",
        "creators": [{"creatorType": "author", "firstName": "Yang", "lastName": "Song"}],
        "archiveID": "arXiv:2011.13456", "DOI": "10.48550/arXiv.2011.13456",
        "url": "http://arxiv.org/abs/2011.13456", "extra": "arXiv:2011.13456 [cs]",
    }  # fmt: skip
    before = fields(lab, "song2021scorebased")
    create(member(lab), song)
    report = lab.sync()
    assert not report.failed
    assert [p for p in report.zotero.problems if p.code == "SYNC_DUPLICATE"]  # type: ignore[union-attr]
    after = fields(lab, "song2021scorebased")
    assert "howpublished" not in after and after["@type"] == before["@type"]
    assert changed(before, after) <= {"doi", "url", "abstract", "month"}, after
    bib, seen = lab.bib.read_bytes(), versions(lab)
    again = lab.sync()
    assert not again.changes and not writes(lab)
    assert lab.bib.read_bytes() == bib and versions(lab) == seen


def test_a_canonicalised_journal_article_keeps_its_item_type_on_a_later_edit(
    lab: Lab,
) -> None:
    """A Google Scholar `@article` linked to a member's journalArticle item, then brought
    to the canonical form (`@misc`): a later bib edit (keywords, a title) must not turn
    the member's item into a preprint, nor drop its journal fields."""
    lab.edit(lambda lib: lib.add(next(iter(parse(GOOGLE_SCHOLAR_BIB)))))
    lab.sync()
    item = lab.item_key("karras2022elucidating")
    held = lab.emu.library.item(item)
    assert held["itemType"] == "journalArticle"
    assert main(["fmt", "--canonical", "--yes", str(lab.bib)]) in (0, None)
    assert lab.entry("karras2022elucidating").type == "misc"
    lab.sync()

    def edit(lib: Library) -> None:
        e = lib.by_key()["karras2022elucidating"]
        e.set("keywords", "diffusion, sampling")
        e.set("title", "Elucidating the Design Space of Diffusion Models")

    lab.edit(edit)
    report = lab.sync()
    assert not report.failed and not report.conflicts
    now = lab.emu.library.item(item)
    assert now["itemType"] == "journalArticle", now
    assert now["title"] == "Elucidating the Design Space of Diffusion Models"
    assert now.get("publicationTitle") == held.get("publicationTitle")
    assert {t["tag"] for t in now.get("tags", [])} >= {"diffusion", "sampling"}
