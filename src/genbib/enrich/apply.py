"""Fill an entry from an accepted candidate, recording the source of every field.

Policy: fill what is missing, never overwrite what the lab wrote, with two exceptions
that are upgrades rather than opinions: a truncated author list (`... and others`) is
replaced by a complete one that starts the same way, and a preprint gains its published
venue (the published version is the one to cite). Identifiers that are already there
are never changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from genbib.enrich import provenance
from genbib.enrich.candidate import Candidate
from genbib.enrich.clean import clean_text, clean_url
from genbib.enrich.guard import family
from genbib.model import identifiers as ids
from genbib.model.entry import Entry, Link, LinkKind
from genbib.model.names import Name

VENUE_FIELDS = ("booktitle", "journal")
DETAIL_FIELDS = ("series", "volume", "number", "pages", "publisher", "primaryclass", "presentation")
_PREPRINT_VENUE = ("arxiv", "corr", "preprint", "biorxiv")


@dataclass(frozen=True)
class Change:
    key: str
    field: str
    old: str
    new: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {
            "key": self.key,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "source": self.source,
        }


def has_published_venue(entry: Entry) -> bool:
    for name in VENUE_FIELDS:
        text = (entry.get(name) or "").lower()
        if text and not any(p in text for p in _PREPRINT_VENUE):
            return True
    return False


def _clean_name(n: Name) -> Name:
    return Name(clean_text(n.first), clean_text(n.von), clean_text(n.last), clean_text(n.jr))


def _truncated(names: list[Name]) -> bool:
    return bool(names) and names[-1].is_others


def apply(entry: Entry, cand: Candidate) -> list[Change]:
    """Mutate `entry` with what `cand` adds; returns the changes made."""
    changes: list[Change] = []

    def put(name: str, value: str) -> None:
        old = entry.get(name) or ""
        value = value.strip()
        if not value or old == value:
            return
        entry.set(name, value)
        if entry.get(name) == old:
            return
        provenance.record(entry, name, cand.source)
        changes.append(Change(entry.key, name, old, entry.get(name) or "", cand.source))

    if not entry.title and cand.title:
        put("title", clean_text(cand.title))

    names = entry.names()
    new_names = [_clean_name(n) for n in cand.authors]
    if new_names and not names:  # a truncated list is better than none
        tail = [] if cand.authors_complete else ["others"]
        put("author", " and ".join([*(n.bibtex() for n in new_names), *tail]))
    elif new_names and cand.authors_complete and _truncated(names):
        known = [family(n) for n in names[:-1]]
        if len(new_names) >= len(known) and [family(n) for n in new_names[: len(known)]] == known:
            put("author", " and ".join(n.bibtex() for n in new_names))

    if cand.published and not has_published_venue(entry):
        if cand.type and entry.type.lower() != cand.type:
            old_type = entry.type
            entry.type = cand.type
            provenance.record(entry, provenance.TYPE, cand.source)
            changes.append(Change(entry.key, "@type", old_type, cand.type, cand.source))
        for name in VENUE_FIELDS:
            if name in entry.fields:
                entry.set(name, None)
        for name, value in cand.fields:
            if name in VENUE_FIELDS:
                put(name, clean_text(value))
        if cand.year and entry.year != cand.year:
            put("year", str(cand.year))
    if not entry.year and cand.year:
        put("year", str(cand.year))
    for name, value in cand.fields:
        same_eprint = name != "primaryclass" or cand.arxiv == (entry.arxiv or cand.arxiv)
        if name in DETAIL_FIELDS and not entry.get(name) and same_eprint:
            put(name, clean_text(value))

    same_paper = entry.arxiv in (None, cand.arxiv)
    if cand.arxiv and not entry.get("eprint") and same_paper and ids.arxiv_id(cand.arxiv):
        put("eprint", cand.arxiv)
        put("archiveprefix", "arXiv")
    if cand.doi and not entry.doi and ids.doi(cand.doi) and not ids.arxiv_id(cand.doi):
        put("doi", ids.doi(cand.doi) or "")
    url = clean_url(cand.url)
    if url and not entry.get("url"):
        put("url", url)
    for link in cand.links:
        url = clean_url(link.url)
        if url and entry.add_link(Link(link.kind, url)):
            name = {LinkKind.CODE: "code", LinkKind.PROJECT: "project"}.get(link.kind, "links")
            provenance.record(entry, name, cand.source)
            changes.append(Change(entry.key, name, "", url, cand.source))
    return changes


def complete_preprint(entry: Entry, source: str = "arxiv-id") -> list[Change]:
    """An arXiv-only paper whose type needs a venue: say where it is (arXiv), as Google
    Scholar's BibTeX does, so the entry is complete for BibTeX styles."""
    ident = entry.arxiv
    if not ident or has_published_venue(entry):
        return []
    kind = entry.type.lower()
    if kind == "article" and not entry.get("journal"):
        entry.set("journal", f"arXiv preprint arXiv:{ident}")
        provenance.record(entry, "journal", source)
        return [Change(entry.key, "journal", "", entry.get("journal") or "", source)]
    if kind in ("inproceedings", "conference") and not entry.get("booktitle"):
        entry.type = "misc"
        provenance.record(entry, provenance.TYPE, source)
        return [Change(entry.key, "@type", kind, "misc", source)]
    return []
