"""Entry <-> Zotero item JSON: pure functions, both directions.

Every bib field reaches Zotero somewhere: a native field where the item type has one, else
a Better BibTeX `tex.<field>: <value>` line in `extra`, so an entry survives the round trip
whole. Topics become collections, code/project/blog/video links linked-URL child
attachments, the annotation a child note. Coming back, `from_item` is given the entry last
agreed on (the base): a value that means the same as the base's keeps the base's spelling,
so a sync never rewrites LaTeX, brace protection or macros it did not need to (no churn).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from genbib.model.entry import Entry
from genbib.model.identifiers import arxiv_id, is_http_url
from genbib.model.names import Name
from genbib.model.values import MONTHS, canonical_raw, plain
from genbib.zotero.text import latex_to_text, month_number, normalize, protect_like, text_to_latex

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

# bib type -> item type, and the bib type each item type comes back as.
TYPES = {
    "inproceedings": "conferencePaper", "conference": "conferencePaper", "article": "journalArticle",
    "book": "book", "incollection": "bookSection", "inbook": "bookSection",
    "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis", "techreport": "report",
    "report": "report", "software": "computerProgram", "online": "webpage", "misc": "document",
    "unpublished": "manuscript",
}  # fmt: skip
BIB_TYPES = {
    "conferencePaper": "inproceedings", "journalArticle": "article", "book": "book",
    "bookSection": "incollection", "thesis": "phdthesis", "report": "techreport",
    "computerProgram": "software", "webpage": "online", "document": "misc", "preprint": "misc",
    "manuscript": "unpublished",
}  # fmt: skip

# bib field -> Zotero field, per item type (fields not listed, or not in the schema, go to
# `extra` as tex.<field> lines).
_VENUE = {
    "conferencePaper": {"booktitle": "proceedingsTitle", "publisher": "publisher", "address": "place", "volume": "volume", "pages": "pages", "series": "series", "isbn": "ISBN"},
    "journalArticle": {"journal": "publicationTitle", "volume": "volume", "number": "issue", "pages": "pages", "series": "series", "issn": "ISSN"},
    "preprint": {"address": "place"},
    "book": {"publisher": "publisher", "address": "place", "volume": "volume", "edition": "edition", "series": "series", "isbn": "ISBN"},
    "bookSection": {"booktitle": "bookTitle", "publisher": "publisher", "address": "place", "volume": "volume", "edition": "edition", "pages": "pages", "series": "series", "isbn": "ISBN"},
    "thesis": {"school": "university", "address": "place", "type": "thesisType"},
    "report": {"institution": "institution", "number": "reportNumber", "type": "reportType", "address": "place", "pages": "pages"},
    "computerProgram": {"version": "versionNumber", "organization": "company", "publisher": "company"},
    "webpage": {"howpublished": "websiteTitle"},
    "document": {"publisher": "publisher"},
    "manuscript": {"address": "place"},
}  # fmt: skip
_COMMON_FIELDS = {
    "title": "title",
    "abstract": "abstractNote",
    "language": "language",
    "doi": "DOI",
}
# Fields that never become tex lines: handled natively, or genbib's own child objects.
_SPECIAL = {"title", "author", "editor", "year", "month", "date", "url", "eprint", "archiveprefix",
            "primaryclass", "topics", "code", "project", "blog", "video", "annotation"}  # fmt: skip
_VERBATIM = {"url", "doi", "eprint", "isbn", "issn", "pages", "volume", "number"}

# link field -> the title of its linked-URL attachment.
LINK_TITLES = {"code": "Code", "project": "Project page", "blog": "Blog post", "video": "Video"}
_TITLE_LINKS = {v.lower(): k for k, v in LINK_TITLES.items()}
_ARXIV_LINE = re.compile(r"^arXiv:\s*(\S+)(?:\s+\[([^\]]+)\])?\s*$", re.IGNORECASE)
# A key typed in Zotero becomes `@type{key,` in the bib and `\\cite{key}` in papers.
_SAFE_KEY = re.compile(r"[A-Za-z0-9_:.+/@-]+")
_EXTRA_LINE = re.compile(r"^([A-Za-z][\w .-]*?):\s*(.*)$")
_NAME_ROLES = {
    "author": "author",
    "programmer": "author",
    "presenter": "author",
    "editor": "editor",
}


@dataclass(frozen=True, slots=True)
class Child:
    """A child object genbib owns: a linked-URL attachment (`role` a link field) or the note."""

    role: str  # "code", "project", "blog", "video" or "note"
    value: str  # the URL, or the note's plain text


def item_type(entry: Entry) -> str:
    t = entry.type.lower()
    if t == "misc" and entry.arxiv:
        return "preprint"
    return TYPES.get(t, "document")


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
    expand venue abbreviations so Zotero shows the full name.
    """
    itype = item_type(entry)
    allowed = schema.get(itype, _COMMON)
    item: Item = {"itemType": itype, "title": latex_to_text(entry.title)}
    extra: list[str] = []

    creators = []
    for role in ("author", "editor"):
        for n in entry.names(role):
            ctype = "programmer" if itype == "computerProgram" and role == "author" else role
            creators.append(_creator(n, ctype))
    item["creators"] = creators
    date = _date(entry)
    if date:
        item["date"] = date
    url = entry.get("url")
    if url and is_http_url(url):
        item["url"] = url.strip()

    mapped = {**_COMMON_FIELDS, **_VENUE.get(itype, {})}
    tex: dict[str, str] = {}
    for name, raw in entry.fields.items():
        if name in _SPECIAL:
            continue
        value = plain(raw, dict(macros)) if macros else (entry.get(name) or "")
        target = mapped.get(name)
        if target and target in allowed and target not in item:
            item[target] = value.strip() if name in _VERBATIM else latex_to_text(value)
        elif name == "doi":
            extra.append(f"DOI: {value.strip()}")
        else:
            tex[name] = _one_line(canonical_raw(raw) if not raw.startswith("{") else value)
    if entry.type.lower() != BIB_TYPES.get(itype, "misc"):
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
    item.setdefault("tags", [])
    return item


