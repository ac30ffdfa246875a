"""What a valid Zotero item or collection is: the per-object checks of a write.

Messages and status codes are the dataserver's (Zotero_Items::validateJSONItem and
Zotero_Item::setField): "Invalid property 'booktitle'" for a name that is no field at all,
"'proceedingsTitle' is not a valid field for type 'preprint'" for a field of another type
(an empty value is accepted and ignored, as setField does), "Child item must be note or
attachment", "Child items cannot be assigned to collections", "Only file attachments and
PDFs can be top-level items" (so a linked URL must have a parent), creator and tag shape
checks; a reference to a missing parent item or collection is a 409 for that object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from genbib.testing.zotero.schema import (
    ATTACHMENT_PROPERTIES,
    CHILD_TYPES,
    CREATOR_TYPES,
    FIELDS,
    KEY_RE,
    LINK_MODES,
    Schema,
    fields_for,
    known_fields,
)

JsonObject = dict[str, Any]
_T = TypeVar("_T")

ITEM_STRUCTURE = frozenset(
    {"key", "version", "itemType", "parentItem", "creators", "tags", "collections",
     "relations", "deleted", "dateAdded", "dateModified", "inPublications"}
)  # fmt: skip
COLLECTION_PROPS = frozenset({"key", "version", "name", "parentCollection", "relations"})


class ObjectError(Exception):
    """One object of a write fails; reported in `failed` (multi) or as the status (single)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_ENVELOPE = frozenset({"key", "version", "library", "links", "meta", "data"})


def unwrap(obj: Any) -> Any:
    """The editable `data` of a full downloaded object, or `obj` itself.

    Write Requests, "REST Approach": "the API supports standard REST behavior, allowing the
    entire downloaded JSON to be reuploaded".
    """
    if isinstance(obj, dict) and isinstance(obj.get("data"), dict) and set(obj) <= _ENVELOPE:
        return obj["data"]
    return obj


def build_collection(
    obj: JsonObject,
    existing: JsonObject | None,
    *,
    partial: bool,
    collections: Mapping[str, JsonObject],
    new_key: Callable[[], str],
) -> JsonObject:
    """The collection `obj` describes, merged onto `existing` (PATCH) or alone (PUT/create)."""
    for prop in obj:
        if prop not in COLLECTION_PROPS:
            raise ObjectError(400, f"Invalid property '{prop}'")
    base = clone(existing) if (existing and partial) else {}
    name = obj.get("name", base.get("name"))
    if not isinstance(name, str) or not name.strip():
        raise ObjectError(400, "Collection name cannot be empty")
    if len(name) > 255:
        raise ObjectError(400, "Collection name cannot be longer than 255 characters")
    parent = obj.get("parentCollection", base.get("parentCollection", False)) or False
    if parent is not False and parent not in collections:
        raise ObjectError(409, f"Parent collection {parent} doesn't exist")
    key = obj.get("key") or (existing["key"] if existing else new_key())
    if parent == key:
        raise ObjectError(400, "Collection cannot be its own parent")
    relations = obj.get("relations", base.get("relations", {}))
    if not isinstance(relations, dict):
        relations = {}
    return {
        "key": key,
        "version": 0,
        "name": name,
        "parentCollection": parent,
        "relations": relations,
    }


