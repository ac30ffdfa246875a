"""The `side` fixture: every contract scenario runs once per remote side."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from genbib.testing.zotero import ZoteroEmulator

from .sides import EmulatorSide, MemorySide, Side


@pytest.fixture(params=["memory", "emulator"])
def side(
    request: pytest.FixtureRequest, zotero_server_factory: Callable[..., ZoteroEmulator]
) -> Side:
    if request.param == "memory":
        return MemorySide()
    return EmulatorSide(emu=zotero_server_factory())
