"""A collection renamed (in Zotero or in genbib.toml) and an item type changed in Zotero.

Both scenarios run against the emulator over HTTP, the renames and the type change made
through the Web API with pyzotero as another member's client would.
"""

from __future__ import annotations

import dataclasses
import ssl

import httpx2
import pytest
from pyzotero import zotero

from genbib.config import Topic
from genbib.model.library import Library
from genbib.sync.engine import Prefer

from .conftest import Lab  # type: ignore[import-not-found]

_SSL = ssl.create_default_context()


def client(lab: Lab) -> zotero.Zotero:
    http = httpx2.Client(follow_redirects=True, timeout=30, verify=_SSL)
    zot = zotero.Zotero(lab.emu.group_id, "group", lab.emu.api_key, client=http)
    zot.endpoint = lab.emu.url
    return zot


def rename_collection(lab: Lab, key: str, name: str) -> None:
    zot = client(lab)
    data = zot.collection(key)["data"]
    data["name"] = name
    zot.update_collection(data)


def versions(lab: Lab) -> dict[str, int]:
    return {k: int(v["version"]) for k, v in lab.emu.library.items().items()}


def diffusion_keys(lab: Lab) -> list[str]:
    return sorted(e.key for e in lab.library() if "diffusion" in e.topics)


def test_collection_renamed_in_zotero_keeps_topics(lab: Lab) -> None:
    coll = lab.collection("Diffusion models")
    members = diffusion_keys(lab)
    before_items, before_bib = versions(lab), lab.bib.read_bytes()
    rename_collection(lab, coll, "Diffusion (DDPM and friends)")

    report = lab.sync()
    assert report.zotero is not None
    assert lab.bib.read_bytes() == before_bib  # topics kept, nothing rewritten
    assert versions(lab) == before_items  # no item rewritten in Zotero either
    assert len(lab.emu.library.collections()) == 3  # no second "Diffusion models"
    found = [p for p in report.zotero.problems if p.code == "SYNC_COLLECTION_RENAMED"]
    assert len(found) == 1 and coll in found[0].message and "diffusion" in found[0].message
    assert lab.state().collections[coll] == "Diffusion (DDPM and friends)"

    # an item of the renamed collection changes: its topic still follows the key
    lab.emu.library.edit_item(lab.item_key("ho2020denoising"), volume="34")
    lab.edit(lambda lib: lib.by_key()["weng2021diffusion"].set("note", "A blog post"))
    report = lab.sync()
    assert not report.conflicts
    ddpm, weng = lab.entry("ho2020denoising"), lab.entry("weng2021diffusion")
    assert ddpm.get("volume") == "34" and ddpm.topics == ["diffusion"]
    assert lab.item("weng2021diffusion")["collections"] == [coll]
    assert weng.topics == ["diffusion"]
    assert diffusion_keys(lab) == members
    assert len(lab.emu.library.collections()) == 3
    # a new paper with the topic goes into the renamed collection
    lab.edit(lambda lib: lib.by_key()["kingma2017variational"].set_topics(["diffusion"]))
    lab.sync()
    assert lab.item("kingma2017variational")["collections"] == [coll]
    assert len(lab.emu.library.collections()) == 3

    # genbib.toml catches up with the new name: the finding goes away
    topics = tuple(
        dataclasses.replace(t, collection="Diffusion (DDPM and friends)")
        if t.slug == "diffusion"
        else t
        for t in lab.config.topics
    )
    lab.config = dataclasses.replace(lab.config, topics=topics)
    report = lab.sync()
    assert report.zotero is not None
    assert not [p for p in report.zotero.problems if p.code == "SYNC_COLLECTION_RENAMED"]


def test_collection_renamed_in_config_renames_it_in_zotero(lab: Lab) -> None:
    coll = lab.collection("Diffusion models")
    members = diffusion_keys(lab)
    before_items, before_bib = versions(lab), lab.bib.read_bytes()
    topics = tuple(
        dataclasses.replace(t, collection="Diffusion") if t.slug == "diffusion" else t
        for t in lab.config.topics
    )
    lab.config = dataclasses.replace(lab.config, topics=topics)

    report = lab.sync()
    assert report.zotero is not None
    assert not [p for p in report.zotero.problems if p.code == "SYNC_COLLECTION_RENAMED"]
    assert lab.emu.library.collection(coll)["name"] == "Diffusion"
    assert len(lab.emu.library.collections()) == 3
    assert versions(lab) == before_items and lab.bib.read_bytes() == before_bib
    lab.emu.library.edit_item(lab.item_key("ho2020denoising"), volume="34")
    lab.sync()
    assert diffusion_keys(lab) == members
    lab.sync()
    assert lab.last_requests <= 2


