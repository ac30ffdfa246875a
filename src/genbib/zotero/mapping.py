"""Entry <-> Zotero item JSON: pure functions, both directions.

Every bib field reaches Zotero somewhere: a native field where the item type has one, else
a Better BibTeX `tex.<field>: <value>` line in `extra`, so an entry survives the round trip
whole. Topics become collections, keywords manual tags (`tags`), code/project/blog/video
links linked-URL child attachments, the annotation a child note (`children`). Coming back,
`from_item` is given the entry last agreed on (the base): a value that means the same as
the base's keeps the base's spelling, so a sync never rewrites LaTeX, brace protection or
macros it did not need to (no churn).

The canonical form (`genbib.model.canonical`, its one home). An item new to the bib (no
base) is read in its kind's canonical form: an arXiv preprint, whether saved as a
`preprint` with an `archiveID` or as a journal article or conference paper whose venue is
arXiv/CoRR, becomes `@misc` with `howpublished = {arXiv preprint arXiv:ID}`, `eprint`
and `archiveprefix`, so natbib prints its venue line. What the canonical form adds is
derived from the item, so it is a second spelling of what the item holds, and the
sameness rule (`canonical.spell_like`) treats it like any other spelling:
- reading a linked item, the base decides the form: a derived value the base holds (or
  the base's non-canonical spelling of it) is what the item says, so an unchanged paper
  reads exactly as its base and an entry the lab has not canonicalised is never rewritten
  by a sync (only `genbib fmt --canonical` does that); a value the member did change
  takes the base's form, canonical where the base is canonical;
- writing, a change from the item's last reading that is only that reading's canonical
  form is no change (`update_item`, `canonical.undo_derived`), and `to_item` writes no `tex.` line for a value the
  canonical form derives from the item (`howpublished` of a preprint, `key` of an entry
  without authors, `@misc` of a web page), while a member's own `howpublished` goes
  there as any homeless field does;
- an entry in canonical form keeps its item's type: `entrysubtype` names it where the
  canonical type alone would not (an arXiv `journalArticle` is a `@misc`), and
  `item_type` reads it back;
- an item linked for the first time (no base), or a member's second copy of a known
  paper, is compared with the bib entry as its base (`as_linked`, through the sync's
  `link` callback), so it fills real gaps (a DOI, a URL), never the canonical form.
No state format changes: the sync state's base is an entry like any other, in whichever
form the bib had when the two sides last agreed.

Nothing a member keeps in Zotero is lost: what the bib has no home for (`accessDate`,
`libraryCatalog`, `archive`, `callNumber`, `rights`, `journalAbbreviation`, `extra` lines
that are not genbib's, automatic tags, PDFs and snapshots, members' notes) never becomes
bib noise and is never written by genbib. Updates are partial (the API's POST of existing
objects has PATCH semantics, Zotero_Items::updateFromJSON with partialUpdate): an update
names only the fields genbib changes (`update_item`), and `tags`/`extra` only when their
genbib part changed, merged into what the item holds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from genbib.bibtex.keys import is_valid_key
from genbib.model.canonical import TYPE, canonicalize, spell_like, undo_derived
from genbib.model.entry import Entry
from genbib.model.identifiers import arxiv_id, is_http_url
from genbib.model.names import Name
from genbib.model.values import MONTHS, canonical_raw, plain
from genbib.zotero import itemtypes
from genbib.zotero.children import (  # re-exported: the sync engine uses them
    GENBIB_TAG,
    LINK_TITLES,
    Child,
    ChildPlan,
    child_item,
    child_of,
    children,
    is_genbib,
    pdf_of,
    plan_children,
    read_children,
)
from genbib.zotero.itemtypes import BIB_TYPES, TYPES  # re-exported
from genbib.zotero.tags import entry_keywords, item_keywords, keywords_value, merge_tags
from genbib.zotero.text import (
    join_keywords,
    latex_to_text,
    month_number,
    normalize,
    protect_like,
    split_keywords,
    text_to_latex,
)

Item = dict[str, Any]
Schema = Mapping[str, frozenset[str]]  # item type -> its fields (as /itemTypeFields says)

_COMMON = frozenset(
    {
        "title",
        "abstractNote",
        "date",
        "url",
        "extra",
        "language",
        "shortTitle",
        "accessDate",
        "rights",
    }
)
DEFAULT_SCHEMA: Schema = {
    "journalArticle": _COMMON | {"publicationTitle", "volume", "issue", "pages", "series", "DOI", "ISSN", "journalAbbreviation"},
    "conferencePaper": _COMMON | {"proceedingsTitle", "conferenceName", "place", "publisher", "volume", "pages", "series", "DOI", "ISBN"},
    "preprint": _COMMON | {"repository", "archiveID", "place", "series", "seriesNumber", "DOI", "genre"},
    "book": _COMMON | {"series", "seriesNumber", "volume", "edition", "place", "publisher", "ISBN"},
    "bookSection": _COMMON | {"bookTitle", "series", "seriesNumber", "volume", "edition", "place", "publisher", "pages", "ISBN"},
    "thesis": _COMMON | {"thesisType", "university", "place"},
    "report": _COMMON | {"reportNumber", "reportType", "seriesTitle", "place", "institution", "pages"},
    "computerProgram": _COMMON | {"seriesTitle", "versionNumber", "place", "company", "programmingLanguage"},
    "webpage": _COMMON | {"websiteTitle", "websiteType"},
    "document": _COMMON | {"publisher"},
    "manuscript": _COMMON | {"manuscriptType", "place"},
}  # fmt: skip
"""Zotero 7 fields genbib maps (a subset); the adapter replaces it with the server's answer."""

