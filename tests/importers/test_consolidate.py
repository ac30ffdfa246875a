"""Grouping the rows of an import: the shortcut for rows alone is invisible."""

from __future__ import annotations

from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from genbib.importers import consolidate
from genbib.importers.candidates import build
from genbib.importers.markdown import parse

_TITLES = [
    "Denoising Diffusion Probabilistic Models",
    "Denoising Diffusion Probabilistic Model",  # a dropped plural: the same paper
    "Denosing Diffusion Probabilistic Models",  # a typo: the same paper
    "DDPM: Denoising Diffusion Probabilistic Models",  # a short name before the colon
    "Improved Denoising Diffusion Probabilistic Models",  # another paper
    "Scalable Diffusion Models with Transformers",
    "Scalable Diffusion Models with Transformers (DiT)",
    "Generative Adversarial Networks",
    "Auto-Encoding Variational Bayes",
]
_LINKS = [
    "",
    "",
    "",
    " [[arXiv](https://arxiv.org/abs/2006.11239)]",
    " [[arXiv](https://arxiv.org/pdf/2006.11239v2.pdf)]",
    " [[arXiv](https://arxiv.org/abs/2212.09748)]",
    " [[paper](https://proceedings.neurips.cc/paper/2020/hash/4c5bcfec8584af0d967f1ab10179ca4b-Abstract.html)]",
    " [[pdf](https://openreview.net/pdf?id=abc123)]",
    " [[code](https://github.com/hojonathanho/diffusion)]",
]
_ROWS = st.lists(
    st.tuples(st.sampled_from(_TITLES), st.sampled_from(_LINKS), st.sampled_from(_LINKS)),
    min_size=1,
    max_size=6,
)


def _grouped(markdown: str) -> list[list[int]]:
    parsed = parse(markdown, "list.md")
    cands = [build(row, []) for row in parsed.rows]
    return [[c.row.line for c in g.members] for g in consolidate.group(cands)]


@settings(max_examples=300, deadline=None)
@given(_ROWS)
def test_rows_alone_group_as_through_the_index(rows: list[tuple[str, str, str]]) -> None:
    """The same groups, in the same order, with every row looked up and filed."""
    markdown = "# Papers\n\n" + "".join(f"- {t}{a}{b}\n" for t, a, b in rows)
    fast = _grouped(markdown)
    with patch.object(consolidate, "_alone", lambda cands, feats: [False] * len(cands)):
        slow = _grouped(markdown)
    assert fast == slow


def test_a_row_is_alone_only_when_it_shares_no_key() -> None:
    markdown = (
        "# Papers\n\n"
        "- Denoising Diffusion Probabilistic Models [[arXiv](https://arxiv.org/abs/2006.11239)]\n"
        "- Generative Adversarial Networks\n"
        "- Some Other Title Entirely [[pdf](https://arxiv.org/pdf/2006.11239v1.pdf)]\n"
    )
    cands = [build(row, []) for row in parse(markdown, "list.md").rows]
    feats = [consolidate.features(consolidate._probe(c)) for c in cands]
    assert consolidate._alone(cands, feats) == [False, True, False]
