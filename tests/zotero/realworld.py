"""The real-world Zotero material under `../shared/realworld` (read in place, never copied).

`schema.json` is Zotero's data schema (zotero/zotero-schema); the `*.testCases.json` files
are the translators' own test cases (zotero/translators): the items the Connector saves
from NeurIPS, PMLR/JMLR, ACM, IEEE, Semantic Scholar, Google Scholar, DOI, Crossref, ACL
Anthology, Springer, ScienceDirect and Nature pages. SOURCES.md there names their origin.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def shared() -> Path:
    """`../shared/realworld` from the repo root (CI), or from a parent of a worktree."""
    for d in (ROOT, *ROOT.parents):
        candidate = d.parent / "shared" / "realworld"
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"no shared/realworld next to {ROOT} or its parents")


@cache
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((shared() / "zotero-schema" / "schema.json").read_text())
    return data


@cache
def type_fields() -> dict[str, frozenset[str]]:
    """item type -> its fields, as `/itemTypeFields` serves them (plus Zotero 8's citationKey)."""
    return {
        t["itemType"]: frozenset(f["field"] for f in t["fields"])
        for t in schema()["itemTypes"]
        if t["itemType"] not in ("note", "attachment", "annotation")
    }


@cache
def creator_types() -> dict[str, tuple[str, ...]]:
    return {
        t["itemType"]: tuple(c["creatorType"] for c in t["creatorTypes"])
        for t in schema()["itemTypes"]
        if t["itemType"] not in ("note", "attachment", "annotation")
    }


def translator_items() -> list[tuple[str, dict[str, Any]]]:
    """(file stem #n, item) for every single item the translators' test cases save."""
    out = []
    folder = shared() / "zotero-translator-items"
    for path in sorted(folder.glob("*.testCases.json")):
        cases = json.loads(path.read_text(encoding="utf-8"))
        n = 0
        for case in cases:
            items = case.get("items")
            if not isinstance(items, list):
                continue  # "multiple": a search page
            for item in items:
                n += 1
                out.append((f"{path.name.removesuffix('.testCases.json')} #{n}", item))
    return out


MEMBER_TAG = "to-read"


def as_saved(
    item: dict[str, Any], parent: str = "PARENT01"
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The item and children the Connector saves for a translator's item, as the API gives them.

    The test-case JSON is the translator's output; the Connector's item saver turns it into
    a top-level item plus child items: `attachments` become stored files (`imported_url`,
    with the content type; `snapshot: false` makes a linked URL), `notes` child notes; the
    translator's tags are automatic tags (type 1: "added by software" in Zotero's tag
    selector). A member then adds the manual tag "to-read".
    """
    data = {k: v for k, v in item.items() if k not in ("attachments", "notes", "seeAlso", "itemID")}
    tags = [
        {"tag": t["tag"] if isinstance(t, dict) else t, "type": 1} for t in item.get("tags", [])
    ]
    data["tags"] = [*tags, {"tag": MEMBER_TAG}]
    data["creators"] = [_creator(c) for c in item.get("creators", [])]
    data["collections"] = []
    data["relations"] = {}
    kids: list[dict[str, Any]] = []
    base_url = str(item.get("url") or "https://example.org/item").rstrip("/")
    for i, a in enumerate(item.get("attachments", [])):
        mime = a.get("mimeType") or a.get("type") or ""
        linked = a.get("snapshot") is False
        kid = {
            "itemType": "attachment",
            "parentItem": parent,
            "linkMode": "linked_url" if linked else "imported_url",
            "title": a.get("title", ""),
            "contentType": mime,
            "url": f"{base_url}/attachment{i}" + (".pdf" if mime == "application/pdf" else ""),
            "tags": [],
        }
        kids.append(kid)
    for note in item.get("notes", []):
        text = note["note"] if isinstance(note, dict) else note
        kids.append({"itemType": "note", "parentItem": parent, "note": text, "tags": []})
    return data, kids


def _creator(c: dict[str, Any]) -> dict[str, Any]:
    """A creator as the API gives it: a single-field name (`fieldMode: 1`) is `name`, and the
    harness's `creatorTypeID` is no API property."""
    if c.get("fieldMode") == 1 or ("lastName" in c and "firstName" not in c):
        return {"creatorType": c["creatorType"], "name": c.get("lastName") or c.get("name", "")}
    return {k: v for k, v in c.items() if k in ("creatorType", "firstName", "lastName", "name")}
