"""Each source's parser on responses captured from the real services by other projects.

The files under tests/data/enrich/real/ are answers the services really gave, recorded by
well-known client libraries' test suites (origins and licences in SOURCES.md there). They
catch what fixtures written here cannot: today's arXiv feed layout, Crossref records with
an empty `issued` date, GitHub's 301 for a renamed repository, OpenAlex works in journals
genbib's venue table does not know and article numbers given as a one-page range.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from genbib.enrich.cache import Reply
from genbib.enrich.candidate import SourceFormatError
from genbib.enrich.http import Request
from genbib.enrich.sources import arxiv, crossref, github, openalex
from genbib.model.entry import Entry

REAL = Path(__file__).parent.parent / "data" / "enrich" / "real"


def real(name: str) -> str:
    return (REAL / name).read_text(encoding="utf-8")


def test_every_real_payload_has_its_origin_recorded() -> None:
    sources = real("SOURCES.md")
    files = sorted(p.name for p in REAL.iterdir() if p.name != "SOURCES.md")
    assert files, "no captured payloads"
    for name in files:
        assert f"`{name}`" in sources, f"{name} has no line in SOURCES.md"


def arxiv_request(ident: str) -> Request:
    """The request the engine makes for an entry with this arXiv id."""
    e = Entry("misc", "k")
    e.set("url", f"https://arxiv.org/abs/{ident}")
    [req] = arxiv.lookups(e)
    return req


# --- arXiv (recorded by lukasschwab/arxiv.py, April 2026) ---------------------------------
def test_arxiv_single_paper() -> None:
    [c] = arxiv.parse(real("arxiv_1605.08386.xml"))
    assert c.title == "Heat-bath random walks with Markov bases"
    assert [n.bibtex() for n in c.authors] == [
        "Stanley, Caprice",
        "Windisch, Tobias",
    ]
    assert (c.arxiv, c.year) == ("1605.08386", 2016)
    assert ("primaryclass", "math.CO") in c.fields
    assert c.url == "https://arxiv.org/abs/1605.08386"


def test_arxiv_old_style_identifier() -> None:
    [c] = arxiv.parse(real("arxiv_old_style_id.xml"))
    assert c.arxiv == "astro-ph/0601001" and c.year == 2006
    assert c.authors[0].bibtex() == "Gould, Andrew"


def test_arxiv_batch_with_an_unknown_id_splits_what_came_back() -> None:
    """Two ids asked in one request; the service knows only one of them."""
    items = [arxiv_request(ident) for ident in ("0808.05394", "1707.08567")]
    records = arxiv.split(items, real("arxiv_two_ids.xml"))
    assert list(records) == [items[1].key]
    [c] = arxiv.parse(records[items[1].key])
    assert c.arxiv == "1707.08567" and len(c.authors) > 20


def test_arxiv_no_result_and_error_feed() -> None:
    assert arxiv.parse(real("arxiv_no_result.xml")) == []
    with pytest.raises(SourceFormatError, match="incorrect id format for abc"):
        arxiv.parse(real("arxiv_error_400.xml"))


# --- Crossref (recorded by sckott/habanero) ------------------------------------------------
def test_crossref_journal_article() -> None:
    [c] = crossref.parse(real("crossref_journal_article.json"))
    assert c.type == "article" and c.year == 2012
    assert c.doi == "10.1371/journal.pone.0033693"
    assert ("journal", "PLoS ONE") in c.fields and ("pages", "e33693") in c.fields
    assert c.authors[0].bibtex() == "Sadasivan, Shankar" and len(c.authors) == 6


def test_crossref_proceedings_article_without_an_issued_date() -> None:
    """IEEE's record has `issued: {"date-parts": [[null]]}`: no year, and no crash."""
    [c] = crossref.parse(real("crossref_proceedings_article.json"))
    assert c.type == "inproceedings" and c.year is None
    assert dict(c.fields)["booktitle"].startswith("23rd International Conference")
    assert ("pages", "877--882") in c.fields


def test_crossref_nature_article_and_search() -> None:
    [c] = crossref.parse(real("crossref_nature_article.json"))
    assert ("journal", "Scientific Reports") in c.fields and c.year == 2015
    hits = crossref.parse(real("crossref_query.json"))
    assert [h.doi for h in hits] == [
        "10.1093/obo/9780199830060-0238",
        "10.1093/obo/9780199830060-0023",
    ]