def build_item(
    obj: JsonObject,
    existing: JsonObject | None,
    *,
    partial: bool,
    schema: Schema,
    items: Mapping[str, JsonObject],
    collections: Mapping[str, JsonObject],
    new_key: Callable[[], str],
) -> JsonObject:
    """The stored form of the item `obj` describes, or ObjectError as the API would refuse it.

    Fields come out in schema order with every field of the type present ("" when empty),
    as the API returns them; `dateAdded`/`dateModified` are the existing ones (the caller
    stamps them when it saves).
    """
    item_type = obj.get("itemType", existing["itemType"] if existing else None)
    if item_type is None:
        raise ObjectError(400, "'itemType' property not provided")
    if not isinstance(item_type, str) or item_type not in FIELDS:
        raise ObjectError(400, f"'{item_type}' is not a valid itemType")
    valid = fields_for(item_type, schema)
    known = known_fields(schema)
    parent = (
        obj.get("parentItem", existing.get("parentItem", False) if existing else False) or False
    )
    link_mode = obj.get("linkMode", existing.get("linkMode") if existing else None)
    for prop, value in obj.items():
        if prop in ITEM_STRUCTURE:
            continue
        if prop in ATTACHMENT_PROPERTIES:
            if prop == "note" and item_type in CHILD_TYPES:
                continue
            if prop != "note" and item_type == "attachment":
                continue
            what = "note and attachment" if prop == "note" else "attachment"
            raise ObjectError(400, f"'{prop}' property is valid only for {what} items")
        if prop not in known:
            raise ObjectError(400, f"Invalid property '{prop}'")
        if isinstance(value, list | dict):
            raise ObjectError(400, f"Unexpected array for property '{prop}'")
        if prop not in valid and value not in ("", None, False):
            raise ObjectError(400, f"'{prop}' is not a valid field for type '{item_type}'")
    # parent/child rules
    if parent:
        if item_type not in CHILD_TYPES:
            raise ObjectError(400, "Child item must be note or attachment")
        if not isinstance(parent, str) or not KEY_RE.match(parent):
            raise ObjectError(400, "'parentItem' must be a valid item key")
        parent_data = items.get(parent)
        if parent_data is None:
            raise ObjectError(409, f"Parent item {parent} doesn't exist")
        if parent_data.get("parentItem"):
            raise ObjectError(400, f"Parent item {parent} cannot be a child attachment or note")
    if item_type == "attachment":
        if link_mode not in LINK_MODES:
            raise ObjectError(400, f"'{link_mode}' is not a valid linkMode")
        if existing and existing.get("linkMode") and link_mode != existing["linkMode"]:
            raise ObjectError(400, "Cannot change attachment linkMode")
        if not parent and link_mode == "linked_url":
            raise ObjectError(400, "Only file attachments and PDFs can be top-level items")
    # merge onto the stored data (PATCH) or an empty item (PUT / create)
    base = clone(existing) if (existing and partial) else {}
    if existing and existing["itemType"] != item_type:
        base = {k: v for k, v in base.items() if k in ITEM_STRUCTURE or k in valid}
    merged = {**base, **{k: clone(v) for k, v in obj.items()}}
    creators = check_creators(merged.get("creators", []), item_type, is_new=existing is None)
    tags = check_tags(merged.get("tags", []))
    member_of = merged.get("collections", [])
    if not isinstance(member_of, list):
        raise ObjectError(400, "'collections' property must be an array")
    if parent and member_of:
        raise ObjectError(400, "Child items cannot be assigned to collections")
    for ckey in member_of:
        if ckey not in collections:
            raise ObjectError(409, f"Collection {ckey} doesn't exist")
    relations = merged.get("relations", {})
    if not isinstance(relations, dict):
        if relations != []:
            raise ObjectError(400, "'relations' property must be an object")
        relations = {}
    key = merged.get("key") or new_key()
    data: JsonObject = {"key": key, "version": 0}
    if parent:
        data["parentItem"] = parent
    data["itemType"] = item_type
    if item_type == "attachment":
        data["linkMode"] = link_mode
    for name in valid:
        value = merged.get(name, "")
        data[name] = "" if value in (None, False) else str(value)
        if name == "title" and item_type not in CHILD_TYPES:
            data["creators"] = creators
    if item_type in CHILD_TYPES:
        note = merged.get("note", "")
        data["note"] = note if isinstance(note, str) else str(note)
    if item_type == "attachment":
        for prop in ATTACHMENT_PROPERTIES[2:]:
            if prop in merged:
                data[prop] = merged[prop]
    data["tags"] = tags
    if not parent:
        data["collections"] = list(dict.fromkeys(member_of))
    data["relations"] = relations
    if merged.get("deleted"):
        data["deleted"] = 1
    if merged.get("inPublications"):
        data["inPublications"] = True
    data["dateAdded"] = existing["dateAdded"] if existing else ""
    data["dateModified"] = existing["dateModified"] if existing else ""
    return data


def check_creators(creators: Any, item_type: str, *, is_new: bool) -> list[JsonObject]:
    if not isinstance(creators, list):
        raise ObjectError(400, "'creators' property must be an array")
    allowed = set(CREATOR_TYPES[item_type]) | {"author"}
    out: list[JsonObject] = []
    for creator in creators:
        if not isinstance(creator, dict) or "creatorType" not in creator:
            raise ObjectError(400, "creator object must contain 'creatorType'")
        names = [str(creator.get(k) or "").strip() for k in ("name", "firstName", "lastName")]
        if not any(names):
            if len(creators) == 1 and is_new:
                continue  # the template's empty creator
            raise ObjectError(400, "creator object must contain 'firstName'/'lastName' or 'name'")
        for prop in creator:
            if prop not in ("creatorType", "name", "firstName", "lastName"):
                raise ObjectError(400, f"Invalid creator property '{prop}'")
        if creator["creatorType"] not in allowed:
            raise ObjectError(
                400,
                f"'{creator['creatorType']}' is not a valid creator type for item type '{item_type}'",
            )
        if "name" in creator and ("firstName" in creator or "lastName" in creator):
            raise ObjectError(400, "'firstName' and 'name' creator fields are mutually exclusive")
        if "name" in creator:
            out.append({"creatorType": creator["creatorType"], "name": str(creator["name"])})
        else:
            out.append(
                {
                    "creatorType": creator["creatorType"],
                    "firstName": str(creator.get("firstName") or ""),
                    "lastName": str(creator.get("lastName") or ""),
                }
            )
    return out


def check_tags(tags: Any) -> list[JsonObject]:
    if not isinstance(tags, list):
        raise ObjectError(400, "'tags' property must be an array")
    out: list[JsonObject] = []
    for tag in tags:
        if not isinstance(tag, dict) or not tag:
            raise ObjectError(400, "Tag object is empty")
        for prop in tag:
            if prop not in ("tag", "type"):
                raise ObjectError(400, f"Invalid tag property '{prop}'")
        name = tag.get("tag")
        if not isinstance(name, str | int | float) or str(name) == "":
            raise ObjectError(400, "Tag cannot be empty")
        entry: JsonObject = {"tag": str(name)}
        if tag.get("type"):
            entry["type"] = int(tag["type"])
        out.append(entry)
    return out


def clone(value: _T) -> _T:
    """A deep copy of JSON data (several times faster than copy.deepcopy)."""
    data: Any = value
    if type(data) is dict:
        return cast(_T, {k: clone(v) for k, v in data.items()})
    if type(data) is list:
        return cast(_T, [clone(v) for v in data])
    return value
