"""The Zotero side of a sync: the documented pull procedure and batched pushes.

Pull (Zotero's "Syncing" page): one `format=versions&since=V` request with
`If-Modified-Since-Version` (a 304 ends the pull: one request for a sync with nothing new),
then the collections, the changed objects by key in batches of 50, the children of the
papers touched, and `/deleted?since=V`. Items become field maps through the mapping,
reconciled with the last agreed values so unchanged text keeps its bib spelling.

Push: missing collections first, then items (creates carry keys chosen here, so a retry or
a crash never makes a second copy; updates are patches of what changed, so a member's
tags, collections and fields the bib has no place for stay), then genbib's child
attachments and notes, then duplicates merged as Zotero merges them, then papers deleted
from the bib go to the trash. Nothing is ever deleted for good but the link attachments
genbib itself created (`State.owned`); every write is made against the pulled library
version, so a 412 means someone else wrote and the run starts over. Every change is
journaled (`Change`) after Zotero accepted it.
"""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Sequence

from genbib.config import Topic
from genbib.model.problems import Problem, Severity
from genbib.sync import zotero_items as items
from genbib.sync.engine import Op
from genbib.sync.remote import (
    Change,
    Outcome,
    Pull,
    RemoteChanged,
    RemoteItem,
    RemoteOp,
    entry_fields,
    fields_entry,
)
from genbib.sync.state import State
from genbib.zotero import mapping
from genbib.zotero.adapter import CHUNK, Json, LibraryChanged, ZoteroAdapter
from genbib.zotero.children import plan_children

KEY_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"


