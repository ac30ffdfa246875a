"""Scenarios of a lab's life, against the Zotero emulator over real HTTP (pyzotero, httpx2)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from genbib.sync.engine import Prefer
from genbib.sync.state import conflicts_path
from genbib.testing.zotero import Schema

from .conftest import Lab  # type: ignore[import-not-found]


@pytest.mark.parametrize("schema", [Schema.ZOTERO8, Schema.ZOTERO7])
def test_first_sync_of_the_whole_bib(make_lab: Callable[..., Lab], schema: Schema) -> None:
    lab = make_lab(schema=schema)
    original = lab.bib.read_bytes()
    report = lab.sync()
    assert not report.conflicts and not report.failed
    items = lab.top_items()
    types = sorted(i["itemType"] for i in items.values())
    assert types == sorted(["conferencePaper", "journalArticle", "preprint", "book", "thesis",
                            "computerProgram", "report", "webpage"])  # fmt: skip
    ddpm = lab.item("ho2020denoising")
    assert ddpm["proceedingsTitle"] == "Advances in Neural Information Processing Systems"
    assert "arXiv:2006.11239 [cs.LG]" in ddpm["extra"]
    if schema is Schema.ZOTERO8:
        assert ddpm["citationKey"] == "ho2020denoising"
    else:
        assert "Citation Key: ho2020denoising" in ddpm["extra"]
    assert lab.collection("Diffusion models") in ddpm["collections"]
    kids = [
        lab.emu.library.item(k) for k in lab.emu.library.children(lab.item_key("ho2020denoising"))
    ]
    assert {(k["itemType"], k.get("url")) for k in kids} == {
        ("attachment", "https://github.com/hojonathanho/diffusion"), ("note", None)}  # fmt: skip
    assert "Müller" in next(k["note"] for k in kids if k["itemType"] == "note")
    corp = lab.item("diffusers2022")["creators"]
    assert corp == [{"creatorType": "programmer", "name": "Hugging Face"}]
    assert lab.bib.read_bytes() == original  # nothing came back changed
    lab.sync()
    assert lab.last_requests <= 2 and lab.bib.read_bytes() == original


def test_member_adds_arxiv_paper_like_the_browser_connector(lab: Lab) -> None:
    (key,) = lab.emu.library.seed_items([{
        "itemType": "preprint", "title": "High-Resolution Image Synthesis with Latent Diffusion Models",
        "creators": [{"creatorType": "author", "firstName": "Robin", "lastName": "Rombach"},
                     {"creatorType": "author", "firstName": "Björn", "lastName": "Ommer"}],
        "abstractNote": "By decomposing the image formation process...", "date": "2021-12-20",
        "repository": "arXiv", "archiveID": "arXiv:2112.10752", "DOI": "10.48550/arXiv.2112.10752",
        "url": "http://arxiv.org/abs/2112.10752", "extra": "arXiv:2112.10752 [cs]",
        "libraryCatalog": "arXiv.org", "collections": [lab.collection("Diffusion models")],
    }])  # fmt: skip
    report = lab.sync()
    assert not report.conflicts
    e = lab.entry("rombach2021high")
    assert e.type == "misc" and e.arxiv == "2112.10752" and e.get("primaryclass") == "cs"
    assert (
        e.get("archiveprefix") == "arXiv" and e.get("author") == "Rombach, Robin and Ommer, Björn"
    )
    assert e.topics == ["diffusion"] and e.get("month") == "dec"
    item = lab.emu.library.item(key)
    assert item["citationKey"] == "rombach2021high"  # written back once
    before = lab.bib.read_bytes()
    lab.sync()
    assert lab.bib.read_bytes() == before and lab.last_requests <= 2


def test_member_adds_conference_paper(lab: Lab) -> None:
    lab.emu.library.seed_items([{
        "itemType": "conferencePaper", "title": "Generative Adversarial Nets",
        "creators": [{"creatorType": "author", "firstName": "Ian", "lastName": "Goodfellow"}],
        "proceedingsTitle": "Advances in Neural Information Processing Systems", "volume": "27",
        "pages": "2672–2680", "date": "2014", "publisher": "Curran Associates, Inc.",
    }])  # fmt: skip
    lab.sync()
    e = lab.entry("goodfellow2014generative")
    assert e.type == "inproceedings"
    assert e.get("booktitle") == "Advances in Neural Information Processing Systems"
    assert (e.get("volume"), e.get("pages"), e.get("publisher")) == (
        "27",
        "2672–2680",
        "Curran Associates, Inc.",
    )


def test_edits_on_each_side_and_on_different_fields(lab: Lab) -> None:
    lab.edit(lambda lib: lib.by_key()["kingma2019introduction"].set("note", "A tutorial"))
    lab.emu.library.edit_item(lab.item_key("goodfellow2016deep"), publisher="The MIT Press")
    # different fields of one paper on both sides
    lab.edit(
        lambda lib: lib.by_key()["kingma2017variational"].set(
            "title", "Variational Inference and Deep Learning"
        )
    )
    lab.emu.library.edit_item(lab.item_key("kingma2017variational"), date="2017-06")
    report = lab.sync()
    assert not report.conflicts
    assert "tex.note: A tutorial" in lab.item("kingma2019introduction")["extra"]
    assert lab.entry("goodfellow2016deep").get("publisher") == "The MIT Press"
    thesis = lab.entry("kingma2017variational")
    assert (thesis.title, thesis.get("month")) == ("Variational Inference and Deep Learning", "jun")
    assert lab.item("kingma2017variational")["title"] == "Variational Inference and Deep Learning"
    lab.sync()
    assert lab.last_requests <= 2


def test_same_field_on_both_sides_is_a_conflict_and_nothing_is_lost(lab: Lab) -> None:
    lab.edit(lambda lib: lib.by_key()["goodfellow2016deep"].set("title", "Deep Learning (bib)"))
    lab.emu.library.edit_item(lab.item_key("goodfellow2016deep"), title="Deep Learning (Zotero)")
    report = lab.sync()
    assert report.conflicts == 1
    assert lab.entry("goodfellow2016deep").title == "Deep Learning (bib)"
    assert lab.item("goodfellow2016deep")["title"] == "Deep Learning (Zotero)"
    saved = json.loads(conflicts_path(lab.bib).read_text())
    assert saved == [{"key": "goodfellow2016deep", "field": "title", "bib": "{Deep Learning (bib)}",
                      "zotero": "{Deep Learning (Zotero)}", "base": "{Deep Learning}"}]  # fmt: skip
    assert lab.sync().conflicts == 1  # still open
    assert lab.sync(prefer=Prefer.REMOTE).conflicts == 0
    assert lab.entry("goodfellow2016deep").title == "Deep Learning (Zotero)"
    assert not conflicts_path(lab.bib).exists()


def test_deletion_on_each_side(lab: Lab) -> None:
    gone = lab.item_key("kingma2017variational")
    lab.edit(lambda lib: lib.remove("kingma2017variational"))
    lab.emu.library.remove_items([lab.item_key("goodfellow2016deep")])
    lab.sync()
    assert gone not in lab.top_items() and gone in lab.trashed()  # in the trash, not destroyed
    assert "goodfellow2016deep" not in lab.library().by_key()
    assert len(lab.top_items()) == len(lab.library()) == 6


def test_deletion_against_edit_keeps_the_edit(lab: Lab) -> None:
    lab.edit(lambda lib: lib.by_key()["goodfellow2016deep"].set("edition", "2"))
    lab.emu.library.remove_items([lab.item_key("goodfellow2016deep")])
    report = lab.sync()
    assert report.conflicts == 1
    assert lab.entry("goodfellow2016deep").get("edition") == "2"
    assert lab.item("goodfellow2016deep")["edition"] == "2"  # re-created in Zotero
    # and the other way round: Zotero edit against bib deletion
    lab.emu.library.edit_item(lab.item_key("kingma2017variational"), university="UvA")
    lab.edit(lambda lib: lib.remove("kingma2017variational"))
    assert lab.sync().conflicts == 1
    assert lab.entry("kingma2017variational").get("school") == "UvA"


def test_mass_deletion_needs_force(lab: Lab) -> None:
    lab.edit(lambda lib: [lib.remove(k) for k in list(lib.by_key())[:4]])
    report = lab.sync()
    assert any(p.code == "SYNC_MASS_DELETE" for s in report.stages for p in s.problems)
    assert len(lab.top_items()) == 8
    lab.sync(force_delete=True)
    assert len(lab.top_items()) == 4


def test_topic_change_and_collection_change(lab: Lab) -> None:
    lab.edit(lambda lib: lib.by_key()["kingma2019introduction"].set_topics(["vae", "diffusion"]))
    vae = lab.collection("Variational autoencoders")
    lab.emu.library.edit_item(lab.item_key("weng2021diffusion"), collections=[vae])
    lab.sync()
    assert set(lab.item("kingma2019introduction")["collections"]) == {
        vae,
        lab.collection("Diffusion models"),
    }
    assert lab.entry("weng2021diffusion").topics == ["vae"]


def test_code_link_as_attachment_and_back(lab: Lab) -> None:
    parent = lab.item_key("song2021scorebased")
    lab.emu.library.seed_items([{
        "itemType": "attachment", "linkMode": "linked_url", "parentItem": parent,
        "title": "Code", "url": "https://github.com/yang-song/score_sde",
    }])  # fmt: skip
    lab.edit(
        lambda lib: lib.by_key()["kingma2019introduction"].set("project", "https://example.org/vae")
    )
    lab.sync()
    assert lab.entry("song2021scorebased").get("code") == "https://github.com/yang-song/score_sde"
    kids = [
        lab.emu.library.item(k)
        for k in lab.emu.library.children(lab.item_key("kingma2019introduction"))
    ]
    assert [(k["title"], k["url"]) for k in kids] == [("Project page", "https://example.org/vae")]
    lab.sync()
    assert lab.last_requests <= 2


def test_zotero_edit_never_changes_a_key(lab: Lab) -> None:
    item = lab.item_key("goodfellow2016deep")
    lab.emu.library.edit_item(item, citationKey="renamed2016", title="Deep Learning, 2nd ed.")
    lab.sync()
    keys = set(lab.library().by_key())
    assert "goodfellow2016deep" in keys and "renamed2016" not in keys
    assert lab.entry("goodfellow2016deep").title == "Deep Learning, 2nd ed."
    assert lab.emu.library.item(item)["citationKey"] == "goodfellow2016deep"


def test_second_sync_writes_nothing(lab: Lab) -> None:
    before = lab.bib.read_bytes()
    state_before = lab.state().dumps()
    lab.sync()
    assert lab.last_requests <= 2
    assert all(r.method == "GET" for r in lab.emu.requests[-lab.last_requests :])
    assert lab.bib.read_bytes() == before and lab.state().dumps() == state_before


def test_two_members_add_the_same_paper(lab: Lab) -> None:
    entry = "@misc{rombach2022ldm, title = {High-Resolution Image Synthesis with Latent Diffusion Models}, eprint = {2112.10752}, archiveprefix = {arXiv}, year = {2022}}"
    lab.bib.write_text(lab.bib.read_text() + "\n" + entry + "\n")
    lab.emu.library.seed_items([{"itemType": "preprint", "title": "High-Resolution Image Synthesis with Latent Diffusion Models",
                                 "archiveID": "arXiv:2112.10752", "repository": "arXiv", "date": "2021-12-20"}])  # fmt: skip
    lab.sync()
    titles = [i["title"] for i in lab.top_items().values()]
    assert titles.count("High-Resolution Image Synthesis with Latent Diffusion Models") == 1
    assert len([e for e in lab.library() if e.arxiv == "2112.10752"]) == 1
    assert lab.item("rombach2022ldm")["citationKey"] == "rombach2022ldm"


def test_no_zotero_configured_runs_local_stages(make_lab: Callable[..., Lab]) -> None:
    import dataclasses

    lab = make_lab()
    lab.config = dataclasses.replace(
        lab.config, zotero=dataclasses.replace(lab.config.zotero, library_id="")
    )
    report = lab.sync()
    assert report.stages[0].skipped.startswith("no Zotero configured")
    assert lab.last_requests == 0
