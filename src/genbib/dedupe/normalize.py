"""Comparable forms of titles, names and links: what two records of one paper share.

Sources spell one paper many ways (LaTeX or Unicode accents, braces, other casing,
"Model" for "Models", a "DiT:" prefix, `Ho, Jonathan` or `J. Ho`); matching compares
these normal forms only. They are fast pure-string functions (no pybtex, no latexcodec)
because dedupe runs them on every entry of a large library.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from genbib.model import identifiers as ids
from genbib.model.entry import Entry

# Accent commands (\'e, \"{o}, \c{c}, \v s) keep their letter; the mark is dropped
# anyway by the NFKD step, so a LaTeX and a Unicode spelling meet.
_ACCENT = re.compile(r"\\[`'^\"~=.uvHckrbdt]\s*(?:\{\s*(\\?[A-Za-z])\s*\}|(\\?[A-Za-z]))")
_LETTERS = {
    "ss": "ss", "o": "o", "O": "O", "ae": "ae", "AE": "AE", "oe": "oe", "OE": "OE",
    "aa": "a", "AA": "A", "l": "l", "L": "L", "i": "i", "j": "j",
}  # fmt: skip
_LETTER_CMD = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![A-Za-z])")
_COMMAND = re.compile(r"\\[A-Za-z]+\*?|\\.")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

STOPWORDS = frozenset(
    "a an the of for with via on in and to by from at as is are using towards toward "
    "into through its their your our".split()
)


def plain_text(text: str) -> str:
    """Text with LaTeX accents resolved, commands and braces removed, marks stripped."""
    if "\\" in text:
        text = text.replace("\\times", "x")
        text = _ACCENT.sub(lambda m: (m.group(1) or m.group(2)).lstrip("\\"), text)
        text = _LETTER_CMD.sub(lambda m: _LETTERS[m.group(1)], text)
        text = _COMMAND.sub(" ", text)
    text = text.replace("{", "").replace("}", "").replace("$", "")
    if not text.isascii():
        text = text.replace("×", "x")  # "1×1 Convolutions" = "1x1 Convolutions"
        text = _MARKS.sub("", unicodedata.normalize("NFKD", text))
    return text


@lru_cache(maxsize=262144)
def title_tokens(title: str) -> tuple[str, ...]:
    """Case-folded, stemmed words of a title, in order.

    A dropped plural ("Model"/"Models") is the commonest title variant; stemming the
    final "s" of every word (not "ss", not in words of three letters) costs nothing in
    precision since both sides are stemmed."""
    text = plain_text(title).casefold()
    return tuple(
        t[:-1] if len(t) > 3 and t[-1] == "s" and t[-2] != "s" else t
        for t in _NON_WORD.split(text)
        if t
    )


def squash(tokens: tuple[str, ...]) -> str:
    """One string for a token list; spacing variants ("ControlNet"/"Control Net") meet."""
    return "".join(tokens)


_PREFIX = re.compile(r"^\s*([^:]{1,40}?)\s*:\s+(\S.*)$", re.DOTALL)
_SUFFIX_PAREN = re.compile(r"^(.*\S)\s*\(([^()]{1,60})\)\s*$", re.DOTALL)


@lru_cache(maxsize=262144)  # pure, and asked for each title by index, lookup and retired record
def title_keys(title: str) -> tuple[str, tuple[str, ...]]:
    """The exact key of a title and its alternative keys.

    Alternatives drop a short name before a colon ("DiT: Scalable ...") or a short
    parenthesised name at the end ("Auto-Encoding Variational Bayes (VAE)"). A match
    needs one side's full key to equal the other's full or alternative key, so two
    titles that only share the part after different prefixes never meet.
    """
    full = squash(title_tokens(title))
    alts: list[str] = []
    m = _PREFIX.match(title) if ":" in title else None  # (each pattern needs its character)
    if m and len(m.group(1).split()) <= 3 and len(title_tokens(m.group(2))) >= 2:
        alts.append(squash(title_tokens(m.group(2))))
    m = _SUFFIX_PAREN.match(title) if ")" in title else None
    if m and len(m.group(2).split()) <= 6 and len(title_tokens(m.group(1))) >= 2:
        alts.append(squash(title_tokens(m.group(1))))
    return full, tuple(a for a in dict.fromkeys(alts) if a and a != full)


_VON = frozenset("van von der den de del della di da le la du dos das ter ten zu".split())


@lru_cache(maxsize=65536)
def family_names(author: str | None) -> tuple[str, ...]:
    """Comparable family names of an author field, in order ("others" dropped).

    "Ho, Jonathan", "Jonathan Ho" and "J. Ho" all give "ho"; particles are dropped so
    "van den Oord, Aäron" and "A{\\"a}ron van den Oord" give "oord".
    """
    if not author:
        return ()
    out: list[str] = []
    text = " ".join(plain_text(author).casefold().split())
    for part in text.split(" and "):
        if not part or part == "others":
            continue
        if "," in part:
            family = part[: part.index(",")]
        else:
            family = part.rsplit(" ", 1)[-1]
            if family.rstrip(".") in {"jr", "sr", "ii", "iii"} and " " in part:
                family = part.rsplit(" ", 2)[-2].rstrip(",")
        if family.isalnum() and family.isascii():
            out.append(family)  # the common case: one plain word
            continue
        tokens = [t for t in _NON_WORD.split(family) if t]
        tokens = [t for t in tokens if t not in _VON] or tokens
        if tokens:
            out.append(tokens[-1])
    return tuple(out)


_NEURIPS = re.compile(
    r"(?:neurips|nips)\.cc/paper(?:_files)?/(?:paper/)?\d{4}/(?:hash|file)/([0-9a-f]{32})"
)
_PMLR = re.compile(r"proceedings\.mlr\.press/(v\d+)/([\w-]+?)(?:/[\w-]+)?(?:\.html|\.pdf)?$")
_CVF = re.compile(
    r"openaccess\.thecvf\.com/content[\w/-]*/(?:html|papers)/(?:[\w-]+/)?([\w-]+?)_paper\.(?:html|pdf)"
)
_ACL = re.compile(r"aclanthology\.org/([\w.-]+?)(?:\.pdf)?$")
_PAPER_HOSTS = ("neurips.cc", "nips.cc", "mlr.press", "thecvf.com", "aclanthology.org",
                "ecva.net", "ijcai.org", "aaai.org", "jmlr.org", "dl.acm.org",
                "ieeexplore.ieee.org", "link.springer.com", "nature.com", "science.org")  # fmt: skip


@lru_cache(maxsize=65536)  # pure; an import asks it of a link as a row's, then as its paper's
def proceedings_id(url: str) -> str | None:
    """One id for a proceedings page, whichever of its abstract or pdf URLs is given."""
    low = url.lower()
    if "arxiv.org" in low or "github.com" in low or "openreview.net" in low:
        return None  # identifiers of their own, compared as such
    canon = ids.canonical_url(url)
    for pattern, name in ((_NEURIPS, "neurips"), (_CVF, "cvf"), (_ACL, "acl")):
        m = pattern.search(canon)
        if m:
            return f"{name}:{m.group(1).lower()}"
    m = _PMLR.search(canon)
    if m:
        return f"pmlr:{m.group(1)}/{m.group(2).lower()}"
    host = canon.split("/")[2] if canon.count("/") >= 3 else ""
    if any(host == h or host.endswith("." + h) for h in _PAPER_HOSTS):
        return "url:" + re.sub(r"\.pdf$", "", canon.lower())
    return None


def entry_proceedings_ids(entry: Entry) -> tuple[str, ...]:
    found = []
    for name in ("url", "pdf"):
        for url in (entry.get(name) or "").split():
            pid = proceedings_id(url)
            if pid:
                found.append(pid)
    return tuple(dict.fromkeys(found))


def entry_repos(entry: Entry) -> tuple[str, ...]:
    found = []
    for url in (entry.get("code") or "").split():
        repo = ids.github_repo(url)
        if repo:
            found.append(repo.lower())
    return tuple(dict.fromkeys(found))
