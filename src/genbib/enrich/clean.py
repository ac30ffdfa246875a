"""Neutralise text that arrives from metadata APIs before it reaches a .bib file.

API answers are untrusted: a title may carry markup (Crossref's JATS tags), control and
bidi characters, or LaTeX that would execute when the bibliography is compiled
(`\\write18`, `\\input`, `\\catcode`, `^^` escapes). Plain words and harmless math stay.
"""

from __future__ import annotations

import html
import re
import unicodedata

from genbib.model.identifiers import is_http_url

_TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")
_DANGEROUS = re.compile(
    r"\\(write\d*|immediate|input|include|includeonly|openout|openin|read|catcode|csname|"
    r"endcsname|def|gdef|edef|xdef|let|futurelet|newcommand|renewcommand|providecommand|"
    r"usepackage|makeatletter|makeatother|special|directlua|ShellEscape|loop|repeat|"
    r"expandafter|noexpand|lowercase|uppercase|jobname|outer|global|afterassignment)"
    r"(?![A-Za-z])"
)
_BIDI = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
         "\u200e", "\u200f", "\u061c"}
_SPACES = re.compile(r"\s+")


def clean_text(text: str | None) -> str:
    """One line of safe text: tags and entities resolved, dangerous LaTeX defused."""
    if not text:
        return ""
    text = html.unescape(_TAG.sub("", text))
    text = "".join(
        " " if c in "\t\n\r" else c
        for c in text
        if c not in _BIDI and (c in "\t\n\r" or unicodedata.category(c) not in ("Cc", "Cf"))
    )
    text = _DANGEROUS.sub(lambda m: m.group(1), text)  # `\input` -> `input`: inert
    text = text.replace("^^", "^ ^")
    return _SPACES.sub(" ", text).strip()


def clean_url(url: str | None) -> str:
    """The URL if it is a plain http(s) link, else "" (no javascript:, data:, file:)."""
    if not url:
        return ""
    url = url.strip()
    if not is_http_url(url) or any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf")
                                    for c in url):
        return ""
    if any(c in url for c in "{}\\\"<>"):
        return ""
    return url
