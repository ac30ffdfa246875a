"""The look-up index: never stale, never trusted when unreadable, and it answers exactly
what the in-memory search answers (on random libraries and queries)."""

from __future__ import annotations

import os
import sqlite3
import string
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import genbib.bibtex.store as store
from genbib.bibtex.writer import dumps
from genbib.cli import cli
from genbib.find import Finder
from genbib.lookup import Lookup, index_path
from genbib.model.entry import Entry
from genbib.model.library import Library
from genbib.scaffold import GITIGNORE_LINES
from genbib.stats import compute


def _entry(key: str, title: str, author: str = "Ho, Jonathan", **fields: str) -> Entry:
    e = Entry("article", key)
    e.set("title", title)
    e.set("author", author)
    for name, value in fields.items():
        e.set(name, value)
    return e


def _write(path: Path, *entries: Entry) -> None:
    lib = Library()
    for e in entries:
        lib.add(e)
    path.write_text(dumps(lib), encoding="utf-8")


def _keys(lookup: Lookup, query: str) -> list[str]:
    return [h.entry.key for h in lookup.search(query)]


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    _write(tmp_path / "x.bib", _entry("ho2020", "Denoising Diffusion Probabilistic Models"))
    return tmp_path


def _open(lab: Path) -> Lookup:
    return Lookup.open(lab / "x.bib", lab / "cache")


def test_the_index_is_built_once_and_reused(lab: Path) -> None:
    first = _open(lab)
    assert first._db is not None and _keys(first, "ddpm") == ["ho2020"]
    path = index_path(lab / "x.bib", lab / "cache")
    built = path.stat().st_mtime_ns
    assert _keys(_open(lab), "ho2020") == ["ho2020"]
    assert path.stat().st_mtime_ns == built  # valid: not rebuilt


def test_an_editor_write_invalidates_it(lab: Path) -> None:
    assert _keys(_open(lab), "ho2020") == ["ho2020"]
    _write(lab / "x.bib", _entry("song2021", "Score-Based Generative Modeling"))
    assert _keys(_open(lab), "ho2020") == []
    assert _keys(_open(lab), "song2021") == ["song2021"]


def test_a_checkout_with_the_same_size_and_mtime_invalidates_it(lab: Path) -> None:
    bib = lab / "x.bib"
    assert _keys(_open(lab), "ho2020") == ["ho2020"]
    st_ = bib.stat()
    text = bib.read_text(encoding="utf-8")
    bib.write_text(text.replace("ho2020", "ab2020"), encoding="utf-8")  # same length
    os.utime(bib, ns=(st_.st_atime_ns, st_.st_mtime_ns))  # git keeps neither, tools may
    assert bib.stat().st_size == st_.st_size and bib.stat().st_mtime_ns == st_.st_mtime_ns
    assert _keys(_open(lab), "ho2020") == []
    assert _keys(_open(lab), "ab2020") == ["ab2020"]


def test_another_genbib_write_invalidates_it(lab: Path) -> None:
    assert _open(lab).stats().papers == 1
    with store.edit(lab / "x.bib") as lib:
        lib.add(_entry("karras2022", "Elucidating the Design Space", "Karras, Tero"))
    again = _open(lab)
    assert again.stats().papers == 2 and _keys(again, "karras") == ["karras2022"]
    assert again.keys("kar") == ["karras2022"]


@pytest.mark.parametrize("damage", [b"", b"not a database at all" * 100, b"SQLite format 3\0"])
def test_a_corrupt_index_is_rebuilt_silently(lab: Path, damage: bytes) -> None:
    _open(lab)
    path = index_path(lab / "x.bib", lab / "cache")
    path.write_bytes(damage)
    assert _keys(_open(lab), "ho2020") == ["ho2020"]
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM entries").fetchone() == (1,)


def test_an_index_of_another_schema_is_rebuilt(lab: Path) -> None:
    _open(lab)
    path = index_path(lab / "x.bib", lab / "cache")
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET v = 'genbib-lookup 0' WHERE k = 'schema'")
    db.commit()
    db.close()
    assert _keys(_open(lab), "ho2020") == ["ho2020"]