# bib field -> Zotero field, per item type (fields not listed, or not in the schema, go to
# `extra` as tex.<field> lines).
# Zotero 7's schema and the newer fields of later ones (schema.json 41: `ISSN` on
# conference papers, `publisher` on journal articles, ...): a target the library's
# schema lacks is skipped and the value goes to a tex line, as for any homeless field.
_JOURNAL = {"journal": "publicationTitle", "volume": "volume", "number": "issue", "pages": "pages", "series": "series", "issn": "ISSN", "publisher": "publisher", "address": "place"}  # fmt: skip
_IN_BOOK = {"publisher": "publisher", "address": "place", "volume": "volume", "edition": "edition", "pages": "pages", "series": "series", "isbn": "ISBN"}  # fmt: skip
_VENUE = {
    "conferencePaper": {"booktitle": "proceedingsTitle", "publisher": "publisher", "address": "place", "volume": "volume", "pages": "pages", "series": "series", "isbn": "ISBN", "issn": "ISSN"},
    "journalArticle": _JOURNAL,
    "magazineArticle": {k: v for k, v in _JOURNAL.items() if k not in ("series", "publisher")},
    "newspaperArticle": {"journal": "publicationTitle", "pages": "pages", "issn": "ISSN", "address": "place", "edition": "edition"},
    "preprint": {"address": "place", "type": "genre", "series": "series"},
    "book": {"publisher": "publisher", "address": "place", "volume": "volume", "edition": "edition", "series": "series", "isbn": "ISBN", "issn": "ISSN"},
    "bookSection": {"booktitle": "bookTitle", "issn": "ISSN", **_IN_BOOK},
    "encyclopediaArticle": {"booktitle": "encyclopediaTitle", **_IN_BOOK},
    "dictionaryEntry": {"booktitle": "dictionaryTitle", **_IN_BOOK},
    "thesis": {"school": "university", "address": "place", "type": "thesisType", "series": "series", "isbn": "ISBN", "issn": "ISSN"},
    "report": {"institution": "institution", "number": "reportNumber", "type": "reportType", "address": "place", "pages": "pages", "isbn": "ISBN", "issn": "ISSN"},
    "computerProgram": {"version": "versionNumber", "organization": "company", "publisher": "company", "isbn": "ISBN"},
    "webpage": {"howpublished": "websiteTitle", "publisher": "publisher", "address": "place"},
    "blogPost": {"howpublished": "blogTitle"},
    "forumPost": {"howpublished": "forumTitle"},
    "document": {"publisher": "publisher", "address": "place", "type": "type"},
    "manuscript": {"address": "place", "institution": "institution", "number": "number", "type": "manuscriptType"},
    "dataset": {"publisher": "repository", "address": "repositoryLocation", "version": "versionNumber", "number": "identifier"},
    "patent": {"number": "patentNumber", "address": "place"},
    "standard": {"organization": "organization", "number": "number", "publisher": "publisher", "address": "place", "version": "versionNumber"},
    "presentation": {"eventtitle": "meetingName", "address": "place"},
}  # fmt: skip
_COMMON_FIELDS = {
    "title": "title",
    "abstract": "abstractNote",
    "language": "language",
    "doi": "DOI",
    "shortname": "shortTitle",
}
# Fields that never become tex lines: handled natively, or genbib's own child objects.
_SPECIAL = {"title", "author", "editor", "year", "month", "date", "url", "eprint", "archiveprefix",
            "primaryclass", "topics", "code", "project", "blog", "video", "annotation",
            "keywords", "entrysubtype"}  # fmt: skip
_VERBATIM = {"url", "doi", "eprint", "isbn", "issn", "pages", "volume", "number"}
# bib name fields and the creator type each is (author: the type's primary creator type).
_NAME_FIELDS = {"author": "author", "editor": "editor", "translator": "translator",
                "bookauthor": "bookAuthor"}  # fmt: skip

_ARXIV_LINE = re.compile(r"^arXiv:\s*(\S+)(?:\s+\[([^\]]+)\])?\s*$", re.IGNORECASE)
_EXTRA_LINE = re.compile(r"^([A-Za-z][\w .-]*?):\s*(.*)$")
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_-]*")


def item_type(entry: Entry) -> str:
    """The Zotero item type of an entry.

    `entrysubtype` (biblatex's field for a finer type, unused by the standard styles) names
    the item type when it is not the one the entry type maps to (a blog post is `@online`
    with `entrysubtype = {blogPost}`), so a member's item keeps its type both ways.
    """
    t = entry.type.lower()
    sub = (entry.get("entrysubtype") or "").strip()
    if sub and sub in BIB_TYPES and (BIB_TYPES[sub] == t or _canonical_type(sub, entry) == t):
        return sub  # (an arXiv journalArticle is a canonical @misc: still a journalArticle)
    if t == "misc" and entry.arxiv:
        return "preprint"
    return TYPES.get(t, "document")


