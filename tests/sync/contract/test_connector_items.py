"""Real Connector items (the Zotero translators' own test cases) saved through pyzotero into
the strict emulator, then synced into an empty bib (issue 13, "Must show").

What genbib once got wrong here (members' tags dropped by a pushed `tags: []`, duplicate
items DELETEd, Connector fields rewritten) is fixed (issue 13) and asserted plainly; a
merged copy's children and tags are checked on the item that replaced it.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from pyzotero import zotero

from genbib.bibtex.store import edit
from genbib.testing.zotero import ZoteroEmulator, translator_items
from genbib.testing.zotero.translator_items import TranslatorItem, with_parent
from genbib.zotero.text import latex_to_text

from ..conftest import Lab

SSL = ssl.create_default_context()
SERVER_MANAGED = ("version", "dateModified")


def pyzotero_for(emu: ZoteroEmulator) -> zotero.Zotero:
    http = httpx2.Client(follow_redirects=True, timeout=30, verify=SSL)
    client = zotero.Zotero(emu.group_id, "group", emu.api_key, client=http)
    client.endpoint = emu.url
    return client


def save(zot: zotero.Zotero, objects: list[dict[str, Any]]) -> list[str]:
    keys: list[str] = []
    for start in range(0, len(objects), 50):
        batch = objects[start : start + 50]
        answer = zot.create_items(batch)
        assert answer["failed"] == {}, answer["failed"]
        keys += [answer["success"][str(i)] for i in range(len(batch))]
    return keys


def letters(text: str, *, latex: bool = False) -> str:
    """Letters and digits only, markup gone: the same title in bib or in Zotero compares
    equal (`\\&` and `&`, `{GAN}s` and `GANs`, `<i>Salmo</i>` and `Salmo`)."""
    text = latex_to_text(text) if latex else text
    return re.sub(r"[\W_]+", "", re.sub(r"<[^>]+>", "", text)).lower()


@dataclass
class Synced:
    lab: Lab
    papers: list[TranslatorItem]
    keys: list[str]  # the member items, in `papers` order
    before: dict[str, dict[str, Any]]  # every item as the members left it
    after: dict[str, dict[str, Any]]  # every item after the first sync
    bib: str  # the bib after the first sync


@pytest.fixture(scope="module")
def papers() -> list[TranslatorItem]:
    return list(translator_items.iter_papers(translator_items.load()))


@pytest.fixture
def synced(make_lab: Callable[..., Lab], papers: list[TranslatorItem]) -> Synced:
    lab = make_lab()
    lab.bib.write_text("", encoding="utf-8")
    zot = pyzotero_for(lab.emu)
    keys = save(zot, [dict(p.parent) for p in papers])
    children: list[dict[str, Any]] = []
    for key, paper in zip(keys, papers, strict=True):
        children += with_parent(paper.children, key)
    save(zot, children)
    before = lab.emu.library.items()
    lab.emu.reset_counters()
    report = lab.sync()
    assert report.failed == 0
    refused = [(r.method, r.route, r.status) for r in lab.emu.requests if r.status >= 400]
    assert refused == []  # every write genbib made, the strict server accepted
    return Synced(lab, papers, keys, before, lab.emu.library.items(), lab.bib.read_text())


def test_one_entry_per_paper_with_type_title_and_doi(synced: Synced) -> None:
    lib = synced.lab.library()
    entries = lib.by_key()
    assert 100 <= len(entries) <= len(synced.papers)
    entry_of = {row.item: key for key, row in synced.lab.state().by_key().items()}
    kinds = {"journalArticle": "article", "conferencePaper": "inproceedings",
             "bookSection": "incollection", "book": "book"}  # fmt: skip
    paired = 0
    for item, paper in zip(synced.keys, synced.papers, strict=True):
        if item not in entry_of:
            continue  # merged into its duplicate (see the tests below)
        paired += 1
        entry = entries[entry_of[item]]
        assert letters(entry.get("title") or "", latex=True) == letters(
            paper.parent.get("title", "")
        ), paper.name
        kind = kinds.get(paper.parent["itemType"])
        if kind:
            assert entry.type.lower() == kind, (paper.name, entry.type)
        if paper.parent.get("DOI"):
            assert (entry.get("doi") or "").lower() == paper.parent["DOI"].lower(), paper.name
        if any(c["creatorType"] in ("author", "editor") for c in paper.parent["creators"]):
            assert entry.get("author") or entry.get("editor"), paper.name
    assert paired == len(entries) and len(synced.papers) - paired <= 4


def test_second_sync_writes_nothing_and_leaves_the_bib_identical(synced: Synced) -> None:
    lab = synced.lab
    lab.emu.reset_counters()
    report = lab.sync()
    assert report.zotero is not None and report.zotero.changed == 0
    assert [r for r in lab.emu.requests if r.method != "GET"] == []
    assert lab.bib.read_text() == synced.bib


def replaced_by(synced: Synced) -> dict[str, str]:
    """Trashed copy -> the item that replaced it in a merge (`dc:replaces`)."""
    out = {}
    for key, data in synced.after.items():
        value = (data.get("relations") or {}).get("dc:replaces") or []
        for uri in [value] if isinstance(value, str) else value:
            out[str(uri).rsplit("/", 1)[-1]] = key
    return out


def test_children_of_kept_items_are_untouched(synced: Synced) -> None:
    """Children are never changed, but a merged copy's move to the surviving item (as
    Zotero's "Merge Items" moves them: `parentItem`)."""
    merged = replaced_by(synced)
    for key, data in synced.before.items():
        if data.get("parentItem") and key in synced.after:
            after = dict(synced.after[key])
            old = data["parentItem"]
            if after["parentItem"] != old:
                assert synced.after[old].get("deleted") and merged.get(old) == after["parentItem"]
                after["parentItem"] = old
            assert {k: v for k, v in after.items() if k not in SERVER_MANAGED} == {
                k: v for k, v in data.items() if k not in SERVER_MANAGED
            }


