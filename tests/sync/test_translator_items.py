"""Every item the Zotero Connector's translators save for the sites an ML lab uses
(`../shared/realworld/zotero-translator-items/`, the translators' own test cases), saved
through pyzotero with its attachments, notes and tags, then synced: into an empty bib, and
into a bib that already holds some of the papers.

Asserted: one entry per paper with the right type, title, authors, identifiers and venue;
every member's item, child and tag still in Zotero (a merged copy in the trash, its
children and tags on the surviving item); a second sync writes nothing, bib byte-identical.
"""

from __future__ import annotations

import json
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

ROOT = Path(__file__).resolve().parents[2]
_CANDIDATES = [p / "shared" / "realworld" / "zotero-translator-items" for p in ROOT.parents]
CORPUS = next((p for p in _CANDIDATES if p.is_dir()), _CANDIDATES[0])
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/realworld not present")

_DROP = {"itemID", "attachments", "notes", "seeAlso", "detectedItemType"}


def translator_items() -> list[tuple[str, dict[str, Any]]]:
    """(where it comes from, the item as the Connector saves it) for every test case."""
    out = []
    for path in sorted(CORPUS.glob("*.testCases.json")):
        for n, case in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            items = case.get("items")
            if isinstance(items, list):
                out.extend(
                    (f"{path.name.split('.')[0]} #{n}.{i}", it) for i, it in enumerate(items)
                )
    return out


def as_saved(raw: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The item and its children as the Connector sends them to Zotero."""
    item = {k: v for k, v in raw.items() if k not in _DROP}
    item["tags"] = [t if isinstance(t, dict) else {"tag": t} for t in raw.get("tags", [])]
    # the client keeps only these creator properties when it saves (`Zotero.Creators`)
    item["creators"] = [
        {k: v for k, v in c.items() if k in ("creatorType", "firstName", "lastName", "name")}
        for c in raw.get("creators", [])
    ]
    kids: list[dict[str, Any]] = []
    for a in raw.get("attachments", []):
        mime = a.get("mimeType") or ""
        linked = a.get("snapshot") is False
        kids.append({
            "itemType": "attachment", "title": a.get("title", ""),
            "linkMode": "linked_url" if linked else "imported_url",
            "url": a.get("url") or raw.get("url") or "https://example.org/fulltext",
            "contentType": mime,
            **({} if linked else {"filename": "Full Text.pdf" if "pdf" in mime else "Snapshot.html"}),
        })  # fmt: skip
    for note in raw.get("notes", []):
        text = note["note"] if isinstance(note, dict) else note
        kids.append({"itemType": "note", "note": text})
    return item, kids


Saved = dict[str, tuple[list[str], set[str]]]  # item key -> (its children, its tags)


def save_all(lab: Lab, items: list[dict[str, Any]]) -> tuple[Saved, list[dict[str, Any]]]:
    """Save through pyzotero as members' Connectors would; what was saved, and the items
    the server took (a server whose schema lacks an item type refuses that item)."""
    zot = member(lab)
    saved: Saved = {}
    took = []
    for raw in items:
        item, kids = as_saved(raw)
        answer = zot.create_items([item])
        if answer["failed"] and "itemType" in str(answer["failed"]):
            continue
        assert not answer["failed"], (answer["failed"], item)
        took.append(raw)
        key = answer["successful"]["0"]["key"]
        children = []
        if kids:
            answer = zot.create_items([{**k, "parentItem": key} for k in kids])
            assert not answer["failed"], (answer["failed"], kids)
            children = [answer["successful"][str(i)]["key"] for i in range(len(kids))]
        saved[key] = (children, {t["tag"] for t in item["tags"]})
    return saved, took


def norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", latex_to_text(text).lower())


def check_everything_kept(lab: Lab, saved: Saved) -> None:
    """Every member's item, child and tag is still in Zotero (or merged: trash + survivor)."""
    items = lab.emu.library.items()
    replaced_by = {
        uri.rsplit("/", 1)[-1]: key
        for key, data in items.items()
        for uri in (data.get("relations") or {}).get("dc:replaces", [])
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


def check_entries(lab: Lab, raws: list[dict[str, Any]]) -> None:
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
    for raw in raws:
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
    saved, raws = save_all(lab, [raw for _, raw in translator_items()])
    assert len(raws) > 100, len(raws)
    sync_twice(lab)
    check_everything_kept(lab, saved)
    check_entries(lab, raws)


def test_every_translator_item_syncs_into_a_bib_holding_some_papers(empty_lab: Lab) -> None:
    lab = empty_lab
    everything = [raw for _, raw in translator_items()]
    saved, _ = save_all(lab, everything[::3])
    lab.sync()
    # the bib now holds a third of the papers; members save every item again (copies of
    # those) and the rest: the copies are merged into the items already synced
    more, raws = save_all(lab, everything)
    saved.update(more)
    sync_twice(lab)
    check_everything_kept(lab, saved)
    check_entries(lab, raws)
