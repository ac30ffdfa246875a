"""`upgrade_keys`: a provisional key becomes the formula's key once the entry is complete;
the old key stays in `ids` and is retired; clashes and retired keys are avoided."""

from __future__ import annotations

from genbib.bibtex.keys import assign_keys, is_provisional
from genbib.bibtex.reader import parse
from genbib.bibtex.rekey import rekey, upgrade_keys

BIB = """@misc{anon2020denoising,
  author = {Ho, Jonathan},
  title = {Denoising Diffusion Probabilistic Models},
  year = {2020},
  keystatus = {provisional},
}

@misc{ho2020denoising,
  author = {Ho, Jonathan},
  title = {Denoising Score Matching Revisited},
  year = {2020},
}
"""


def test_the_final_key_avoids_keys_in_use_and_retired_ones() -> None:
    lib = parse(BIB, "lab.bib")
    lib.retired = {"ho2020denoisinga": "a deleted paper (2020)"}
    (found,) = upgrade_keys(lib, "{author}{year}{title}", cited=set())
    entry = lib.entries[0]
    assert entry.key == "ho2020denoisingb" and found.key == "ho2020denoisingb"
    assert entry.aliases == ["anon2020denoising"] and not is_provisional(entry)
    assert "keystatus" not in entry.fields
    assert lib.retired["anon2020denoising"].startswith(
        "provisional, now ho2020denoisingb: Denoising Diffusion Probabilistic"
    )


def test_a_key_the_formula_already_gives_just_loses_its_mark() -> None:
    lib = parse(BIB.replace("anon2020denoising", "denoising"), "lab.bib")
    assert upgrade_keys(lib, "{title}", cited=set()) == []
    assert lib.entries[0].key == "denoising" and not is_provisional(lib.entries[0])
    assert not lib.retired


def test_assign_keys_marks_only_incomplete_entries() -> None:
    lib = parse(BIB, "lab.bib")
    complete, incomplete = lib.entries[1].copy(), lib.entries[1].copy()
    complete.key = incomplete.key = ""
    incomplete.set("year", None)
    assign_keys([complete, incomplete], lib.taken_keys())
    assert not is_provisional(complete) and is_provisional(incomplete)
    assert (complete.key, incomplete.key) == ("ho2020denoisinga", "hodenoising")  # no year


def test_rekey_by_hand_makes_a_provisional_key_final() -> None:
    lib = parse(BIB.replace("  author = {Ho, Jonathan},\n", "", 1), "lab.bib")
    rekey(lib, "anon2020denoising", "ddpm")
    entry = lib.by_key()["ddpm"]
    assert not is_provisional(entry)
    entry.set("author", "Ho, Jonathan")
    assert upgrade_keys(lib, "{author}{year}{title}", cited=set()) == []  # final: stays


def test_the_final_key_may_be_one_of_the_papers_own_aliases() -> None:
    # another lab's .bib merged into the provisional entry left its key as an alias
    lib = parse(BIB, "lab.bib")
    lib.entries[1].key = "song2020other"
    lib.entries[0].set("ids", "ho2020denoising")
    upgrade_keys(lib, "{author}{year}{title}", cited=set())
    assert lib.entries[0].key == "ho2020denoising"
    assert lib.entries[0].aliases == ["anon2020denoising"]