def test_member_tags_are_never_dropped(synced: Synced) -> None:
    """Every tag stays on its item; a merged copy's tags are on the surviving item too."""
    merged = replaced_by(synced)

    def tags(data: dict[str, Any]) -> set[tuple[str, int]]:
        return {(t["tag"], int(t.get("type", 0))) for t in data["tags"]}

    for key, data in synced.before.items():
        if key in synced.after:
            assert tags(data) <= tags(synced.after[key]), key
            if key in merged:
                assert tags(data) <= tags(synced.after[merged[key]]), key


def test_no_member_item_is_permanently_deleted(synced: Synced) -> None:
    lost = set(synced.before) - set(synced.after)
    assert lost == set()
    trashed = [k for k, d in synced.after.items() if d.get("deleted")]
    for key in trashed:
        survivors = [
            d for d in synced.after.values()
            if synced.lab.emu.library.uri(key) in str(d.get("relations", {}).get("dc:replaces", ""))
        ]  # fmt: skip
        assert len(survivors) == 1


def test_member_fields_are_not_rewritten(synced: Synced) -> None:
    owned = {"citationKey", "version", "dateModified", "tags"}  # tags: the test above
    for key, data in synced.before.items():
        after = synced.after.get(key)
        if after is None or data.get("parentItem"):
            continue
        for name, value in data.items():
            if name not in owned and value not in ("", [], {}):
                assert after.get(name) == value, (key, name)


def test_member_attachments_never_become_code_or_project_links(synced: Synced) -> None:
    for entry in synced.lab.library():
        assert entry.get("project") is None and entry.get("code") is None, entry.key


def test_into_a_bib_that_already_holds_some_of_the_papers(
    synced: Synced, make_lab: Callable[..., Lab]
) -> None:
    """The same Connector items synced into a bib that already has every third paper (as
    the first lab's sync wrote them, without its state): each paper is paired with its
    entry, nothing is duplicated, no entry is renamed."""
    first = synced.lab.library()
    kept = [e for i, e in enumerate(sorted(first, key=lambda e: e.key)) if i % 3 == 0]
    lab = make_lab()
    lab.bib.write_text("", encoding="utf-8")
    with edit(lab.bib) as lib:
        for entry in kept:
            lib.add(entry)
    zot = pyzotero_for(lab.emu)
    keys = save(zot, [dict(p.parent) for p in synced.papers])
    children: list[dict[str, Any]] = []
    for key, paper in zip(keys, synced.papers, strict=True):
        children += with_parent(paper.children, key)
    save(zot, children)
    report = lab.sync()
    assert report.failed == 0
    after = lab.library().by_key()
    assert {e.key for e in kept} <= set(after)  # kept their keys
    assert len(after) == len(first.by_key())  # one entry per paper, as before
    rows = lab.state().by_key()
    assert len({rows[k].item for k in after}) == len(after)
