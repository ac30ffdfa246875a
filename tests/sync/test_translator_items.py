"""Every item the Zotero Connector's translators save for the sites an ML lab uses
(`../shared/realworld/zotero-translator-items/`, the translators' own test cases), saved
through pyzotero with its attachments, notes and tags, then synced: into an empty bib, and
into a bib that already holds some of the papers.

Asserted: one entry per paper with the right type, title, authors, identifiers and venue;
every member's item, child and tag still in Zotero (a merged copy in the trash, its
children and tags on the surviving item); a second sync writes nothing, bib byte-identical.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from genbib.bibtex.store import edit
from genbib.model.entry import Entry
from genbib.zotero.text import latex_to_text

from .conftest import Lab  # type: ignore[import-not-found]
from .test_members import member  # type: ignore[import-not-found]

try:
    from genbib.testing.zotero import translator_items as ti

    ITEMS = ti.load()
except FileNotFoundError:  # the shared corpus is not next to the repository
    ITEMS = []
pytestmark = pytest.mark.skipif(not ITEMS, reason="../shared/realworld not present")

Saved = dict[str, tuple[list[str], set[str]]]  # item key -> (its children, its tags)


def save_all(lab: Lab, items: list[ti.TranslatorItem]) -> Saved:
    """Save through pyzotero as members' Connectors do (the item, then its children)."""
    zot = member(lab)
    saved: Saved = {}
    for it in items:
        answer = zot.create_items([dict(it.parent)])
        assert not answer["failed"], (answer["failed"], it.name)
        key = answer["successful"]["0"]["key"]
        children = []
        if it.children:
            answer = zot.create_items(ti.with_parent(it.children, key))
            assert not answer["failed"], (answer["failed"], it.name)
            children = [answer["successful"][str(i)]["key"] for i in range(len(it.children))]
        saved[key] = (children, {t["tag"] for t in it.parent.get("tags", [])})
    return saved


def norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", latex_to_text(text).lower())


def replaces(data: dict[str, Any]) -> list[str]:
    """An item's `dc:replaces` URIs (the API gives one as a string, several as a list)."""
    value = (data.get("relations") or {}).get("dc:replaces") or []
    return [value] if isinstance(value, str) else list(value)


def check_everything_kept(lab: Lab, saved: Saved) -> None:
    """Every member's item, child and tag is still in Zotero (or merged: trash + survivor)."""
    items = lab.emu.library.items()
    replaced_by = {
        uri.rsplit("/", 1)[-1]: key for key, data in items.items() for uri in replaces(data)
    }
    for key, (children, tags) in saved.items():
        assert key in items, f"member's item {key} deleted"
        holder = key
        if items[key].get("deleted"):
            assert key in replaced_by, f"member's item {key} trashed, not merged"
            holder = replaced_by[key]
        for child in children:
            assert child in items, f"member's child {child} deleted"
            assert items[child]["parentItem"] in (key, holder)
            assert not items[child].get("deleted")
        have = {t["tag"] for t in items[holder].get("tags", [])}
        assert tags <= have, (key, tags - have)


def first_author(raw: dict[str, Any]) -> str:
    """The first author's last name ("" when the item names no author: a bookAuthor or a
    contributor has no place in the bib's author list, and stays in Zotero)."""
    names = [
        c.get("lastName") or c.get("name") or ""
        for c in raw.get("creators", [])
        if c.get("creatorType") in ("author", "programmer", "presenter")
    ]
    return norm(names[0]) if names else ""


def check_entries(lab: Lab, items: list[ti.TranslatorItem]) -> None:
    """One entry per paper, with its type, title, authors, identifiers and venue.

    A paper is its DOI where it has one, else its title and first author (the test
    cases hold different papers titled "[No title found]")."""
    lib = lab.library()
    by_doi: dict[str, list[Entry]] = {}
    by_title: dict[str, list[Entry]] = {}
    for e in lib:
        if e.doi:
            by_doi.setdefault(e.doi.lower(), []).append(e)
        by_title.setdefault(norm(e.get("title") or ""), []).append(e)
    for it in items:
        raw = it.parent
        title = raw.get("title") or raw.get("caseName") or ""
        doi = (raw.get("DOI") or "").lower()
        author = first_author(raw)
        if doi:
            found = by_doi.get(doi, [])
        else:
            found = [
                e for e in by_title.get(norm(title), []) if author in norm(e.get("author") or "")
            ]
        assert len(found) == 1, (title, doi, [e.key for e in found])
        e = found[0]
        assert norm(e.get("title") or "") == norm(title) or doi, (e.key, title)
        assert author in norm(e.get("author") or "") or doi, (e.key, author, e.get("author"))
        venue = raw.get("publicationTitle") or raw.get("proceedingsTitle") or raw.get("bookTitle")
        if venue and raw["itemType"] in ("journalArticle", "conferencePaper", "bookSection"):
            held = e.get("journal") or e.get("booktitle") or ""
            assert norm(venue) == norm(held) or doi, (e.key, venue, held)
            want = {"journalArticle": "article", "conferencePaper": "inproceedings",
                    "bookSection": "incollection"}[raw["itemType"]]  # fmt: skip
            assert e.type == want or doi, (e.key, e.type, raw["itemType"])


def sync_twice(lab: Lab) -> None:
    report = lab.sync()
    assert not report.failed, [p.message for p in report.zotero.problems if p.code == "SYNC_FAILED"]  # type: ignore[union-attr]
    bib = lab.bib.read_bytes()
    again = lab.sync()
    assert not again.changes and lab.bib.read_bytes() == bib, again.changes


@pytest.fixture
def empty_lab(make_lab: Callable[..., Lab], tmp_path: Path) -> Lab:
    lab = make_lab()
    with edit(lab.bib) as lib:
        for key in list(lib.by_key()):
            lib.remove(key)
    return lab


def test_every_translator_item_syncs_into_an_empty_bib(empty_lab: Lab) -> None:
    lab = empty_lab
    assert len(ITEMS) > 100
    saved = save_all(lab, ITEMS)
    sync_twice(lab)
    check_everything_kept(lab, saved)
    check_entries(lab, ITEMS)


def test_every_translator_item_syncs_into_a_bib_holding_some_papers(empty_lab: Lab) -> None:
    lab = empty_lab
    saved = save_all(lab, ITEMS[::3])
    lab.sync()
    # the bib now holds a third of the papers; members save every item again (copies of
    # those) and the rest: the copies are merged into the items already synced
    saved.update(save_all(lab, ITEMS))
    sync_twice(lab)
    check_everything_kept(lab, saved)
    check_entries(lab, ITEMS)
