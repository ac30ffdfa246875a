"""The Zotero mapping and the canonical form (`genbib.model.canonical`): an item new to the
bib is read in its kind's canonical form; for a linked entry a value the canonical form
derives from the item is the same as its absence, both ways (no churn, no tex noise)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.zotero.realworld import type_fields

from genbib.bibtex.check import check_library
from genbib.model.canonical import PREPRINT_PREFIX, canonicalize, is_preprint_venue, spell_like
from genbib.model.entry import Entry
from genbib.model.library import Library
from genbib.zotero.mapping import from_item, item_type, to_item, update_item

try:
    from genbib.testing.zotero import translator_items as ti

    TRANSLATOR_ITEMS = ti.load()
except FileNotFoundError:  # the shared corpus is not next to the repository
    TRANSLATOR_ITEMS = []

SCHEMA = type_fields()

# The shapes an arXiv paper has in members' libraries. The arXiv translator's own test
# cases are reserved (not in ../shared), so these follow the fields Zotero's schema gives
# each type and what the Connector writes: the arXiv.org translator since Zotero 7
# (`preprint`, `archiveID`, `repository`, arXiv DOI, `arXiv:ID [class]` in extra), the
# same translator before the preprint type (`journalArticle`, `publicationTitle =
# "arXiv:ID [cs]"`, `arXiv: ID` in extra), DBLP's CoRR records and a Google Scholar
# import of natbib's own `journal = {arXiv preprint arXiv:ID}`.
ARXIV_ITEMS: dict[str, dict[str, Any]] = {
    "preprint": {
        "itemType": "preprint",
        "title": "Elucidating the Design Space of Diffusion-Based Generative Models",
        "creators": [{"creatorType": "author", "firstName": "Tero", "lastName": "Karras"}],
        "date": "2022-10-11", "repository": "arXiv", "archiveID": "arXiv:2206.00364",
        "DOI": "10.48550/arXiv.2206.00364", "url": "http://arxiv.org/abs/2206.00364",
        "libraryCatalog": "arXiv.org", "extra": "arXiv:2206.00364 [cs, stat]",
    },
    "journalArticle, arXiv translator before Zotero 7": {
        "itemType": "journalArticle", "title": "Auto-Encoding Variational Bayes",
        "creators": [{"creatorType": "author", "firstName": "Diederik P.", "lastName": "Kingma"}],
        "date": "2013-12-20", "publicationTitle": "arXiv:1312.6114 [cs, stat]",
        "url": "http://arxiv.org/abs/1312.6114", "extra": "arXiv: 1312.6114",
        "libraryCatalog": "arXiv.org",
    },
    "journalArticle, DBLP CoRR": {
        "itemType": "journalArticle", "title": "Flow Matching for Generative Modeling",
        "creators": [{"creatorType": "author", "firstName": "Yaron", "lastName": "Lipman"}],
        "date": "2022", "publicationTitle": "CoRR", "volume": "abs/2210.02747",
        "url": "https://arxiv.org/abs/2210.02747", "DOI": "10.48550/ARXIV.2210.02747",
    },
    "journalArticle, Google Scholar": {
        "itemType": "journalArticle", "title": "Hierarchical Text-Conditional Image Generation",
        "creators": [{"creatorType": "author", "firstName": "Aditya", "lastName": "Ramesh"}],
        "date": "2022", "publicationTitle": "arXiv preprint arXiv:2204.06125",
    },
    "conferencePaper named arXiv": {
        "itemType": "conferencePaper", "title": "Scalable Diffusion Models with Transformers",
        "creators": [{"creatorType": "author", "firstName": "William", "lastName": "Peebles"}],
        "date": "2022-12-19", "proceedingsTitle": "arXiv", "DOI": "10.48550/arXiv.2212.09748",
    },
}  # fmt: skip


def flags(entry: Entry) -> set[str]:
    return {p.code.split("-")[0] for p in check_library(Library([entry]))}


def is_arxiv_item(item: dict[str, Any]) -> bool:
    venue = " ".join(str(item.get(f) or "") for f in ("publicationTitle", "proceedingsTitle"))
    archive = str(item.get("archiveID") or "")
    return archive.lower().startswith("arxiv:") or is_preprint_venue(venue)


# --- items new to the bib: the canonical form ------------------------------------------


@pytest.mark.parametrize("name", sorted(ARXIV_ITEMS))
def test_an_arxiv_item_new_to_the_bib_is_a_canonical_preprint(name: str) -> None:
    e = from_item(ARXIV_ITEMS[name])
    assert e.type == "misc" and "E015" not in flags(e)
    assert e.get("howpublished") == PREPRINT_PREFIX + (e.arxiv or "?")
    assert e.get("eprint") == e.arxiv and e.get("archiveprefix") == "arXiv"
    assert not {"journal", "booktitle"} & set(e.fields)
    assert "abs/" not in (e.get("volume") or "")  # CoRR's volume is no volume
    assert item_type(e) == ARXIV_ITEMS[name]["itemType"]  # the member's type is kept


def test_every_connector_arxiv_item_prints_a_venue() -> None:
    """The translators' test cases (../shared): every arXiv paper (a preprint with an arXiv
    archiveID, or a venue naming arXiv/CoRR) pulled into a new bib prints a venue; one that
    names its arXiv id gets the canonical howpublished, eprint and archiveprefix."""
    if not TRANSLATOR_ITEMS:
        pytest.skip("../shared/realworld not present")
    arxiv = [it for it in TRANSLATOR_ITEMS if is_arxiv_item(it.parent)]
    assert len(arxiv) >= 3  # Semantic Scholar's "ArXiv" and "CoRR" papers
    for it in arxiv:
        e = from_item(it.parent)
        assert "E015" not in flags(e), it.name
        if e.arxiv:
            assert e.get("howpublished") == PREPRINT_PREFIX + e.arxiv, it.name
            assert (e.get("eprint"), e.get("archiveprefix")) == (e.arxiv, "arXiv"), it.name
    for it in TRANSLATOR_ITEMS:  # every item new to the bib is read in canonical form
        e = from_item(it.parent)
        probe = e.copy()
        assert not canonicalize(probe), (it.name, probe.fields)


# --- round trips: entry -> item -> entry, item -> entry -> item --------------------------

CANONICAL: dict[str, Entry] = {
    "preprint": Entry("misc", "ho2020denoising", {
        "title": "{Denoising Diffusion Probabilistic Models}", "author": "{Ho, Jonathan}",
        "year": "{2020}", "howpublished": "{arXiv preprint arXiv:2006.11239}",
        "eprint": "{2006.11239}", "archiveprefix": "{arXiv}", "primaryclass": "{cs.LG}"}),
    "conference": Entry("inproceedings", "peebles2023scalable", {
        "title": "{Scalable Diffusion Models with Transformers}", "author": "{Peebles, William}",
        "booktitle": "{Proceedings of ICCV}", "year": "{2023}", "pages": "{4195--4205}"}),
    "journal": Entry("article", "kingma2019introduction", {
        "title": "{An Introduction to Variational Autoencoders}", "author": "{Kingma, Diederik P.}",
        "journal": "{Foundations and Trends in Machine Learning}", "volume": "{12}",
        "number": "{4}", "pages": "{307--392}", "year": "{2019}"}),
    "thesis": Entry("phdthesis", "kingma2017variational", {
        "title": "{Variational Inference and Deep Learning}", "author": "{Kingma, Diederik P.}",
        "school": "{University of Amsterdam}", "year": "{2017}"}),
    "report": Entry("techreport", "openai2023gpt4", {
        "title": "{GPT-4 Technical Report}", "author": "{{OpenAI}}",
        "institution": "{OpenAI}", "year": "{2023}"}),
    "software": Entry("misc", "wolf2020diffusers", {
        "title": "{Diffusers: State-of-the-art diffusion models}", "author": "{von Platen, Patrick}",
        "howpublished": "{GitHub repository}", "url": "{https://github.com/huggingface/diffusers}",
        "year": "{2022}"}),
    "web page": Entry("misc", "weng2021diffusion", {
        "title": "{What are Diffusion Models?}", "author": "{Weng, Lilian}",
        "howpublished": "{Web page}", "url": "{https://lilianweng.github.io/posts/2021-07-11-diffusion-models/}",
        "year": "{2021}"}),
    "no author": Entry("misc", "stability2022sd", {
        "title": "{Stable Diffusion Launch Announcement}", "howpublished": "{Web page}",
        "url": "{https://stability.ai/news/stable-diffusion-public-release}", "year": "{2022}",
        "key": "{Stable Diffusion Launch}"}),
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(CANONICAL))
def test_a_canonical_entry_survives_the_round_trip(kind: str) -> None:
    entry = CANONICAL[kind]
    assert not canonicalize(entry.copy()), "the table's entry is canonical"
    item = to_item(entry, schema=SCHEMA)
    assert "tex.howpublished: arXiv" not in item["extra"] and "tex.key:" not in item["extra"]
    for base in (None, entry):  # new to the bib, and linked
        back = from_item(item, base=base)
        assert (back.key or entry.key, back.type, back.fields) == (
            entry.key,
            entry.type,
            entry.fields,
        )


# One item of each kind as a member saves it: read into a new bib (canonical form), the
# entry gives the same item back, and a second trip changes nothing.
ITEMS: dict[str, dict[str, Any]] = {
    **{f"arXiv {k}": v for k, v in ARXIV_ITEMS.items()},
    "conference": {"itemType": "conferencePaper", "title": "Taming Transformers",
                   "proceedingsTitle": "Proceedings of CVPR", "date": "2021",
                   "creators": [{"creatorType": "author", "firstName": "Patrick", "lastName": "Esser"}]},
    "journal": {"itemType": "journalArticle", "title": "Deep Learning", "publicationTitle": "Nature",
                "volume": "521", "pages": "436-444", "date": "2015-05",
                "creators": [{"creatorType": "author", "firstName": "Yann", "lastName": "LeCun"}]},
    "thesis": {"itemType": "thesis", "title": "Variational Inference and Deep Learning",
               "university": "University of Amsterdam", "thesisType": "PhD Thesis", "date": "2017",
               "creators": [{"creatorType": "author", "firstName": "Diederik P.", "lastName": "Kingma"}]},
    "report": {"itemType": "report", "title": "GPT-4 Technical Report", "institution": "OpenAI",
               "date": "2023", "creators": [{"creatorType": "author", "name": "OpenAI"}]},
    "software": {"itemType": "computerProgram", "title": "Diffusers", "date": "2022",
                 "url": "https://github.com/huggingface/diffusers",
                 "creators": [{"creatorType": "programmer", "firstName": "Patrick", "lastName": "von Platen"}]},
    "web page": {"itemType": "webpage", "title": "What are Diffusion Models?", "date": "2021-07-11",
                 "url": "https://lilianweng.github.io/posts/2021-07-11-diffusion-models/",
                 "creators": [{"creatorType": "author", "firstName": "Lilian", "lastName": "Weng"}]},
    "web page, no author": {"itemType": "webpage", "title": "Stable Diffusion Public Release",
                            "websiteTitle": "Stability AI", "date": "2022-08-22",
                            "url": "https://stability.ai/news/stable-diffusion-public-release"},
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(ITEMS))
def test_an_item_read_in_canonical_form_writes_the_same_item(kind: str) -> None:
    item = {**ITEMS[kind], "citationKey": "k2024"}
    entry = from_item(item)
    assert "E015" not in flags(entry) and not canonicalize(entry.copy())
    back = to_item(entry, schema=SCHEMA)
    assert back["itemType"] == item["itemType"]
    assert not [line for line in back["extra"].splitlines() if line.startswith("tex.")]
    for name, value in item.items():
        if name in ("creators", "extra", "libraryCatalog", "date"):
            continue
        if name == "volume" and value.startswith("abs/"):
            continue  # CoRR's `abs/ID` is the arXiv id, not a volume
        if name in ("publicationTitle", "proceedingsTitle") and is_preprint_venue(value):
            continue  # a venue that only says "arXiv": the preprint's howpublished
        assert back.get(name) == value, (name, back.get(name), value)
    # the update from the item as it was to the entry as read writes nothing
    payload = update_item(entry, from_item(back, base=entry), back, schema=SCHEMA)
    assert not {k for k in payload if k != "itemType"}, payload
    assert payload.get("itemType", item["itemType"]) == item["itemType"]


# --- linked entries: the sameness rule --------------------------------------------------

PLAIN_PREPRINT = Entry("misc", "song2021scorebased", {
    "title": "{Score-Based Generative Modeling through Stochastic Differential Equations}",
    "author": "{Song, Yang}", "year": "{2020}", "eprint": "{2011.13456}",
    "archiveprefix": "{arXiv}"})  # fmt: skip


def test_a_linked_entry_keeps_its_own_form() -> None:
    """A linked preprint without howpublished (not canonicalised) reads its item without
    one; once canonical (`fmt --canonical`), with it: the base decides, nothing churns."""
    item = to_item(PLAIN_PREPRINT, schema=SCHEMA)
    assert from_item(item, base=PLAIN_PREPRINT).fields == PLAIN_PREPRINT.fields
    canonical = PLAIN_PREPRINT.copy()
    assert [c.field for c in canonicalize(canonical)] == ["howpublished"]
    assert from_item(item, base=canonical).fields == canonical.fields
    # the member edits the title: only the title changes, whichever form the base has
    edited = {**item, "title": "Score-Based Generative Modeling through SDEs"}
    for base in (PLAIN_PREPRINT, canonical):
        got = from_item(edited, base=base)
        changed = {n for n in {*got.fields, *base.fields} if got.get(n) != base.get(n)}
        assert changed == {"title"}


def test_a_new_arxiv_id_moves_the_canonical_howpublished_with_it() -> None:
    canonical = PLAIN_PREPRINT.copy()
    canonicalize(canonical)
    item = to_item(canonical, schema=SCHEMA)
    moved = {**item, "archiveID": "arXiv:2011.99999", "extra": "arXiv:2011.99999"}
    got = from_item(moved, base=canonical)
    assert (got.get("eprint"), got.get("howpublished")) == (
        "2011.99999",
        PREPRINT_PREFIX + "2011.99999",
    )


@pytest.mark.parametrize(
    "before",
    [
        PLAIN_PREPRINT,
        Entry("article", "ramesh2022hierarchical", {
            "title": "{Hierarchical Text-Conditional Image Generation}",
            "author": "{Ramesh, Aditya}", "year": "{2022}",
            "journal": "{arXiv preprint arXiv:2204.06125}"}),
        Entry("online", "weng2021diffusion", {
            "title": "{What are Diffusion Models?}", "author": "{Weng, Lilian}",
            "url": "{https://lilianweng.github.io/posts/2021-07-11-diffusion-models/}",
            "year": "{2021}"}),
    ],
    ids=["preprint", "article named arXiv", "online"],
)  # fmt: skip
def test_fmt_canonical_pushes_nothing(before: Entry) -> None:
    """What `fmt --canonical` derives is implied by the item: the update writes nothing,
    and the item's type stays (an arXiv journalArticle is not moved to preprint)."""
    current = to_item(before, schema=SCHEMA)
    after = before.copy()
    assert canonicalize(after)
    payload = update_item(after, before, current, schema=SCHEMA)
    assert set(payload) <= {"itemType"} and payload.get("itemType", "") in ("", current["itemType"])
    # an edit next to it is still written, alone
    after.set("title", "A New Title")
    payload = update_item(after, before, current, schema=SCHEMA)
    assert {k for k in payload if k != "itemType"} == {"title"}


