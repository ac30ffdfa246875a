"""What the Zotero Connector really saves (the translators' own test cases), through the mapping.

Table-driven over every item of ../shared/realworld/zotero-translator-items: each maps to
one entry with the right type, title, people, identifiers, venue, year and keywords (the
member's manual tag; the translator's automatic tags only when configured), no Connector
noise; and a bib-side edit pushed back (item -> entry -> partial update -> item) loses no
field, tag, extra line or child a member had.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.fuzz.targets import assert_neutral_bib
from tests.zotero.realworld import MEMBER_TAG, as_saved, translator_items, type_fields
from tests.zotero.test_itemtypes import apply_patch, assert_accepted

from genbib.model.canonical import canonicalize
from genbib.model.entry import Entry
from genbib.model.library import Library
from genbib.zotero import itemtypes
from genbib.zotero.mapping import (
    from_item,
    genbib_extra_line,
    item_type,
    needs_current,
    read_children,
    update_item,
)
from genbib.zotero.text import latex_to_text, split_keywords, text_to_latex

ITEMS = translator_items()
IDS = [name for name, _ in ITEMS]
# Zotero fields the bib has no home for: they stay in Zotero, never in the bib.
NOISE = ("language", "accessdate", "librarycatalog", "rights", "archive", "archivelocation",
         "callnumber", "journalabbreviation", "extra", "note", "itemid", "court", "reporter")  # fmt: skip
# Zotero venue field -> the bib field it must land in.
VENUE = {"publicationTitle": ("journal", "booktitle", "howpublished"),
         "proceedingsTitle": ("booktitle",), "bookTitle": ("booktitle",),
         "blogTitle": ("howpublished",), "university": ("school",),
         "institution": ("institution", "address")}  # fmt: skip


def _plain(text: str) -> str:
    return " ".join(latex_to_text(text).split())


def _same_text(bib: str | None, zotero: str) -> bool:
    """The bib value reads as the Zotero text (neutralised: see text_to_latex)."""
    return _plain(bib or "") == _plain(text_to_latex(zotero))


def _people(item: dict[str, Any]) -> list[dict[str, str]]:
    primary = itemtypes.primary_creator(item["itemType"])
    return [c for c in item.get("creators", []) if c["creatorType"] in ("author", primary)]


@pytest.mark.parametrize("name,item", ITEMS, ids=IDS)
def test_connector_item_to_entry(name: str, item: dict[str, Any]) -> None:
    data, kids = as_saved(item)
    entry = from_item(data, read_children(kids))
    itype = item["itemType"]
    probe = Entry(itemtypes.BIB_TYPES[itype], "", dict(entry.fields))
    canonicalize(probe)
    assert entry.type == probe.type  # the canonical form of the item type's entry type
    assert item_type(entry) == itype  # the member's type survives (entrysubtype if needed)
    title = item.get("title") or item.get("caseName") or ""
    assert _same_text(entry.get("title"), title), (entry.get("title"), title)
    people = _people(data)  # as saved: a creator type the item type lacks became its primary one
    authors = entry.names("author")
    assert len(authors) == len(people)
    for person, c in zip(authors, people, strict=True):
        assert _plain(f"{person.von} {person.last}".strip()) in " ".join(
            (c.get("lastName") or c.get("name") or "").split()
        )
    doi = item.get("DOI") or next(
        (
            line[4:].strip()
            for line in item.get("extra", "").splitlines()
            if line.startswith("DOI:")
        ),
        None,
    )
    assert entry.get("doi") == doi
    for zfield, fields in VENUE.items():
        if item.get(zfield):
            assert any(_same_text(entry.get(f), item[zfield]) for f in fields), zfield
    if (
        itype == "conferencePaper"
        and not item.get("proceedingsTitle")
        and item.get("conferenceName")
    ):
        assert _same_text(entry.get("booktitle"), item["conferenceName"])
    date = item.get("date") or item.get("dateDecided") or ""
    year = re.search(r"\b(\d{4})\b", date)
    assert entry.get("year") == (year.group(1) if year else None)
    if item.get("shortTitle"):
        assert _same_text(entry.get("shortname"), item["shortTitle"])
    assert entry.get("keywords") == MEMBER_TAG  # automatic tags stay in Zotero
    assert not [f for f in NOISE if f in entry.fields], entry.fields
    # Every PDF attachment's URL is a `pdf` link, and nothing else is. (The test cases give
    # attachments no URL of their own: the fixtures use the page's, which the entry may
    # also hold as its `url`; such a PDF may or may not be listed again.)
    pdfs = {k["url"] for k in kids if k.get("contentType") == "application/pdf" and k["url"]}
    got = set((entry.get("pdf") or "").split())
    assert got <= pdfs
    assert pdfs - {item.get("url")} <= got
    for link in ("code", "project", "blog", "video"):
        assert link not in entry.fields  # no attachment of these pages is a code/project link
    lib = Library(blocks=[Entry(entry.type, entry.key or "k", entry.fields)])
    assert_neutral_bib(lib)


@pytest.mark.parametrize("name,item", ITEMS, ids=IDS)
def test_automatic_tags_only_when_configured(name: str, item: dict[str, Any]) -> None:
    data, kids = as_saved(item)
    entry = from_item(data, read_children(kids), automatic_tags=True)
    words = {latex_to_text(k) for k in split_keywords(entry.get("keywords") or "")}
    assert words == {" ".join(t["tag"].split()) for t in data["tags"]}


@pytest.mark.parametrize("name,item", ITEMS, ids=IDS)
def test_bib_edit_pushed_back_loses_nothing(name: str, item: dict[str, Any]) -> None:
    """Pull, edit in the bib (a keyword added, the member's tag removed, a field of genbib's
    own), push the partial update the server applies: every field, tag and extra line of the
    member's is still there, and pulling the result gives the edited entry (nothing more to
    sync)."""
    schema = type_fields()
    data, kids = as_saved(item)
    entry = from_item(data, read_children(kids))
    edited = Entry(entry.type, entry.key, dict(entry.fields))
    edited.set("keywords", "diffusion")  # "to-read" removed, "diffusion" added
    edited.set("presentation", "Oral")  # a field Zotero has no home for
    assert needs_current(edited, entry, schema=schema)
    payload = update_item(edited, entry, data, schema=schema)
    assert_accepted(payload, data["itemType"])
    assert "attachments" not in payload and "notes" not in payload
    result = apply_patch(data, payload)
    for field, value in data.items():
        if field in ("tags", "extra"):
            continue
        assert result.get(field) == value, (field, value, result.get(field))
    tags = {(t["tag"], t.get("type", 0)) for t in result["tags"]}
    automatic = {(t["tag"], 1) for t in data["tags"] if t.get("type") == 1}
    assert tags == automatic | {("diffusion", 0)}  # only the member's removed tag went
    theirs = [
        line for line in str(data.get("extra") or "").splitlines() if not genbib_extra_line(line)
    ]
    lines = str(result.get("extra") or "").splitlines()
    assert all(line in lines for line in theirs)
    assert "tex.presentation: Oral" in lines
    again = from_item(result, read_children(kids), base=edited)
    assert (again.type, again.fields) == (edited.type, edited.fields)
    # nothing of the children is genbib's to change
    assert not [c for c in read_children(kids) if c.owned]


def test_an_unchanged_push_leaves_tags_and_extra_alone() -> None:
    """An update that changes no keyword and no line of extra names neither: the server
    keeps the member's tags and extra as they are (partial update)."""
    data, kids = as_saved(next(i for n, i in ITEMS if n.startswith("IEEE")))
    entry = from_item(data, read_children(kids))
    edited = Entry(entry.type, entry.key, dict(entry.fields))
    edited.set("title", "Fuzzy Turing Machines: Variants and Universality (revised)")
    assert not needs_current(edited, entry, schema=type_fields())
    payload = update_item(edited, entry, schema=type_fields())
    assert payload == {
        "itemType": "journalArticle",
        "title": "Fuzzy Turing Machines: Variants and Universality (revised)",
    }