def _as_read(itype: str, entry: Entry, without: tuple[str, ...] = ()) -> Entry:
    """The canonical form of an item of type `itype` holding `entry`'s fields (less
    `without`): what reading such an item new to the bib gives."""
    probe = Entry(BIB_TYPES.get(itype, "misc"), entry.key, dict(entry.fields))
    for name in without:
        probe.fields.pop(name, None)
    canonicalize(probe)
    return probe


def _canonical_type(itype: str, entry: Entry) -> str:
    """The entry type of the canonical form of an item of type `itype` holding `entry`'s fields."""
    return _as_read(itype, entry).type.lower()


def _name_type(entry: Entry, itype: str) -> None:
    """`entrysubtype = {itype}` where the entry's type alone would map to another item type."""
    if item_type(entry) != itype and itype not in itemtypes.NON_ITEM_TYPES:
        entry.set("entrysubtype", itype)


def as_linked(reading: Entry, entry: Entry) -> Entry:
    """An item's reading (`from_item` with no base: canonical) as it compares with the bib
    entry it is linked to for the first time: what is the entry's up to the canonical form
    spelled as the entry spells it (`spell_like`), so a link fills real gaps, never the
    canonical form into an entry the lab has not brought to it. The entry's type counts
    only while it still names the item's type, and an `entrysubtype` it makes needless
    goes."""
    out = spell_like(reading, entry)
    itype = item_type(reading)
    if item_type(out) != itype:
        out.type = reading.type
    sub = out.fields.get("entrysubtype")
    if sub is not None and "entrysubtype" not in entry.fields:
        del out.fields["entrysubtype"]
        if item_type(out) != itype:
            out.fields["entrysubtype"] = sub
    return out


def _creator_roles(itype: str) -> dict[str, str]:
    """bib field -> creator type, for the creator types of `itype`."""
    types = itemtypes.creator_types(itype)
    roles = {c.lower(): c for c in types[1:]}
    roles["author"] = types[0]
    return roles


# --- entry -> item -------------------------------------------------------------------


def to_item(
    entry: Entry,
    *,
    schema: Schema = DEFAULT_SCHEMA,
    collections: Mapping[str, str] = {},
    macros: Mapping[str, str] | None = None,
) -> Item:
    """The item JSON (`data` part, without key/version) for `entry`.

    `collections` maps topic slugs to collection keys; topics without one are skipped
    (the caller creates missing collections first). `macros` (the bib's `@string`s)
    expand venue abbreviations so Zotero shows the full name. `tags` is there only when the
    entry has keywords (for a new item; an update goes through `update_item`).
    """
    itype = item_type(entry)
    derived = _derived(entry, itype)
    allowed = schema.get(itype, _COMMON)
    title_field = itemtypes.field_for("title", allowed) or "title"
    item: Item = {"itemType": itype, title_field: latex_to_text(entry.title)}
    extra: list[str] = []
    tex: dict[str, str] = {}

    roles = _creator_roles(itype)
    creators: list[dict[str, str]] = []
    for name in _names_fields(entry, roles):
        ctype = roles.get(name)
        if ctype is None:  # a role this item type lacks: kept as a tex line
            tex[name] = " and ".join(_name_text(n) for n in entry.names(name))
            continue
        creators.extend(_creator(n, ctype) for n in entry.names(name))
    item["creators"] = creators
    date = _date(entry)
    if date:
        item[itemtypes.field_for("date", allowed) or "date"] = date
    url = entry.get("url")
    if url and is_http_url(url):
        item["url"] = url.strip()

    mapped = {**_COMMON_FIELDS, **_VENUE.get(itype, {})}
    for name, raw in entry.fields.items():
        if name in _SPECIAL or name in _NAME_FIELDS or name in roles or name in derived:
            continue
        value = plain(raw, dict(macros)) if macros else (entry.get(name) or "")
        target = mapped.get(name)
        if target == "title":
            continue
        if target and target in allowed and target not in item:
            item[target] = value.strip() if name in _VERBATIM else latex_to_text(value)
        elif name == "doi":
            extra.append(f"DOI: {value.strip()}")
        else:
            # plain text like every Zotero field (a macro stays its name); LaTeX comes back
            # through text_to_latex and the base's spelling (reconcile)
            plain_text = value if name in _VERBATIM | _LINK_LINES else latex_to_text(value)
            tex[name] = _one_line(canonical_raw(raw) if not raw.startswith("{") else plain_text)
    if entry.type.lower() != BIB_TYPES.get(itype, "misc") and TYPE not in derived:
        tex["entrytype"] = entry.type.lower()
    if "date" in entry.fields:
        tex["date"] = _one_line(entry.get("date") or "")

    ident = entry.arxiv
    if ident and entry.get("eprint"):
        cls = entry.get("primaryclass") or entry.get("eprintclass")
        extra.append(f"arXiv:{ident}" + (f" [{cls}]" if cls else ""))
        if (entry.get("archiveprefix") or "").lower() not in ("", "arxiv"):
            tex["archiveprefix"] = entry.get("archiveprefix") or ""
    if itype == "preprint" and ident:
        if "archiveID" in allowed:
            item["archiveID"] = f"arXiv:{ident}"
        if "repository" in allowed:
            item["repository"] = "arXiv"
    if "citationKey" in allowed:
        item["citationKey"] = entry.key
    elif entry.key:
        extra.insert(0, f"Citation Key: {entry.key}")
    extra.extend(f"tex.{k}: {v}" for k, v in sorted(tex.items()))
    item["extra"] = "\n".join(extra)
    item["collections"] = sorted({collections[t] for t in entry.topics if t in collections})
    keywords = entry_keywords(entry)
    if keywords:
        item["tags"] = [{"tag": k} for k in keywords]
    return item


