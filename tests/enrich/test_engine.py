"""The enrichment run end to end on recorded responses: accept, reject, links, offline."""

from __future__ import annotations

from typing import Any

import httpx2
from enrich_fakes import FakeAPI, json_file, xml_file

from genbib.bibtex.reader import parse
from genbib.bibtex.writer import dumps
from genbib.enrich import provenance
from genbib.enrich.engine import Enricher, EnrichResult
from genbib.model.library import Library

DBLP = "https://dblp.org/search/publ/api"
ARXIV = "https://export.arxiv.org/api/query"
HF = "https://huggingface.co/api/papers/"
OA = "https://api.openalex.org/works/"
CR = "https://api.crossref.org/works"
GH = "https://api.github.com/repos/"


def library(text: str) -> Library:
    return parse(text, "lab.bib")


def ddpm_api(api: FakeAPI) -> None:
    api.add(DBLP, json_file("dblp_ddpm.json"))
    api.add(ARXIV, xml_file("arxiv_2006.11239.xml"))
    api.add(HF + "2006.11239", json_file("huggingface_paper.json"))
    api.add(OA, json_file("openalex_work.json"))
    api.add(CR, json_file("crossref_empty.json"))
    api.add(GH + "hojonathanho/diffusion", json_file("github_repo.json"))


def run(
    lib: Library,
    fetcher: Any,
    sources: tuple[str, ...] = ("arxiv", "crossref", "dblp", "openalex", "huggingface", "github"),
    **kw: Any,
) -> EnrichResult:
    return Enricher(fetcher, sources, **kw).run(lib.entries, lib.entries)


TITLE_ONLY = """@misc{ho2020denoising,
  title = {Denoising Diffusion Probabilistic Models},
  year = {2020},
}
"""


def test_title_only_entry_becomes_complete(api: FakeAPI, make_fetcher: Any) -> None:
    ddpm_api(api)
    lib = library(TITLE_ONLY)
    result = run(lib, make_fetcher())
    e = lib.entries[0]
    assert e.type == "inproceedings"
    assert e.get("booktitle") == "Advances in Neural Information Processing Systems"
    assert e.get("author") == "Ho, Jonathan and Jain, Ajay and Abbeel, Pieter"
    assert e.get("eprint") == "2006.11239" and e.get("archiveprefix") == "arXiv"
    assert e.get("code") == "https://github.com/hojonathanho/diffusion"
    assert e.get("project") == "https://hojonathanho.github.io/diffusion/"
    src = provenance.sources(e)
    assert src["booktitle"] == "dblp" and src["author"] == "dblp" and src["eprint"] == "dblp"
    assert src["code"] == "huggingface" and src["entrytype"] == "dblp"
    assert src["pages"] == "openalex"  # DBLP's search hit has no pages; OpenAlex had them
    assert not [p for p in result.problems if p.severity.value != "info"], result.problems
    assert result.repos["hojonathanho/diffusion"].stars == 4100
    # The published version won over the "Improved DDPM" hit that DBLP ranked first.
    assert "Nichol" not in (e.get("author") or "")


def test_second_run_changes_nothing_and_output_is_deterministic(
    api: FakeAPI, make_fetcher: Any
) -> None:
    ddpm_api(api)
    a, b = library(TITLE_ONLY), library(TITLE_ONLY)
    run(a, make_fetcher(), workers=1)
    run(b, make_fetcher(), workers=16)
    assert dumps(a) == dumps(b)
    again = run(a, make_fetcher())
    assert again.changes == []


def test_identifier_naming_another_paper_is_a_finding(api: FakeAPI, make_fetcher: Any) -> None:
    # The list copied the wrong arXiv id: it is "Improved DDPM", not DDPM.
    api.add(ARXIV, xml_file("arxiv_other_paper.xml"))
    lib = library("""@misc{ho2020denoising,
  author = {Ho, Jonathan and others},
  title = {Denoising Diffusion Probabilistic Models},
  year = {2020},
  eprint = {2102.09672},
}
""")
    before = dumps(lib)
    result = run(lib, make_fetcher(), ("arxiv",))
    assert dumps(lib) == before  # nothing taken from the other paper
    [p] = result.problems
    assert p.code == "enrich-mismatch" and p.key == "ho2020denoising"
    assert "Improved Denoising" in p.message and "title differs" in p.message


