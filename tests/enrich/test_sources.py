"""Each source's pure mapping on responses recorded in its documented format."""

from __future__ import annotations

import pytest
from enrich_fakes import data

from genbib.enrich.cache import Reply
from genbib.enrich.candidate import SourceFormatError
from genbib.enrich.sources import arxiv, crossref, dblp, github, huggingface, openalex, openreview
from genbib.model.entry import Entry, LinkKind


def entry(**fields: str) -> Entry:
    e = Entry("misc", "k")
    for k, v in fields.items():
        e.set(k, v)
    return e


# --- arXiv -------------------------------------------------------------------------
def test_arxiv_atom() -> None:
    [c] = arxiv.parse(data("arxiv_2006.11239.xml"))
    assert c.title == "Denoising Diffusion Probabilistic Models"
    assert [n.bibtex() for n in c.authors] == ["Ho, Jonathan", "Jain, Ajay", "Abbeel, Pieter"]
    assert (c.year, c.arxiv, c.type) == (2020, "2006.11239", "")
    assert ("primaryclass", "cs.LG") in c.fields
    assert c.url == "https://arxiv.org/abs/2006.11239" and c.by_id


def test_arxiv_journal_ref_and_doi() -> None:
    [c] = arxiv.parse(data("arxiv_journal_ref.xml"))
    assert c.title == "Deep Unsupervised Learning using Nonequilibrium Thermodynamics"
    assert c.type == "inproceedings"
    assert ("booktitle", "International Conference on Machine Learning") in c.fields
    assert c.doi == "10.5555/3045118.3045358" and c.year == 2015


def test_arxiv_empty_error_malformed() -> None:
    assert arxiv.parse(data("arxiv_empty.xml")) == []
    with pytest.raises(SourceFormatError, match="incorrect id format"):
        arxiv.parse(data("arxiv_error.xml"))
    with pytest.raises(SourceFormatError, match="not XML"):
        arxiv.parse(data("arxiv_malformed.xml"))
    with pytest.raises(SourceFormatError, match="DTD"):
        arxiv.parse('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><feed/>')
    with pytest.raises(SourceFormatError, match="Atom feed"):
        arxiv.parse("<html><body>Service unavailable</body></html>")


def test_arxiv_lookup_by_id_only() -> None:
    [req] = arxiv.lookups(entry(url="https://arxiv.org/pdf/2006.11239v2.pdf"))
    assert ("id_list", "2006.11239") in req.params
    assert arxiv.lookups(entry(title="No id")) == []


# --- Crossref ----------------------------------------------------------------------
def test_crossref_work() -> None:
    [c] = crossref.parse(data("crossref_work.json"))
    assert c.title == "High-Resolution Image Synthesis with Latent Diffusion Models"
    assert c.authors[0].bibtex() == "Rombach, Robin" and len(c.authors) == 5
    assert (c.year, c.type, c.doi) == (2022, "inproceedings", "10.1109/cvpr52688.2022.01042")
    fields = dict(c.fields)
    assert fields["booktitle"] == "IEEE/CVF Conference on Computer Vision and Pattern Recognition"
    assert fields["pages"] == "10674--10685" and fields["publisher"] == "IEEE"
    assert c.by_id


def test_crossref_search_uses_book_title_not_series() -> None:
    cands = crossref.parse(data("crossref_search.json"))
    assert len(cands) == 2 and not any(c.by_id for c in cands)
    assert dict(cands[1].fields)["booktitle"] == "European Conference on Computer Vision"
    assert dict(cands[1].fields)["volume"] == "13679"


def test_crossref_empty_and_malformed() -> None:
    assert crossref.parse(data("crossref_empty.json")) == []
    with pytest.raises(SourceFormatError, match="not JSON"):
        crossref.parse(data("crossref_malformed.json"))
    with pytest.raises(SourceFormatError):
        crossref.parse('{"status": "failed", "message-type": "validation-failure", "message": []}')
    with pytest.raises(SourceFormatError):
        crossref.parse("[1, 2]")


def test_crossref_lookups() -> None:
    [by_doi] = crossref.lookups(entry(doi="10.1109/CVPR52688.2022.01042", title="x"))
    assert by_doi.url.endswith("/works/10.1109/cvpr52688.2022.01042")
    [search] = crossref.lookups(entry(title="Some Paper", author="Ho, Jonathan and others"))
    params = dict(search.params)
    assert params["query.bibliographic"] == "Some Paper" and params["query.author"] == "Ho"
    published = entry(title="Some Paper", booktitle="ICML")
    assert crossref.lookups(published) == []  # nothing to learn by title


