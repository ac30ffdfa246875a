"""A member merges two items in Zotero ("Merge Items": the other item to the trash,
`dc:replaces` with its URI on the master, children and tags moved). Issue 13 item 2: the
sync merges the two bib entries, the old key kept as an alias, and leaves the trashed item
alone. Emulator only: the in-memory remote has no relations.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from genbib.bibtex.reader import parse
from genbib.testing.zotero import ZoteroEmulator

from .sides import BIB, EmulatorSide

CONFERENCE = r"""
@inproceedings{rombach2022highres, author = {Rombach, Robin and Blattmann, Andreas},
  title = {High-Resolution Image Synthesis with Latent Diffusion Models},
  booktitle = {CVPR}, year = {2022}}
"""


@pytest.fixture
def side(zotero_server_factory: Callable[..., ZoteroEmulator]) -> EmulatorSide:
    one = EmulatorSide(emu=zotero_server_factory(), library=parse(BIB + CONFERENCE, "m.bib"))
    one.sync()
    return one


def test_merge_helper_leaves_zotero_as_merge_items_does(side: EmulatorSide) -> None:
    lib = side.zotero.library
    master, other = side.item_of("rombach2022highres"), side.item_of("rombach2022high")
    side.add_note(other, "<p>my notes on LDM</p>")
    side.merge(master, other)
    assert lib.item(other)["deleted"] == 1 and lib.item(master)["relations"] == {
        "dc:replaces": lib.uri(other)
    }
    assert side.notes(master) == ["<p>my notes on LDM</p>"]


def test_zotero_merge_merges_the_bib_entries(side: EmulatorSide) -> None:
    master, other = side.item_of("rombach2022highres"), side.item_of("rombach2022high")
    side.merge(master, other)
    result = side.sync()
    entries = side.library.by_key()
    assert "rombach2022high" not in entries
    assert "rombach2022high" in entries["rombach2022highres"].aliases
    assert side.zotero.library.item(other)["deleted"] == 1  # left in the trash
    assert result.failed == 0 and side.sync().changed == 0
