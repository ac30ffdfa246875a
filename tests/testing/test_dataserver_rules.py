"""The emulator answers as zotero/dataserver does: each test names the dataserver file or
API test (tests/remote-php/tests/API/3/*.php, tests/remote/tests/3/*.test.js) it follows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest
from pyzotero import zotero

from genbib.testing.zotero import (
    ObjectError,
    Schema,
    SchemaNotFound,
    ZoteroEmulator,
    load_schema,
    template,
)
from genbib.testing.zotero.fixtures import EmulatorFactory

from .conftest import pyzotero_for


def book(title: str = "T", **fields: Any) -> dict[str, Any]:
    return {"itemType": "book", "title": title, **fields}


def post(http: httpx2.Client, objects: list[dict[str, Any]], **headers: str) -> dict[str, Any]:
    answer = http.post("/items", json=objects, headers=headers)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


# ------------------------------------------------------------------------ schema


def test_every_item_type_and_field_of_the_full_schema(zotero_server: ZoteroEmulator) -> None:
    """model/Schema.inc.php: the global schema.json is the truth. Every creatable type's
    template is accepted, and so is a value in every one of its fields."""
    schema = zotero_server.schema
    assert len(schema.item_types) == 40 and schema.version >= 41
    lib = zotero_server.library
    parent = lib.seed_items([book()])[0]
    for item_type in schema.item_types:
        if item_type in ("annotation",):
            continue
        mode = "imported_url" if item_type == "attachment" else None
        data = template(item_type, schema, mode)
        for name in schema.fields_for(item_type):
            data[name] = "2020-01-02" if name == "accessDate" else f"{name} value"
        if item_type in ("attachment", "note"):
            data["parentItem"] = parent
            data.pop("collections", None)
        key = lib.seed_items([data])[0]
        stored = lib.item(key)
        assert all(stored[n] for n in schema.fields_for(item_type)), item_type


def test_base_fields_are_not_mapped_on_write(zotero_server: ZoteroEmulator) -> None:
    """Item.inc.php setField(): "'publicationTitle' is not a valid field for type
    'conferencePaper'" (no base mapping on write); an empty value is ignored."""
    lib = zotero_server.library
    with pytest.raises(ObjectError, match="'publicationTitle' is not a valid field for type"):
        lib.seed_items([{"itemType": "conferencePaper", "publicationTitle": "NeurIPS"}])
    with pytest.raises(ObjectError, match="'bookTitle' is not a valid field"):
        lib.seed_items([{"itemType": "journalArticle", "bookTitle": "X"}])
    key = lib.seed_items([{"itemType": "conferencePaper", "publicationTitle": ""}])[0]
    assert "publicationTitle" not in lib.item(key)
    with pytest.raises(ObjectError, match="Invalid property 'booktitle'"):
        lib.seed_items([{"itemType": "conferencePaper", "booktitle": "X"}])


def test_creator_types_per_item_type(zotero_server: ZoteroEmulator) -> None:
    """Items::validateJSONItem: creator types come from the type ('author' always allowed)."""
    lib = zotero_server.library
    with pytest.raises(ObjectError, match="'bookAuthor' is not a valid creator type for item"):
        lib.seed_items([book(creators=[{"creatorType": "bookAuthor", "name": "X"}])])
    with pytest.raises(ObjectError, match=r"'wizard' is not a valid creator type$"):
        lib.seed_items([book(creators=[{"creatorType": "wizard", "name": "X"}])])
    with pytest.raises(ObjectError, match="'lastName' creator field must be set"):
        lib.seed_items([book(creators=[{"creatorType": "author", "firstName": "A"}])])
    key = lib.seed_items(
        [{"itemType": "computerProgram", "creators": [{"creatorType": "author", "name": "X"}]}]
    )[0]
    assert lib.item(key)["creators"][0]["creatorType"] == "author"


