"""The one exception root of genbib, and the exit codes the CLI maps errors to.

Library code raises these; only the CLI turns them into messages and exit codes, so a
test or another program calling the library sees structured errors, not printed text.
"""

from __future__ import annotations

import errno
import os
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Exit codes that mean something to scripts (documented in the README)."""

    OK = 0
    FINDINGS = 1  # check found errors, fmt --check / render --check found differences
    USAGE = 2  # bad command line (click's own code)
    CONFLICTS = 3  # sync finished but left conflicts to resolve
    INPUT = 4  # unreadable input, bad configuration
    REMOTE = 5  # a remote service failed (network, Zotero, metadata source)
    LOCKED = 6  # another genbib process holds the lock
    INTERNAL = 70  # a bug in genbib (BSD EX_SOFTWARE); -v shows the traceback
    INTERRUPTED = 130  # Ctrl-C
    TERMINATED = 143  # SIGTERM (128 + 15)


class GenbibError(Exception):
    """Root of every error genbib raises on purpose.

    `hint` tells the user what to do next; it is printed under the message.
    """

    exit_code: ExitCode = ExitCode.INPUT

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(GenbibError):
    """genbib.toml is missing a value, has an unknown key or a wrong type."""


class InputError(GenbibError):
    """An input file cannot be read at all (not: a malformed entry, which is a problem record)."""


class LockedError(GenbibError):
    """Another genbib process is writing the same file."""

    exit_code = ExitCode.LOCKED


class RemoteError(GenbibError):
    """A remote service (Zotero, a metadata source) failed after retries."""

    exit_code = ExitCode.REMOTE


class EncodingError(InputError):
    """A file is not UTF-8 and the command was not asked to convert it."""


class FileError(InputError):
    """The operating system refused a read or write (permissions, disk full, read-only).

    These are the environment's failures, never genbib's: the message names the file and
    what happened, the hint what to do (exit 4, like any input genbib cannot use).
    """

    @classmethod
    def from_os(cls, exc: OSError, path: str | os.PathLike[str], action: str) -> FileError:
        """`action` is what genbib tried ("write", "read", "create the folder for")."""
        reason = exc.strerror or type(exc).__name__
        where = Path(path)
        folder = where.parent if str(where.parent) not in ("", ".") else Path(".")
        hints = {
            errno.ENOSPC: "free some space on that disk, then run again",
            errno.EDQUOT: "your disk quota is used up: free some space, then run again",
            errno.EROFS: "the file system is mounted read-only: work in a writable copy",
            errno.EACCES: f"check the permissions (`ls -ld {folder} {where}`): replacing a "
            "file needs write access to its folder",
            errno.EPERM: f"check the permissions (`ls -ld {folder} {where}`)",
            errno.ENOENT: "check the path",
            errno.EISDIR: "give a file, not a folder",
            errno.ENOTDIR: "a part of the path is a file, not a folder: check the path",
            errno.EIO: "the disk reported an I/O error: check it, then run again",
        }
        hint = hints.get(exc.errno or 0, "check the file and the disk, then run again")
        if action not in ("read", "access", "open"):
            hint += f"; {where} was not changed"
        err = cls(f"{where}: cannot {action}: {reason}", hint=hint)
        err.os_errno = exc.errno
        return err

    os_errno: int | None = None


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every `finally` (locks, temp files) runs."""
