"""Files on disk in one place: decoding what genbib reads, atomic writes, the lock.

Every file genbib writes (the bib, the retired-key record, genbib.toml, templates,
.gitignore, rendered lists and stubs, the render manifest, the sync state, the enrich
cache, reports) goes through `atomic_write()`: a temp file in the same folder, fsync,
rename, fsync of the folder, so a crash or a full disk leaves the old file or the new
one, never a torn one. The temp file is created with mode 0666 and the kernel applies
the umask (and a default ACL), so a new file gets the mode the user's other files get;
a file that exists keeps its mode. An `OSError` becomes a `FileError` naming the file.

Read-modify-write runs under `locked()`: an exclusive `flock` on `.NAME.lock` beside
the file. The lock file holds the holder's pid, host and command, so a second writer
can say who it waits for, and it is removed on release (Ctrl-C and SIGTERM included:
the CLI turns SIGTERM into an exception so that `finally` runs).

Reading and decoding live in `genbib.bibtex.encoding`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import fnmatch
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from genbib.errors import FileError, LockedError

# --- writing -----------------------------------------------------------------------------


def atomic_write(path: str | Path, data: str | bytes | list[bytes]) -> None:
    """Replace `path` with `data` so that readers see either the old or the new file.

    `data` may be a list of parts, written one after the other (a big file's canonical
    form is never joined into one copy). A new file gets the umask's mode, an existing
    one keeps its own; a file the user made read-only is refused rather than replaced
    behind their back.
    """
    path = Path(path)
    if path.is_symlink():  # write through a link (a lab may link its bib), never replace it
        path = path.resolve()
    if isinstance(data, list):
        payload = data
    else:
        payload = [data.encode("utf-8") if isinstance(data, str) else data]
    try:
        _replace(path, payload)
    except FileError:
        raise
    except OSError as exc:
        raise FileError.from_os(exc, path, "write") from None


def _replace(path: Path, payload: list[bytes]) -> None:
    if not path.parent.is_dir():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FileError.from_os(exc, path.parent, "create the folder") from None
    try:
        mode: int | None = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    if mode is not None and not os.access(path, os.W_OK):
        raise FileError(
            f"{path}: is read-only (mode {mode:o}); genbib does not replace a protected file",
            hint=f"make it writable (`chmod u+w {path}`) if it should change; "
            f"{path} was not changed",
        )
    tmp: Path | None = None
    fd = -1
    try:
        with signals_held():  # the file is made and named before Ctrl-C can unwind
            tmp, fd = _temp_beside(path)
        if mode is not None:
            os.fchmod(fd, mode)
        _write_all(fd, payload, path)
        os.fsync(fd)
        fd, done = -1, fd
        os.close(done)
        if os.environ.get("GENBIB_TEST_CRASH_BEFORE_RENAME"):  # crash-safety tests only
            os._exit(137)
        os.replace(tmp, path)
    except BaseException:
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    try:
        dfd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError as exc:  # some file systems cannot fsync a folder; the rename is done
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(dfd)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM held back for a moment, then delivered.

    Between `os.open` creating a file and the name reaching the code that removes it on
    the way out, a handler raising KeyboardInterrupt (Ctrl-C, or genbib's SIGTERM
    handler) would leave the file behind: a stray `.tmp` or `.lock` beside the bib.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers run in the main thread only
        return
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _temp_beside(path: Path) -> tuple[Path, int]:
    """A new temp file in `path`'s folder, created 0666 so the kernel applies the umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = path.with_name(f".{path.name}.{os.urandom(4).hex()}.tmp")
        try:
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue


_BATCH = 1 << 20  # bytes of parts joined for one write call


