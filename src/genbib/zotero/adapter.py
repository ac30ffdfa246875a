"""The one module that talks to Zotero: a small typed adapter over pyzotero.

pyzotero's write paths have traps (see the README's sync section): it retries neither 429
nor 503 on writes, returns `failed` objects without raising, sends an item version where
multi-deletes want the library version and never sends `If-Modified-Since-Version`. So:

- transient failures are handled below pyzotero by `RetryTransport`, which resends the
  identical request (same body, same `Zotero-Write-Token`) after `Retry-After`/`Backoff`
  on 429, 503 and dropped connections;
- every write goes out in chunks of 50 with `If-Unmodified-Since-Version: <library
  version>`, and every entry of a write answer (`successful`, `unchanged`, `failed`) is read;
- the "anything new?" check is one `format=versions` request with
  `If-Modified-Since-Version`, answered 304 when nothing changed.

Errors never carry request headers (the API key travels in one): messages are built here
from the status, the method and the route only.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx2

from genbib.errors import RemoteError

CHUNK = 50  # objects per write, keys per `itemKey=` read (the API's limits)
PAGE = 100  # objects per page of a listing (the API's largest `limit`)
Json = dict[str, Any]


class LibraryChanged(Exception):
    """412: the library changed since the version the write was based on."""


class RetryTransport(httpx2.BaseTransport):
    """Retry 429/503 and dropped connections, resending the identical request.

    Retries stop at `deadline` seconds after a request was first sent (the configured
    `[zotero] timeout`), so an unreachable server fails in that time, not after a fixed
    number of tries; each retry is announced through `on_retry` (progress for the user).
    """

    def __init__(
        self,
        inner: httpx2.BaseTransport | None = None,
        *,
        retries: int = 6,
        max_wait: float = 120.0,
        deadline: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[str], None] | None = None,
    ) -> None:
        self.inner = inner or httpx2.HTTPTransport()
        self.retries = retries
        self.max_wait = max_wait
        self.deadline = deadline
        self.sleep = sleep
        self.on_retry = on_retry
        self.requests = 0  # every request sent, retries included
        self._not_before = 0.0

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()  # the body stays in memory so a retry sends the same bytes
        started = time.monotonic()
        where = _where(request)
        for attempt in range(self.retries + 1):
            pause = self._not_before - time.monotonic()
            if pause > 0:
                self.sleep(pause)
            self.requests += 1
            try:
                response = self.inner.handle_request(request)
            except httpx2.TransportError as exc:
                spent = time.monotonic() - started
                wait = min(self.max_wait, 0.2 * 2**attempt + random.random() * 0.1)
                if attempt >= self.retries or spent + wait > self.deadline:
                    what = "cannot connect" if isinstance(exc, httpx2.ConnectError) else "no answer"
                    raise RemoteError(
                        f"Zotero at {request.url.host}: {what}: {where} ({_error(exc)}), "
                        f"{attempt + 1} tries in {spent:.1f}s",
                        hint="check the network connection (and proxy settings) and "
                        "[zotero] api_url in genbib.toml (or GENBIB_ZOTERO_API_URL); "
                        "[zotero] timeout sets how long to wait",
                    ) from None
                self._announce(f"{where}: {_error(exc)}; retry {attempt + 1} of {self.retries}")
                self.sleep(wait)
                continue
            backoff = _seconds(response.headers.get("Backoff"))
            if backoff:
                self._not_before = time.monotonic() + min(backoff, self.max_wait)
            if response.status_code in (429, 503) and attempt < self.retries:
                wait = _seconds(response.headers.get("Retry-After")) or backoff or 2.0**attempt
                wait = min(wait, self.max_wait)
                if time.monotonic() - started + wait > self.deadline:
                    return response  # answered as it is: the caller reports the status
                response.close()
                self._announce(
                    f"{where}: HTTP {response.status_code}; retry {attempt + 1} of "
                    f"{self.retries} in {wait:.0f}s"
                )
                self.sleep(wait)
                continue
            return response
        raise AssertionError("unreachable")

    def _announce(self, text: str) -> None:
        if self.on_retry is not None:
            self.on_retry(text)

    def close(self) -> None:
        self.inner.close()


def _where(request: httpx2.Request) -> str:
    """Method and URL of a request without its query (the key may travel in `?key=`)."""
    url = request.url
    return f"{request.method} {url.scheme}://{url.host}{':' + str(url.port) if url.port else ''}{url.path}"


def _error(exc: BaseException) -> str:
    """The kind of a transport error and its reason, never a header or query string."""
    text = " ".join(str(exc).split())
    text = re.sub(r"(?i)(key=)[^&\s]+", r"\1***", text)
    return f"{type(exc).__name__}: {text[:120]}" if text else type(exc).__name__


def _seconds(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value else 0.0
    except ValueError:
        return 0.0


@dataclass
class WriteAnswer:
    """A multi-object write, all chunks: per input index, what happened."""

    keys: dict[int, str] = field(default_factory=dict)  # successful or unchanged
    failed: dict[int, str] = field(default_factory=dict)  # index -> "code message"
    version: int = 0  # library version after the last chunk


class ZoteroAdapter:
    """One Zotero library (`groups/<id>` or `users/<id>`) over HTTP."""

    def __init__(
        self,
        library_type: str,
        library_id: str,
        api_key: str,
        url: str = "https://api.zotero.org",
        *,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 60.0,
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        from pyzotero import zotero

        self.transport = RetryTransport(
            transport, sleep=sleep, deadline=timeout, on_retry=self._retrying
        )
        # a request and its retries end within `timeout` (a hung server: one try)
        self.client = httpx2.Client(
            transport=self.transport, timeout=timeout, follow_redirects=True
        )
        self.zot = zotero.Zotero(library_id, library_type, api_key, client=self.client)
        self.zot.endpoint = url.rstrip("/")
        self.prefix = f"/{library_type}s/{library_id}"
        self.library = f"{library_type}s/{library_id}"
        self._fields: dict[str, frozenset[str]] = {}
        self.progress: Callable[[str, int, int], None] | None = None  # (label, done, total)
        self.notice: Callable[[str], None] | None = None  # retries, as they happen

    def __repr__(self) -> str:  # never the key
        return f"ZoteroAdapter({self.library!r})"

    def _retrying(self, text: str) -> None:
        if self.notice is not None:
            self.notice(f"Zotero: {text}")

    @property
    def requests(self) -> int:
        return self.transport.requests

    def close(self) -> None:
        self.client.close()

    # --- reads -------------------------------------------------------------------
    def versions_since(self, since: int) -> tuple[int, dict[str, int]] | None:
        """Library version and `{key: version}` of items changed since `since`; None if none."""
        headers = self.zot.default_headers()
        if since:
            headers["If-Modified-Since-Version"] = str(since)
        params = {"format": "versions", "since": str(since), "includeTrashed": "1"}
        resp = self._send("GET", "/items", headers=headers, params=params)
        if resp.status_code == 304:
            return None
        data = self._json(resp)
        return int(resp.headers.get("Last-Modified-Version", "0")), {
            str(k): int(v) for k, v in data.items()
        }

    def items(self, keys: Sequence[str]) -> list[Json]:
        """Full items by key, 50 per request."""
        out: list[Json] = []
        for chunk in _chunks(list(keys)):
            joined = ",".join(chunk)
            found: list[Json] = self._call(
                lambda: self.zot.items(itemKey=joined, limit=CHUNK, includeTrashed=1)  # noqa: B023
            )
            out.extend(found)
            self._progress("pull", len(out), len(keys))
        return out

    def items_since(self, since: int, expected: int = 0) -> list[Json]:
        """Every item (children and trashed ones too) changed since `since`, full, 100 per
        request (the API's largest page): a first pull of N items costs ceil(N/100)."""
        out: list[Json] = []
        total = expected
        while True:
            params = {
                "since": str(since), "includeTrashed": "1", "limit": str(PAGE),
                "start": str(len(out)), "format": "json",
            }  # fmt: skip
            resp = self._send("GET", "/items", headers=self.zot.default_headers(), params=params)
            page = self._json(resp)
            total = int(resp.headers.get("Total-Results", total or 0))
            out.extend(page)
            self._progress("pull", len(out), max(total, len(out)))
            if not page or len(out) >= total:
                return out

    def deleted_items(self, since: int) -> set[str]:
        data = self._call(lambda: self.zot.deleted(since=since))
        return set(data.get("items", []))

    def collections(self) -> dict[str, str]:
        """Collection key -> name."""
        found = self._call(lambda: self.zot.everything(self.zot.collections(limit=100)))
        return {c["key"]: c["data"]["name"] for c in found}

    def fields_of(self, item_type: str) -> frozenset[str]:
        """The fields the library accepts for a type (Zotero 8 adds `citationKey`)."""
        if item_type not in self._fields:
            answer = self._call(lambda: self.zot.item_type_fields(item_type))
            self._fields[item_type] = frozenset(f["field"] for f in answer)
        return self._fields[item_type]

    # --- writes ------------------------------------------------------------------
    def write(self, objects: Sequence[Json], version: int, *, kind: str = "items") -> WriteAnswer:
        """Create or update objects (with `key`; existing ones are updated), 50 per request."""
        answer = WriteAnswer(version=version)
        for start in range(0, len(objects), CHUNK):
            chunk = list(objects[start : start + CHUNK])
            headers = {
                **self.zot.default_headers(),
                "Zotero-Write-Token": "".join(random.choices("0123456789abcdef", k=32)),
                "If-Unmodified-Since-Version": str(answer.version),
                "Content-Type": "application/json",
            }
            resp = self._send(
                "POST", f"/{kind}", headers=headers, content=json.dumps(chunk).encode()
            )
            data = self._json(resp)
            answer.version = int(resp.headers.get("Last-Modified-Version", answer.version))
            for index, key in (data.get("success") or {}).items():
                answer.keys[start + int(index)] = str(key)
            for index, key in (data.get("unchanged") or {}).items():
                answer.keys[start + int(index)] = str(key)
            for index, err in (data.get("failed") or {}).items():
                answer.failed[start + int(index)] = f"{err.get('code')} {err.get('message')}"
            self._progress(f"push {kind}", start + len(chunk), len(objects))
        return answer

    def delete(
        self, keys: Sequence[str], version: int, *, owned: Collection[str], kind: str = "items"
    ) -> int:
        """Delete for good objects genbib created (`owned`), 50 per request; the new version.

        The only permanent deletion genbib makes: a key not in `owned` (a member's item,
        note or attachment) raises before any request. Papers go to the trash instead.
        """
        foreign = sorted(set(keys) - set(owned))
        if foreign:
            raise ValueError(f"refusing to delete objects genbib did not create: {foreign}")
        param = "itemKey" if kind == "items" else "collectionKey"
        for chunk in _chunks(list(keys)):
            headers = {**self.zot.default_headers(), "If-Unmodified-Since-Version": str(version)}
            resp = self._send(
                "DELETE", f"/{kind}", headers=headers, params={param: ",".join(chunk)}
            )
            version = int(resp.headers.get("Last-Modified-Version", version))
        return version

    # --- plumbing ----------------------------------------------------------------
    def _progress(self, label: str, done: int, total: int) -> None:
        if self.progress is not None and total > CHUNK:
            self.progress(label, done, total)

    def _send(self, method: str, route: str, **kwargs: Any) -> httpx2.Response:
        url = self.zot.endpoint + self.prefix + route
        try:
            resp = self.client.request(method, url, **kwargs)
        except httpx2.HTTPError as exc:
            raise RemoteError(
                f"Zotero: {method} {url} failed ({_error(exc)})",
                hint="check the network and [zotero] api_url in genbib.toml; "
                "[zotero] timeout sets how long to wait",
            ) from None
        if resp.status_code == 412:
            raise LibraryChanged(f"{method} {route}")
        if resp.status_code >= 400:
            raise RemoteError(
                f"Zotero: {method} {url} answered HTTP {resp.status_code}: {_short(resp.text)}",
                hint=_hint(resp.status_code),
            )
        return resp

    def _json(self, resp: httpx2.Response) -> Any:
        try:
            return resp.json()
        except ValueError:
            raise RemoteError(
                f"Zotero: {resp.request.method} {resp.request.url.copy_with(query=None)} "
                f"answered HTTP {resp.status_code} with {_short(resp.text)[:80]!r}, not JSON",
                hint="[zotero] api_url must name a Zotero Web API v3 server "
                "(https://api.zotero.org)",
            ) from None

    def _call(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except RemoteError:
            raise
        except Exception as exc:  # pyzotero and httpx2 errors: keep only the status and kind
            text = str(exc)
            code = next((w for w in text.split() if w.isdigit() and len(w) == 3), "")
            if code == "412":
                raise LibraryChanged("read") from None
            raise RemoteError(
                f"Zotero: request to {self.zot.endpoint}{self.prefix} failed "
                f"({type(exc).__name__}{' HTTP ' + code if code else ''})",
                hint=_hint(int(code) if code else 0),
            ) from None


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _short(text: str) -> str:
    return " ".join(text.split())[:200]


def _hint(status: int) -> str | None:
    if status in (401, 403):
        return "check the API key (its environment variable is named in genbib.toml [zotero] api_key_env) and its permissions"
    if status == 404:
        return "check [zotero] library_type and library_id in genbib.toml"
    if status in (429, 503) or status >= 500:
        return "the Zotero server is busy or failing; try again later"
    return "check [zotero] api_url in genbib.toml: it must name a Zotero Web API v3 server"
