"""The importer's shortcuts through markdown-it (`importers.markdown`) change no token.

A table row without a backslash is split by `str.split`, and an inline span holding no
character that starts an inline rule becomes one text token without the inline parser.
Both must give exactly the tokens markdown-it gives, on generated markdown made of the
characters that matter and on every real list of `../shared/realworld/awesome-lists/`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from tests.importers.conftest import ROOT

from genbib.importers import markdown
from genbib.importers.text import repair


def _reference() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
    md.normalizeLink = markdown._md.normalizeLink  # type: ignore[method-assign]
    return md


_REFERENCE = _reference()


def _flat(tokens: list[Any]) -> Iterator[tuple[object, ...]]:
    for t in tokens:
        yield (t.type, t.tag, t.nesting, t.attrs, t.map, t.level, t.content, t.markup,
               t.info, t.meta, t.block, t.hidden)  # fmt: skip
        if t.children is not None:
            yield ("children", tuple(_flat(t.children)))


def _same_tokens(text: str) -> None:
    fast = list(_flat(markdown._md.parse(text)))
    rule = markdown._table_rule
    rule.escapedSplit, shortcut = markdown._escaped_split, rule.escapedSplit
    try:
        slow = list(_flat(_REFERENCE.parse(text)))
    finally:
        rule.escapedSplit = shortcut
    assert fast == slow


_PIECES = ["a", "Title", " ", "  ", "|", "\\", "\\|", "-", ":", "*", "**", "_", "`", "~~", "[",
           "]", "(", ")", "!", "<", ">", "<br>", "&amp;", "&", "#", "\n", "\n\n", "\t", "é",
           "https://arxiv.org/abs/2006.11239", "| --- | --- |\n", "- ", "1. "]  # fmt: skip


@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_the_shortcuts_give_markdown_its_tokens(pieces: list[str]) -> None:
    _same_tokens("".join(pieces))


@given(st.lists(st.lists(st.sampled_from(_PIECES[:26]), max_size=6), min_size=2, max_size=5))
def test_table_rows_split_as_markdown_it_splits_them(cells: list[list[str]]) -> None:
    row = "| " + " | ".join("".join(c) for c in cells) + " |"
    head = "| " + " | ".join("h" for _ in cells) + " |\n|" + "---|" * len(cells)
    _same_tokens(f"{head}\n{row}\n{row}\n")


def _lists() -> list[Path]:
    for base in (ROOT.parent / "shared", ROOT.parent.parent / "shared"):
        found = base / "realworld" / "awesome-lists"
        if found.is_dir():
            return sorted(found.glob("*.md"))
    return []


@pytest.mark.skipif(not _lists(), reason="../shared/realworld not present")
def test_real_lists_parse_to_the_same_tokens() -> None:
    for path in [*_lists(), *sorted((ROOT / "sources").iterdir())]:
        _same_tokens(repair(path.read_text("utf-8"), str(path)).text)
