"""Fixtures of the adoption tests: the Zotero emulator seeded with Connector items."""

from genbib.testing.zotero.fixtures import (  # noqa: F401
    connector_library,
    zotero_server_factory,
)
