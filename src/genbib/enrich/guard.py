"""Is this candidate the entry's paper? Title, authors and year must all agree.

A wrong match is worse than no match: it would write another paper's authors into the
lab's bibliography and be cited for years. So a candidate is accepted only when its
title is nearly the same, its authors overlap the entry's (when both have authors), and
its year is within one of the entry's (a preprint and its proceedings version usually
straddle a year end). Anything else is a finding with the reason, never a change.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from genbib.enrich.candidate import Candidate
from genbib.model.entry import Entry
from genbib.model.names import Name

TITLE_MIN = 90.0  # rapidfuzz ratio on normalised titles
AUTHOR_MIN = 0.5  # share of the shorter author list found in the other
_LATEX = re.compile(r"\\[A-Za-z]+\s*|[{}$\\]")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65536)
def norm_title(text: str) -> str:
    text = _LATEX.sub("", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _NON_WORD.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def title_score(a: str, b: str) -> float:
    na, nb = norm_title(a), norm_title(b)
    if not na or not nb:
        return 0.0
    return float(fuzz.ratio(na, nb))


@lru_cache(maxsize=65536)
def family(name: Name) -> str:
    last = name.last or name.display()
    last = re.sub(r"\s+\d{4}$", "", last)  # DBLP's homonym numbers: "Song 0001"
    return norm_title(last).replace(" ", "")


def author_overlap(a: list[Name] | tuple[Name, ...], b: list[Name] | tuple[Name, ...]) -> float:
    fa = {family(n) for n in a if not n.is_others} - {""}
    fb = {family(n) for n in b if not n.is_others} - {""}
    if not fa or not fb:
        return 1.0
    return len(fa & fb) / min(len(fa), len(fb))


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    title: float
    authors: float
    reasons: tuple[str, ...] = ()

    def explain(self) -> str:
        return "; ".join(self.reasons)


def judge(entry: Entry, cand: Candidate) -> Verdict:
    """Accept `cand` for `entry` only when title, authors and year agree."""
    reasons = []
    t = title_score(entry.title, cand.title) if entry.title else 100.0
    if entry.title and t < TITLE_MIN:
        reasons.append(f"title differs ({t:.0f}% similar: {cand.title!r})")
    a = author_overlap(entry.names(), cand.authors)
    if a < AUTHOR_MIN:
        reasons.append(f"authors differ ({a:.0%} overlap)")
    if entry.year and cand.year and abs(entry.year - cand.year) > 1:
        reasons.append(f"year differs ({cand.year} vs {entry.year})")
    return Verdict(not reasons, t, a, tuple(reasons))


def looks_close(entry: Entry, cand: Candidate) -> bool:
    """A rejected candidate worth a finding: near in title, but not the same paper."""
    return bool(entry.title) and title_score(entry.title, cand.title) >= 75.0
