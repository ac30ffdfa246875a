"""Text repair for imported lists: mojibake, entities, invisible characters, placeholders.

Lists copied through editors and web pages arrive damaged: UTF-8 read as cp1252 or Mac
Roman ("âœ¨", "üìã"), zero-width and bidi-override characters, control characters. Each
repair is reported with its line, because the user should fix the source too; the
repaired text is what gets imported.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from genbib.model.problems import Problem, Severity
from genbib.model.untrusted import (
    ENTITY,
    clean_text,
    decode_entities,
    drop_invisible,
    invisible_chars,
)

# Characters that UTF-8 bytes turn into when read as cp1252, cp1254 or Mac Roman.
_NON_ASCII_RUN = re.compile(
    "[\u00a0-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u011e\u011f\u0130"
    "\u0131\u015e\u015f\u02c6-\u02dd\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030"
    "\u2039\u203a\u2044\u20ac\u2122\u2202\u2206\u220f\u2211\u221a\u221e\u222b\u2248"
    "\u2260\u2264\u2265\u25ca\u03a9\u03c0\uf8ff\ufb01\ufb02]{2,}"
)
_MOJIBAKE_CODECS = ("sloppy-windows-1252", "sloppy-windows-1254", "mac_roman")

PLACEHOLDERS = frozenset(
    {
        "",
        "none",
        "null",
        "n/a",
        "na",
        "-",
        "--",
        "---",
        "~",
        "tbd",
        "todo",
        "coming soon",
        "...",
        "…",
    }
)


@dataclass(frozen=True, slots=True)
class Repaired:
    text: str
    problems: list[Problem]


def repair(text: str, file: str) -> Repaired:
    """Repair a whole source text line by line, reporting each kind of damage once per line."""
    problems: list[Problem] = []
    out: list[str] = []
    for number, line in enumerate(text.split("\n"), 1):
        fixed = line
        bad = invisible_chars(line, keep="\t")  # genbib.model.untrusted's definition
        if not fixed.isascii():
            repaired = fix_mojibake(fixed)
            if repaired != fixed:
                problems.append(
                    Problem(
                        "I-mojibake",
                        f"mojibake repaired: {_sample(fixed, repaired)}",
                        Severity.WARNING,
                        file,
                        number,
                    )
                )
                fixed = repaired
        bad += invisible_chars(fixed, keep="\t")  # dropped after mojibake: it may decode to one
        if bad:
            fixed = drop_invisible(fixed, lines=True)
            if any(unicodedata.category(c) != "Cc" for c in bad):
                problems.append(
                    Problem(
                        "I-invisible",
                        "zero-width or bidi control characters removed",
                        Severity.WARNING,
                        file,
                        number,
                    )
                )
            if any(unicodedata.category(c) == "Cc" for c in bad):
                problems.append(
                    Problem(
                        "I-control", "control characters removed", Severity.WARNING, file, number
                    )
                )
        if "&" in fixed and ENTITY.search(fixed):
            problems.append(
                Problem("I-entity", "HTML entities decoded", Severity.INFO, file, number)
            )
        out.append(fixed)
    return Repaired("\n".join(out), problems)


def fix_mojibake(text: str) -> str:
    """UTF-8 that was decoded as cp1252/cp1254/Mac Roman, decoded back (ftfy, then per run)."""
    fixed: str = _ftfy().fix_text(text, config=_ftfy_config())
    return _NON_ASCII_RUN.sub(_fix_run, fixed)


@cache
def _ftfy() -> Any:
    """ftfy, with the codecs it registers (which `_fix_run` uses), imported at the first
    line that is not ASCII: a list of plain ASCII never loads it (30 ms)."""
    import ftfy
    import ftfy.bad_codecs  # (registers the "sloppy-" codecs `_fix_run` encodes with)

    return ftfy


@cache
def _ftfy_config() -> Any:
    return _ftfy().TextFixerConfig(
        uncurl_quotes=False,
        fix_character_width=False,
        fix_latin_ligatures=False,
        unescape_html=False,
        normalization="NFC",
        explain=False,
    )


def _fix_run(m: re.Match[str]) -> str:
    run = m.group()
    for codec in _MOJIBAKE_CODECS:
        try:
            raw = run.encode(codec)
        except UnicodeEncodeError:
            continue
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError:
            if not _ftfy().badness.is_bad(run):
                continue
            # A byte was lost on the way (cp1252 has holes): keep what decodes.
            decoded = raw.decode("utf-8", errors="ignore")
            if not decoded or decoded.isascii():
                return ""
        if decoded != run and len(decoded) < len(run):
            return decoded
    return run


def _sample(before: str, after: str) -> str:
    for token in before.split():
        fixed = fix_mojibake(token)
        if fixed != token:
            return f"{token[:40]!r} -> {fixed[:40]!r}"
    return f"{before.strip()[:30]!r} -> {after.strip()[:30]!r}"


@lru_cache(maxsize=65536)  # pure; a cell's text is asked for several times
def clean(text: str) -> str:
    """Inline text to a single plain line: entities decoded (only closed ones, as the one
    policy reads them), whitespace collapsed, NFC."""
    text = decode_entities(text)
    text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


# List text is untrusted: the one policy (genbib.model.untrusted) makes it a safe value.
inert = clean_text


def is_placeholder(text: str) -> bool:
    return clean(text).lower().strip(" .") in PLACEHOLDERS or clean(text).lower() in PLACEHOLDERS


def fold_summary(text: str) -> str:
    return " ".join(clean(text).lower().split())


def find_filler(summaries: Iterable[tuple[str, str]], threshold: int = 3) -> set[str]:
    """Folded summaries repeated under `threshold` or more different titles: placeholders.

    `summaries` yields (folded summary, folded title). A summary genuinely shared by
    several papers does not happen in a reading list; a pasted placeholder does.
    """
    titles: dict[str, set[str]] = {}
    for summary, title in summaries:
        if summary:
            titles.setdefault(summary, set()).add(title)
    return {s for s, t in titles.items() if len(t) >= threshold}