def _derived(entry: Entry, itype: str) -> frozenset[str]:
    """What of `entry` the canonical form derives from an item of type `itype` holding the
    rest (`howpublished = {arXiv preprint arXiv:ID}` of a preprint, the `key` of an entry
    without authors, the `@misc` of a web page): implied by the item, so no `tex.` line."""
    probe = _as_read(itype, entry, without=_DERIVABLE)
    out = {name for name in _DERIVABLE if name in entry.fields and _same(probe, entry, name)}
    if probe.type.lower() == entry.type.lower():
        out.add(TYPE)
    return frozenset(out)


def _same(a: Entry, b: Entry, name: str) -> bool:
    x, y = a.get(name) or "", b.get(name) or ""
    return x == y or normalize(name, x) == normalize(name, y)


_DERIVABLE = ("howpublished", "key")  # the fields canonicalize sets that have no native home


def _names_fields(entry: Entry, roles: Mapping[str, str]) -> list[str]:
    """The entry's fields that are lists of people for an item of these creator roles."""
    return [n for n in entry.fields if n in _NAME_FIELDS or n in roles]


def _name_text(n: Name) -> str:
    """A name for a tex line, as plain text; a one-part name braced (`{Google Research}`)."""
    c = _creator(n, "")
    if "name" in c:
        return "{" + c["name"] + "}"
    return f"{c['lastName']}, {c['firstName']}"


def _creator(n: Name, ctype: str) -> dict[str, str]:
    last = latex_to_text(f"{n.von} {n.last}".strip())
    if not n.first and not n.jr:
        return {"creatorType": ctype, "name": last}
    if n.jr:
        last = f"{last}, {latex_to_text(n.jr)}"
    return {"creatorType": ctype, "firstName": latex_to_text(n.first), "lastName": last}


def _date(entry: Entry) -> str:
    if entry.get("date"):
        return latex_to_text(entry.get("date") or "")
    year = entry.get("year")
    if not year:
        return ""
    month = month_number(entry.get("month") or "")
    return f"{year.strip()}-{month:02d}" if month else year.strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- updates -------------------------------------------------------------------------

_GENBIB_EXTRA = re.compile(r"^(?:tex\.[^:]*|citation key)\s*:", re.IGNORECASE)
_DOI_LINE = re.compile(r"^doi\s*:", re.IGNORECASE)


def genbib_extra_line(line: str) -> bool:
    """Whether an `extra` line is one genbib writes (and so may rewrite).

    A `DOI:` line is not: Connector translators write one for types without a DOI field,
    and genbib replaces it only with a DOI line of its own.
    """
    line = line.strip()
    if _GENBIB_EXTRA.match(line):
        return True
    m = _ARXIV_LINE.match(line)
    return bool(m and arxiv_id(m.group(1)))


def needs_current(
    entry: Entry,
    before: Entry,
    *,
    schema: Schema = DEFAULT_SCHEMA,
    macros: Mapping[str, str] | None = None,
) -> bool:
    """Whether `update_item` needs the item as the server holds it now.

    True when the entry's keywords, topics, genbib `extra` lines or item type changed: the
    write then merges into the item's tags, collections and extra, or clears the values the
    server would move on the type change. Otherwise the update is built from the two
    entries alone.
    """
    entry = undo_derived(entry, before)
    if item_type(entry) != item_type(before) or set(entry.topics) != set(before.topics):
        return True
    if set(entry_keywords(entry)) != set(entry_keywords(before)):
        return True
    new = to_item(entry, schema=schema, macros=macros)
    old = to_item(before, schema=schema, macros=macros)
    return bool(new.get("extra") != old.get("extra"))