# --- DBLP --------------------------------------------------------------------------
def test_dblp_finds_published_and_corr_versions() -> None:
    cands = dblp.parse(data("dblp_ddpm.json"))
    assert [c.title for c in cands] == [
        "Improved Denoising Diffusion Probabilistic Models",
        "Denoising Diffusion Probabilistic Models",
        "Denoising Diffusion Probabilistic Models",
    ]
    neurips, corr = cands[1], cands[2]
    assert neurips.type == "inproceedings" and neurips.published
    assert dict(neurips.fields)["booktitle"] == "Advances in Neural Information Processing Systems"
    assert neurips.authors[0].bibtex() == "Ho, Jonathan"  # homonym number "0001" dropped
    assert corr.arxiv == "2006.11239" and not corr.published


def test_dblp_single_author_journal_and_empty() -> None:
    [c] = dblp.parse(data("dblp_single_author.json"))
    assert [n.bibtex() for n in c.authors] == ["Author, Solo"]
    assert (
        c.type == "article"
        and dict(c.fields)["journal"] == "Transactions on Machine Learning Research"
    )
    assert c.doi == "10.5555/tmlr.2023.1"
    assert dblp.parse(data("dblp_empty.json")) == []
    with pytest.raises(SourceFormatError):
        dblp.parse('{"result": {"hits": {"hit": {"not": "a list"}}}}')
    with pytest.raises(SourceFormatError):
        dblp.parse("<html>429 Too Many Requests</html>")


# --- OpenAlex ----------------------------------------------------------------------
def test_openalex_work() -> None:
    [c] = openalex.parse(data("openalex_work.json"))
    assert c.title == "Denoising Diffusion Probabilistic Models" and c.year == 2020
    assert c.arxiv == "2006.11239" and c.doi == ""  # the arXiv DOI is not a published DOI
    assert c.type == "inproceedings"
    assert ("pages", "6840--6851") in c.fields and ("volume", "33") in c.fields
    [req] = openalex.lookups(entry(eprint="2006.11239"))
    assert req.url.endswith("/works/doi:10.48550/arxiv.2006.11239")
    with pytest.raises(SourceFormatError):
        openalex.parse("not json")
    assert openalex.parse("{}") == []


# --- Hugging Face ------------------------------------------------------------------
def test_huggingface_links() -> None:
    [c] = huggingface.parse(data("huggingface_paper.json"))
    assert c.arxiv == "2006.11239"
    assert {(link.kind, link.url) for link in c.links} == {
        (LinkKind.CODE, "https://github.com/hojonathanho/diffusion"),
        (LinkKind.PROJECT, "https://hojonathanho.github.io/diffusion/"),
    }
    assert huggingface.parse(data("huggingface_404.json")) == []


def test_huggingface_untrusted_values_are_neutralised() -> None:
    [c] = huggingface.parse(data("huggingface_evil.json"))
    assert c.links == ()  # javascript: and data: links never survive
    assert "\u202e" not in c.title
    assert "\\input" not in c.authors[0].bibtex()


# --- GitHub ------------------------------------------------------------------------
def test_github_repo_facts() -> None:
    ok = github.parse_repo("hojonathanho/diffusion", Reply(200, data("github_repo.json"), "u", 0.0))
    assert ok.exists and ok.stars == 4100 and not ok.archived
    moved = github.parse_repo("oldorg/old", Reply(200, data("github_renamed.json"), "u", 0.0))
    assert moved.full_name == "neworg/new-name" and moved.archived
    gone = github.parse_repo("x/y", Reply(404, data("github_404.json"), "u", 0.0))
    assert not gone.exists
    with pytest.raises(SourceFormatError):
        github.parse_repo("x/y", Reply(200, "{}", "u", 0.0))


def test_github_readme_names_the_paper() -> None:
    assert github.parse_readme(data("github_readme.json")) == ["2303.01469", "2206.00364"]
    with pytest.raises(SourceFormatError):
        github.parse_readme('{"encoding": "utf-8", "content": "x"}')


# --- OpenReview --------------------------------------------------------------------
def test_openreview_note() -> None:
    [c] = openreview.parse(data("openreview_note.json"))
    assert c.title.startswith("Score-Based Generative Modeling")
    assert len(c.authors) == 6 and c.authors[2].bibtex() == "Kingma, Diederik P"
    assert (c.year, c.type) == (2021, "inproceedings")
    assert ("presentation", "Oral") in c.fields
    assert c.url == "https://openreview.net/forum?id=PxTIG12RRHS"
    assert openreview.parse('{"notes": []}') == []
    with pytest.raises(SourceFormatError):
        openreview.parse('{"count": 0}')