def test_lookalike_with_other_authors_is_rejected(api: FakeAPI, make_fetcher: Any) -> None:
    # Same title as a DBLP hit, but another paper: different authors and year.
    api.add(DBLP, json_file("dblp_ddpm.json"))
    api.add(CR, json_file("crossref_empty.json"))
    lib = library("""@misc{smith2015improved,
  author = {Smith, Jane and Doe, John},
  title = {Improved Denoising Diffusion Probabilistic Models},
  year = {2015},
}
""")
    before = dumps(lib)
    result = run(lib, make_fetcher(), ("dblp", "crossref"))
    assert dumps(lib) == before
    codes = [p.code for p in result.problems]
    assert "enrich-rejected" in codes
    msg = next(p.message for p in result.problems if p.code == "enrich-rejected")
    assert "authors differ" in msg and "year differs" in msg


def test_empty_results_and_bad_responses(api: FakeAPI, make_fetcher: Any) -> None:
    api.add(DBLP, json_file("dblp_empty.json"))
    api.add(CR, json_file("crossref_malformed.json"))
    api.add(ARXIV, httpx2.Response(500, text="Internal Server Error"))
    lib = library("""@misc{x,
  title = {A Paper Nobody Indexed},
  eprint = {2401.00001},
}
""")
    before = dumps(lib)
    result = run(lib, make_fetcher(), ("dblp", "crossref", "arxiv"))
    assert dumps(lib) == before
    codes = sorted(p.code for p in result.problems)
    assert codes == ["enrich-bad-response", "enrich-incomplete", "enrich-unavailable"]


def test_link_findings(api: FakeAPI, make_fetcher: Any) -> None:
    api.add(GH + "FoundationVision/VAR", json_file("github_var.json"))
    api.add(GH + "gone/repo", json_file("github_404.json", status=404))
    api.add(GH + "oldorg/old", json_file("github_renamed.json"))
    lib = library("""@misc{song2021score,
  title = {Score-Based Generative Modeling through Stochastic Differential Equations},
  eprint = {2011.13456},
  url = {https://arxiv.org/abs/2011.13456},
  pdf = {https://arxiv.org/pdf/2010.02502},
  code = {https://github.com/FoundationVision/VAR},
}

@misc{tian2024visual,
  title = {Visual Autoregressive Modeling: Scalable Image Generation via Next-Scale Prediction},
  shortname = {VAR},
  eprint = {2404.02905},
  code = {https://github.com/FoundationVision/VAR},
}

@misc{song2021denoising,
  title = {Denoising Diffusion Implicit Models},
  eprint = {2010.02502},
  code = {https://github.com/gone/repo https://github.com/oldorg/old},
}
""")
    result = run(lib, make_fetcher(), ("github",))
    by = {(p.key, p.code): p.message for p in result.problems}
    assert "belongs to tian2024visual" in by[("song2021score", "link-shared-repo")]
    assert ("tian2024visual", "link-shared-repo") not in by  # VAR is named after its paper
    assert "2010.02502 (that is song2021denoising)" in by[("song2021score", "link-other-paper")]
    assert "does not exist" in by[("song2021denoising", "link-dead-repo")]
    assert ("song2021denoising", "link-archived-repo") in by
    ddim = lib.by_key()["song2021denoising"]
    assert ddim.get("code") == "https://github.com/gone/repo https://github.com/neworg/new-name"
    assert provenance.sources(ddim)["code"] == "github"


def test_code_link_disagreeing_with_the_papers_page(api: FakeAPI, make_fetcher: Any) -> None:
    api.add(HF + "2006.11239", json_file("huggingface_paper.json"))
    lib = library("""@misc{ho2020denoising,
  title = {Denoising Diffusion Probabilistic Models},
  eprint = {2006.11239},
  code = {https://github.com/someone/ddpm-reimplementation},
}
""")
    result = run(lib, make_fetcher(), ("huggingface",))
    [p] = [p for p in result.problems if p.code == "link-code-mismatch"]
    assert "hojonathanho/diffusion" in p.message


def test_offline_lists_what_it_could_not_resolve(make_fetcher: Any) -> None:
    def boom(request: httpx2.Request) -> httpx2.Response:
        raise AssertionError("offline must not connect")

    lib = library(TITLE_ONLY.replace("year = {2020},", "year = {2020},\n  eprint = {2006.11239},"))
    fetcher = make_fetcher(offline=True, transport=httpx2.MockTransport(boom))
    result = run(lib, fetcher)
    sources = sorted({s for _, s, _ in result.unresolved})
    assert sources == ["arxiv", "crossref", "dblp", "huggingface", "openalex"]
    assert all(k == "ho2020denoising" for k, _, _ in result.unresolved)


