"""The item-type tables against Zotero's real schema (../shared/realworld/zotero-schema)."""

from __future__ import annotations

import pytest
from tests.zotero.realworld import creator_types, schema, type_fields

from genbib.model.canonical import canonicalize, undo_derived
from genbib.model.entry import Entry
from genbib.zotero import itemtypes
from genbib.zotero.mapping import from_item, item_type, to_item


def test_creator_types_are_the_schemas() -> None:
    assert creator_types() == itemtypes.CREATOR_TYPES


def test_base_fields_are_the_schemas() -> None:
    found = {
        f["field"]: f["baseField"]
        for t in schema()["itemTypes"]
        for f in t["fields"]
        if "baseField" in f
    }
    assert found == itemtypes.BASE_FIELDS


def test_every_item_type_has_a_bib_type_and_comes_back() -> None:
    assert set(itemtypes.BIB_TYPES) == set(type_fields())
    for bib, itype in itemtypes.TYPES.items():
        assert itype in type_fields(), bib


@pytest.mark.parametrize("itype", sorted(type_fields()))
def test_each_item_type_survives_the_round_trip(itype: str) -> None:
    """An item of any type -> entry -> item keeps its type, title, date and people, and the
    item written is one the server accepts (fields and creator types of that type)."""
    fields = type_fields()[itype]
    title = itemtypes.field_for("title", fields) or "title"
    date = itemtypes.field_for("date", fields) or "date"
    primary, *others = itemtypes.creator_types(itype)
    other = others[-1] if others else "author"  # hearing: contributor only
    item = {
        "itemType": itype, title: "A Study of Things", date: "2021-03-04",
        "creators": [{"creatorType": primary, "firstName": "Ada", "lastName": "Lovelace"},
                     {"creatorType": other, "name": "The Lab"}],
        "url": "https://example.org/x", "tags": [], "collections": [],
    }  # fmt: skip
    entry = from_item(item)
    assert entry.type == canonical_type(itemtypes.BIB_TYPES[itype], entry)  # new: canonical
    assert (entry.title, entry.get("year"), entry.get("month")) == (
        "A Study of Things",
        "2021",
        "mar",
    )
    if others:
        assert entry.get("author") == "Lovelace, Ada" and entry.get(other.lower()) == "{The Lab}"
    else:
        assert entry.get("author") == "Lovelace, Ada and {The Lab}"
    assert item_type(entry) == itype
    back = to_item(entry, schema=type_fields())
    assert back["itemType"] == itype and back[title] == "A Study of Things"
    assert back[date] == "2021-03" and back["url"] == "https://example.org/x"
    if others:
        assert back["creators"] == item["creators"]
    assert_accepted(back)
    assert from_item(back, base=entry).fields == entry.fields


def canonical_type(bib_type: str, entry: Entry) -> str:
    """The type of the canonical form of an entry of `bib_type` with `entry`'s fields."""
    probe = Entry(bib_type, entry.key, dict(entry.fields))
    canonicalize(probe)
    return probe.type


def assert_accepted(item: dict[str, object], held: object = None) -> None:
    """What Zotero_Items::validateJSONItem and Zotero_Item::setField check of a write:
    every non-empty field is valid for the type, every creator type too (or `author`).
    A partial update without `itemType` is checked against the type the item holds."""
    itype = str(item.get("itemType") or held)
    allowed = type_fields()[itype]
    props = {"itemType", "creators", "tags", "collections", "relations", "key", "version"}
    for name, value in item.items():
        if name in props or value in ("", [], None):
            continue
        assert name in allowed, f"'{name}' is not a valid field for type '{itype}'"
    for c in item.get("creators") or []:  # type: ignore[attr-defined]
        ctype = c["creatorType"]
        assert ctype == "author" or ctype in creator_types()[itype], (itype, ctype)


BIB_TYPES = sorted({*itemtypes.TYPES, "misc"})


@pytest.mark.parametrize("new", BIB_TYPES)
@pytest.mark.parametrize("old", BIB_TYPES)
def test_every_type_change_is_a_write_the_server_accepts(old: str, new: str) -> None:
    from genbib.zotero.mapping import update_item

    fields = {
        "title": "{T}", "author": "{Doe, Jane}", "editor": "{Roe, Rick}", "year": "{2020}",
        "booktitle": "{Proc. X}", "journal": "{J. Y}", "publisher": "{P}", "number": "{7}",
        "institution": "{Inst}", "school": "{Uni}", "pages": "{1--2}", "volume": "{3}",
        "doi": "{10.1/x}", "keywords": "{a, b}",
    }  # fmt: skip
    before = Entry(old, "k2020", dict(fields))
    after = Entry(new, "k2020", dict(fields))
    current = to_item(before, schema=type_fields())
    current["tags"] = [{"tag": "a"}, {"tag": "b"}, {"tag": "Physics", "type": 1}]
    payload = update_item(after, before, current, schema=type_fields())
    assert_accepted(payload, current["itemType"])
    result = apply_patch(current, payload)
    # a change the canonical form makes (@dataset -> @misc) is no change of the item's type
    assert result["itemType"] == item_type(undo_derived(after, before))
    assert {t["tag"] for t in result["tags"]} == {"a", "b", "Physics"}
    back = from_item(result, base=after)
    for name in ("title", "author", "year", "doi", "keywords"):
        assert back.get(name) == after.get(name), name
    # whatever the new type has no field for survives as a tex line
    assert back.get("editor") == "Roe, Rick"


def apply_patch(current: dict[str, object], payload: dict[str, object]) -> dict[str, object]:
    """The item after the server applies a partial update (Zotero_Items::updateFromJSON with
    partialUpdate, as POST /items does for an existing key): `itemType` first, through
    Zotero_Item::setType (fields the new type lacks are cleared, base-mapped values copied to
    the new type's field), then each property of the payload; an empty value clears."""
    item = dict(current)
    new_type = str(payload.get("itemType", item["itemType"]))
    if new_type != item["itemType"]:
        allowed = type_fields()[new_type]
        old = {k: v for k, v in item.items() if isinstance(v, str)}
        moves = itemtypes.server_moves(old, allowed)
        for name in list(old):
            if name not in allowed and name != "itemType":
                value = item.pop(name)
                if name in moves:
                    item[moves[name]] = value
        item["itemType"] = new_type
    for name, value in payload.items():
        if value == "":
            item.pop(name, None)
        else:
            item[name] = value
    return item


def test_every_venue_field_is_a_field_of_its_type() -> None:
    from genbib.zotero.mapping import _VENUE

    for itype, fields in _VENUE.items():
        assert set(fields.values()) <= type_fields()[itype], itype