# --- OpenAlex (recorded by Future-House/paper-qa, August and September 2025) --------------
def test_openalex_journal_article_outside_the_venue_table() -> None:
    """PNAS is not in genbib's venue table: the journal keeps OpenAlex's name (it used to
    be dropped, with the volume, leaving the work without a venue)."""
    [c] = openalex.parse(real("openalex_work_pnas.json"))
    assert c.title.startswith("Developing functional musculoskeletal tissues through hypoxia")
    assert [n.bibtex() for n in c.authors] == [
        "Makris, Eleftherios",
        "Responte, Donald J.",
        "Paschos, Nikolaos K.",
        "Hu, Jerry C.",
        "Athanasiou, Kyriacos A.",
    ]
    assert (c.year, c.type, c.doi, c.arxiv) == (2014, "article", "10.1073/pnas.1414271111", "")
    assert c.fields == (
        ("journal", "Proceedings of the National Academy of Sciences"),
        ("volume", "111"),
        ("number", "45"),
    )
    assert c.url == "https://doi.org/10.1073/pnas.1414271111"
    assert c.authors_complete and c.by_id


def test_openalex_article_number_is_one_page() -> None:
    """Cell Genomics gives `first_page == last_page == 100814`, an article number."""
    [c] = openalex.parse(real("openalex_work_cell_genomics.json"))
    assert (c.year, c.type, c.doi) == (2025, "article", "10.1016/j.xgen.2025.100814")
    assert c.fields == (("journal", "Cell Genomics"), ("pages", "100814"))
    assert c.authors[0].bibtex() == "Herger, Michael" and len(c.authors) == 6


def test_openalex_list_answer_split_for_an_arxiv_paper() -> None:
    """A `/works` list holding an arXiv preprint (DataCite DOI): cut to the requested
    work, which gives the arXiv id and no venue (arXiv is a repository)."""
    e = Entry("misc", "k")
    e.set("eprint", "2312.07559")
    e.set("archiveprefix", "arXiv")
    [req] = openalex.lookups(e)
    assert req.url == "https://api.openalex.org/works/doi:10.48550/arxiv.2312.07559"
    records = openalex.split([req], real("openalex_list_arxiv_preprint.json"))
    [c] = openalex.parse(records[req.key])
    assert c.title == "PaperQA: Retrieval-Augmented Generative Agent for Scientific Research"
    assert (c.arxiv, c.doi, c.year, c.type, c.fields) == ("2312.07559", "", 2023, "", ())
    assert [n.last for n in c.authors] == [
        "Lála",
        "O’Donoghue",
        "Shtedritski",
        "Cox",
        "Rodriques",
        "White",
    ]


# --- GitHub (recorded by octokit/fixtures) -------------------------------------------------
def reply(body: str, status: int = 200) -> Reply:
    return Reply(status, body, "https://api.github.com/", 0.0)


def test_github_repository() -> None:
    facts = github.parse_repo(
        "octokit-fixture-org/hello-world", reply(real("github_repository.json"))
    )
    assert facts.exists and facts.full_name == "octokit-fixture-org/hello-world"
    assert facts.url == "https://github.com/octokit-fixture-org/hello-world"
    assert not facts.archived


def test_github_renamed_repository_reports_its_new_name() -> None:
    old = "octokit-fixture-org/tmp-scenario-rename-repository-20220719044033126-ukeod"
    facts = github.parse_repo(old, reply(real("github_renamed_repository.json")))
    assert facts.requested == old
    assert facts.full_name == old + "-newname"


def test_github_301_body_is_not_a_repository() -> None:
    """The redirect's own body (followed by the client) is never mistaken for the repo."""
    with pytest.raises(SourceFormatError):
        github.parse_repo("a/b", reply(real("github_moved_301.json")))


def test_requests_name_the_real_endpoints() -> None:
    assert arxiv_request("1605.08386").url == "https://export.arxiv.org/api/query"
    assert github.repo_request("a/b").url == "https://api.github.com/repos/a/b"
