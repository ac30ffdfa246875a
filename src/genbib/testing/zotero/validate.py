"""What a valid Zotero item or collection is: the per-object checks of a write, as the real
server makes them.

The order and the messages follow the dataserver (github.com/zotero/dataserver):

- `model/Items.inc.php`, `validateJSONItem()`: required properties ("'itemType' property not
  provided"; for a PUT of an existing item also `tags`, `relations` and, top-level,
  `collections`), "Invalid property 'x'" for a name that is no field at all, "Unexpected
  array for property", child rules ("Child item must be note, attachment, or annotation",
  "Child items cannot be assigned to collections"), tag, creator, relation, attachment
  property and accessDate checks, "'deleted' must be a boolean".
- `model/Items.inc.php`, `updateFromJSON()`: itemType first (so `setType` runs before the
  fields), then every property sent; fields NOT sent are kept, for PUT as for PATCH; a PUT
  without `parentItem` makes a child top-level; `deleted` is cleared by a PUT without it
  and kept by a PATCH without it; empty creators end the creator list.
- `model/Item.inc.php`: `setType()` (fields invalid for the new type are moved to the new
  type's field for the same base field, e.g. `publicationTitle` -> `proceedingsTitle`,
  else cleared; creator types invalid for the new type become `contributor`),
  `setField()` (values trimmed, "" clears, "'x' is not a valid field for type 'y'" for a
  non-empty value of a field the type lacks: base-field names are NOT mapped on write),
  `setTags()` (empty/whitespace tags ignored, names trimmed, type 0 unless given), field
  values over `Zotero_Items::$maxDataValueLength` (65535) and notes over
  `Zotero_Notes::$MAX_NOTE_LENGTH` (500000) are 413, tags over `Zotero_Tags::$maxLength`
  (255) are 413 with `data.tag` (`model/Errors.inc.php`).
- `model/Relations.inc.php`: allowed item predicates (`owl:sameAs`, `dc:replaces`,
  `dc:relation`, Mendeley ones); values must be Zotero item URIs
  (`http://zotero.org/groups/<id>/items/<KEY>`); stored as a string when there is one value,
  an array when more (`tests/remote-php/tests/API/3/RelationTest.php`).
- `model/Errors.inc.php`: a missing parent item is 409 "Parent item KEY not found"
  (`data.parentItem`), a note or attachment as parent is 409 "Parent item cannot be a note
  or attachment", a missing collection is 409 "Collection KEY not found"
  (`ItemTest::test_should_return_409_*`).

Top-level linked-URL attachments are accepted: the server's `checkTopLevelAttachment()` is
disabled (`Item.inc.php` save(), `ItemTest::testNewInvalidTopLevelAttachment` commented out).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from genbib.testing.zotero.schema import CHILD_TYPES, KEY_RE, LINK_MODES, ZoteroSchema

JsonObject = dict[str, Any]
_T = TypeVar("_T")

MAX_FIELD_BYTES = 65535  # Zotero_Items::$maxDataValueLength (checked with strlen: bytes)
MAX_NOTE_LENGTH = 500000  # Zotero_Notes::$MAX_NOTE_LENGTH (mb_strlen: characters)
MAX_TAG_LENGTH = 255  # Zotero_Tags::$maxLength
MAX_COLLECTION_NAME = 255  # Zotero_Collections::$maxLength

ITEM_PRIMARY = frozenset(
    {"key", "version", "itemType", "parentItem", "creators", "tags", "collections",
     "relations", "deleted", "dateAdded", "dateModified", "inPublications"}
)  # fmt: skip
ATTACHMENT_PROPS = ("contentType", "charset", "filename", "md5", "mtime", "path")
ANNOTATION_PROPS = frozenset(
    {"annotationType", "annotationAuthorName", "annotationText", "annotationComment",
     "annotationColor", "annotationPageLabel", "annotationSortIndex", "annotationPosition"}
)  # fmt: skip
# dataserver model/Item.inc.php (annotation types the server accepts)
ANNOTATION_TYPES = ("highlight", "underline", "note", "image", "ink", "text")
COLLECTION_PROPS = frozenset({"key", "version", "name", "parentCollection", "relations"})
# model/Relations.inc.php
ITEM_PREDICATES = (
    "owl:sameAs", "dc:replaces", "dc:relation", "mendeleyDB:documentUUID",
    "mendeleyDB:remoteDocumentUUID", "mendeleyDB:fileHash", "mendeleyDB:annotationUUID",
    "mendeleyDB:relatedDocumentUUID", "mendeleyDB:relatedRemoteDocumentUUID",
    "mendeleyDB:relatedFileHash", "mendeleyDB:notebookUUID",
)  # fmt: skip
COLLECTION_PREDICATES = ("owl:sameAs", "mendeleyDB:remoteFolderUUID")
_EXTERNAL = frozenset(p for p in ITEM_PREDICATES if p.startswith("mendeleyDB:")) | {
    "mendeleyDB:remoteFolderUUID"
}
ITEM_URI_RE = re.compile(
    r"^http://zotero\.org/(users|groups)/[0-9]+/(publications/)?items/[A-Z0-9]{8}$"
)
_SQL_DATE = re.compile(r"^-?[0-9]{4}-(0[1-9]|10|11|12)-(0[1-9]|[1-2][0-9]|30|31)$")
_SQL_DATETIME = re.compile(
    r"^-?[0-9]{4}-(0[1-9]|10|11|12)-(0[1-9]|[1-2][0-9]|30|31) ([0-1][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
)
_ISO8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:?\d{2})$")
_MD5 = re.compile(r"^[a-f0-9]{32}$")
_CONTRIBUTOR = "contributor"  # creatorTypeID 2, "which exists in all" (Item::setType)


class ObjectError(Exception):
    """One object of a write fails; reported in `failed` (multi) or as the status (single)."""

    def __init__(self, code: int, message: str, data: JsonObject | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data or {}


_ENVELOPE = frozenset({"key", "version", "library", "links", "meta", "data"})


def unwrap(obj: Any) -> Any:
    """The editable `data` of a full downloaded object, or `obj` itself
    (`Zotero_API::extractEditableJSON`: the whole downloaded JSON may be re-uploaded)."""
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
    """The collection `obj` describes, merged onto `existing` (`model/Collections.inc.php`)."""
    for prop in obj:
        if prop not in COLLECTION_PROPS:
            raise ObjectError(400, f"Invalid property '{prop}'")
    base = clone(existing) if existing else {}
    name = obj.get("name", base.get("name"))
    if not isinstance(name, str) or not name.strip():
        raise ObjectError(400, "Collection name cannot be empty")
    if len(name) > MAX_COLLECTION_NAME:
        raise ObjectError(413, f"Collection '{name}' too long", {"value": name})
    parent = obj.get("parentCollection", base.get("parentCollection", False)) or False
    if parent is not False and parent not in collections:
        raise ObjectError(409, f"Parent collection {parent} not found", {"collection": parent})
    key = obj.get("key") or (existing["key"] if existing else new_key())
    if parent == key:
        raise ObjectError(400, "Collection cannot be its own parent")
    relations = obj.get("relations", base.get("relations", {}))
    relations = check_relations(relations, COLLECTION_PREDICATES)
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
    schema: ZoteroSchema,
    library_kind: str,
    items: Mapping[str, JsonObject],
    collections: Mapping[str, JsonObject],
    new_key: Callable[[], str],
) -> JsonObject:
    """The stored form of the item `obj` describes, or ObjectError as the API would refuse it.

    `partial` is PATCH semantics (multi-object POST of an existing item, or PATCH); a
    PUT of an existing item is `partial=False`. Fields come out in schema order with every
    field of the type present ("" when empty) as the API's `data` shows them.
    """
    if not isinstance(obj, dict):
        raise ObjectError(400, f"Invalid item object (found {type(obj).__name__})")
    partial = partial and existing is not None
    is_new = existing is None
    _check_required(obj, existing, partial=partial)
    item_type = obj.get("itemType", existing["itemType"] if existing else None)
    if not isinstance(item_type, str):
        raise ObjectError(400, "'itemType' must be a string")
    if item_type not in schema.fields:
        raise ObjectError(400, f"'{item_type}' is not a valid itemType")
    if (
        existing
        and existing["itemType"] != item_type
        and {
            existing["itemType"],
            item_type,
        }
        & CHILD_TYPES
    ):
        # Item.inc.php setType(): "TODO: block switching to/from note or attachment"; the
        # client never does it and the stored attachment/note properties would be lost.
        raise ObjectError(
            400, f"Cannot change item type from '{existing['itemType']}' to '{item_type}'"
        )

    # parentItem: PUT without it makes the item top-level, PATCH keeps the parent
    if "parentItem" in obj:
        parent = obj["parentItem"] or False
    elif partial and existing and existing.get("parentItem") and obj.get("collections"):
        # validateJSONItem: "Implicit parentItem: false for PATCH if collections provided"
        # (ItemTest::test_should_convert_child_attachment_to_top_level_and_add_to_collection_
        # via_PATCH_without_parentItem_false)
        parent = False
    elif partial:
        parent = existing.get("parentItem", False) if existing else False
    else:
        parent = False
    key = obj.get("key") or (existing["key"] if existing else None)
    if parent is not False:
        if not isinstance(parent, str) or not KEY_RE.match(parent):
            raise ObjectError(400, "'parentItem' must be a valid item key or false")
        if key is not None and parent == key:
            raise ObjectError(
                400,
                f"Item {key} cannot be a child of itself\n\nCheck your database integrity "
                "from the Advanced → Files and Folders pane of the Zotero preferences.",
            )
        if item_type not in CHILD_TYPES:
            raise ObjectError(400, "Child item must be note, attachment, or annotation")

    link_mode = obj.get("linkMode", existing.get("linkMode") if existing else None)
    for prop, value in obj.items():
        _check_property(prop, value, obj, item_type, link_mode, existing, schema, library_kind)
    if item_type == "attachment" and link_mode is None:
        raise ObjectError(400, "'linkMode' property not provided")

    # Start from the stored item (fields not sent are kept, PUT or PATCH), run setType
    data = _set_type(clone(existing), item_type, schema) if existing else _blank(item_type, schema)
    for prop, value in obj.items():
        if prop in ITEM_PRIMARY or prop in ("linkMode",):
            continue
        if prop == "note" or prop in ATTACHMENT_PROPS or prop in ANNOTATION_PROPS:
            data[prop] = _attachment_value(prop, value)
            continue
        _set_field(data, schema, item_type, prop, value)
    if item_type in ("note", "attachment") and "note" in obj:
        note = obj["note"] if isinstance(obj["note"], str) else ""
        if len(note) > MAX_NOTE_LENGTH:
            raise ObjectError(413, f"Note '{_excerpt(note)}...' too long")
        data["note"] = note

    if "creators" in obj:
        data["creators"] = check_creators(obj["creators"], item_type, schema, is_new=is_new)
    if "tags" in obj:
        data["tags"] = check_tags(obj["tags"])
    if "relations" in obj:
        data["relations"] = check_relations(obj["relations"], ITEM_PREDICATES)
    member_of = obj.get("collections", None if partial or existing else [])
    if member_of is None:
        member_of = data.get("collections", [])
    if parent and member_of:
        raise ObjectError(400, "Child items cannot be assigned to collections")
    for ckey in member_of:
        if ckey not in collections:
            raise ObjectError(409, f"Collection {ckey} not found", {"collection": ckey})

    # parent checks come at save time (Item.inc.php save(): getSource() fails fast)
    if parent:
        parent_data = items.get(parent)
        if parent_data is None:
            raise ObjectError(409, f"Parent item {parent} not found", {"parentItem": parent})
        parent_type = parent_data["itemType"]
        if item_type == "annotation":
            # Item.inc.php save(): annotations live on file attachments; note/highlight/
            # underline on PDFs, EPUBs and snapshots, the other types on PDFs only
            ref = f"{library_kind}/{parent}"
            mode = parent_data.get("linkMode")
            if parent_type != "attachment" or mode not in (
                "imported_file",
                "imported_url",
                "linked_file",
            ):
                raise ObjectError(400, f"Parent item {ref} of annotation must be a file attachment")
            kind = data.get("annotationType")
            content = parent_data.get("contentType")
            if kind in ("note", "highlight", "underline"):
                if content not in ("application/pdf", "application/epub+zip", "text/html"):
                    raise ObjectError(
                        400, f"Parent item {ref} of {kind} annotation must be a PDF attachment"
                    )
            elif content != "application/pdf":
                raise ObjectError(
                    400, f"Parent attachment {ref} of {kind} annotation must be a PDF"
                )
        elif parent_type in CHILD_TYPES:
            raise ObjectError(
                409, "Parent item cannot be a note or attachment", {"parentItem": parent}
            )
    if item_type == "annotation" and not parent:
        raise ObjectError(400, "Annotation must have a parent item")

    # deleted / inPublications: a PUT without them clears them, a PATCH keeps them
    if "deleted" in obj or not partial:
        deleted = bool(obj.get("deleted"))
    else:
        deleted = bool(data.get("deleted"))
    return _assemble(
        data,
        schema=schema,
        key=key or new_key(),
        item_type=item_type,
        parent=parent,
        link_mode=link_mode,
        collections=list(dict.fromkeys(member_of)),
        deleted=deleted,
        in_publications=bool(obj.get("inPublications", data.get("inPublications"))),
        date_added=existing["dateAdded"] if existing else _date(obj.get("dateAdded")),
        date_modified=existing["dateModified"] if existing else "",
    )


def _check_required(obj: JsonObject, existing: JsonObject | None, *, partial: bool) -> None:
    """Items::validateJSONItem: the properties a write must carry."""
    if partial:
        required: tuple[str, ...] = ()
    elif obj.get("itemType") == "attachment":
        required = ("linkMode",)
    elif existing is None:
        required = ("itemType",)
    else:
        child = obj.get("parentItem") not in (None, False)  # a PUT without it un-parents
        required = ("itemType", "tags", "relations") + (() if child else ("collections",))
    for prop in required:
        if prop not in obj:
            raise ObjectError(400, f"'{prop}' property not provided")


def _check_property(
    prop: str,
    value: Any,
    obj: JsonObject,
    item_type: str,
    link_mode: Any,
    existing: JsonObject | None,
    schema: ZoteroSchema,
    library_kind: str,
) -> None:
    """One property of `obj`, as the switch in Items::validateJSONItem checks it."""
    if prop in ("key", "version", "itemType", "parentItem", "creators", "relations"):
        return  # checked elsewhere (key/version by the library, the rest when applied)
    if prop in ("tags", "collections"):
        if not isinstance(value, list):
            raise ObjectError(400, f"'{prop}' property must be an array")
        if prop == "collections":
            for ckey in value:
                if not isinstance(ckey, str) or not KEY_RE.match(ckey):
                    raise ObjectError(400, f"'{ckey}' is not a valid collection key")
        return
    if prop == "note":
        if item_type not in ("note", "attachment"):
            raise ObjectError(400, "'note' property is valid only for note and attachment items")
        return
    if prop in ("attachments", "notes"):
        raise ObjectError(400, f"'{prop}' property is no longer supported")
    if prop == "deleted":
        if not (isinstance(value, bool) or (isinstance(value, int) and value in (0, 1))):
            raise ObjectError(400, "'deleted' must be a boolean")
        return
    if prop == "inPublications":
        if value and library_kind != "user":
            raise ObjectError(
                400, f"{library_kind.capitalize()} items cannot be added to My Publications"
            )
        return
    if prop == "linkMode":
        if value not in LINK_MODES:
            raise ObjectError(400, f"'{value}' is not a valid linkMode")
        if existing and existing.get("linkMode") and value != existing["linkMode"]:
            raise ObjectError(400, "Cannot change attachment linkMode")
        return
    if prop in ATTACHMENT_PROPS:
        if item_type != "attachment":
            raise ObjectError(400, f"'{prop}' is valid only for attachment items")
        mode = str(link_mode or "")
        if prop in ("filename", "md5", "mtime") and not (
            mode.startswith("imported_") or mode == "embedded_image"
        ):
            raise ObjectError(
                400, f"'{prop}' is valid only for imported and embedded-image attachments"
            )
        if prop == "path" and mode != "linked_file":
            raise ObjectError(400, f"'{prop}' is valid only for linked file attachment items")
        if prop == "md5" and value and not (isinstance(value, str) and _MD5.match(value)):
            raise ObjectError(400, f"'{value}' is not a valid MD5 hash")
        return
    if prop in ANNOTATION_PROPS:
        if item_type != "annotation":
            raise ObjectError(400, f"'{prop}' is valid only for annotation items")
        kind = obj.get("annotationType", (existing or {}).get("annotationType"))
        if prop == "annotationType" and value not in ANNOTATION_TYPES:
            raise ObjectError(400, f"Invalid annotationType '{value}'")
        if prop == "annotationText" and kind not in ("highlight", "underline"):
            raise ObjectError(
                400, f"'{prop}' can only be set for highlight and underline annotations"
            )
        return
    if prop == "accessDate":
        if value not in ("", None, "CURRENT_TIMESTAMP") and not _is_date(str(value), sql_date=True):
            raise ObjectError(
                400,
                f"'{prop}' must be in ISO 8601 or UTC 'YYYY-MM-DD[ hh:mm:ss]' format or "
                f"'CURRENT_TIMESTAMP' ({value})",
            )
    elif prop in ("dateAdded", "dateModified"):
        if not _is_date(str(value), sql_date=False):
            raise ObjectError(
                400, f"'{prop}' must be in ISO 8601 or UTC 'YYYY-MM-DD hh:mm:ss' format ({value})"
            )
        return
    if prop not in schema.known_fields:
        raise ObjectError(400, f"Invalid property '{prop}'")
    if isinstance(value, list | dict):
        raise ObjectError(400, f"Unexpected array for property '{prop}'")


def _is_date(value: str, *, sql_date: bool) -> bool:
    return bool(
        _SQL_DATETIME.match(value) or _ISO8601.match(value) or (sql_date and _SQL_DATE.match(value))
    )


def _date(value: Any) -> str:
    """A client-given dateAdded for a new item, as ISO 8601 (ItemTest::testDateAddedNewItem*)."""
    if not isinstance(value, str) or not value:
        return ""
    if _SQL_DATETIME.match(value):
        return value.replace(" ", "T") + "Z"
    return value


def _blank(item_type: str, schema: ZoteroSchema) -> JsonObject:
    data: JsonObject = {name: "" for name in schema.fields_for(item_type)}
    data.update(creators=[], tags=[], relations={}, collections=[])
    return data


def _set_type(data: JsonObject, item_type: str, schema: ZoteroSchema) -> JsonObject:
    """Item.inc.php setType(): move base-mapped values to the new type's field, clear the
    fields the new type lacks, reset creator types it lacks to contributor."""
    old_type = data["itemType"]
    if old_type == item_type:
        return data
    valid = set(schema.fields_for(item_type))
    moved: dict[str, Any] = {}
    for name in schema.fields_for(old_type):
        value = data.pop(name, "")
        if value in ("", None):
            continue
        if name in valid:
            moved.setdefault(name, value)
            continue
        base = schema.base_of(old_type, name)
        target = schema.field_from_base(item_type, base) if base else None
        if target:
            moved[target] = value
    for name in schema.fields_for(item_type):
        data[name] = moved.get(name, "")
    allowed = set(schema.creator_types.get(item_type, ()))
    data["creators"] = [
        c if c.get("creatorType") in allowed else {**c, "creatorType": _CONTRIBUTOR}
        for c in data.get("creators", [])
    ]
    data["itemType"] = item_type
    return data


def _set_field(
    data: JsonObject, schema: ZoteroSchema, item_type: str, name: str, value: Any
) -> None:
    """Item.inc.php setField(): trim, "" or null clears, a non-empty value needs the type to
    have the field (no base-field mapping on write), values over 65535 bytes are 413."""
    text = "" if value in (None, False) else str(value).strip()
    if name == "accessDate" and _SQL_DATETIME.match(text):
        text = text.replace(" ", "T") + "Z"  # stored as SQL, shown as ISO 8601 (toJSON)
    if text and name not in schema.fields_for(item_type):
        raise ObjectError(400, f"'{name}' is not a valid field for type '{item_type}'")
    if len(text.encode()) > MAX_FIELD_BYTES:
        label = schema.label(name)
        raise ObjectError(
            413,
            f"{label} field value '{text[:50]}…' too long",
            {"field": label, "value": text[:50]},
        )
    if name in data or text:
        data[name] = text


def _attachment_value(prop: str, value: Any) -> Any:
    if prop in ("md5", "mtime"):
        return value if value not in ("", False) else None
    return value if value is not None else ""


def _excerpt(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()[:79]


def _assemble(
    data: JsonObject,
    *,
    schema: ZoteroSchema,
    key: str,
    item_type: str,
    parent: str | bool,
    link_mode: Any,
    collections: list[str],
    deleted: bool,
    in_publications: bool,
    date_added: str,
    date_modified: str,
) -> JsonObject:
    """The stored JSON in the API's order (Item.inc.php toJSON): key, version, parentItem,
    itemType, [linkMode], title field, creators, the other fields, note / attachment
    properties, deleted, inPublications, tags, collections (top-level only), relations,
    dates."""
    out: JsonObject = {"key": key, "version": 0}
    if parent:
        out["parentItem"] = parent
    out["itemType"] = item_type
    if item_type == "attachment":
        out["linkMode"] = link_mode
    title = schema.title_field(item_type) if item_type not in CHILD_TYPES else None
    if title:
        out[title] = data.get(title, "")
        out["creators"] = data.get("creators", [])
    for name in schema.fields_for(item_type):
        if name != title:
            out[name] = data.get(name, "")
    if item_type in ("note", "attachment"):
        out["note"] = data.get("note", "")
    if item_type == "attachment":
        for prop in ("contentType", "charset"):
            out[prop] = data.get(prop, "")
        if str(link_mode).startswith("imported_") or link_mode == "embedded_image":
            out["filename"] = data.get("filename", "")
            out["md5"] = data.get("md5")
            out["mtime"] = data.get("mtime")
        if link_mode == "linked_file":
            out["path"] = data.get("path", "")
    if item_type == "annotation":
        for prop in sorted(ANNOTATION_PROPS):
            if prop in data:
                out[prop] = data[prop]
    if deleted:
        out["deleted"] = 1  # Item.inc.php toJSON: "TODO: Use true/false in APIv4"
    if in_publications:
        out["inPublications"] = True
    out["tags"] = data.get("tags", [])
    if not parent:
        out["collections"] = collections
    out["relations"] = data.get("relations", {})
    out["dateAdded"] = date_added
    out["dateModified"] = date_modified
    return out


def check_creators(
    creators: Any, item_type: str, schema: ZoteroSchema, *, is_new: bool
) -> list[JsonObject]:
    """Items::validateJSONItem 'creators' + updateFromJSON (an empty creator ends the list)."""
    if not isinstance(creators, list):
        raise ObjectError(400, "'creators' property must be an array")
    if creators and item_type in CHILD_TYPES:
        raise ObjectError(400, f"'creators' is not valid for {item_type} items")
    allowed = set(schema.creator_types.get(item_type, ()))
    every = {c for kinds in schema.creator_types.values() for c in kinds}
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
            if prop == "creatorType":
                kind = creator[prop]
                if kind not in every:
                    raise ObjectError(400, f"'{kind}' is not a valid creator type")
                if kind not in allowed and kind != "author":
                    raise ObjectError(
                        400, f"'{kind}' is not a valid creator type for item type '{item_type}'"
                    )
            elif prop in ("firstName", "lastName"):
                other = "lastName" if prop == "firstName" else "firstName"
                if other not in creator:
                    raise ObjectError(
                        400, f"'{other}' creator field must be set if '{prop}' is set"
                    )
                if "name" in creator:
                    raise ObjectError(
                        400, f"'{prop}' and 'name' creator fields are mutually exclusive"
                    )
            elif prop != "name":
                raise ObjectError(400, f"Invalid creator property '{prop}'")
    for creator in creators:
        if "name" in creator:
            entry = {"creatorType": creator["creatorType"], "name": str(creator["name"]).strip()}
        else:
            entry = {
                "creatorType": creator["creatorType"],
                "firstName": str(creator.get("firstName") or "").strip(),
                "lastName": str(creator.get("lastName") or "").strip(),
            }
        if not (entry.get("name") or entry.get("firstName") or entry.get("lastName")):
            break  # updateFromJSON: "Skip empty creators" ends the list
        out.append(entry)
    return out


def check_tags(tags: Any) -> list[JsonObject]:
    """Items::validateJSONItem 'tags' + Item::setTags (empty tags ignored, names trimmed)."""
    if not isinstance(tags, list):
        raise ObjectError(400, "'tags' property must be an array")
    out: list[JsonObject] = []
    for tag in tags:
        if not isinstance(tag, dict):
            raise ObjectError(400, "Tag must be an object")
        if not tag:
            raise ObjectError(400, "Tag object is empty")
        for prop, value in tag.items():
            if prop == "tag":
                if not isinstance(value, str | int | float) or isinstance(value, bool):
                    raise ObjectError(400, "Invalid tag name")
            elif prop == "type":
                if not _numeric(value):
                    raise ObjectError(400, f"Invalid tag type '{value}'")
            else:
                raise ObjectError(400, f"Invalid tag property '{prop}'")
        name = str(tag.get("tag", "")).strip()
        if not name:
            continue  # TagTest::test_empty_tag_should_be_ignored
        if len(name) > MAX_TAG_LENGTH:
            raise ObjectError(413, f"Tag '{name[:50]}…' too long", {"tag": name})
        entry: JsonObject = {"tag": name}
        kind = int(float(tag.get("type", 0) or 0))
        if kind != 0:
            entry["type"] = kind  # toJSON shows type only when not 0
        if entry not in out:
            out.append(entry)
    return out


def _numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", value) is not None


def check_relations(relations: Any, predicates: tuple[str, ...]) -> JsonObject:
    """Relations as the server stores them: allowed predicates, Zotero item URIs, one value
    as a string and several as an array (RelationTest::test_should_remove_a_URL_...)."""
    if relations == []:
        return {}  # "Allow an empty array, because it's annoying for some clients otherwise"
    if not isinstance(relations, dict):
        raise ObjectError(400, "'relations' property must be an object")
    out: JsonObject = {}
    for predicate, objects in relations.items():
        if predicate not in predicates:
            raise ObjectError(400, f"Unsupported predicate '{predicate}'")
        values = [objects] if isinstance(objects, str) else objects
        if not isinstance(values, list):
            raise ObjectError(400, "'relations' values currently must be Zotero item URIs")
        if predicate not in _EXTERNAL:
            for uri in values:
                if not isinstance(uri, str) or not ITEM_URI_RE.match(uri):
                    raise ObjectError(400, "'relations' values currently must be Zotero item URIs")
        unique = list(dict.fromkeys(str(v) for v in values))
        if len(unique) == 1:
            out[predicate] = unique[0]
        elif unique:
            out[predicate] = unique
    return out


def clone(value: _T) -> _T:
    """A deep copy of JSON data (several times faster than copy.deepcopy)."""
    data: Any = value
    if type(data) is dict:
        return cast(_T, {k: clone(v) for k, v in data.items()})
    if type(data) is list:
        return cast(_T, [clone(v) for v in data])
    return value