def _write_all(fd: int, payload: list[bytes], path: Path) -> None:
    fault = _injected_fault(path)
    if fault is not None:  # a disk that fills up half-way through the write
        whole = b"".join(payload)
        os.write(fd, whole[: len(whole) // 2])
        raise OSError(fault, os.strerror(fault), str(path))
    batch: list[bytes] = []
    size = 0
    for part in payload:
        batch.append(part)
        size += len(part)
        if size >= _BATCH:
            _write_fully(fd, b"".join(batch))
            batch, size = [], 0
    if batch:
        _write_fully(fd, b"".join(batch))


def _write_fully(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _injected_fault(path: Path) -> int | None:
    """GENBIB_TEST_WRITE_ERROR=ENOSPC[:GLOB]: fail writes (of files matching GLOB) in tests."""
    spec = os.environ.get("GENBIB_TEST_WRITE_ERROR")
    if not spec:
        return None
    name, _, pattern = spec.partition(":")
    if pattern and not fnmatch.fnmatch(path.name, pattern):
        return None
    code: int = getattr(errno, name, errno.EIO)
    return code


def write_if_changed(path: str | Path, text: str) -> bool:
    """Write `text` atomically unless the file already holds exactly it; True when written."""
    path = Path(path)
    try:
        if path.read_bytes() == text.encode("utf-8"):
            return False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise FileError.from_os(exc, path, "read") from None
    atomic_write(path, text)
    return True


# --- the lock ----------------------------------------------------------------------------

DEFAULT_LOCK_TIMEOUT = 30.0
Notice = Callable[[str], None]
_notice: Notice | None = None


def on_wait(notice: Notice | None) -> None:
    """Who hears "waiting for ..." when a lock is held (the CLI: stderr; a library: nobody)."""
    global _notice
    _notice = notice


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def locked(path: str | Path, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive advisory lock on `path` (through a `.NAME.lock` file beside it).

    A second writer waits up to `timeout` seconds (default: GENBIB_LOCK_TIMEOUT, else 30),
    saying so through `on_wait`, then raises `LockedError` naming the holder. The lock
    file is removed on release. A waiter that acquires the lock on a file that was
    removed meanwhile tries again, so two processes never both hold "the" lock.
    """
    if timeout is None:
        timeout = _default_timeout()
    lp = lock_path(Path(path))
    deadline = time.monotonic() + timeout
    told = False
    fd = -1
    try:
        while True:
            with signals_held():  # created and named before Ctrl-C can unwind
                fd = _open_lock(lp, Path(path))
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                fd = -1
                holder = _holder(lp)
                if time.monotonic() >= deadline:
                    raise LockedError(
                        f"{path}: another genbib process is writing it"
                        f"{holder.describe()}; gave up after {timeout:g} s",
                        hint=holder.advice(lp),
                    ) from None
                if not told and _notice is not None:
                    _notice(
                        f"{path}: another genbib process is writing it{holder.describe()}; "
                        f"waiting up to {timeout:g} s (Ctrl-C to stop)"
                    )
                    told = True
                time.sleep(0.05)
                continue
            if _same_file(fd, lp):
                break
            os.close(fd)  # the holder removed it as we opened it: lock the new one
            fd = -1
        _write_holder(fd)
        yield
    finally:
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.unlink(lp)
            os.close(fd)  # closing releases the lock


def _default_timeout() -> float:
    try:
        return float(os.environ.get("GENBIB_LOCK_TIMEOUT", "") or DEFAULT_LOCK_TIMEOUT)
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


def _open_lock(lp: Path, path: Path) -> int:
    """Open (create) the lock file; a failure names the file being locked."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    try:
        try:
            return os.open(lp, flags, 0o666)
        except FileNotFoundError:
            lp.parent.mkdir(parents=True, exist_ok=True)
            return os.open(lp, flags, 0o666)
    except OSError as exc:
        raise FileError.from_os(exc, path, "lock") from None


def _same_file(fd: int, lp: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(lp)
    except FileNotFoundError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _hostname() -> str:
    """This machine's name, as `socket.gethostname()` gives it (without importing socket,
    which every write would pay for at start-up)."""
    return os.uname().nodename


def _write_holder(fd: int) -> None:
    prog = Path(sys.argv[0]).name if sys.argv else "python"
    if prog in ("__main__.py", "genbib"):  # `python -m genbib` or the console script
        prog = "genbib"
    command = " ".join([prog, *sys.argv[1:]])[:80]
    line = (
        f"pid={os.getpid()} host={_hostname()} "
        f"since={time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} command={command}\n"
    )
    with contextlib.suppress(OSError):  # the lock holds without the note
        os.ftruncate(fd, 0)
        os.pwrite(fd, line.encode("utf-8", "replace"), 0)


@dataclass
class Holder:
    """Who holds a lock, from the note in its lock file (empty when it has none)."""

    pid: int = 0
    host: str = ""
    since: str = ""
    command: str = ""

    @property
    def here(self) -> bool:
        return self.host == _hostname()

    def alive(self) -> bool | None:
        """Whether the process runs (None when it is on another host: cannot tell)."""
        if not self.pid or not self.here:
            return None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def describe(self) -> str:
        """ " (`genbib sync`, pid 41 on lab1 since ..., running)", or "" when unknown."""
        if not self.pid:
            return ""
        what = f"`{self.command}`, " if self.command else ""
        state = {True: "running", False: "no longer running", None: "cannot check from here"}
        return (
            f" ({what}pid {self.pid} on {self.host or 'an unknown host'} "
            f"since {self.since or '?'}, {state[self.alive()]})"
        )

    def advice(self, lp: Path) -> str:
        alive = self.alive()
        if alive is False:
            return (
                f"pid {self.pid} has exited but something it started still holds {lp}; "
                "stop that process, then run again"
            )
        if alive is None and self.pid:
            return f"wait for it to finish on {self.host}, or stop it there, then run again"
        return "wait for it to finish (or stop it), then run again"


def _holder(lp: Path) -> Holder:
    try:
        text = lp.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return Holder()
    fields = dict(part.split("=", 1) for part in text.split(" command=")[0].split() if "=" in part)
    try:
        pid = int(fields.get("pid", "0"))
    except ValueError:
        pid = 0
    command = text.split(" command=", 1)[1].strip() if " command=" in text else ""
    return Holder(pid, fields.get("host", ""), fields.get("since", ""), command)
