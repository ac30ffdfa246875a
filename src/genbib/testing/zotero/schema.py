"""The Zotero data schema the emulator validates against: loaded from Zotero's own schema.json.

The real server validates every write against the global schema (dataserver
`model/Schema.inc.php` loads the same `schema.json` that Zotero clients ship;
`model/ItemFields.inc.php` builds the per-type field lists, base-field mappings and creator
types from it). The emulator does the same with the file at, in order:

1. the `path` given to `load_schema()` / `ZoteroEmulator(schema_file=...)`;
2. the environment variable `GENBIB_ZOTERO_SCHEMA`;
3. `shared/realworld/zotero-schema/schema.json` next to the repository (`../shared`
   relative to the repo root, as in CI) or next to any directory above it.

There is no built-in fallback: a toy schema is what let mappings that the real server
refuses pass before, so a missing file is a `SchemaNotFound` error naming every place
looked at. The schema is third-party data and is not copied into the repository.

Two flavours matter for citation keys (`Schema`): "zotero8", the file as it is, where every
regular item type has a native `citationKey` field; and "zotero7", the same schema without
`citationKey` (Zotero 7 had no such field: Better BibTeX keeps keys in `extra`), where the
field is an unknown property ("Invalid property 'citationKey'").
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

SCHEMA_ENV = "GENBIB_ZOTERO_SCHEMA"
SHARED_SCHEMA = Path("shared") / "realworld" / "zotero-schema" / "schema.json"


class Schema(StrEnum):
    """Which Zotero flavour the emulator serves (see the module docstring)."""

    ZOTERO7 = "zotero7"  # no native citationKey field
    ZOTERO8 = "zotero8"  # citationKey on every regular item type


class SchemaNotFound(FileNotFoundError):
    """No schema.json where the emulator looked; the message names every place."""


# Item types that are not regular items: they have no creators and are children
# (dataserver Zotero_Item::isRegularItem; annotations are children of attachments).
CHILD_TYPES = frozenset({"attachment", "note", "annotation"})
# dataserver model/Attachments.inc.php (linkModeNameToNumber)
LINK_MODES = ("imported_file", "imported_url", "linked_file", "linked_url", "embedded_image")
# Properties of attachment items that are not schema fields (Items::validateJSONItem).
ATTACHMENT_PROPERTIES = (
    "linkMode",
    "note",
    "contentType",
    "charset",
    "filename",
    "md5",
    "mtime",
    "path",
)
KEY_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
KEY_RE = re.compile(rf"^[{KEY_ALPHABET}]{{8}}$")


@dataclass(frozen=True, eq=False)  # hashed by identity: loaded once per file
class ZoteroSchema:
    """One loaded schema in one flavour: types, fields, base fields, creator types, labels."""

    version: int
    flavour: Schema
    source: Path
    fields: Mapping[str, tuple[str, ...]]  # itemType -> fields in schema order
    base: Mapping[tuple[str, str], str]  # (itemType, field) -> base field
    mapped: Mapping[tuple[str, str], str]  # (itemType, base field) -> the type's field
    creator_types: Mapping[str, tuple[str, ...]]  # itemType -> creator types, primary first
    labels: Mapping[str, str]  # field / type / creator type -> English label

    @property
    def item_types(self) -> tuple[str, ...]:
        return tuple(self.fields)

    def fields_for(self, item_type: str) -> tuple[str, ...]:
        """The fields of `item_type` in schema order (KeyError for an unknown type)."""
        return self.fields[item_type]

    @property
    def all_fields(self) -> tuple[str, ...]:
        """Every field name the server knows (`Zotero_ItemFields::getID` is true): the
        fields of all types plus the base fields, in first-seen order."""
        return _all_fields(self)

    @property
    def known_fields(self) -> frozenset[str]:
        return frozenset(self.all_fields)

    @property
    def base_fields(self) -> frozenset[str]:
        """The base fields (`publicationTitle`, `publisher`, `number`, ...)."""
        return frozenset(self.base.values())

    def base_of(self, item_type: str, field: str) -> str | None:
        """The base field of `field` in `item_type` (`proceedingsTitle` -> `publicationTitle`;
        a base field is its own base: ItemFields::getBaseIDFromTypeAndField)."""
        if field in self.base_fields:
            return field
        return self.base.get((item_type, field))

    def field_from_base(self, item_type: str, base: str) -> str | None:
        """The field of `item_type` for base field `base`: itself when the type has it,
        else its type-specific field (getFieldIDFromTypeAndBase)."""
        if base in self.fields.get(item_type, ()):
            return base
        return self.mapped.get((item_type, base))

    def title_field(self, item_type: str) -> str | None:
        """`title` or the type's base-mapped title field (`caseName`, `subject`, `nameOfAct`)."""
        return self.field_from_base(item_type, "title")

    def label(self, name: str) -> str:
        if name in self.labels:
            return self.labels[name]
        words = re.sub(r"(?<!^)([A-Z])", r" \1", name).split()
        return " ".join(w if w in ("of", "in") else w.capitalize() for w in words) or name


@cache
def _all_fields(schema: ZoteroSchema) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for names in schema.fields.values():
        for name in names:
            seen.setdefault(name, None)
    for base in schema.base.values():
        seen.setdefault(base, None)
    return tuple(seen)