def update_item(
    entry: Entry,
    before: Entry,
    current: Mapping[str, Any] | None = None,
    *,
    schema: Schema = DEFAULT_SCHEMA,
    collections: Mapping[str, str] = {},
    macros: Mapping[str, str] | None = None,
) -> Item:
    """The partial-update payload (no key/version) that takes an item from `before` to `entry`.

    `before` is the entry as the item held it (the last agreed state); `current` the item's
    `data` as the server holds it now, required when `needs_current` says so (ValueError
    without it: a write then would drop the member's tags or extra lines). The payload:
    - every field genbib maps, and an empty value for each one `before` had and `entry` has
      not (fields genbib never maps are left out, so the server keeps them);
    - `tags` only when the keywords changed, merged into the item's tags (`merge_tags`);
    - `collections` only when the topics changed, merged likewise (a member's other
      collections kept);
    - `extra` only when genbib's lines in it changed, the member's other lines kept;
    - on a type change, the new `itemType` with creators of the new type's roles, and an
      empty value for each field the server would fill by moving a base-mapped value
      (Zotero_Item::setType) that the entry does not set, so no stale value appears;
      fields of the old type only are cleared by the server.
    """
    entry = undo_derived(entry, before)  # what only the canonical form changed: no write
    held_type = str(current.get("itemType") or "") if current is not None else ""
    # The bib's type did not change since the last sync, yet the item holds another: only
    # the canonical form separates them (an @article of arXiv, linked to a member's
    # journalArticle, made @misc by `fmt --canonical`). The item keeps its type.
    if (
        held_type
        and held_type != item_type(entry)
        and item_type(entry) == item_type(before)
        and _canonical_type(held_type, entry) == entry.type.lower()
    ):
        entry, before = _typed(entry, held_type), _typed(before, held_type)
    item = to_item(entry, schema=schema, collections=collections, macros=macros)
    old = to_item(before, schema=schema, collections=collections, macros=macros)
    item.pop("tags", None)
    for name, value in old.items():
        if name not in ("tags", "itemType"):
            item.setdefault(name, [] if isinstance(value, list) else "")
    if item["itemType"] == old["itemType"]:  # only what the bib changed
        item = {k: v for k, v in item.items() if k in ("itemType", "extra") or v != old.get(k)}
    now: Mapping[str, Any] = current or {}
    tags = merge_tags(_tags(now), entry_keywords(before), entry_keywords(entry))
    if tags is not None:
        _needs(current, "its keywords changed")
        item["tags"] = tags
    if "collections" in item and isinstance(now.get("collections"), list):
        removed = set(old.get("collections", [])) - set(item["collections"])
        held = {c for c in now["collections"] if isinstance(c, str)}
        item["collections"] = sorted((held - removed) | set(item["collections"]))
    _keep_member_spelling(item, now)
    if current is not None:
        _drop_redundant_lines(item, old, before, now)
    _merge_extra(item, old, current, tags_written=tags is not None)
    new_type, old_type = item["itemType"], str(now.get("itemType") or old["itemType"])
    if new_type != old_type:
        source = {k: v for k, v in (current or old).items() if isinstance(v, str)}
        allowed = schema.get(new_type, _COMMON)
        for target in itemtypes.server_moves(source, allowed).values():
            item.setdefault(target, "")
    return item


def _typed(entry: Entry, itype: str) -> Entry:
    """A copy of `entry` that maps to item type `itype` (`item_type` reads `entrysubtype`)."""
    out = entry.copy()
    out.set("entrysubtype", itype)
    return out


def _needs(current: Mapping[str, Any] | None, why: str) -> None:
    if current is None:  # a caller's mistake: writing would drop what members keep
        raise ValueError(f"update_item needs the item as Zotero holds it: {why}")


def _drop_redundant_lines(item: Item, old: Item, before: Entry, now: Mapping[str, Any]) -> None:
    """No tex line for what the item holds otherwise: PDF links its attachments give, and
    people its creators keep (a role of an older schema) while the creators are not sent."""
    attached = set((before.get("pdf") or "").split()) - _tex_urls(now, "pdf")
    held = Entry("misc", "")
    if "creators" not in item:
        _from_creators(held, now.get("creators"), str(now.get("itemType") or ""))
    for payload in (item, old):
        if "extra" in payload:
            text = _without_urls(str(payload["extra"]), "pdf", attached)
            for name in held.fields:
                text = _without_urls(text, name, None)
            payload["extra"] = text


def _tex_urls(item: Mapping[str, Any], name: str) -> set[str]:
    """The URLs of the item's `tex.<name>:` line."""
    for line in str(item.get("extra") or "").splitlines():
        label, _, value = line.partition(":")
        if label.strip().lower() == f"tex.{name}":
            return set(value.split())
    return set()


def _without_urls(extra: str, name: str, urls: set[str] | None) -> str:
    """`extra` with `urls` taken off its `tex.<name>:` line (and the line, when empty;
    None: the whole line)."""
    out = []
    for line in extra.splitlines():
        label, _, value = line.partition(":")
        if label.strip().lower() == f"tex.{name}":
            kept = [u for u in value.split() if urls is not None and u not in urls]
            if not kept:
                continue
            line = f"{label}: {' '.join(kept)}"
        out.append(line)
    return "\n".join(out)


