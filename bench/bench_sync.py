"""Benchmark `genbib sync` against the Zotero emulator with 50 ms added latency.

Figures: requests and wall time for the first push of N papers, an incremental pull of k
remote changes, and a no-op sync; side by side with what a pyzotero script does for the
same pull (download everything: `zot.everything(zot.items())`), as a ratio.

Then the first pull of a large group library (default 20,000 papers, some with child
notes and links) into an empty bib, with 50 ms latency: the requests it takes (at most
ceil(N/100) + a few: a first pull reads pages of 100) and its wall time, beside pyzotero
downloading the same library; the citation keys the sync then writes back are counted
apart (they are writes, 50 per request).

Then the CPU side of pulling k NEW items into n papers (latency 0): each new item is
recognised against the bib as every paper is (`genbib.dedupe.recognize`), so genbib keeps
one recognizer per candidate pool across the pull; side by side with per-call matching
(the same judgement, with a recognizer built over every candidate for every item,
O(k·n), as a straightforward implementation does), with the ratio and a check that both
leave the same bib. Per-call runs whose k·n is past --naive-cap are skipped.

    python bench/bench_sync.py            # N=5000, k=120, latency 50 ms; then the matching case
    python bench/bench_sync.py 500 60     # smaller
    python bench/bench_sync.py --naive-cap 0   # per-call matching at every size (minutes)
    python bench/bench_sync.py --first-pull 20000   # only the first-pull case
"""

from __future__ import annotations

import math
import random
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from genbib.bibtex.reader import parse
from genbib.bibtex.writer import dumps
from genbib.dedupe.recognize import Recognizer, SyncMatcher
from genbib.model.entry import Entry
from genbib.model.library import Library
from genbib.model.problems import Problem
from genbib.sync.matching import Matcher
from genbib.sync.session import Options, run
from genbib.sync.state import State
from genbib.sync.zotero_side import ZoteroRemote
from genbib.testing.zotero import ZoteroEmulator
from genbib.zotero.adapter import ZoteroAdapter
from genbib.zotero.mapping import to_item
from generate import generate


def requests_since(emu: ZoteroEmulator, start: int) -> Counter[str]:
    return Counter(f"{r.method} {r.route}" for r in emu.requests[start:])


def main(n: int = 5000, k: int = 120, latency: float = 0.05) -> None:
    text, _ = generate(n, seed=0)
    lib = parse(text, "bench.bib")
    with ZoteroEmulator(latency=latency) as emu:
        api = ZoteroAdapter("group", str(emu.group_id), emu.api_key, emu.url)
        remote = ZoteroRemote(api)
        remote.macros = lib.macros()
        state = State()

        def timed(label: str) -> tuple[float, Counter[str]]:
            start, t0 = len(emu.requests), time.perf_counter()
            result = run(lib, remote, state, Options())
            elapsed = time.perf_counter() - t0
            assert not result.failed, result.problems[:3]
            counts = requests_since(emu, start)
            total = sum(counts.values())
            print(
                f"{label:34} {total:5d} requests {elapsed:7.2f} s   {dict(sorted(counts.items()))}"
            )
            return elapsed, counts

        entries = len(lib)
        print(f"{entries} papers, latency {latency * 1000:.0f} ms per request\n")
        _, first = timed("first push")
        top = sum(1 for v in emu.library.items().values() if not v.get("parentItem"))
        children = len(emu.library.items()) - top
        posts = first["POST /items"]
        print(f"  item writes: {posts} POSTs for {top} papers + {children} child notes/links "
              f"= ceil({top + children}/50) = {math.ceil((top + children) / 50)}; "
              f"ceil(N/50) = {math.ceil(top / 50)}")  # fmt: skip

        keys = sorted(k for k, v in emu.library.items().items() if not v.get("parentItem"))[:k]
        for key in keys:
            emu.library.edit_item(key, abstractNote=f"edited remotely {key}")
        pull_time, pull = timed(f"incremental pull of k={k}")
        gets = pull["GET /items"]
        print(
            f"  item reads: {gets} GETs (versions + ceil(k/50) = {1 + math.ceil(k / 50)} + children of the papers touched)"
        )

        noop_time, noop = timed("no-op sync")

        from pyzotero import zotero

        zot = zotero.Zotero(emu.group_id, "group", emu.api_key)
        zot.endpoint = emu.url
        start, t0 = len(emu.requests), time.perf_counter()
        zot.everything(zot.items(limit=100))
        naive_time = time.perf_counter() - t0
        naive = len(emu.requests) - start
        print(f"{'pyzotero: download everything':34} {naive:5d} requests {naive_time:7.2f} s")
        print(f"\nratios vs. pyzotero full download: incremental pull {sum(pull.values()) / naive:.3f}x requests, "
              f"{pull_time / naive_time:.3f}x time; no-op {sum(noop.values()) / naive:.4f}x requests, "
              f"{noop_time / naive_time:.4f}x time")  # fmt: skip