def children(entry: Entry) -> list[Child]:
    out = [
        Child(field, url)
        for field in LINK_TITLES
        for url in (entry.get(field) or "").split()
        if is_http_url(url)
    ]
    note = entry.get("annotation")
    if note and note.strip():
        out.append(Child("note", latex_to_text(note)))
    return out


def child_item(child: Child, parent: str) -> Item:
    if child.role == "note":
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in child.value.split("\n\n") if p)
        return {
            "itemType": "note",
            "parentItem": parent,
            "note": paragraphs,
            "tags": [],
            "collections": [],
        }
    return {
        "itemType": "attachment", "linkMode": "linked_url", "parentItem": parent,
        "title": LINK_TITLES[child.role], "url": child.value, "tags": [], "contentType": "",
        "charset": "", "note": "", "collections": [],
    }  # fmt: skip


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


# --- item -> entry -------------------------------------------------------------------


def _text_field(item: Item, name: str) -> str:
    """A field of untrusted item JSON as text: anything but a string counts as empty."""
    value = item.get(name)
    return value if isinstance(value, str) else ""


def child_of(item: Item) -> Child | None:
    """The genbib meaning of a child item, or None for children genbib leaves alone."""
    if item.get("itemType") == "note":
        text = re.sub(r"</p>\s*<p>|<br\s*/?>", "\n\n", _text_field(item, "note"))
        text = html.unescape(re.sub(r"<[^>]*>", "", text)).strip()
        return Child("note", text) if text else None
    if item.get("itemType") == "attachment" and item.get("linkMode") == "linked_url":
        url = _text_field(item, "url").strip()
        if not is_http_url(url):
            return None
        role = _TITLE_LINKS.get(_text_field(item, "title").strip().lower())
        if role is None:
            role = (
                "code" if "github.com" in url.lower() or "gitlab.com" in url.lower() else "project"
            )
        return Child(role, url)
    return None


def citation_key(item: Item) -> str:
    """The key recorded in an item: the native field first, then the `Citation Key:` line."""
    native = _text_field(item, "citationKey").strip()
    if native:
        return native if _SAFE_KEY.fullmatch(native) else ""
    for line in _text_field(item, "extra").splitlines():
        m = _EXTRA_LINE.match(line.strip())
        if m and m.group(1).strip().lower() == "citation key":
            key = m.group(2).strip()
            return key if _SAFE_KEY.fullmatch(key) else ""  # else the caller assigns one
    return ""


