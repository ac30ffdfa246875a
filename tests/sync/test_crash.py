"""kill -9 of a real `genbib sync` at random points: the next run converges.

Each round edits both sides, starts `genbib sync` as a subprocess against the emulator
(with latency, so the kill lands mid-transfer), kills it with SIGKILL after a random delay,
then runs it to the end and checks: no duplicate in Zotero, every edit on both sides.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from genbib.bibtex.store import edit

from .conftest import Lab  # type: ignore[import-not-found]


def bib_text(n: int) -> str:
    return "\n".join(
        f"@misc{{p{i:03d}, title = {{Paper number {i} on generative models}}, year = {{2020}}, "
        f"eprint = {{2001.{10000 + i}}}, archiveprefix = {{arXiv}}, topics = {{diffusion}}}}"
        for i in range(n)
    )


def genbib_sync(lab: Lab) -> subprocess.Popen[bytes]:
    env = {**os.environ, **lab.emu.env(), "NO_COLOR": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "genbib", "sync"], cwd=lab.root, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def converge(lab: Lab, edits: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "genbib", "sync"],
        cwd=lab.root,
        env={**os.environ, **lab.emu.env()},
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr.decode()
    top = {k: v for k, v in lab.emu.library.items().items() if not v.get("parentItem")}
    entries = lab.library().by_key()
    assert len(top) == len(entries), (len(top), len(entries))
    assert len({v["title"] for v in top.values()}) == len(top)  # no duplicates
    rows = lab.state().by_key()
    assert not any(r.pending for r in rows.values())
    for key, title in edits.items():
        assert entries[key].title == title
        assert lab.emu.library.item(rows[key].item)["title"] == title


def rounds(make_lab: Callable[..., Lab], n: int, papers: int, seed: int) -> None:
    rng = random.Random(seed)
    lab = make_lab(latency=0.004)
    lab.bib.write_text(bib_text(papers))
    edits: dict[str, str] = {}
    killed = 0
    for r in range(n):
        if r:  # edits on both sides between kills
            key = f"p{rng.randrange(0, papers, 2):03d}"  # bib edits on even papers, Zotero on odd
            with edit(lab.bib) as lib:
                lib.by_key()[key].set("title", f"Local title {r} of {key}")
            edits[key] = f"Local title {r} of {key}"
            other = f"p{rng.randrange(1, papers, 2):03d}"
            row = lab.state().by_key().get(other)
            # A row may be pending: its create was cut off by the kill before it reached
            # Zotero, so a member cannot have edited that item yet.
            if row is not None and row.item in lab.emu.library.items():
                lab.emu.library.edit_item(row.item, title=f"Remote title {r} of {other}")
                edits[other] = f"Remote title {r} of {other}"
        # The kill lands after a random number of requests reached the server (a sleep
        # would miss the run on a fast machine and land before start-up on a slow one).
        before, after = len(lab.emu.requests), rng.randint(1, 4 if r else 6)
        proc = genbib_sync(lab)
        deadline = time.monotonic() + 60
        while (
            len(lab.emu.requests) < before + after
            and proc.poll() is None
            and time.monotonic() < deadline
        ):
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.01))  # anywhere in the request that follows
        proc.send_signal(signal.SIGKILL)
        killed += proc.wait() == -signal.SIGKILL
    assert killed  # at least one kill landed while the sync was running
    converge(lab, edits)
    before = len(lab.emu.requests)
    converge(lab, edits)
    assert len(lab.emu.requests) - before <= 2


def test_kill_9_at_random_points_converges(make_lab: Callable[..., Lab]) -> None:
    rounds(make_lab, n=3, papers=120, seed=1)


@pytest.mark.slow
def test_kill_9_many_times(make_lab: Callable[..., Lab]) -> None:
    rounds(make_lab, n=12, papers=200, seed=2)
