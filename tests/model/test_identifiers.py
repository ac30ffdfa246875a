"""Identifier normalisation: one spelling per paper, whatever the source wrote."""

from __future__ import annotations

import pytest

from genbib.model import identifiers as ids


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2006.11239", "2006.11239"),
        ("2006.11239v3", "2006.11239"),
        ("arXiv:2006.11239", "2006.11239"),
        ("https://arxiv.org/abs/2006.11239v2", "2006.11239"),
        ("http://arxiv.org/pdf/2006.11239.pdf", "2006.11239"),
        ("https://arxiv.org/html/2006.11239v1", "2006.11239"),
        ("10.48550/arXiv.2006.11239", "2006.11239"),
        ("https://doi.org/10.48550/ARXIV.2006.11239", "2006.11239"),
        ("hep-th/9901001v2", "hep-th/9901001"),
        ("math.gt/0309136", "math.GT/0309136"),
        ("1234.5", None),
        ("", None),
        (None, None),
    ],
)
def test_arxiv_id(text: str | None, expected: str | None) -> None:
    assert ids.arxiv_id(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.1000/ABC.def", "10.1000/abc.def"),
        ("https://doi.org/10.1000/x", "10.1000/x"),
        ("https://dx.doi.org/10.1000/x.", "10.1000/x"),
        ("doi: 10.1000/x", "10.1000/x"),
        ("11.1000/x", None),
        ("not a doi", None),
    ],
)
def test_doi(text: str, expected: str | None) -> None:
    assert ids.doi(text) == expected


def test_other_identifiers() -> None:
    assert ids.arxiv_doi("2006.11239") == "10.48550/arxiv.2006.11239"
    assert ids.openreview_id("https://openreview.net/forum?id=PxTIG12RRHS") == "PxTIG12RRHS"
    assert ids.openreview_id("https://openreview.net/pdf?foo=1&id=x-y") == "x-y"
    assert ids.github_repo("https://github.com/openai/guided-diffusion/tree/main") == (
        "openai/guided-diffusion"
    )
    assert ids.github_repo("https://github.com/a/b.git") == "a/b"
    assert ids.github_repo("https://github.com/topics/diffusion") is None


@pytest.mark.parametrize(
    ("url", "canon"),
    [
        ("http://www.Example.org/a/?utm_source=x&b=2#frag", "https://example.org/a?b=2"),
        ("https://arxiv.org/pdf/2006.11239v2.pdf", "https://arxiv.org/abs/2006.11239"),
        ("https://openreview.net/pdf?id=abc", "https://openreview.net/forum?id=abc"),
        ("javascript:alert(1)", "javascript:alert(1)"),
    ],
)
def test_canonical_url(url: str, canon: str) -> None:
    assert ids.canonical_url(url) == canon


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://a.org", True),
        ("HTTP://a.org/x", True),
        ("javascript:alert(1)", False),
        ("data:text/html,x", False),
        ("file:///etc/passwd", False),
        ("https://", False),
        ("a.org", False),
    ],
)
def test_is_http_url(url: str, ok: bool) -> None:
    assert ids.is_http_url(url) is ok