def _merge_extra(
    item: Item, old: Item, current: Mapping[str, Any] | None, *, tags_written: bool
) -> None:
    """`extra` only when genbib's lines changed: genbib's lines, then the member's others.

    A `tex.keywords` line (genbib wrote keywords there before they became tags) is dropped
    when the tags are written, so a removed keyword cannot come back from it.
    """
    held = str((current or {}).get("extra") or "")
    legacy = any(line.strip().lower().startswith("tex.keywords:") for line in held.splitlines())
    if item.get("extra") == old.get("extra") and not (tags_written and legacy):
        item.pop("extra", None)
        return
    _needs(current, "genbib's lines of extra changed")
    mine = [line for line in str(item.get("extra") or "").splitlines() if line]
    has_doi = any(_DOI_LINE.match(line) for line in mine)
    theirs = [
        line
        for line in held.splitlines()
        if line.strip()
        and not genbib_extra_line(line)
        and not (has_doi and _DOI_LINE.match(line.strip()))
    ]
    item["extra"] = "\n".join(mine + theirs)


def _keep_member_spelling(item: Item, now: Mapping[str, Any]) -> None:
    """Leave out of the payload what says the same as the item already does.

    Zotero's `2007--2016` is the bib's `2007--2016`, a member's "August 27, 2009" is the
    bib's 2009-08 (and says more), the same people are the same creators, and a
    booktitle read from `conferenceName` is no new `proceedingsTitle`.
    """
    venue = now.get("conferenceName")
    if not now.get("proceedingsTitle") and isinstance(venue, str):
        text = str(item.get("proceedingsTitle") or "")
        if text and normalize("booktitle", text) == normalize("booktitle", venue):
            del item["proceedingsTitle"]
    for name, value in list(item.items()):
        held = now.get(name)
        if name in ("extra", "itemType") or not (isinstance(value, str) and value):
            continue
        if not isinstance(held, str) or value == held:
            continue
        same_date = name in _DATES and _year_month(held) == _year_month(value)
        if same_date or normalize(name, value) == normalize(name, held):
            del item[name]
    people = item.get("creators")
    if "creators" in now and people is not None and _people(now["creators"]) == _people(people):
        del item["creators"]


def _year_month(date: str) -> tuple[str | None, str | None]:
    probe = Entry("misc", "")
    _from_date(probe, date)
    return probe.fields.get("year"), probe.fields.get("month")


def _people(creators: Any) -> list[tuple[str, ...]]:
    """Creators by meaning: type and each name part as plain text."""
    out: list[tuple[str, ...]] = []
    for c in creators if isinstance(creators, list) else []:
        if isinstance(c, Mapping):
            parts = (c.get(k) for k in ("creatorType", "firstName", "lastName", "name"))
            out.append(tuple(latex_to_text(p) if isinstance(p, str) else "" for p in parts))
    return out


def _tags(item: Mapping[str, Any]) -> list[Any]:
    tags = item.get("tags")
    return tags if isinstance(tags, list) else []


# --- item -> entry -------------------------------------------------------------------


def _text_field(item: Mapping[str, Any], name: str) -> str:
    """A field of untrusted item JSON as text: anything but a string counts as empty."""
    value = item.get(name)
    return value if isinstance(value, str) else ""


def citation_key(item: Item) -> str:
    """The key recorded in an item: the native field first, then the `Citation Key:` line."""
    native = _text_field(item, "citationKey").strip()
    if native:
        return native if is_valid_key(native) else ""
    for line in _text_field(item, "extra").splitlines():
        m = _EXTRA_LINE.match(line.strip())
        if m and m.group(1).strip().lower() == "citation key":
            key = m.group(2).strip()
            return key if is_valid_key(key) else ""  # else the caller assigns one
    return ""


_TITLES = ("title", "caseName", "subject", "nameOfAct")  # base field `title` in every type
_DATES = ("date", "dateDecided", "issueDate", "dateEnacted")  # base field `date`


