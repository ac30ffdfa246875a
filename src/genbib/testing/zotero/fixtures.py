"""Pytest fixtures that start and stop a Zotero emulator around a test.

Register them in a conftest.py:

    from genbib.testing.zotero.fixtures import zotero_server, zotero_server_factory  # noqa: F401

`zotero_server` is a running emulator with the Zotero 8 schema; `zotero_server_factory`
builds more (other schema, latency) and stops them all at the end of the test. The module
imports nothing from pytest at import time beyond the decorator, so importing it outside a
test run is harmless.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from genbib.testing.zotero.emulator import ZoteroEmulator

EmulatorFactory = Callable[..., ZoteroEmulator]


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
