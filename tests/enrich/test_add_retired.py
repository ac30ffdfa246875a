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


def test_an_identifier_of_a_paper_in_the_bib_is_not_a_retired_seed() -> None:
    """The retired key's paper lives on under another key (re-added, say): `add` merges
    into that entry instead of skipping; the bib is asked through the recognition that
    import and sync use (`genbib.dedupe.recognize`), before the retired record."""
    from genbib.dedupe.recognize import Recognizer

    lib = parse(
        "@misc{ddpm, title = {Denoising Diffusion Probabilistic Models}, eprint = {2006.11239}}",
        "lab.bib",
    )
    lib.retired = {
        "ho2020denoising": "Denoising Diffusion Probabilistic Models (2020); arXiv:2006.11239"
    }
    assert adding.retired_seed("https://arxiv.org/abs/2006.11239v2", lib) is None
    assert adding.retired_seed("2006.11239", lib, Recognizer(lib.entries)) is None
    lib.remove("ddpm")
    skip = adding.retired_seed("2006.11239", lib, Recognizer(lib.entries))
    assert skip is not None and skip.retired == "ho2020denoising"
    assert [p.code for p in skip.problems] == ["I-retired"]
