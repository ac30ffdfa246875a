"""The entry model: raw fields in, typed views out, set() always writes valid BibTeX."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from genbib.model import LINK_FIELDS, Entry, Link, LinkKind, Name
from genbib.model.identifiers import canonical_url


def _e(**fields: str) -> Entry:
    return Entry("article", "k", {k: v for k, v in fields.items()})


def test_get_strips_delimiters_and_set_braces() -> None:
    e = _e(title="{A {B} c}", note='"quoted"', month="dec", year="2020")
    assert e.get("title") == "A {B} c"
    assert e.get("note") == "quoted"
    assert e.get("month") == "dec"
    assert e.get("missing") is None and e.get("missing", "x") == "x"
    e.set("title", "New {unbalanced")
    assert e.fields["title"] == "{New unbalanced}"
    e.set("title", "  ")
    assert "title" not in e
    e.set("note", None)
    assert "note" not in e.fields


def test_year_from_year_or_date() -> None:
    assert _e(year="{2020}").year == 2020
    assert _e(date="{2021-05-04}").year == 2021
    assert _e(year="{to appear}").year is None
    assert _e().year is None


def test_names_and_set_names() -> None:
    e = _e(author="{van der Berg, Jr, Jan and {OpenAI} and Ho, J. and others}")
    names = e.names()
    assert names[0] == Name(first="Jan", von="van der", last="Berg", jr="Jr")
    assert names[1].last == "{OpenAI}"
    assert names[3].is_others
    e.set_names([Name(first="Jonathan", last="Ho"), Name(last="others")])
    assert e.get("author") == "Ho, Jonathan and others"


def test_identifiers_from_any_field() -> None:
    assert _e(eprint="{2006.11239v2}").arxiv == "2006.11239"
    assert _e(doi="{10.48550/arXiv.2006.11239}").arxiv == "2006.11239"
    assert _e(url="{https://arxiv.org/pdf/2006.11239v1.pdf}").arxiv == "2006.11239"
    assert _e(eprint="{PMC1}", archiveprefix="{PubMed}").arxiv is None
    assert _e(doi="{https://doi.org/10.1000/ABC}").doi == "10.1000/abc"
    assert _e(pdf="{https://openreview.net/pdf?id=abc-XY}").openreview == "abc-XY"


def test_topics_and_aliases() -> None:
    e = _e(topics="{gans, diffusion;  vae}")
    assert e.topics == ["gans", "diffusion", "vae"]
    e.set_topics(["vae", "gans", "vae"])
    assert e.get("topics") == "gans, vae"
    e.add_alias("old")
    e.add_alias("old")
    e.add_alias("k")  # its own key is never an alias
    assert e.aliases == ["old"]


def test_links() -> None:
    e = _e(url="{https://arxiv.org/abs/2006.11239}")
    assert e.add_link(Link(LinkKind.CODE, "https://github.com/a/b"))
    assert not e.add_link(Link(LinkKind.OTHER, "https://arxiv.org/pdf/2006.11239v3"))  # same page
    assert e.add_link(Link(LinkKind.PAPER, "https://papers.nips.cc/x"))  # url taken: goes to links
    assert e.add_link(Link(LinkKind.CODE, "https://github.com/c/d"))
    assert [(link.kind, link.url) for link in e.links()] == [
        (LinkKind.PAPER, "https://arxiv.org/abs/2006.11239"),
        (LinkKind.CODE, "https://github.com/a/b"),
        (LinkKind.CODE, "https://github.com/c/d"),
        (LinkKind.OTHER, "https://papers.nips.cc/x"),
    ]


def test_copy_is_independent() -> None:
    e = _e(title="{x}")
    c = e.copy()
    c.set("title", "y")
    assert e.title == "x" and c.title == "y"


_URLS = st.sampled_from(
    [
        "https://arxiv.org/abs/2006.11239",
        "https://arxiv.org/pdf/2006.11239v2",
        "http://arxiv.org/abs/2006.11239/",
        "https://github.com/a/b",
        "https://github.com/a/b/",
        "https://papers.nips.cc/x",
        "https://openreview.net/forum?id=abc",
        "https://openreview.net/pdf?id=abc",
        "https://example.org/p?utm_source=x",
        "https://example.org/p",
        "https://example.org/{odd",
        "https://example.org/odd}",
    ]
)


@given(
    st.dictionaries(st.sampled_from(["url", "pdf", "code", "links"]), _URLS, max_size=3),
    st.lists(st.tuples(st.sampled_from(list(LinkKind)), _URLS), max_size=8),
)
def test_add_links_is_add_link_in_turn(
    start: dict[str, str], links: list[tuple[LinkKind, str]]
) -> None:
    """The bulk form reads the entry's links once; it must leave the entry exactly as
    adding the links one by one does (first URL wins, `url` overflows into `links`)."""
    one = Entry("misc", "k")
    for name, url in start.items():
        one.set(name, url)
    bulk, single = one.copy(), one.copy()
    added = sum(_add_link_as_it_was(one, Link(kind, url)) for kind, url in links)
    assert bulk.add_links(Link(kind, url) for kind, url in links) == added
    assert bulk.fields == one.fields
    assert sum(single.add_link(Link(kind, url)) for kind, url in links) == added
    assert single.fields == one.fields


def _add_link_as_it_was(e: Entry, link: Link) -> bool:
    """`Entry.add_link` before `add_links` (the reference: every link read at each add)."""
    canon = canonical_url(link.url)
    if any(canonical_url(lk.url) == canon for lk in e.links()):
        return False
    name = LINK_FIELDS[link.kind]
    if name == "url" and e.get("url"):
        name = LINK_FIELDS[LinkKind.OTHER]
    current = e.get(name)
    e.set(name, f"{current} {link.url}" if current else link.url)
    return True
