"""The bib on disk: edits are locked, canonical, atomic, and never lose content."""

from __future__ import annotations

from pathlib import Path

import pytest

import genbib.bibtex.store as store
from genbib.errors import GenbibError
from genbib.model import Entry


def test_edit_writes_canonically_and_only_on_success(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    with store.edit(path) as lib:
        e = Entry("misc", "b")
        e.set("title", "B")
        lib.add(e)
    assert path.read_text() == "@misc{b,\n  title = {B},\n}\n"
    before = path.read_bytes()
    with pytest.raises(RuntimeError), store.edit(path) as lib:
        lib.remove("b")
        raise RuntimeError("stop")
    assert path.read_bytes() == before
    with store.edit(path, dry_run=True) as lib:
        lib.remove("b")
    assert path.read_bytes() == before


def test_load_missing_ok(tmp_path: Path) -> None:
    assert len(store.load(tmp_path / "none.bib", missing_ok=True)) == 0


@pytest.mark.parametrize("size", ["small", "pieces"])
def test_fmt_refuses_to_write_a_lossy_canonical_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: str
) -> None:
    import genbib.bibtex.writer as writer

    path = tmp_path / "x.bib"
    path.write_text("@misc{a, title={x}}\n@misc{b, title={y}}\n% tail\n")
    before = path.read_bytes()
    if size == "pieces":  # read (and formatted) a piece at a time, as a big file is
        import genbib.bibtex.reader as reader

        monkeypatch.setattr(reader, "PIECE", 8)
    real = writer.format_entry

    def lossy(entry: Entry) -> str:
        if entry.key == "b":
            return "@misc{b,\n}"  # drops b's title: a writer bug
        return real(entry)

    monkeypatch.setattr(writer, "format_entry", lossy)
    # The general path: what `format_proved` writes is checked where it is made
    # (test_writer_proved.py: a layout that loses a field is never used).
    monkeypatch.setattr(writer, "format_proved", lambda entry, read=False: None)
    with pytest.raises(GenbibError, match="would lose 1 block"):
        store.format_file(path)
    assert path.read_bytes() == before


def test_fmt_accepts_free_text_that_a_reread_divides_differently(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    path.write_text("@misc{b, title={y}}\n@misc{a, title = {x}\n% unclosed\nsome text\n")
    assert store.format_file(path).changed
    assert not store.format_file(path).changed


def test_format_file_check_mode(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    path.write_text("@misc{a,title={x}}")
    result = store.format_file(path, check=True)
    assert result.changed and result.diff.startswith("---")
    assert path.read_text() == "@misc{a,title={x}}"
    assert store.format_file(path).changed
    assert not store.format_file(path, check=True).changed


def test_edit_refuses_to_write_text_that_does_not_read_back(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    path.write_text("@misc{a, title={x}}\n")
    before = path.read_bytes()
    with pytest.raises(GenbibError, match="would not read back"), store.edit(path) as lib:
        lib.entries[0].fields["note"] = "not valid bibtex"  # a raw value with a space
    assert path.read_bytes() == before


def test_values_from_outside_cannot_start_a_block(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    with store.edit(path) as lib:
        e = Entry("misc", "a")
        e.set("abstract", "We cite\n@article{evil, title={x}}\nin text {unbalanced")
        lib.add(e)
    again = store.load(path)
    assert [x.key for x in again] == ["a"] and again.problems == []
    assert (
        again.entries[0].get("abstract") == "We cite @article{evil, title={x}}\nin text unbalanced"
    )