def test_citation_key_zotero7_and_zotero8(zotero_server_factory: EmulatorFactory) -> None:
    """Zotero 8's schema has citationKey on every regular type; Zotero 7 has none."""
    z8 = zotero_server_factory(schema=Schema.ZOTERO8)
    z7 = zotero_server_factory(schema=Schema.ZOTERO7)
    regular = [t for t in z8.schema.item_types if t not in ("annotation", "attachment", "note")]
    assert all("citationKey" in z8.schema.fields_for(t) for t in regular)
    assert not any("citationKey" in z7.schema.fields_for(t) for t in z7.schema.item_types)
    key = z8.library.seed_items([book(citationKey="ho2020denoising")])[0]
    assert z8.library.item(key)["citationKey"] == "ho2020denoising"
    with pytest.raises(ObjectError, match="Invalid property 'citationKey'"):
        z7.library.seed_items([book(citationKey="ho2020denoising")])


def test_schema_comes_from_a_file_and_none_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaNotFound, match="not found"):
        load_schema(tmp_path / "missing.json")
    with pytest.raises(SchemaNotFound, match="not found"):
        ZoteroEmulator(schema_file=tmp_path / "missing.json")


# ------------------------------------------------------------------------ setType


def test_type_change_moves_base_fields_and_clears_the_rest(zotero_server: ZoteroEmulator) -> None:
    """Item.inc.php setType(): a field the new type lacks moves to the new type's field for
    the same base field, else is cleared; creator types the new type lacks become
    contributor; ItemTest::testChangeItemType: book -> bookSection drops numPages."""
    lib = zotero_server.library
    key = lib.seed_items(
        [
            {
                "itemType": "journalArticle",
                "title": "T",
                "publicationTitle": "JMLR",
                "issue": "4",
                "journalAbbreviation": "J. Mach. Learn. Res.",
                "creators": [
                    {"creatorType": "author", "firstName": "A", "lastName": "B"},
                    {"creatorType": "reviewedAuthor", "firstName": "C", "lastName": "D"},
                ],
            }
        ]
    )[0]
    lib.edit_item(key, itemType="conferencePaper")
    item = lib.item(key)
    assert item["proceedingsTitle"] == "JMLR" and item["issue"] == "4"
    assert "journalAbbreviation" not in item and "publicationTitle" not in item
    assert [c["creatorType"] for c in item["creators"]] == ["author", "contributor"]
    lib.edit_item(key, itemType="preprint")
    assert "proceedingsTitle" not in lib.item(key)  # preprint has no publicationTitle
    with pytest.raises(ObjectError, match="'proceedingsTitle' is not a valid field"):
        lib.edit_item(key, itemType="journalArticle", proceedingsTitle="x")
    b = lib.seed_items([book(numPages="100", publisher="P")])[0]
    lib.edit_item(b, itemType="bookSection")
    assert "numPages" not in lib.item(b) and lib.item(b)["publisher"] == "P"


# ------------------------------------------------------------------------ trash


def test_trash_include_trashed_and_restore(
    zotero_server: ZoteroEmulator, zot: zotero.Zotero, http: httpx2.Client
) -> None:
    """ItemTest::testTrash, testIncludeTrashed, test_patch_of_item_should_set/clear_trash_
    state, test_patch_of_item_in_trash_without_deleted_should_not_remove_it_from_trash."""
    lib = zotero_server.library
    key1 = lib.seed_items([book("kept")])[0]
    key2 = post(http, [book("binned", deleted=1)])["success"]["0"]
    key3 = lib.seed_items([{"itemType": "note", "note": "n", "parentItem": key1}])[0]
    assert [i["key"] for i in zot.trash()] == [key2]
    assert {i["key"] for i in zot.items()} == {key1, key3}
    assert zot.items(itemKey=key2) == []
    assert {i["key"] for i in zot.items(includeTrashed=1)} == {key1, key2, key3}
    assert {i["key"] for i in zot.top(includeTrashed=1)} == {key1, key2}
    assert zot.item(key2)["data"]["deleted"] == 1  # a single read still answers
    assert key2 not in zot.deleted(since=0)["items"]
    v = lib.item(key2)["version"]
    kept = post(http, [{"key": key2, "version": v, "title": "A"}])
    assert kept["successful"]["0"]["data"]["deleted"] == 1
    v = lib.item(key2)["version"]
    restored = post(http, [{"key": key2, "version": v, "deleted": False}])
    assert "deleted" not in restored["successful"]["0"]["data"]
    assert {i["key"] for i in zot.top()} == {key1, key2}
    bad = post(http, [book(deleted="yes")])
    assert bad["failed"]["0"]["message"] == "'deleted' must be a boolean"


