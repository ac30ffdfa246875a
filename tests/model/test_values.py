"""Raw value expressions: parts, plain text, canonical spelling, safe bracing."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genbib.bibtex.reader import parse
from genbib.model.values import Part, balanced, braced, canonical_raw, plain, split_parts


def test_split_parts() -> None:
    assert split_parts('nips # { 2020} # "x" # 12') == [
        Part("macro", "nips"),
        Part("brace", " 2020"),
        Part("quote", "x"),
        Part("number", "12"),
    ]


@pytest.mark.parametrize(
    ("raw", "macros", "text"),
    [
        ("{a {b} c}", None, "a {b} c"),
        ('"a {"} b"', None, 'a {"} b'),
        ("jan # { 1}", None, "jan 1"),
        ("jan # { 1}", {}, "January 1"),
        ("nips", {"nips": "NeurIPS"}, "NeurIPS"),
        ("NIPS", {"nips": "NeurIPS"}, "NeurIPS"),
        ("unknown", {}, "unknown"),
        ("2020", None, "2020"),
    ],
)
def test_plain(raw: str, macros: dict[str, str] | None, text: str) -> None:
    assert plain(raw, macros) == text


@pytest.mark.parametrize(
    ("raw", "canon"),
    [
        ('"x"', "{x}"),
        ("2020", "{2020}"),
        ("dec", "dec"),
        ('a #"b"#  c', "a # {b} # c"),
        ("{x} # 1", "{x} # 1"),
    ],
)
def test_canonical_raw(raw: str, canon: str) -> None:
    assert canonical_raw(raw) == canon
    assert plain(canonical_raw(raw)) == plain(raw)


@given(st.text(st.sampled_from('ab {}\n\t@\\"#%,=é')))
def test_braced_always_gives_a_value_that_reads_back(text: str) -> None:
    raw = braced(text)
    assert balanced(raw)
    lib = parse(f"@misc{{k,\n  f = {raw},\n}}\n@misc{{after}}\n")
    assert lib.problems == [] and [e.key for e in lib] == ["k", "after"]
    assert lib.entries[0].fields["f"] == raw
    if balanced(text) and not re.search(r"\n[ \t]*@", text):
        assert plain(raw) == text
