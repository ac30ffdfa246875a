"""Crash safety and locking, with real processes: a write is all or nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from genbib.bibtex.compare import content
from genbib.bibtex.io import atomic_write, lock_path, locked, write_if_changed
from genbib.bibtex.reader import parse, read_file
from genbib.bibtex.writer import dumps
from genbib.errors import LockedError

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