def from_item(
    item: Item,
    kids: Sequence[Child] = (),
    *,
    topics: Mapping[str, str] = {},
    base: Entry | None = None,
    macros: Mapping[str, str] | None = None,
    automatic_tags: bool = False,
) -> Entry:
    """The entry for an item; `topics` maps collection keys to slugs; `base` as above.

    `kids` are the item's children as `read_children` (or `child_of`) reads them.
    `automatic_tags` also makes automatic tags keywords. The entry's key is the base's
    (keys never change because of Zotero), else the one the item records, else "" (the
    caller assigns one). Without a base the entry is in canonical form; with one, in the
    base's form (see the module's note on the canonical form).
    """
    itype = str(item.get("itemType") or "document")
    key = base.key if base is not None else citation_key(item)
    entry = Entry(BIB_TYPES.get(itype, "misc"), key)
    title_field = next((f for f in _TITLES if item.get(f)), "title")
    _put(entry, "title", item.get(title_field))
    _from_creators(entry, item.get("creators"), itype)
    date_field = next((f for f in _DATES if item.get(f)), "date")
    _from_date(entry, _text_field(item, date_field))
    url = _text_field(item, "url").strip()
    if is_http_url(url):
        entry.set("url", url)
    reverse = {v: k for k, v in {**_COMMON_FIELDS, **_VENUE.get(itype, {})}.items()}
    for zfield, value in item.items():
        bib = reverse.get(zfield)
        if bib in (None, "title") or not isinstance(value, str) or not value.strip():
            continue
        if bib == "language" and (base is None or "language" not in base.fields):
            continue  # the Connector's "en": Zotero's business unless the bib keeps one
        if bib not in entry.fields:
            _put(entry, bib, value, verbatim=bib in _VERBATIM)
    if itype == "conferencePaper" and "booktitle" not in entry.fields:
        _put(entry, "booktitle", item.get("conferenceName"))  # the venue when it is all we have
    if itype == "preprint":
        ident = arxiv_id(_text_field(item, "archiveID"))
        if ident:
            entry.set("eprint", ident)
            entry.set("archiveprefix", "arXiv")
    tex_keywords = _from_extra(entry, _text_field(item, "extra"), itype)
    keywords = item_keywords(item, automatic=automatic_tags)
    legacy = [k for k in tex_keywords if latex_to_text(k) not in set(keywords)]
    parts = [p for p in (keywords_value(keywords), join_keywords(legacy)) if p]
    if parts:
        entry.set("keywords", ", ".join(parts))
    slugs = sorted({topics[c] for c in item.get("collections") or [] if c in topics})
    if slugs:
        entry.set_topics(slugs)
    _from_children(entry, kids)
    canon = entry.copy()
    canonicalize(canon)
    _name_type(entry, itype)
    _name_type(canon, itype)
    if base is None:
        return canon  # new to the bib: the canonical form
    read = spell_like(entry, base, canonical=canon, follow_form=True)
    if item_type(read) != item_type(entry):  # the item's type changed: the entry's follows
        settled = base.copy()
        canonicalize(settled)
        read.type = canon.type if settled.type == base.type else entry.type
        read.fields.pop("entrysubtype", None)
        _name_type(read, itype)
    return reconcile(read, base, macros)


def _from_creators(entry: Entry, creators: Any, itype: str) -> None:
    roles = {c: f for f, c in _creator_roles(itype).items()}
    roles["author"] = "author"  # the server takes `author` on every item type
    names: dict[str, list[str]] = {}
    for c in creators if isinstance(creators, list) else []:
        if not isinstance(c, dict):
            continue
        ctype = c.get("creatorType")
        field = roles.get(ctype) if isinstance(ctype, str) else None
        if field is None and isinstance(ctype, str) and _FIELD_NAME.fullmatch(ctype.lower()):
            field = ctype.lower()  # a creator type of another item type: keep its people
        if field is not None:
            names.setdefault(field, []).append(_name(c))
    for field, people in names.items():
        people = [p for p in people if p]
        if people:
            entry.fields[field] = "{" + " and ".join(people) + "}"


def _from_children(entry: Entry, kids: Sequence[Child]) -> None:
    """Links from any child; the annotation from genbib's own note, else from the notes.

    When genbib has a note on the item (it carries GENBIB_TAG) that note alone is the
    annotation, so members' notes never leak into it twice; an item without one (a
    member's item, or a note genbib wrote before it marked its children) gives its notes.
    """
    links = [k for k in kids if k.role != "note"]
    for kid in sorted(links, key=lambda k: (k.role, k.value)):
        current = (entry.get(kid.role) or "").split()
        if kid.value not in current:
            entry.set(kid.role, " ".join([*current, kid.value]))
    notes = [k for k in kids if k.role == "note"]
    notes = [k for k in notes if k.owned] or notes
    texts = [text_to_latex(k.value) for k in sorted(notes, key=lambda k: k.value)]
    if any(texts):
        entry.set("annotation", "\n\n".join(t for t in texts if t))


def _put(entry: Entry, name: str, value: Any, *, verbatim: bool = False) -> None:
    if isinstance(value, str) and value.strip():
        value = value.strip()
        # Verbatim fields (DOI, pages, ...) keep their spelling, unless it could run as LaTeX.
        safe = verbatim and "\\" not in value and "^^" not in value and value.isprintable()
        entry.set(name, value if safe else text_to_latex(value))


def _name(c: dict[str, Any]) -> str:
    def text(key: str) -> str:
        value = c.get(key)
        return value if isinstance(value, str) else ""

    if text("name") or not text("firstName"):
        single = text_to_latex(text("name") or text("lastName"))
        return "{" + single + "}" if single else ""
    last, first = text_to_latex(text("lastName")), text_to_latex(text("firstName"))
    jr = ""
    if "," in last:
        last, jr = (p.strip() for p in last.split(",", 1))
    parts = [f"{{{last}}}" if " and " in last else last]
    if jr:
        parts.append(jr)
    parts.append(first)
    return ", ".join(parts)


def _from_date(entry: Entry, date: str) -> None:
    m = re.match(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-\d{1,2})?", date)
    if m:
        entry.fields["year"] = "{" + m.group(1) + "}"
        if m.group(2) and 1 <= int(m.group(2)) <= 12:
            entry.fields["month"] = list(MONTHS)[int(m.group(2)) - 1]
        return
    year = re.search(r"\b(\d{4})\b", date)
    if year:
        entry.fields["year"] = "{" + year.group(1) + "}"
        month = next(
            (month_number(w) for w in re.findall(r"[A-Za-z]+", date) if month_number(w)), None
        )
        if month:
            entry.fields["month"] = list(MONTHS)[month - 1]


