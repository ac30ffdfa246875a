"""The Zotero emulator fixtures."""

from __future__ import annotations

from genbib.testing.zotero.fixtures import zotero_server, zotero_server_factory  # noqa: F401
