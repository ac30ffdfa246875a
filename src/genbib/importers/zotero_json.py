"""Zotero item JSON (Web API: a list of `{key, version, data}`) and CSL-JSON as sources.

Zotero items go through the sync engineer's mapping (`genbib.zotero.mapping.from_item`),
so an item imported from a file and the same item synced from the group become the same
entry. Child notes and linked-URL attachments are attached to their parent. CSL-JSON
(what Zotero, Mendeley and citation.js export) is mapped here: it has a small, stable
vocabulary.
"""

from __future__ import annotations

import json
from typing import Any

from genbib.errors import InputError
from genbib.importers.rows import Parsed, Row, Shape
from genbib.importers.text import inert
from genbib.model.entry import Entry
from genbib.model.identifiers import is_http_url
from genbib.model.problems import Problem, Severity

_CSL_TYPES = {
    "paper-conference": "inproceedings", "article-journal": "article", "article": "misc",
    "book": "book", "chapter": "incollection", "thesis": "phdthesis", "report": "techreport",
    "webpage": "misc", "manuscript": "unpublished",
}  # fmt: skip


def looks_like(text: str) -> str:
    """ "zotero", "csl" or "" for a JSON text."""
    head = text.lstrip()[:1]
    if head not in "[{":
        return ""
    try:
        data = json.loads(text)
    except ValueError:
        return ""
    items = (
        data if isinstance(data, list) else data.get("items", []) if isinstance(data, dict) else []
    )
    if not items or not isinstance(items[0], dict):
        return ""
    first = items[0]
    if "data" in first and isinstance(first["data"], dict) and "itemType" in first["data"]:
        return "zotero"
    if "itemType" in first:
        return "zotero"
    if "type" in first and ("title" in first or "id" in first):
        return "csl"
    return ""


def _items(text: str, file: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(f"{file}: not valid JSON: {exc}") from None
    if isinstance(data, dict):
        data = data.get("items", [data])
    if not isinstance(data, list):
        raise InputError(f"{file}: expected a JSON list of items")
    return [d for d in data if isinstance(d, dict)]


def parse_zotero(text: str, file: str) -> Parsed:
    from genbib.zotero.mapping import child_of, from_item

    out = Parsed()
    items = [(i, d.get("data", d)) for i, d in enumerate(_items(text, file), 1)]
    items = [(i, d) for i, d in items if isinstance(d, dict)]  # `"data": 5` is no item
    kids: dict[str, list[Any]] = {}
    for _, data in items:
        parent = data.get("parentItem")
        if parent:
            child = child_of(data)
            if child is not None:
                kids.setdefault(str(parent), []).append(child)
    for number, data in items:
        if data.get("parentItem") or data.get("itemType") in ("note", "attachment", "annotation"):
            continue
        try:
            entry = from_item(data, kids.get(str(data.get("key", "")), []))
        except (
            KeyError,
            TypeError,
            ValueError,
            AttributeError,
        ) as exc:  # a field of the wrong JSON type
            out.problems.append(
                Problem(
                    "I-bad-item",
                    f"item {number} not understood: {exc}",
                    Severity.ERROR,
                    file,
                    number,
                )
            )
            continue
        entry.file, entry.line = file, number
        out.rows.append(Row(file, number, Shape.ZOTERO, title=entry.title, entry=entry))
    return out


def parse_csl(text: str, file: str) -> Parsed:
    out = Parsed()
    for number, item in enumerate(_items(text, file), 1):
        entry = Entry(_CSL_TYPES.get(str(item.get("type", "")), "misc"), "", line=number, file=file)
        entry.set("title", inert(str(item.get("title", ""))))
        names = []
        for person in item.get("author") or []:
            if isinstance(person, dict):
                family, given = inert(str(person.get("family") or "")), person.get("given")
                if family:
                    names.append(f"{family}, {inert(str(given))}" if given else family)
                elif person.get("literal"):
                    names.append("{" + inert(str(person["literal"])) + "}")
        entry.set("author", " and ".join(names))
        container = str(item.get("container-title", "") or "")
        entry.set("journal" if entry.type == "article" else "booktitle", inert(container))
        issued = item.get("issued") or {}
        parts = issued.get("date-parts") if isinstance(issued, dict) else None
        if parts and parts[0]:
            entry.set("year", str(parts[0][0]))
        entry.set("doi", str(item.get("DOI", "") or ""))
        url = str(item.get("URL", "") or "")
        if url and is_http_url(url):
            entry.set("url", url)
        for name, field in (("volume", "volume"), ("page", "pages"), ("publisher", "publisher")):
            if item.get(name):
                entry.set(field, inert(str(item[name])))
        if item.get("abstract"):
            entry.set("abstract", inert(str(item["abstract"])))
        if not entry.title:
            out.problems.append(
                Problem(
                    "I-bad-item", "CSL item without a title skipped", Severity.WARNING, file, number
                )
            )
            continue
        out.rows.append(Row(file, number, Shape.CSL, title=entry.title, entry=entry))
    return out
