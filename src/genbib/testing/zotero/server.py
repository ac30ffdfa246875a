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
- "Zotero-Write-Token ... If a request with a given write token succeeds, subsequent
  requests with the same token will fail with 412" (Write Requests).
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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from genbib.testing.zotero.emulator import RecordedRequest, ZoteroEmulator
from genbib.testing.zotero.faults import FaultKind, RequestInfo
from genbib.testing.zotero.library import (
    MAX_WRITE,
    ApiError,
    JsonObject,
    Library,
    creator_summary,
    parsed_date,
)
from genbib.testing.zotero.schema import (
    CHILD_TYPES,
    CREATOR_TYPES,
    FIELDS,
    LINK_MODES,
    all_fields,
    fields_for,
    localized,
    template,
)

_LIB_RE = re.compile(r"^/(users|groups)/(\d+)(/.*)?$")
_KEY_SEGMENT = re.compile(r"^[23456789ABCDEFGHIJKLMNPQRSTUVWXYZ]{8}$")


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode()  # compact: C encoder, fast
    return Response(status, body, {"Content-Type": "application/json", **(headers or {})})


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status, message.encode(), {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}
    )


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
                self._send(info, _text(status, message, {"Retry-After": fault.header_value()}))
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
                    fault.action(emu)
            with emu.lock:
                try:
                    response = _dispatch(emu, info)
                except ApiError as err:
                    response = _text(err.status, err.message, err.headers)
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


def _api_key(info: RequestInfo) -> str | None:
    key = info.headers.get("zotero-api-key")
    auth = info.headers.get("authorization", "")
    if not key and auth.lower().startswith("bearer "):
        key = auth[7:].strip()
    return key or info.query.get("key")


def _dispatch(emu: ZoteroEmulator, info: RequestInfo) -> Response:
    path = info.path.rstrip("/") or "/"
    global_route = _GLOBAL.get(path)
    if global_route is not None:
        if info.method != "GET":
            return _text(405, "Method not allowed")
        return global_route(emu, info)
    if path.startswith("/keys/"):
        return _key_info(emu, info, path.split("/", 2)[2])
    match = _LIB_RE.match(path)
    if not match:
        return _text(404, "Not found")
    if _api_key(info) != emu.api_key:
        return _text(403, "Forbidden" if _api_key(info) is None else "Invalid key")
    lib = emu.libraries.get((match.group(1)[:-1], int(match.group(2))))
    if lib is None:
        return _text(403, "Forbidden")
    parts = [p for p in (match.group(3) or "").split("/") if p]
    if info.is_write:
        token = info.headers.get("zotero-write-token")
        if token and token in emu.write_tokens:
            return _text(412, "Write token already used")
        return _write(lib, info, parts)
    if info.method != "GET":
        return _text(405, "Method not allowed")
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
        return _text(405, "Method not allowed")
    kind = parts[0]
    if len(parts) == 1:
        if info.method == "POST":
            objects = _body(info)
            if not isinstance(objects, list):
                raise ApiError(400, "Uploaded data must be a JSON array")
            result = lib.write(kind, objects, header)
            wrap = _wrap_item if kind == "items" else _wrap_collection
            return _json(
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
        return _text(405, "Method not allowed")
    if len(parts) == 2 and info.method in ("PUT", "PATCH", "DELETE"):
        key = parts[1]
        if info.method == "DELETE":
            lib.delete(kind, [key], header, single=True)
            return Response(204, headers={"Last-Modified-Version": str(lib.version)})
        lib.write_one(kind, key, _body(info), header, partial=info.method == "PATCH")
        store = lib.raw_items() if kind == "items" else lib.raw_collections()
        return Response(204, headers={"Last-Modified-Version": str(store[key]["version"])})
    return _text(405, "Method not allowed")


def _read(emu: ZoteroEmulator, lib: Library, info: RequestInfo, parts: list[str]) -> Response:
    items = lib.raw_items()
    colls = lib.raw_collections()
    q = info.query
    if parts == ["deleted"]:
        return _deleted(lib, info)
    if parts and parts[0] == "items":
        trashed = q.get("includeTrashed") == "1"
        pool: Iterable[JsonObject] = items.values()
        if "itemKey" in q:  # the sync's "changed items by key": skip scanning the library
            pool = [items[k] for k in dict.fromkeys(q["itemKey"].split(",")) if k in items]
        live = [d for d in pool if trashed or not d.get("deleted")]
        if len(parts) == 1:
            return _listing(lib, info, live, _wrap_item)
        if parts[1] == "top":
            return _listing(lib, info, [d for d in live if not d.get("parentItem")], _wrap_item)
        if parts[1] == "trash":
            return _listing(lib, info, [d for d in items.values() if d.get("deleted")], _wrap_item)
        obj = items.get(parts[1])
        if obj is None:
            return _text(404, "Item not found")
        if len(parts) == 2:
            return _single(info, _wrap_item(lib, obj))
        if parts[2:] == ["children"]:
            return _listing(
                lib,
                info,
                [d for d in items.values() if d.get("parentItem") == obj["key"]],
                _wrap_item,
            )
        return _text(404, "Not found")
    if parts and parts[0] == "collections":
        if len(parts) == 1:
            return _listing(lib, info, list(colls.values()), _wrap_collection)
        if parts[1] == "top":
            return _listing(
                lib,
                info,
                [c for c in colls.values() if not c["parentCollection"]],
                _wrap_collection,
            )
        coll = colls.get(parts[1])
        if coll is None:
            return _text(404, "Collection not found")
        if len(parts) == 2:
            return _single(info, _wrap_collection(lib, coll))
        if parts[2:] == ["collections"]:
            subs = [c for c in colls.values() if c["parentCollection"] == coll["key"]]
            return _listing(lib, info, subs, _wrap_collection)
        if parts[2] == "items":
            members = [
                d
                for d in items.values()
                if coll["key"] in d.get("collections", ()) and not d.get("deleted")
            ]
            if parts[3:] == ["top"]:
                members = [d for d in members if not d.get("parentItem")]
            return _listing(lib, info, members, _wrap_item)
        return _text(404, "Not found")
    if parts == ["searches"]:  # saved searches are not emulated: always none
        return _listing(lib, info, [], _wrap_collection)
    if parts == ["tags"]:
        names = sorted({t["tag"] for d in items.values() for t in d.get("tags", ())})
        return _listing(
            lib, info, [{"tag": n, "key": n, "version": lib.version} for n in names], _wrap_tag
        )
    return _text(404, "Not found")


def _not_modified(lib_or_obj_version: int, info: RequestInfo) -> Response | None:
    since = _version_header(info, "If-Modified-Since-Version")
    if since is not None and lib_or_obj_version <= since:
        return Response(304, headers={"Last-Modified-Version": str(lib_or_obj_version)})
    return None


def _single(info: RequestInfo, wrapped: JsonObject) -> Response:
    """One object with its own version; If-Modified-Since-Version is not supported here."""
    version = int(wrapped["version"])
    return _json(200, wrapped, {"Last-Modified-Version": str(version)})


_SORTS: dict[str, Callable[[JsonObject], Any]] = {
    "dateModified": lambda d: (d.get("dateModified", ""), d.get("version", 0)),
    "dateAdded": lambda d: (d.get("dateAdded", ""), d.get("version", 0)),
    "title": lambda d: str(d.get("title") or d.get("name") or d.get("tag") or "").lower(),
    "itemType": lambda d: d.get("itemType", ""),
}


def _listing(
    lib: Library,
    info: RequestInfo,
    objects: list[JsonObject],
    wrap: Callable[[Library, JsonObject], JsonObject],
) -> Response:
    q = info.query
    unchanged = _not_modified(lib.version, info)
    if unchanged is not None:
        return unchanged
    if "since" in q:
        since = _int_param(q, "since", 0)
        objects = [d for d in objects if d["version"] > since]
    for param in ("itemKey", "collectionKey"):
        if param in q:
            keys = {k for k in q[param].split(",") if k}
            if len(keys) > MAX_WRITE:
                raise ApiError(400, f"Cannot specify more than {MAX_WRITE} {param}s")
            objects = [d for d in objects if d["key"] in keys]
    if "itemType" in q:
        objects = [d for d in objects if _type_matches(d.get("itemType", ""), q["itemType"])]
    if "tag" in q:
        objects = [d for d in objects if q["tag"] in {t["tag"] for t in d.get("tags", ())}]
    headers = {"Last-Modified-Version": str(lib.version), "Total-Results": str(len(objects))}
    fmt = q.get("format", "json")
    if fmt == "versions":
        return _json(200, {d["key"]: d["version"] for d in objects}, headers)
    if fmt not in ("json", "keys"):
        raise ApiError(400, f"Invalid 'format' value '{fmt}'")
    sort = q.get("sort", "dateModified")
    if sort not in _SORTS:
        raise ApiError(400, f"Invalid 'sort' value '{sort}'")
    default_desc = sort in ("dateModified", "dateAdded")
    desc = q.get("direction", "desc" if default_desc else "asc") == "desc"
    objects = sorted(objects, key=lambda d: d["key"])
    objects.sort(key=_SORTS[sort], reverse=desc)
    if fmt == "keys":
        text = "".join(d["key"] + "\n" for d in objects)
        return _text(200, text, headers)
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
    return _json(200, [wrap(lib, d) for d in page], headers)


def _type_matches(item_type: str, expression: str) -> bool:
    if expression.startswith("-"):
        return item_type != expression[1:]
    return item_type in [t.strip() for t in expression.split("||")]


def _int_param(q: dict[str, str] | Any, name: str, default: int) -> int:
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
    return _json(200, payload, {"Last-Modified-Version": str(lib.version)})


# ---------------------------------------------------------------------- JSON shapes


def _library_json(lib: Library) -> JsonObject:
    return {
        "type": lib.kind,
        "id": lib.id,
        "name": lib.name,
        "links": {
            "alternate": {"href": f"https://www.zotero.org{lib.prefix}", "type": "text/html"}
        },
    }


def _wrap_item(lib: Library, data: JsonObject) -> JsonObject:
    """The full JSON of an item: key, version, library, links, meta, data (Basics, JSON)."""
    key = data["key"]
    links: JsonObject = {
        "self": {
            "href": f"https://api.zotero.org{lib.prefix}/items/{key}",
            "type": "application/json",
        },
        "alternate": {
            "href": f"https://www.zotero.org{lib.prefix}/items/{key}",
            "type": "text/html",
        },
    }
    meta: JsonObject = {}
    if data.get("parentItem"):
        links["up"] = {
            "href": f"https://api.zotero.org{lib.prefix}/items/{data['parentItem']}",
            "type": "application/json",
        }
    elif data["itemType"] not in CHILD_TYPES:
        summary = creator_summary(data.get("creators", []))
        if summary:
            meta["creatorSummary"] = summary
        parsed = parsed_date(str(data.get("date", "")))
        if parsed:
            meta["parsedDate"] = parsed
        meta["numChildren"] = lib.counts()[0][key]
    return {
        "key": key,
        "version": data["version"],
        "library": _library_json(lib),
        "links": links,
        "meta": meta,
        "data": data,
    }


def _wrap_collection(lib: Library, data: JsonObject) -> JsonObject:
    key = data["key"]
    return {
        "key": key,
        "version": data["version"],
        "library": _library_json(lib),
        "links": {
            "self": {
                "href": f"https://api.zotero.org{lib.prefix}/collections/{key}",
                "type": "application/json",
            },
            "alternate": {
                "href": f"https://www.zotero.org{lib.prefix}/collections/{key}",
                "type": "text/html",
            },
        },
        "meta": {
            "numCollections": lib.counts()[2][key],
            "numItems": lib.counts()[1][key],
        },
        "data": data,
    }


def _wrap_tag(lib: Library, data: JsonObject) -> JsonObject:
    return {"tag": data["tag"], "links": {}, "meta": {"type": 0, "numItems": 1}}


# ---------------------------------------------------------------- global endpoints


def _key_info(emu: ZoteroEmulator, info: RequestInfo, key: str) -> Response:
    if key == "current":
        key = _api_key(info) or ""
    if key != emu.api_key:
        return _text(403, "Invalid key" if key else "Forbidden")
    return _json(
        200,
        {
            "key": emu.api_key,
            "userID": emu.user_id,
            "username": emu.user_library.name,
            "displayName": "",
            "access": {
                "user": {"library": True, "files": True, "notes": True, "write": True},
                "groups": {"all": {"library": True, "write": True}},
            },
        },
    )


def _item_type_param(info: RequestInfo) -> str:
    item_type = info.query.get("itemType", "")
    if item_type not in FIELDS:
        raise ApiError(400, f"Invalid item type '{item_type}'")
    return item_type


def _item_types(emu: ZoteroEmulator, info: RequestInfo) -> Response:
    return _json(200, [{"itemType": t, "localized": localized(t)} for t in FIELDS])


def _item_fields(emu: ZoteroEmulator, info: RequestInfo) -> Response:
    return _json(200, [{"field": f, "localized": localized(f)} for f in all_fields(emu.schema)])


def _item_type_fields(emu: ZoteroEmulator, info: RequestInfo) -> Response:
    item_type = _item_type_param(info)
    return _json(
        200, [{"field": f, "localized": localized(f)} for f in fields_for(item_type, emu.schema)]
    )


def _creator_types(emu: ZoteroEmulator, info: RequestInfo) -> Response:
    item_type = _item_type_param(info)
    return _json(
        200, [{"creatorType": c, "localized": localized(c)} for c in CREATOR_TYPES[item_type]]
    )


def _creator_fields(emu: ZoteroEmulator, info: RequestInfo) -> Response:
    names = {"firstName": "First", "lastName": "Last", "name": "Name"}
    return _json(200, [{"field": f, "localized": v} for f, v in names.items()])


def _new_item(emu: ZoteroEmulator, info: RequestInfo) -> Response:
    item_type = _item_type_param(info)
    link_mode = info.query.get("linkMode")
    if item_type == "attachment" and link_mode not in LINK_MODES:
        raise ApiError(400, f"Invalid linkMode '{link_mode}'")
    return _json(200, template(item_type, emu.schema, link_mode))


_GLOBAL: dict[str, Callable[[ZoteroEmulator, RequestInfo], Response]] = {
    "/itemTypes": _item_types,
    "/itemFields": _item_fields,
    "/itemTypeFields": _item_type_fields,
    "/itemTypeCreatorTypes": _creator_types,
    "/creatorFields": _creator_fields,
    "/items/new": _new_item,
}
