"""Entry <-> Zotero item: both directions, and the round trip without churn."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from genbib.bibtex.reader import parse
from genbib.model.canonical import canonicalize
from genbib.model.entry import Entry
from genbib.testing.zotero.schema import FIELDS, Schema, fields_for
from genbib.zotero.mapping import BIB_TYPES, TYPES, children, citation_key, from_item, to_item
from genbib.zotero.text import latex_to_text, text_to_latex

Z7 = {t: frozenset(fields_for(t, Schema.ZOTERO7)) for t in FIELDS}
Z8 = {t: frozenset(fields_for(t, Schema.ZOTERO8)) for t in FIELDS}

BIB = r"""
@inproceedings{ho2020denoising,
  author = {Ho, Jonathan and M{\"u}ller, J{\"o}rg and {Google Research}},
  title = {Denoising Diffusion Probabilistic Models with {GAN}s},
  booktitle = {NeurIPS}, year = {2020}, month = dec, pages = {6840--6851},
  eprint = {2006.11239}, archiveprefix = {arXiv}, primaryclass = {cs.LG},
  code = {https://github.com/a/b}, project = {https://a.github.io/b}, topics = {diffusion},
  annotation = {Seminal \& short.}, shortname = {DDPM}, presentation = {Oral},
}
@techreport{x2023, author = {{OpenAI}}, title = {GPT-4}, institution = {OpenAI}, year = {2023}, number = {7}}
@unknowntype{weird2020, title = {Odd}, year = {2020}, myfield = {kept as a tex line}}
"""


def lib() -> dict[str, Entry]:
    return parse(BIB, "t.bib").by_key()


def test_types_and_venues() -> None:
    e = lib()
    item = to_item(e["ho2020denoising"], schema=Z8, collections={"diffusion": "COLL0001"})
    assert (item["itemType"], item["proceedingsTitle"], item["date"]) == (
        "conferencePaper",
        "NeurIPS",
        "2020-12",
    )
    assert item["citationKey"] == "ho2020denoising" and item["collections"] == ["COLL0001"]
    assert item["title"] == "Denoising Diffusion Probabilistic Models with GANs"
    assert item["creators"][1] == {
        "creatorType": "author",
        "firstName": "Jörg",
        "lastName": "Müller",
    }
    assert item["creators"][2] == {"creatorType": "author", "name": "Google Research"}
    assert "arXiv:2006.11239 [cs.LG]" in item["extra"].splitlines()
    assert "tex.presentation: Oral" in item["extra"].splitlines()
    report = to_item(e["x2023"], schema=Z7)
    assert (report["itemType"], report["institution"], report["reportNumber"]) == (
        "report",
        "OpenAI",
        "7",
    )
    assert "Citation Key: x2023" in report["extra"]  # Zotero 7: no native field
    odd = to_item(e["weird2020"], schema=Z7)
    assert odd["itemType"] == "document" and "tex.entrytype: unknowntype" in odd["extra"]
    back = from_item(odd)
    assert (back.type, back.key, back.get("myfield")) == (
        "unknowntype",
        "weird2020",
        "kept as a tex line",
    )


def test_children_links_and_note() -> None:
    kids = children(lib()["ho2020denoising"])
    assert [(c.role, c.value) for c in kids] == [
        ("code", "https://github.com/a/b"), ("project", "https://a.github.io/b"), ("note", "Seminal & short.")]  # fmt: skip


def test_round_trip_is_exact_with_base_and_close_without() -> None:
    for schema in (Z7, Z8):
        for e in lib().values():
            item = to_item(e, schema=schema, collections={"diffusion": "C1"})
            back = from_item(item, children(e), topics={"C1": "diffusion"}, base=e)
            assert (back.type, back.key, back.fields) == (e.type, e.key, e.fields)
    fresh = from_item(
        to_item(lib()["ho2020denoising"], schema=Z8), children(lib()["ho2020denoising"])
    )
    assert fresh.get("author") == "Ho, Jonathan and Müller, Jörg and {Google Research}"
    assert fresh.get("annotation") == "Seminal \\& short."


def test_edited_title_keeps_brace_protection() -> None:
    e = lib()["ho2020denoising"]
    item = to_item(e, schema=Z8)
    item["title"] = "Improved Denoising Diffusion with GANs"
    assert from_item(item, base=e).get("title") == "Improved Denoising Diffusion with {GAN}s"


def test_connector_preprint() -> None:
    item = {
        "itemType": "preprint", "title": "Latent Diffusion", "repository": "arXiv",
        "archiveID": "arXiv:2112.10752", "DOI": "10.48550/arXiv.2112.10752", "date": "2021-12-20",
        "extra": "arXiv:2112.10752 [cs]\nCitation Key: rombach2022", "creators": [],
    }  # fmt: skip
    e = from_item(item)
    assert (e.type, e.key, e.arxiv, e.get("primaryclass"), e.get("year"), e.get("month")) == (
        "misc", "rombach2022", "2112.10752", "cs", "2021", "dec")  # fmt: skip
    assert citation_key({"citationKey": "native", "extra": "Citation Key: old"}) == "native"


def test_untrusted_zotero_text_is_neutralised() -> None:
    item = {
        "itemType": "document", "title": "\\input{/etc/passwd} ^^5c \u202eevil & 100%",
        "url": "javascript:alert(1)", "creators": [{"creatorType": "author", "name": "\\write18{rm}"}],
        "extra": "tex.note: \\immediate\\write18{x}",
    }  # fmt: skip
    e = from_item(item)
    assert "\\input" not in (e.get("title") or "") and "^^" not in (e.get("title") or "")
    assert "\u202e" not in (e.get("title") or "") and "\\&" in (e.get("title") or "")
    assert "url" not in e.fields
    assert "\\write18" not in (e.get("author") or "") and "\\write18" not in (e.get("note") or "")


def test_latex_text() -> None:
    assert latex_to_text(r"M{\"u}ller -- {GAN}s \emph{x} \& y") == "Müller – GANs x & y"
    assert text_to_latex("a & b {c}") == r"a \& b c"


words = (
    st.text(alphabet="abcdefghijKLMNOP éüß-", min_size=1, max_size=12).map(str.strip).filter(bool)
)


@settings(max_examples=60, deadline=None)
@given(
    title=st.lists(words, min_size=1, max_size=6).map(" ".join),
    last=words, first=words, year=st.integers(1990, 2030), typ=st.sampled_from(["article", "inproceedings", "misc", "book", "phdthesis"]),
    protect=st.booleans(),
)  # fmt: skip
def test_round_trip_has_no_churn(
    title: str, last: str, first: str, year: int, typ: str, protect: bool
) -> None:
    if protect:
        title = "{" + title + "}"
    e = Entry(
        typ,
        "k2020",
        {
            "title": "{" + title + "}",
            "author": "{" + f"{last}, {first}" + "}",
            "year": "{" + str(year) + "}",
        },
    )
    item = to_item(e, schema=Z8)
    once = from_item(item, base=e)
    assert once.fields == e.fields and once.type == e.type
    # a second trip from what came back changes nothing either
    assert from_item(to_item(once, schema=Z8), base=once).fields == once.fields


BIB_TYPE = st.sampled_from(sorted({*TYPES, "dataset", "patent"}))


@settings(max_examples=60, deadline=None)
@given(bib_type=BIB_TYPE, new_type=st.sampled_from(sorted(BIB_TYPES)))
def test_the_item_type_wins_over_a_stale_entrytype_line(bib_type: str, new_type: str) -> None:
    """A `tex.entrytype` line keeps its refinement (`@report`, `@dataset`) while the item
    keeps its type, and stops counting once a member changes the item's type in Zotero."""
    entry = Entry(bib_type, "k2020", {"title": "{T}", "year": "{2020}"})
    item = to_item(entry, schema=Z8)
    assert from_item(item, base=entry).type == bib_type  # the round trip keeps the bib type
    if new_type == item["itemType"]:
        return
    changed = {**item, "itemType": new_type}
    want = Entry(BIB_TYPES[new_type], "k2020", dict(entry.fields))
    canonicalize(want)  # (an item new to the bib is read in the canonical form)
    assert from_item(changed).type == want.type
    # linked: the base's own form decides (a base the canonical form would change: as is)
    assert from_item(changed, base=entry).type in (BIB_TYPES[new_type], want.type)


# --- what members keep in Zotero ---------------------------------------------------------

CONNECTOR_ARXIV = {
    "itemType": "preprint", "title": "Taming Transformers for High-Resolution Image Synthesis",
    "creators": [{"creatorType": "author", "firstName": "Patrick", "lastName": "Esser"}],
    "abstractNote": "Designed to learn long-range interactions...", "date": "2021-06-23",
    "repository": "arXiv", "archiveID": "arXiv:2012.09841", "DOI": "10.48550/arXiv.2012.09841",
    "url": "http://arxiv.org/abs/2012.09841", "accessDate": "2024-02-01T10:00:00Z",
    "libraryCatalog": "arXiv.org", "language": "en", "shortTitle": "Taming Transformers",
    "extra": "arXiv:2012.09841 [cs]\nPMID: 123\nPublisher: arXiv",
    "tags": [{"tag": "Computer Science - Computer Vision and Pattern Recognition", "type": 1},
             {"tag": "to-read"}],
    "collections": [], "relations": {},
}  # fmt: skip


def test_connector_arxiv_item_gives_a_clean_entry() -> None:
    e = from_item(CONNECTOR_ARXIV)
    assert (e.type, e.arxiv, e.get("primaryclass"), e.get("doi")) == (
        "misc", "2012.09841", "cs", "10.48550/arXiv.2012.09841")  # fmt: skip
    assert e.get("shortname") == "Taming Transformers"  # `genbib cite` finds it by it
    assert e.get("keywords") == "to-read"
    for noise in ("language", "accessdate", "librarycatalog", "note", "publisher", "pmid"):
        assert noise not in e.fields, noise


def test_shortname_goes_to_short_title() -> None:
    e = Entry(
        "inproceedings",
        "brock2019large",
        {"title": "{Large Scale GAN Training}", "shortname": "{BigGAN}"},
    )
    item = to_item(e, schema=Z8)
    assert item["shortTitle"] == "BigGAN" and "shortname" not in item["extra"]
    assert from_item(item, base=e).fields == e.fields


def test_language_is_the_bibs_only_when_the_bib_keeps_one() -> None:
    e = Entry("book", "k", {"title": "{T}", "language": "{german}"})
    item = to_item(e, schema=Z8)
    assert item["language"] == "german"
    assert from_item(item, base=e).get("language") == "german"
    assert "language" not in from_item({**item, "citationKey": ""}).fields  # a new item: noise


def test_a_tex_line_never_overrides_a_native_field() -> None:
    item = {"itemType": "journalArticle", "title": "Real", "volume": "5",
            "extra": "tex.volume: 3\ntex.title: \\input{x}\ntex.series: Kept"}  # fmt: skip
    e = from_item(item)
    assert (e.get("volume"), e.title, e.get("series")) == ("5", "Real", "Kept")


def test_a_bib_edit_keeps_the_members_extra_lines() -> None:
    from genbib.zotero.mapping import needs_current, update_item

    before = from_item(CONNECTOR_ARXIV)
    edited = Entry(before.type, "esser2021taming", {**before.fields, "presentation": "{Oral}"})
    assert needs_current(edited, before, schema=Z8)
    payload = update_item(edited, before, CONNECTOR_ARXIV, schema=Z8)
    assert payload["extra"].splitlines() == [
        "arXiv:2012.09841 [cs]", "tex.presentation: Oral", "PMID: 123", "Publisher: arXiv"]  # fmt: skip
    assert "tags" not in payload and "language" not in payload and "accessDate" not in payload


def test_zotero_rich_text_and_hostile_tags_are_neutralised() -> None:
    item = {
        "itemType": "journalArticle", "title": "The Chinese<i>Hukou</i> System <script>x</script>",
        "tags": [{"tag": "\\input{/etc/passwd}"}, {"tag": "<b>bold</b> ^^5c"}],
    }  # fmt: skip
    e = from_item(item)
    assert e.title == "The ChineseHukou System x"
    keywords = e.get("keywords") or ""
    assert "\\input" not in keywords and "^^" not in keywords and "<b>" not in keywords


def test_a_topic_change_keeps_a_collection_a_member_added() -> None:
    from genbib.zotero.mapping import needs_current, update_item

    colls = {"diffusion": "COLLDIFF", "vae": "COLLVAE0"}
    before = Entry("misc", "k", {"title": "{T}", "topics": "{diffusion}"})
    after = Entry("misc", "k", {"title": "{T}", "topics": "{vae}"})
    current = {**to_item(before, collections=colls), "collections": ["COLLDIFF", "MEMBERS1"]}
    assert needs_current(after, before)
    payload = update_item(after, before, current, collections=colls)
    assert payload["collections"] == ["COLLVAE0", "MEMBERS1"]
    assert "collections" not in update_item(before, before, current, collections=colls)


def test_an_update_that_must_merge_refuses_to_guess() -> None:
    import pytest

    from genbib.zotero.mapping import update_item

    before = Entry("misc", "k", {"title": "{T}", "keywords": "{a}"})
    after = Entry("misc", "k", {"title": "{T}", "keywords": "{a, b}"})
    with pytest.raises(ValueError, match="keywords changed"):
        update_item(after, before)
    noted = Entry("misc", "k", {**before.fields, "presentation": "{Oral}"})
    with pytest.raises(ValueError, match="extra changed"):
        update_item(noted, before)


def test_a_blog_post_stays_a_blog_post_both_ways() -> None:
    item = {"itemType": "blogPost", "title": "What are Diffusion Models?", "blogTitle": "Lil'Log",
            "creators": [{"creatorType": "author", "firstName": "Lilian", "lastName": "Weng"}],
            "date": "2021-07-11", "url": "https://lilianweng.github.io/posts/2021-07-11-diffusion-models/"}  # fmt: skip
    e = from_item(item)
    assert (e.type, e.get("entrysubtype"), e.get("howpublished")) == (
        "misc",  # the canonical form of @online (natbib prints @misc)
        "blogPost",
        "Lil'Log",
    )
    back = to_item(
        e, schema={"blogPost": frozenset({"title", "blogTitle", "date", "url", "extra"})}
    )
    assert (back["itemType"], back["blogTitle"]) == ("blogPost", "Lil'Log")
    assert "entrysubtype" not in back["extra"]
    # a member re-files it as a journal article: the new type wins, the subtype goes
    moved = from_item({**item, "itemType": "journalArticle"}, base=e)
    assert moved.type == "article" and "entrysubtype" not in moved.fields