def test_put_without_deleted_restores_patch_keeps(
    zotero_server: ZoteroEmulator, http: httpx2.Client
) -> None:
    """Items::updateFromJSON: `if (isset($json->deleted) || !$partialUpdate)` sets it."""
    lib = zotero_server.library
    key = lib.seed_items([book()])[0]
    lib.trash_item(key)
    data = {k: v for k, v in lib.item(key).items() if k != "deleted"}
    assert (
        http.patch(f"/items/{key}", json={"title": "B", "version": data["version"]}).status_code
        == 204
    )
    assert lib.item(key)["deleted"] == 1
    data = {k: v for k, v in lib.item(key).items() if k != "deleted"}
    assert http.put(f"/items/{key}", json=data).status_code == 204
    assert "deleted" not in lib.item(key)


# ------------------------------------------------------------------------ relations


def test_relations_as_the_server_stores_them(
    zotero_server: ZoteroEmulator, http: httpx2.Client
) -> None:
    """RelationTest: allowed predicates only, values must be Zotero item URIs, one value is
    stored as a string and several as an array; dc:replaces is what "Merge Items" leaves."""
    lib = zotero_server.library
    a, b = lib.uri("AAAAAAAA"), lib.uri("BBBBBBBB")
    key = lib.seed_items([book(relations={"dc:replaces": [a, b]})])[0]
    assert lib.item(key)["relations"] == {"dc:replaces": [a, b]}
    lib.edit_item(key, relations={"dc:replaces": [a]})
    assert lib.item(key)["relations"] == {"dc:replaces": a}
    failed = post(
        http,
        [
            book(relations={"foo:unknown": a}),
            book(relations={"owl:sameAs": "Not a URI"}),
            book(relations=[]),
        ],
    )
    assert failed["failed"]["0"]["message"] == "Unsupported predicate 'foo:unknown'"
    assert (
        failed["failed"]["1"]["message"] == "'relations' values currently must be Zotero item URIs"
    )
    assert "2" in failed["success"]


def test_merge_items_as_zotero_does(zotero_server: ZoteroEmulator, zot: zotero.Zotero) -> None:
    """Zotero.Items.merge: children and tags move to the master, the other item goes to the
    trash (not /deleted) and the master records dc:replaces with its URI."""
    lib = zotero_server.library
    master, dup = lib.seed_items(
        [book("DDPM", tags=[{"tag": "diffusion"}]), book("DDPM", tags=[{"tag": "to-read"}])]
    )
    pdf = lib.seed_items(
        [{"itemType": "attachment", "linkMode": "imported_url", "title": "PDF",
          "contentType": "application/pdf", "parentItem": dup}]
    )[0]  # fmt: skip
    lib.merge_items(master, [dup])
    assert lib.item(pdf)["parentItem"] == master
    assert {t["tag"] for t in lib.item(master)["tags"]} == {"diffusion", "to-read"}
    assert lib.item(master)["relations"] == {"dc:replaces": lib.uri(dup)}
    assert lib.item(dup)["deleted"] == 1 and dup not in zot.deleted(since=0)["items"]
    assert [i["key"] for i in zot.trash()] == [dup]


# ------------------------------------------------------------------------ children


