"""Fixtures for the emulator's own tests: a running emulator, pyzotero and a raw client."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx2
import pytest
from pyzotero import zotero

from genbib.testing.zotero import ZoteroEmulator
from genbib.testing.zotero.fixtures import (
    connector_library,
    zotero_server,
    zotero_server_factory,
)

__all__ = ["connector_library", "zotero_server", "zotero_server_factory"]

# Building an SSL context costs ~0.3 s and every httpx2 client builds one (unused here: the
# emulator speaks plain HTTP); share one so the tests stay fast.
SSL_CONTEXT = ssl.create_default_context()


def pyzotero_for(emu: ZoteroEmulator) -> zotero.Zotero:
    """pyzotero talking HTTP to `emu`'s group library, as genbib's adapter will."""
    http = httpx2.Client(follow_redirects=True, timeout=30, verify=SSL_CONTEXT)
    client = zotero.Zotero(emu.group_id, "group", emu.api_key, client=http)
    client.endpoint = emu.url
    return client


@pytest.fixture
def zot(zotero_server: ZoteroEmulator) -> zotero.Zotero:
    return pyzotero_for(zotero_server)


@pytest.fixture
def http(zotero_server: ZoteroEmulator) -> Iterator[httpx2.Client]:
    """A raw client for headers pyzotero never sends; base URL is the group library."""
    with httpx2.Client(
        verify=SSL_CONTEXT,
        base_url=f"{zotero_server.url}{zotero_server.library.prefix}",
        headers={"Zotero-API-Key": zotero_server.api_key, "Zotero-API-Version": "3"},
    ) as client:
        yield client