# --- the first pull of a large group library -----------------------------------------------


def first_pull(n: int = 20_000, latency: float = 0.05) -> None:
    from genbib.zotero.mapping import child_item, children

    text, _ = generate(n, seed=2)
    source = parse(text, "bench.bib")
    macros = source.macros()
    entries = source.entries[:n]
    with ZoteroEmulator(latency=0.0, seed=0) as emu:
        tops = []
        for entry in entries:
            item = dict(to_item(entry, macros=macros))
            item.pop("citationKey", None)
            item["extra"] = "\n".join(
                line
                for line in str(item.get("extra", "")).splitlines()
                if not line.startswith("Citation Key:")
            )
            tops.append(item)
        keys: list[str] = []
        for i in range(0, len(tops), 50):
            keys += emu.library.seed_items(tops[i : i + 50])
        kids = [
            child_item(c, key)
            for key, entry in zip(keys, entries, strict=True)
            for c in children(entry)
        ]
        for i in range(0, len(kids), 50):
            emu.library.seed_items(kids[i : i + 50])
        total = len(emu.library.items())
        emu.latency = latency
        api = ZoteroAdapter("group", str(emu.group_id), emu.api_key, emu.url)
        remote = ZoteroRemote(api, rng=random.Random(0))
        lib, state = Library([], [], "bench.bib"), State()
        phases = {"pull": 0.0, "push": 0.0}
        pull, push = remote.pull, remote.push

        def timed_pull(st: State) -> Any:
            t = time.perf_counter()
            try:
                return pull(st)
            finally:
                phases["pull"] += time.perf_counter() - t

        def timed_push(ops: Any, st: State) -> Any:
            t = time.perf_counter()
            try:
                return push(ops, st)
            finally:
                phases["push"] += time.perf_counter() - t

        remote.pull, remote.push = timed_pull, timed_push  # type: ignore[method-assign]
        start, t0 = len(emu.requests), time.perf_counter()
        result = run(lib, remote, state, Options())
        sync_time = time.perf_counter() - t0
        assert not result.failed and len(lib) <= n, (len(lib), result.problems[:3])
        copies = sum(1 for p in result.problems if p.code == "SYNC_DUPLICATE")
        counts = requests_since(emu, start)
        reads = sum(v for k, v in counts.items() if k.startswith("GET"))
        writes = sum(counts.values()) - reads
        print(f"\nfirst sync of a {n}-paper group library ({total} objects with {total - n} "
              f"child notes/links; the generator's {copies} planted copies merged), "
              f"latency {latency * 1000:.0f} ms, into an empty bib:")  # fmt: skip
        print(f"{'genbib sync: pull (reads)':34} {reads:5d} requests   "
              f"{dict(sorted((k, v) for k, v in counts.items() if k.startswith('GET')))}")  # fmt: skip
        bound = math.ceil(total / 100)
        print(f"  bound: ceil(objects/100) = {bound}, + versions, collections, type fields: "
              f"{'within' if reads <= bound + 5 else 'OVER'} ceil(N/100) + 5")  # fmt: skip
        print(f"{'genbib sync: writes (keys back)':34} {writes:5d} requests   "
              f"{dict(sorted((k, v) for k, v in counts.items() if not k.startswith('GET')))}")  # fmt: skip
        print(f"{'genbib sync: whole run':34} {reads + writes:5d} requests {sync_time:7.2f} s   "
              f"(pull {phases['pull']:.2f} s, push {phases['push']:.2f} s, pairing/matching/"
              f"merge {sync_time - phases['pull'] - phases['push']:.2f} s)")  # fmt: skip
        start, t0 = len(emu.requests), time.perf_counter()
        assert not run(lib, remote, state, Options()).changed
        print(f"{'genbib sync: the next (no-op) sync':34} {len(emu.requests) - start:5d} requests "
              f"{time.perf_counter() - t0:7.2f} s")  # fmt: skip

        from pyzotero import zotero

        zot = zotero.Zotero(emu.group_id, "group", emu.api_key)
        zot.endpoint = emu.url
        start, t0 = len(emu.requests), time.perf_counter()
        everything = zot.everything(zot.items(limit=100))
        naive_time = time.perf_counter() - t0
        naive = len(emu.requests) - start
        print(f"{'pyzotero: download everything':34} {naive:5d} requests {naive_time:7.2f} s   "
              f"({len(everything)} objects)")  # fmt: skip
        print(f"ratio genbib pull / pyzotero download: {reads / naive:.2f}x requests, "
              f"{phases['pull'] / naive_time:.2f}x time (the pull reads and maps every item)")  # fmt: skip


# --- pulling new items: one index per pool vs. an index per item -------------------------

SIZES = ((2000, 150), (2000, 500), (5000, 150), (5000, 500))  # (n papers, k new items)
NAIVE_CAP = 750_000  # k·n past which the per-call side is skipped (it takes minutes)