def test_cache_replays_a_run_offline(api: FakeAPI, make_fetcher: Any) -> None:
    ddpm_api(api)
    online = make_fetcher()
    first = library(TITLE_ONLY)
    run(first, online)
    online.cache.save()
    calls = len(api.calls)
    replay = library(TITLE_ONLY)
    result = run(replay, make_fetcher(offline=True, cache=type(online.cache)(online.cache.path)))
    assert len(api.calls) == calls and result.unresolved == []
    assert dumps(replay) == dumps(first)


def test_untrusted_response_cannot_inject_latex(api: FakeAPI, make_fetcher: Any) -> None:
    api.add(HF + "2006.11239", json_file("huggingface_evil.json"))
    lib = library("""@misc{x,
  title = {Denoising Diffusion Probabilistic Models},
  eprint = {2006.11239},
}
""")
    run(lib, make_fetcher(), ("huggingface",))
    text = dumps(lib)
    assert "\\input" not in text and "javascript:" not in text and "data:" not in text
    assert "\u202e" not in text


def two_papers_feed() -> str:
    """One arXiv batch answer holding two entries (as `id_list=a,b` returns)."""
    one = xml_file("arxiv_2006.11239.xml").text
    other = xml_file("arxiv_other_paper.xml").text
    entry = other[other.index("<entry>") : other.index("</entry>") + len("</entry>")]
    return one.replace("</feed>", entry + "\n</feed>")


BATCH_LIB = """@misc{ddpm,
  title = {Denoising Diffusion Probabilistic Models},
  eprint = {2006.11239},
}

@misc{iddpm,
  title = {Improved Denoising Diffusion Probabilistic Models},
  eprint = {2102.09672},
}

@misc{missing,
  title = {A Paper arXiv Does Not Have},
  eprint = {2999.00001},
}
"""


def test_arxiv_lookups_are_batched_and_cached_per_paper(api: FakeAPI, make_fetcher: Any) -> None:
    api.add(ARXIV, httpx2.Response(200, text=two_papers_feed()))
    lib = library(BATCH_LIB)
    fetcher = make_fetcher()
    run(lib, fetcher, ("arxiv",))
    assert len(api.calls) == 1  # three papers, one request
    assert api.calls[0].url.params["id_list"] == "2006.11239,2102.09672,2999.00001"
    by = lib.by_key()
    assert by["ddpm"].get("author") == "Ho, Jonathan and Jain, Ajay and Abbeel, Pieter"
    assert by["iddpm"].get("author") == "Nichol, Alex and Dhariwal, Prafulla"
    # Each paper has its own cache record: a later run for one of them is a cache hit,
    # and the unknown id is remembered as not found.
    fetcher.cache.save()
    replay = library(BATCH_LIB)
    offline = make_fetcher(offline=True, cache=type(fetcher.cache)(fetcher.cache.path))
    result = run(replay, offline, ("arxiv",))
    assert result.unresolved == [] and dumps(replay) == dumps(lib)


def test_openalex_lookups_are_batched(api: FakeAPI, make_fetcher: Any) -> None:
    work = json_file("openalex_work.json").text
    api.add(
        "https://api.openalex.org/works?",
        httpx2.Response(200, text='{"meta": {"count": 1}, "results": [' + work + "]}"),
    )
    lib = library(BATCH_LIB)
    result = run(lib, make_fetcher(), ("openalex",))
    assert len(api.calls) == 1
    assert "doi:https://doi.org/10.48550/arxiv.2006.11239|" in api.calls[0].url.params["filter"]
    assert lib.by_key()["ddpm"].get("pages") == "6840--6851"
    assert not [p for p in result.problems if p.code.startswith("enrich-bad")]


def test_a_bad_batch_answer_is_reported_per_entry(api: FakeAPI, make_fetcher: Any) -> None:
    api.add(ARXIV, xml_file("arxiv_malformed.xml"))
    lib = library(BATCH_LIB)
    result = run(lib, make_fetcher(), ("arxiv",))
    bad = sorted(p.key for p in result.problems if p.code == "enrich-bad-response")
    assert bad == ["ddpm", "iddpm", "missing"]
