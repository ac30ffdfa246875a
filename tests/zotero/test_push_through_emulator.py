"""The mapping's partial updates, pushed with pyzotero over HTTP into the Zotero emulator.

The Connector's real items (with their attachments and notes as child items, their tags)
are saved into the emulator, read back through the adapter, edited in the bib and pushed
with `update_item`: the server accepts every write, and afterwards each member's field, tag
and child is still there; a type change on the bib side lands as a type the server accepts.
"""

from __future__ import annotations

from typing import Any

from tests.zotero.realworld import as_saved, creator_types, translator_items

from genbib.errors import RemoteError
from genbib.model.entry import Entry
from genbib.testing.zotero import ZoteroEmulator
from genbib.zotero.adapter import ZoteroAdapter
from genbib.zotero.mapping import from_item, read_children, update_item


def _fields(api: ZoteroAdapter, itype: str) -> frozenset[str] | None:
    """The fields the server serves for a type; None for a type it does not know."""
    try:
        return api.fields_of(itype)
    except RemoteError:
        return None


def _saveable(item: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """The item as far as the server's schema knows its fields and creator types (a test
    case recorded under an older schema may have a `translator` on a dataset, say)."""
    props = {"itemType", "tags", "collections", "relations"}
    roles = {"author", *creator_types().get(item["itemType"], ())}
    out = {k: v for k, v in item.items() if k in props or k in known}
    out["creators"] = [c for c in item.get("creators", []) if c["creatorType"] in roles]
    return out


def _seed(lib: Any, items: list[dict[str, Any]]) -> list[str]:
    return [key for i in range(0, len(items), 50) for key in lib.seed_items(items[i : i + 50])]


def test_connector_items_keep_everything_through_bib_edits(zotero_server: ZoteroEmulator) -> None:
    lib = zotero_server.library
    api = ZoteroAdapter(
        "group", str(zotero_server.group_id), zotero_server.api_key, zotero_server.url
    )
    schema = {
        t: f for t in {i["itemType"] for _, i in translator_items()} if (f := _fields(api, t))
    }
    saved = [as_saved(i) for _, i in translator_items() if i["itemType"] in schema]
    assert len(saved) >= 100  # journal articles, conference papers, chapters, books, theses...
    parents = _seed(lib, [_saveable(data, schema[data["itemType"]]) for data, _ in saved])
    _seed(
        lib, [{**k, "parentItem": p} for (_, ks), p in zip(saved, parents, strict=True) for k in ks]
    )
    version, _ = api.versions_since(0) or (0, {})
    before_push = {o["key"]: o for o in api.items(parents)}
    children: dict[str, list[dict[str, Any]]] = {}
    for obj in api.items([k for k in lib.items() if k not in before_push]):
        children.setdefault(obj["data"]["parentItem"], []).append(obj["data"])

    payloads, edits = [], {}
    for key in parents:
        data = before_push[key]["data"]
        entry = from_item(data, read_children(children.get(key, [])))
        edited = Entry(entry.type, f"k{key.lower()}", dict(entry.fields))
        edited.set("keywords", "diffusion")  # the member's "to-read" removed in the bib
        edited.set("presentation", "Oral")
        if edited.type == "article":  # a journal version re-filed as a conference paper
            edited.type = "inproceedings"
            edited.set("booktitle", edited.get("journal"))
        edits[key] = edited
        payload = update_item(edited, entry, data, schema=schema)
        payloads.append({**payload, "key": key, "version": before_push[key]["version"]})
    answer = api.write(payloads, version)
    assert not answer.failed, list(answer.failed.values())[:3]

    after = {o["key"]: o["data"] for o in api.items(parents)}
    for key in parents:
        old, new = before_push[key]["data"], after[key]
        automatic = [t for t in old["tags"] if t.get("type") == 1]
        assert all(t in new["tags"] for t in automatic)
        assert {t["tag"] for t in new["tags"] if not t.get("type")} == {"diffusion"}
        for line in (old.get("extra") or "").splitlines():
            if not line.startswith(("tex.", "DOI:")):
                assert line in new["extra"].splitlines(), (key, line)
        retyped = old["itemType"] == "journalArticle"
        assert new["itemType"] == ("conferencePaper" if retyped else old["itemType"])
        if retyped and old.get("publicationTitle"):
            assert new["proceedingsTitle"] == old["publicationTitle"]  # moved, not lost
        for name, value in old.items():
            if name in (
                "tags",
                "extra",
                "itemType",
                "citationKey",
                "dateModified",
                "version",
                "publicationTitle",
            ):
                continue
            if (
                retyped
                and name not in schema["conferencePaper"]
                and name not in ("creators", "collections", "relations", "title")
            ):
                continue  # cleared by the server on the type change (Zotero_Item::setType)
            if value == "":
                assert new.get(name) in ("", None), (key, name, new.get(name))
                continue
            if retyped and name == "issue":  # a conference paper's number is a tex line
                assert f"tex.number: {value}" in new["extra"].splitlines()
                continue
            assert new.get(name) == value, (key, name, value, new.get(name))
        back = from_item(new, read_children(children.get(key, [])), base=edits[key])
        assert (back.type, back.fields) == (edits[key].type, edits[key].fields)
    # every child is still there, unchanged
    for obj in api.items([k for k in lib.items() if k not in after]):
        assert obj["version"] <= version