def test_parent_item_moves_and_children_cannot_have_children(
    zotero_server: ZoteroEmulator, http: httpx2.Client
) -> None:
    """ItemTest::testParentItemPatch (PATCH keeps the parent, `parentItem: false` removes
    it), testParentItem (PUT without parentItem un-parents), test_should_reject_parentItem_
    that_matches_item_key, test_should_return_409_on_missing_parent, test_should_return_
    409_if_a_note_references_a_note_as_a_parent_item."""
    lib = zotero_server.library
    p1, p2 = lib.seed_items([book("one"), book("two")])
    note = lib.seed_items([{"itemType": "note", "note": "<p>n</p>", "parentItem": p1}])[0]
    lib.move_item(note, p2)
    assert lib.item(note)["parentItem"] == p2 and lib.children(p1) == []
    v = lib.item(note)["version"]
    assert http.patch(f"/items/{note}", json={"note": "m", "version": v}).status_code == 204
    assert lib.item(note)["parentItem"] == p2
    lib.move_item(note, None)
    assert "parentItem" not in lib.item(note) and lib.item(note)["collections"] == []
    lib.move_item(note, p1)
    data = {k: v for k, v in lib.item(note).items() if k != "parentItem"}
    assert http.put(f"/items/{note}", json={**data, "collections": []}).status_code == 204
    assert "parentItem" not in lib.item(note)
    answer = post(
        http,
        [
            {"itemType": "note", "note": "x", "parentItem": note},
            {"itemType": "note", "note": "x", "parentItem": "ZZZZZZZZ"},
            {"itemType": "book", "parentItem": p1},
            {"key": "QQQQQQQQ", "version": 0, "itemType": "note", "parentItem": "QQQQQQQQ"},
        ],
    )
    assert answer["failed"]["0"] == {
        "key": "",
        "code": 409,
        "message": "Parent item cannot be a note or attachment",
        "data": {"parentItem": note},
    }
    assert answer["failed"]["1"]["code"] == 409
    assert answer["failed"]["1"]["message"] == "Parent item ZZZZZZZZ not found"
    assert answer["failed"]["2"]["message"] == "Child item must be note, attachment, or annotation"
    assert answer["failed"]["3"]["message"].startswith("Item QQQQQQQQ cannot be a child of itself")


def test_attachment_properties(zotero_server: ZoteroEmulator, http: httpx2.Client) -> None:
    """Items::validateJSONItem: linkMode required and fixed, filename/md5/mtime only on
    stored files, path only on linked files, contentType only on attachments; a top-level
    linked URL is accepted (checkTopLevelAttachment is disabled)."""
    parent = zotero_server.library.seed_items([book()])[0]
    answer = post(
        http,
        [
            {"itemType": "attachment", "parentItem": parent, "title": "x"},
            {"itemType": "attachment", "linkMode": "linked_url", "parentItem": parent,
             "filename": "x.pdf"},
            {"itemType": "book", "contentType": "text/html"},
            {"itemType": "attachment", "linkMode": "imported_url", "parentItem": parent,
             "md5": "nothex"},
            {"itemType": "attachment", "linkMode": "linked_url", "url": "https://x.org"},
        ],
    )  # fmt: skip
    messages = {i: f["message"] for i, f in answer["failed"].items()}
    assert messages == {
        "0": "'linkMode' property not provided",
        "1": "'filename' is valid only for imported and embedded-image attachments",
        "2": "'contentType' is valid only for attachment items",
        "3": "'nothex' is not a valid MD5 hash",
    }
    link = answer["success"]["4"]
    v = zotero_server.library.item(link)["version"]
    changed = http.patch(f"/items/{link}", json={"linkMode": "imported_url", "version": v})
    assert (changed.status_code, changed.text) == (400, "Cannot change attachment linkMode")


# ------------------------------------------------------------------------ tags


def test_tags_types_and_limits(zotero_server: ZoteroEmulator, http: httpx2.Client) -> None:
    """TagTest: empty and whitespace tags ignored, type shown only when not 0, 255-character
    limit is 413 with the tag in `data` (Errors.inc.php), a non-object tag is 400."""
    answer = post(
        http,
        [
            book(tags=[{"tag": "A"}, {"tag": " ", "type": 1}, {"tag": "cs.LG", "type": 1},
                       {"tag": "B", "type": 0}]),
            book(tags=[{"tag": "x" * 300, "type": 1}]),
            book(tags=["invalid"]),
            book(tags=[{"tag": "A", "type": "manual"}]),
        ],
    )  # fmt: skip
    assert answer["successful"]["0"]["data"]["tags"] == [
        {"tag": "A"},
        {"tag": "cs.LG", "type": 1},
        {"tag": "B"},
    ]
    assert answer["failed"]["1"]["code"] == 413
    assert answer["failed"]["1"]["data"] == {"tag": "x" * 300}
    assert answer["failed"]["2"]["message"] == "Tag must be an object"
    assert answer["failed"]["3"]["message"] == "Invalid tag type 'manual'"


# ------------------------------------------------------------------------ limits


