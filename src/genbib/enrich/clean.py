"""Neutralise text that arrives from metadata APIs before it reaches a .bib file.

API answers are untrusted: a title may carry markup (Crossref's JATS tags), control and
bidi characters, or LaTeX that would execute when the bibliography is compiled
(`\\write18`, `\\input`, `\\catcode`, `^^` escapes). Plain words and harmless math stay;
a bare `%`, `&` or `#` is escaped so the text typesets as written.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from genbib.model.identifiers import is_http_url

_TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")
_DANGEROUS = re.compile(
    r"\\(write\d*|immediate|input|include|includeonly|openout|openin|read|catcode|csname|"
    r"endcsname|def|gdef|edef|xdef|let|futurelet|newcommand|renewcommand|providecommand|"
    r"usepackage|makeatletter|makeatother|special|directlua|ShellEscape|loop|repeat|"
    r"expandafter|noexpand|lowercase|uppercase|jobname|outer|global|afterassignment)"
    r"(?![A-Za-z])"
)
_SPACES = re.compile(r"\s+")
# TeX specials an API writes as plain text (`50%`, `Q&A`); already escaped ones are kept.
_TEX_SPECIAL = re.compile(r"(?<!\\)([%&#])")


# Control and format characters (Unicode categories Cc and Cf: bidi overrides, zero-width
# marks, tag characters) are dropped; tabs and line breaks become spaces first.
_INVISIBLE = re.compile(
    "[\U00000000-\U0000001f\U0000007f-\U0000009f\U000000ad\U00000600-\U00000605\U0000061c\U000006dd\U0000070f\U00000890-\U00000891\U000008e2\U0000180e\U0000200b-\U0000200f\U0000202a-\U0000202e\U00002060-\U00002064\U00002066-\U0000206f\U0000feff\U0000fff9-\U0000fffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
_BREAKS = str.maketrans("\t\n\r", "   ")


@lru_cache(maxsize=65536)
def clean_text(text: str | None) -> str:
    """One line of safe text: tags and entities resolved, dangerous LaTeX defused."""
    if not text:
        return ""
    if "<" in text:
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    text = _INVISIBLE.sub("", text.translate(_BREAKS))
    if "\\" in text:
        text = _DANGEROUS.sub(lambda m: m.group(1), text)  # `\input` -> `input`: inert
    text = text.replace("^^", "^ ^")
    if "%" in text or "&" in text or "#" in text:
        text = _TEX_SPECIAL.sub(r"\\\1", text)  # `50%` -> `50\%`: a bare % ends a .bbl line
    return _SPACES.sub(" ", text).strip()


def clean_url(url: str | None) -> str:
    """The URL if it is a plain http(s) link, else "" (no javascript:, data:, file:)."""
    if not url:
        return ""
    url = url.strip()
    if not is_http_url(url) or _UNSAFE_URL.search(url) or _INVISIBLE.search(url):
        return ""
    return url


_UNSAFE_URL = re.compile(r'[\s{}\\"<>]')
