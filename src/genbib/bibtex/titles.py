"""How BibTeX styles will treat a title: what they may lower-case, what LaTeX misreads.

Styles lower-case every title letter outside braces (except the first and the one after
a colon), so `GAN` becomes `gan` unless written `{GAN}`; and `& % # _` outside math stop
or corrupt LaTeX. `genbib check` (E020, E021) and anything else that writes titles for
LaTeX share this one reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class TitleScan:
    unescaped: list[str]  # & % # _ outside math, not preceded by a backslash
    unprotected: list[str]  # words at brace depth 0 that a style would lower-case wrongly


@cache
def proper_names() -> frozenset[str]:
    """Single-capital names (Transformer, Gaussian) from the packaged list."""
    text = resources.files("genbib").joinpath("data", "title_names.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


_PART = re.compile(r"[^\W_]+")
_SENTENCE_END = frozenset(":.?!")
_WORD_EDGE = ",;:.!?()[]'\"`"  # punctuation around a word, not part of it


def _needs_protection(word: str, sentence_start: bool) -> bool:
    if any(map(str.isupper, word)):  # (most words have no capital: nothing to look at)
        for part in _PART.findall(word):
            if any(map(str.isupper, part[1:])):  # GAN, DDPM, ImageNet, iPhone
                return True
            if any(map(str.isupper, part)) and any(map(str.isdigit, part)):  # 3D
                return True
    return not sentence_start and word.strip("-") in proper_names()


_MARKUP = re.compile(r"[\\$&%#_]")
_BRACE = re.compile(r"[{}]")


def scan_title(text: str) -> TitleScan:
    """Read a title as BibTeX styles do: what is outside braces may be lower-cased.

    Words containing a LaTeX command (accents such as `Schr\\"odinger`) are skipped
    rather than guessed at; math (`$...$`) is neither a word nor checked for specials.
    """
    if not _MARKUP.search(text):  # no command, math or special: only braces matter
        if "{" not in text and "}" not in text:
            return TitleScan([], _unprotected_words(text.split()))
        if text[:1] == "{" and _closes_at_end(text):
            return TitleScan([], [])  # all of it protected (`{Denoising Diffusion ...}`)
    return _scan(text)


def _closes_at_end(text: str) -> bool:
    """Whether the brace opening `text` closes at its last character, and only there."""
    depth = 0
    for m in _BRACE.finditer(text):
        depth += 1 if m.group() == "{" else -1
        if depth == 0:
            return m.end() == len(text)
    return False


def _unprotected_words(words: list[str]) -> list[str]:
    """`_scan`'s reading of plain words at brace depth 0 (its `flush`, word by word)."""
    out: list[str] = []
    sentence_start = True
    for word in words:
        token = word.strip(_WORD_EDGE)
        if token and _needs_protection(token, sentence_start):
            out.append(token)
        sentence_start = word[-1] in _SENTENCE_END
    return out


def _scan(text: str) -> TitleScan:
    """The whole reading, character by character (`scan_title` for titles with markup)."""
    unescaped: list[str] = []
    unprotected: list[str] = []
    depth = 0
    math = False
    word: list[str] = []
    tainted = False
    sentence_start = True

    def flush() -> None:
        nonlocal word, tainted, sentence_start
        token = "".join(word).strip(_WORD_EDGE)
        if token and not tainted and _needs_protection(token, sentence_start):
            unprotected.append(token)
        if word:
            sentence_start = word[-1] in _SENTENCE_END
        word, tainted = [], False

    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            j = i + 1
            while j < n and text[j].isalpha():
                j += 1
            i = max(j, i + 2)
            tainted = True
            continue
        if c == "$":
            flush()
            math = not math
        elif math:
            pass
        elif c in "&%#_":
            unescaped.append(c)
            if depth == 0:
                word.append(c)
        elif c == "{":
            flush()
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
            tainted = tainted or depth > 0
        elif c.isspace():
            flush()
        elif depth == 0:
            word.append(c)
        i += 1
    flush()
    return TitleScan(unescaped, unprotected)
