"""The canonical writer: one style, documented field and entry order, idempotent, lossless."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genbib.bibtex.compare import content, lost
from genbib.bibtex.reader import parse, read_file
from genbib.bibtex.writer import FIELD_ORDER, dumps, field_sort_key
from genbib.model import Entry, Library, Malformed


def test_canonical_style() -> None:
    lib = parse(
        '@ARTICLE(Key1, Year = 2020, TITLE = "A {B} c", Author="X, Y", month=dec,'
        " note = a # {b}, Z-Extra = {z}, Abstract={aa})"
    )
    assert dumps(lib) == (
        "@article{Key1,\n"
        "  author = {X, Y},\n"
        "  title = {A {B} c},\n"
        "  month = dec,\n"
        "  year = {2020},\n"
        "  note = a # {b},\n"
        "  abstract = {aa},\n"
        "  z-extra = {z},\n"
        "}\n"
    )


def test_field_order_known_then_alphabetical() -> None:
    names = ["zeta", "url", "alpha", "topics", "title", "author", "doi", "year"]
    ordered = sorted(names, key=field_sort_key)
    assert ordered == ["author", "title", "year", "doi", "url", "topics", "alpha", "zeta"]
    assert FIELD_ORDER.index("author") == 0
    assert FIELD_ORDER[-1] == "ids"


def test_entry_order_by_key_case_insensitive_and_input_order() -> None:
    text = "@misc{b, title={B}}\n@misc{A, title={A}}\n@misc{c, title={C}}\n@misc{a2, title={2}}\n"
    lib = parse(text)
    keys = [line for line in dumps(lib).splitlines() if line.startswith("@")]
    assert keys == ["@misc{A,", "@misc{a2,", "@misc{b,", "@misc{c,"]
    keys = [line for line in dumps(lib, "input").splitlines() if line.startswith("@")]
    assert keys == ["@misc{b,", "@misc{A,", "@misc{c,", "@misc{a2,"]


def test_strings_preamble_hoisted_and_comments_travel_with_their_entry() -> None:
    text = (
        "% header\n@misc{z, title={Z}}\n@comment{about y}\n@misc{y, title=v}\n"
        "@string{v = {Vee}}\n@preamble{{\\x}}\ntrailing text\n"
    )
    out = dumps(parse(text))
    assert out == (
        "% header\n\n@string{v = {Vee}}\n\n@preamble{{\\x}}\n\n@comment{about y}\n\n"
        "@misc{y,\n  title = v,\n}\n\n@misc{z,\n  title = {Z},\n}\n\ntrailing text\n"
    )


def test_malformed_blocks_are_written_verbatim_once_and_never_wrapped(corners: Path) -> None:
    lib = read_file(corners / "malformed.bib")
    once = dumps(lib)
    twice = dumps(parse(once))
    thrice = dumps(parse(twice))
    assert once == twice == thrice
    for block in lib.blocks:
        if isinstance(block, Malformed):
            assert once.count(block.raw) == 1
    assert "@comment" not in once
    assert len(parse(once).problems) == len(lib.problems)


@pytest.mark.parametrize(
    "name", ["syntax.bib", "malformed.bib", "crlf.bib", "bom.bib", "latin1.bib"]
)
def test_fmt_loses_nothing_and_is_idempotent(corners: Path, name: str) -> None:
    lib = read_file(corners / name)
    out = dumps(lib)
    again = parse(out)
    assert lost(lib, again) == [] and lost(again, lib) == []
    assert content(again) == content(lib)
    assert dumps(again) == out
    assert out.endswith("\n") and not out.endswith("\n\n")
    assert "\r" not in out


def test_deterministic_bytes(corners: Path) -> None:
    a = dumps(read_file(corners / "syntax.bib"))
    b = dumps(read_file(corners / "syntax.bib"))
    assert a == b


def test_set_values_write_and_read_back() -> None:
    lib = Library()
    e = Entry("article", "k")
    e.set("title", "Unbalanced } and { braces")
    e.set("note", 'Quotes " and # hash and % percent')
    lib.add(e)
    again = parse(dumps(lib))
    assert again.problems == []
    assert again.entries[0].get("note") == 'Quotes " and # hash and % percent'
    assert again.entries[0].get("title") == "Unbalanced  and  braces"


def test_empty_library_writes_nothing() -> None:
    assert dumps(Library()) == ""
    assert dumps(parse("\n\n   \n")) == ""


@given(
    st.one_of(
        st.text(alphabet='ab1 {}"#\u00e9\u00b2', max_size=8),
        st.text(alphabet='ab1 {}"#\u00e9\u00b2', max_size=8).map(lambda t: '"' + t + '"'),
        st.text(alphabet='ab1 {}"#\u00e9\u00b2', max_size=8).map(lambda t: "{" + t + "}"),
    )
)
def test_writer_shortcuts_agree_with_canonical_raw(raw: str) -> None:
    from genbib.bibtex.writer import _canonical
    from genbib.model.values import canonical_raw

    assert _canonical(raw) == canonical_raw(raw)
