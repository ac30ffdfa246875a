"""The one exception root of genbib, and the exit codes the CLI maps errors to.

Library code raises these; only the CLI turns them into messages and exit codes, so a
test or another program calling the library sees structured errors, not printed text.
"""

from __future__ import annotations

from enum import IntEnum


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
