"""The guard and the fill policy: what is accepted, what is filled, what is recorded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from genbib.enrich import provenance
from genbib.enrich.apply import apply, complete_preprint
from genbib.enrich.candidate import Candidate
from genbib.enrich.clean import clean_text, clean_url
from genbib.enrich.guard import judge, title_score
from genbib.model.entry import Entry
from genbib.model.names import Name
from genbib.model.untrusted import KEPT_FORMAT

HO = (Name("Jonathan", "", "Ho"), Name("Ajay", "", "Jain"), Name("Pieter", "", "Abbeel"))


def entry(**fields: str) -> Entry:
    e = Entry("misc", "k")
    for k, v in fields.items():
        e.set(k, v)
    return e


words = st.lists(
    st.sampled_from(
        "diffusion score model latent image video flow masked "
        "autoregressive consistency denoising".split()
    ),
    min_size=2,
    max_size=8,
).map(" ".join)


@given(words, st.integers(1990, 2030))
def test_the_same_paper_is_always_accepted(title: str, year: int) -> None:
    e = entry(title=title.title(), year=str(year), author="Ho, Jonathan and Jain, Ajay")
    cand = Candidate("x", title=title.upper() + ".", authors=HO, year=year + 1)
    assert judge(e, cand).accepted


@given(words, words)
def test_title_score_is_symmetric(a: str, b: str) -> None:
    assert title_score(a, b) == title_score(b, a)


def test_guard_reasons() -> None:
    e = entry(
        title="Denoising Diffusion Probabilistic Models",
        year="2020",
        author="Ho, Jonathan and others",
    )
    assert judge(
        e, Candidate("x", "Denoising diffusion probabilistic models", HO, True, 2020)
    ).accepted
    other = judge(
        e,
        Candidate(
            "x",
            "Improved Denoising Diffusion Probabilistic Models",
            (Name("Alex", "", "Nichol"),),
            True,
            2021,
        ),
    )
    assert not other.accepted and len(other.reasons) == 2
    assert not judge(e, Candidate("x", e.title, HO, True, 2015)).accepted


def test_truncated_authors_are_completed_but_never_replaced() -> None:
    e = entry(title="T", author="Ho, Jonathan and others")
    apply(e, Candidate("dblp", "T", HO))
    assert e.get("author") == "Ho, Jonathan and Jain, Ajay and Abbeel, Pieter"
    assert provenance.sources(e) == {"author": "dblp"}
    before = e.get("author")
    apply(e, Candidate("other", "T", (Name("A", "", "Ho"), Name("B", "", "Zed"))))
    assert e.get("author") == before  # a complete list is the lab's; never overwritten
    partial = entry(title="T", author="Ho, Jonathan and others")
    apply(partial, Candidate("x", "T", (Name("X", "", "Else"), *HO)))
    assert partial.get("author") == "Ho, Jonathan and others"  # does not start the same way


def test_published_venue_upgrades_a_preprint_only() -> None:
    e = entry(title="T", year="2020", journal="arXiv preprint arXiv:2006.11239")
    e.type = "article"
    apply(
        e,
        Candidate(
            "dblp",
            "T",
            year=2021,
            type="inproceedings",
            fields=(("booktitle", "International Conference on Learning Representations"),),
        ),
    )
    assert e.type == "inproceedings" and e.get("journal") is None
    assert e.get("booktitle") == "International Conference on Learning Representations"
    assert e.get("year") == "2021"
    assert provenance.sources(e)["entrytype"] == "dblp"
    apply(e, Candidate("crossref", "T", type="article", fields=(("journal", "TPAMI"),)))
    assert e.get("booktitle") == "International Conference on Learning Representations"


def test_preprints_are_completed_for_bibtex() -> None:
    art = entry(title="T", eprint="2006.11239")
    art.type = "article"
    complete_preprint(art)
    assert art.get("journal") == "arXiv preprint arXiv:2006.11239"
    proc = entry(title="T", eprint="2006.11239")
    proc.type = "inproceedings"
    complete_preprint(proc)
    assert proc.type == "misc"
    assert complete_preprint(entry(title="no arXiv")) == []


def test_explain_lists_every_field_with_its_source() -> None:
    e = entry(title="T", year="2020")
    apply(e, Candidate("arxiv", "T", HO, arxiv="2006.11239"))
    rows = {f: s for f, s, _ in provenance.explain(e)}
    assert rows["title"] == "input" and rows["author"] == "arxiv" and rows["eprint"] == "arxiv"
    assert "fieldsources" not in rows


def test_clean_text_and_url() -> None:
    assert (
        clean_text("A <i>cool</i> title \\write18{rm -rf} ^^5c\u202e\x07")
        == "A cool title \\textbackslash{}write18{rm -rf} ^{}^5c"
    )
    # API text spelled in LaTeX (arXiv): what is on the allowlist is kept as written
    assert clean_text("$\\alpha$-VAE &amp; more") == "$\\alpha$-VAE \\& more"
    assert clean_text("Anciukevi{\\v{c}}ius") == "Anciukevi{\\v{c}}ius"
    # a kept command cannot swallow letters when an unmatched brace goes
    assert clean_text("\\i{nput x") == "\\textbackslash{}input x"
    # a command no list of bad names has: typeset, never run
    assert clean_text("\\begin{filecontents}[overwrite]{a.tex}").startswith("\\textbackslash{}")
    # an entity cannot become a tag after the tags were dropped
    assert clean_text("&lt;script&gt;x&lt;/script&gt;") == "x"
    # TeX specials typeset as written; escaped ones are not escaped twice
    assert clean_text("50% faster, #1 & Q\\&A, 5\\%") == "50\\% faster, \\#1 \\& Q\\&A, 5\\%"
    assert clean_url("javascript:alert(1)") == ""
    assert clean_url("https://ok.example/x") == "https://ok.example/x"
    assert clean_url("https://x.example/{\\input}") == ""


@given(st.text(alphabet=st.characters(categories=["Cc", "Cf"]), min_size=1))
def test_no_control_or_format_character_survives(junk: str) -> None:
    """Only the joiners and the soft hyphen stay (genbib.model.untrusted.KEPT_FORMAT: emoji and
    Persian and Indic words need them, as imported text always kept them)."""
    out = clean_text(f"a{junk}b")
    assert all(c.isprintable() or c == " " or c in KEPT_FORMAT for c in out)
