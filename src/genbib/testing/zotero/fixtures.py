"""Pytest fixtures that start and stop a Zotero emulator around a test.

Register them in a conftest.py:

    from genbib.testing.zotero.fixtures import zotero_server, zotero_server_factory  # noqa: F401

`zotero_server` is a running emulator with the Zotero 8 schema; `zotero_server_factory`
builds more (other schema, latency) and stops them all at the end of the test;
`connector_library` is a running emulator whose group library holds every paper of the
Zotero translators' test cases as the Connector saves them (parents, child notes, child
attachments, automatic tags), with the keys to find them again. The module
imports nothing from pytest at import time beyond the decorator, so importing it outside a
test run is harmless.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from genbib.testing.zotero import translator_items
from genbib.testing.zotero.emulator import ZoteroEmulator
from genbib.testing.zotero.translator_items import TranslatorItem

EmulatorFactory = Callable[..., ZoteroEmulator]


@dataclass
class ConnectorLibrary:
    """An emulator seeded with real Connector items (see `connector_library`)."""

    emu: ZoteroEmulator
    items: dict[str, TranslatorItem]  # parent item key -> what was saved
    children: dict[str, list[str]]  # parent item key -> its child keys (notes, attachments)


@pytest.fixture
def zotero_server_factory() -> Iterator[EmulatorFactory]:
    """Call with `ZoteroEmulator` keyword arguments; returns a started emulator."""
    started: list[ZoteroEmulator] = []

    def make(**kwargs: Any) -> ZoteroEmulator:
        emulator = ZoteroEmulator(**kwargs).start()
        started.append(emulator)
        return emulator

    yield make
    for emulator in started:
        emulator.stop()


@pytest.fixture
def zotero_server(zotero_server_factory: EmulatorFactory) -> ZoteroEmulator:
    """A running emulator (Zotero 8 schema, empty libraries) for one test."""
    return zotero_server_factory()


@pytest.fixture
def connector_library(zotero_server_factory: EmulatorFactory) -> ConnectorLibrary:
    """A running emulator holding the translator test cases' papers with their children."""
    emu = zotero_server_factory()
    papers = list(translator_items.iter_papers(translator_items.load(schema=emu.schema)))
    made = translator_items.seed(emu.library, papers)
    return ConnectorLibrary(emu, dict(zip(made, papers, strict=True)), made)
