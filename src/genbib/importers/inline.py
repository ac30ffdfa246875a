"""Flatten a markdown-it inline token stream into text, lines, links and bold spans.

Table cells and list items carry their meaning in inline structure: the link targets
(including badge images inside links), the bold title, the line breaks (`<br>`, hard
breaks) that separate title, authors and links. Raw inline HTML is reduced to those
meanings (`<br>` is a line break, `<a href>` a link, other tags vanish).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from genbib.importers.rows import RawLink
from genbib.importers.text import clean

_BR = re.compile(r"^<br\s*/?>$", re.IGNORECASE)
_A_OPEN = re.compile(r"""^<a\s[^>]*?href\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)
_A_CLOSE = re.compile(r"^</a\s*>$", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
# A bare URL in text ("- Paper: https://arxiv.org/abs/2312.00109", "Title. Authors. https://...")
# is a link as much as a bracketed one; the word before a colon is its label.
_BARE_URL = re.compile(
    r"(?:\b([A-Za-z][\w -]{0,20}?)\s*[:：]\s*)?(https?://[^\s<>\[\]()\"']+[^\s<>\[\]()\"'.,;:])"
)


@dataclass(slots=True)
class Inline:
    lines: list[str] = field(default_factory=lambda: [""])  # text split at hard breaks
    links: list[RawLink] = field(default_factory=list)
    strong: list[str] = field(default_factory=list)
    outside: str = ""  # text not inside any link ("\n" where a line breaks)
    starts_strong: bool = False
    em: list[str] = field(default_factory=list)  # italic spans ("*Liang Chen et al.*")
    badges: list[str] = field(default_factory=list)  # shields.io badge texts ("Conference ICML'23")

    @property
    def text(self) -> str:
        return clean(" ".join(self.lines))

    @property
    def clean_lines(self) -> list[str]:
        return [c for c in (clean(line) for line in self.lines) if c]


def flatten(children: list[Any] | None) -> Inline:
    return _text_and_links(children or []) or _flatten(children)


def _text_and_links(children: list[Any]) -> Inline | None:
    """`_flatten` of the commonest spans, text and plain links ("[Title](url) (2021)"),
    most cells of a list; None for any other span (no bare URL in the text either)."""
    line = outside = ""
    links: list[RawLink] = []
    href: str | None = None
    label: list[str] = []
    for tok in children:
        kind = tok.type
        if kind == "text":
            line += tok.content
            if href is not None:
                label.append(tok.content)
            elif "://" in tok.content:
                return None
            else:
                outside += tok.content
        elif kind == "link_open" and href is None:
            href, label = str(tok.attrs.get("href", "")), []
        elif kind == "link_close" and href is not None:
            links.append(RawLink(clean("".join(label)), href.strip()))
            href = None
        else:
            return None
    return Inline(lines=[line], links=links, outside=outside) if href is None else None


def _flatten(children: list[Any] | None) -> Inline:
    out = Inline()
    link_stack: list[tuple[str, list[str]]] = []
    strong_depth = 0
    em_depth = em_start = em_line = 0
    strong_buf: list[str] = []
    seen_text = False

    def put(text: str) -> None:
        nonlocal seen_text
        if not text:
            return
        out.lines[-1] += text
        if link_stack:
            link_stack[-1][1].append(text)
        else:
            out.outside += text
        if strong_depth:
            strong_buf.append(text)
        if text.strip():
            seen_text = True

    def newline() -> None:
        out.lines.append("")
        out.outside += "\n"

    def open_link(href: str) -> None:
        link_stack.append((href, []))

    def close_link() -> None:
        if link_stack:
            href, parts = link_stack.pop()
            out.links.append(RawLink(clean("".join(parts)), href.strip()))

    def put_text(content: str) -> None:
        if link_stack or "://" not in content:
            put(content)
            return
        last = 0
        for m in _BARE_URL.finditer(content):
            put(content[last : m.start()])
            out.links.append(RawLink(m.group(1) or "", m.group(2)))
            out.lines[-1] += m.group(0)  # the text keeps it (a row that is only a URL)
            last = m.end()
        put(content[last:])

    for tok in children or []:
        kind = tok.type
        if kind == "text":
            put_text(tok.content)
        elif kind == "code_inline":
            put(tok.content)
        elif kind == "softbreak":
            put(" ")
        elif kind == "hardbreak":
            newline()
        elif kind == "strong_open":
            if not seen_text and not link_stack:
                out.starts_strong = True
            strong_depth += 1
        elif kind == "strong_close":
            strong_depth = max(0, strong_depth - 1)
            if strong_depth == 0:
                text = clean("".join(strong_buf))
                if text:
                    out.strong.append(text)
                strong_buf.clear()
        elif kind == "link_open":
            open_link(str(tok.attrs.get("href", "")))
        elif kind == "link_close":
            close_link()
        elif kind == "image":
            put(tok.content or str(tok.attrs.get("alt", "")))
            badge = shield_text(str(tok.attrs.get("src", "")))
            if badge:
                out.badges.append(badge)
        elif kind == "html_inline":
            tag = tok.content.strip()
            if _BR.match(tag):
                newline()
            elif m := _A_OPEN.match(tag):
                open_link(m.group(1))
            elif _A_CLOSE.match(tag):
                close_link()
            # other tags (<sub>, <div>, <img>) carry no meaning here
        elif kind == "em_open":
            em_depth += 1
            em_start = len(out.lines[-1]) if em_depth == 1 else em_start
            em_line = len(out.lines)
        elif kind == "em_close":
            em_depth = max(0, em_depth - 1)
            if em_depth == 0 and em_line == len(out.lines):
                text = clean(out.lines[-1][em_start:])
                if text:
                    out.em.append(text)
        elif kind == "s_open" or kind == "s_close":
            continue
        else:
            put(_TAG.sub("", tok.content or ""))
    while link_stack:
        close_link()
    return out


_SHIELD = re.compile(r"img\.shields\.io/badge/([^?#]+?)(?:\.svg)?(?:[?#]|$)", re.IGNORECASE)


def shield_text(src: str) -> str:
    """The words of a static shields.io badge: `badge/Conference-ICML'23-blue` ->
    "Conference ICML'23", `badge/arXiv-2023-b31b1b.svg` -> "arXiv 2023" (the last part is
    the colour; `--` is a dash and `_` a space in shields' syntax)."""
    m = _SHIELD.search(src)
    if not m:
        return ""
    from urllib.parse import unquote

    parts = m.group(1).replace("--", "\0").split("-")
    if len(parts) < 2:
        return ""
    words = [
        unquote(p).replace("\0", "-").replace("__", "\0").replace("_", " ").replace("\0", "_")
        for p in parts[:-1]
    ]
    text = clean(" ".join(words))
    ident = _BADGE_ID.match(text)
    if ident:  # "arXiv 2503.04641": the id says when it was first submitted
        return f"arXiv 20{ident.group(1)}"
    return text if any(c.isdigit() for c in text) else ""


_BADGE_ID = re.compile(r"^arxiv (\d{2})\d{2}\.\d{4,5}$", re.IGNORECASE)
