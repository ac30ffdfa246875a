"""The item types, fields and creator types the Zotero emulator knows, in two schema flavours.

A reduced snapshot of the Zotero data schema (the one `GET /itemTypeFields?itemType=...`
serves) for the types a bibliography of papers uses. Field order follows the schema, because
the API returns item data in that order and a client that diffs JSON sees the same bytes.
The validator refuses fields a type does not have exactly like the real API ("'$field' is
not a valid field for type '$type'" for a known field, "Invalid property '$field'" for a
name that is no field at all), which is what catches a mapping that writes `booktitle` or
puts `proceedingsTitle` on a preprint.

Two flavours matter for citation keys: "zotero7", where no item type has a native
`citationKey` field (Better BibTeX keeps keys in `extra`), and "zotero8", where every
regular item type has one.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache


class Schema(StrEnum):
    """Which Zotero schema the emulator serves."""

    ZOTERO7 = "zotero7"  # no native citationKey field
    ZOTERO8 = "zotero8"  # citationKey on every regular item type


_ARCHIVE = ("archive", "archiveLocation", "libraryCatalog", "callNumber", "rights", "extra")

# itemType -> fields in schema order ("creators" is not a field; it goes after "title").
FIELDS: dict[str, tuple[str, ...]] = {
    "preprint": (
        "title", "abstractNote", "genre", "repository", "archiveID", "place", "date",
        "series", "seriesNumber", "DOI", "shortTitle", "url", "accessDate", "language",
        *_ARCHIVE,
    ),
    "conferencePaper": (
        "title", "abstractNote", "date", "proceedingsTitle", "conferenceName", "place",
        "publisher", "volume", "pages", "series", "language", "DOI", "ISBN", "shortTitle",
        "url", "accessDate", *_ARCHIVE,
    ),
    "journalArticle": (
        "title", "abstractNote", "publicationTitle", "volume", "issue", "pages", "date",
        "series", "seriesTitle", "seriesText", "journalAbbreviation", "language", "DOI",
        "ISSN", "shortTitle", "url", "accessDate", *_ARCHIVE,
    ),
    "book": (
        "title", "abstractNote", "series", "seriesNumber", "volume", "numberOfVolumes",
        "edition", "place", "publisher", "date", "numPages", "language", "ISBN",
        "shortTitle", "url", "accessDate", *_ARCHIVE,
    ),
    "bookSection": (
        "title", "abstractNote", "bookTitle", "series", "seriesNumber", "volume",
        "numberOfVolumes", "edition", "place", "publisher", "date", "pages", "language",
        "ISBN", "shortTitle", "url", "accessDate", *_ARCHIVE,
    ),
    "thesis": (
        "title", "abstractNote", "thesisType", "university", "place", "date", "numPages",
        "language", "shortTitle", "url", "accessDate", *_ARCHIVE,
    ),
    "report": (
        "title", "abstractNote", "reportNumber", "reportType", "seriesTitle", "place",
        "institution", "date", "pages", "language", "shortTitle", "url", "accessDate",
        *_ARCHIVE,
    ),
    "computerProgram": (
        "title", "abstractNote", "seriesTitle", "versionNumber", "date", "system", "place",
        "company", "programmingLanguage", "ISBN", "shortTitle", "url", "accessDate",
        *_ARCHIVE,
    ),
    "webpage": (
        "title", "abstractNote", "websiteTitle", "websiteType", "date", "shortTitle", "url",
        "accessDate", "language", "rights", "extra",
    ),
    "document": (
        "title", "abstractNote", "publisher", "date", "language", "shortTitle", "url",
        "accessDate", *_ARCHIVE,
    ),
    "attachment": ("title", "accessDate", "url"),
    "note": (),
}  # fmt: skip

CREATOR_TYPES: dict[str, tuple[str, ...]] = {
    "preprint": ("author", "contributor", "editor", "translator", "reviewedAuthor"),
    "conferencePaper": ("author", "contributor", "editor", "seriesEditor", "translator"),
    "journalArticle": ("author", "contributor", "editor", "reviewedAuthor", "translator"),
    "book": ("author", "contributor", "editor", "seriesEditor", "translator"),
    "bookSection": ("author", "bookAuthor", "contributor", "editor", "seriesEditor", "translator"),
    "thesis": ("author", "contributor"),
    "report": ("author", "contributor", "seriesEditor", "translator"),
    "computerProgram": ("programmer", "contributor"),
    "webpage": ("author", "contributor", "translator"),
    "document": ("author", "contributor", "editor", "reviewedAuthor", "translator"),
    "attachment": (),
    "note": (),
}

CHILD_TYPES = frozenset({"attachment", "note"})
LINK_MODES = ("imported_file", "imported_url", "linked_file", "linked_url")
ATTACHMENT_PROPERTIES = ("linkMode", "note", "contentType", "charset", "filename", "md5", "mtime")
KEY_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
KEY_RE = re.compile(rf"^[{KEY_ALPHABET}]{{8}}$")

_LOCALIZED = {
    "abstractNote": "Abstract",
    "DOI": "DOI",
    "ISBN": "ISBN",
    "ISSN": "ISSN",
    "url": "URL",
    "archiveID": "Archive ID",
    "citationKey": "Citation Key",
    "extra": "Extra",
    "proceedingsTitle": "Proceedings Title",
    "publicationTitle": "Publication",
    "programmingLanguage": "Prog. Language",
    "versionNumber": "Version",
    "numPages": "# of Pages",
    "numberOfVolumes": "# of Volumes",
    "accessDate": "Accessed",
    "archiveLocation": "Loc. in Archive",
    "reviewedAuthor": "Reviewed Author",
}


@cache
def fields_for(item_type: str, schema: Schema) -> tuple[str, ...]:
    """The fields `item_type` has under `schema`, in order (raises KeyError for unknown types)."""
    fields = FIELDS[item_type]
    if schema is Schema.ZOTERO8 and item_type not in CHILD_TYPES:
        # Zotero 8 places citationKey right after the title-like fields; position matters
        # only for output order, so put it before "url" where Zotero shows it.
        at = fields.index("url") if "url" in fields else len(fields)
        fields = (*fields[:at], "citationKey", *fields[at:])
    return fields


@cache
def all_fields(schema: Schema) -> tuple[str, ...]:
    """Every field name of any type (what `GET /itemFields` lists)."""
    seen: dict[str, None] = {}
    for item_type in FIELDS:
        for name in fields_for(item_type, schema):
            seen.setdefault(name, None)
    return tuple(seen)


@cache
def known_fields(schema: Schema) -> frozenset[str]:
    """`all_fields` as a set, for validating every property of every written item."""
    return frozenset(all_fields(schema))


def localized(name: str) -> str:
    """The English label Zotero shows for a field or type name."""
    if name in _LOCALIZED:
        return _LOCALIZED[name]
    words = re.sub(r"(?<!^)([A-Z])", r" \1", name).split()
    return " ".join(w if w in ("of", "in") else w.capitalize() for w in words) or name


def template(item_type: str, schema: Schema, link_mode: str | None = None) -> dict[str, object]:
    """The empty item `GET /items/new?itemType=...` returns (editable JSON, no key or version)."""
    out: dict[str, object] = {"itemType": item_type}
    if item_type == "note":
        out.update(note="", tags=[], collections=[], relations={})
        return out
    if item_type == "attachment":
        out["linkMode"] = link_mode or "imported_file"
    for name in fields_for(item_type, schema):
        out[name] = ""
        if name == "title" and item_type not in CHILD_TYPES:
            out["creators"] = [
                {"creatorType": CREATOR_TYPES[item_type][0], "firstName": "", "lastName": ""}
            ]
    out["tags"] = []
    if item_type == "attachment":
        out.update(note="", contentType="", charset="")
        if link_mode in ("imported_file", "imported_url"):
            out.update(filename="", md5=None, mtime=None)
    else:
        out["collections"] = []
    out["relations"] = {}
    return out
