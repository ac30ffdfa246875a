"""Real Connector items (the Zotero translators' own test cases) save through pyzotero into
the strict emulator: if one is refused, the emulator is wrong, not the item."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from pyzotero import zotero

from genbib.testing.zotero import ZoteroEmulator, translator_items
from genbib.testing.zotero.fixtures import ConnectorLibrary
from genbib.testing.zotero.translator_items import TranslatorItem, with_parent


@pytest.fixture(scope="module")
def items() -> list[TranslatorItem]:
    return translator_items.load()


def create(zot: zotero.Zotero, objects: list[dict[str, Any]]) -> list[str]:
    """pyzotero's create_items, 50 at a time; the keys in order (every object must pass)."""
    keys: list[str] = []
    for start in range(0, len(objects), 50):
        answer = zot.create_items(objects[start : start + 50])
        assert answer["failed"] == {}, answer["failed"]
        keys += [answer["success"][str(i)] for i in range(len(objects[start : start + 50]))]
    return keys


def test_the_shared_cases_are_all_there(items: list[TranslatorItem]) -> None:
    sources = Counter(i.source for i in items)
    assert len(sources) == 12 and len(items) >= 120
    types = Counter(i.parent["itemType"] for i in items)
    assert types["journalArticle"] > 40 and types["conferencePaper"] > 20
    assert sum(len(i.attachments) for i in items) > 100
    assert sum(len(i.notes) for i in items) > 0
    assert len({i.name for i in items}) == len(items)


def test_every_item_with_its_children_saves_through_pyzotero(
    zotero_server: ZoteroEmulator, zot: zotero.Zotero, items: list[TranslatorItem]
) -> None:
    """The Connector's save: the parent item, then its notes and attachments as children."""
    parents = create(zot, [dict(i.parent) for i in items])
    children: list[dict[str, Any]] = []
    for key, item in zip(parents, items, strict=True):
        children += with_parent(item.children, key)
    child_keys = create(zot, children)
    lib = zotero_server.library
    assert len(lib.items()) == len(items) + len(children)
    for key, item in zip(parents, items, strict=True):
        stored = lib.item(key)
        for name, value in item.parent.items():
            assert stored[name] == (value.strip() if isinstance(value, str) else value), (
                item.name,
                name,
            )
        assert len(lib.children(key)) == len(item.children), item.name
    modes = Counter(lib.item(k).get("linkMode") for k in child_keys)
    assert modes["imported_url"] > 80 and modes["linked_url"] > 0
    assert modes[None] == sum(len(i.notes) for i in items)  # the notes


def test_conversion_follows_what_zotero_saves(items: list[TranslatorItem]) -> None:
    by_name = {i.name: i for i in items}
    # translator tags are automatic tags (type 1)
    tagged = [i for i in items if i.parent["tags"]]
    assert tagged and all(t.get("type") == 1 for i in tagged for t in i.parent["tags"])
    # single-field creators
    single = [c for i in items for c in i.parent["creators"] if "name" in c]
    assert single and all(set(c) == {"creatorType", "name"} for c in single)
    # a PDF is a stored file, `snapshot: false` a link
    pdfs = [a for i in items for a in i.attachments if a["contentType"] == "application/pdf"]
    assert pdfs and all(
        a["linkMode"] == "imported_url" and a["filename"].endswith(".pdf") for a in pdfs
    )
    links = [a for i in items for a in i.attachments if a["linkMode"] == "linked_url"]
    assert links and all("filename" not in a and a["url"] for a in links)
    # a creator type the item type lacks becomes its primary one (Crossref dataset case)
    dataset = next(i for i in by_name.values() if i.parent["itemType"] == "dataset")
    assert all(c["creatorType"] != "translator" for c in dataset.parent["creators"])


def test_loading_is_deterministic() -> None:
    assert translator_items.load() == translator_items.load()


def test_seed_helper_keeps_children_with_their_parent(
    zotero_server: ZoteroEmulator, items: list[TranslatorItem]
) -> None:
    papers = list(translator_items.iter_papers(items))[:60]
    made = translator_items.seed(zotero_server.library, papers)
    assert len(made) == 60
    for (key, kids), item in zip(made.items(), papers, strict=True):
        assert sorted(kids) == sorted(zotero_server.library.children(key))
        assert len(kids) == len(item.children)


def test_base_fields_and_homeless_fields(zotero_server: ZoteroEmulator) -> None:
    """A base field goes to the type's own field (publicationTitle -> proceedingsTitle, as
    Zotero's setField maps it); a field with no home becomes an `extra` line."""
    raw = {
        "itemType": "conferencePaper",
        "title": "Attention Is All You Need",
        "publicationTitle": "NeurIPS",
        "reporter": "nowhere",
        "extra": "arXiv: 1706.03762",
        "creators": [{"lastName": "Vaswani", "firstName": "Ashish", "creatorType": "author"}],
        "tags": ["transformers", {"tag": "to-read", "type": 0}],
        "notes": [{"note": "<p>seminal</p>"}],
        "attachments": [{"title": "Snapshot", "mimeType": "text/html"}],
        "seeAlso": [],
        "itemID": "x",
    }
    item = translator_items.convert(raw, zotero_server.schema, url="https://papers.nips.cc/x")
    assert item.parent["proceedingsTitle"] == "NeurIPS" and "publicationTitle" not in item.parent
    assert item.parent["extra"] == "arXiv: 1706.03762\nReporter: nowhere"
    assert item.parent["tags"] == [{"tag": "transformers", "type": 1}, {"tag": "to-read"}]
    assert item.notes == [
        {"itemType": "note", "note": "<p>seminal</p>", "tags": [], "relations": {}}
    ]
    (snapshot,) = item.attachments
    assert snapshot["linkMode"] == "imported_url" and snapshot["filename"] == "Snapshot.html"
    assert snapshot["url"] == "https://papers.nips.cc/x" and snapshot["charset"] == "utf-8"
    made = translator_items.seed(zotero_server.library, [item])
    (key,) = made
    assert len(made[key]) == 2


def test_connector_library_fixture(connector_library: ConnectorLibrary) -> None:
    lib = connector_library.emu.library
    assert len(connector_library.items) > 100
    for key, item in connector_library.items.items():
        assert lib.item(key)["itemType"] == item.parent["itemType"]
        assert sorted(lib.children(key)) == sorted(connector_library.children[key])
