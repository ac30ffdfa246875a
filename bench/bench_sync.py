"""Benchmark `genbib sync` against the Zotero emulator with 50 ms added latency.

Figures: requests and wall time for the first push of N papers, an incremental pull of k
remote changes, and a no-op sync; side by side with what a pyzotero script does for the
same pull (download everything: `zot.everything(zot.items())`), as a ratio.

    python bench/bench_sync.py            # N=5000, k=120, latency 50 ms
    python bench/bench_sync.py 500 60     # smaller
"""

from __future__ import annotations

import math
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from genbib.bibtex.reader import parse
from genbib.sync.runner import Options, run
from genbib.sync.state import State
from genbib.sync.zotero_side import ZoteroRemote
from genbib.testing.zotero import ZoteroEmulator
from genbib.zotero.adapter import ZoteroAdapter
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


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