def entrytype_fits(bib_type: str, itype: str) -> bool:
    """Whether a `tex.entrytype` line still describes an item of type `itype`.

    The line refines the item type (`@report` is a Zotero report, `@dataset` a document);
    once a member changes the item's type in Zotero, a line naming the old type is stale
    and the new type wins, else the entry would keep the old type (and its fields).
    """
    if bib_type == "misc":
        return itype in ("document", "preprint")
    if itype == "document" and bib_type in _ONCE_DOCUMENTS:
        return True  # written when these entry types still became documents
    mapped = TYPES.get(bib_type)
    return mapped == itype if mapped is not None else itype == "document"


_ONCE_DOCUMENTS = frozenset({"dataset", "patent", "standard"})


def _from_extra(entry: Entry, extra: str, itype: str) -> list[str]:
    """Read genbib's lines of `extra` into the entry; the keywords of a `tex.keywords` line.

    A `tex.<field>` line never overrides a value the item's own fields gave (the native
    field wins); lines that are not genbib's (a member's "PMID: ...", a translator's
    "Publisher: ...") stay in Zotero and out of the bib.
    """
    keywords: list[str] = []
    native = set(entry.fields)
    for raw_line in extra.splitlines():
        line = raw_line.strip()
        if not line:
            continue
        m = _ARXIV_LINE.match(line)
        if m and arxiv_id(m.group(1)):
            ident = arxiv_id(m.group(1))
            if "eprint" not in entry.fields:
                entry.set("eprint", ident)
                entry.set("archiveprefix", "arXiv")
            if m.group(2) and arxiv_id(entry.get("eprint")) == ident:
                entry.set("primaryclass", m.group(2).strip())
            continue
        m = _EXTRA_LINE.match(line)
        label = m.group(1).strip().lower() if m else ""
        if m and label.startswith("tex."):
            name = label[4:].strip()
            value = m.group(2)
            if name == "entrytype":
                named = value.strip().lower()
                if named and entrytype_fits(named, itype):
                    entry.type = named
            elif name == "keywords":  # written by genbib before keywords became tags
                keywords.extend(split_keywords(text_to_latex(value)))
            elif name in _NAME_LINES or name in _creator_roles(itype):
                if name not in native:
                    entry.set(name, _names_from_text(value))
            elif name in _LINK_LINES and name not in native:
                urls = [u for u in value.split() if is_http_url(u)]
                entry.set(name, " ".join([*(entry.get(name) or "").split(), *urls]))
            elif _FIELD_NAME.fullmatch(name) and name not in native:
                entry.set(name, text_to_latex(value) if name not in _VERBATIM else value)
        elif m and label == "doi" and "doi" not in entry.fields:
            entry.set("doi", m.group(2).strip())
    return keywords


_NAME_LINES = frozenset(_NAME_FIELDS)
_LINK_LINES = frozenset({"pdf", "links"})  # link fields kept as tex lines: URLs, verbatim
_DERIVED = ("eprint", "archiveprefix", "primaryclass")


def _names_from_text(text: str) -> str:
    """A name list from a tex line (untrusted): a braced one-part name stays one name."""
    out = []
    for piece in re.split(r"\s+and\s+", text.strip()):
        if piece.startswith("{") and piece.endswith("}"):
            out.append("{" + text_to_latex(piece[1:-1]) + "}")
        else:
            out.append(text_to_latex(piece))
    return " and ".join(p for p in out if p.strip("{} "))


def reconcile(entry: Entry, base: Entry, macros: Mapping[str, str] | None = None) -> Entry:
    """Keep the base's spelling of every value that means the same (no churn).

    A changed title keeps the base's brace-protected words.
    """
    out = Entry(entry.type, base.key, {}, base.line, base.file)
    if normalize("@type", entry.type) == normalize("@type", base.type):
        out.type = base.type
    for name, raw in entry.fields.items():
        braw = base.fields.get(name)
        btext = plain(braw, dict(macros)) if braw is not None and macros else base.get(name)
        if braw is not None and normalize(name, entry.get(name) or "") == normalize(
            name, btext or ""
        ):
            out.fields[name] = braw
        elif name == "title" and braw is not None:
            out.fields[name] = "{" + protect_like(entry.get(name) or "", base.get(name) or "") + "}"
        elif name in _DERIVED and braw is None and base.arxiv and base.arxiv == entry.arxiv:
            continue
        else:
            out.fields[name] = raw
    return out


__all__ = [
    "BIB_TYPES",
    "DEFAULT_SCHEMA",
    "GENBIB_TAG",
    "LINK_TITLES",
    "TYPES",
    "Child",
    "ChildPlan",
    "as_linked",
    "child_item",
    "child_of",
    "children",
    "citation_key",
    "entrytype_fits",
    "from_item",
    "is_genbib",
    "item_type",
    "needs_current",
    "pdf_of",
    "plan_children",
    "read_children",
    "reconcile",
    "to_item",
    "update_item",
]