def test_an_index_named_the_old_way_is_removed_not_left_behind(lab: Path) -> None:
    import hashlib

    old = hashlib.sha256(str((lab / "x.bib").resolve()).encode()).hexdigest()[:16]
    orphan = lab / "cache" / "index" / f"x-{old}.sqlite"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"SQLite format 3\0")
    assert _keys(_open(lab), "ho2020") == ["ho2020"]
    assert not orphan.exists()
    assert [p.name for p in orphan.parent.iterdir()] == [
        index_path(lab / "x.bib", lab / "cache").name
    ]


def test_an_edit_that_keeps_the_length_changes_the_fingerprint() -> None:
    from genbib.lookup import fingerprint

    a = b"@misc{ho2020, title = {Diffusion}}\n" * 1000
    b = a.replace(b"ho2020", b"ho2021", 1)
    assert fingerprint([a]) != fingerprint([b])
    assert fingerprint([a]) == fingerprint([a[:999], a[999:]])  # chunking does not matter


def test_an_unwritable_cache_answers_from_memory(lab: Path) -> None:
    (lab / "cache").write_text("a file where the directory should be")
    lookup = _open(lab)
    assert lookup._db is None and _keys(lookup, "ho2020") == ["ho2020"]


def test_the_index_lives_where_init_ignores_it(tmp_path: Path) -> None:
    from genbib.config import Config

    path = index_path(tmp_path / "bib" / "genmodels.bib", Config().path(Config().enrich.cache))
    assert ".genbib/cache/" in GITIGNORE_LINES
    assert path.as_posix().startswith(".genbib/cache/")


