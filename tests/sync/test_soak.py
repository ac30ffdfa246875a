"""Sync soak: rounds of random edits, additions and deletions on both sides, each followed
by `genbib sync` against the emulator while ~10% of requests fail (429, 503, dropped
connections) and some syncs die mid-way (an injected crash after the push, or a real
`genbib sync` subprocess killed with SIGKILL).

GENBIB_SOAK_ROUNDS sets the rounds (`make soak`: 200; default 15, a few seconds). After
every sync that ran to the end, every edit made since is on both sides or in the
conflicts report, and Zotero holds exactly one item per entry; a citation key, once
given, stays with its paper (its Zotero item) forever, even after that paper is deleted.
The report is printed and asserted: duplicates found 0, edits lost 0, keys reused 0.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from genbib.config import Config
from genbib.errors import GenbibError
from genbib.model.entry import Entry
from genbib.model.values import plain
from genbib.sync.engine import Prefer
from genbib.sync.remote import Outcome, Pull, RemoteOp
from genbib.sync.state import State
from genbib.testing.zotero import Fault, FaultKind

from .conftest import Lab  # type: ignore[import-not-found]

ROUNDS = int(os.environ.get("GENBIB_SOAK_ROUNDS", "15"))
FAULT_RATE = 0.10
FIELDS = {"title": "title", "abstract": "abstractNote"}  # bib field -> Zotero field
WORDS = ("latent", "score", "flow", "energy", "masked", "vector", "cascade", "spectral",
         "autoregressive", "consistency", "bridge", "manifold", "sparse", "token", "prior",
         "adversarial", "wavelet", "hierarchical", "discrete", "equivariant")  # fmt: skip


class Killed(Exception):
    """The sync process died here (as kill -9 would leave it)."""


class DiesAfterPush:
    """A remote whose sync process dies right after a push reached Zotero."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def pull(self, state: State) -> Pull:
        result: Pull = self.inner.pull(state)
        return result

    def push(self, ops: Sequence[RemoteOp], state: State) -> tuple[list[Outcome], int]:
        self.inner.push(ops, state)
        raise Killed


@dataclass
class Report:
    rounds: int = 0
    requests: int = 0
    faults: int = 0
    crashes_injected: int = 0
    processes_killed: int = 0
    failed_syncs: int = 0  # gave up after retries (RemoteError): the next round must recover
    edits: int = 0
    conflicts: int = 0
    duplicates: int = 0
    lost: int = 0
    reused: int = 0  # keys given to a paper other than the one that first had them
    member_objects: int = 0  # items, child notes and tags members made (checked every round)
    copies_merged: int = 0  # members' duplicate items merged as Zotero merges
    items_lost: int = 0  # members' items deleted for good by genbib
    children_lost: int = 0
    tags_lost: int = 0

    def text(self) -> str:
        return (
            f"soak: {self.rounds} rounds, {self.requests} requests, {self.faults} faults survived "
            f"({self.crashes_injected} injected crashes, {self.processes_killed} processes killed, "
            f"{self.failed_syncs} syncs gave up), {self.edits} edits applied, {self.conflicts} "
            f"conflicts reported, {self.duplicates} duplicates found, {self.lost} edits lost, "
            f"{self.reused} keys reused; members' objects: {self.member_objects} made "
            f"({self.copies_merged} duplicate copies merged), {self.items_lost} items, "
            f"{self.children_lost} children, {self.tags_lost} tags lost"
        )


