"""Problems are data: every reader and checker reports what it found as records.

A problem never aborts a read: the block it concerns is kept, and the record says where
(file and line) and why, so the user can fix the source.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about an input, with a stable code scripts can filter on."""

    code: str
    message: str
    severity: Severity = Severity.ERROR
    file: str = ""
    line: int = 0
    key: str = ""

    def format(self) -> str:
        """`file:line: key: CODE message`, the form compilers and editors understand. A
        finding that comes from no file (a Zotero item, a command-line argument) starts at
        its key: a made-up `<input>:0` would send an editor nowhere."""
        key = f"{self.key}: " if self.key else ""
        if not self.file:
            return f"{key}{self.code} {self.message}"
        return f"{self.file}:{self.line}: {key}{self.code} {self.message}"

    def as_dict(self) -> dict[str, str | int]:
        data: dict[str, str | int] = asdict(self)
        data["severity"] = self.severity.value
        return data