def test_write_limits(zotero_server: ZoteroEmulator, http: httpx2.Client) -> None:
    """API.inc.php $maxWriteItems = 50 (413 for the request); Items::$maxDataValueLength =
    65535 and Notes::$MAX_NOTE_LENGTH = 500000 (413 for the object);
    ObjectTest 'should not leave data from failed objects in a partial write'."""
    too_many = http.post("/items", json=[book(str(i)) for i in range(51)])
    assert (too_many.status_code, too_many.text) == (413, "Cannot add more than 50 items at a time")
    before = zotero_server.library.version
    answer = post(
        http,
        [
            book("good"),
            book("1234567890" * 6554),
            {"itemType": "note", "note": "x" * 500001},
            book("also good"),
        ],
    )
    assert {i: f["code"] for i, f in answer["failed"].items()} == {"1": 413, "2": 413}
    assert answer["failed"]["1"]["data"]["field"] == "Title"
    assert len(zotero_server.library.items()) == 2
    # one version per object written, failed objects roll theirs back
    assert zotero_server.library.version == before + 2


def test_versions_headers_and_preconditions(
    zotero_server: ZoteroEmulator, http: httpx2.Client
) -> None:
    """ApiController::checkSingleObjectWriteVersion (428 without a version, 412 stale,
    400 when header and JSON disagree), DELETE needs If-Unmodified-Since-Version (428),
    a stale library version fails a multi-object write whole (412), `/deleted?since=`."""
    lib = zotero_server.library
    key = lib.seed_items([book()])[0]
    v = lib.item(key)["version"]
    assert http.patch(f"/items/{key}", json={"title": "x"}).status_code == 428
    assert http.patch(f"/items/{key}", json={"title": "x", "version": v - 1}).status_code == 412
    mismatch = http.patch(
        f"/items/{key}",
        json={"title": "x", "version": v},
        headers={"If-Unmodified-Since-Version": str(v + 5)},
    )
    assert mismatch.status_code == 400
    gone = http.delete(f"/items/{key}")
    assert (gone.status_code, gone.text) == (
        428,
        "If-Unmodified-Since-Version must be provided for delete requests",
    )
    stale = http.post("/items", json=[book()], headers={"If-Unmodified-Since-Version": "0"})
    assert stale.status_code == 412
    assert (
        http.delete(f"/items/{key}", headers={"If-Unmodified-Since-Version": str(v)}).status_code
        == 204
    )
    deleted = http.get("/deleted", params={"since": v}).json()
    assert deleted["items"] == [key]
    assert http.get("/deleted").status_code == 400


def test_pyzotero_round_trip_of_a_full_item_is_unchanged(
    zotero_server: ZoteroEmulator, zot: zotero.Zotero
) -> None:
    """Re-uploading the downloaded JSON changes nothing (Write Requests, "REST Approach")."""
    key = zotero_server.library.seed_items(
        [
            book(
                "A",
                tags=[{"tag": "t", "type": 1}],
                relations={"dc:replaces": zotero_server.library.uri("AAAAAAAA")},
            )
        ]
    )[0]
    item = zot.item(key)
    before = zotero_server.library.item(key)["version"]
    assert zot.update_item(item["data"]) is True
    assert zotero_server.library.item(key)["version"] == before
    other = pyzotero_for(zotero_server)
    assert other.item(key)["data"]["tags"] == [{"tag": "t", "type": 1}]


def test_related_items_are_bidirectional(
    zotero_server: ZoteroEmulator, zot: zotero.Zotero, http: httpx2.Client
) -> None:
    """RelationTest::testRelatedItemRelations (the related item shows the reverse relation,
    and re-sending its JSON changes nothing), testRelatedItemRelationsSingleRequest."""
    lib = zotero_server.library
    one, two = lib.seed_items([book("one"), book("two")])
    lib.edit_item(one, relations={"dc:relation": lib.uri(two)})
    assert lib.item(two)["relations"] == {"dc:relation": lib.uri(one)}
    version, item_version = lib.version, lib.item(two)["version"]
    assert zot.update_item(zot.item(two)["data"]) is True
    # unchanged: the item keeps its version and the answer shows the library version from
    # before the write (the library's own version still rose: ItemsController bumps it up
    # front for single-object writes)
    assert lib.item(two)["version"] == item_version
    assert zot.request.headers["Last-Modified-Version"] == str(version)
    lib.edit_item(one, relations={})
    assert lib.item(two)["relations"] == {}
    k1, k2 = "ABCD2345", "EFGH6789"
    post(
        http,
        [
            {**book("a"), "key": k1, "version": 0, "relations": {"dc:relation": lib.uri(k2)}},
            {**book("b"), "key": k2, "version": 0},
        ],
    )
    assert lib.item(k2)["relations"] == {"dc:relation": lib.uri(k1)}


