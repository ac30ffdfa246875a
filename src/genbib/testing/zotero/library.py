"""One emulated Zotero library: its objects, versions, deletion log and write rules.

This is the part of the emulator that decides what a write does, independent of HTTP, so
the rules can be read in one place. They follow the "Write Requests" and "Syncing" pages of
the Zotero Web API v3 documentation and the messages of Zotero's dataserver:

- "Every Zotero library and object ... has an associated version number"; "If changes are
  made to a library in a write request, the library's version number will be increased,
  any objects modified in the same request will be set to the new version number" (Syncing).
  A request that changes nothing leaves every version alone (the object is `unchanged`).
- Writes to existing objects "must include the item's current version number in either the
  `version` property or the `If-Unmodified-Since-Version` header"; a changed object gives
  "412 Precondition Failed" (Write Requests); a key-based write with neither gives 428
  ("Either If-Unmodified-Since-Version or object version property must be provided for
  key-based writes", dataserver).
- Multi-object POST: "Up to 50 ... can be written in a single request" (413 "Cannot add
  more than 50 items at a time", `Zotero_API::$maxWriteItems`, DataObjects.inc.php
  validateMultiObjectJSON); each object is reported by index in `successful`/`success`,
  `unchanged` or `failed` ({key, code, message[, data]}); existing objects in a POST are
  updated with PATCH semantics (fields not sent are kept).
- Since dataserver commit c97d2cfd (2026-03, "Prevent concurrent write races with
  per-object version bumps", `model/DataObjects.inc.php` updateMultipleFromJSON) the
  library version is bumped once PER OBJECT of a multi-object POST, inside that object's
  transaction: the first object carries the If-Unmodified-Since-Version check, every
  successful or unchanged object bumps the version ("each item bumps the version, even if
  unchanged", tests/remote/tests/3/collection.test.js), a failed object rolls its bump
  back. So objects written together get consecutive versions, not one shared version.
- "If parent and child items are created in the same POST request, the child items must
  appear after the parent item in the array", with a locally created key matching
  `/[23456789ABCDEFGHIJKLMNPQRSTUVWXYZ]{8}/`.
- Deleting objects records them for `GET <prefix>/deleted?since=<version>`; deleting a
  parent item deletes its notes and attachments.

Callers hold `Library.lock` (the emulator does) for any sequence that must be atomic.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from genbib.testing.zotero.schema import KEY_ALPHABET, KEY_RE, ZoteroSchema
from genbib.testing.zotero.validate import (
    JsonObject,
    ObjectError,
    build_collection,
    build_item,
    clone,
    unwrap,
)

__all__ = ["MAX_WRITE", "ApiError", "JsonObject", "Library", "ObjectError", "WriteResult"]

MAX_WRITE = 50  # Zotero_API::$maxWriteItems: objects per POST, keys per multi-delete

_SERVER_MANAGED = ("key", "version", "dateAdded", "dateModified")


class ApiError(Exception):
    """A whole request fails with `status` (the server answers it with `message` as text)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _stale(label: str, expected: int, found: int) -> ApiError:
    """Zotero's 412 for a write made against an older version than the object's or the
    library's: the one wording every stale write gets, with the current version."""
    return ApiError(
        412,
        f"{label} has been modified since specified version (expected {expected}, found {found})",
        {"Last-Modified-Version": str(found)},
    )


@dataclass(frozen=True)
class WriteResult:
    """The per-index outcome of a multi-object POST, as the API's 200 answer reports it."""

    successful: dict[str, JsonObject]  # index -> saved object (data only; server wraps it)
    unchanged: dict[str, str]  # index -> key
    failed: dict[str, JsonObject]  # index -> {key, code, message}