def test_cli_uses_the_index_inside_a_lab_and_answers_alike(
    lab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (lab / "genbib.toml").write_text('bib = "x.bib"\n')
    monkeypatch.chdir(lab)
    runner = CliRunner()
    runs = {}
    for no_index in ("", "1"):
        monkeypatch.setenv("GENBIB_NO_INDEX", no_index)
        runs[no_index] = [
            runner.invoke(cli, args).output
            for args in (["show", "ho2020"], ["cite", "diffusion"], ["stats", "--json"])
        ]
    assert runs[""] == runs["1"]
    assert "ho2020" in runs[""][0] and "\\citep{ho2020}" in runs[""][1]
    assert list((lab / ".genbib" / "cache" / "index").glob("x-*.sqlite"))


def test_a_bib_outside_the_lab_leaves_nothing_behind(
    lab: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    (lab / "genbib.toml").write_text('bib = "x.bib"\n')
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "y.bib"
    _write(elsewhere, _entry("y2020", "Y"))
    monkeypatch.chdir(lab)
    assert "y2020" in CliRunner().invoke(cli, ["show", "--file", str(elsewhere), "y2020"]).output
    assert not (lab / ".genbib").exists()


# --- the same answers with and without the index -----------------------------------------

WORDS = [
    "diffusion", "denoising", "models", "score", "flow", "matching", "transformer",
    "consistency", "latent", "image", "synthesis", "gan", "vae", "über", "ødegaard", "x_y",
]  # fmt: skip
NAMES = ["Ho, Jonathan", "Song, Yang", "Karras, Tero", "Ødegaard, Søren", "de Bortoli, V.", ""]

title = st.lists(st.sampled_from(WORDS), min_size=0, max_size=6).map(" ".join)


@st.composite
def library(draw: st.DrawFn) -> list[Entry]:
    n = draw(st.integers(1, 25))
    out = []
    for i in range(n):
        fields: dict[str, str] = {}
        if draw(st.booleans()):
            fields["shortname"] = draw(st.sampled_from(["DDPM", "EDM", "GAN", "LDM"]))
        if draw(st.booleans()):
            fields["eprint"] = f"2{draw(st.integers(0, 3))}06.1123{i % 10}"
        if draw(st.booleans()):
            fields["doi"] = f"10.1000/x{draw(st.integers(0, 5))}"
        if draw(st.booleans()):
            fields["ids"] = f"alias{draw(st.integers(0, 5))}"
        if draw(st.booleans()):
            fields["year"] = str(draw(st.integers(2015, 2025)))
        authors = " and ".join(draw(st.lists(st.sampled_from(NAMES), max_size=3)))
        key = draw(st.sampled_from(["ho2020", "song2021", f"k{i}", "Ho2020", "x:y/z"]))
        out.append(_entry(key, draw(title), authors, **fields))
    return out


query = st.one_of(
    title,
    st.sampled_from(
        [
            "ddpm",
            "DDPM",
            "ho",
            "jonathan ho",
            "karras",
            "ødegaard",
            "søren",
            "difusion models",
            "ho2020",
            "alias1",
            "2006.11231",
            "arXiv:2106.11232",
            "10.1000/x1",
            "dpm",
            "",
            "x_y",
            "k3",
            "x:y/z",
            "gan vae",
            "de bortoli",
            "modelss",
            "über models",
        ]
    ),
    st.text(alphabet=string.ascii_lowercase + " ø_", max_size=12),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entries=library(), queries=st.lists(query, min_size=1, max_size=5))
def test_answers_are_the_same_with_and_without_the_index(
    tmp_path: Path, entries: list[Entry], queries: list[str]
) -> None:
    bib = tmp_path / "r.bib"
    _write(bib, *entries)
    cache = tmp_path / "cache"
    indexed = Lookup.open(bib, cache)
    assert indexed._db is not None
    from genbib.bibtex.reader import read_file

    lib = read_file(bib)
    finder = Finder(lib)

    def seen(hits: list) -> list:  # type: ignore[type-arg]
        return [(h.entry.key, h.entry.fields, h.score, h.why) for h in hits]

    for q in queries:
        assert seen(indexed.search(q)) == seen(finder.search(q)), q
        assert seen(indexed.search(q, limit=50, min_score=30)) == seen(
            finder.search(q, limit=50, min_score=30)
        ), q
        for limit in (1, 2):  # the bar is the limit-th best: ties at it must come out alike
            assert seen(indexed.search(q, limit=limit)) == seen(finder.search(q, limit=limit)), q
        assert seen(indexed.exact(q)) == seen(finder._exact(q)), q
    assert indexed.stats().as_dict() == compute(lib).as_dict()
    assert indexed.keys("") == sorted(lib.key_owners())


# Bigger libraries, where the bar and the length windows prune: titles of varied length
# over a larger vocabulary, and queries that are typos, fragments or reorderings of them.
VOCAB = [
    *WORDS,
    "generative", "adversarial", "networks", "probabilistic", "autoregressive", "video",
    "audio", "3d", "efficient", "sampling", "guidance", "classifier", "free", "rectified",
    "energy", "based", "variational", "autoencoders", "normalizing", "flows", "on", "a",
]  # fmt: skip


def _typo(rng_word: str, at: int) -> str:
    if not rng_word:
        return rng_word
    at %= len(rng_word)
    return rng_word[:at] + rng_word[at + 1 :]


@st.composite
def big_case(draw: st.DrawFn) -> tuple[list[Entry], list[str]]:
    n = draw(st.integers(20, 120))
    titles = [
        " ".join(draw(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=12))) for _ in range(n)
    ]
    entries = [
        _entry(f"k{i}", t, draw(st.sampled_from(NAMES)), year=str(2015 + i % 10))
        for i, t in enumerate(titles)
    ]
    queries = []
    for _ in range(draw(st.integers(1, 4))):
        t = titles[draw(st.integers(0, n - 1))].split()
        start = draw(st.integers(0, len(t) - 1))
        part = t[start : start + draw(st.integers(1, 5))]
        if draw(st.booleans()):
            part = [_typo(w, draw(st.integers(0, 9))) for w in part]
        if draw(st.booleans()):
            part.reverse()
        queries.append(" ".join(part))
    queries.append(" ".join(draw(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=4))))
    return entries, queries


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=big_case())
def test_answers_are_the_same_on_bigger_libraries(
    tmp_path: Path, case: tuple[list[Entry], list[str]]
) -> None:
    entries, queries = case
    bib = tmp_path / "big.bib"
    _write(bib, *entries)
    indexed = Lookup.open(bib, tmp_path / "cache")
    assert indexed._db is not None
    from genbib.bibtex.reader import read_file

    finder = Finder(read_file(bib))
    for q in queries:
        for limit in (1, 3, 5, 20):
            got = [(h.entry.key, h.score, h.why) for h in indexed.search(q, limit=limit)]
            want = [(h.entry.key, h.score, h.why) for h in finder.search(q, limit=limit)]
            assert got == want, (q, limit)
