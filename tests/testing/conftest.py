"""Fixtures for the emulator's own tests: a running emulator, pyzotero and a raw client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from pyzotero import zotero

from genbib.testing.zotero import ZoteroEmulator
from genbib.testing.zotero.fixtures import zotero_server, zotero_server_factory

__all__ = ["zotero_server", "zotero_server_factory"]


@pytest.fixture
def zot(zotero_server: ZoteroEmulator) -> zotero.Zotero:
    """pyzotero talking HTTP to the emulator's group library, as genbib's adapter will."""
    client = zotero.Zotero(zotero_server.group_id, "group", zotero_server.api_key)
    client.endpoint = zotero_server.url
    return client


@pytest.fixture
def http(zotero_server: ZoteroEmulator) -> Iterator[httpx2.Client]:
    """A raw client for headers pyzotero never sends; base URL is the group library."""
    with httpx2.Client(
        base_url=f"{zotero_server.url}{zotero_server.library.prefix}",
        headers={"Zotero-API-Key": zotero_server.api_key, "Zotero-API-Version": "3"},
    ) as client:
        yield client