def test_collection_unknown_to_the_topics_is_reported(lab: Lab) -> None:
    coll = lab.collection("Variational autoencoders")
    rename_collection(lab, coll, "VAEs")
    lab.config = dataclasses.replace(
        lab.config, topics=(*lab.config.topics, Topic("vaes", "Other VAEs"))
    )
    report = lab.sync()
    assert report.zotero is not None
    assert [p.code for p in report.zotero.problems] == ["SYNC_COLLECTION_RENAMED"]
    assert lab.entry("kingma2019introduction").topics == ["vae"]


def change_type(lab: Lab, key: str, item_type: str, **fields: str) -> None:
    """What Zotero's type menu does: the item keeps only the fields the new type has."""
    zot = client(lab)
    data = zot.item(lab.item_key(key))["data"]
    allowed = {f["field"] for f in zot.item_type_fields(item_type)}
    keep = {"key", "version", "itemType", "creators", "tags", "collections", "relations"}
    new = {k: v for k, v in data.items() if k in allowed or k in keep}
    new.update(itemType=item_type, **fields)
    zot.update_item(new)


@pytest.mark.parametrize("bib_type", ["techreport", "report"])
def test_type_changed_in_zotero_drops_the_old_type_fields(lab: Lab, bib_type: str) -> None:
    def prepare(lib: Library) -> None:
        lib.by_key()["openai2023gpt4"].set("number", "TR-7")
        lib.by_key()["openai2023gpt4"].type = bib_type  # biblatex @report: a tex.entrytype line

    lab.edit(prepare)
    lab.sync()
    before = lab.item("openai2023gpt4")
    assert before["itemType"] == "report" and before["reportNumber"] == "TR-7"
    assert before["institution"] == "OpenAI"
    change_type(lab, "openai2023gpt4", "conferencePaper", proceedingsTitle="Proceedings of X")
    version = lab.item("openai2023gpt4")["version"]

    report = lab.sync()
    assert not report.conflicts
    e = lab.entry("openai2023gpt4")
    assert e.type == "inproceedings" and e.get("booktitle") == "Proceedings of X"
    assert e.get("institution") is None and e.get("number") is None
    assert e.arxiv == "2303.08774" and e.get("title") == "{GPT}-4 Technical Report"
    assert lab.item("openai2023gpt4")["version"] == version  # nothing to push back
    row = lab.state().by_key()["openai2023gpt4"]
    assert "institution" not in row.fields and row.fields["@type"] == "inproceedings"
    after = lab.bib.read_bytes()
    lab.sync()
    assert lab.bib.read_bytes() == after and lab.last_requests <= 2


def test_type_changed_in_zotero_while_an_old_type_field_was_edited_is_a_conflict(
    lab: Lab,
) -> None:
    lab.edit(lambda lib: lib.by_key()["openai2023gpt4"].set("number", "TR-7"))
    lab.sync()
    change_type(lab, "openai2023gpt4", "conferencePaper", proceedingsTitle="Proceedings of X")
    lab.edit(lambda lib: lib.by_key()["openai2023gpt4"].set("number", "TR-8"))

    report = lab.sync()
    assert report.zotero is not None
    assert [(k, c.field, c.local, c.remote) for k, c in report.zotero.conflicts] == [
        ("openai2023gpt4", "number", "{TR-8}", "")
    ]
    e = lab.entry("openai2023gpt4")
    assert e.type == "inproceedings" and e.get("number") == "TR-8"  # the edit is not lost
    assert e.get("institution") is None  # unchanged locally: follows Zotero
    assert "TR-8" not in lab.item("openai2023gpt4")["extra"]
    report = lab.sync()  # seen again until resolved
    assert report.conflicts == 1 and lab.entry("openai2023gpt4").get("number") == "TR-8"
    lab.sync(prefer=Prefer.LOCAL)
    assert "tex.number: TR-8" in lab.item("openai2023gpt4")["extra"]
    assert lab.sync().conflicts == 0


def test_collection_without_a_topic_keeps_its_items_topic_when_renamed(lab: Lab) -> None:
    coll = lab.collection("score")  # created for a topic genbib.toml does not list
    rename_collection(lab, coll, "Score-based models")
    lab.emu.library.edit_item(lab.item_key("song2021scorebased"), place="Online")
    report = lab.sync()
    assert report.zotero is not None
    (found,) = [p for p in report.zotero.problems if p.code == "SYNC_COLLECTION_RENAMED"]
    assert coll in found.message and "'score'" in found.message
    e = lab.entry("song2021scorebased")
    assert e.get("address") == "Online" and e.topics == ["diffusion", "score"]
    assert len(lab.emu.library.collections()) == 3
    # genbib.toml names it now: the finding goes away, the topic stays
    lab.config = dataclasses.replace(
        lab.config,
        topics=(*lab.config.topics, Topic("score", "Score", collection="Score-based models")),
    )
    report = lab.sync()
    assert report.zotero is not None and not report.zotero.problems
    assert lab.entry("song2021scorebased").topics == ["diffusion", "score"]