class PerCallPool:
    """A pool that builds a recognizer over its members for every lookup (no index kept)."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.members = {id(e): e for e in entries}  # re-adding keeps the place

    def find(self, entry: Entry) -> tuple[Entry | None, list[Problem]]:
        return Recognizer(self.members.values()).find(entry)

    def add(self, entry: Entry) -> None:
        self.members[id(entry)] = entry

    def discard(self, entry: Entry) -> None:
        self.members.pop(id(entry), None)


class PerCall(SyncMatcher):
    """The lab's matcher, matching per call."""

    def pool(self, entries: Iterable[Entry]) -> PerCallPool:  # type: ignore[override]
        return PerCallPool(entries)


def new_items(n: int, k: int) -> tuple[str, list[str], list[dict[str, object]]]:
    """(bib text, keys of its n papers, k Zotero items added by members): a third are
    copies of papers in the bib, a tenth second copies of new papers, the rest new papers
    (among which the generator plants a few duplicates and look-alikes of its own). No
    item carries a citation key, so each is matched by arXiv id, DOI or title."""
    copies, twins = k // 3, k // 10
    fresh = k - copies - twins
    text, _ = generate(n + fresh, seed=1)
    lib = parse(text, "bench.bib")
    rng = random.Random(1)
    entries = lib.entries
    new = entries[n:]
    macros = lib.macros()
    papers = [*rng.sample(entries[:n], copies), *new, *rng.sample(new, twins)]
    items = []
    for entry in papers:
        item = dict(to_item(entry, macros=macros))
        item.pop("citationKey", None)
        extra = str(item.get("extra", ""))
        item["extra"] = "\n".join(
            line for line in extra.splitlines() if not line.startswith("Citation Key:")
        )
        items.append(item)
    rng.shuffle(items)
    return text, [e.key for e in entries[:n]], items


def pull_new(
    text: str, keys: list[str], items: list[dict[str, object]], match: Matcher
) -> tuple[float, float, str, int]:
    """(wall s, CPU s, bib after, papers after) of the sync that pulls `items` into the bib
    of `keys`, after a first push of that bib (untimed). The emulator runs in this
    process, so CPU time includes its side of the HTTP exchange (the same for both)."""
    lib = parse(text, "bench.bib")
    wanted = set(keys)
    lib = Library([b for b in lib.blocks if not isinstance(b, Entry) or b.key in wanted])
    with ZoteroEmulator(latency=0.0, seed=0) as emu:
        api = ZoteroAdapter("group", str(emu.group_id), emu.api_key, emu.url)
        remote = ZoteroRemote(api, rng=random.Random(0))
        remote.macros = lib.macros()
        state = State()
        first = run(lib, remote, state, Options(), match=match)
        assert not first.failed, first.problems[:3]
        for i in range(0, len(items), 50):  # as members add them, 50 per write at most
            emu.library.seed_items(items[i : i + 50])
        t0, c0 = time.perf_counter(), time.process_time()
        result = run(lib, remote, state, Options(), match=match)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        assert not result.failed, result.problems[:3]
    return wall, cpu, dumps(lib), len(lib)


def matching_case(naive_cap: int = NAIVE_CAP, sizes: Sequence[tuple[int, int]] = SIZES) -> None:
    print("\npulling k new items into n papers (latency 0; a third of the items copies of papers "
          "in the bib, a tenth second copies of new papers):")  # fmt: skip
    print(
        f"{'n':>6} {'k':>5} {'papers after':>12}  {'pools (genbib)':>22}  {'per call':>22}  "
        "ratio  check"
    )
    for n, k in sizes:
        text, keys, items = new_items(n, k)
        wall, cpu, bib, after = pull_new(text, keys, items, SyncMatcher())
        line = f"{n:6d} {k:5d} {after:12d}  {wall:7.2f} s ({cpu:6.2f} CPU)"
        if naive_cap and n * k > naive_cap:
            print(f"{line}  {'skipped (--naive-cap)':>22}", flush=True)
            continue
        nwall, ncpu, nbib, _ = pull_new(text, keys, items, PerCall())
        same = "same bib" if nbib == bib else "WARNING: the two bibs differ"
        print(f"{line}  {nwall:7.2f} s ({ncpu:6.2f} CPU)  {nwall / wall:5.1f}x  {same}", flush=True)


if __name__ == "__main__":
    argv = sys.argv[1:]
    cap = NAIVE_CAP
    if "--naive-cap" in argv:
        i = argv.index("--naive-cap")
        cap = int(argv[i + 1])
        del argv[i : i + 2]
    if "--first-pull" in argv:
        i = argv.index("--first-pull")
        first_pull(int(argv[i + 1]))
        sys.exit(0)
    args = [int(a) for a in argv[:2]]
    main(*args)
    first_pull()
    matching_case(cap)
