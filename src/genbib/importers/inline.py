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
    outside: str = ""  # text not inside any link
    starts_strong: bool = False

    @property
    def text(self) -> str:
        return clean(" ".join(self.lines))

    @property
    def clean_lines(self) -> list[str]:
        return [c for c in (clean(line) for line in self.lines) if c]


def flatten(children: list[Any] | None) -> Inline:
    out = Inline()
    link_stack: list[tuple[str, list[str]]] = []
    strong_depth = 0
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
        out.outside += " "

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
        elif kind == "html_inline":
            tag = tok.content.strip()
            if _BR.match(tag):
                newline()
            elif m := _A_OPEN.match(tag):
                open_link(m.group(1))
            elif _A_CLOSE.match(tag):
                close_link()
            # other tags (<sub>, <div>, <img>) carry no meaning here
        elif kind == "s_open" or kind == "s_close" or kind.startswith("em_"):
            continue
        else:
            put(_TAG.sub("", tok.content or ""))
    while link_stack:
        close_link()
    return out
