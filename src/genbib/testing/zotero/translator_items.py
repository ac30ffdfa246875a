"""Real Zotero items for tests: the Zotero translators' own test cases, as the Connector saves them.

`../shared/realworld/zotero-translator-items/*.testCases.json` holds the `testCases` blocks of
the translators a machine-learning lab meets (arXiv-era venues: ACL Anthology, NeurIPS,
JMLR, IEEE Xplore, ACM DL, Springer, ScienceDirect, Nature, Semantic Scholar, Google
Scholar, DOI / Crossref). Each web case lists the items the translator returns for a page.
This module turns each such item into what ends up in a Zotero library through the Web API
when a member saves that page with the Zotero Connector:

- the parent item: the translator's fields under their API names (translators already use
  Zotero's internal field names), with the translator-only keys (`itemID`, `seeAlso`,
  `attachments`, `notes`, `complete`) dropped; a base field the type lacks goes to the
  type's own field (`publicationTitle` -> `proceedingsTitle`), as Zotero's `setField`
  maps base fields; a field the type has no home for at all becomes a `Label: value` line
  in `extra` rather than being dropped (none of the shared cases needs this today; it keeps
  a newer translator's field from failing the fixture);
- `creators` with `fieldMode: 1` become single-field `{"name": ...}` creators; a creator
  type the item type lacks becomes the type's primary one (zotero/zotero `item.js`
  setCreator: "isn't valid for <type> -- changing to primary creator");
- `tags`: strings or `{tag[, type]}`; tags a web translator returns are saved as
  automatic tags (type 1), which Zotero shows in orange;
- each of `notes` (string or `{note}`) becomes a child note item;
- each of `attachments` becomes a child attachment item: a PDF or an HTML snapshot is a
  stored file (`imported_url`, `contentType`, `filename`, `md5`, `mtime`); an attachment
  with `snapshot: false` is a link (`linked_url`) to the page.

The translators' test data is third-party and stays outside the repository; see
`items_dir()` for where it is looked for. Everything here is deterministic: the same files
give the same items, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genbib.testing.zotero.schema import ZoteroSchema, default_schema

if TYPE_CHECKING:
    from genbib.testing.zotero.library import Library

ITEMS_ENV = "GENBIB_TRANSLATOR_ITEMS"
SHARED_ITEMS = Path("shared") / "realworld" / "zotero-translator-items"
ACCESS_DATE = "2026-01-15T09:30:00Z"  # one fixed "saved at", for deterministic fixtures
MTIME = 1768469400000  # the same moment in milliseconds (attachment `mtime`)

_TRANSLATOR_ONLY = frozenset({"itemID", "seeAlso", "attachments", "notes", "complete", "itemType"})
_STRUCTURE = frozenset({"creators", "tags"})

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class TranslatorItem:
    """One item of one translator test case, as the Connector saves it."""

    source: str  # "<Translator>.testCases.json"
    case: int  # index of the test case in the file
    index: int  # index of the item in the case
    url: str  # the page the case was translated from
    parent: JsonObject  # the regular item (no key; API JSON)
    notes: list[JsonObject] = field(default_factory=list)  # child notes (no parentItem yet)
    attachments: list[JsonObject] = field(default_factory=list)  # child attachments

    @property
    def name(self) -> str:
        """A stable test id, e.g. "ACLWeb#3.0"."""
        return f"{self.source.removesuffix('.testCases.json')}#{self.case}.{self.index}"

    @property
    def children(self) -> list[JsonObject]:
        return [*self.notes, *self.attachments]


def items_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The translator test-case directory: `path`, $GENBIB_TRANSLATOR_ITEMS, or
    shared/realworld/zotero-translator-items next to the repository or a folder above it."""
    if path is not None:
        return Path(path)
    env = os.environ.get(ITEMS_ENV)
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / SHARED_ITEMS
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"translator test items not found: set {ITEMS_ENV} or put them at "
        f"../shared/realworld/zotero-translator-items next to the repository"
    )


def load(
    path: str | os.PathLike[str] | None = None, schema: ZoteroSchema | None = None
) -> list[TranslatorItem]:
    """Every item of every web/import test case with items, in file and case order."""
    schema = schema or default_schema()
    out: list[TranslatorItem] = []
    for file in sorted(items_dir(path).glob("*.testCases.json")):
        cases = json.loads(file.read_text(encoding="utf-8"))
        for case_no, case in enumerate(cases):
            items = case.get("items")
            if not isinstance(items, list):
                continue  # "multiple": a search/listing page, nothing saved as such
            for item_no, raw in enumerate(items):
                out.append(convert(raw, schema, file.name, case_no, item_no, case.get("url", "")))
    return out


