"""`%`-comment wrapping in the stubs: textwrap's lines, in linear time, for any annotation.

Annotations are untrusted text from lists and Zotero and may be megabytes long; the
stubs carry them as `% Note:` comment lines. The wrapper must give exactly the lines
textwrap gave before (the committed stubs do not change) and stay linear.
"""

from __future__ import annotations

import itertools
import random
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from genbib.bibtex.reader import parse
from genbib.config import Config
from genbib.render import render
from genbib.render.engine import _tex_comment, wrap
from genbib.render.escape import tex_comment

WORDS = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=30,
)


def _textwrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=60), st.integers(min_value=1, max_value=100))
def test_the_same_lines_as_textwrap(words: list[str], width: int) -> None:
    text = tex_comment(" ".join(words))  # what the filter wraps: one line, single spaces
    assert wrap(text, width) == _textwrap(text, width)


@given(st.text(max_size=400))
def test_any_text_wraps_like_textwrap_after_cleaning(raw: str) -> None:
    text = tex_comment(raw)
    assert wrap(text, 86) == _textwrap(text, 86)
    assert _tex_comment(raw) == (text if len(text) <= 86 else "\n% ".join(_textwrap(text, 86)))


def test_long_words_stand_alone_unbroken() -> None:
    url = "https://example.org/" + "x" * 120
    assert wrap(f"see {url} and more", 10) == ["see", url, "and more"]
    assert wrap(url, 10) == [url]


def test_a_multi_megabyte_annotation_is_wrapped_whole(config: Config) -> None:
    """Every word of a 6 MB annotation (with unknown LaTeX commands, which stay visible
    text inside the comment) is in the stub's `% ` lines, in order, greedily filled."""
    rng = random.Random(7)
    vocabulary = ["diffusion", "score", "é", "naïve", "x" * 95, "50%", "\\input", "»", "a-b"]
    annotation = " ".join(rng.choice(vocabulary) for _ in range(400_000))
    assert len(annotation) > 3_000_000
    bib = (
        "@misc{big2024note, title={Big}, author={Doe, Jane}, year={2024}, topics={flows},\n"
        f"  annotation={{{annotation}}}}}\n"
    )
    rendering = render(parse(bib, "big.bib"), config, topic="flows", formats=("tex",))
    stub = rendering.outputs[0].text
    after = stub[stub.index("% Note: ") :].split("\n")
    lines = list(itertools.takewhile(lambda line: line.startswith("% "), after))
    body = [lines[0].removeprefix("% Note: ")] + [line[2:] for line in lines[1:]]
    assert " ".join(body) == annotation  # every word, in order, nothing lost or added
    for line, following in itertools.pairwise(body):
        assert len(line) <= 86 or " " not in line  # only a long word stands over the width
        assert len(line) + 1 + len(following.split(" ")[0]) > 86  # greedy: no room left
    assert after[len(lines)] == "The work of \\citet{big2024note} appeared in 2024."
