"""The Zotero emulator answers as the Zotero Web API v3 documentation says, over real HTTP.

pyzotero 1.16 (what genbib's adapter uses) drives the ordinary paths; a raw httpx2 client
sends what pyzotero never does (If-Modified-Since-Version, repeated write tokens, PATCH
without a version). Each test names the documentation statement it checks.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyzotero import zotero
from pyzotero import zotero_errors as ze

from genbib.testing.zotero import (
    Fault,
    FaultKind,
    Library,
    ObjectError,
    RequestInfo,
    Schema,
    ZoteroEmulator,
)
from genbib.testing.zotero.fixtures import EmulatorFactory

from .conftest import SSL_CONTEXT, pyzotero_for

DATA = Path(__file__).parent.parent / "data" / "zotero"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def paper(title: str, item_type: str = "preprint", **fields: Any) -> dict[str, Any]:
    return {
        "itemType": item_type,
        "title": title,
        "creators": [{"creatorType": "author", "firstName": "Ada", "lastName": "Lovelace"}],
        **fields,
    }


def client_for(emu: ZoteroEmulator) -> zotero.Zotero:
    return pyzotero_for(emu)


# ------------------------------------------------------------------ reads and writes


def test_create_read_update_delete_in_batches(
    zotero_server: ZoteroEmulator, zot: zotero.Zotero
) -> None:
    """Write Requests: "Up to 50 items ... can be written in a single request". Versions rise
    once PER OBJECT of a multi-object POST (dataserver c97d2cfd, DataObjects.inc.php
    updateMultipleFromJSON; tests/remote/tests/3/item.test.js: "Each item in a batch gets
    its own incrementing version"); a single-object write bumps once."""
    created = zot.create_items([paper(f"Paper {i}") for i in range(50)])
    assert len(created["success"]) == 50 and not created["failed"]
    assert zotero_server.library.version == 50
    versions = [created["successful"][str(i)]["version"] for i in range(50)]
    assert versions == list(range(1, 51))

    items = zot.everything(zot.top())
    assert len(items) == 50
    changed = [dict(i["data"], title=i["data"]["title"] + "!") for i in items[:3]]
    assert zot.update_items(changed) is True
    assert zotero_server.library.version == 53
    for n, data in enumerate(changed):
        assert zotero_server.library.item(data["key"])["title"].endswith("!")
        assert zotero_server.library.item(data["key"])["version"] == 51 + n

    one = zot.item(items[5]["key"])
    one["data"]["date"] = "2020"
    zot.update_item(one["data"])
    assert zot.request.headers["Last-Modified-Version"] == "54"

    doomed = [i["data"] for i in items[:10]]
    zot.delete_item(doomed, last_modified=zotero_server.library.version)
    assert len(zotero_server.library.items()) == 40
    assert sorted(zot.deleted(since=0)["items"]) == sorted(d["key"] for d in doomed)


def test_everything_pages_with_link_and_total_results(
    zotero_server: ZoteroEmulator, zot: zotero.Zotero, http: httpx2.Client
) -> None:
    """Basics: limit 1-100 (default 25), `start`, `Total-Results`, `Link: <...>; rel="next"`."""
    zotero_server.library.seed_items([paper(f"P{i}") for i in range(50)])
    zotero_server.library.seed_items([paper(f"Q{i}") for i in range(30)])
    zotero_server.reset_counters()
    everything = zot.everything(zot.items(limit=30))
    assert len({i["key"] for i in everything}) == 80
    assert zotero_server.count(method="GET", route="/items") == math.ceil(80 / 30)

    first = http.get("/items")
    assert first.headers["Total-Results"] == "80"
    assert len(first.json()) == 25  # the documented default
    assert 'rel="next"' in first.headers["Link"] and "start=25" in first.headers["Link"]
    capped = http.get("/items", params={"limit": 1000})
    assert len(capped.json()) == 100 if len(zotero_server.library.items()) > 100 else 80
    last = http.get("/items", params={"start": 75})
    assert len(last.json()) == 5 and 'rel="next"' not in last.headers["Link"]


def test_children_collections_and_cascading_delete(
    zotero_server: ZoteroEmulator, zot: zotero.Zotero
) -> None:
    """Write Requests: child notes/attachments via `parentItem`, created after the parent in
    the same request with a locally created key; collections via the item's `collections`."""
    coll = zot.create_collections([{"name": "Diffusion"}])["success"]["0"]
    parent_key = "HZQ8N2VB"
    note = zot.item_template("note")
    note.update(parentItem=parent_key, note="<p>Oral</p>")
    link = zot.item_template("attachment", "linked_url")
    link.update(parentItem=parent_key, title="Code", url="https://github.com/x/y")
    answer = zot.create_items([paper("DDPM", key=parent_key, collections=[coll]), note, link])
    assert not answer["failed"], answer["failed"]

    children = zot.children(parent_key)
    assert {c["data"]["itemType"] for c in children} == {"note", "attachment"}
    assert all(c["links"]["up"]["href"].endswith(parent_key) for c in children)
    assert zot.item(parent_key)["meta"]["numChildren"] == 2
    assert [i["key"] for i in zot.collection_items_top(coll)] == [parent_key]
    assert len(zot.top()) == 1

    lib = zotero_server.library
    whole = zot.collection(coll)  # the REST approach: re-upload the whole downloaded JSON
    whole["data"]["name"] = "Diffusion models"
    assert zot.update_collection(whole) is True
    assert lib.collection(coll)["name"] == "Diffusion models"
    other = zot.create_collections([{"name": "Generative"}])["success"]["0"]
    zot.addto_collection(other, zot.item(parent_key))
    assert sorted(lib.item(parent_key)["collections"]) == sorted([coll, other])
    zot.delete_collection(zot.collection(other))
    assert lib.item(parent_key)["collections"] == [coll]
    assert zot.collection_versions(since=0) == {coll: lib.collection(coll)["version"]}

    zot.delete_item(zot.item(parent_key)["data"])
    assert lib.items() == {}
    assert sorted(zot.deleted(since=0)["items"]) == sorted(
        [parent_key, *[c["key"] for c in children]]
    )


def test_since_versions_and_deleted(zotero_server: ZoteroEmulator, zot: zotero.Zotero) -> None:
    """Syncing: `format=versions&since=V` lists {key: version} of objects changed after V,
    unpaged; `/deleted?since=V` lists what was deleted after V."""
    lib = zotero_server.library
    keys = lib.seed_items([paper(f"P{i}") for i in range(30)])
    coll = lib.add_collection("Old topic")
    v = lib.version
    lib.edit_item(keys[0], title="changed")
    lib.remove_items([keys[1]])
    zot.delete_collection(zot.collection(coll)["data"])

    assert zot.item_versions(since=0) == {k: lib.item(k)["version"] for k in keys if k != keys[1]}
    assert zot.item_versions(since=v) == {keys[0]: lib.item(keys[0])["version"]}
    assert zot.collection_versions(since=0) == {}
    deleted = zot.deleted(since=v)
    assert deleted["items"] == [keys[1]] and deleted["collections"] == [coll]
    assert set(deleted) == set(load("deleted.json"))
    assert zot.deleted(since=lib.version)["items"] == []


def test_if_modified_since_version_gives_304(
    zotero_server: ZoteroEmulator, http: httpx2.Client
) -> None:
    """Basics, "Caching": a multi-object read with `If-Modified-Since-Version` answers 304
    when the library has not changed since; "Single-object conditional requests are not
    currently supported", so those answer 200 with the object's own version."""
    lib = zotero_server.library
    key = lib.seed_items([paper("A")])[0]
    v = lib.version
    since = {"If-Modified-Since-Version": str(v)}
    multi = http.get("/items", params={"format": "versions"}, headers=since)
    assert multi.status_code == 304 and multi.headers["Last-Modified-Version"] == str(v)
    assert multi.content == b""
    assert http.get("/deleted", params={"since": 0}, headers=since).status_code == 304
    assert http.get("/collections", headers=since).status_code == 304
    lib.seed_items([paper("B")])
    single = http.get(f"/items/{key}", headers=since)
    assert single.status_code == 200 and single.headers["Last-Modified-Version"] == str(v)
    multi = http.get("/items", headers=since)
    assert multi.status_code == 200 and multi.headers["Last-Modified-Version"] == str(lib.version)


def test_stale_versions_give_412_and_missing_ones_428(
    zotero_server: ZoteroEmulator, zot: zotero.Zotero, http: httpx2.Client
) -> None:
    """Write Requests: writes to existing objects need `version` or If-Unmodified-Since-Version;
    "412 Precondition Failed" when the object changed, 428 when neither is given."""
    lib = zotero_server.library
    key, other = lib.seed_items([paper("A"), paper("B")])
    stale = zot.item(key)["data"]
    lib.edit_item(key, title="changed by a colleague")
    stale["title"] = "mine"
    with pytest.raises(ze.PreConditionFailedError):
        zot.update_item(stale)
    assert lib.item(key)["title"] == "changed by a colleague"

    assert http.patch(f"/items/{key}", json={"title": "x"}).status_code == 428
    assert http.request("DELETE", "/items", params={"itemKey": key}).status_code == 428
    stale_lib = http.request(
        "DELETE", "/items", params={"itemKey": key}, headers={"If-Unmodified-Since-Version": "1"}
    )
    assert stale_lib.status_code == 412

    answer = http.post(
        "/items", json=[{"key": key, "version": 1, "title": "y"}, {"key": other, "title": "z"}]
    ).json()
    assert answer["failed"]["0"]["code"] == 412
    assert answer["failed"]["1"]["code"] == 428
    header_ok = http.post(
        "/items",
        json=[{"key": other, "title": "z"}],
        headers={"If-Unmodified-Since-Version": str(lib.version)},
    )
    assert header_ok.json()["success"] == {"0": other}
    too_old = http.post("/items", json=[paper("C")], headers={"If-Unmodified-Since-Version": "1"})
    assert too_old.status_code == 412


def test_write_token_repeat_is_refused(zotero_server: ZoteroEmulator, http: httpx2.Client) -> None:
    """Write Requests: a Zotero-Write-Token of a successful request gives 412 when sent again,
    so a create whose answer was lost can be resent without a duplicate."""
    token = "a" * 32
    first = http.post("/items", json=[paper("A")], headers={"Zotero-Write-Token": token})
    assert first.status_code == 200
    again = http.post("/items", json=[paper("A")], headers={"Zotero-Write-Token": token})
    assert again.status_code == 412
    assert len(zotero_server.library.items()) == 1


def test_fifty_object_limits(
    zotero_server: ZoteroEmulator, zot: zotero.Zotero, http: httpx2.Client
) -> None:
    """Write Requests: at most 50 objects per write ("413 Request Entity Too Large"); at most
    50 keys in `itemKey`."""
    assert http.post("/items", json=[paper(f"P{i}") for i in range(51)]).status_code == 413
    with pytest.raises(ze.TooManyItemsError):
        zot.create_items([paper(f"P{i}") for i in range(51)])
    keys = zotero_server.library.seed_items([paper(f"P{i}") for i in range(50)])
    assert len(zot.items(itemKey=",".join(keys), limit=100)) == 50
    assert http.get("/items", params={"itemKey": ",".join([*keys, "ZZZZZZZZ"])}).status_code == 400
    lib_v = str(zotero_server.library.version)
    too_many = http.request(
        "DELETE",
        "/items",
        params={"itemKey": ",".join([*keys, "ZZZZZZZZ"])},
        headers={"If-Unmodified-Since-Version": lib_v},
    )
    assert too_many.status_code == 413
    assert len(zotero_server.library.items()) == 50


def test_per_object_failures_do_not_fail_the_others(
    zotero_server: ZoteroEmulator, zot: zotero.Zotero
) -> None:
    """Write Requests: the 200 answer reports each index as successful, unchanged or failed
    ({key, code, message}); invalid fields for a type give 400 for that object only."""
    answer = zot.create_items(
        [
            paper("fine", "conferencePaper", proceedingsTitle="NeurIPS"),
            paper("bibtex name", "conferencePaper", booktitle="NeurIPS"),
            paper("wrong type", "preprint", proceedingsTitle="ICLR"),
            paper("child of nothing", "journalArticle", parentItem="ABCD2345"),
        ]
    )
    assert list(answer["success"]) == ["0"]
    assert answer["failed"]["1"] == {
        "key": "",
        "code": 400,
        "message": "Invalid property 'booktitle'",
    }
    assert (
        answer["failed"]["2"]["message"]
        == "'proceedingsTitle' is not a valid field for type 'preprint'"
    )
    assert answer["failed"]["3"]["code"] == 400
    assert set(answer) == set(load("write_multi_response.json"))
    key = answer["success"]["0"]
    same = zot.item(key)["data"]
    resent = zot._send(
        "POST", f"{zot.endpoint}/groups/{zotero_server.group_id}/items", json=[same]
    ).json()
    assert resent["unchanged"] == {"0": key} and resent["successful"] == {}
    # "Per-item version bump: each item bumps the version, even if unchanged"
    # (dataserver tests/remote/tests/3/collection.test.js, commit c97d2cfd)
    assert zotero_server.library.version == 2
    assert zotero_server.library.item(key)["version"] == 1


def test_field_table_covers_paper_types(zot: zotero.Zotero) -> None:
    """Types and Fields: each type has its own fields; templates come from /items/new."""
    venue = {
        "conferencePaper": "proceedingsTitle",
        "journalArticle": "publicationTitle",
        "bookSection": "bookTitle",
        "thesis": "university",
        "report": "institution",
        "computerProgram": "company",
        "webpage": "websiteTitle",
        "preprint": "repository",
        "book": "publisher",
        "document": "publisher",
    }
    for item_type, field in venue.items():
        fields = [f["field"] for f in zot.item_type_fields(item_type)]
        assert field in fields and "title" in fields, item_type
        tmpl = zot.item_template(item_type)
        assert tmpl["itemType"] == item_type and field in tmpl
    link = zot.item_template("attachment", "linked_url")
    assert link["linkMode"] == "linked_url" and "url" in link and "collections" not in link


def test_saved_examples_match_emulator_shapes(
    zotero_server: ZoteroEmulator,
    zotero_server_factory: EmulatorFactory,
    zot: zotero.Zotero,
    http: httpx2.Client,
) -> None:
    """The documented JSON shapes: item object (Write Requests, "JSON Object Data"), book
    template and itemTypeFields (Types and Fields), key info, versions (Syncing)."""
    example = load("item_webpage.json")
    z7 = client_for(zotero_server_factory(schema=Schema.ZOTERO7))
    server_managed = ("key", "version", "dateAdded", "dateModified")
    answer = z7.create_items(
        [{k: v for k, v in example["data"].items() if k not in server_managed}]
    )
    item = z7.item(answer["success"]["0"])
    assert set(item) == set(example)
    # the documented example predates the current schema: every field it shows is there
    # with its value; the newer webpage fields (DOI, publisher, place, ...) come out empty
    assert set(example["data"]) <= set(item["data"])
    newer = set(item["data"]) - set(example["data"])
    assert newer <= set(zotero_server.schema.fields_for("webpage"))
    assert all(item["data"][k] == "" for k in newer)
    assert {k: item["data"][k] for k in example["data"] if k not in server_managed} == {
        k: v for k, v in example["data"].items() if k not in server_managed
    }
    assert set(item["library"]) == set(example["library"])
    assert set(item["links"]) == set(example["links"])
    assert item["meta"] == example["meta"]

    # the documented book template / field list predate the current schema: what they
    # show is there, the rest are the schema's own book fields (Zotero 8: citationKey too)
    documented = load("template_book.json")
    z7_book = z7.item_template("book")
    assert {k: z7_book[k] for k in documented} == documented
    book = set(zotero_server.schema.fields_for("book"))
    assert set(z7_book) - set(documented) <= book - {"citationKey"}
    assert zot.item_template("book") == z7_book | {"citationKey": ""}
    fields = http.get(f"{zotero_server.url}/itemTypeFields", params={"itemType": "book"}).json()
    assert [f["field"] for f in fields] == list(zotero_server.schema.fields_for("book"))
    labels = {f["field"]: f["localized"] for f in fields}
    assert labels["citationKey"] == "Citation Key" and labels["numPages"] == "# of Pages"
    assert {f["field"] for f in load("item_type_fields_book.json")} <= set(labels)
    assert set(zot.key_info()) == set(load("key_info.json"))
    key = zotero_server.library.seed_items([paper("A")])[0]
    versions = zot.item_versions()
    assert versions == {key: 1}
    assert all(isinstance(v, int) for v in load("item_versions.json").values())


def test_connector_preprint_fixture_is_accepted(
    zotero_server: ZoteroEmulator, zot: zotero.Zotero
) -> None:
    """An arXiv paper as Zotero's browser connector saves it (preprint, archiveID, `arXiv:`
    line in extra, PDF and a linked code URL as children) seeds cleanly."""
    keys = zotero_server.library.seed_items(load("connector_arxiv_preprint.json"))
    parent = zot.item(keys[0])["data"]
    assert parent["archiveID"] == "arXiv:2006.11239" and parent["extra"].startswith("arXiv:")
    assert len(zot.children(keys[0])) == 3


# ---------------------------------------------------------------------- schemas


@pytest.mark.parametrize(("schema", "native"), [(Schema.ZOTERO7, False), (Schema.ZOTERO8, True)])
def test_citation_key_per_schema(
    zotero_server_factory: EmulatorFactory, schema: Schema, native: bool
) -> None:
    """Zotero 8 has a native `citationKey` on every item type; Zotero 7 refuses it."""
    emu = zotero_server_factory(schema=schema)
    z = client_for(emu)
    for item_type in (
        "preprint",
        "conferencePaper",
        "journalArticle",
        "computerProgram",
        "webpage",
    ):
        has = "citationKey" in [f["field"] for f in z.item_type_fields(item_type)]
        assert has is native
    answer = z.create_items(
        [paper("DDPM", citationKey="ho2020denoising"), paper("BBT", extra="Citation Key: x2020")]
    )
    assert ("0" in answer["success"]) is native
    assert "1" in answer["success"]
    if not native:
        assert answer["failed"]["0"]["message"] == "Invalid property 'citationKey'"


# ------------------------------------------------------------------------ auth


def test_api_key_checks(zotero_server: ZoteroEmulator) -> None:
    """Basics: the key as `Zotero-API-Key` or `Authorization: Bearer`; 403 without it."""
    url = f"{zotero_server.url}{zotero_server.library.prefix}/items"
    key = zotero_server.api_key
    with httpx2.Client(verify=SSL_CONTEXT) as client:
        assert client.get(url).status_code == 403
        assert client.get(url, headers={"Zotero-API-Key": "wrong"}).status_code == 403
        assert client.get(url, headers={"Zotero-API-Key": key}).status_code == 200
        assert client.get(url, headers={"Authorization": f"Bearer {key}"}).status_code == 200
        other = f"{zotero_server.url}/groups/1/items"
        assert client.get(other, headers={"Zotero-API-Key": key}).status_code == 403
        info = client.get(f"{zotero_server.url}/keys/current", headers={"Zotero-API-Key": key})
        assert info.json()["access"]["groups"]["all"]["write"] is True


def test_put_and_patch_follow_the_dataserver_and_references_are_checked(
    zotero_server: ZoteroEmulator, http: httpx2.Client
) -> None:
    """dataserver Items::validateJSONItem / updateFromJSON: a PUT of an existing item must
    carry itemType, tags, relations and collections ("'tags' property not provided"); the
    fields it does not send are kept (only sent properties are set), a PATCH sends "only the
    fields that have changed"; missing parents/collections are 409 (ItemTest::
    test_should_return_409_*); a top-level linked URL is accepted (checkTopLevelAttachment
    is disabled); a type change moves base-mapped fields (Item::setType)."""
    lib = zotero_server.library
    key = lib.seed_items([paper("A", DOI="10.1/x", date="2020")])[0]
    v = lib.item(key)["version"]
    assert http.patch(f"/items/{key}", json={"date": "2021", "version": v}).status_code == 204
    assert lib.item(key)["DOI"] == "10.1/x" and lib.item(key)["date"] == "2021"
    v = lib.item(key)["version"]
    bare = http.put(
        f"/items/{key}",
        json={"itemType": "preprint", "title": "B"},
        headers={"If-Unmodified-Since-Version": str(v)},
    )
    assert (bare.status_code, bare.text) == (400, "'tags' property not provided")
    put = http.put(
        f"/items/{key}",
        json={"itemType": "preprint", "title": "B", "creators": [], "tags": [],
              "relations": {}, "collections": []},
        headers={"If-Unmodified-Since-Version": str(v)},
    )  # fmt: skip
    assert put.status_code == 204 and int(put.headers["Last-Modified-Version"]) == v + 1
    assert lib.item(key)["DOI"] == "10.1/x" and lib.item(key)["creators"] == []
    same = http.patch(f"/items/{key}", json={"title": "B", "version": v + 1})
    # nothing changed: the answer shows the version from before, the item keeps its own
    # (ApiController handleObjectWrite); the library version was bumped up front
    assert same.status_code == 204 and same.headers["Last-Modified-Version"] == str(v + 1)
    assert lib.item(key)["version"] == v + 1 and lib.version == v + 2

    answer = http.post(
        "/items",
        json=[
            paper("in a missing collection", collections=["ZZZZZZZZ"]),
            {"itemType": "note", "note": "x", "parentItem": key, "collections": ["ZZZZZZZZ"]},
            {
                "itemType": "attachment",
                "linkMode": "linked_url",
                "url": "https://x.org",
                "title": "x",
            },
            {"itemType": "journalArticle", "title": "child", "parentItem": key},
            paper("retyped", "journalArticle", publicationTitle="JMLR"),
        ],
    ).json()
    assert {i: f["code"] for i, f in answer["failed"].items()} == {"0": 409, "1": 400, "3": 400}
    assert answer["failed"]["0"]["message"] == "Collection ZZZZZZZZ not found"
    assert answer["failed"]["0"]["data"] == {"collection": "ZZZZZZZZ"}
    assert "2" in answer["success"]
    retyped = answer["success"]["4"]
    v = lib.item(retyped)["version"]
    http.patch(f"/items/{retyped}", json={"itemType": "conferencePaper", "version": v})
    assert "publicationTitle" not in lib.item(retyped)
    assert lib.item(retyped)["proceedingsTitle"] == "JMLR"


def test_trash_reset_and_top_items(zotero_server: ZoteroEmulator, zot: zotero.Zotero) -> None:
    """Basics: `/items` excludes trashed items, `/items/trash` lists them; the Syncing page's
    `includeTrashed=1` shows them with their new version."""
    lib = zotero_server.library
    key, other = lib.seed_items([paper("A"), paper("B")])
    lib.seed_items([{"itemType": "note", "note": "n", "parentItem": key}])
    assert set(lib.top_items()) == {key, other}
    v = lib.version
    lib.trash_item(key)
    assert [i["key"] for i in zot.top()] == [other]
    assert [i["key"] for i in zot.trash()] == [key]
    assert zot.item_versions(since=v, includeTrashed=1) == {key: lib.version}
    assert zot.deleted(since=v)["items"] == []
    zotero_server.faults.append(Fault(FaultKind.RATE_LIMIT))
    zotero_server.reset()
    assert zotero_server.library.items() == {} and zotero_server.faults == []
    assert zot.items() == [] and zotero_server.count() == 1


# ----------------------------------------------------------------------- faults


def test_429_with_retry_after_is_retried_by_pyzotero_reads(
    zotero_server: ZoteroEmulator, zot: zotero.Zotero
) -> None:
    """Basics: "429 Too Many Requests ... Retry-After"; nothing is applied."""
    fault = Fault(FaultKind.RATE_LIMIT, method="GET", route="/items")
    zotero_server.faults.append(fault)
    assert zot.items() == []
    assert zotero_server.fault_book.fired(fault) == 1
    assert [r.status for r in zotero_server.requests if r.route == "/items"] == [429, 200]


def test_503_and_backoff_headers(zotero_server: ZoteroEmulator, http: httpx2.Client) -> None:
    """Basics: 503 with Retry-After; `Backoff: <seconds>` may come on any (successful) answer."""
    zotero_server.faults.append(Fault(FaultKind.UNAVAILABLE, method="POST", seconds=7))
    refused = http.post("/items", json=[paper("A")])
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "7"
    assert zotero_server.library.items() == {}
    zotero_server.faults.append(Fault(FaultKind.BACKOFF, when=2, seconds=3))
    assert "Backoff" not in http.get("/items").headers
    ok = http.get("/items")
    assert ok.status_code == 200 and ok.headers["Backoff"] == "3"
    assert "Backoff" not in http.get("/items").headers


def test_dropped_connection_after_an_applied_write(
    zotero_server: ZoteroEmulator, zot: zotero.Zotero, http: httpx2.Client
) -> None:
    """The write lands but the answer never comes; resending the same write token is safe."""
    zotero_server.faults.append(Fault(FaultKind.DROP_AFTER_WRITE, method="POST", route="/items"))
    with pytest.raises(httpx2.TransportError):
        zot.create_items([paper("lost answer")])
    assert [d["title"] for d in zotero_server.library.items().values()] == ["lost answer"]

    zotero_server.faults.append(Fault(FaultKind.DROP_AFTER_WRITE, method="POST"))
    token = "b" * 32
    with pytest.raises(httpx2.TransportError):
        http.post("/items", json=[paper("second")], headers={"Zotero-Write-Token": token})
    retry = http.post("/items", json=[paper("second")], headers={"Zotero-Write-Token": token})
    assert retry.status_code == 412
    assert len(zotero_server.library.items()) == 2
    assert zotero_server.requests[-2].status == 0


def test_dropped_connection_before_anything_is_applied(
    zotero_server: ZoteroEmulator, http: httpx2.Client
) -> None:
    zotero_server.faults.append(Fault(FaultKind.DROP_BEFORE, method="POST"))
    with pytest.raises(httpx2.TransportError):
        http.post("/items", json=[paper("never")])
    assert zotero_server.library.items() == {}


def test_a_concurrent_writer_makes_our_update_stale(
    zotero_server: ZoteroEmulator, zot: zotero.Zotero
) -> None:
    """Syncing: "on 412, start over" -- the emulator can make another member write between our
    read and our write."""
    lib = zotero_server.library
    key = lib.seed_items([paper("A")])[0]
    data = zot.item(key)["data"]
    zotero_server.faults.append(
        Fault(
            FaultKind.CONCURRENT_WRITE,
            when=lambda r: r.method == "PATCH",
            action=lambda emu: emu.library.edit_item(key, abstractNote="theirs"),
        )
    )
    data["title"] = "ours"
    with pytest.raises(ze.PreConditionFailedError):
        zot.update_item(data)
    assert lib.item(key)["abstractNote"] == "theirs" and lib.item(key)["title"] == "A"


def test_request_counters_and_predicates(zotero_server: ZoteroEmulator, zot: zotero.Zotero) -> None:
    """Tests can assert request budgets ("a no-op sync sends at most 2 requests")."""
    seen: list[RequestInfo] = []
    zotero_server.faults.append(
        Fault(FaultKind.BACKOFF, when=lambda r: seen.append(r) is not None, times=None)
    )
    zot.item_versions(since=0)
    zot.deleted(since=0)
    assert zotero_server.count() == 2
    assert zotero_server.counts() == {("GET", "/items"): 1, ("GET", "/deleted"): 1}
    assert [r.route for r in seen] == ["/items", "/deleted"]
    assert seen[0].query["format"] == "versions"


def test_stop_and_start_keep_port_and_state(
    zotero_server: ZoteroEmulator, zot: zotero.Zotero
) -> None:
    """Taking "Zotero" away: connections fail, then the same URL answers with the same data."""
    key = zotero_server.library.seed_items([paper("A")])[0]
    url = zotero_server.url
    zot.items()  # keep a pooled connection open
    zotero_server.stop()
    with pytest.raises(httpx2.TransportError):
        zot.items()
    zotero_server.start()
    assert zotero_server.url == url
    assert [i["key"] for i in zot.items()] == [key]


def test_latency_setting_is_applied(zotero_server_factory: EmulatorFactory) -> None:
    emu = zotero_server_factory(latency=0.01)
    assert client_for(emu).items() == [] and emu.latency == 0.01


# ------------------------------------------------------------------- direct state


def test_state_helpers_validate_like_the_api(zotero_server: ZoteroEmulator) -> None:
    lib = zotero_server.library
    with pytest.raises(ObjectError, match="booktitle"):
        lib.seed_items([paper("x", "conferencePaper", booktitle="NeurIPS")])
    key = lib.seed_items([paper("x")])[0]
    before = lib.version
    assert lib.edit_item(key, title="y") == before + 1
    assert lib.edit_item(key, title="y") == before + 1  # unchanged: no version bump
    assert lib.version == before + 1
    coll = lib.add_collection("Topic")
    assert lib.collection_by_name("Topic") == coll


_ops = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.integers(1, 5)),
        st.tuples(st.just("edit"), st.integers(0, 30)),
        st.tuples(st.just("delete"), st.integers(0, 30)),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(_ops)