def convert(
    raw: JsonObject,
    schema: ZoteroSchema,
    source: str = "",
    case: int = 0,
    index: int = 0,
    url: str = "",
) -> TranslatorItem:
    """One translator item -> the parent, notes and attachments the Connector saves."""
    item_type = str(raw["itemType"])
    valid = set(schema.fields_for(item_type))
    parent: JsonObject = {"itemType": item_type}
    extra_lines: list[str] = []
    for name, value in raw.items():
        if name in _TRANSLATOR_ONLY or name in _STRUCTURE or value in ("", None):
            continue
        text = str(value)
        target = name if name in valid else schema.field_from_base(item_type, name)
        if target is None and name in schema.all_fields:
            base = next((b for (t, f), b in schema.base.items() if f == name), None)
            target = schema.field_from_base(item_type, base) if base else None
        if target is not None and target in valid:
            parent[target] = text
        elif name != "extra":
            extra_lines.append(f"{schema.label(name)}: {text}")
    if extra_lines:
        parent["extra"] = "\n".join(filter(None, [parent.get("extra", ""), *extra_lines]))
    kinds = schema.creator_types.get(item_type, ())
    parent["creators"] = [_creator(c, kinds) for c in raw.get("creators", [])]
    parent["tags"] = _tags(raw.get("tags", []))
    page = str(raw.get("url") or url)
    notes = [_note(n) for n in raw.get("notes", [])]
    attachments = [_attachment(a, page) for a in raw.get("attachments", [])]
    return TranslatorItem(source, case, index, url, parent, notes, attachments)


def _creator(raw: JsonObject, kinds: Sequence[str]) -> JsonObject:
    kind = raw.get("creatorType", "author")
    if kinds and kind not in kinds:
        kind = kinds[0]
    if raw.get("fieldMode") == 1 or ("name" in raw and "lastName" not in raw):
        return {"creatorType": kind, "name": str(raw.get("lastName") or raw.get("name") or "")}
    return {
        "creatorType": kind,
        "firstName": str(raw.get("firstName") or ""),
        "lastName": str(raw.get("lastName") or ""),
    }


def _tags(raw: Sequence[Any]) -> list[JsonObject]:
    out: list[JsonObject] = []
    for tag in raw:
        name = tag.get("tag") if isinstance(tag, dict) else tag
        kind = tag.get("type", 1) if isinstance(tag, dict) else 1
        entry = {"tag": str(name), "type": int(kind)}
        if entry["type"] == 0:
            del entry["type"]
        if str(name).strip() and entry not in out:
            out.append(entry)
    return out


def _note(raw: Any) -> JsonObject:
    text = raw.get("note", "") if isinstance(raw, dict) else str(raw)
    return {"itemType": "note", "note": str(text), "tags": [], "relations": {}}


_EXT = {"application/pdf": "pdf", "text/html": "html", "application/epub+zip": "epub"}


def _attachment(raw: JsonObject, page: str) -> JsonObject:
    title = str(raw.get("title") or "Attachment")
    mime = str(raw.get("mimeType") or raw.get("type") or "")
    url = str(raw.get("url") or page)
    if raw.get("snapshot") is False:
        return {
            "itemType": "attachment",
            "linkMode": "linked_url",
            "title": title,
            "url": url,
            "accessDate": ACCESS_DATE,
            "note": "",
            "contentType": mime,
            "charset": "",
            "tags": [],
            "relations": {},
        }
    ext = _EXT.get(mime, "bin")
    stem = re.sub(r"[^\w.-]+", " ", title).strip() or "file"
    digest = hashlib.md5(f"{url}\n{title}".encode(), usedforsecurity=False).hexdigest()
    return {
        "itemType": "attachment",
        "linkMode": "imported_url",
        "title": title,
        "url": url,
        "accessDate": ACCESS_DATE,
        "note": "",
        "contentType": mime,
        "charset": "utf-8" if mime == "text/html" else "",
        "filename": f"{stem}.{ext}",
        "md5": digest,
        "mtime": MTIME,
        "tags": [],
        "relations": {},
    }


def with_parent(children: Sequence[JsonObject], parent_key: str) -> list[JsonObject]:
    """Copies of `children` pointing at `parent_key` (the second write of a save)."""
    return [{**child, "parentItem": parent_key} for child in children]


def seed(library: Library, items: Sequence[TranslatorItem]) -> dict[str, list[str]]:
    """Save `items` into an emulated library as the Connector's uploads do (parents first,
    then their children, 50 objects per write); parent key -> child keys."""
    keys: list[str] = []
    for start in range(0, len(items), 50):
        keys += library.seed_items([dict(i.parent) for i in items[start : start + 50]])
    children: list[JsonObject] = []
    owners: list[str] = []
    for key, item in zip(keys, items, strict=True):
        children += with_parent(item.children, key)
        owners += [key] * len(item.children)
    out: dict[str, list[str]] = {key: [] for key in keys}
    for start in range(0, len(children), 50):
        made = library.seed_items(children[start : start + 50])
        for owner, child in zip(owners[start : start + 50], made, strict=True):
            out[owner].append(child)
    return out


def iter_papers(items: Sequence[TranslatorItem]) -> Iterator[TranslatorItem]:
    """The items a bibliography of papers keeps (articles, papers, preprints, books,
    chapters, reports, theses), leaving out court cases, datasets and the like."""
    papers = {
        "journalArticle", "conferencePaper", "preprint", "book", "bookSection", "report",
        "thesis", "manuscript",
    }  # fmt: skip
    return (i for i in items if i.parent["itemType"] in papers)
