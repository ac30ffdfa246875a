"""What lab members keep in Zotero survives a sync: their duplicates are merged the way
Zotero merges, their own merges, trash and restores are followed, their tags stay.

Members act through pyzotero over HTTP against the emulator, as their Zotero clients
would; every scenario then asserts on what the server holds and on the bib's bytes.
"""

from __future__ import annotations

import ssl
from typing import Any

import httpx2
from pyzotero import zotero

from genbib.sync.remote import Change

from .conftest import Lab  # type: ignore[import-not-found]

_SSL = ssl.create_default_context()


def member(lab: Lab) -> zotero.Zotero:
    http = httpx2.Client(follow_redirects=True, timeout=30, verify=_SSL)
    zot = zotero.Zotero(lab.emu.group_id, "group", lab.emu.api_key, client=http)
    zot.endpoint = lab.emu.url
    return zot


def create(zot: zotero.Zotero, *items: dict[str, Any]) -> list[str]:
    answer = zot.create_items(list(items))
    assert not answer["failed"], answer["failed"]
    return [answer["successful"][str(i)]["key"] for i in range(len(items))]


def tags(data: dict[str, Any]) -> set[str]:
    return {t["tag"] for t in data.get("tags", [])}


def item_deletes(lab: Lab) -> list[str]:
    """DELETE requests for items (the only permanent deletion the API has)."""
    return [r.path for r in lab.emu.requests if r.method == "DELETE" and "/items" in r.path]


DDPM_COPY = {
    "itemType": "preprint",
    "title": "Denoising Diffusion Probabilistic Models",
    "creators": [
        {"creatorType": "author", "firstName": "Jonathan", "lastName": "Ho"},
        {"creatorType": "author", "firstName": "Ajay", "lastName": "Jain"},
        {"creatorType": "author", "firstName": "Pieter", "lastName": "Abbeel"},
    ],
    "date": "2020-06-19",
    "repository": "arXiv",
    "archiveID": "arXiv:2006.11239",
    "url": "http://arxiv.org/abs/2006.11239",
    "extra": "arXiv:2006.11239 [cs.LG]",
    "tags": [
        {"tag": "to-read"},
        {"tag": "Computer Science - Machine Learning", "type": 1},
    ],
}


def test_a_members_copy_is_merged_as_zotero_merges_never_deleted(lab: Lab) -> None:
    lab.sync()
    zot = member(lab)
    survivor = lab.item_key("ho2020denoising")
    vae = lab.collection("Variational autoencoders")
    (copy,) = create(zot, {**DDPM_COPY, "collections": [vae]})
    note, pdf = create(
        zot,
        {"itemType": "note", "parentItem": copy, "note": "<p>Read section 3 first.</p>"},
        {
            "itemType": "attachment", "linkMode": "linked_url", "parentItem": copy,
            "title": "arXiv Fulltext PDF", "url": "https://arxiv.org/pdf/2006.11239v2",
            "contentType": "application/pdf",
        },
    )  # fmt: skip
    before_deletes = len(item_deletes(lab))

    report = lab.sync()
    assert report.zotero is not None
    dup = [p for p in report.zotero.problems if p.code == "SYNC_DUPLICATE"]
    assert len(dup) == 1 and copy in dup[0].message and survivor in dup[0].message
    assert len(item_deletes(lab)) == before_deletes  # nothing deleted for good
    # the copy is in the trash; its children, tags and collection moved to the survivor
    lost = lab.emu.library.item(copy)
    assert lost.get("deleted")
    assert lab.emu.library.item(note)["parentItem"] == survivor
    assert lab.emu.library.item(pdf)["parentItem"] == survivor
    kept = lab.emu.library.item(survivor)
    assert {"to-read", "Computer Science - Machine Learning"} <= tags(kept)
    assert vae in kept["collections"]
    uri = f"http://zotero.org/groups/{lab.emu.group_id}/items/{copy}"
    assert uri in kept["relations"]["dc:replaces"]
    # the report counts what happened, and names it
    assert Change("zotero", "trash", copy, "ho2020denoising") in report.changes
    assert sum(1 for c in report.changes if c.action == "move child") == 2
    # one entry for the paper, and a second sync changes nothing
    assert [e.key for e in lab.library() if "2006.11239" in (e.get("eprint") or "")] == [
        "ho2020denoising"
    ]
    bib = lab.bib.read_bytes()
    again = lab.sync()
    assert lab.bib.read_bytes() == bib and not again.changes, again.changes


def test_an_update_keeps_the_members_tags(lab: Lab) -> None:
    lab.sync()
    zot = member(lab)
    key = lab.item_key("kingma2019introduction")
    data = zot.item(key)["data"]
    data["tags"] = [{"tag": "survey"}, {"tag": "Statistics - Machine Learning", "type": 1}]
    zot.update_item(data)
    lab.edit(lambda lib: lib.by_key()["kingma2019introduction"].set("note", "A survey."))
    lab.sync()
    held = lab.item("kingma2019introduction")
    assert tags(held) == {"survey", "Statistics - Machine Learning"}
    assert "A survey." in held["extra"]


