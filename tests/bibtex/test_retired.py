"""Retired keys: the record beside the bib, and every genbib edit that removes a key fills it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genbib.bibtex import retired
from genbib.bibtex.keys import assign_keys
from genbib.bibtex.rekey import rekey
from genbib.bibtex.store import edit, load
from genbib.errors import GenbibError, InputError
from genbib.model import Entry

DDPM = """@article{ho2020denoising,
  author = {Ho, Jonathan},
  title = {Denoising Diffusion Probabilistic Models},
  year = {2020},
}

@article{song2021score,
  author = {Song, Yang},
  title = {Score-Based Generative Modeling},
  year = {2021},
  ids = {song2020score},
}
"""


def _paper(author: str, title: str, year: str) -> Entry:
    e = Entry("article", "")
    e.set("author", author)
    e.set("title", title)
    e.set("year", year)
    return e


@pytest.fixture
def bib(tmp_path: Path) -> Path:
    path = tmp_path / "bib" / "genmodels.bib"
    path.parent.mkdir()
    path.write_text(DDPM)
    return path


def test_path_is_beside_the_bib() -> None:
    assert retired.retired_path(Path("bib/genmodels.bib")) == Path("bib/genmodels.retired-keys.txt")


keys = st.text(
    st.characters(whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters="_:.-/+"),
    min_size=1,
    max_size=20,
)
notes = st.text(max_size=150)


@given(st.dictionaries(keys, notes, max_size=20))
def test_round_trip_and_deterministic_bytes(record: dict[str, str]) -> None:
    text = retired.dumps(record, "genmodels.bib")
    back = retired.parse(text)
    assert set(back) == set(record)
    assert all(back[k] == retired.clean_note(record[k]) for k in record)
    # the same set in any order gives the same bytes, and a second pass changes nothing
    assert retired.dumps(dict(reversed(list(record.items()))), "genmodels.bib") == text
    assert retired.dumps(back, "genmodels.bib") == text
    assert text.count("\n") == len(record) + retired.HEADER.count("\n")


def test_notes_are_one_clean_line() -> None:
    note = "Evil\u202etxt.exe\nsecond line\x07 \u200b" + "x" * 300
    line = retired.dumps({"k": note}).splitlines()[-1]
    assert line.startswith("k  # Evil txt.exe second line")
    assert "\u202e" not in line and "\x07" not in line and "\u200b" not in line
    assert len(line) <= len("k  # ") + retired.NOTE_MAX


def test_union_merge_and_hand_edits_read_back(bib: Path) -> None:
    path = retired.retired_path(bib)
    # what `merge=union` leaves after two clones each retired a key (and one both did)
    path.write_text("# header\nb2020x  # B\na2020y\n\nb2020x  # B again\nc2020z\t# tab\n")
    assert retired.load(path) == {"b2020x": "B", "a2020y": "", "c2020z": "tab"}


def test_merge_conflict_markers_are_an_error_naming_the_line(bib: Path) -> None:
    path = retired.retired_path(bib)
    path.write_text("a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> other\n")
    with pytest.raises(InputError, match=r"retired-keys.txt:2: unresolved git merge conflict"):
        retired.load(path)
    path.write_bytes(b"a\n\xff\xfe\n")
    with pytest.raises(InputError, match=r"retired-keys.txt:2: not UTF-8"):
        retired.load(path)


def test_missing_record_is_empty_and_nothing_is_written(bib: Path) -> None:
    assert load(bib).retired == {}
    with edit(bib) as lib:
        lib.by_key()["ho2020denoising"].set("note", "kept")
    assert not retired.retired_path(bib).exists()


def test_removing_an_entry_retires_its_key_and_aliases(bib: Path) -> None:
    with edit(bib) as lib:
        lib.remove("song2021score")
    path = retired.retired_path(bib)
    text = path.read_text()
    assert text.splitlines()[-2:] == [
        "song2020score  # Score-Based Generative Modeling (2021)",
        "song2021score  # Score-Based Generative Modeling (2021)",
    ]
    assert load(bib).retired.keys() == {"song2020score", "song2021score"}
    # the record only grows: a later deletion adds a line, keeps the others
    with edit(bib) as lib:
        lib.remove("ho2020denoising")
    assert set(retired.load(path)) == {"song2020score", "song2021score", "ho2020denoising"}
    assert path.read_text().startswith(text.splitlines()[0])


def test_dry_run_and_failed_edits_retire_nothing(bib: Path) -> None:
    with edit(bib, dry_run=True) as lib:
        lib.remove("ho2020denoising")
    with pytest.raises(RuntimeError), edit(bib) as lib:
        lib.remove("ho2020denoising")
        raise RuntimeError("boom")
    assert not retired.retired_path(bib).exists()


def test_a_key_kept_as_an_alias_is_not_retired(bib: Path) -> None:
    with edit(bib) as lib:
        rekey(lib, "ho2020denoising", "ho2020ddpm")  # old key stays in ids
    assert not retired.retired_path(bib).exists()


def test_new_keys_avoid_retired_ones_case_insensitively(bib: Path) -> None:
    with edit(bib) as lib:
        lib.remove("ho2020denoising")
    with edit(bib) as lib:
        new = _paper("Ho, Jonathan", "Denoising Diffusion Implicit Stuff", "2020")
        assign_keys([new], lib.taken_keys())
        lib.add(new)
    assert new.key == "ho2020denoisinga"
    upper = _paper("Ho, J", "Denoising", "2020")
    assign_keys([upper], {"HO2020DENOISING"}, "{author}{year}{title}")
    assert upper.key == "ho2020denoisinga"


def test_rekey_refuses_a_retired_key(bib: Path) -> None:
    with edit(bib) as lib:
        lib.remove("ho2020denoising")
    with pytest.raises(GenbibError, match="retired"), edit(bib) as lib:
        rekey(lib, "song2021score", "Ho2020Denoising")


def test_write_is_atomic(bib: Path) -> None:
    """A crash at the rename leaves the old record (or none), never a torn one."""
    path = retired.retired_path(bib)
    path.write_text(retired.dumps({"old2019key": "Old"}, "genmodels.bib"))
    before = path.read_bytes()
    code = (
        "import sys; from pathlib import Path; from genbib.bibtex import retired;"
        "retired.save(Path(sys.argv[1]), {'old2019key': 'Old', 'new2020key': 'New'})"
    )
    env = {**os.environ, "GENBIB_TEST_CRASH_BEFORE_RENAME": "1"}
    proc = subprocess.run([sys.executable, "-c", code, str(path)], env=env, check=False)
    assert proc.returncode == 137
    assert path.read_bytes() == before
    assert retired.load(path) == {"old2019key": "Old"}
    assert retired.save(path, {"old2019key": "Old", "new2020key": "New"})
    assert not retired.save(path, {"new2020key": "New", "old2019key": "Old"})  # same bytes


def test_record_is_written_before_the_bib(bib: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash between the two writes leaves the key retired and still in the bib, not free."""
    from genbib.bibtex import io

    written: list[str] = []
    real = io.atomic_write

    def recording(path: str | Path, data: str | bytes) -> None:
        written.append(Path(path).name)
        real(path, data)

    monkeypatch.setattr(io, "atomic_write", recording)
    with edit(bib) as lib:
        lib.remove("ho2020denoising")
    assert written == ["genmodels.retired-keys.txt", "genmodels.bib"]


def test_check_cites_warns_about_retired_keys(bib: Path) -> None:
    from genbib.bibtex.check import check_file

    with edit(bib) as lib:
        lib.remove("ho2020denoising")
    paper = bib.parent.parent / "paper"
    paper.mkdir()
    (paper / "main.tex").write_text(
        "Diffusion \\citep{Ho2020Denoising, song2021score}.\n\\cite{song2020score}\n"
    )
    result = check_file(bib, cites=paper, backend="biblatex")
    cited = [p for p in result.problems if p.code.startswith("E05")]
    assert [(p.line, p.key, p.code) for p in cited] == [
        (2, "song2020score", "E050-cited-alias"),
        (1, "Ho2020Denoising", "E051-cited-retired"),
    ]
    assert cited[1].severity.value == "error"  # a retired key resolves under no backend
    assert "Denoising Diffusion Probabilistic Models (2020)" in cited[1].message
