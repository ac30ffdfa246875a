"""A member's tags on an item genbib also changes (issue 13 item 1: "a member's tags stay on
the item"). Emulator only: the in-memory remote keeps no tags."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from genbib.testing.zotero import ZoteroEmulator

from .sides import EmulatorSide


@pytest.fixture
def side(zotero_server_factory: Callable[..., ZoteroEmulator]) -> EmulatorSide:
    one = EmulatorSide(emu=zotero_server_factory())
    one.sync()
    return one


def test_member_tags_survive_a_bib_edit(side: EmulatorSide) -> None:
    item = side.item_of("song2021score")
    side.add_tag(item, "to-read")
    side.add_tag(item, "cs.LG", kind=1)
    side.sync()
    side.library.by_key()["song2021score"].set("year", "2022")
    side.sync()
    assert {"tag": "to-read"} in side.tags(item)
    assert {"tag": "cs.LG", "type": 1} in side.tags(item)
