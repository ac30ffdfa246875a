"""Finding papers in the bib from what a writer remembers: a word, a name, a short name.

`genbib cite` and `genbib show` use it. Identifiers and keys match exactly; everything
else is ranked by fuzzy similarity (rapidfuzz) over title, authors, short name, venue and
year, so typos and partial titles still find the paper.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from genbib.model import identifiers as ids
from genbib.model.entry import Entry

_LATEX = re.compile(r"\\[A-Za-z]+\s*|[{}\\$]")
_NON_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True, slots=True)
class Hit:
    entry: Entry
    score: float
    why: str


def normalise(text: str) -> str:
    """Lower-case ASCII-ish words: LaTeX, braces, accents and punctuation removed."""
    text = _LATEX.sub("", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", text.lower()).strip()


class Doc(NamedTuple):
    """What the search compares a query with, per entry (stored as is by the look-up index)."""

    key: str
    year: int | None
    title: str
    authors: str
    first_author: str
    short: str
    acronym: str
    everything: str


def make_doc(entry: Entry) -> Doc:
    title = normalise(entry.title)
    names = entry.names()
    authors = " ".join(normalise(n.display()) for n in names)
    first_author = normalise(names[0].display()) if names else ""
    short = normalise(entry.get("shortname") or "")
    venue = normalise(entry.get("booktitle") or entry.get("journal") or "")
    year = str(entry.year or "")
    words = [w for w in title.split() if w not in _SMALL]
    # Acronyms of word runs ("sde" for "stochastic differential equations") match too.
    runs = {
        "".join(w[0] for w in words[i : i + n])
        for n in range(2, 6)
        for i in range(len(words) - n + 1)
    }
    everything = " ".join(
        p
        for p in (short, title, authors, venue, year, entry.key.lower(), " ".join(sorted(runs)))
        if p
    )
    # "Denoising Diffusion Probabilistic Models" -> "ddpm": lists name papers this way.
    acronym = "".join(w[0] for w in title.split() if w not in _SMALL)
    return Doc(entry.key, entry.year, title, authors, first_author, short, acronym, everything)


_SMALL = frozenset("a an the of for with to and on in via by from".split())


def exact_why(entry: Entry, query: str, arxiv: str | None, doi: str | None) -> str | None:
    """Why `entry` answers `query` exactly (key, alias, arXiv id, DOI), or None."""
    if query == entry.key or query in entry.aliases:
        return "citation key"
    if arxiv and entry.arxiv == arxiv:
        return f"arXiv {arxiv}"
    if doi and entry.doi == doi:
        return f"DOI {doi}"
    return None


def score(d: Doc, q: str, q_words: set[str]) -> tuple[float, str]:
    """How well `d` matches the normalised query `q` (0-100), and why."""
    from rapidfuzz import fuzz

    best, why = 0.0, ""
    if d.short and q == d.short:
        best, why = 100.0, "short name"
    elif len(q) >= 3 and " " not in q and q == d.acronym:
        best, why = 96.0, "title initials"
    if q_words and q_words <= set(d.authors.split()):
        s = 95.0 if len(q_words) == 1 else 97.0
        if q_words <= set(d.first_author.split()):
            s += 2.0  # first author ranks before co-author
        if s > best:
            best, why = s, "author"
    title_score = 0.0
    if d.title:
        # token_set alone ties every title containing the words; the plain ratio
        # prefers the title that is closest as a whole ("Consistency Models").
        title_score = max(
            fuzz.WRatio(q, d.title),
            0.8 * fuzz.token_set_ratio(q, d.title) + 0.2 * fuzz.ratio(q, d.title),
        )
    if title_score > best:
        best, why = title_score, "title"
    all_score = fuzz.token_set_ratio(q, d.everything) * 0.9
    if all_score > best:
        best, why = all_score, "title, authors, venue and year"
    return best, why


def rank(
    docs: list[Doc], q: str, candidates: Iterable[int], limit: int, min_score: float
) -> list[tuple[float, str, int]]:
    """(score, why, position) of the best docs among `candidates` (positions in `docs`)."""
    q_words = set(q.split())
    found = []
    for i in candidates:
        best, why = score(docs[i], q, q_words)
        if best >= min_score:
            found.append((round(best, 1), why, i))
    found.sort(key=lambda t: (-t[0], -(docs[t[2]].year or 0), docs[t[2]].key))
    return found[:limit]


class Finder:
    """Search over entries in memory, built once per command; queries are cheap.

    The look-up index (`genbib.lookup`) answers the same questions from a file kept
    beside the bib's cache, with the same functions, so both answer alike.
    """

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._entries = list(entries)
        self._docs: list[Doc] | None = None

    @property
    def docs(self) -> list[Doc]:
        if self._docs is None:  # `show` asks only for exact matches: no docs needed
            self._docs = [make_doc(e) for e in self._entries]
        return self._docs

    def search(self, query: str, limit: int = 5, min_score: float = 60.0) -> list[Hit]:
        exact = self._exact(query)
        if exact:
            return exact[:limit]
        q = normalise(query)
        if not q:
            return []
        docs = self.docs
        ranked = rank(docs, q, range(len(docs)), limit, min_score)
        return [Hit(self._entries[i], s, why) for s, why, i in ranked]

    def _exact(self, query: str) -> list[Hit]:
        query = query.strip()
        arxiv = ids.arxiv_id(query)
        doi = ids.doi(query)
        out = []
        for e in self._entries:
            why = exact_why(e, query, arxiv, doi)
            if why is not None:
                out.append(Hit(e, 100.0, why))
        return out
