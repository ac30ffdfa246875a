"""Contract: the same sync scenarios on the in-memory remote and on the Zotero emulator
(pyzotero over HTTP), with the same outcome on the bib and on the remote.

Each scenario is one function of a `Side` (see sides.py); the `side` fixture runs it on
both. A scenario that fails on one side only shows where genbib's Zotero side and its
in-memory model of Zotero part ways.
"""

from __future__ import annotations

from .sides import Side


def titles(side: Side) -> dict[str, str | None]:
    return {e.key: side.title(side.item_of(e.key)) for e in side.library}


def test_create_then_nothing_to_do(side: Side) -> None:
    first = side.sync()
    assert len(side.live()) == 5 and len(side.state.rows) == 5
    assert titles(side)["ho2020denoising"] == "Denoising Diffusion Probabilistic Models"
    assert first.changed > 0
    assert side.sync().changed == 0


def test_member_adds_a_paper(side: Side) -> None:
    side.sync()
    side.add_paper("Generative Adversarial Nets", "2014", author="Goodfellow, Ian")
    side.sync()
    assert "goodfellow2014generative" in side.library.by_key()
    assert len(side.library) == 6 and len(side.live()) == 6
    assert side.sync().changed == 0


def test_updates_flow_both_ways(side: Side) -> None:
    side.sync()
    side.library.by_key()["song2021score"].set("year", "2022")
    side.edit(side.item_of("kingma2019introduction"), title="An Introduction to VAEs")
    side.sync()
    assert side.library.by_key()["kingma2019introduction"].get("title") == "An Introduction to VAEs"
    assert side.title(side.item_of("kingma2019introduction")) == "An Introduction to VAEs"
    assert side.sync().changed == 0
    side.library.by_key()["song2021score"].set("title", "Score SDEs")
    side.sync()
    assert side.title(side.item_of("song2021score")) == "Score SDEs"


def test_member_deletes_a_paper(side: Side) -> None:
    side.sync()
    side.delete(side.item_of("karras2019style"))
    side.sync()
    assert "karras2019style" not in side.library.by_key()
    assert len(side.library) == 4 and len(side.live()) == 4
    assert side.sync().changed == 0


def test_conflict_keeps_both_and_is_reported(side: Side) -> None:
    side.sync()
    side.library.by_key()["rombach2022high"].set("year", "2023")
    side.edit(side.item_of("rombach2022high"), year="2021")
    result = side.sync()
    assert [(k, c.field) for k, c in result.conflicts] == [("rombach2022high", "year")]
    assert side.library.by_key()["rombach2022high"].get("year") == "2023"


def test_trash_counts_as_deleted_and_restore_brings_it_back(side: Side) -> None:
    """Issue 13: "items in the trash count as deleted and an item restored from the trash
    comes back"."""
    side.sync()
    item = side.item_of("karras2019style")
    side.trash(item)
    side.sync()
    assert "karras2019style" not in side.library.by_key()
    side.restore(item)
    side.sync()
    assert "karras2019style" in side.library.by_key()
    assert side.sync().changed == 0


def test_member_notes_survive_and_change_nothing(side: Side) -> None:
    side.sync()
    item = side.item_of("ho2020denoising")
    side.add_note(item, "<p>read for the reading group</p>")
    side.library.by_key()["ho2020denoising"].set("year", "2021")
    side.sync()
    assert side.notes(item) == ["<p>read for the reading group</p>"]
    assert side.sync().changed == 0
    assert side.notes(item) == ["<p>read for the reading group</p>"]


def test_type_changed_in_zotero(side: Side) -> None:
    """Issue 13: "a type changed on either side is pushed in a form the real server
    accepts" -- here a member turns an arXiv preprint into its conference version."""
    side.sync()
    side.retype_to_conference(side.item_of("karras2019style"), "CVPR")
    side.sync()
    entry = side.library.by_key()["karras2019style"]
    assert entry.type.lower() == "inproceedings" and entry.get("booktitle") == "CVPR"
    assert side.sync().changed == 0


def test_type_changed_in_the_bib(side: Side) -> None:
    side.sync()
    entry = side.library.by_key()["song2021score"]
    entry.type = "article"
    entry.fields.pop("booktitle", None)
    entry.set("journal", "Journal of Machine Learning Research")
    result = side.sync()
    assert result.failed == 0
    assert side.bib_type(side.item_of("song2021score")) == "article"
    assert side.sync().changed == 0
