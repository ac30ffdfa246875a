"""The reader's fast path reads exactly what the careful parser reads, on any text.

`_fast_entry` handles the common entry in one `re.split`; whenever it answers, its
answer must equal `_entry`'s. These tests read the same text with the fast path switched
off (it then always declines) and compare every block, problem and line number.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.fuzz.strategies import bib_text

import genbib.bibtex.reader as reader


def _careful(text: str, monkeypatch: pytest.MonkeyPatch) -> object:
    with monkeypatch.context() as m:
        m.setattr(reader, "_fast_entry", lambda *a, **k: None)
        lib = reader.parse(text, "x.bib")
    return lib.blocks, lib.problems


def _fast(text: str) -> object:
    lib = reader.parse(text, "x.bib")
    return lib.blocks, lib.problems


_piece = st.sampled_from(
    [
        "@article{k,\n  title = {A {B} c},\n  year = 2020,\n}\n",
        '@misc{ k2 , author = "A {\\"o} B" , note = {x}}',
        "@misc{k3,\n  abstract = {mail me\n@ home},\n}",
        "@misc{k4,\n  abstract = {line\n  @article{x, title={y}}\n}\n}",
        "@misc{k5, title = {a} # nips}",
        "@misc{k6, title = {{{{deep}}}}}",
        "@misc{k7, title = {x}, title = {y}}",
        "@misc{k8,}",
        "@misc{k9}",
        "@misc(k10, title = {x})",
        "@misc{k11, title = {x} note = {y}}",
        "@misc{k12, title = {x}}} trailing } text\n",
        '@MISC{K13,\n  TITLE={x},\n  Note="q"\n}\n% comment\n',
        "@misc{k14, title = {unclosed\n",
        '@misc{k15, title = "a}b"}',
        "  @misc{k16, title = {indented}}\n",
        "@misc{k17, url = {http://x.org/@me}, title={t}}",
        "\n@comment{c}\n@string{s = {v}}\n",
        "@misc{k18, title = {\u00e9\u00df}, x = {\t}}",
        "text between\n",
        '@misc{k19,\n  title = {a},\n  note = "}\n',
    ]
)
_mixed = st.lists(st.one_of(_piece, bib_text), max_size=8).map("".join)


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_mixed)
def test_fast_path_reads_what_the_careful_parser_reads(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _fast(text) == _careful(text, monkeypatch)


def test_fast_path_is_taken_for_common_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    original = reader._fast_entry

    def spy(*args: object) -> object:
        got = original(*args)  # type: ignore[arg-type]
        calls.append(got)
        return got

    monkeypatch.setattr(reader, "_fast_entry", spy)
    lib = reader.parse('@article{a,\n  title = {T {X}},\n  year = 2020,\n  note = "n"\n}\n')
    assert [e.fields for e in lib] == [{"title": "{T {X}}", "year": "2020", "note": '"n"'}]
    assert calls and calls[0] is not None


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.one_of(_piece, bib_text), max_size=30), piece=st.integers(1, 64))
def test_reading_in_pieces_reads_what_reading_whole_does(
    parts: list[str], piece: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = "".join(parts).replace("\r", "").encode("utf-8", "surrogatepass")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return
    whole = reader.read_data(data, "x.bib")
    monkeypatch.setattr(reader, "PIECE", piece)
    cut = reader.read_data(data, "x.bib")
    assert (cut.blocks, cut.problems) == (whole.blocks, whole.problems)


def test_a_key_is_not_read_past_the_next_block() -> None:
    """Found by the property above: whole, the unclosed entry's key took `@string`."""
    data = b"@article{\n@string{,\n  TITLE = {}\n}"
    whole = reader.read_data(data, "x.bib")
    assert "@article{: entry not closed" in whole.problems[0].message
