"""`ZoteroEmulator`: a Zotero Web API v3 server on 127.0.0.1 for tests, benchmarks and demos.

The emulator owns the libraries (one user library and one group library, both reachable
with the one API key), the faults to inject, the request log and the HTTP server thread.
Tests use it through real HTTP (pyzotero over httpx2, exactly as in production) and look
at or change its state directly between requests:

    with ZoteroEmulator(schema=Schema.ZOTERO8, schema_file="../shared/.../schema.json") as emu:
        zot = pyzotero.Zotero(emu.group_id, "group", emu.api_key)
        zot.endpoint = emu.url
        key = emu.library.seed_items([{"itemType": "preprint", "title": "DDPM"}])[0]
        emu.library.edit_item(key, title="Denoising Diffusion Probabilistic Models")
        assert emu.count(method="GET") <= 2

Only the standard library is used, so it runs anywhere genbib runs. It validates against
Zotero's full `schema.json` (see `genbib.testing.zotero.schema` for where it is looked for);
without one it raises `SchemaNotFound` rather than accept what the real server refuses.
"""

from __future__ import annotations

import os
import random
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from types import TracebackType

from genbib.testing.zotero.faults import Fault, FaultBook
from genbib.testing.zotero.library import Library
from genbib.testing.zotero.schema import Schema, ZoteroSchema, load_schema

DEFAULT_API_KEY = "genbibTestKey0000000000000000000"  # 32 characters, like a real key


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it, for assertions like "at most 2 requests"."""

    method: str
    path: str  # full path without the query, e.g. "/groups/1/items"
    route: str  # library-relative with keys replaced, e.g. "/items/{key}"
    query: str
    status: int  # 0 when the connection was dropped without an answer


class ZoteroEmulator:
    """A running (after `start()`) emulated Zotero API; see the module docstring."""

    def __init__(
        self,
        *,
        schema: Schema | str = Schema.ZOTERO8,
        schema_file: str | os.PathLike[str] | None = None,
        api_key: str = DEFAULT_API_KEY,
        user_id: int = 1000001,
        group_id: int = 2000002,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.flavour = Schema(schema)
        # the loaded schema (all item types, fields, base fields, creator types)
        self.schema: ZoteroSchema = load_schema(schema_file, self.flavour)
        self.api_key = api_key
        self.user_id = user_id
        self.group_id = group_id
        self.latency = latency  # seconds added before every answer (benchmarks)
        self.faults: list[Fault] = []
        self.fault_book = FaultBook()
        self.requests: list[RecordedRequest] = []
        self.lock = threading.RLock()
        self.write_tokens: set[str] = set()
        self._host = host
        self._port = port
        self._rng = random.Random(seed)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.libraries: dict[tuple[str, int], Library] = {
            ("user", user_id): self._new_library("user", user_id, "genbib-test-user"),
            ("group", group_id): self._new_library("group", group_id, "genbib test group"),
        }

    def reset(self) -> None:
        """Empty both libraries and forget faults, counters and write tokens.

        Lets a long test (a hypothesis state machine) reuse one running server. The
        `Library` objects are replaced: read `emulator.library` again afterwards.
        """
        with self.lock:
            self.faults.clear()
            self.fault_book = FaultBook()
            self.requests.clear()
            self.write_tokens.clear()
            for kind, library_id in list(self.libraries):
                name = self.libraries[(kind, library_id)].name
                self.libraries[(kind, library_id)] = self._new_library(kind, library_id, name)

    def _new_library(self, kind: str, library_id: int, name: str) -> Library:
        return Library(
            kind,
            library_id,
            name=name,
            schema=self.schema,
            clock=_now,
            rng=self._rng,
            lock=self.lock,
        )

    # --------------------------------------------------------------- life cycle

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> ZoteroEmulator:
        """Bind (a free port the first time unless one was given) and serve in a thread.

        After `stop()`, `start()` binds the same port again with the libraries intact, so a
        test can take "Zotero" away and bring it back.
        """
        from genbib.testing.zotero.server import make_handler

        self._server = ThreadingHTTPServer((self._host, self._port), make_handler(self))
        self._port = int(self._server.server_address[1])
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="zotero-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port; open keep-alive connections are closed as well."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ZoteroEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------ where it lives

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start()")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The base URL to give pyzotero as `endpoint` (and GENBIB_ZOTERO_API_URL)."""
        return f"http://{self._host}:{self.port}"

    @property
    def library(self) -> Library:
        """The group library (the lab's shared library; what genbib syncs with)."""
        return self.libraries[("group", self.group_id)]

    @property
    def user_library(self) -> Library:
        return self.libraries[("user", self.user_id)]

    def env(self, *, api_key_env: str = "ZOTERO_API_KEY") -> dict[str, str]:
        """Environment variables that point genbib at this emulator."""
        return {"GENBIB_ZOTERO_API_URL": self.url, api_key_env: self.api_key}

    # ------------------------------------------------------------------ counters

    def record(self, request: RecordedRequest) -> None:
        with self.lock:
            self.requests.append(request)

    def count(self, *, method: str | None = None, route: str | None = None) -> int:
        """How many requests matched `method` and/or `route` (e.g. "/items")."""
        with self.lock:
            return sum(
                1
                for r in self.requests
                if (method is None or r.method == method.upper())
                and (route is None or r.route == route)
            )

    def counts(self) -> Counter[tuple[str, str]]:
        """Requests per (method, route)."""
        with self.lock:
            return Counter((r.method, r.route) for r in self.requests)

    def reset_counters(self) -> None:
        with self.lock:
            self.requests.clear()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