def candidates(start: Path | None = None) -> list[Path]:
    """Where the default schema is looked for, in order (env var first)."""
    out: list[Path] = []
    env = os.environ.get(SCHEMA_ENV)
    if env:
        out.append(Path(env))
    roots = [start] if start else [Path(__file__).resolve(), Path.cwd().resolve()]
    for root in roots:
        for parent in [root, *root.parents]:
            path = parent / SHARED_SCHEMA
            if path not in out:
                out.append(path)
    return out


def find_schema_file(path: str | os.PathLike[str] | None = None) -> Path:
    """The schema.json to use (see the module docstring), or SchemaNotFound."""
    if path is not None:
        chosen = Path(path)
        if not chosen.is_file():
            raise SchemaNotFound(f"Zotero schema file not found: {chosen}")
        return chosen
    tried = candidates()
    env = os.environ.get(SCHEMA_ENV)
    if env and not Path(env).is_file():
        raise SchemaNotFound(f"{SCHEMA_ENV}={env}: no such file")
    for candidate in tried:
        if candidate.is_file():
            return candidate
    raise SchemaNotFound(
        "Zotero schema.json not found; the emulator validates against Zotero's full schema "
        f"and has no built-in one. Set {SCHEMA_ENV}=/path/to/schema.json (the file Zotero "
        "ships, e.g. https://api.zotero.org/schema) or put it at ../shared/realworld/"
        "zotero-schema/schema.json next to the repository. Looked at: "
        + ", ".join(str(p) for p in tried[:4])
        + (" ..." if len(tried) > 4 else "")
    )


def load_schema(
    path: str | os.PathLike[str] | None = None, flavour: Schema | str = Schema.ZOTERO8
) -> ZoteroSchema:
    """Load (cached per file and flavour) the schema; see the module docstring for `path`."""
    return _load(find_schema_file(path).resolve(), Schema(flavour))


@cache
def _load(path: Path, flavour: Schema) -> ZoteroSchema:
    raw = json.loads(path.read_text(encoding="utf-8"))
    fields: dict[str, tuple[str, ...]] = {}
    base: dict[tuple[str, str], str] = {}
    mapped: dict[tuple[str, str], str] = {}
    creators: dict[str, tuple[str, ...]] = {}
    for entry in raw["itemTypes"]:
        item_type = entry["itemType"]
        names: list[str] = []
        for f in entry["fields"]:
            name = f["field"]
            if name == "citationKey" and flavour is Schema.ZOTERO7:
                continue
            names.append(name)
            if "baseField" in f:
                base[(item_type, name)] = f["baseField"]
                mapped[(item_type, f["baseField"])] = name
        fields[item_type] = tuple(names)
        kinds = entry.get("creatorTypes", [])
        primary = [c["creatorType"] for c in kinds if c.get("primary")]
        creators[item_type] = tuple(dict.fromkeys([*primary, *(c["creatorType"] for c in kinds)]))
    labels: dict[str, str] = {}
    locale = raw.get("locales", {}).get("en-US", {})
    for group in ("itemTypes", "fields", "creatorTypes"):
        labels.update(locale.get(group, {}))
    return ZoteroSchema(
        version=int(raw.get("version", 0)),
        flavour=flavour,
        source=path,
        fields=fields,
        base=base,
        mapped=mapped,
        creator_types=creators,
        labels=labels,
    )


def default_schema(flavour: Schema | str = Schema.ZOTERO8) -> ZoteroSchema:
    """The schema found by the default lookup (raises SchemaNotFound)."""
    return load_schema(None, flavour)


class _DefaultFields(Mapping[str, tuple[str, ...]]):
    """`FIELDS`: itemType -> fields of the default schema, loaded on first use so importing
    this module never needs the file."""

    def _data(self) -> Mapping[str, tuple[str, ...]]:
        return default_schema().fields

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())


FIELDS: Mapping[str, tuple[str, ...]] = _DefaultFields()


def fields_for(item_type: str, schema: Schema | ZoteroSchema) -> tuple[str, ...]:
    """The fields `item_type` has (default schema for a flavour), in schema order."""
    loaded = schema if isinstance(schema, ZoteroSchema) else default_schema(schema)
    return loaded.fields_for(item_type)


def template(
    item_type: str, schema: ZoteroSchema, link_mode: str | None = None
) -> dict[str, object]:
    """The empty item `GET /items/new?itemType=...` returns (editable JSON, no key or version).

    Follows dataserver `controllers/GlobalItemsController.php` / `Zotero_Items` templates:
    title-like field first, one empty creator of the primary type, every field "", then
    tags, collections, relations; notes are `{itemType, note, tags, collections, relations}`;
    attachments carry linkMode, note, contentType, charset (+ filename, md5, mtime when
    stored, + path when linked_file) and no collections.
    """
    out: dict[str, object] = {"itemType": item_type}
    if item_type == "note":
        out.update(note="", tags=[], collections=[], relations={})
        return out
    if item_type == "attachment":
        out["linkMode"] = link_mode or "imported_file"
    for name in schema.fields_for(item_type):
        out[name] = ""
        if name == schema.title_field(item_type) and item_type not in CHILD_TYPES:
            kinds = schema.creator_types[item_type]
            out["creators"] = [{"creatorType": kinds[0], "firstName": "", "lastName": ""}]
    out["tags"] = []
    if item_type == "attachment":
        out.update(note="", contentType="", charset="")
        if (link_mode or "imported_file").startswith("imported_"):
            out.update(filename="", md5=None, mtime=None)
        if link_mode == "linked_file":
            out["path"] = ""
    else:
        out["collections"] = []
    out["relations"] = {}
    return out
