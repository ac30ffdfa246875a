"""Faults as they happen to real processes: a full disk, Ctrl-C, two syncs at once.

Every test runs `python -m genbib` as a user would; sync runs against the Zotero
emulator over HTTP (with latency, so a signal lands mid-transfer). After each fault:
the files are whole (the old or the new version), no lock or temp file is left behind,
and the next run completes.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from genbib.bibtex.reader import read_file
from genbib.sync.state import load as load_state
from genbib.sync.state import state_path
from genbib.testing.zotero import ZoteroEmulator
from genbib.testing.zotero.fixtures import zotero_server_factory  # noqa: F401

TOML = """\
[zotero]
library_id = "{library}"

[[topics]]
slug = "diffusion"
title = "Diffusion models"
"""


def bib_text(n: int) -> str:
    return "".join(
        f"@misc{{p{i:03d},\n  title = {{Paper number {i} on generative models}},\n"
        f"  year = {{2020}},\n  eprint = {{2001.{10000 + i}}},\n  archiveprefix = {{arXiv}},\n"
        f"  topics = {{diffusion}},\n}}\n"
        for i in range(n)
    )


def list_text(n: int) -> str:
    rows = "".join(
        f"- Paper number {i} on flows and diffusion. [[paper]](https://arxiv.org/abs/2105.{20000 + i})\n"
        for i in range(n)
    )
    return f"# A long list\n\n## Diffusion\n\n{rows}"


def genbib(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    full = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "genbib", *args],
        cwd=root,
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finish(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    _, err = proc.communicate(timeout=300)
    return proc.returncode, err.decode()


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".genbib" not in p.parts
    }


def leftovers(root: Path) -> list[str]:
    return [p.name for p in root.rglob("*") if p.name.endswith((".tmp", ".lock"))]


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    root = tmp_path / "lab"
    (root / "bib").mkdir(parents=True)
    (root / "bib" / "genmodels.bib").write_text(bib_text(40))
    (root / "genbib.toml").write_text('[[topics]]\nslug = "diffusion"\ntitle = "Diffusion"\n')
    (root / "list.md").write_text(list_text(1500))
    return root


# --- a full disk -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["fmt"],
        ["import", "list.md", "--offline"],
        ["rekey", "p001", "p001new"],
        ["render"],
        ["sync"],
    ],
    ids=lambda a: a[0],
)
def test_disk_full_during_a_write_keeps_every_file_whole(lab: Path, args: list[str]) -> None:
    before = snapshot(lab)
    code, err = finish(genbib(lab, *args, env={"GENBIB_TEST_WRITE_ERROR": "ENOSPC"}))
    assert code == 4, err
    (line,) = [line for line in err.splitlines() if line.startswith("error: ")]
    assert ": cannot write: No space left on device; free some space" in line
    assert snapshot(lab) == before  # nothing half-written, nothing half-done
    assert leftovers(lab) == []
    code, err = finish(genbib(lab, *args))  # space again: the same command completes
    assert code == 0, err
    assert read_file(lab / "bib" / "genmodels.bib").problems == []


# --- Ctrl-C during import ----------------------------------------------------------------


def test_sigint_during_import_leaves_the_old_or_the_new_bib(lab: Path, tmp_path: Path) -> None:
    # A list long enough that the signals below land while it is imported (1,500 rows
    # are done in a few tenths of a second).
    (lab / "list.md").write_text(list_text(15000))
    bib = lab / "bib" / "genmodels.bib"
    original = bib.read_bytes()
    # What an uninterrupted run writes, from a copy of the lab.
    reference = tmp_path / "reference"
    reference.mkdir()
    for name, data in snapshot(lab).items():
        (reference / name).parent.mkdir(parents=True, exist_ok=True)
        (reference / name).write_bytes(data)
    code, err = finish(genbib(reference, "import", "list.md", "--offline"))
    assert code == 0, err
    complete = (reference / "bib" / "genmodels.bib").read_bytes()
    assert complete != original
    rng = random.Random(3)
    interrupted = 0
    for _ in range(4):
        bib.write_bytes(original)
        proc = genbib(lab, "import", "list.md", "--offline")
        time.sleep(rng.uniform(0.3, 1.0))
        proc.send_signal(signal.SIGINT)
        code, err = finish(proc)
        if code == 130:
            interrupted += 1
            assert "interrupted: files are written whole or not at all" in err
            assert "Traceback" not in err
        else:  # done before the signal (or it landed as Python was exiting: -SIGINT)
            assert code in (0, -signal.SIGINT), err[-2000:]
        assert bib.read_bytes() in (original, complete)  # whole: before or after
        assert leftovers(lab) == []
    assert interrupted  # at least one landed while the import ran
    code, err = finish(genbib(lab, "import", "list.md", "--offline"))
    assert code == 0, err
    assert bib.read_bytes() == complete  # the next run completes, as if never interrupted


# --- sync: Ctrl-C, and two at once -------------------------------------------------------


@pytest.fixture
def make_sync_lab(
    tmp_path: Path,
    zotero_server_factory: Callable[..., ZoteroEmulator],  # noqa: F811
) -> Callable[[float], tuple[Path, ZoteroEmulator]]:
    def make(latency: float) -> tuple[Path, ZoteroEmulator]:
        emu = zotero_server_factory(latency=latency)
        root = tmp_path / "synclab"
        (root / "bib").mkdir(parents=True)
        (root / "bib" / "genmodels.bib").write_text(bib_text(120))
        (root / "genbib.toml").write_text(TOML.format(library=emu.group_id))
        return root, emu

    return make


@pytest.fixture
def sync_lab(
    make_sync_lab: Callable[[float], tuple[Path, ZoteroEmulator]],
) -> tuple[Path, ZoteroEmulator]:
    return make_sync_lab(0.02)


def start_second_while_first_holds_the_lock(
    root: Path, emu: ZoteroEmulator, timeout: str
) -> tuple[subprocess.Popen[bytes], subprocess.Popen[bytes]]:
    from genbib.bibtex.io import lock_path

    first = genbib(root, "sync", env=emu.env())
    lock = lock_path(root / "bib" / "genmodels.bib")
    deadline = time.monotonic() + 60
    while not lock.exists():  # the first sync has the bib's lock and talks to Zotero
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.005)
    second = genbib(root, "sync", env={**emu.env(), "GENBIB_LOCK_TIMEOUT": timeout})
    return first, second


def converged(root: Path, emu: ZoteroEmulator, edits: dict[str, str] | None = None) -> None:
    """A last sync exits 0 and both sides agree: one Zotero item per entry, none pending."""
    code, err = finish(genbib(root, "sync", env=emu.env()))
    assert code == 0, err
    top = {k: v for k, v in emu.library.items().items() if not v.get("parentItem")}
    entries = read_file(root / "bib" / "genmodels.bib").by_key()
    assert len(top) == len(entries) == 120
    assert len({v["title"] for v in top.values()}) == len(top)  # no duplicates
    rows = load_state(state_path(root / "bib" / "genmodels.bib")).by_key()
    assert not any(r.pending for r in rows.values())
    for key, title in (edits or {}).items():
        assert entries[key].title == title
        assert emu.library.item(rows[key].item)["title"] == title
    assert leftovers(root) == []


def interrupt_mid_transfer(
    proc: subprocess.Popen[bytes], emu: ZoteroEmulator, after: int, sig: int = signal.SIGINT
) -> tuple[int, str]:
    """Send `sig` once the run has made `after` more requests to Zotero (or has ended)."""
    start = len(emu.requests)
    deadline = time.monotonic() + 60
    while len(emu.requests) < start + after and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(sig)
    return finish(proc)


def test_sigint_during_sync_then_the_next_run_completes(
    sync_lab: tuple[Path, ZoteroEmulator],
) -> None:
    from genbib.bibtex.store import edit

    root, emu = sync_lab
    rng = random.Random(5)
    interrupted = 0
    edits: dict[str, str] = {}
    for r in range(4):
        if r:  # work for this round: local edits the sync must push
            with edit(root / "bib" / "genmodels.bib") as lib:
                for entry in rng.sample(lib.entries, 60):
                    entry.set("title", f"Round {r} title of {entry.key}")
                    edits[entry.key] = f"Round {r} title of {entry.key}"
        proc = genbib(root, "sync", env=emu.env())
        code, err = interrupt_mid_transfer(proc, emu, after=rng.randint(2, 4))
        if code == 130:
            interrupted += 1
            assert "interrupted: files are written whole or not at all" in err
            assert "Traceback" not in err
        else:
            assert code in (0, -signal.SIGINT), err[-2000:]
        assert leftovers(root) == []  # the lock was released and its file removed
        assert read_file(root / "bib" / "genmodels.bib").problems == []
    assert interrupted >= 2
    converged(root, emu, edits)


def test_sigterm_during_sync_unwinds_like_ctrl_c(sync_lab: tuple[Path, ZoteroEmulator]) -> None:
    root, emu = sync_lab
    proc = genbib(root, "sync", env=emu.env())
    code, err = interrupt_mid_transfer(proc, emu, after=2, sig=signal.SIGTERM)
    assert code in (0, 143), err
    if code == 143:
        assert "terminated (SIGTERM): files are written whole or not at all" in err
    assert leftovers(root) == []
    converged(root, emu)


def test_two_syncs_at_once_one_waits_and_says_so(
    make_sync_lab: Callable[[float], tuple[Path, ZoteroEmulator]],
) -> None:
    root, emu = make_sync_lab(0.15)  # a slow server: the first sync holds the lock seconds
    first, second = start_second_while_first_holds_the_lock(root, emu, "120")
    (code1, err1), (code2, err2) = finish(first), finish(second)
    assert (code1, code2) == (0, 0), err1 + err2
    assert "another genbib process is writing it (`genbib sync`, pid" in err2
    assert "waiting up to 120 s" in err2
    converged(root, emu)  # one item per paper: the second started from the first's state


def test_two_syncs_at_once_the_impatient_one_exits_6(
    make_sync_lab: Callable[[float], tuple[Path, ZoteroEmulator]],
) -> None:
    root, emu = make_sync_lab(0.4)  # the first holds the lock long after the second starts
    first, second = start_second_while_first_holds_the_lock(root, emu, "0.5")
    code2, err2 = finish(second)
    code1, err1 = finish(first)
    assert code1 == 0, err1
    assert code2 == 6, err2
    (line,) = [line for line in err2.splitlines() if line.startswith("error: ")]
    assert f"(`genbib sync`, pid {first.pid} on " in line
    assert ", running); gave up after 0.5 s; wait for it to finish" in line
    converged(root, emu)
