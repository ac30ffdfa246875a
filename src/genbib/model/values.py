"""Raw BibTeX field values: what a value expression is made of, and its plain text.

The entry model stores each field's value expression exactly as BibTeX reads it
(`{Ho, Jonathan}`, `"x"`, `jan`, `2020`, `nips # { 2020}`), so nothing about macros or
concatenation is lost; these helpers turn such an expression into text and back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

PartKind = Literal["brace", "quote", "macro", "number"]

MONTHS = {
    "jan": "January", "feb": "February", "mar": "March", "apr": "April",
    "may": "May", "jun": "June", "jul": "July", "aug": "August",
    "sep": "September", "oct": "October", "nov": "November", "dec": "December",
}  # fmt: skip

_BARE = re.compile(r"[^\s{}\"#,=()%]+")
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class Part:
    kind: PartKind
    text: str  # inner text for brace/quote parts, the name or digits otherwise


class ValueError_(ValueError):
    """A value expression that is not valid BibTeX (the reader never produces one)."""


def split_parts(raw: str) -> list[Part]:
    """The `#`-separated parts of a value expression."""
    parts: list[Part] = []
    i, n = 0, len(raw)
    while True:
        while i < n and raw[i].isspace():
            i += 1
        if i >= n:
            raise ValueError_(f"empty value part in {raw!r}")
        c = raw[i]
        if c == "{":
            end = match_brace(raw, i)
            if end < 0:
                raise ValueError_(f"unbalanced braces in {raw!r}")
            parts.append(Part("brace", raw[i + 1 : end]))
            i = end + 1
        elif c == '"':
            end = match_quote(raw, i)
            if end < 0:
                raise ValueError_(f"unterminated quote in {raw!r}")
            parts.append(Part("quote", raw[i + 1 : end]))
            i = end + 1
        else:
            m = _BARE.match(raw, i)
            if not m:
                raise ValueError_(f"unexpected {c!r} in {raw!r}")
            word = m.group()
            parts.append(Part("number" if _NUMBER.fullmatch(word) else "macro", word))
            i = m.end()
        while i < n and raw[i].isspace():
            i += 1
        if i >= n:
            return parts
        if raw[i] != "#":
            raise ValueError_(f"expected '#' at {raw[i:]!r}")
        i += 1


_BRACES = re.compile(r"[{}]")


# A braced group nested at most three deep, matched in one C-level call (possessive, so
# it never backtracks): nearly every real value is one, and the reader and the writer ask
# for each field, so the Python loop below only runs for deeper nesting or unbalanced text.
_NESTED3 = re.compile(r"\{(?:[^{}]++|\{(?:[^{}]++|\{[^{}]*+\})*+\})*+\}")


def match_brace(text: str, start: int, limit: int | None = None) -> int:
    """Index of the `}` closing the `{` at `start`, or -1."""
    m = _NESTED3.match(text, start, len(text) if limit is None else limit)
    if m is not None:
        return m.end() - 1
    depth = 0
    for m in _BRACES.finditer(text, start, len(text) if limit is None else limit):
        if m.group() == "{":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return m.start()
    return -1


_QUOTE_OR_BRACE = re.compile(r'[{}"]')


def match_quote(text: str, start: int, limit: int | None = None) -> int:
    """Index of the `"` closing the quoted string at `start` (braces nest inside), or -1."""
    depth = 0
    for m in _QUOTE_OR_BRACE.finditer(text, start + 1, len(text) if limit is None else limit):
        c = m.group()
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return -1
        elif depth == 0:
            return m.start()
    return -1


def plain(raw: str, macros: dict[str, str] | None = None) -> str:
    """The text of a value: delimiters removed, parts joined, macros expanded when known.

    Unknown macros stay as their names so that no text is invented. Month macros expand
    to month names only when `macros` is given (a full library read).
    """
    if macros is None:
        return _plain_cached(raw)  # a pure function of the value: typed views ask often
    return _plain(raw, macros)


@lru_cache(maxsize=131072)
def _plain_cached(raw: str) -> str:
    return _plain(raw, None)


def _plain(raw: str, macros: dict[str, str] | None) -> str:
    if (
        raw.startswith("{")
        and raw.endswith("}")
        # one group: no inner braces (the commonest value, no regex), or it closes last
        and (raw.count("{") == 1 == raw.count("}") or match_brace(raw, 0) == len(raw) - 1)
    ):
        return raw[1:-1]  # the common case, without splitting
    try:
        parts = split_parts(raw)
    except ValueError_:
        return raw
    out = []
    for part in parts:
        if part.kind == "macro" and macros is not None:
            key = part.text.lower()
            out.append(macros.get(key, MONTHS.get(key, part.text)))
        else:
            out.append(part.text)
    return "".join(out)


def balanced(text: str) -> bool:
    opens = text.count("{")
    if opens != text.count("}"):
        return False  # the depth cannot end at zero
    if not opens:
        return True  # no braces at all: the common case, without a scan
    # The braces alone, with innermost `{}` pairs removed until none is left: balanced
    # exactly when nothing remains (a `}` before its `{` never pairs up).
    braces = "".join(_BRACES.findall(text))
    while "{}" in braces:
        braces = braces.replace("{}", "")
    return not braces


def braced(text: str) -> str:
    """A value expression for `text`: `{text}`, with stray braces made harmless.

    Text from outside (markdown lists, Zotero, APIs) may carry unbalanced braces, which
    would swallow the rest of the file; unmatched ones are dropped (and balanced ones kept)
    so the written file always parses. A line break before an `@` becomes a space (the
    same thing to BibTeX), so no line of a value looks like the start of a new block.
    """
    if ("{" in text or "}" in text) and not balanced(text):
        text = drop_unmatched(text)
    if "@" in text and "\n" in text:
        text = _LINE_AT.sub(r" \1", text)
    return "{" + text + "}"


_LINE_AT = re.compile(r"\n([ \t]*@)")


def drop_unmatched(text: str) -> str:
    """`text` without the braces that match nothing (balanced pairs kept)."""
    keep = [True] * len(text)
    stack: list[int] = []
    for i, c in enumerate(text):
        if c == "{":
            stack.append(i)
        elif c == "}":
            if stack:
                stack.pop()
            else:
                keep[i] = False
    for i in stack:
        keep[i] = False
    return "".join(c for c, k in zip(text, keep, strict=True) if k)


def canonical_raw(raw: str) -> str:
    """The canonical spelling of a value expression: braces, not quotes; ` # ` between parts.

    Macros and numbers inside concatenations stay bare (a macro is a reference to an
    `@string`); a lone number becomes braced so every plain value looks the same.
    """
    if raw.startswith("{") and raw.endswith("}") and match_brace(raw, 0) == len(raw) - 1:
        return raw
    try:
        parts = split_parts(raw)
    except ValueError_:
        return raw
    if len(parts) == 1 and parts[0].kind == "number":
        return "{" + parts[0].text + "}"
    out = []
    for part in parts:
        if part.kind in ("brace", "quote"):
            out.append("{" + part.text + "}")
        else:
            out.append(part.text)
    return " # ".join(out)
