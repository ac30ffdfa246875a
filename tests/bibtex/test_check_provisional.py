"""`genbib check` (the pre-commit hook) does not fail an entry whose key is marked
provisional for the author or year it still lacks; unmarked, the same entry is an error."""

from __future__ import annotations

from genbib.bibtex.check import check_library
from genbib.bibtex.reader import parse

ENTRY = """@inproceedings{anon2020denoising,
  title = {Denoising Diffusion Probabilistic Models},
  booktitle = {Advances in Neural Information Processing Systems},
  eprint = {2006.11239},
  archiveprefix = {arXiv},
%s}
"""


def _found(text: str) -> list[tuple[str, str]]:
    return [(p.code, p.severity.value) for p in check_library(parse(text, "lab.bib"))]


def test_a_marked_entry_is_a_warning_not_an_error() -> None:
    found = _found(ENTRY % "  keystatus = {provisional},\n")
    assert found == [("E017-pending-metadata", "warning")]
    (problem,) = check_library(parse(ENTRY % "  keystatus = {provisional},\n", "lab.bib"))
    assert "no author, year or date yet" in problem.message


def test_unmarked_it_is_still_an_error() -> None:
    assert _found(ENTRY % "") == [("E010-missing-field", "error")]


def test_the_mark_excuses_only_author_and_year() -> None:
    text = (ENTRY % "  keystatus = {provisional},\n").replace(
        "  booktitle = {Advances in Neural Information Processing Systems},\n", ""
    )
    assert sorted(_found(text)) == [
        ("E010-missing-field", "error"),
        ("E017-pending-metadata", "warning"),
    ]
