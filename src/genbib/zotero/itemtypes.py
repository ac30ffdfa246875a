"""Zotero item types <-> BibTeX entry types, creator roles, and what a type change does.

Facts of Zotero's data schema (zotero/zotero-schema `schema.json`, version 41): which creator
types each item type takes, and the base fields (`proceedingsTitle` is a `publicationTitle`,
`reportNumber` a `number`, ...). The server needs neither from us, but a payload it accepts
does: a creator type the item type lacks is a 400 (Zotero_Items::validateJSONItem, "'$v' is
not a valid creator type for item type"; `author` is allowed everywhere), and a type change
moves each base-mapped value to the new type's field (Zotero_Item::setType). The field lists
themselves come from the server (`/itemTypeFields`, the adapter's `fields_of`). The tests
check every table here against `../shared/realworld/zotero-schema/schema.json`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# item type -> creator types, the primary one first (schema.json `creatorTypes`).
CREATOR_TYPES: dict[str, tuple[str, ...]] = {
    "artwork": ("artist", "contributor"),
    "audioRecording": ("performer", "originalCreator", "composer", "wordsBy", "translator", "contributor"),
    "bill": ("sponsor", "cosponsor", "contributor"),
    "blogPost": ("author", "translator", "commenter", "contributor"),
    "book": ("author", "contributor", "editor", "translator", "seriesEditor"),
    "bookSection": ("author", "contributor", "editor", "bookAuthor", "translator", "seriesEditor"),
    "case": ("author", "counsel", "contributor"),
    "computerProgram": ("programmer", "contributor"),
    "conferencePaper": ("author", "contributor", "editor", "translator", "seriesEditor"),
    "dataset": ("author", "contributor"),
    "dictionaryEntry": ("author", "contributor", "editor", "translator", "seriesEditor"),
    "document": ("author", "contributor", "editor", "translator", "reviewedAuthor"),
    "email": ("author", "translator", "contributor", "recipient"),
    "encyclopediaArticle": ("author", "contributor", "editor", "translator", "seriesEditor"),
    "film": ("director", "producer", "scriptwriter", "castMember", "host", "guest", "narrator", "translator", "contributor"),
    "forumPost": ("author", "contributor"),
    "hearing": ("contributor",),
    "instantMessage": ("author", "contributor", "recipient"),
    "interview": ("interviewee", "contributor", "interviewer", "translator"),
    "journalArticle": ("author", "contributor", "editor", "translator", "reviewedAuthor"),
    "letter": ("author", "recipient", "contributor", "translator"),
    "magazineArticle": ("author", "contributor", "translator", "reviewedAuthor"),
    "manuscript": ("author", "contributor", "translator"),
    "map": ("cartographer", "contributor", "seriesEditor"),
    "newspaperArticle": ("author", "contributor", "translator", "reviewedAuthor"),
    "patent": ("inventor", "attorneyAgent", "contributor"),
    "podcast": ("podcaster", "guest", "producer", "executiveProducer", "seriesCreator", "director", "scriptwriter", "castMember", "translator", "contributor"),
    "preprint": ("author", "contributor", "editor", "translator", "reviewedAuthor"),
    "presentation": ("presenter", "chair", "organizer", "contributor", "translator"),
    "radioBroadcast": ("creator", "host", "guest", "producer", "executiveProducer", "seriesCreator", "director", "scriptwriter", "castMember", "translator", "contributor"),
    "report": ("author", "editor", "contributor", "translator", "seriesEditor"),
    "standard": ("author", "editor", "contributor"),
    "statute": ("author", "contributor"),
    "thesis": ("author", "contributor"),
    "tvBroadcast": ("director", "producer", "executiveProducer", "seriesCreator", "scriptwriter", "castMember", "host", "guest", "narrator", "translator", "contributor"),
    "videoRecording": ("creator", "director", "producer", "scriptwriter", "executiveProducer", "castMember", "host", "guest", "narrator", "translator", "contributor"),
    "webpage": ("author", "contributor", "translator"),
}  # fmt: skip

# type-specific field -> its base field (schema.json `baseField`); the same in every type.
BASE_FIELDS: dict[str, str] = {
    "proceedingsTitle": "publicationTitle", "bookTitle": "publicationTitle",
    "websiteTitle": "publicationTitle", "blogTitle": "publicationTitle",
    "forumTitle": "publicationTitle", "encyclopediaTitle": "publicationTitle",
    "dictionaryTitle": "publicationTitle", "sessionTitle": "publicationTitle",
    "programTitle": "publicationTitle",
    "company": "publisher", "label": "publisher", "distributor": "publisher",
    "repository": "publisher", "institution": "publisher", "university": "publisher",
    "network": "publisher", "studio": "publisher",
    "reportNumber": "number", "billNumber": "number", "docketNumber": "number",
    "identifier": "number", "documentNumber": "number", "patentNumber": "number",
    "episodeNumber": "number", "archiveID": "number", "publicLawNumber": "number",
    "reportType": "type", "thesisType": "type", "websiteType": "type", "genre": "type",
    "postType": "type", "letterType": "type", "manuscriptType": "type", "mapType": "type",
    "presentationType": "type",
    "artworkMedium": "medium", "audioRecordingFormat": "medium", "format": "medium",
    "videoRecordingFormat": "medium", "interviewMedium": "medium", "audioFileType": "medium",
    "codeVolume": "volume", "reporterVolume": "volume", "codePages": "pages",
    "firstPage": "pages", "legislativeBody": "authority", "court": "authority",
    "issuingAuthority": "authority", "organization": "authority",
    "caseName": "title", "subject": "title", "nameOfAct": "title",
    "dateDecided": "date", "issueDate": "date", "dateEnacted": "date",
    "repositoryLocation": "place", "priorityDate": "originalDate", "legalStatus": "status",
}  # fmt: skip

# Zotero item type -> BibTeX entry type (Better BibTeX's choices, BibTeX types where one
# fits, biblatex's otherwise), and the item type each entry type becomes.
BIB_TYPES: dict[str, str] = {
    "journalArticle": "article", "magazineArticle": "article", "newspaperArticle": "article",
    "conferencePaper": "inproceedings", "book": "book", "bookSection": "incollection",
    "encyclopediaArticle": "incollection", "dictionaryEntry": "incollection",
    "thesis": "phdthesis", "report": "techreport", "computerProgram": "software",
    "webpage": "online", "blogPost": "online", "forumPost": "online", "manuscript": "unpublished",
    "preprint": "misc", "document": "misc", "dataset": "dataset", "patent": "patent",
    "standard": "standard", "presentation": "misc", "artwork": "misc", "audioRecording": "misc",
    "bill": "misc", "case": "misc", "email": "misc", "film": "misc", "hearing": "misc",
    "instantMessage": "misc", "interview": "misc", "letter": "misc", "map": "misc",
    "podcast": "misc", "radioBroadcast": "misc", "statute": "misc", "tvBroadcast": "misc",
    "videoRecording": "misc",
}  # fmt: skip
TYPES: dict[str, str] = {
    "inproceedings": "conferencePaper", "conference": "conferencePaper",
    "article": "journalArticle", "book": "book", "incollection": "bookSection",
    "inbook": "bookSection", "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
    "techreport": "report", "report": "report", "software": "computerProgram",
    "online": "webpage", "misc": "document", "unpublished": "manuscript",
    "dataset": "dataset", "patent": "patent", "standard": "standard",
}  # fmt: skip
NON_ITEM_TYPES = frozenset({"note", "attachment", "annotation"})


def creator_types(item_type: str) -> tuple[str, ...]:
    """The creator types an item type takes; `author` only for a type this table lacks."""
    return CREATOR_TYPES.get(item_type, ("author",))


def primary_creator(item_type: str) -> str:
    return creator_types(item_type)[0]


def base_of(field: str) -> str:
    """The base field of `field` (itself for a base field or a field without one)."""
    return BASE_FIELDS.get(field, field)


def field_for(base: str, fields: Iterable[str]) -> str | None:
    """The field of a type (given by its `fields`) that holds base field `base`, if any."""
    for f in fields:
        if f == base or BASE_FIELDS.get(f) == base:
            return f
    return None


def server_moves(old: Mapping[str, object], new_fields: frozenset[str]) -> dict[str, str]:
    """Where the server puts each set field of `old` on a type change to `new_fields`.

    Zotero_Item::setType: a field the new type lacks is cleared, and its value copied to the
    new type's field of the same base field when there is one (`publicationTitle` ->
    `proceedingsTitle`, `reportNumber` -> `archiveID`). Returns old field -> new field for
    the copied values; fields only cleared are not in the answer.
    """
    moves: dict[str, str] = {}
    for name, value in old.items():
        if name in new_fields or not isinstance(value, str) or not value.strip():
            continue
        base = BASE_FIELDS.get(name)
        target = field_for(base or name, new_fields) if base or name in _BASES else None
        if target is not None:
            moves[name] = target
    return moves


_BASES = frozenset(BASE_FIELDS.values())