@pytest.mark.parametrize("schema_kind", ["zotero8", "zotero7"])
@pytest.mark.parametrize("name,item", ITEMS, ids=IDS)
def test_the_first_sync_writes_only_the_key(
    name: str, item: dict[str, Any], schema_kind: str
) -> None:
    """A member's item pulled into the bib gets its citation key written back, and nothing
    else of it is rewritten (its date, people, abstract, type, extra lines stay as saved);
    with nothing changed, an update writes nothing at all."""
    schema = dict(type_fields())
    if schema_kind == "zotero7":  # no native citationKey: the key is an extra line
        schema = {t: f - {"citationKey"} for t, f in schema.items()}
    data, kids = as_saved(item)
    pulled = from_item(data, read_children(kids))
    keyed = Entry(pulled.type, "member2024item", dict(pulled.fields))
    payload = update_item(keyed, pulled, data, schema=schema)
    if schema_kind == "zotero8":
        assert payload == {"itemType": item["itemType"], "citationKey": "member2024item"}
    else:
        assert set(payload) == {"itemType", "extra"}
        lines = payload["extra"].splitlines()
        assert lines[0] == "Citation Key: member2024item"
        assert lines[1:] == [x for x in (data.get("extra") or "").splitlines() if x.strip()]
    assert update_item(keyed, keyed, {**data, **payload}, schema=schema) == {
        "itemType": item["itemType"]
    }
