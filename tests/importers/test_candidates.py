"""The shortcuts of `importers.candidates` answer as the patterns they stand before."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from genbib.importers.candidates import _NON_PAPER_TITLE, _may_name_non_paper

_WORDS = st.sampled_from(
    ["Tutorial", "tutorials", "COURSE", "Lecture", "syllabus", "CS231n", "Fall", "spring",
     "2021", "Winter", "Summer", "textbook", "Book", "Blog", "notes", "Note", "Introducing",
     "announcing", "Hello", "Diffusion", "Models", "GAN", "of", "(a)", ":", "-", "ſ", "K",
     "ı", "Ｃourse", "é"]
)  # fmt: skip


@settings(max_examples=400)
@given(st.lists(_WORDS, max_size=5).map(" ".join) | st.text(max_size=40))
def test_no_title_a_pattern_matches_is_passed_over(title: str) -> None:
    """`_may_name_non_paper` may say yes to titles no pattern matches, never no to one
    that a pattern matches (non-ASCII letters that `re.I` folds included)."""
    if any(pattern.search(title) for pattern, _ in _NON_PAPER_TITLE):
        assert _may_name_non_paper(title)


def test_plain_paper_titles_skip_the_patterns() -> None:
    assert not _may_name_non_paper("Denoising Diffusion Probabilistic Models")
    assert _may_name_non_paper("Stanford CS236 Fall 2023")
