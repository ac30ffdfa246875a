"""The importer's shortcuts through markdown-it (`importers.markdown`) change no token.

A table row without a backslash is split by `str.split`, and an inline span holding no
character that starts an inline rule becomes one text token without the inline parser.
Both must give exactly the tokens markdown-it gives, on generated markdown made of the
characters that matter and on every real list of `../shared/realworld/awesome-lists/`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from tests.importers.conftest import ROOT

from genbib.importers import inline, markdown
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
           "https://arxiv.org/abs/2006.11239", "| --- | --- |\n", "- ", "1. ",
           "[Title](https://arxiv.org/abs/2006.11239)", "](", "[code](", "javascript:x", "%2",
           "http://a.b/c d", "\x7f", "\u00a0", "[x]: https://ref.org\n\n"]  # fmt: skip


@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_the_shortcuts_give_markdown_its_tokens(pieces: list[str]) -> None:
    _same_tokens("".join(pieces))


@given(st.lists(st.lists(st.sampled_from(_PIECES[:26]), max_size=6), min_size=2, max_size=5))
def test_table_rows_split_as_markdown_it_splits_them(cells: list[list[str]]) -> None:
    row = "| " + " | ".join("".join(c) for c in cells) + " |"
    head = "| " + " | ".join("h" for _ in cells) + " |\n|" + "---|" * len(cells)
    _same_tokens(f"{head}\n{row}\n{row}\n")


_SPANS = [
    "[a](javascript:x)", "[a](JavaScript:x)", "[a](vbscript:x)", "[a](data:text/html,x)",
    "[a](file:///etc/passwd)", "x [a](https://a.b) y", "[](https://a.b)", "[a](https://a.b)[b](c)",
    "[a](%)", "[a](https://é.com/ü)", "[a](https://a.b/%zz)", "[a](<https://a.b>)",
    '[a](https://a.b "t")', "see [x] [a](u)", "[a]( https://a.b )", "[a](https://a.b)!",
    "2021-01-01", "(M12) NeurIPS 2021", "[Title](https://arxiv.org/pdf/2102.00001.pdf) (1 Jan 2021)",
    "<div>[![arXiv](https://img.shields.io/b.svg)](https://arxiv.org/abs/2102.00121)</div>",
    "[![](b.svg)](https://a.b)", "[![a](javascript:x)](https://a.b)", "[![a](b.svg)](data:x)",
    "[![a](data:image/png;base64,AAA)](https://a.b)", "[![a b](b.svg \"t\")](https://a.b)",
    "ICLR<br>2021", "a<br/>b", "a<br />b", "<div>x</div>", "a<b", "<a>x</a>", "<A1-b>x",
    "<a href='x'>y</a>", "<!-- c -->", "<https://a.b>", "<a@b.c>", "x <", "[![a](b)](c)!",
    "**a b**", "x **a b**, y", "<sub>P **M1**, w.</sub>", "**T 1** | M1", "(**a**)", "a**b**",
    "**a**b", "** a**", "**a **", "**a**.", "**a**!", "***a***", "**a** **b**", "<b>**x**</b>",
    "**[a](u)**", "[**a**](u)", "**a_b**", "x**(a)**", "**é**", "**a**é", "**1**:", "**a**\tb",
]  # fmt: skip


@pytest.mark.parametrize("span", _SPANS)
def test_simple_and_near_simple_spans(span: str) -> None:
    _same_tokens(span)
    _same_tokens(f"- {span}\n- b\n\n| h | i |\n| - | - |\n| {span} | x |\n")


_TEXT = st.text("ab (),.:-#%/é ", max_size=8)
_LINK = st.builds(
    "[{}]({})".format,
    st.text("ab ()é:-", max_size=6),
    st.sampled_from(["https://a.b/c", "u", "javascript:x", "data:x", "https://a.b/%7", "é", "a b"]),
)


_BADGE = st.builds(
    "[![{}]({})]({})".format,
    st.text("ab é", max_size=4),
    st.sampled_from(["b.svg", "https://img.shields.io/b", "data:image/png;base64,A", "a b"]),
    st.sampled_from(["https://a.b/c", "u", "javascript:x"]),
)
_BOLD = st.builds("**{}**".format, st.text("ab 1é(),.:|-", max_size=5))
_TAG = st.sampled_from(["<br>", "<div>", "</div>", "<sub>", "</sub>", "<br/>", "<b", "<1>"])


@given(st.lists(st.one_of(_TEXT, _LINK, _BADGE, _TAG, _BOLD), max_size=6))
def test_spans_of_text_and_links(parts: list[str]) -> None:
    _same_tokens("".join(parts))


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


@pytest.mark.skipif(not _lists(), reason="../shared/realworld not present")
def test_flatten_shortcut_reads_spans_as_the_general_walk() -> None:
    """A span of text and plain links is read without the general walk: the same Inline."""
    for path in [*_lists(), *sorted((ROOT / "sources").iterdir())]:
        for token in markdown._md.parse(repair(path.read_text("utf-8"), str(path)).text):
            if token.type == "inline":
                assert inline.flatten(token.children) == inline._flatten(token.children)


@given(st.lists(st.sampled_from(_PIECES), max_size=12))
def test_flatten_shortcut_on_generated_spans(pieces: list[str]) -> None:
    for token in markdown._md.parse("".join(pieces)):
        if token.type == "inline":
            assert inline.flatten(token.children) == inline._flatten(token.children)


def test_row_split_is_markdown_its_on_every_short_row() -> None:
    """Every row of up to six characters of text, pipes, backslashes and spaces."""
    for n in range(7):
        for chars in itertools.product("a| \\", repeat=n):
            row = "".join(chars)
            assert markdown._split_row(row) == markdown._escaped_split(row), row
