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


def _needs_protection(word: str, sentence_start: bool) -> bool:
    for part in _PART.findall(word):
        if any(c.isupper() for c in part[1:]):  # GAN, DDPM, ImageNet, iPhone
            return True
        if any(c.isupper() for c in part) and any(c.isdigit() for c in part):  # 3D
            return True
    return not sentence_start and word.strip("-") in proper_names()


def scan_title(text: str) -> TitleScan:
    """Read a title as BibTeX styles do: what is outside braces may be lower-cased.

    Words containing a LaTeX command (accents such as `Schr\\"odinger`) are skipped
    rather than guessed at; math (`$...$`) is neither a word nor checked for specials.
    """
    unescaped: list[str] = []
    unprotected: list[str] = []
    depth = 0
    math = False
    word: list[str] = []
    tainted = False
    sentence_start = True

    def flush() -> None:
        nonlocal word, tainted, sentence_start
        token = "".join(word).strip(",;:.!?()[]'\"`")
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
