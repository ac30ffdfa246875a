"""`genbib add` gives a new paper a fresh key, never a retired one (a deleted paper's)."""

from __future__ import annotations

from genbib.bibtex.reader import parse
from genbib.enrich import add as adding
from genbib.model import Entry


def test_add_never_gives_a_retired_key() -> None:
    lib = parse("", "lab.bib")
    lib.retired = {"ho2020denoising": "Denoising Diffusion Probabilistic Models (2020)"}
    entry = Entry("article", "")
    entry.set("author", "Ho, Jonathan")
    entry.set("title", "Denoising Score Matching Revisited")
    entry.set("year", "2020")
    added = adding.add_to(
        lib, adding.Added("10.1/x", entry=entry), topic=None, formula="{author}{year}{title}"
    )
    assert added.key == "ho2020denoisinga" and lib.entries[0].key == "ho2020denoisinga"
