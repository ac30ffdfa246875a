"""Merging two records of one paper into one entry, field by field, losing nothing.

Policy: the published version's venue is primary (its type, venue fields and year),
and the arXiv id stays as `eprint`; the fuller author list wins when both lists agree
in order; topics, links, keywords, annotations and aliases are unioned; a field only
the other entry has is copied. Every value that does not survive is returned as a
problem: `dedupe-conflict` (a warning) when the two values really differ,
`dedupe-superseded` (info) when the policy replaced it by a fuller or published one.
The surviving entry keeps its key; the other key becomes an alias in `ids`.
"""

from __future__ import annotations

import re

from genbib.bibtex.keys import STATUS_FIELD
from genbib.dedupe import normalize as norm
from genbib.dedupe.match import is_published
from genbib.model import identifiers as ids
from genbib.model.entry import LINK_FIELDS, Entry, Link, LinkKind
from genbib.model.problems import Problem, Severity

# Fields that describe where a version appeared; they move together.
VENUE_FIELDS = (
    "booktitle", "journal", "journaltitle", "series", "volume", "number", "pages",
    "publisher", "organization", "institution", "address", "howpublished", "month",
    "editor", "eventtitle",
)  # fmt: skip
_LIST_FIELDS = ("topics", "keywords")
_LINK_NAMES = frozenset(LINK_FIELDS.values())
_SPACE = re.compile(r"\s+")


def merge(into: Entry, other: Entry) -> list[Problem]:
    """Merge `other` into `into` (mutated); returns what did not survive, as problems."""
    m = _Merger(into, other)
    m.run()
    return m.problems


