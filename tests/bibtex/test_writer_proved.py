"""`format_proved` answers only with text that reads back as the entry (so `fmt` and `edit`
may write it without reading it back), and that text is the general writer's text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.bibtex.test_reader_fast import _mixed
from tests.bibtex.test_roundtrip_property import _balanced, _key, _messy, _name, _type, _value

import genbib.bibtex.reader as reader
import genbib.bibtex.store as store
import genbib.bibtex.writer as writer
from genbib.bibtex.compare import same_blocks
from genbib.bibtex.reader import parse, read_canonical
from genbib.errors import GenbibError
from genbib.model import Entry

# Values, names, keys and types as the reader gives them, and as code may set them
# (anything at all: spaces, stray braces and quotes, `@` starting a line, `#`).
_anything = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_raw = st.one_of(
    _value(),
    _value(),
    st.builds(lambda s: "{" + s + "}", _balanced()),
    st.builds(lambda s: '"' + s + '"', _balanced()),
    st.sampled_from(["2020", "٢٠٢٠", "x_2", "a%b", "(x)", "{a}{b}", '"a"b"', "{{{{deep}}}}"]),
    st.sampled_from(["{x\n@article{y, title={z}}}", "{mail@home}", '"x@y"', "x@y"]),
    _anything,
)
_names = st.one_of(_name, _name, st.sampled_from(["Title", "a b", "x{", "é", "İd"]), _anything)
_keys = st.one_of(_key, st.sampled_from(["a b", "a,b", "a{", "x@y", "", "ключ"]), _anything)
_types = st.one_of(_type, st.sampled_from(["ARTICLE", "string", "comment", "a{b", "İx"]))


@st.composite
def _entry(draw: st.DrawFn) -> Entry:
    if draw(st.booleans()):  # as the reader gives them: mostly proved
        return Entry(draw(_type), draw(_key), draw(st.dictionaries(_name, _value(), max_size=5)))
    fields = draw(st.dictionaries(_names, _raw, max_size=5))
    return Entry(draw(_types), draw(_keys), fields)


@settings(max_examples=600, deadline=None)
@given(_entry())
def test_proved_text_reads_back_as_the_entry_and_is_the_writers(entry: Entry) -> None:
    out = writer.format_proved(entry)
    if out is None:
        return  # the caller formats it and reads it back
    assert out == writer._format_fields(entry)
    lib = parse(out, "x.bib")
    assert lib.problems == [] and len(lib.blocks) == 1
    assert same_blocks([entry], lib)
    got = read_canonical(out)  # what `_verify_entry` would have read, for fields it has
    if got is not None:
        assert got[:2] == (entry.type.lower(), entry.key)


def test_common_entries_are_proved() -> None:
    entry = Entry(
        "InProceedings",
        "ho2020denoising",
        {
            "title": "{Denoising {Diffusion} Probabilistic Models}",
            "booktitle": "nips",
            "year": "2020",
            "note": '"Oral"',
            "howpublished": '"{GitHub} repository"',
            "url": "{https://arxiv.org/abs/2006.11239}",
        },
    )
    out = writer.format_proved(entry)
    assert out == (
        "@inproceedings{ho2020denoising,\n"
        "  title = {Denoising {Diffusion} Probabilistic Models},\n"
        "  booktitle = nips,\n  howpublished = {{GitHub} repository},\n  year = {2020},\n"
        "  note = {Oral},\n"
        "  url = {https://arxiv.org/abs/2006.11239},\n}"
    )


@pytest.mark.parametrize(
    "raw",
    ["{a} # {b}", '"a {{{b}}} c"', "{{{{deep}}}}", "{a}{b}", "a b", "{x\n@misc{y,}}", "{a@b}"],
)
def test_values_the_proof_does_not_cover_are_left_to_the_reread(raw: str) -> None:
    assert writer.format_proved(Entry("misc", "k", {"note": raw})) is None
    assert writer.format_entry(Entry("misc", "k", {"note": raw}))  # the general writer's


def test_a_layout_that_does_not_read_back_is_never_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer bug in a layout (here: a field dropped from the order) is caught when the
    layout is made: no entry is written with it, and `fmt` refuses the lossy text."""
    monkeypatch.setattr(writer, "_LAYOUTS", {})
    monkeypatch.setattr(writer, "_ORDERS", {})
    real = writer._order
    monkeypatch.setattr(writer, "_order", lambda names: real(names)[:-1] if names else names)
    entry = Entry("misc", "a", {"title": "{x}", "year": "{2020}"})
    assert writer.format_proved(entry) is None
    assert writer._LAYOUTS[("misc", ("title", "year"))] is None
    path = tmp_path / "x.bib"
    path.write_text("@misc{a, title={x}, year={2020}}\n", encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(GenbibError, match="would lose"):
        store.format_file(path)
    assert path.read_bytes() == before


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        _mixed, st.lists(_entry()).map(lambda es: "\n".join(_messy(e, " ", False) for e in es))
    )
)
def test_what_the_fast_path_read_is_proved_as_the_full_check_proves_it(text: str) -> None:
    """`read=True` (values known to be tokens of the reader's grammar) answers exactly as
    the full check does, on every entry the fast path reads."""
    for piece in reader.read_pieces(text.encode("utf-8"), "x.bib"):
        for block, (_, _, read) in zip(piece.blocks, piece.spans, strict=True):
            if isinstance(block, Entry) and read:
                assert writer.format_proved(block, read=True) == writer.format_proved(block)