class Soak:
    def __init__(self, lab: Lab, seed: int) -> None:
        self.lab = lab
        self.rng = random.Random(seed)
        self.report = Report()
        self.pending: dict[tuple[str, str], list[str]] = {}  # (key, field) -> values set since
        self.deleted: set[str] = set()  # keys of deleted papers: never anyone's again
        self.owner: dict[str, str] = {}  # citation key -> the Zotero item that first had it
        self.counter = 0
        self.member_items: set[str] = set()  # items members made (never deleted by genbib)
        self.member_children: set[str] = set()
        self.member_tags: dict[str, set[str]] = {}  # item -> tags members put on it
        self.destroyed: set[str] = set()  # items members themselves deleted for good
        for kind in (
            FaultKind.RATE_LIMIT,
            FaultKind.UNAVAILABLE,
            FaultKind.DROP_AFTER_WRITE,
            FaultKind.DROP_BEFORE,
        ):
            lab.emu.faults.append(Fault(kind, when=self._roll, times=None))

    def _roll(self, _request: Any) -> bool:
        hit = self.rng.random() < FAULT_RATE / 4
        self.report.faults += hit
        return hit

    def words(self) -> str:
        self.counter += 1
        return f"{' '.join(self.rng.sample(WORDS, 4))} {self.counter}"

    # --- the two sides ------------------------------------------------------------------
    def synced(self) -> dict[str, str]:
        """key -> Zotero item key, for entries on both sides."""
        entries = self.lab.library().by_key()
        items = self.lab.emu.library.items()
        return {
            k: r.item for k, r in self.lab.state().by_key().items()
            if not r.pending and k in entries and r.item in items and k not in self.deleted
        }  # fmt: skip

    def edit_round(self) -> None:
        synced = self.synced()
        keys = sorted(synced)
        self.rng.shuffle(keys)
        touched = set()
        for key in keys[: self.rng.randint(1, 4)]:
            field = self.rng.choice(sorted(FIELDS))
            sides = self.rng.choice(
                [("bib",), ("zotero",), ("bib",), ("zotero",), ("bib", "zotero")]
            )
            for side in sides:
                value = f"{side} {field} {self.words()}"
                if side == "bib":
                    self.lab.edit(lambda lib, k=key, f=field, v=value: lib.by_key()[k].set(f, v))
                else:
                    self.lab.emu.library.edit_item(synced[key], **{FIELDS[field]: value})
                self.pending.setdefault((key, field), []).append(value)
                self.report.edits += 1
            touched.add(key)
        roll = self.rng.random()
        if roll < 0.3:
            title = f"Local {self.words()}"
            key = f"local{self.counter}"
            self.lab.edit(
                lambda lib: lib.add(
                    Entry("misc", key, {"title": "{" + title + "}", "year": "{2023}"})
                )
            )
            self.pending[(key, "title")] = [title]
        elif roll < 0.6:
            title = f"Remote {self.words()}"
            self.lab.emu.library.seed_items(
                [{"itemType": "document", "title": title, "date": "2024"}]
            )
            self.pending[("?" + title, "title")] = [title]
        self.member_round(synced, keys, touched)
        spare = [k for k in keys if k not in touched]
        if self.rng.random() < 0.25 and len(spare) > 8:
            key = self.rng.choice(spare)
            touched.add(key)
            roll = self.rng.random()
            if roll < 0.4:
                self.lab.edit(lambda lib: lib.remove(key))
            elif roll < 0.7:
                self.lab.emu.library.trash_item(synced[key])
            else:
                item = synced[key]
                self.destroyed.add(item)
                self.destroyed.update(self.lab.emu.library.children(item))
                self.lab.emu.library.remove_items([item])
            self.deleted.add(key)

    def member_round(self, synced: dict[str, str], keys: list[str], touched: set[str]) -> None:
        """What members do beside editing fields: tags, child notes, a second copy."""
        lib = self.lab.emu.library
        spare = [k for k in keys if k not in touched]
        if spare and self.rng.random() < 0.4:  # a tag (sometimes an automatic one)
            item = synced[self.rng.choice(spare)]
            tag = f"tag {self.words()}"
            kind = {"type": 1} if self.rng.random() < 0.3 else {}
            lib.edit_item(item, tags=[*lib.item(item).get("tags", []), {"tag": tag, **kind}])
            self.member_tags.setdefault(item, set()).add(tag)
            self.report.member_objects += 1
        if spare and self.rng.random() < 0.3:  # a child note
            item = synced[self.rng.choice(spare)]
            (child,) = lib.seed_items(
                [{"itemType": "note", "parentItem": item, "note": f"<p>{self.words()}</p>"}]
            )
            self.member_children.add(child)
            self.report.member_objects += 1
        if spare and self.rng.random() < 0.15:  # a second copy of a paper, with a note, tags
            key = self.rng.choice(spare)
            touched.add(key)
            data = lib.item(synced[key])
            tag = f"copy {self.words()}"
            (copy,) = lib.seed_items([{
                "itemType": data["itemType"], "title": data["title"],
                "creators": data.get("creators", []), "date": data.get("date", ""),
                "tags": [{"tag": tag}],
            }])  # fmt: skip
            (child,) = lib.seed_items(
                [{"itemType": "note", "parentItem": copy, "note": f"<p>{self.words()}</p>"}]
            )
            self.member_items.add(copy)
            self.member_children.add(child)
            self.member_tags[copy] = {tag}
            self.report.member_objects += 3

    # --- syncing ------------------------------------------------------------------------
    def sync(self, **options: Any) -> Any:
        before = len(self.lab.emu.requests)
        try:
            return self.lab.sync(**options)
        except GenbibError:
            self.report.failed_syncs += 1
            return None
        finally:
            self.report.requests += len(self.lab.emu.requests) - before

    def crash_round(self) -> None:
        """A sync that dies after its push, before the bib is written."""
        original = self.lab.remote

        def dying(config: Config) -> Any:
            return DiesAfterPush(original(config))

        self.lab.remote = dying  # type: ignore[method-assign]
        try:
            self.sync()
        except Killed:
            self.report.crashes_injected += 1
        finally:
            self.lab.remote = original  # type: ignore[method-assign]

    def kill_round(self) -> None:
        """A real `genbib sync` subprocess, killed with SIGKILL mid-way."""
        before = len(self.lab.emu.requests)
        env = {**os.environ, **self.lab.emu.env(), "NO_COLOR": "1"}
        proc = subprocess.Popen([sys.executable, "-m", "genbib", "sync"], cwd=self.lab.root, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(self.rng.uniform(0.4, 1.2))
        proc.send_signal(signal.SIGKILL)
        self.report.processes_killed += proc.wait() == -signal.SIGKILL
        self.report.requests += len(self.lab.emu.requests) - before

    def settle(self) -> None:
        """Sync until one runs to the end; resolve conflicts for the bib; check everything."""
        for _ in range(10):
            result = self.sync()
            if result is not None and not result.failed:
                break
        else:
            raise AssertionError("sync did not recover within 10 runs")
        if result.conflicts:
            # The same field edited on both sides: the bib kept its value, Zotero's is in the
            # report. Both edits must be there; then the lab resolves with --prefer local.
            self.report.conflicts += result.conflicts
            reported = {
                (k, c.field): {plain(c.local), plain(c.remote)} for k, c in result.zotero.conflicts
            }
            for kf, seen in reported.items():
                if kf in self.pending:
                    kept = not set(self.pending[kf]) - seen
                    self.report.lost += not kept
                    assert kept, (kf, self.pending[kf], seen)
            result = self.sync(prefer=Prefer.LOCAL)
            assert result is not None and not result.conflicts
            for key, field in reported:
                if (key, field) in self.pending:
                    self.pending[(key, field)] = [self.lab.library().by_key()[key].get(field) or ""]
        self.check()

    def check(self) -> None:
        entries = self.lab.library().by_key()
        top = self.lab.top_items()
        rows = self.lab.state().by_key()
        assert not any(r.pending for r in rows.values())
        for key, row in rows.items():
            first = self.owner.setdefault(key, row.item)
            self.report.reused += first != row.item
            assert first == row.item, (key, first, row.item, "key given to another paper")
        titles = [str(v.get("title")) for v in top.values()]
        self.report.duplicates += len(titles) - len(set(titles)) + abs(len(top) - len(entries))
        by_title = {e.title: k for k, e in entries.items()}
        for (key, field), values in self.pending.items():
            value = values[-1]
            if key.startswith("?"):  # a paper added in Zotero: found in the bib by title
                key = by_title.get(value, key)
                # Its generated key is never one a deleted paper had (retired keys).
                reused = key in self.deleted
                self.report.reused += reused
                assert not reused, (key, value, "a deleted paper's key given to a new paper")
            if key in self.deleted:
                ok = key not in entries and key not in rows
            else:
                entry = entries.get(key)
                item = top.get(rows[key].item) if key in rows else None
                ok = (
                    entry is not None and item is not None and entry.get(field) == value
                    and item.get(FIELDS[field]) == value
                )  # fmt: skip
            self.report.lost += not ok
            assert ok, (key, field, values, entries[key].get(field) if key in entries else None)
        self.pending.clear()
        self.check_members()

    def check_members(self) -> None:
        """Nothing a member made is gone: every item and child still exists (maybe in the
        trash, a child maybe under the item its parent was merged into), every tag is on
        its item or on the item that replaced it (`dc:replaces`)."""
        items = self.lab.emu.library.items()
        replaced_by: dict[str, str] = {}
        for key, data in items.items():
            value = (data.get("relations") or {}).get("dc:replaces") or []
            for uri in [value] if isinstance(value, str) else value:
                replaced_by[uri.rsplit("/", 1)[-1]] = key
        merged = {k for k in self.member_items if k in replaced_by}
        self.report.copies_merged = len(merged)
        for key in self.member_items - self.destroyed:
            self.report.items_lost += key not in items
            assert key in items, ("a member's item deleted for good", key)
        for key in self.member_children - self.destroyed:
            self.report.children_lost += key not in items
            assert key in items, ("a member's note deleted for good", key)
        for key, tags in self.member_tags.items():
            if key in self.destroyed:
                continue
            holder = key
            while holder not in self.destroyed and holder in replaced_by:
                if tags <= {t["tag"] for t in items.get(holder, {}).get("tags", [])}:
                    break
                holder = replaced_by[holder]
            have = {t["tag"] for t in items.get(holder, {}).get("tags", [])}
            missing = tags - have
            self.report.tags_lost += len(missing)
            assert not missing, ("a member's tags gone", key, holder, missing)

    def run(self, rounds: int) -> Report:
        self.settle()
        for r in range(rounds):
            self.edit_round()
            kind = self.rng.random()
            if r % 10 == 5:
                self.kill_round()
            elif kind < 0.2:
                self.crash_round()
            self.settle()
            self.report.rounds += 1
        return self.report


def test_soak(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab(latency=0.002)
    report = Soak(lab, seed=int(os.environ.get("GENBIB_SOAK_SEED", "7"))).run(ROUNDS)
    print(report.text())
    assert report.rounds == ROUNDS
    assert report.faults > 0 and report.requests > 0 and report.edits > 0
    assert report.duplicates == 0
    assert report.lost == 0
    assert report.reused == 0
    assert report.member_objects > 0
    assert report.items_lost == report.children_lost == report.tags_lost == 0