def from_item(
    item: Item,
    kids: list[Child] = [],  # noqa: B006
    *,
    topics: Mapping[str, str] = {},
    base: Entry | None = None,
    macros: Mapping[str, str] | None = None,
) -> Entry:
    """The entry for an item; `topics` maps collection keys to slugs; `base` as above.

    The entry's key is the base's (keys never change because of Zotero), else the one the
    item records, else "" (the caller assigns one).
    """
    itype = str(item.get("itemType") or "document")
    key = base.key if base is not None else citation_key(item)
    entry = Entry(BIB_TYPES.get(itype, "misc"), key)
    _put(entry, "title", item.get("title"))
    for role in ("author", "editor"):
        names = [
            _name(c)
            for c in item.get("creators") or []
            if _NAME_ROLES.get(c.get("creatorType", "")) == role
        ]
        if names:
            entry.fields[role] = "{" + " and ".join(names) + "}"
    _from_date(entry, str(item.get("date") or ""))
    url = _text_field(item, "url").strip()
    if is_http_url(url):
        entry.set("url", url)
    reverse = {v: k for k, v in {**_COMMON_FIELDS, **_VENUE.get(itype, {})}.items()}
    for zfield, value in item.items():
        bib = reverse.get(zfield)
        if bib and isinstance(value, str) and value.strip() and bib not in entry.fields:
            _put(entry, bib, value, verbatim=bib in _VERBATIM)
    if itype == "preprint":
        ident = arxiv_id(str(item.get("archiveID") or ""))
        if ident:
            entry.set("eprint", ident)
            entry.set("archiveprefix", "arXiv")
    _from_extra(entry, str(item.get("extra") or ""), itype)
    slugs = sorted({topics[c] for c in item.get("collections") or [] if c in topics})
    if slugs:
        entry.set_topics(slugs)
    for kid in sorted(kids, key=lambda k: (k.role, k.value)):
        if kid.role == "note":
            notes = [n for n in (entry.get("annotation") or "", text_to_latex(kid.value)) if n]
            entry.set("annotation", "\n\n".join(notes))
        else:
            current = entry.get(kid.role)
            entry.set(kid.role, f"{current} {kid.value}" if current else kid.value)
    return reconcile(entry, base, macros) if base is not None else entry


def _put(entry: Entry, name: str, value: Any, *, verbatim: bool = False) -> None:
    if isinstance(value, str) and value.strip():
        value = value.strip()
        # Verbatim fields (DOI, pages, ...) keep their spelling, unless it could run as LaTeX.
        safe = verbatim and "\\" not in value and "^^" not in value and value.isprintable()
        entry.set(name, value if safe else text_to_latex(value))


def _name(c: dict[str, str]) -> str:
    if c.get("name") or not c.get("firstName"):
        single = text_to_latex(c.get("name") or c.get("lastName") or "")
        return "{" + single + "}"
    last, first = text_to_latex(c.get("lastName", "")), text_to_latex(c.get("firstName", ""))
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
    mapped = TYPES.get(bib_type)
    return mapped == itype if mapped is not None else itype == "document"


def _from_extra(entry: Entry, extra: str, itype: str) -> None:
    other: list[str] = []
    for raw_line in extra.splitlines():
        line = raw_line.strip()
        if not line:
            continue
        m = _ARXIV_LINE.match(line)
        if m and arxiv_id(m.group(1)):
            entry.set("eprint", arxiv_id(m.group(1)))
            entry.set("archiveprefix", "arXiv")
            if m.group(2):
                entry.set("primaryclass", m.group(2).strip())
            continue
        m = _EXTRA_LINE.match(line)
        label = m.group(1).strip().lower() if m else ""
        if m and label.startswith("tex."):
            name = label[4:].strip()
            if name == "entrytype":
                named = m.group(2).strip().lower()
                if named and entrytype_fits(named, itype):
                    entry.type = named
            elif re.fullmatch(r"[a-z][a-z0-9_-]*", name):
                entry.set(name, text_to_latex(m.group(2)) if name not in _VERBATIM else m.group(2))
        elif m and label == "citation key":
            continue
        elif m and label == "doi" and "doi" not in entry.fields:
            entry.set("doi", m.group(2).strip())
        else:
            other.append(text_to_latex(line))
    if other and "note" not in entry.fields:
        entry.set("note", "; ".join(other))


_DERIVED = ("eprint", "archiveprefix", "primaryclass")


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
