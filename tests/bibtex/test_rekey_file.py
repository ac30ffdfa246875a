"""`rekey_file` (streamed through `store.edit_entry`) does what `rekey` inside `store.edit`
does: the same refusals, the same bytes written, the same retired-key record."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.bibtex.test_reader_fast import _mixed
from tests.bibtex.test_roundtrip_property import _library, _messy

import genbib.bibtex.reader as reader
import genbib.bibtex.store as store
from genbib.bibtex import retired
from genbib.bibtex.rekey import rekey, rekey_file
from genbib.bibtex.writer import dumps
from genbib.errors import GenbibError
from genbib.model import Entry, Library

_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _outcome(path: Path, run: object) -> tuple[str, bytes, bytes]:
    """(error message or "", the bib's bytes, the retired record's bytes) after `run`."""
    try:
        run()  # type: ignore[operator]
        said = ""
    except GenbibError as exc:
        said = str(exc)
    side = retired.retired_path(path)
    return said, path.read_bytes(), side.read_bytes() if side.exists() else b""


def _both(tmp_path: Path, data: bytes, record: str, old: str, new: str, dry_run: bool) -> None:
    """Run the library rekey in `edit` and the streamed one on copies; assert they agree."""
    results = []
    for name in ("a", "b"):
        d = tmp_path / name
        d.mkdir(exist_ok=True)
        path = d / "x.bib"
        path.write_bytes(data)
        side = retired.retired_path(path)
        side.unlink(missing_ok=True)
        if record:
            side.write_text(record, encoding="utf-8")

        def in_edit(path: Path = path) -> None:
            with store.edit(path, dry_run=dry_run) as lib:
                rekey(lib, old, new)

        def streamed(path: Path = path) -> None:
            rekey_file(path, old, new, dry_run=dry_run)

        results.append(_outcome(path, in_edit if name == "a" else streamed))
    assert results[0] == results[1]
    if dry_run:
        assert results[1][1] == data


def _keys(data: bytes) -> list[str]:
    lib = reader.read_data(data)
    return [k for e in lib for k in (e.key, *e.aliases)]


_NEW = st.sampled_from(["fresh2024", "a", "A", "used", "USED", "x y", "", "gone2019"])


@_SETTINGS
@given(
    text=_mixed,
    piece=st.sampled_from([8, 64, 1 << 18]),
    pick=st.integers(0, 40),
    new=st.one_of(_NEW, st.integers(0, 40)),
    record=st.booleans(),
    dry_run=st.booleans(),
)
def test_streamed_rekey_does_what_rekey_in_edit_does_on_any_text(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    piece: int,
    pick: int,
    new: str | int,
    record: bool,
    dry_run: bool,
) -> None:
    monkeypatch.setattr(reader, "PIECE", piece)  # small pieces: the memory-mapped path
    data = text.encode("utf-8")
    keys = _keys(data) or ["missing"]
    old = keys[pick % len(keys)]
    if isinstance(new, int):  # another entry's key or alias, or a case variant of one
        new = keys[new % len(keys)]
        new = new.upper() if pick % 3 == 0 else new
    side = retired.dumps({"gone2019": "A deleted paper (2019)"}, "x.bib") if record else ""
    _both(tmp_path, data, side, old, new, dry_run)


@_SETTINGS
@given(lib=_library(), pick=st.integers(0, 10), new=_NEW, piece=st.sampled_from([8, 1 << 18]))
def test_streamed_rekey_agrees_on_canonical_and_messy_libraries(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lib: Library,
    pick: int,
    new: str,
    piece: int,
) -> None:
    monkeypatch.setattr(reader, "PIECE", piece)
    entries = lib.entries
    if entries:  # an alias on one entry, so that renaming onto an alias is tried too
        entries[-1].fields["ids"] = "{used, " + entries[0].key + "x}"
    old = entries[pick % len(entries)].key if entries else "missing"
    canonical = dumps(lib).encode("utf-8")
    messy = "\n".join(
        _messy(b, " ", False) if isinstance(b, Entry) else dumps(Library(blocks=[b]))
        for b in lib.blocks
    ).encode("utf-8")
    for data in (canonical, messy):
        _both(tmp_path, data, "", old, new, False)


def test_rekey_file_renames_keeps_the_alias_and_refuses_like_rekey(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    path.write_text("@misc{b, title={y}, ids={used}}\n@misc{a, title={x}}\n", encoding="utf-8")
    rekey_file(path, "a", "c")
    assert path.read_text(encoding="utf-8") == (
        "@misc{b,\n  title = {y},\n  ids = {used},\n}\n\n@misc{c,\n  title = {x},\n  ids = {a},\n}\n"
    )
    before = path.read_bytes()
    for old, new, message in [
        ("c", "B", "already used"),
        ("c", "used", "already used"),
        ("missing", "z", "no entry"),
        ("c", "c", "already called"),
        ("c", "x y", "not a usable"),
    ]:
        with pytest.raises(GenbibError, match=message):
            rekey_file(path, old, new)
        assert path.read_bytes() == before
    rekey_file(path, "c", "a")  # back to its former key
    assert "@misc{a,\n  title = {x},\n  ids = {c},\n}" in path.read_text(encoding="utf-8")
    assert not retired.retired_path(path).exists()  # rekey never retires a key


def test_rekey_file_refuses_a_retired_key_and_a_non_utf8_bib(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    path.write_text("@misc{a, title={x}}\n@misc{b, title={y}}\n", encoding="utf-8")
    with store.edit(path) as lib:
        lib.remove("b")
    with pytest.raises(GenbibError, match="retired"):
        rekey_file(path, "a", "B")
    path.write_bytes("@misc{a, title={Gödel}}\n".encode("latin-1"))
    with pytest.raises(GenbibError, match="not UTF-8"):
        rekey_file(path, "a", "z")
    rekey_file(path, "a", "z", dry_run=True)  # a dry run reads it, as `edit` does


def test_rekey_file_refuses_an_entry_that_would_not_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import genbib.bibtex.rekey as rekey_module

    path = tmp_path / "x.bib"
    path.write_text("@misc{a, title={x}}\n", encoding="utf-8")
    before = path.read_bytes()
    real = rekey_module.rename

    def broken(entry: Entry | None, *args: object) -> None:
        real(entry, *args)  # type: ignore[arg-type]
        assert entry is not None
        entry.fields["note"] = "not valid bibtex"  # a raw value with a space

    monkeypatch.setattr(rekey_module, "rename", broken)
    with pytest.raises(GenbibError, match="would not read back"):
        rekey_file(path, "a", "b")
    assert path.read_bytes() == before