def test_a_users_own_howpublished_round_trips() -> None:
    """Only the derived howpublished stays out of the item: a user's own goes to a tex line."""
    own = PLAIN_PREPRINT.copy()
    own.set("howpublished", "NeurIPS 2020 Workshop on Deep Generative Models")
    item = to_item(own, schema=SCHEMA)
    assert "tex.howpublished: NeurIPS 2020 Workshop" in item["extra"]
    assert from_item(item, base=own).fields == own.fields
    assert from_item(item).get("howpublished") == own.get("howpublished")
    derived = PLAIN_PREPRINT.copy()
    canonicalize(derived)
    assert "howpublished" not in to_item(derived, schema=SCHEMA)["extra"]


@settings(max_examples=80, deadline=None)
@given(
    ident=st.from_regex(r"2[0-4](0[1-9]|1[0-2])\.[0-9]{5}", fullmatch=True),
    title=st.text(st.characters(categories=["L", "N", "Zs"]), min_size=1, max_size=40).filter(
        lambda t: t.strip()
    ),
    cls=st.sampled_from(["", "cs.LG", "stat.ML"]),
    shape=st.sampled_from(sorted(ARXIV_ITEMS)),
)
def test_arxiv_items_round_trip_in_canonical_form(
    ident: str, title: str, cls: str, shape: str
) -> None:
    """Any arXiv item, in any of its shapes: item -> entry (canonical) -> item -> entry is
    stable, and with the entry as base no field changes."""
    item = _with_id({**ARXIV_ITEMS[shape], "title": title}, ident, cls)
    entry = from_item(item)
    assert entry.arxiv == ident and not canonicalize(entry.copy())
    back = to_item(entry, schema=SCHEMA)
    assert from_item(back, base=entry).fields == entry.fields
    again = from_item(back)
    assert (again.type, again.fields) == (entry.type, entry.fields)
    assert (
        spell_like(back_entry := from_item(back), entry).fields == entry.fields == back_entry.fields
    )


def _with_id(item: dict[str, Any], ident: str, cls: str) -> dict[str, Any]:
    """`item` naming arXiv id `ident` (and class `cls`) wherever its shape names one."""
    import re

    out = {}
    for name, value in item.items():
        if isinstance(value, str):
            value = re.sub(r"\d{4}\.\d{4,5}", ident, value)
            if name == "extra" and cls:
                value = f"arXiv:{ident} [{cls}]"
        out[name] = value
    if not any(re.search(r"\d{4}\.\d{4,5}", str(v)) for v in out.values()):
        out["url"] = f"https://arxiv.org/abs/{ident}"  # Google Scholar's: its URL
    return out
