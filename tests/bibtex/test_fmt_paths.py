"""`fmt`'s fast paths give exactly what the plain path gives, and check what it checks.

`format_file` reads a piece at a time, keeps an entry already in canonical form as it
is, reads each rewritten entry back with `read_canonical` (one split) instead of the
full reader, and re-reads only the seams around other blocks. None of that may change a
byte of the output: it must equal `dumps(parse(text))`, on any text, whole or in pieces.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.bibtex.test_reader_fast import _mixed
from tests.bibtex.test_roundtrip_property import _entry, _library, _messy, _space

import genbib.bibtex.reader as reader
import genbib.bibtex.store as store
from genbib.bibtex.reader import parse, read_canonical
from genbib.bibtex.writer import dumps, format_entry
from genbib.errors import GenbibError
from genbib.model import Entry

_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_SETTINGS
@given(_entry())
def test_read_canonical_reads_what_parse_reads(entry: Entry) -> None:
    text = format_entry(entry)
    got = read_canonical(text)
    if got is None:  # not the plain shape: the caller reads it with `parse`
        return
    lib = parse(text, "x.bib")
    assert lib.problems == []
    assert [(e.type, e.key, e.fields) for e in lib] == [got]
    assert len(lib.blocks) == 1


@pytest.mark.parametrize(
    "text",
    [
        "@misc{a,\n  title = {x},\n  note = {y},\n}",
        "@misc{a,\n  title = {x},\n  title = {y},\n}",  # repeated: parse reports it
        "@misc{a,\n  title = {x}},\n}",
        "@misc{a,\n  title = {x},\n  note = {mail @ home},\n}",
        "@string{a,\n  title = {x},\n}",
        "@misc{a,\n  title = {{{{deep}}}},\n}",
        "@misc{a,\n  title = {x},\n  note = nips,\n}",
        "@misc{a,\n}",
        "@misc{a,\n  title = {x},\n  y = {a},\n  z = {b}\n}",
    ],
)
def test_read_canonical_answers_only_what_parse_agrees_with(text: str) -> None:
    got = read_canonical(text)
    if got is not None:
        lib = parse(text)
        assert lib.problems == [] and [(e.type, e.key, e.fields) for e in lib] == [got]


def _fmt(tmp_path: Path, name: str, data: bytes) -> bytes:
    path = tmp_path / name
    path.write_bytes(data)
    store.format_file(path)
    return path.read_bytes()


@_SETTINGS
@given(text=_mixed, piece=st.sampled_from([8, 64, 1 << 18]))
def test_format_file_writes_what_dumps_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, piece: int
) -> None:
    want = dumps(reader.read_data(text.encode("utf-8"), "x.bib")).encode("utf-8")
    monkeypatch.setattr(reader, "PIECE", piece)  # small pieces: the memory-mapped path
    try:
        got = _fmt(tmp_path, "x.bib", text.encode("utf-8"))
    except GenbibError as exc:  # refused: nothing may have been written
        assert "would lose" in str(exc)
        assert (tmp_path / "x.bib").read_bytes() == text.encode("utf-8")
        return
    assert got == want
    assert _fmt(tmp_path, "x.bib", got) == got  # idempotent, through the verbatim path


@_SETTINGS
@given(lib=_library(), space=_space, piece=st.sampled_from([8, 1 << 18]))
def test_format_file_of_messy_entries_writes_what_dumps_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lib: object, space: str, piece: int
) -> None:
    from genbib.model import Library

    assert isinstance(lib, Library)
    canonical = dumps(lib)
    # The same library with its entries written carelessly: every entry is rewritten.
    pieces = [
        _messy(b, space or " ", False) if isinstance(b, Entry) else dumps(Library(blocks=[b]))
        for b in lib.blocks
    ]
    messy = "\n".join(pieces)
    want = dumps(reader.read_data(messy.encode("utf-8"))).encode("utf-8")
    monkeypatch.setattr(reader, "PIECE", piece)
    assert _fmt(tmp_path, "m.bib", messy.encode("utf-8")) == want
    assert _fmt(tmp_path, "c.bib", canonical.encode("utf-8")) == canonical.encode("utf-8")


def test_edit_keeps_an_untouched_file_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    path.write_text("@misc{a, title={x}}\n\n@misc{b, title = {y}}\n% tail\n")
    store.format_file(path)
    before = path.read_bytes()
    with store.edit(path):
        pass
    assert path.read_bytes() == before
    with store.edit(path) as lib:
        lib.entries[0].set("note", "n")
    assert parse(path.read_text()).entries[0].fields == {"title": "{x}", "note": "{n}"}