class _Merger:
    def __init__(self, into: Entry, other: Entry) -> None:
        self.into = into
        self.other = other
        self.problems: list[Problem] = []
        self.source = other.key or "merged entry"

    def report(
        self,
        name: str,
        kept: str,
        dropped: str,
        *,
        conflict: bool,
        why: str = "",
        mine: bool = False,
    ) -> None:
        """Record that `dropped` (from the other entry, or from `into` when `mine`) is gone."""
        code, sev = (
            ("dedupe-conflict", Severity.WARNING)
            if conflict
            else ("dedupe-superseded", Severity.INFO)
        )
        note = f" ({why})" if why else ""
        where = f"{self.into.key or 'the kept entry'}'s" if mine else f"{self.source}'s"
        msg = f'{name}: kept "{kept}", not {where} "{dropped}"{note}'
        self.problems.append(Problem(code, msg, sev, self.into.file, self.into.line, self.into.key))

    def run(self) -> None:
        into, other = self.into, self.other
        arxiv = into.arxiv or other.arxiv
        switch = is_published(other) and not is_published(into)
        demote = is_published(into) and not is_published(other)
        if switch:
            self._take_venue()
        self._doi()
        self._authors()
        self._links(switch)
        for name in _LIST_FIELDS:
            self._union_list(name)
        self._annotation()
        for name, raw in list(other.fields.items()):
            if (
                name in _LINK_NAMES
                or name in _LIST_FIELDS
                or name in ("annotation", "ids", "author", "doi", STATUS_FIELD)
            ):  # (a key's status is the surviving key's own)
                continue
            if switch and name in (*VENUE_FIELDS, "year", "date"):
                continue
            if demote and name in (*VENUE_FIELDS, "year", "date"):
                self._preprint_field(name)
                continue
            self._field(name, raw, switch=switch)
        if arxiv and not into.get("eprint"):
            into.set("eprint", arxiv)
            into.set("archiveprefix", "arXiv")
        for alias in (other.key, *other.aliases):
            if alias:
                into.add_alias(alias)

    def _preprint_field(self, name: str) -> None:
        """A venue field of the preprint when `into` is the published version."""
        mine, theirs = self.into.get(name), self.other.get(name) or ""
        if mine is not None and _SPACE.sub(" ", mine).strip() == _SPACE.sub(" ", theirs).strip():
            return
        self.report(
            name, mine or "", theirs, conflict=False, why="the published version's venue is primary"
        )

    def _field(self, name: str, raw: str, *, switch: bool = False) -> None:
        into = self.into
        mine = into.fields.get(name)
        if mine is None:
            into.fields[name] = raw
            return
        a, b = into.get(name) or "", self.other.get(name) or ""
        if _SPACE.sub(" ", a).strip() == _SPACE.sub(" ", b).strip():
            return
        if name == "eprint" and ids.arxiv_id(a) and ids.arxiv_id(a) == ids.arxiv_id(b):
            self.report(name, a, b, conflict=False, why="same arXiv id")
            return
        if name == "title":
            ka, kb = norm.title_keys(a), norm.title_keys(b)
            same = ka[0] == kb[0] or ka[0] in kb[1] or kb[0] in ka[1]
            if switch:  # the published title is primary
                into.fields[name] = raw
                self.report(
                    name, b, a, conflict=not same, why="published version's title", mine=True
                )
            else:
                self.report(name, a, b, conflict=not same, why="other spelling" if same else "")
            return
        self.report(name, a, b, conflict=True)

    def _take_venue(self) -> None:
        """The other entry is the published version: its venue, type and year win."""
        into, other = self.into, self.other
        for name in (*VENUE_FIELDS, "year", "date"):
            mine, theirs = into.fields.get(name), other.fields.get(name)
            if theirs is not None:
                if mine is not None and into.get(name) != other.get(name):
                    self.report(name, other.get(name) or "", into.get(name) or "", conflict=False,
                                why="published version preferred", mine=True)  # fmt: skip
                into.fields[name] = theirs
            elif mine is not None and name in VENUE_FIELDS:
                self.report(
                    name,
                    "",
                    into.get(name) or "",
                    conflict=False,
                    why="preprint venue replaced by the published one",
                    mine=True,
                )
                del into.fields[name]
        if into.type.lower() != other.type.lower():
            self.report(
                "entry type",
                other.type,
                into.type,
                conflict=False,
                why="published version preferred",
                mine=True,
            )
            into.type = other.type

    def _both(self, name: str) -> tuple[str, str] | None:
        """Both values of `name` when each side has one, to be weighed; a value only
        `other` has is taken as written, and then there is nothing to weigh."""
        theirs = self.other.get(name)
        if not theirs:
            return None
        mine = self.into.get(name)
        if not mine:
            self.into.fields[name] = self.other.fields[name]
            return None
        return mine, theirs

    def _doi(self) -> None:
        into, other = self.into, self.other
        both = self._both("doi")
        if both is None:
            return
        mine, theirs = both
        if ids.doi(mine) == ids.doi(theirs):
            return
        if ids.arxiv_id(mine) and not ids.arxiv_id(theirs):
            # The publisher's DOI is primary; the arXiv id stays in eprint.
            self.report(
                "doi",
                theirs,
                mine,
                conflict=False,
                why="publisher DOI preferred; arXiv id kept as eprint",
                mine=True,
            )
            into.fields["doi"] = other.fields["doi"]
            return
        conflict = not ids.arxiv_id(theirs)
        self.report(
            "doi",
            mine,
            theirs,
            conflict=conflict,
            why="" if conflict else "arXiv DOI; arXiv id kept as eprint",
        )

    def _authors(self) -> None:
        into, other = self.into, self.other
        both = self._both("author")
        if both is None:
            return
        mine, theirs = both
        if _SPACE.sub(" ", mine) == _SPACE.sub(" ", theirs):
            return
        fa, fb = norm.family_names(mine), norm.family_names(theirs)
        short, long_ = sorted((fa, fb), key=len)
        if long_[: len(short)] != short:
            self.report("author", mine, theirs, conflict=True, why="author lists disagree")
            return
        take = len(fb) > len(fa) or (len(fb) == len(fa) and _fullness(theirs) > _fullness(mine))
        if take:
            into.fields["author"] = other.fields["author"]
            self.report("author", theirs, mine, conflict=False, why="fuller author list", mine=True)
        else:
            self.report("author", mine, theirs, conflict=False, why="fuller author list")

    def _links(self, switch: bool) -> None:
        into, other = self.into, self.other
        theirs = other.links()
        if switch and other.get("url") and into.get("url"):
            # The published page becomes the paper link; the preprint's moves to `links`.
            old = into.get("url") or ""
            if ids.canonical_url(old) != ids.canonical_url(other.get("url") or ""):
                del into.fields["url"]
                into.set("url", other.get("url"))
                for url in old.split():
                    into.add_link(Link(LinkKind.OTHER, url))
        into.add_links(theirs)

    def _union_list(self, name: str) -> None:
        into, other = self.into, self.other
        both = self._both(name)
        if both is None:
            return
        mine, theirs = both
        if name == "topics":
            into.set_topics([*into.topics, *other.topics])
            return
        items = [t.strip() for t in re.split(r"[,;]", mine) if t.strip()]
        seen = {t.casefold() for t in items}
        for t in re.split(r"[,;]", theirs):
            t = t.strip()
            if t and t.casefold() not in seen:
                items.append(t)
                seen.add(t.casefold())
        into.set(name, ", ".join(items))

    def _annotation(self) -> None:
        into = self.into
        both = self._both("annotation")
        if both is None:
            return
        mine, theirs = both
        parts = [p for p in mine.split("\n\n") if p.strip()]
        if _SPACE.sub(" ", theirs).strip() not in {_SPACE.sub(" ", p).strip() for p in parts}:
            into.set("annotation", mine.rstrip() + "\n\n" + theirs.strip())


def _fullness(authors: str) -> int:
    """How much of the names is written out (full given names beat initials)."""
    return sum(c.isalpha() for c in norm.plain_text(authors))
