"""Files on disk: modes, crash safety, full disks, the lock and encodings (real processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from genbib.bibtex.compare import content
from genbib.bibtex.io import (
    atomic_write,
    lock_path,
    locked,
    on_wait,
    write_if_changed,
)
from genbib.bibtex.reader import parse, read_file
from genbib.bibtex.writer import dumps
from genbib.errors import FileError, LockedError

MESSY = "".join(
    f'@ARTICLE(k{i:05d}, Year = 2020, TITLE = "Paper {i} about {{GAN}}s", '
    f'author = {{Doe, Jane and M{{\\"u}}ller, J}})\n'
    for i in range(3000, 0, -1)
)


def _genbib(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "genbib", *args],
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_crash_between_temp_write_and_rename_leaves_original(tmp_path: Path) -> None:
    path = tmp_path / "lab.bib"
    path.write_text(MESSY)
    before = path.read_bytes()
    proc = _genbib("fmt", str(path), env={"GENBIB_TEST_CRASH_BEFORE_RENAME": "1"})
    proc.communicate(timeout=120)
    assert proc.returncode == 137  # died right before the rename
    assert path.read_bytes() == before
    # the next run works and formats the file
    proc = _genbib("fmt", str(path))
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert content(read_file(path)) == content(parse(before.decode()))


def test_two_concurrent_fmt_runs_leave_a_valid_canonical_file(tmp_path: Path) -> None:
    path = tmp_path / "lab.bib"
    path.write_text(MESSY)
    expected = dumps(read_file(path))
    procs = [_genbib("fmt", str(path)) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    assert path.read_text() == expected
    check = _genbib("fmt", "--check", str(path))
    check.communicate(timeout=120)
    assert check.returncode == 0
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_lock_is_exclusive_between_open_files(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    with (
        locked(path),
        pytest.raises(LockedError, match="another genbib process"),
        locked(path, timeout=0.1),
    ):
        pass
    assert not lock_path(path).exists()  # removed on release
    with locked(path, timeout=0.1):  # released after the first holder left
        pass


def test_atomic_write_keeps_mode_and_replaces(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    path.write_text("old")
    path.chmod(0o640)
    atomic_write(path, "new ü")
    assert path.read_text("utf-8") == "new ü"
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["x.bib"]


def test_write_if_changed_does_not_touch_identical_files(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    path.write_text("same\n")
    mtime = path.stat().st_mtime_ns
    assert write_if_changed(path, "same\n") is False
    assert path.stat().st_mtime_ns == mtime
    assert write_if_changed(path, "different\n") is True
    assert write_if_changed(tmp_path / "new" / "y.bib", "x") is True


# --- modes: the umask for new files, the file's own mode for rewrites -------------------


@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    old = os.umask(0o022)
    os.umask(old)

    def set_mask(mask: int) -> None:
        os.umask(mask)

    yield set_mask
    os.umask(old)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_new_files_take_the_umask(
    tmp_path: Path, umask: Callable[[int], None], mask: int, mode: int
) -> None:
    umask(mask)
    atomic_write(tmp_path / "new.bib", "x")
    atomic_write(tmp_path / "sub" / "deeper.txt", "x")
    assert (tmp_path / "new.bib").stat().st_mode & 0o777 == mode
    assert (tmp_path / "sub" / "deeper.txt").stat().st_mode & 0o777 == mode


def test_rewrites_keep_the_files_mode_whatever_the_umask(
    tmp_path: Path, umask: Callable[[int], None]
) -> None:
    path = tmp_path / "shared.bib"
    path.write_text("old")
    path.chmod(0o664)
    umask(0o077)
    atomic_write(path, "new")
    assert path.stat().st_mode & 0o777 == 0o664


def _every_writer(root: Path) -> list[Path]:
    """Write one file of each kind genbib writes, through the code that writes it."""
    from genbib.bibtex import retired
    from genbib.bibtex.store import edit
    from genbib.bibtex.store import load as load_lib
    from genbib.enrich.cache import Cache, Reply
    from genbib.render.owned import MANIFEST
    from genbib.scaffold import init
    from genbib.sync import state as sync_state

    init(root)  # genbib.toml, bib/, templates, .gitignore, .gitattributes, pre-commit
    bib = root / "bib" / "genmodels.bib"
    bib.unlink()  # created again by the edit below
    with edit(bib) as lib:
        lib.blocks.extend(parse("@misc{a, title={A}, year=2020, topics={diffusion}}\n"
                                "@misc{b, title={B}}\n").blocks)  # fmt: skip
    with edit(bib) as lib:
        lib.blocks[:] = [b for b in lib.blocks if getattr(b, "key", "") != "b"]
    sync_state.save(sync_state.state_path(bib), sync_state.State(library="groups/1"))
    cache = Cache(root / ".genbib" / "cache" / "enrich.json")
    cache.put("k", Reply(200, "{}", "https://example.org", 1.0))
    cache.save()
    from genbib.config import load
    from genbib.render import publish, render

    config = load(root / "genbib.toml")
    publish(render(load_lib(bib), config))  # lists, stubs and their manifests
    written = [p for p in root.rglob("*") if p.is_file()]
    assert retired.retired_path(bib) in written and sync_state.state_path(bib) in written
    assert root / config.output.lists / MANIFEST in written
    return written


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o002, 0o664)])
def test_every_file_genbib_writes_takes_the_umask(
    tmp_path: Path, umask: Callable[[int], None], mask: int, mode: int
) -> None:
    umask(mask)
    written = _every_writer(tmp_path)
    assert len(written) >= 10
    wrong = {str(p.relative_to(tmp_path)): oct(p.stat().st_mode & 0o777) for p in written}
    assert {k: v for k, v in wrong.items() if v != oct(mode)} == {}
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith((".tmp", ".lock"))]


# A read-only bib and a read-only bib/ folder: tests/cli/test_errors.py, with real
# permissions (root drops its override), through the command line.


def test_disk_full_keeps_the_original_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "x.bib"
    path.write_text("original\n")
    monkeypatch.setenv("GENBIB_TEST_WRITE_ERROR", "ENOSPC")
    with pytest.raises(FileError) as info:
        atomic_write(path, "new text " * 1000)
    assert info.value.message == f"{path}: cannot write: No space left on device"
    assert "free some space" in (info.value.hint or "") and "was not changed" in (
        info.value.hint or ""
    )
    assert path.read_text() == "original\n"
    assert [p.name for p in tmp_path.iterdir()] == ["x.bib"]


def test_a_symlinked_bib_is_written_through_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.bib"
    real.write_text("old")
    link = tmp_path / "link.bib"
    link.symlink_to(real)
    atomic_write(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


# --- the lock ----------------------------------------------------------------------------


def test_lock_file_names_its_holder_and_goes_away_on_every_exit(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "x.bib"
    with locked(path):
        note = lock_path(path).read_text()
        assert f"pid={os.getpid()} host={socket.gethostname()}" in note
    assert not lock_path(path).exists()
    with pytest.raises(RuntimeError), locked(path):
        raise RuntimeError("boom")
    assert not lock_path(path).exists()
    with pytest.raises(KeyboardInterrupt), locked(path):
        raise KeyboardInterrupt
    assert not lock_path(path).exists()


def test_a_waiting_writer_says_so_and_names_the_holder(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    heard: list[str] = []
    on_wait(heard.append)
    try:
        with locked(path), pytest.raises(LockedError) as info, locked(path, timeout=0.2):
            pass
    finally:
        on_wait(None)
    assert len(heard) == 1 and "waiting up to 0.2 s" in heard[0]
    assert f"pid {os.getpid()}" in heard[0] and "running" in heard[0]
    assert (
        f"pid {os.getpid()}" in info.value.message and "gave up after 0.2 s" in info.value.message
    )


def test_a_lock_left_by_a_killed_process_does_not_block(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    code = (
        "import os, sys, time\n"
        "from genbib.bibtex.io import locked\n"
        f"with locked({str(path)!r}):\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"locked\n"
    proc.kill()  # SIGKILL: no finally runs, the file stays behind
    proc.wait()
    assert lock_path(path).exists()
    with locked(path, timeout=0.5):  # the kernel released the flock with the process
        pass
    assert not lock_path(path).exists()


def test_a_held_lock_whose_noted_pid_is_gone_says_so(tmp_path: Path) -> None:
    import fcntl

    path = tmp_path / "x.bib"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lp = lock_path(path)
    fd = os.open(lp, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, f"pid={dead.pid} host={__import__('socket').gethostname()} since=x "
                     "command=genbib sync\n".encode())  # fmt: skip
        with pytest.raises(LockedError) as info, locked(path, timeout=0.1):
            pass
    finally:
        os.close(fd)
    assert f"pid {dead.pid}" in info.value.message and "no longer running" in info.value.message
    assert "something it started still holds" in (info.value.hint or "")


def test_sigterm_releases_the_lock_and_removes_its_file(tmp_path: Path) -> None:
    import signal

    path = tmp_path / "x.bib"
    code = (
        "import sys, time\n"
        "from genbib.cli import _raise_on_sigterm\n"
        "from genbib.bibtex.io import locked\n"
        "_raise_on_sigterm()\n"
        f"with locked({str(path)!r}):\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"locked\n"
    assert lock_path(path).exists()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert not lock_path(path).exists()


def test_ctrl_c_as_the_temp_file_is_made_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A signal landing just after the temp file is created (the full suite's SIGTERM
    test once caught a stray `.genmodels.sync.json.*.tmp`): delivered once the name is
    known, so the file is removed on the way out."""
    from genbib.bibtex import io as bibio

    made = bibio._temp_beside

    def then_interrupted(path: Path) -> tuple[Path, int]:
        out = made(path)
        os.kill(os.getpid(), signal.SIGINT)
        return out

    monkeypatch.setattr(bibio, "_temp_beside", then_interrupted)
    target = tmp_path / "a.bib"
    with pytest.raises(KeyboardInterrupt):
        bibio.atomic_write(target, "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_ctrl_c_as_the_lock_file_is_made_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from genbib.bibtex import io as bibio

    opened = bibio._open_lock

    def then_interrupted(lp: Path, path: Path) -> int:
        fd = opened(lp, path)
        os.kill(os.getpid(), signal.SIGINT)
        return fd

    monkeypatch.setattr(bibio, "_open_lock", then_interrupted)
    with pytest.raises(KeyboardInterrupt), bibio.locked(tmp_path / "a.bib"):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == []
