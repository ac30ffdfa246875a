"""What the Zotero emulator sends: response objects, the JSON shapes of items and
collections, and the endpoints outside a library (key info, item types and fields, item
templates).

Item JSON follows "JSON Object Data" on the Write Requests page: `key`, `version`,
`library`, `links`, `meta` and the editable `data`; `meta.numChildren`,
`meta.creatorSummary` and `meta.parsedDate` as the API derives them. The schema endpoints
follow the "Item Types and Fields" page (`/itemTypeFields?itemType=` lists
`{field, localized}`; `/items/new?itemType=` returns an empty editable item).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from genbib.testing.zotero.faults import RequestInfo
from genbib.testing.zotero.library import ApiError, JsonObject, Library
from genbib.testing.zotero.schema import CHILD_TYPES, LINK_MODES, template

if TYPE_CHECKING:
    from genbib.testing.zotero.emulator import ZoteroEmulator


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode()  # compact: C encoder, fast
    return Response(status, body, {"Content-Type": "application/json", **(headers or {})})


def text_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status, message.encode(), {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}
    )


_DATE_RE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def parsed_date(date: str) -> str | None:
    """The `meta.parsedDate` Zotero derives from a free-form date ("2020-06-19", "2020")."""
    match = _DATE_RE.search(date or "")
    if not match:
        return None
    year, month, day = match.groups()
    if month and day:
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return f"{year}-{int(month):02d}" if month else year


def creator_summary(creators: list[JsonObject]) -> str | None:
    """The `meta.creatorSummary` Zotero shows ("Ho", "Ho and Jain", "Ho et al.")."""
    people = [c for c in creators if c.get("creatorType") in ("author", "programmer")] or creators
    names = [c.get("lastName") or c.get("name") or "" for c in people]
    if not names:
        return None
    if len(names) == 1:
        return str(names[0])
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


# ---------------------------------------------------------------------- JSON shapes


def library_json(lib: Library) -> JsonObject:
    return {
        "type": lib.kind,
        "id": lib.id,
        "name": lib.name,
        "links": {
            "alternate": {"href": f"https://www.zotero.org{lib.prefix}", "type": "text/html"}
        },
    }


def wrap_item(lib: Library, data: JsonObject) -> JsonObject:
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
        "library": library_json(lib),
        "links": links,
        "meta": meta,
        "data": data,
    }


def wrap_collection(lib: Library, data: JsonObject) -> JsonObject:
    key = data["key"]
    return {
        "key": key,
        "version": data["version"],
        "library": library_json(lib),
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


def wrap_tag(lib: Library, data: JsonObject) -> JsonObject:
    return {
        "tag": data["tag"],
        "links": {},
        "meta": {"type": data.get("type", 0), "numItems": data.get("numItems", 1)},
    }


# ---------------------------------------------------------------- global endpoints


def api_key_of(info: RequestInfo) -> str | None:
    """The API key a request carries (Basics, "Authentication": header, Bearer or ?key=)."""
    key = info.headers.get("zotero-api-key")
    auth = info.headers.get("authorization", "")
    if not key and auth.lower().startswith("bearer "):
        key = auth[7:].strip()
    return key or info.query.get("key")


def key_info(emu: ZoteroEmulator, info: RequestInfo, key: str) -> Response:
    if key == "current":
        key = api_key_of(info) or ""
    if key != emu.api_key:
        return text_response(403, "Invalid key" if key else "Forbidden")
    return json_response(
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


def _item_type_param(emu: ZoteroEmulator, info: RequestInfo) -> str:
    item_type = info.query.get("itemType", "")
    if item_type not in emu.schema.fields:
        raise ApiError(400, f"Invalid item type '{item_type}'")
    return item_type


def _item_types(emu: ZoteroEmulator, info: RequestInfo) -> Response:
    # annotations are not listed (MappingsController: only types a client can create)
    types = [t for t in emu.schema.item_types if t != "annotation"]
    return json_response(200, [{"itemType": t, "localized": emu.schema.label(t)} for t in types])


def _item_fields(emu: ZoteroEmulator, info: RequestInfo) -> Response:
    return json_response(
        200, [{"field": f, "localized": emu.schema.label(f)} for f in emu.schema.all_fields]
    )


def _item_type_fields(emu: ZoteroEmulator, info: RequestInfo) -> Response:
    item_type = _item_type_param(emu, info)
    return json_response(
        200,
        [{"field": f, "localized": emu.schema.label(f)} for f in emu.schema.fields_for(item_type)],
    )


def _creator_types(emu: ZoteroEmulator, info: RequestInfo) -> Response:
    item_type = _item_type_param(emu, info)
    return json_response(
        200,
        [
            {"creatorType": c, "localized": emu.schema.label(c)}
            for c in emu.schema.creator_types[item_type]
        ],
    )


def _creator_fields(emu: ZoteroEmulator, info: RequestInfo) -> Response:
    names = {"firstName": "First", "lastName": "Last", "name": "Name"}
    return json_response(200, [{"field": f, "localized": v} for f, v in names.items()])


def _new_item(emu: ZoteroEmulator, info: RequestInfo) -> Response:
    item_type = _item_type_param(emu, info)
    link_mode = info.query.get("linkMode")
    if item_type == "attachment" and link_mode not in LINK_MODES:
        raise ApiError(400, f"Invalid linkMode '{link_mode}'")
    return json_response(200, template(item_type, emu.schema, link_mode))


GLOBAL_ROUTES: dict[str, Callable[[ZoteroEmulator, RequestInfo], Response]] = {
    "/itemTypes": _item_types,
    "/itemFields": _item_fields,
    "/itemTypeFields": _item_type_fields,
    "/itemTypeCreatorTypes": _creator_types,
    "/creatorFields": _creator_fields,
    "/items/new": _new_item,
}