class ZoteroRemote:
    def __init__(
        self,
        adapter: ZoteroAdapter,
        topics: Sequence[Topic] = (),
        *,
        rng: random.Random | None = None,
        automatic_tags: bool = False,
    ) -> None:
        self.api = adapter
        self.topics = tuple(topics)
        self.automatic_tags = automatic_tags  # automatic tags also become keywords
        self.version = 0  # library version seen by the pull; every write is based on it
        self.rng = rng or random.Random()
        self._collections: dict[str, str] = {}  # key -> name in Zotero
        self._slugs: dict[str, str] = {}  # collection key -> the topic it is bound to
        self._renames: dict[str, str] = {}  # collection key -> the name genbib.toml gives it
        self.macros: dict[str, str] = {}  # the bib's @string macros, expanded for Zotero
        self.journal: list[Change] = []  # what the pushes changed (drained by the run)
        self._raw: dict[str, Json] = {}  # item key -> its data as last read

    # --- topics <-> collections ------------------------------------------------------
    # A collection is bound to its topic by KEY (state.bindings), so renaming it in Zotero
    # or in genbib.toml never moves papers between topics; the name is merged three ways
    # (genbib.toml, Zotero, last agreed): a rename in genbib.toml is pushed, a rename in
    # Zotero is kept and reported until genbib.toml agrees.
    def collection_name(self, slug: str) -> str:
        topic = next((t for t in self.topics if t.slug == slug), None)
        return topic.collection_name if topic else slug

    def slug_of(self, name: str) -> str:
        topic = next((t for t in self.topics if t.collection_name.lower() == name.lower()), None)
        return topic.slug if topic else re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")

    def _topic_map(self) -> dict[str, str]:
        return {k: self._slugs.get(k) or self.slug_of(n) for k, n in self._collections.items()}

    def _by_slug(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, slug in sorted(self._topic_map().items()):
            out.setdefault(slug, key)
        return out

    def _bind(self, state: State, seen_before: dict[str, str]) -> list[Problem]:
        """Bind every collection to a topic by key; plan renames; report names that differ."""
        configured = {t.slug: t for t in self.topics}
        problems: list[Problem] = []
        self._renames = {}
        self._slugs = {}
        bindings: dict[str, dict[str, str]] = {}
        names = {n.lower() for n in self._collections.values()}
        for key, name in sorted(self._collections.items()):
            old = state.bindings.get(key, {})
            slug = old.get("topic", "")
            named = self.slug_of(name)
            if not slug or (slug not in configured and named in configured):
                slug = named  # first seen, or genbib.toml now has a topic of that name
            agreed = old.get("name") or seen_before.get(key, name)
            topic = configured.get(slug)
            self._slugs[key] = slug
            if topic is None:  # a collection no topic names: its items keep their topic
                if name != agreed:
                    problems.append(
                        Problem(
                            "SYNC_COLLECTION_RENAMED",
                            f"Zotero collection {key} was renamed from {agreed!r} to {name!r}, "
                            f"which no topic in genbib.toml names; its items keep the topic "
                            f"{slug!r} (collections follow their key): add a topic {slug!r} "
                            f"with collection = {name!r}",
                            Severity.WARNING,
                        )
                    )
                bindings[key] = {"topic": slug, "name": agreed}
                continue
            want = topic.collection_name
            if name.lower() == want.lower():
                agreed = name
            elif name == agreed and want.lower() not in names:  # renamed in genbib.toml
                self._renames[key] = want
                names.add(want.lower())
            else:  # renamed in Zotero (or on both sides)
                problems.append(
                    Problem(
                        "SYNC_COLLECTION_RENAMED",
                        f"Zotero collection {key} is called {name!r}, but genbib.toml names "
                        f"the collection of topic {slug!r} {want!r}; its items keep the topic "
                        f"(collections follow their key): set collection = {name!r} for the "
                        "topic, or rename the collection back in Zotero",
                        Severity.WARNING,
                    )
                )
            bindings[key] = {"topic": slug, "name": agreed}
        state.bindings = bindings
        return problems

    # --- Remote protocol ----------------------------------------------------------------
    def new_key(self) -> str:
        return "".join(self.rng.choice(KEY_ALPHABET) for _ in range(8))

    def pull(self, state: State) -> Pull:
        self._collections = dict(state.collections)
        self.version = state.version
        try:
            answer = self.api.versions_since(state.version)
        except LibraryChanged:
            raise RemoteChanged([]) from None
        if answer is None:
            problems = self._bind(state, state.collections)
            return Pull(state.version, {}, frozenset(), tuple(problems), bool(self._renames))
        version, versions = answer
        self.version = version
        self._collections = self.api.collections()
        seen_before, state.collections = state.collections, dict(self._collections)
        problems = self._bind(state, seen_before)
        if len(versions) > 2 * CHUNK:  # many changes (a first pull): pages of 100
            listed = self.api.items_since(state.version, len(versions))
        else:  # a few: by key, 50 per request
            listed = self.api.items(sorted(versions)) if versions else []
        fetched = {o["key"]: o for o in listed}
        deleted = self.api.deleted_items(state.version) if state.version else set()
        parent_of = {c: r.item for r in state.rows.values() for c in r.children}
        touched: set[str] = set()
        for key, obj in fetched.items():
            parent = obj["data"].get("parentItem")
            touched.add(parent or key)
        touched.update(parent_of[k] for k in deleted if k in parent_of)
        touched -= deleted
        rows = state.rows
        missing = [
            c
            for p in touched
            if p in rows
            for c in rows[p].children
            if c not in fetched and c not in deleted
        ]
        missing += [p for p in touched if p not in fetched]
        if missing:
            fetched.update({o["key"]: o for o in self.api.items(sorted(set(missing)))})
        self._raw.update({k: o["data"] for k, o in fetched.items()})
        kids: dict[str, list[Json]] = {}
        for obj in fetched.values():
            parent = obj["data"].get("parentItem")
            if parent:
                kids.setdefault(parent, []).append(obj)
        changed: dict[str, RemoteItem] = {}
        trashed: set[str] = set()
        topics = self._topic_map()
        for key in sorted(touched):
            found = fetched.get(key)
            if found is None:
                continue
            obj = found
            if (
                obj is None
                or obj["data"].get("parentItem")
                or obj["data"].get("itemType") in ("note", "attachment")
            ):
                continue
            if obj["data"].get("deleted"):  # in the trash: gone for genbib, until restored
                deleted.add(key)
                trashed.add(key)
                continue
            row = rows.get(key)
            base = (
                fields_entry(row.key, row.remote_fields())
                if row is not None and not row.pending
                else None
            )
            children = mapping.read_children(k["data"] for k in kids.get(key, []))
            entry = mapping.from_item(
                obj["data"], children, topics=topics, base=base, macros=self.macros,
                automatic_tags=self.automatic_tags,
            )  # fmt: skip
            versions_all = [int(obj["version"])] + [int(k["version"]) for k in kids.get(key, [])]
            changed[key] = RemoteItem(
                key, max(versions_all), mapping.citation_key(obj["data"]), entry_fields(entry),
                {k["key"]: int(k["version"]) for k in kids.get(key, [])},
                items.replaced(obj["data"]),
            )  # fmt: skip
        return Pull(
            version, changed, frozenset(deleted), tuple(problems), bool(self._renames),
            frozenset(trashed),
        )  # fmt: skip

    def push(self, ops: Sequence[RemoteOp], state: State) -> tuple[list[Outcome], int]:
        outcomes: list[Outcome] = []
        try:
            self._ensure_collections(ops, state)
            outcomes = self._push_items(ops)
            merged = self._merge_duplicates([o for o in ops if o.op is Op.DELETE and o.into])
            moved: dict[str, dict[str, int]] = {}
            for m in (o for o in ops if o.op is Op.DELETE and o.into):
                if any(x.item == m.item and x.ok for x in merged):
                    moved.setdefault(m.into, {}).update(dict.fromkeys(m.children, self.version))
            for i, o in enumerate(outcomes):  # a survivor now holds the copy's children
                if o.item in moved:
                    kids = {**o.children, **moved[o.item]}
                    outcomes[i] = Outcome(o.item, o.ok, o.version, kids, o.message)
            self._push_children(ops, outcomes, state)
            outcomes.extend(merged)
            outcomes.extend(self._trash([o for o in ops if o.op is Op.DELETE and not o.into]))
        except LibraryChanged:
            raise RemoteChanged(outcomes) from None
        final = [
            Outcome(o.item, o.ok, self.version if o.ok else 0, o.children, o.message)
            for o in outcomes
        ]
        return final, self.version

    # --- push steps ---------------------------------------------------------------
    def _ensure_collections(self, ops: Sequence[RemoteOp], state: State) -> None:
        if self._renames:
            renames = sorted(self._renames.items())
            answer = self.api.write(
                [{"key": k, "name": n} for k, n in renames], self.version, kind="collections"
            )
            self.version = answer.version
            for index, (key, name) in enumerate(renames):
                if index not in answer.failed:
                    self.journal.append(Change("zotero", "rename", f"collection {key}", name))
                    self._collections[key] = name
                    state.bindings[key] = {"topic": self._slugs[key], "name": name}
            self._renames = {}
            state.collections = dict(self._collections)
        have = set(self._topic_map().values())
        wanted: set[str] = set()
        for o in ops:
            if o.fields is not None and o.op is not Op.DELETE:
                wanted.update(fields_entry(o.key, o.fields).topics)
        missing = sorted(wanted - have)
        if not missing:
            return
        answer = self.api.write(
            [{"name": self.collection_name(s)} for s in missing], self.version, kind="collections"
        )
        self.version = answer.version
        for index, key in answer.keys.items():
            self._collections[key] = self.collection_name(missing[index])
            self._slugs[key] = missing[index]
            state.bindings[key] = {"topic": missing[index], "name": self._collections[key]}
            self.journal.append(Change("zotero", "create", f"collection {self._collections[key]}"))
        state.collections = dict(self._collections)

    def _schema(self, item_types: set[str]) -> dict[str, frozenset[str]]:
        return {t: self.api.fields_of(t) for t in sorted(item_types)}

    def _current(self, keys: Sequence[str]) -> dict[str, Json]:
        """The item data Zotero holds now (from the pull, else read: one request per 50)."""
        missing = sorted({k for k in keys if k not in self._raw})
        if missing:
            for obj in self.api.items(missing):
                self._raw[obj["key"]] = obj["data"]
        return {k: self._raw[k] for k in keys if k in self._raw}

    def _push_items(self, ops: Sequence[RemoteOp]) -> list[Outcome]:
        """Creates in full; updates as patches of what changed (Zotero's multi-object
        write has PATCH semantics), so a member's fields, tags, collections and relations
        that the bib does not hold are never overwritten."""
        writes = [o for o in ops if o.op in (Op.CREATE, Op.UPDATE) and o.fields is not None]
        if not writes:
            return []
        entries = [fields_entry(o.key, o.fields or {}) for o in writes]
        befores = [fields_entry(o.held_key, o.before) if o.before else None for o in writes]
        types = {mapping.item_type(e) for e in entries} | {
            mapping.item_type(b) for b in befores if b
        }
        schema = self._schema(types)
        by_slug = self._by_slug()
        # the items the update must merge into (tags, member's extra lines, collections,
        # a type change): read them first, 50 per request
        merge_into = [
            o.item
            for o, entry, before in zip(writes, entries, befores, strict=True)
            if o.op is Op.UPDATE
            and before is not None
            and (
                mapping.needs_current(entry, before, schema=schema, macros=self.macros)
                or entry.topics != before.topics
            )
        ]
        current = self._current(merge_into) if merge_into else {}
        payload: list[Json] = []
        sent: list[tuple[int, RemoteOp, Json]] = []
        out: list[Outcome | None] = []
        for o, entry, before in zip(writes, entries, befores, strict=True):
            if o.op is Op.CREATE or before is None:
                body = mapping.to_item(
                    entry, schema=schema, collections=by_slug, macros=self.macros
                )
            else:
                now = current.get(o.item)
                body = mapping.update_item(
                    entry, before, now, schema=schema, collections=by_slug, macros=self.macros
                )
                held_type = (now or {}).get("itemType") or mapping.item_type(before)
                if body.get("itemType") == held_type:
                    body.pop("itemType", None)  # unchanged: nothing to say
                if "collections" in body and now is None:
                    del body["collections"]  # the topics did not change: leave them be
                elif "collections" in body and now is not None:
                    body["collections"] = items.merge_collections(
                        body["collections"],
                        mapping.to_item(
                            before, schema=schema, collections=by_slug, macros=self.macros
                        ).get("collections", []),
                        now.get("collections") or [],
                    )
                if not body:  # nothing Zotero holds would change
                    out.append(Outcome(o.item, True, self.version, dict(o.children)))
                    continue
            body["key"] = o.item
            sent.append((len(out), o, body))
            out.append(None)
            payload.append(body)
        if payload:
            answer = self.api.write(payload, self.version)
            self.version = answer.version
            for i, (slot, o, body) in enumerate(sent):
                if i in answer.failed:
                    out[slot] = Outcome(o.item, False, message=answer.failed[i])
                    continue
                out[slot] = Outcome(o.item, True, self.version, dict(o.children))
                self._journal_item(o, body)
                if o.item in self._raw:
                    self._raw[o.item] = {**self._raw[o.item], **body}
        return [o for o in out if o is not None]

    def _journal_item(self, o: RemoteOp, body: Json) -> None:
        if o.op is Op.CREATE:
            title = str(body.get("title", ""))[:80]
            self.journal.append(Change("zotero", "create", o.key, f"{body['itemType']}: {title}"))
            return
        names = sorted(n for n in body if n not in ("key", "tags"))
        if names:
            self.journal.append(Change("zotero", "update", o.item, f"{o.key}: {', '.join(names)}"))
        if "tags" in body:
            self.journal.append(
                Change(
                    "zotero",
                    "tags",
                    o.item,
                    f"{o.key}: {', '.join(sorted(items.tag_names(body['tags'])))}",
                )
            )

    def _push_children(
        self, ops: Sequence[RemoteOp], outcomes: list[Outcome], state: State
    ) -> None:
        """genbib's children (link attachments, its note) follow the bib (`plan_children`).

        Only children genbib created are updated or deleted: those carrying its tag, or
        recorded in `State.owned`; a member's notes, links and files never are.
        """
        ok = {o.item for o in outcomes if o.ok}
        plans: list[tuple[int, RemoteOp, list[mapping.Child]]] = []
        known_keys: list[str] = []
        writes = {x.item: x for x in ops if x.op is not Op.DELETE}
        for index, o in enumerate(outcomes):
            op = writes.get(o.item)
            if op is None or o.item not in ok or op.fields is None:
                continue
            want = mapping.children(fields_entry(op.key, op.fields))
            had = mapping.children(fields_entry(op.key, op.before)) if op.before else []
            if sorted(map(items.ck, want)) != sorted(map(items.ck, had)) or (
                op.op is Op.CREATE and want
            ):
                plans.append((index, op, want))
                known_keys.extend(o.children)
        if not plans:
            return
        existing = {o["key"]: o for o in self.api.items(known_keys)} if known_keys else {}
        creates: list[Json] = []
        updates: list[Json] = []
        removals: list[str] = []
        mine: set[str] = set()
        owner: dict[int, int] = {}  # index in creates -> outcome index
        for index, op, want in plans:
            current: dict[str, mapping.Child] = {}
            for key in outcomes[index].children:
                obj = existing.get(key)
                child = mapping.child_of(obj["data"]) if obj else None
                if child is None or obj is None or obj["data"].get("deleted"):
                    continue
                if key in state.owned and not child.owned:
                    child = dataclasses.replace(child, owned=True)
                current[key] = child
            mine.update(k for k, c in current.items() if c.owned)
            plan = plan_children(want, current)
            for child in plan.create:
                obj = mapping.child_item(child, op.item)
                obj["key"] = self.new_key()
                owner[len(creates)] = index
                creates.append(obj)
                self.journal.append(
                    Change("zotero", "add child", op.key, items.show(items.ck(child)))
                )
            for key, child in plan.update:
                updates.append({"key": key, "note": mapping.child_item(child, op.item)["note"]})
                self.journal.append(Change("zotero", "update child", key, f"note of {op.item}"))
            for key in plan.delete:
                removals.append(key)
                self.journal.append(
                    Change(
                        "zotero",
                        "remove child",
                        key,
                        f"{items.show(items.ck(current[key]))} of {op.item}",
                    )
                )
        kids: dict[int, dict[str, int]] = {}
        if creates or updates:
            answer = self.api.write(creates + updates, self.version)
            self.version = answer.version
            for i, key in answer.keys.items():
                if i in owner:
                    kids.setdefault(owner[i], {})[key] = self.version
                    state.owned.add(key)
        if removals:
            self.version = self.api.delete(removals, self.version, owned=state.owned | mine)
            state.owned.difference_update(removals)
        for index, _op, _want in plans:
            o = outcomes[index]
            children = {k: self.version for k in o.children if k not in removals}
            children.update(kids.get(index, {}))
            outcomes[index] = Outcome(o.item, o.ok, o.version, children, o.message)

    def _merge_duplicates(self, merges: Sequence[RemoteOp]) -> list[Outcome]:
        """Zotero's "Merge Items", done through the API: the copy's children move to the
        surviving item (`parentItem`), its tags and collections are added to the
        survivor's, the survivor records `dc:replaces` with the copy's URI, and the copy
        goes to the trash (`deleted`), from where a member can restore it."""
        if not merges:
            return []
        current = self._current([*(m.into for m in merges), *(m.item for m in merges)])
        survivors: dict[str, Json] = {}
        moves: list[Json] = []
        for m in merges:
            loser = current.get(m.item, {})
            into = survivors.setdefault(m.into, items.mergeable(current.get(m.into, {})))
            for child in sorted(m.children):
                moves.append({"key": child, "parentItem": m.into})
                self.journal.append(Change("zotero", "move child", child, f"{m.item} -> {m.into}"))
            names = items.tag_names(into["tags"])
            added = [t for t in loser.get("tags") or [] if t.get("tag") not in names]
            into["tags"] = into["tags"] + added
            into["collections"] = sorted(
                set(into["collections"]) | set(loser.get("collections") or [])
            )
            replaces = into["relations"].setdefault("dc:replaces", [])
            uri = f"http://zotero.org/{self.api.library}/items/{m.item}"
            if uri not in replaces:
                replaces.append(uri)
            self.journal.append(
                Change("zotero", "merge", m.item, f"into {m.into} ({m.key}); tags added: "
                       + (", ".join(sorted(items.tag_names(added))) or "none"))
            )  # fmt: skip
        payload = moves + [{"key": k, **v} for k, v in sorted(survivors.items())]
        losers = [{"key": m.item, "deleted": 1} for m in merges]
        answer = self.api.write(payload + losers, self.version)
        self.version = answer.version
        out = []
        for i, m in enumerate(merges):
            failed = answer.failed.get(len(payload) + i)
            out.append(Outcome(m.item, failed is None, self.version, message=failed or ""))
            if failed is None:
                self.journal.append(Change("zotero", "trash", m.item, m.key))
        return out

    def _trash(self, deletes: Sequence[RemoteOp]) -> list[Outcome]:
        """A paper deleted from the bib goes to Zotero's trash (never deleted for good)."""
        if not deletes:
            return []
        answer = self.api.write([{"key": o.item, "deleted": 1} for o in deletes], self.version)
        self.version = answer.version
        out = []
        for i, o in enumerate(deletes):
            failed = answer.failed.get(i)
            out.append(Outcome(o.item, failed is None, self.version, message=failed or ""))
            if failed is None:
                self.journal.append(Change("zotero", "trash", o.item, o.key))
        return out
