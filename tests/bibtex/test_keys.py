"""Citation keys: Google-Scholar style, clashes a/b/c, formula, ASCII folding; rekey."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genbib.bibtex.keys import (
    DEFAULT_FORMULA,
    ascii_fold,
    assign_keys,
    fresh_key,
    key_stem,
    validate_formula,
)
from genbib.bibtex.reader import parse
from genbib.bibtex.rekey import rekey
from genbib.bibtex.writer import dumps
from genbib.errors import ConfigError, GenbibError
from genbib.model import Entry


def _entry(author: str, title: str, year: str = "2020", key: str = "") -> Entry:
    e = Entry("article", key)
    e.set("author", author)
    e.set("title", title)
    e.set("year", year)
    return e


def test_google_scholar_style() -> None:
    e = _entry("Ho, Jonathan and Jain, Ajay", "Denoising Diffusion Probabilistic Models")
    assert key_stem(e) == "ho2020denoising"
    assert DEFAULT_FORMULA == "{author}{year}{title}"


@pytest.mark.parametrize(
    ("author", "title", "stem"),
    [
        ("Müller, Jürgen", "The Art of Sampling", "muller2020art"),
        ('M{\\"u}ller, J', "On {GAN}s", "muller2020gans"),
        ("Jonathan Ho", "A Denoising Model", "ho2020denoising"),
        ("van den Oord, Aäron", "Neural Discrete Representation Learning", "oord2020neural"),
        ("Łukasz Kaiser", "Attention Is All You Need", "kaiser2020attention"),
        ("{OpenAI}", "GPT-4 Technical Report", "openai2020gpt"),
        ("", "Untitled Work", "anon2020untitled"),
        ("Ho, J", "$\\beta$-VAE: Learning", "ho2020vae"),
    ],
)
def test_stems(author: str, title: str, stem: str) -> None:
    assert key_stem(_entry(author, title)) == stem


def test_ascii_fold() -> None:
    assert ascii_fold("Ærøskøbing Straße") == "aeroskobing strasse"
    assert ascii_fold('{\\"O}zt{\\"u}rk') == "{o}zt{u}rk"


def test_clashes_get_a_b_c_and_existing_keys_never_change() -> None:
    existing = _entry("Ho, J", "Denoising", key="keepme")
    new = [_entry("Ho, J", "Denoising things") for _ in range(4)]
    taken = {"keepme", "ho2020denoising"}
    changed = assign_keys([existing, *new], taken)
    assert existing.key == "keepme"
    assert [e.key for e in changed] == [
        "ho2020denoisinga",
        "ho2020denoisingb",
        "ho2020denoisingc",
        "ho2020denoisingd",
    ]
    assert "ho2020denoisingd" in taken
    upper = [_entry("Ho, J", "Denoising")]
    assign_keys(upper, {"Ho2020Denoising"})
    assert upper[0].key == "ho2020denoisinga"  # case-insensitive clash


def test_formula_is_configurable_and_validated() -> None:
    e = _entry("Ho, Jonathan", "Denoising Diffusion")
    assert key_stem(e, "{Author}{year}-{Title}") == "Ho2020-Denoising"
    assert key_stem(e, "{author}_{year}") == "ho_2020"
    with pytest.raises(ConfigError, match="unknown placeholder"):
        validate_formula("{author}{venue}")


def test_rekey_keeps_old_key_as_alias() -> None:
    lib = parse("@misc{ho2020denoising, title={DDPM}}\n@misc{other, title={x}, ids={used}}\n")
    rekey(lib, "ho2020denoising", "ho2020ddpm")
    e = lib.by_key()["ho2020ddpm"]
    assert e.aliases == ["ho2020denoising"]
    assert "ids = {ho2020denoising}" in dumps(lib)
    rekey(lib, "ho2020ddpm", "ho2020v3")
    assert lib.by_key()["ho2020v3"].aliases == ["ho2020denoising", "ho2020ddpm"]


def test_rekey_back_to_a_former_key_is_allowed() -> None:
    lib = parse("@misc{a, title={x}}\n")
    rekey(lib, "a", "b")
    rekey(lib, "b", "a")
    assert lib.by_key()["a"].aliases == ["b"]
    rekey(lib, "a", "A")  # a change of case of its own key
    assert lib.by_key()["A"].aliases == ["b", "a"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("a", "b", "already used"),  # a key
        ("a", "used", "already used"),  # an alias of another entry
        ("a", "B", "already used"),  # keys clash case-insensitively in BibTeX
        ("a", "USED", "already used"),
        ("missing", "z", "no entry"),
        ("a", "a", "already called"),
        ("a", "has space", "not a usable"),
        ("a", "x,y", "not a usable"),
        ("a", "", "not a usable"),
    ],
)
def test_rekey_refuses(old: str, new: str, message: str) -> None:
    lib = parse("@misc{a, title={x}}\n@misc{b, title={y}, ids={used}}\n")
    before = dumps(lib)
    with pytest.raises(GenbibError, match=message):
        rekey(lib, old, new)
    assert dumps(lib) == before


@given(
    st.lists(st.sampled_from(["Denoising", "The Denoising", "Flows", "A Flow", ""]), max_size=40),
    st.sets(st.sampled_from(["ho2020denoising", "ho2020denoisinga", "ho2020denoisingc",
                             "ho2020flows", "ho2020flowb", "Ho2020Flowa", "ho2020"])),
)  # fmt: skip
def test_resumed_suffix_search_gives_the_keys_of_a_search_from_a(
    titles: list[str], taken: set[str]
) -> None:
    """`assign_keys` resumes each stem's search where it stopped: the same keys as
    searching every suffix from "a" again for each entry (the taken set only grows)."""
    entries = [_entry("Ho, J", t) for t in titles]
    assign_keys(entries, set(taken))
    folded = {k.casefold() for k in taken}
    for e in entries:
        want = fresh_key(e, folded)  # no memory: from the bare stem on
        assert e.key == want
        folded.add(want.casefold())
