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

    The conversion is the emulator's (`genbib.testing.zotero.translator_items.convert`:
    API field names, creator types the item type lacks turned into its primary one as
    the Zotero client does, tags as automatic tags, notes and attachments as children);
    here a member then adds the manual tag "to-read".
    """
    from genbib.testing.zotero.schema import default_schema
    from genbib.testing.zotero.translator_items import convert, with_parent

    saved = convert(item, default_schema())
    data = {**saved.parent, "collections": [], "relations": {}}
    data["tags"] = [*saved.parent["tags"], {"tag": MEMBER_TAG}]
    return data, with_parent([*saved.attachments, *saved.notes], parent)
