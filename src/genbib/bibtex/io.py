"""Atomic, locked writes: a crash or a second genbib process never leaves a torn file.

Every command that rewrites a file goes through `locked()` around its read-modify-write
and `atomic_write()` for the write itself (temp file in the same directory, fsync,
rename, fsync of the directory).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from genbib.errors import LockedError


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def locked(path: str | Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold an exclusive advisory lock on `path` (through a `.NAME.lock` file beside it)."""
    lp = lock_path(Path(path))
    lp.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lp, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockedError(
                        f"{path}: another genbib process is writing it",
                        hint=f"wait for it to finish, or remove {lp} if no genbib is running",
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def atomic_write(path: str | Path, data: str | bytes) -> None:
    """Replace `path` with `data` so that readers see either the old or the new file."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        if os.environ.get("GENBIB_TEST_CRASH_BEFORE_RENAME"):  # crash-safety tests only
            os._exit(137)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def write_if_changed(path: str | Path, text: str) -> bool:
    """Write `text` atomically unless the file already holds exactly it; True when written."""
    path = Path(path)
    try:
        if path.read_bytes() == text.encode("utf-8"):
            return False
    except FileNotFoundError:
        pass
    atomic_write(path, text)
    return True