def test_tag_listing_has_types_and_counts(
    zotero_server: ZoteroEmulator, zot: zotero.Zotero
) -> None:
    """GET /tags: each tag with `meta.type` (0 manual, 1 automatic) and `meta.numItems`."""
    lib = zotero_server.library
    lib.seed_items(
        [book("a", tags=[{"tag": "to-read"}, {"tag": "cs.LG", "type": 1}]),
         book("b", tags=[{"tag": "to-read"}])]
    )  # fmt: skip
    raw = zot._send("GET", f"{zot.endpoint}/groups/{zotero_server.group_id}/tags").json()
    assert {(t["tag"], t["meta"]["type"], t["meta"]["numItems"]) for t in raw} == {
        ("to-read", 0, 2),
        ("cs.LG", 1, 1),
    }


def test_annotations_live_on_file_attachments_and_go_with_them(
    zotero_server: ZoteroEmulator, http: httpx2.Client
) -> None:
    """Item.inc.php save() (annotation parents), ItemTest::test_deleting_parent_item_should_
    delete_attachment_and_child_annotation, test_should_move_attachment_with_annotation_
    under_regular_item."""
    lib = zotero_server.library
    paper, other = lib.seed_items([book("paper"), book("other")])
    pdf, link = lib.seed_items(
        [{"itemType": "attachment", "linkMode": "imported_file", "parentItem": paper,
          "contentType": "application/pdf", "filename": "p.pdf"},
         {"itemType": "attachment", "linkMode": "linked_url", "parentItem": paper,
          "url": "https://github.com/x/y"}]
    )  # fmt: skip
    note = {"itemType": "annotation", "annotationType": "highlight", "annotationText": "t",
            "annotationColor": "#ffd400", "annotationSortIndex": "00000|000000|00000",
            "annotationPosition": "{}"}  # fmt: skip
    answer = post(
        http,
        [
            {**note, "parentItem": pdf},
            {**note, "parentItem": link},
            {**note, "annotationType": "ink", "annotationText": "x", "parentItem": pdf},
        ],
    )
    assert list(answer["success"]) == ["0"]
    assert "must be a file attachment" in answer["failed"]["1"]["message"]
    assert answer["failed"]["2"]["message"] == (
        "'annotationText' can only be set for highlight and underline annotations"
    )
    annotation = answer["success"]["0"]
    lib.move_item(pdf, other)  # the attachment moves, its annotation stays on it
    assert lib.item(annotation)["parentItem"] == pdf
    lib.remove_items([other])
    assert {pdf, annotation} <= set(lib.deleted_items)


def test_children_listing_and_implicit_unparenting(
    zotero_server: ZoteroEmulator, zot: zotero.Zotero, http: httpx2.Client
) -> None:
    """ItemsController 'children' (trashed children only with includeTrashed=1; 400 on a
    link attachment) and ItemTest::test_should_convert_child_attachment_to_top_level_and_
    add_to_collection_via_PATCH_without_parentItem_false."""
    lib = zotero_server.library
    parent = lib.seed_items([book()])[0]
    kept, binned, link = lib.seed_items(
        [{"itemType": "note", "note": "a", "parentItem": parent},
         {"itemType": "note", "note": "b", "parentItem": parent, "deleted": True},
         {"itemType": "attachment", "linkMode": "linked_url", "url": "https://x.org",
          "parentItem": parent}]
    )  # fmt: skip
    assert {c["key"] for c in zot.children(parent)} == {kept, link}
    assert {c["key"] for c in zot.children(parent, includeTrashed=1)} == {kept, binned, link}
    assert http.get(f"/items/{link}/children").status_code == 400
    coll = lib.add_collection("Reading")
    v = lib.item(link)["version"]
    moved = http.patch(f"/items/{link}", json={"collections": [coll], "version": v})
    assert moved.status_code == 204
    assert "parentItem" not in lib.item(link) and lib.item(link)["collections"] == [coll]
