"""The HTTP face of the Zotero emulator: routing, reads, paging, headers, auth and faults.

What it answers follows the Zotero Web API v3 "Basics", "Write Requests" and "Syncing" pages:

- Libraries live under `/users/<userID>` and `/groups/<groupID>`; the API key may come as
  `Zotero-API-Key: <key>`, `Authorization: Bearer <key>` or `?key=`; without a valid key
  the answer is 403 (Basics, "Authentication").
- "limit: integer 1-100 ... default 25" with `start`; multi-object answers carry
  `Total-Results` and a `Link` header with `rel="next"`/`"last"` while more pages remain
  (Basics, "Sorting and Pagination").
- `format=versions` returns `{key: version}` for every match, without paging; `since=V`
  keeps objects modified after V; `itemKey=` takes at most 50 keys (Syncing, Basics).
- "Last-Modified-Version ... the current version of either a library (for multi-object
  requests) or an individual object (for single-object requests)" (Syncing, "Version
  Numbers"). "If a `If-Modified-Since-Version: <libraryVersion>` header is passed with a
  subsequent multi-object read request and data has not changed in the library since the
  specified version, the API will return 304 Not Modified ... (Single-object conditional
  requests are not currently supported ...)" (Basics, "Caching"): so a single-object read
  ignores the header and answers 200, and a client cannot come to rely on it.
- "The Zotero server caches write tokens for successful requests for 12 hours, and
  subsequent requests from the same API key using the same write token will be rejected
  with a 412 Precondition Failed status code. If a request fails, the write token will not
  be stored." (Write Requests). Tokens here last as long as the emulator.
- 429 with `Retry-After` when rate-limited, 503 (possibly with `Retry-After`) when
  overloaded; "the API may include a Backoff: <seconds> HTTP header in responses ...
  Backoff can be included in any response, including successful ones" (Basics, "Rate
  Limiting").
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from http.server import BaseHTTPRequestHandler
from operator import itemgetter
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from genbib.testing.zotero.emulator import RecordedRequest, ZoteroEmulator
from genbib.testing.zotero.faults import FaultKind, RequestInfo
from genbib.testing.zotero.library import MAX_WRITE, ApiError, JsonObject, Library
from genbib.testing.zotero.payloads import (
    GLOBAL_ROUTES,
    Response,
    api_key_of,
    json_response,
    key_info,
    text_response,
    wrap_collection,
    wrap_item,
    wrap_tag,
)

_LIB_RE = re.compile(r"^/(users|groups)/(\d+)(/.*)?$")
_KEY_SEGMENT = re.compile(r"^[23456789ABCDEFGHIJKLMNPQRSTUVWXYZ]{8}$")


def route_of(path: str) -> str:
    """The library-relative route with keys replaced: "/groups/1/items/AB2C..." -> "/items/{key}"."""
    match = _LIB_RE.match(path)
    rest = (match.group(3) or "/") if match else path
    parts = ["{key}" if _KEY_SEGMENT.match(p) else p for p in rest.split("/")]
    if len(parts) >= 3 and parts[1] == "keys":
        parts[2] = "{key}" if parts[2] != "current" else "current"
    return "/".join(parts).rstrip("/") or "/"


def make_handler(emu: ZoteroEmulator) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to `emu` (http.server wants a class)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls
        server_version = "ZoteroEmulator/1"
        timeout = 60

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def do_PUT(self) -> None:
            self._handle()

        def do_PATCH(self) -> None:
            self._handle()

        def do_DELETE(self) -> None:
            self._handle()

        def _handle(self) -> None:
            if not emu.running:  # a kept-alive connection outliving stop(): hang up
                self.close_connection = True
                self.connection.close()
                return
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
            info = RequestInfo(
                method=self.command,
                path=split.path,
                route=route_of(split.path),
                query=query,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            with emu.lock:
                fault = emu.fault_book.pick(emu.faults, info)
            if emu.latency:
                time.sleep(emu.latency)
            kind = fault.kind if fault else None
            if fault is not None and kind in (FaultKind.RATE_LIMIT, FaultKind.UNAVAILABLE):
                status = 429 if kind is FaultKind.RATE_LIMIT else 503
                message = "Rate limit exceeded" if status == 429 else "Service unavailable"
                self._send(
                    info, text_response(status, message, {"Retry-After": fault.header_value()})
                )
                return
            if kind is FaultKind.DROP_BEFORE:
                self._drop(info)
                return
            if (
                fault is not None
                and kind is FaultKind.CONCURRENT_WRITE
                and fault.action is not None
            ):
                with emu.lock:
                    try:
                        fault.action(emu)
                    except Exception as err:  # a broken test hook: show it to the client
                        self._send(info, text_response(500, f"fault action failed: {err!r}"))
                        return
            with emu.lock:
                try:
                    response = _dispatch(emu, info)
                except ApiError as err:
                    response = text_response(err.status, err.message, err.headers)
                except Exception as err:  # an emulator bug: say so instead of hanging up
                    response = text_response(500, f"Zotero emulator error: {err!r}")
                token = info.headers.get("zotero-write-token")
                if token and response.status < 300 and info.is_write:
                    emu.write_tokens.add(token)
            if kind is FaultKind.DROP_AFTER_WRITE:
                self._drop(info)
                return
            if fault is not None and kind is FaultKind.BACKOFF:
                response.headers["Backoff"] = fault.header_value()
            self._send(info, response)

        def _drop(self, info: RequestInfo) -> None:
            emu.record(
                RecordedRequest(info.method, info.path, info.route, urlsplit(self.path).query, 0)
            )
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        def _send(self, info: RequestInfo, response: Response) -> None:
            emu.record(
                RecordedRequest(
                    info.method, info.path, info.route, urlsplit(self.path).query, response.status
                )
            )
            self.send_response(response.status)
            headers = {"Zotero-API-Version": "3", **response.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if response.body and self.command != "HEAD":
                self.wfile.write(response.body)

    return Handler


# --------------------------------------------------------------------------- routing


def _dispatch(emu: ZoteroEmulator, info: RequestInfo) -> Response:
    path = info.path.rstrip("/") or "/"
    global_route = GLOBAL_ROUTES.get(path)
    if global_route is not None:
        if info.method != "GET":
            return text_response(405, "Method not allowed")
        return global_route(emu, info)
    if path.startswith("/keys/"):
        return key_info(emu, info, path.split("/", 2)[2])
    match = _LIB_RE.match(path)
    if not match:
        return text_response(404, "Not found")
    if api_key_of(info) != emu.api_key:
        return text_response(403, "Forbidden" if api_key_of(info) is None else "Invalid key")
    lib = emu.libraries.get((match.group(1)[:-1], int(match.group(2))))
    if lib is None:
        return text_response(403, "Forbidden")
    parts = [p for p in (match.group(3) or "").split("/") if p]
    if info.is_write:
        token = info.headers.get("zotero-write-token")
        if token and token in emu.write_tokens:
            return text_response(412, "Write token already used")
        return _write(lib, info, parts)
    if info.method != "GET":
        return text_response(405, "Method not allowed")
    return _read(emu, lib, info, parts)


def _version_header(info: RequestInfo, name: str) -> int | None:
    raw = info.headers.get(name.lower())
    if raw is None:
        return None
    if not raw.strip().isdigit():
        raise ApiError(400, f"Invalid {name} value '{raw}'")
    return int(raw)


def _body(info: RequestInfo) -> Any:
    try:
        return json.loads(info.body.decode() or "null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError(400, "Invalid JSON") from None


def _write(lib: Library, info: RequestInfo, parts: list[str]) -> Response:
    header = _version_header(info, "If-Unmodified-Since-Version")
    if not parts or parts[0] not in ("items", "collections"):
        return text_response(405, "Method not allowed")
    kind = parts[0]
    if len(parts) == 1:
        if info.method == "POST":
            objects = _body(info)
            if not isinstance(objects, list):
                raise ApiError(400, "Uploaded data must be a JSON array")
            result = lib.write(kind, objects, header)
            wrap = wrap_item if kind == "items" else wrap_collection
            return json_response(
                200,
                {
                    "successful": {i: wrap(lib, d) for i, d in result.successful.items()},
                    "success": {i: d["key"] for i, d in result.successful.items()},
                    "unchanged": result.unchanged,
                    "failed": result.failed,
                },
                {"Last-Modified-Version": str(lib.version)},
            )
        if info.method == "DELETE":
            param = "itemKey" if kind == "items" else "collectionKey"
            keys = [k for k in info.query.get(param, "").split(",") if k]
            if not keys:
                raise ApiError(400, f"'{param}' parameter must be provided")
            lib.delete(kind, keys, header)
            return Response(204, headers={"Last-Modified-Version": str(lib.version)})
        return text_response(405, "Method not allowed")
    if len(parts) == 2 and info.method in ("PUT", "PATCH", "DELETE"):
        key = parts[1]
        if info.method == "DELETE":
            lib.delete(kind, [key], header, single=True)
            return Response(204, headers={"Last-Modified-Version": str(lib.version)})
        before = lib.version
        changed = lib.write_one(kind, key, _body(info), header, partial=info.method == "PATCH")
        # Write Requests: "204 No Content / Last-Modified-Version: <library version>"; an
        # unchanged object answers with the original version (ApiController
        # handleObjectWrite: "If not updated, return the original library version")
        shown = lib.version if changed else before
        return Response(204, headers={"Last-Modified-Version": str(shown)})
    return text_response(405, "Method not allowed")


def _read(emu: ZoteroEmulator, lib: Library, info: RequestInfo, parts: list[str]) -> Response:
    items = lib.raw_items()
    colls = lib.raw_collections()
    q = info.query
    if parts == ["deleted"]:
        return _deleted(lib, info)
    if parts and parts[0] == "items":
        trashed = q.get("includeTrashed") == "1"

        def live() -> list[JsonObject]:
            pool: Iterable[JsonObject] = items.values()
            if "itemKey" in q:  # "changed items by key": no need to scan the library
                pool = [items[k] for k in dict.fromkeys(q["itemKey"].split(",")) if k in items]
            return [d for d in pool if trashed or not d.get("deleted")]

        if len(parts) == 1:
            return _listing(lib, info, live, wrap_item)
        if parts[1] == "top":
            return _listing(
                lib, info, lambda: [d for d in live() if not d.get("parentItem")], wrap_item
            )
        if parts[1] == "trash":
            return _listing(
                lib, info, lambda: [d for d in items.values() if d.get("deleted")], wrap_item
            )
        obj = items.get(parts[1])
        if obj is None:
            return text_response(404, "Item not found")
        if len(parts) == 2:
            return _single(info, wrap_item(lib, obj))
        if parts[2:] == ["children"]:
            # ItemsController 'children': notes and attachments of an item, annotations of
            # a PDF/EPUB/snapshot attachment (400 for other attachments); trashed children
            # only with includeTrashed=1
            key = obj["key"]
            if obj["itemType"] == "attachment" and obj.get("contentType") not in (
                "application/pdf",
                "application/epub+zip",
                "text/html",
            ):
                return text_response(
                    400, "/children can only be called on PDF, EPUB, and snapshot attachments"
                )
            return _listing(
                lib,
                info,
                lambda: [
                    d
                    for d in items.values()
                    if d.get("parentItem") == key and (trashed or not d.get("deleted"))
                ],
                wrap_item,
            )
        return text_response(404, "Not found")
    if parts and parts[0] == "collections":
        if len(parts) == 1:
            return _listing(lib, info, colls.values, wrap_collection)
        if parts[1] == "top":
            return _listing(
                lib,
                info,
                lambda: [c for c in colls.values() if not c["parentCollection"]],
                wrap_collection,
            )
        coll = colls.get(parts[1])
        if coll is None:
            return text_response(404, "Collection not found")
        if len(parts) == 2:
            return _single(info, wrap_collection(lib, coll))
        ckey = coll["key"]
        if parts[2:] == ["collections"]:
            return _listing(
                lib,
                info,
                lambda: [c for c in colls.values() if c["parentCollection"] == ckey],
                wrap_collection,
            )
        if parts[2:] in (["items"], ["items", "top"]):
            top = parts[3:] == ["top"]

            def members() -> list[JsonObject]:
                return [
                    d
                    for d in items.values()
                    if ckey in d.get("collections", ())
                    and not d.get("deleted")
                    and not (top and d.get("parentItem"))
                ]

            return _listing(lib, info, members, wrap_item)
        return text_response(404, "Not found")
    if parts == ["searches"]:  # saved searches are not emulated: always none
        return _listing(lib, info, list, wrap_collection)
    if parts == ["tags"]:
        # one entry per (name, type), trashed items left out, with the number of items
        # (controllers/TagsController.php, TagTest::test_tags_within_items)

        def tags() -> list[JsonObject]:
            counts: dict[tuple[str, int], int] = {}
            for d in items.values():
                if d.get("deleted") and q.get("includeTrashed") != "1":
                    continue
                for t in d.get("tags", ()):
                    name = (t["tag"], int(t.get("type", 0)))
                    counts[name] = counts.get(name, 0) + 1
            return [
                {"tag": n, "type": kind, "numItems": c, "key": n, "version": lib.version}
                for (n, kind), c in sorted(counts.items())
            ]

        return _listing(lib, info, tags, wrap_tag)
    return text_response(404, "Not found")


def _not_modified(lib_or_obj_version: int, info: RequestInfo) -> Response | None:
    since = _version_header(info, "If-Modified-Since-Version")
    if since is not None and lib_or_obj_version <= since:
        return Response(304, headers={"Last-Modified-Version": str(lib_or_obj_version)})
    return None


def _single(info: RequestInfo, wrapped: JsonObject) -> Response:
    """One object with its own version; If-Modified-Since-Version is not supported here."""
    version = int(wrapped["version"])
    return json_response(200, wrapped, {"Last-Modified-Version": str(version)})


_SORTS = ("dateModified", "dateAdded", "title", "itemType")


def _sort_key(sort: str, sample: JsonObject) -> Callable[[JsonObject], Any]:
    """A fast, total order for `sort` (ties broken by version, then key)."""
    if sort in ("dateModified", "dateAdded", "itemType") and sort in sample:
        return itemgetter(sort, "version", "key")
    if sort == "title":
        return lambda d: (
            str(d.get("title") or d.get("name") or d.get("tag") or "").lower(),
            d["key"],
        )
    return itemgetter("version", "key")  # collections and tags have no dates


def _listing(
    lib: Library,
    info: RequestInfo,
    select: Callable[[], Iterable[JsonObject]],
    wrap: Callable[[Library, JsonObject], JsonObject],
) -> Response:
    """A multi-object answer: filters, `format`, sorting, paging, `Link`, `Total-Results`.

    The filtered, sorted list is cached per library version and query (paging aside), so
    walking 5,000 items page by page does not re-sort the library for every page.
    """
    q = info.query
    unchanged = _not_modified(lib.version, info)
    if unchanged is not None:
        return unchanged
    fmt = q.get("format", "json")
    if fmt not in ("json", "keys", "versions"):
        raise ApiError(400, f"Invalid 'format' value '{fmt}'")
    paging = ("start", "limit", "locale")
    query_key = (info.path, tuple(sorted((k, v) for k, v in q.items() if k not in paging)))
    objects = lib.cached(query_key, lambda: _select(select(), q))
    headers = {"Last-Modified-Version": str(lib.version), "Total-Results": str(len(objects))}
    if fmt == "versions":
        return json_response(200, {d["key"]: d["version"] for d in objects}, headers)
    if fmt == "keys":
        return text_response(200, "".join(d["key"] + "\n" for d in objects), headers)
    limit = min(max(_int_param(q, "limit", 25), 1), 100)
    start = max(_int_param(q, "start", 0), 0)
    page = objects[start : start + limit]
    links = []
    total = len(objects)
    base = f"http://{info.headers.get('host', '127.0.0.1')}{info.path}"
    if start + limit < total:
        links.append(
            f'<{base}?{urlencode({**q, "start": start + limit, "limit": limit})}>; rel="next"'
        )
        last = ((total - 1) // limit) * limit
        links.append(f'<{base}?{urlencode({**q, "start": last, "limit": limit})}>; rel="last"')
    if start > 0:
        links.append(
            f'<{base}?{urlencode({**q, "start": max(start - limit, 0), "limit": limit})}>; rel="prev"'
        )
    links.append(f'<https://www.zotero.org{lib.prefix}/items>; rel="alternate"')
    headers["Link"] = ", ".join(links)
    return json_response(200, [wrap(lib, d) for d in page], headers)


def _select(objects: Iterable[JsonObject], q: Mapping[str, str]) -> list[JsonObject]:
    """Apply `since`, `itemKey`/`collectionKey`, `itemType`, `tag` and the sort order."""
    chosen = list(objects)
    if "since" in q:
        since = _int_param(q, "since", 0)
        chosen = [d for d in chosen if d["version"] > since]
    for param in ("itemKey", "collectionKey"):
        if param in q:
            keys = {k for k in q[param].split(",") if k}
            if len(keys) > MAX_WRITE:
                raise ApiError(400, f"Cannot specify more than {MAX_WRITE} {param}s")
            chosen = [d for d in chosen if d["key"] in keys]
    if "itemType" in q:
        chosen = [d for d in chosen if _type_matches(d.get("itemType", ""), q["itemType"])]
    if "tag" in q:
        chosen = [d for d in chosen if q["tag"] in {t["tag"] for t in d.get("tags", ())}]
    sort = q.get("sort", "dateModified")
    if sort not in _SORTS:
        raise ApiError(400, f"Invalid 'sort' value '{sort}'")
    default_desc = sort in ("dateModified", "dateAdded")
    desc = q.get("direction", "desc" if default_desc else "asc") == "desc"
    if chosen:
        chosen.sort(key=_sort_key(sort, chosen[0]), reverse=desc)
    return chosen


def _type_matches(item_type: str, expression: str) -> bool:
    if expression.startswith("-"):
        return item_type != expression[1:]
    return item_type in [t.strip() for t in expression.split("||")]


def _int_param(q: Mapping[str, str], name: str, default: int) -> int:
    raw = q.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, f"Invalid '{name}' value '{raw}'") from None


def _deleted(lib: Library, info: RequestInfo) -> Response:
    if "since" not in info.query:
        raise ApiError(400, "'since' parameter must be provided")
    unchanged = _not_modified(lib.version, info)
    if unchanged is not None:
        return unchanged
    since = _int_param(info.query, "since", 0)
    payload = {
        "collections": sorted(k for k, v in lib.deleted_collections.items() if v > since),
        "searches": [],
        "items": sorted(k for k, v in lib.deleted_items.items() if v > since),
        "tags": [],
        "settings": [],
    }
    return json_response(200, payload, {"Last-Modified-Version": str(lib.version)})
