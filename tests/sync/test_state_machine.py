"""Random interleavings of edits on both sides, syncs, faults and killed syncs (hypothesis).

After every clean sync: the bib and Zotero agree on every synced field (but open conflicts),
Zotero holds no duplicate, and every edit made on either side is on both sides or in the
conflicts report.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from genbib.bibtex.reader import parse
from genbib.bibtex.writer import dumps
from genbib.model.library import Library
from genbib.sync.remote import Outcome, Pull, RemoteOp, entry_fields
from genbib.sync.session import Options, run
from genbib.sync.state import Row, State
from genbib.sync.zotero_side import ZoteroRemote
from genbib.testing.zotero import Fault, FaultKind, ZoteroEmulator
from genbib.zotero.adapter import ZoteroAdapter

SEED_BIB = """
@misc{a2020first, title = {First paper on diffusion}, year = {2020}, abstract = {one}}
@misc{b2021second, title = {Second paper on flows}, year = {2021}, abstract = {two}}
@misc{c2022third, title = {Third paper on autoencoders}, year = {2022}, abstract = {three}}
"""
FIELDS = {"title": "title", "abstract": "abstractNote"}


class Killed(Exception):
    """The sync process died (kill -9) at this point."""


class Dying:
    """A Remote that dies right after its push was applied."""

    def __init__(self, inner: ZoteroRemote) -> None:
        self.inner = inner
        self.journal = inner.journal

    def pull(self, state: State) -> Pull:
        return self.inner.pull(state)

    def new_key(self) -> str:
        return self.inner.new_key()

    def push(self, ops: Sequence[RemoteOp], state: State) -> tuple[list[Outcome], int]:
        self.inner.push(ops, state)
        raise Killed


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.emu = ZoteroEmulator().start()
        self.bib = dumps(parse(SEED_BIB, "lab.bib"))  # the file on disk
        self.state_text = State().dumps()  # the state file on disk
        self.counter = itertools.count()
        self.edits: list[
            tuple[str, str, str, str]
        ] = []  # (side, key, field, value) since last clean sync
        self.conflicts: set[tuple[str, str, str]] = set()  # (key, field, value) reported
        self.deleted: set[str] = set()
        self.clean = False
        self.log: list[str] = []  # what happened, for failure messages
        self.sync_once(kill=None)

    def teardown(self) -> None:
        try:
            self.emu.faults.clear()
            self.sync_once(None)  # the run ends with a clean sync: check the last edits too
            if self.clean:
                self.sync_once(None)
                self.check_clean()
        finally:
            self.emu.stop()

    # --- helpers --------------------------------------------------------------------
    def remote(self) -> ZoteroRemote:
        api = ZoteroAdapter(
            "group", str(self.emu.group_id), self.emu.api_key, self.emu.url, sleep=lambda s: None
        )
        return ZoteroRemote(api)

    def library(self) -> Library:
        return parse(self.bib, "lab.bib")

    def state(self) -> State:
        import json

        return State.from_json(json.loads(self.state_text))

    def synced(self) -> dict[str, Row]:
        # papers in the bib and in Zotero (not those in the trash: deleted, restorable)
        return {r.key: r for r in self.state().rows.values() if not r.pending and not r.trashed}

    def sync_once(self, kill: str | None) -> None:
        lib, state = self.library(), self.state()

        def checkpoint(on_disk: State) -> None:
            self.state_text = on_disk.dumps()
            if kill == "after-checkpoint":
                raise Killed

        remote = self.remote()
        try:
            result = run(lib, Dying(remote) if kill == "after-push" else remote, state,
                         Options(retry_wait=0, force_delete=True), checkpoint=checkpoint)  # fmt: skip
        except Killed:
            self.log.append(f"sync killed {kill}")
            self.clean = False
            return
        self.bib = dumps(lib)
        self.state_text = state.dumps()
        self.log.append(
            f"sync: {[(p.key, p.rule, p.bib.value, p.zotero.value) for p in result.planned if p.rule != 'unchanged']} {result.conflicts} {result.problems}"
        )
        for key, c in result.conflicts:
            self.conflicts.update({(key, c.field, c.local), (key, c.field, c.remote)})
        # An open conflict (e.g. a bib edit against a Zotero deletion) keeps the bib's side
        # until someone resolves it (exit 3): the sides may differ meanwhile, by design.
        self.clean = (
            not result.problems and not result.failed and kill is None and not result.conflicts
        )

    # --- rules ----------------------------------------------------------------------
    @staticmethod
    def pick(data: st.DataObject, keys: list[str]) -> str | None:
        """One of `keys`, drawn the same way whatever they are: which keys exist depends on
        how the syncs went (faults, back-offs, kills are timing-dependent), and hypothesis
        needs the same draws on a replay (else FlakyStrategyDefinition)."""
        i = data.draw(st.integers(min_value=0, max_value=1 << 16), label="which")
        return keys[i % len(keys)] if keys else None

    @rule(data=st.data(), field=st.sampled_from(sorted(FIELDS)))
    def local_edit(self, data: st.DataObject, field: str) -> None:
        key = self.pick(data, sorted(set(self.synced()) & set(self.library().by_key())))
        if key is None:
            return
        value = f"local {field} {next(self.counter)}"
        lib = self.library()
        lib.by_key()[key].set(field, value)
        self.bib = dumps(lib)
        self.edits.append(("bib", key, field, value))
        self.log.append(f"bib edit {key} {field} {value}")

    @rule(data=st.data(), field=st.sampled_from(sorted(FIELDS)))
    def remote_edit(self, data: st.DataObject, field: str) -> None:
        rows = {k: r for k, r in self.synced().items() if r.item in self.emu.library.items()}
        key = self.pick(data, sorted(rows))
        if key is None:
            return
        value = f"remote {field} {next(self.counter)}"
        self.emu.library.edit_item(rows[key].item, **{FIELDS[field]: value})
        self.edits.append(("zotero", key, field, value))
        self.log.append(f"zotero edit {key} {field} {value}")

    @rule(data=st.data(), field=st.sampled_from(sorted(FIELDS)))
    def edit_both_sides(self, data: st.DataObject, field: str) -> None:
        self.local_edit(data, field)
        if self.edits and self.edits[-1][0] == "bib":
            key = self.edits[-1][1]
            row = self.synced().get(key)
            if row is not None and row.item in self.emu.library.items():
                value = f"remote {field} {next(self.counter)}"
                self.emu.library.edit_item(row.item, **{FIELDS[field]: value})
                self.edits.append(("zotero", key, field, value))
                self.log.append(f"zotero edit {key} {field} {value}")

    @rule()
    def local_add(self) -> None:
        n = next(self.counter)
        lib = self.library()
        lib.blocks.extend(
            parse(
                f"@misc{{local{n}, title = {{Local paper number {n}}}, year = {{2023}}}}", "x"
            ).blocks
        )
        self.bib = dumps(lib)

    @rule()
    def remote_add(self) -> None:
        n = next(self.counter)
        self.emu.library.seed_items(
            [{"itemType": "document", "title": f"Remote paper number {n}", "date": "2024"}]
        )

    @rule(data=st.data(), side=st.sampled_from(["bib", "zotero"]))
    def delete(self, data: st.DataObject, side: str) -> None:
        rows = self.synced()
        key = self.pick(data, sorted(rows))
        if key is None or len(rows) < 3:
            return
        if side == "bib":
            lib = self.library()
            if lib.remove(key) is None:
                return
            self.bib = dumps(lib)
        elif rows[key].item in self.emu.library.items():
            self.emu.library.remove_items([rows[key].item])
        self.deleted.add(key)
        self.edits.append((side, key, "*deleted*", ""))
        self.log.append(f"delete {key} in {side}")

    @rule(kind=st.sampled_from([FaultKind.RATE_LIMIT, FaultKind.UNAVAILABLE, FaultKind.DROP_AFTER_WRITE, FaultKind.BACKOFF]),
          method=st.sampled_from(["GET", "POST", "DELETE"]))  # fmt: skip
    def fault(self, kind: FaultKind, method: str) -> None:
        self.emu.faults.append(Fault(kind, method=method, seconds=0))
        self.log.append(f"fault {kind} {method}")

    @rule(kill=st.sampled_from([None, None, "after-checkpoint", "after-push"]))
    def sync(self, kill: str | None) -> None:
        self.sync_once(kill)
        if self.clean:
            self.emu.faults.clear()
            self.sync_once(None)  # the next sync of a clean one must find nothing to do
            self.check_clean()

    # --- invariants -----------------------------------------------------------------
    def check_clean(self) -> None:
        lib = self.library().by_key()
        state = self.state()
        # papers deleted from the bib are in Zotero's trash (their rows kept, marked)
        state.rows = {i: r for i, r in state.rows.items() if not r.trashed}
        top = {
            k: v
            for k, v in self.emu.library.items().items()
            if not v.get("parentItem") and not v.get("deleted")
        }
        assert len(top) == len(lib) == len(state.rows), (
            sorted(top),
            sorted(lib),
            sorted((i, r.key, r.pending) for i, r in state.rows.items()),
            "\n".join(self.log),
        )
        titles = [v["title"] for v in top.values()]
        assert len(set(titles)) == len(titles) or any(state.rows[k].conflicts for k in state.rows)
        # both sides agree on every synced field but open conflicts
        probe = State(
            version=0,
            rows={
                i: Row(r.key, i, 0, r.remote_fields(), children=r.children)
                for i, r in state.rows.items()
            },
        )
        pulled = self.remote().pull(probe)
        for item, row in state.rows.items():
            assert not row.pending
            mine = entry_fields(lib[row.key])
            theirs = dict(pulled.changed[item].fields)
            for name in row.conflicts:
                mine.pop(name, None)
                theirs.pop(name, None)
            assert mine == theirs, (row.key, mine, theirs)
        # every edit is on both sides, or in the conflicts report, or superseded
        latest: dict[tuple[str, str, str], str] = {}
        for side, key, field, value in self.edits:
            latest[(side, key, field)] = value
        for (_side, key, field), value in latest.items():
            if field == "*deleted*" or (key in self.deleted and key not in lib):
                continue
            at = self.edits.index((_side, key, field, value))
            if (_side, key, "*deleted*", "") in self.edits[at:]:
                continue  # deleted afterwards on the side that made the edit
            row = next((r for r in state.rows.values() if r.key == key), None)
            here = lib[key].get(field) if key in lib else None
            there = self.emu.library.item(row.item).get(FIELDS[field]) if row else None
            assert (
                (here == value and there == value)
                or (key, field, "{" + value + "}") in self.conflicts
                or (
                    # overtaken by a later edit of the same field on the other side
                    any(
                        k == key and f == field and v != value
                        for _s, k, f, v in self.edits[
                            self.edits.index((_side, key, field, value)) + 1 :
                        ]
                    )
                )
            ), (key, field, value, here, there, "\n".join(self.log))
        self.edits.clear()
        self.deleted.clear()
        self.log.append("-- clean --")

    @invariant()
    def bib_always_parses(self) -> None:
        assert not self.library().problems


TestSync = SyncMachine.TestCase
TestSync.settings = settings(
    max_examples=int(os.environ.get("GENBIB_SYNC_EXAMPLES", "6")), stateful_step_count=12, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)  # fmt: skip


@pytest.mark.slow
def test_longer_runs() -> None:
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(
        SyncMachine, settings=settings(max_examples=60, stateful_step_count=25, deadline=None)
    )
