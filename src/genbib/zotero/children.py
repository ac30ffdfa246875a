"""Child notes and attachments: which ones mean a bib field, and which ones are genbib's.

Reading (Zotero -> bib):
- a linked-URL attachment titled like genbib's ("Code", "Project page", "Blog post",
  "Video"), or any linked URL on a code host (GitHub, GitLab, ...), gives that link field;
  other linked URLs ("Semantic Scholar Link", a member's bookmark) give nothing;
- a PDF attachment (content type application/pdf, or a stored/linked file whose URL, file
  name or title says PDF, e.g. the Connector's "arXiv Fulltext PDF") gives a `pdf` link when
  it has a web URL, and never a `code` or `project` one; snapshots give nothing;
- notes give the bib's `annotation`: genbib's own note alone when the item has one (below),
  else the item's notes (a member's reading note, a Semantic Scholar "[TLDR]").

Ownership (what genbib may change): only children genbib created. Each child genbib writes
carries the automatic tag `genbib` (type 1: Zotero shows it as added by software, a member
does not type it), so a linked URL a member titled "Project page" by hand is read as a
project link but never renamed, retyped, moved or deleted. Every other child (PDFs,
snapshots, members' notes and links, annotations) is never written by genbib.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from genbib.model.entry import Entry
from genbib.model.identifiers import is_http_url
from genbib.zotero.text import latex_to_text

Item = dict[str, Any]

GENBIB_TAG = "genbib"
"""The automatic tag on every child genbib creates: the mark of what genbib may change."""

# link field -> the title of its linked-URL attachment.
LINK_TITLES = {"code": "Code", "project": "Project page", "blog": "Blog post", "video": "Video"}
_TITLE_LINKS = {v.lower(): k for k, v in LINK_TITLES.items()}
_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org")
_PDF_WORD = re.compile(r"\bpdf\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Child:
    """A child object's meaning for the bib.

    `role` is a link field ("code", "project", "blog", "video", "pdf") or "note"; `value`
    the URL or the note's plain text; `owned` whether genbib created it (carries
    GENBIB_TAG), i.e. whether genbib may update or delete it.
    """

    role: str
    value: str
    owned: bool = False


def children(entry: Entry) -> list[Child]:
    """The children genbib wants for an entry: its link attachments and its note."""
    out = [
        Child(field, url, True)
        for field in LINK_TITLES
        for url in (entry.get(field) or "").split()
        if is_http_url(url)
    ]
    note = entry.get("annotation")
    if note and note.strip():
        out.append(Child("note", latex_to_text(note), True))
    return out


def child_item(child: Child, parent: str) -> Item:
    """The item JSON genbib creates for one of its children (marked with GENBIB_TAG)."""
    mark = [{"tag": GENBIB_TAG, "type": 1}]
    if child.role == "note":
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in child.value.split("\n\n") if p)
        return {
            "itemType": "note",
            "parentItem": parent,
            "note": paragraphs,
            "tags": mark,
            "collections": [],
        }
    return {
        "itemType": "attachment", "linkMode": "linked_url", "parentItem": parent,
        "title": LINK_TITLES[child.role], "url": child.value, "tags": mark, "contentType": "",
        "charset": "", "note": "", "collections": [],
    }  # fmt: skip


def is_genbib(item: Mapping[str, Any]) -> bool:
    """Whether genbib created this child (it carries GENBIB_TAG)."""
    tags = item.get("tags")
    if not isinstance(tags, list):
        return False
    return any(isinstance(t, dict) and t.get("tag") == GENBIB_TAG for t in tags)


def _text(item: Mapping[str, Any], name: str) -> str:
    value = item.get(name)
    return value if isinstance(value, str) else ""


def is_pdf(item: Mapping[str, Any]) -> bool:
    """A PDF attachment: by content type, or a file/URL/title that says PDF."""
    if item.get("itemType") != "attachment":
        return False
    if _text(item, "contentType").lower() == "application/pdf":
        return True
    try:
        path = urlsplit(_text(item, "url")).path.lower()
    except ValueError:  # "http://[x]": a malformed host in untrusted item JSON
        path = ""
    if path.endswith(".pdf") or _text(item, "filename").lower().endswith(".pdf"):
        return True
    return item.get("linkMode") in ("imported_url", "imported_file") and bool(
        _PDF_WORD.search(_text(item, "title"))
    )


def child_of(item: Mapping[str, Any]) -> Child | None:
    """The link or note a child gives (see the module docstring), or None.

    Never a PDF (`read_children` adds those): a caller that deletes the children it does
    not want must only ever see links and notes, and only delete `owned` ones.
    """
    if item.get("itemType") == "note":
        text = re.sub(r"</p>\s*<p>|<br\s*/?>", "\n\n", _text(item, "note"))
        text = html.unescape(re.sub(r"<[^>]*>", "", text)).strip()
        return Child("note", text, is_genbib(item)) if text else None
    if item.get("itemType") != "attachment" or item.get("linkMode") != "linked_url":
        return None
    if is_pdf(item):
        return None
    url = _text(item, "url").strip()
    if not is_http_url(url):
        return None
    role = _TITLE_LINKS.get(_text(item, "title").strip().lower())
    if role is None:
        host = (urlsplit(url).hostname or "").lower()
        if not any(host == h or host.endswith("." + h) for h in _CODE_HOSTS):
            return None  # a member's bookmark: not a link field
        role = "code"
    return Child(role, url, is_genbib(item))


def pdf_of(item: Mapping[str, Any]) -> Child | None:
    """The `pdf` link of a PDF attachment with a web URL (never genbib's)."""
    url = _text(item, "url").strip()
    if is_pdf(item) and is_http_url(url):
        return Child("pdf", url, False)
    return None


def read_children(items: Iterable[Mapping[str, Any]]) -> list[Child]:
    """What the children of one item give the bib: links, PDFs and notes (for `from_item`).

    Children in the trash (`deleted`) give nothing.
    """
    out: list[Child] = []
    for item in items:
        if not isinstance(item, Mapping) or item.get("deleted"):
            continue
        child = child_of(item) or pdf_of(item)
        if child is not None:
            out.append(child)
    return out


@dataclass(frozen=True)
class ChildPlan:
    """What to write among an item's children: new ones, note texts to set, keys to delete."""

    create: tuple[Child, ...] = ()
    update: tuple[tuple[str, Child], ...] = ()  # (key of genbib's note, its new text)
    delete: tuple[str, ...] = ()  # keys of genbib's own children no longer wanted

    def __bool__(self) -> bool:
        return bool(self.create or self.update or self.delete)


def plan_children(want: Iterable[Child], current: Mapping[str, Child]) -> ChildPlan:
    """The writes that give an item the children `want` (from `children(entry)`).

    `current` maps each existing child's key to what it gives (`child_of`, with `owned`).
    A wanted link or note that any child already gives (a member's too) is not made
    again; genbib's own note takes a changed annotation; only children genbib created
    (`owned`) are ever updated or deleted, so members' notes, links and files never are.
    """
    wanted = list(dict.fromkeys((c.role, c.value) for c in want))
    mine = {k: c for k, c in sorted(current.items()) if c.owned}
    used: set[str] = set()
    missing: list[tuple[str, str]] = []
    for role, value in wanted:
        given = [k for k, c in current.items() if (c.role, c.value) == (role, value)]
        if given:  # some child gives it already (a member's too): nothing to write
            used.update(k for k in given if k in mine)
        else:
            missing.append((role, value))
    create: list[Child] = []
    update: list[tuple[str, Child]] = []
    for role, value in missing:
        free = (k for k, c in mine.items() if c.role == role == "note" and k not in used)
        note_key = next(free, None)
        if note_key is not None:  # genbib's note takes the new annotation
            update.append((note_key, Child("note", value, True)))
            used.add(note_key)
        else:
            create.append(Child(role, value, True))
    delete = tuple(k for k in mine if k not in used)
    return ChildPlan(tuple(create), tuple(update), delete)
