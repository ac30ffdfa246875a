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


@dataclass(frozen=True, slots=True)
class _Doc:
    entry: Entry
    title: str
    authors: str
    first_author: str
    short: str
    acronym: str
    everything: str


def _doc(entry: Entry) -> _Doc:
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
    return _Doc(entry, title, authors, first_author, short, acronym, everything)


_SMALL = frozenset("a an the of for with to and on in via by from".split())


class Finder:
    """An index over entries, built once per command; queries are cheap."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._docs = [_doc(e) for e in entries]

    def search(self, query: str, limit: int = 5, min_score: float = 60.0) -> list[Hit]:
        from rapidfuzz import fuzz

        exact = self._exact(query)
        if exact:
            return exact[:limit]
        q = normalise(query)
        if not q:
            return []
        q_words = set(q.split())
        hits: list[Hit] = []
        for d in self._docs:
            best, why = 0.0, ""
            if d.short and q == d.short:
                best, why = 100.0, "short name"
            elif len(q) >= 3 and " " not in q and q == d.acronym:
                best, why = 96.0, "title initials"
            if q_words and q_words <= set(d.authors.split()):
                score = 95.0 if len(q_words) == 1 else 97.0
                if q_words <= set(d.first_author.split()):
                    score += 2.0  # first author ranks before co-author
                if score > best:
                    best, why = score, "author"
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
            if best >= min_score:
                hits.append(Hit(d.entry, round(best, 1), why))
        hits.sort(key=lambda h: (-h.score, -(h.entry.year or 0), h.entry.key))
        return hits[:limit]

    def _exact(self, query: str) -> list[Hit]:
        query = query.strip()
        arxiv = ids.arxiv_id(query)
        doi = ids.doi(query)
        out = []
        for d in self._docs:
            e = d.entry
            if query == e.key or query in e.aliases:
                out.append(Hit(e, 100.0, "citation key"))
            elif arxiv and e.arxiv == arxiv:
                out.append(Hit(e, 100.0, f"arXiv {arxiv}"))
            elif doi and e.doi == doi:
                out.append(Hit(e, 100.0, f"DOI {doi}"))
        return out