class Library:
    """A user or group library with items, collections, versions and a deletion log."""

    def __init__(
        self,
        kind: str,
        library_id: int,
        *,
        name: str,
        schema: ZoteroSchema,
        clock: Callable[[], str],
        rng: random.Random,
        lock: threading.RLock,
    ) -> None:
        self.kind = kind  # "user" | "group"
        self.id = library_id
        self.name = name
        self.schema = schema
        self.lock = lock
        self.version = 0
        self._clock = clock
        self._rng = rng
        self._items: dict[str, JsonObject] = {}
        self._collections: dict[str, JsonObject] = {}
        self.deleted_items: dict[str, int] = {}  # key -> library version of the deletion
        self.deleted_collections: dict[str, int] = {}
        self._counts: tuple[int, Counter[str], Counter[str], Counter[str]] | None = None
        self._cache: dict[object, list[JsonObject]] = {}
        self._cache_version = -1

    # ----------------------------------------------------------------- reading state

    @property
    def prefix(self) -> str:
        """The URL path prefix, e.g. "/groups/1"."""
        return f"/{self.kind}s/{self.id}"

    def item(self, key: str) -> JsonObject:
        """A copy of the item's editable JSON (raises KeyError when absent)."""
        with self.lock:
            return clone(self._items[key])

    def collection(self, key: str) -> JsonObject:
        """A copy of the collection's editable JSON (raises KeyError when absent)."""
        with self.lock:
            return clone(self._collections[key])

    def items(self) -> dict[str, JsonObject]:
        """Copies of all items by key."""
        with self.lock:
            return clone(self._items)

    def collections(self) -> dict[str, JsonObject]:
        """Copies of all collections by key."""
        with self.lock:
            return clone(self._collections)

    def top_items(self) -> dict[str, JsonObject]:
        """Copies of the top-level (non-child) items by key."""
        with self.lock:
            return {k: clone(d) for k, d in self._items.items() if not d.get("parentItem")}

    def collection_by_name(self, name: str) -> str | None:
        """The key of the first collection called `name`, if any."""
        with self.lock:
            return next((k for k, c in self._collections.items() if c["name"] == name), None)

    def children(self, key: str) -> list[str]:
        """Keys of the child notes and attachments of item `key`."""
        with self.lock:
            return [k for k, d in self._items.items() if d.get("parentItem") == key]

    def raw_items(self) -> dict[str, JsonObject]:
        """The stored items themselves (no copy) for the server's read paths; hold the lock."""
        return self._items

    def raw_collections(self) -> dict[str, JsonObject]:
        return self._collections

    def cached(self, key: object, compute: Callable[[], list[JsonObject]]) -> list[JsonObject]:
        """`compute()`, remembered until the library version changes (for listings)."""
        if self._cache_version != self.version:
            self._cache.clear()
            self._cache_version = self.version
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def counts(self) -> tuple[Counter[str], Counter[str], Counter[str]]:
        """(children per item, items per collection, subcollections per collection).

        Cached per library version: every change bumps the version, and listing 5,000 items
        must not rescan the library per item.
        """
        if self._counts is None or self._counts[0] != self.version:
            children = Counter(
                str(d["parentItem"]) for d in self._items.values() if d.get("parentItem")
            )
            members = Counter(c for d in self._items.values() for c in d.get("collections", ()))
            subs = Counter(
                str(c["parentCollection"])
                for c in self._collections.values()
                if c["parentCollection"]
            )
            self._counts = (self.version, children, members, subs)
        return self._counts[1], self._counts[2], self._counts[3]

    # ------------------------------------------------------- direct edits for tests

    def seed_items(self, items: Iterable[JsonObject]) -> list[str]:
        """Create items as another client would (validated; one version bump); their keys.

        Raises ObjectError for the first invalid item, so a broken fixture fails loudly.
        """
        with self.lock:
            objects = list(items)
            result = self.write("items", objects, None, check_versions=False)
            if result.failed:
                index, failure = next(iter(result.failed.items()))
                raise ObjectError(failure["code"], f"item {index}: {failure['message']}")
            keys = [obj["key"] for obj in result.successful.values()]
            keys += list(result.unchanged.values())
            return keys

    def add_collection(self, name: str, parent: str | None = None) -> str:
        """Create a collection as another client would; its key."""
        with self.lock:
            obj = {"name": name, "parentCollection": parent or False}
            result = self.write("collections", [obj], None, check_versions=False)
            if result.failed:
                raise ObjectError(result.failed["0"]["code"], result.failed["0"]["message"])
            return str(result.successful["0"]["key"])

    def edit_item(self, key: str, **changes: Any) -> int:
        """Change fields of an item "as another member": a single-object PATCH (so a change
        that changes nothing leaves every version alone); the item's version after it."""
        with self.lock:
            try:
                self.write_one(
                    "items",
                    key,
                    changes,
                    self._items[key]["version"],
                    partial=True,
                    bump_unchanged=False,
                )
            except ApiError as err:
                raise ObjectError(err.status, err.message) from None
            return int(self._items[key]["version"])

    def trash_item(self, key: str) -> int:
        """Move an item to the trash as a member does in Zotero (`deleted: 1`); new version.

        A trashed item is not in `/deleted`: it leaves `/items` (unless `includeTrashed=1`)
        and shows up in `/items/trash`, as in the real API.
        """
        return self.edit_item(key, deleted=1)

    def restore_item(self, key: str) -> int:
        """Take an item out of the trash (`deleted: false`, ItemTest::
        test_patch_of_item_should_clear_trash_state); the new version."""
        return self.edit_item(key, deleted=False)

    def move_item(self, key: str, parent: str | None) -> int:
        """Move a child note/attachment under `parent` (None: make it top-level), as a PATCH
        of `parentItem` does (ItemTest::testParentItemPatch); the new version."""
        return self.edit_item(key, parentItem=parent or False)

    def uri(self, key: str) -> str:
        """The item's Zotero URI, the form `relations` values take (`http://zotero.org/
        groups/<id>/items/<KEY>`, Relations.inc.php / RelationTest.php)."""
        return f"http://zotero.org/{self.kind}s/{self.id}/items/{key}"

    def merge_items(self, master: str, others: Iterable[str]) -> int:
        """Merge duplicates as a member does with Zotero's "Merge Items" (zotero/zotero
        `chrome/content/zotero/xpcom/data/items.js`, `Zotero.Items.merge`): the others'
        child notes and attachments move to `master`, their tags, collections and relations
        are added to it, `master` gets `dc:replaces` with each other's URI, and the others
        go to the trash (`deleted: true`), not to `/deleted`. Written as the desktop client
        syncs it: one multi-object POST. Returns the new library version."""
        with self.lock:
            others = [k for k in others if k != master]
            data = self._items[master]
            tags = list(data.get("tags", []))
            collections = list(data.get("collections", []))
            relations = {
                p: ([v] if isinstance(v, str) else list(v))
                for p, v in data.get("relations", {}).items()
            }
            writes: list[JsonObject] = []
            for other in others:
                od = self._items[other]
                tags += [t for t in od.get("tags", []) if t not in tags]
                collections += [c for c in od.get("collections", []) if c not in collections]
                for pred, value in od.get("relations", {}).items():
                    values = [value] if isinstance(value, str) else list(value)
                    relations.setdefault(pred, [])
                    relations[pred] += [v for v in values if v not in relations[pred]]
                relations.setdefault("dc:replaces", [])
                if self.uri(other) not in relations["dc:replaces"]:
                    relations["dc:replaces"].append(self.uri(other))
                for child in self.children(other):
                    writes.append(
                        {
                            "key": child,
                            "version": self._items[child]["version"],
                            "parentItem": master,
                        }
                    )
                writes.append({"key": other, "version": od["version"], "deleted": True})
            writes.insert(
                0,
                {
                    "key": master,
                    "version": data["version"],
                    "tags": tags,
                    "collections": collections,
                    "relations": relations,
                },
            )
            result = self.write("items", writes, None)
            if result.failed:
                index, failure = next(iter(result.failed.items()))
                raise ObjectError(failure["code"], f"merge write {index}: {failure['message']}")
            return self.version

    def remove_items(self, keys: Iterable[str]) -> int:
        """Delete items (and their children) as another member; the new library version."""
        with self.lock:
            self.delete("items", list(keys), self.version)
            return self.version

    # ------------------------------------------------------------------- writing

    def new_key(self) -> str:
        while True:
            key = "".join(self._rng.choice(KEY_ALPHABET) for _ in range(8))
            if key not in self._items and key not in self._collections:
                return key

    def check_library_version(self, header: int | None) -> None:
        """A stale `If-Unmodified-Since-Version` on a library-level write fails it whole."""
        if header is not None and header < self.version:
            raise _stale("Library", header, self.version)

    def write(
        self,
        kind: str,
        objects: list[Any],
        header: int | None,
        *,
        check_versions: bool = True,
    ) -> WriteResult:
        """Apply a multi-object POST of items or collections.

        `header` is the request's `If-Unmodified-Since-Version` (already known not stale).
        `check_versions=False` is the seeding path: existing objects need no version.
        """
        if len(objects) > MAX_WRITE:
            raise ApiError(413, f"Cannot add more than {MAX_WRITE} {kind} at a time")
        self.check_library_version(header)
        store = self._items if kind == "items" else self._collections
        label = "Item" if kind == "items" else "Collection"
        successful: dict[str, JsonObject] = {}
        unchanged: dict[str, str] = {}
        failed: dict[str, JsonObject] = {}
        for index, obj in enumerate(objects):
            obj = unwrap(obj)
            at = str(index)
            if not isinstance(obj, dict):
                failed[at] = {
                    "key": "",
                    "code": 400,
                    "message": f"Invalid value for index {index} in uploaded data; "
                    f"expected JSON {kind[:-1]} object",
                }
                continue
            key = obj.get("key")
            try:
                existing = self._precondition(store, label, obj, header, check_versions)
                data = self._build(kind, obj, existing, partial=True)
            except ObjectError as err:
                failed[at] = {
                    "key": key if isinstance(key, str) else "",
                    "code": err.code,
                    "message": err.message,
                }
                if err.data:
                    failed[at]["data"] = err.data
                continue
            # per-object version bump, unchanged objects included (see module docstring)
            self.version += 1
            if existing is not None and _same(existing, data):
                unchanged[at] = existing["key"]
                continue
            self._save(store, data, existing, self.version)
            successful[at] = clone(data)
        return WriteResult(successful, unchanged, failed)

    def write_one(
        self,
        kind: str,
        key: str,
        body: Any,
        header: int | None,
        *,
        partial: bool,
        bump_unchanged: bool = True,
    ) -> bool:
        """Apply a single-object PUT (`partial=False`) or PATCH; whether anything changed.

        The library version is bumped up front for every single-object write that succeeds,
        even one that changes nothing (ItemsController: "For single-object writes and
        DELETEs, bump the version upfront", committed by ApiController handleObjectWrite);
        the answer then shows the original version. `bump_unchanged=False` is for the
        "another member" helpers: a member's client sends no write that changes nothing.

        The version check is per object: the header or the JSON `version` must not be older
        than the object's version (controllers/ApiController.php
        checkSingleObjectWriteVersion). A write that changes nothing answers with the
        original library version (ApiController handleObjectWrite: "If not updated, return
        the original library version").
        """
        body = unwrap(body)
        if not isinstance(body, dict):
            raise ApiError(400, "Uploaded data must be a JSON object")
        store = self._items if kind == "items" else self._collections
        label = "Item" if kind == "items" else "Collection"
        prop = body.get("version")
        if prop is not None and not isinstance(prop, int):
            raise ApiError(400, f"Invalid JSON 'version' property value '{prop}'")
        if header is not None and prop is not None and header != prop:
            raise ApiError(
                400,
                f"If-Unmodified-Since-Version value does not match JSON 'version' property ({header} != {prop})",
            )
        expected = header if header is not None else prop
        existing = store.get(key)
        if existing is None:
            if partial and expected is None:
                raise ApiError(
                    404,
                    f"{label} not found (to create, use If-Unmodified-Since-Version: 0, "
                    "JSON 'version' 0, or PUT method)",
                )
            if expected:
                raise ApiError(412, f"{label} not found (expected version {expected})")
        else:
            if expected is None:
                raise ApiError(
                    428,
                    "Either If-Unmodified-Since-Version or object version property must be provided for key-based writes",
                )
            if existing["version"] > expected:
                raise _stale(label, expected, existing["version"])
        body = {**body, "key": key}
        try:
            data = self._build(kind, body, existing, partial=partial)
        except ObjectError as err:
            raise ApiError(err.code, err.message) from None
        if existing is not None and _same(existing, data):
            if bump_unchanged:
                self.version += 1
            return False
        self.version += 1
        self._save(store, data, existing, self.version)
        return True

    def delete(
        self, kind: str, keys: list[str], header: int | None, *, single: bool = False
    ) -> None:
        """Delete objects (DELETE <prefix>/<kind>?<kind>Key= or /<kind>/<key>).

        Multi-deletes need `If-Unmodified-Since-Version: <library version>`; a single delete
        needs the object's version. Unknown keys in a multi-delete are ignored.
        """
        store = self._items if kind == "items" else self._collections
        label = "Item" if kind == "items" else "Collection"
        if header is None:
            # ApiController: checkSingleObjectWriteVersion for one object,
            # checkLibraryIfUnmodifiedSinceVersion(required) for a multi-object delete
            raise ApiError(
                428,
                "If-Unmodified-Since-Version must be provided for delete requests"
                if single
                else "If-Unmodified-Since-Version not provided",
            )
        if single:
            obj = store.get(keys[0])
            if obj is None:
                raise ApiError(404, f"{label} not found")
            if obj["version"] > header:
                raise _stale(label, header, obj["version"])
        else:
            if len(keys) > MAX_WRITE:
                raise ApiError(413, f"Cannot delete more than {MAX_WRITE} {kind} at a time")
            self.check_library_version(header)
        doomed = [k for k in dict.fromkeys(keys) if k in store]
        # the version is bumped up front for every DELETE that succeeds, also when none of
        # the keys exists any more (ItemsController, dataserver commit c97d2cfd)
        self.version += 1
        if not doomed:
            return
        if kind == "items":
            # children go with their parent, and their own children (an attachment's
            # annotations) with them (ItemTest::test_deleting_parent_item_should_delete_
            # attachment_and_child_annotation)
            grew = True
            while grew:
                children = [
                    k
                    for k, d in self._items.items()
                    if d.get("parentItem") in doomed and k not in doomed
                ]
                doomed += children
                grew = bool(children)
            for k in doomed:
                del self._items[k]
                self.deleted_items[k] = self.version
            return
        # collections: subcollections go too, and items leave the deleted collections
        gone = set(doomed)
        grew = True
        while grew:
            more: set[str] = {
                k for k, c in self._collections.items() if c["parentCollection"] in gone
            } - gone
            gone |= more
            grew = bool(more)
        for k in sorted(gone):
            del self._collections[k]
            self.deleted_collections[k] = self.version
        for data in self._items.values():
            if set(data.get("collections", ())) & gone:
                data["collections"] = [c for c in data["collections"] if c not in gone]
                data["version"] = self.version
                data["dateModified"] = self._clock()

    # ------------------------------------------------------------------ internals

    def _precondition(
        self,
        store: dict[str, JsonObject],
        label: str,
        obj: JsonObject,
        header: int | None,
        check: bool,
    ) -> JsonObject | None:
        key = obj.get("key")
        version = obj.get("version")
        if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
            raise ObjectError(400, f"Invalid JSON 'version' property value '{version}'")
        if key is None:
            return None
        if not isinstance(key, str) or not KEY_RE.match(key):
            raise ObjectError(400, f"'{key}' is not a valid {label.lower()} key")
        existing = store.get(key)
        if existing is None:
            if version:
                raise ObjectError(
                    404, f"{label} doesn't exist (expected version {version}; use 0 instead)"
                )
            return None
        if not check:
            return existing
        if version is None:
            if header is None:
                raise ObjectError(
                    428,
                    "Either If-Unmodified-Since-Version or object version property must be provided for key-based writes",
                )
        elif existing["version"] > version:
            raise ObjectError(412, _stale(label, version, existing["version"]).message)
        return existing

    def _build(
        self, kind: str, obj: JsonObject, existing: JsonObject | None, *, partial: bool
    ) -> JsonObject:
        if kind == "items":
            return build_item(
                obj,
                existing,
                partial=partial,
                schema=self.schema,
                library_kind=self.kind,
                items=self._items,
                collections=self._collections,
                new_key=self.new_key,
            )
        return build_collection(
            obj, existing, partial=partial, collections=self._collections, new_key=self.new_key
        )

    def _save(
        self,
        store: dict[str, JsonObject],
        data: JsonObject,
        existing: JsonObject | None,
        version: int,
    ) -> None:
        key = data["key"]
        data["version"] = version
        if store is self._items:
            now = self._clock()
            # a client may give a new item its dateAdded (ItemTest::testDateAddedNewItem*)
            data["dateAdded"] = existing["dateAdded"] if existing else (data["dateAdded"] or now)
            data["dateModified"] = now
            self.deleted_items.pop(key, None)  # a re-created key is no longer deleted
        else:
            self.deleted_collections.pop(key, None)
        store[key] = data
        if store is self._items:
            self._mirror_related(key, existing, data, version)

    def _mirror_related(
        self, key: str, old: JsonObject | None, new: JsonObject, version: int
    ) -> None:
        """Related items are bidirectional: `dc:relation` to an item of this library shows
        on that item too, and goes from it when removed here (RelationTest::
        testRelatedItemRelations, testRelatedItemRelationsSingleRequest; the target is
        modified as a side effect of the write, dataserver commit c97d2cfd)."""
        before = _related(old, self.uri(""))
        after = _related(new, self.uri(""))
        mine = self.uri(key)
        if old is None:  # created after an item that already points at it
            pointing = sorted(k for k, d in self._items.items() if key in _related(d, self.uri("")))
            values = _values(new.get("relations", {}).get("dc:relation"))
            values += [self.uri(k) for k in pointing if self.uri(k) not in values]
            if values:
                new["relations"] = {**new.get("relations", {}),
                                    "dc:relation": values[0] if len(values) == 1 else values}  # fmt: skip
                after = _related(new, self.uri(""))
        for target, add in [(k, True) for k in after - before] + [
            (k, False) for k in before - after
        ]:
            other = self._items.get(target)
            if other is None or target == key:
                continue
            values = _values(other.get("relations", {}).get("dc:relation"))
            if add == (mine in values):
                continue
            values = [*values, mine] if add else [v for v in values if v != mine]
            relations = {p: v for p, v in other.get("relations", {}).items() if p != "dc:relation"}
            if values:
                relations["dc:relation"] = values[0] if len(values) == 1 else values
            other["relations"] = relations
            other["version"] = version
            other["dateModified"] = self._clock()


def _values(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _related(data: JsonObject | None, prefix: str) -> set[str]:
    """Keys of the items of this library (URIs starting with `prefix`) that `data` relates to."""
    if not data:
        return set()
    values = _values(data.get("relations", {}).get("dc:relation"))
    return {v[len(prefix) :] for v in values if v.startswith(prefix)}


def _same(old: JsonObject, new: JsonObject) -> bool:
    """Whether a write would change nothing a client can see (server-managed keys aside)."""

    def strip(data: JsonObject) -> JsonObject:
        return {k: v for k, v in data.items() if k not in _SERVER_MANAGED}

    return strip(old) == strip(new)