def test_trash_and_restore_in_zotero(lab: Lab) -> None:
    lab.sync()
    zot = member(lab)
    key = lab.item_key("goodfellow2016deep")
    data = zot.item(key)["data"]
    zot.update_item({"key": key, "version": data["version"], "deleted": 1})
    report = lab.sync()
    assert "goodfellow2016deep" not in lab.library().by_key()
    assert Change("bib", "delete", "goodfellow2016deep", "Deep Learning") in report.changes
    assert key in lab.trashed()  # still there: genbib did not empty the trash
    # restored from the trash: the paper comes back under its own key
    data = zot.item(key)["data"]
    zot.update_item({"key": key, "version": data["version"], "deleted": 0})
    report = lab.sync()
    assert lab.entry("goodfellow2016deep").title == "Deep Learning"
    bib = lab.bib.read_bytes()
    assert not lab.sync().changes and lab.bib.read_bytes() == bib


def test_deleted_in_the_bib_goes_to_the_trash_and_comes_back_if_restored(lab: Lab) -> None:
    lab.sync()
    key = lab.item_key("weng2021diffusion")
    lab.edit(lambda lib: lib.remove("weng2021diffusion"))
    lab.sync()
    assert key in lab.trashed() and not item_deletes(lab)
    zot = member(lab)
    data = zot.item(key)["data"]
    zot.update_item({"key": key, "version": data["version"], "deleted": 0})
    lab.sync()
    assert "weng2021diffusion" in lab.library().by_key()


def test_a_merge_made_in_zotero_merges_the_bib_entries(lab: Lab) -> None:
    """A member merges two items in Zotero (master keeps `dc:replaces`, the other goes to
    the trash): the bib keeps one entry, the other key an alias, retired for good."""
    lab.edit(
        lambda lib: lib.add(
            __import__("genbib.model.entry", fromlist=["Entry"]).Entry(
                "misc", "ho2020ddpm", {"title": "{DDPM}", "author": "{Ho, Jonathan}",
                                       "year": "{2020}", "note": "{a stub}"},
            )
        )
    )  # fmt: skip
    lab.sync()
    zot = member(lab)
    master, other = lab.item_key("ho2020denoising"), lab.item_key("ho2020ddpm")
    data = zot.item(master)["data"]
    uri = f"http://zotero.org/groups/{lab.emu.group_id}/items/{other}"
    zot.update_item({"key": master, "version": data["version"],
                     "relations": {"dc:replaces": [uri]}})  # fmt: skip
    odata = zot.item(other)["data"]
    zot.update_item({"key": other, "version": odata["version"], "deleted": 1})

    report = lab.sync()
    lib = lab.library()
    assert "ho2020ddpm" not in lib.by_key()
    assert "ho2020ddpm" in lib.by_key()["ho2020denoising"].aliases
    assert "ho2020ddpm" in lib.retired
    assert any(c.action == "delete" and c.target == "ho2020ddpm" for c in report.changes)
    assert not item_deletes(lab)
    bib = lab.bib.read_bytes()
    assert not lab.sync().changes and lab.bib.read_bytes() == bib


def test_a_type_changed_in_the_bib_is_pushed_as_the_server_accepts_it(lab: Lab) -> None:
    def retype(lib: Any) -> None:
        e = lib.by_key()["kingma2019introduction"]
        e.type = "inproceedings"
        e.fields.pop("journal")
        e.set("booktitle", "Proceedings of the Survey Workshop")

    zot = member(lab)
    key = lab.item_key("kingma2019introduction")
    data = zot.item(key)["data"]
    data["tags"] = [{"tag": "survey"}]
    zot.update_item(data)
    lab.edit(retype)
    report = lab.sync()
    assert not report.failed and not report.conflicts
    item = lab.item("kingma2019introduction")
    assert item["itemType"] == "conferencePaper"
    assert item["proceedingsTitle"] == "Proceedings of the Survey Workshop"
    assert not item.get("publicationTitle") and tags(item) == {"survey"}
    assert item["DOI"] == "10.1561/2200000056" and item["pages"] == "307--392"
    e = lab.entry("kingma2019introduction")
    assert e.type == "inproceedings" and e.get("number") == "4"  # kept, as a tex line
    bib = lab.bib.read_bytes()
    assert not lab.sync().changes and lab.bib.read_bytes() == bib


def test_tags_edited_on_both_sides_merge_three_ways(lab: Lab) -> None:
    """Keywords in the bib are the item's manual tags (BBT's convention); a tag added in
    Zotero and a keyword added in the bib both land, a removal on one side too, and the
    member's automatic tags stay in Zotero without reaching the bib."""
    zot = member(lab)
    key = lab.item_key("kingma2019introduction")
    data = zot.item(key)["data"]
    data["tags"] = [{"tag": "survey"}, {"tag": "vae"}, {"tag": "Statistics - ML", "type": 1}]
    zot.update_item(data)
    lab.sync()
    e = lab.entry("kingma2019introduction")
    assert set(split(e.get("keywords") or "")) == {"survey", "vae"}
    # both sides edit the tags: Zotero adds one, the bib adds "tutorial" and drops "vae"
    data = zot.item(key)["data"]
    data["tags"] = [*data["tags"], {"tag": "read it again"}]  # a tag with spaces: one keyword
    zot.update_item(data)
    lab.edit(lambda lib: lib.by_key()["kingma2019introduction"].set("keywords", "survey, tutorial"))
    report = lab.sync()
    assert not report.conflicts
    assert set(split(lab.entry("kingma2019introduction").get("keywords") or "")) == {
        "survey", "tutorial", "read it again"}  # fmt: skip
    assert tags(lab.item("kingma2019introduction")) == {
        "survey", "tutorial", "read it again", "Statistics - ML"}  # fmt: skip
    bib = lab.bib.read_bytes()
    assert not lab.sync().changes and lab.bib.read_bytes() == bib


def split(text: str) -> list[str]:
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]