def test_versions_rise_and_since_sees_exactly_the_changes(ops: list[tuple[str, int]]) -> None:
    """Syncing: library versions only increase, every object carries the version of the
    request that last changed it, and `since=V` finds exactly the objects changed after V."""
    emu = ZoteroEmulator()  # state only; no server needed
    lib: Library = emu.library
    history: list[int] = [lib.version]
    changed_at: dict[str, int] = {}
    for op, n in ops:
        keys = sorted(lib.items())
        if op == "create":
            for key in lib.seed_items([paper(f"t{i}") for i in range(n)]):
                changed_at[key] = lib.item(key)["version"]  # one version per object
        elif op == "edit" and keys:
            key = keys[n % len(keys)]
            lib.edit_item(key, title=f"edit {len(history)}")
            changed_at[key] = lib.version
        elif op == "delete" and keys:
            lib.remove_items([keys[n % len(keys)]])
        history.append(lib.version)
    assert history == sorted(history)
    items = lib.items()
    assert all(d["version"] == changed_at[k] for k, d in items.items())
    for v in set(history):
        assert {k for k, d in items.items() if d["version"] > v} == {
            k for k in items if changed_at[k] > v
        }
        assert {k for k, at in lib.deleted_items.items() if at > v} <= set(changed_at) - set(items)


# ------------------------------------------------------------------------- CLI


def test_runs_on_its_own_and_prints_how_to_use_it(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(
        json.dumps(
            {"collections": ["Diffusion"], "items": [paper("DDPM", collections=["Diffusion"])]}
        )
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "genbib.testing.zotero", "--port", "0", "--seed", str(seed)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(6)]
        url = lines[0].rsplit(" at ", 1)[1].strip()
        text = "".join(lines)
        assert "GENBIB_ZOTERO_API_URL=" in text and "ZOTERO_API_KEY=" in text
        key = text.split("ZOTERO_API_KEY=")[1].split()[0]
        items = httpx2.get(f"{url}/groups/2000002/items", headers={"Zotero-API-Key": key}).json()
        assert [i["data"]["title"] for i in items] == ["DDPM"]
        assert items[0]["data"]["collections"] and items[0]["data"]["collections"][0] != "Diffusion"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
