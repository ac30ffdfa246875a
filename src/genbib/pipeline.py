"""The stages `genbib sync` runs, and the report each stage gives back.

Each concern exposes one stage function with the signature of `Stage`, working on a
library in memory (no file writes except render's own outputs), so `genbib sync` can
chain them and print one summary table, and tests can call each one alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from genbib.config import Config
from genbib.model.library import Library
from genbib.model.problems import Problem


@dataclass
class StageReport:
    """What a stage did: a count of changes, a one-line summary, findings, details for --json."""

    stage: str
    changed: int = 0
    summary: str = ""
    problems: list[Problem] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    skipped: str = ""  # why the stage did not run ("no Zotero configured")

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "changed": self.changed,
            "summary": self.summary,
            "skipped": self.skipped,
            "problems": [p.as_dict() for p in self.problems],
            "details": self.details,
        }


class Stage(Protocol):
    def __call__(
        self, library: Library, config: Config, *, dry_run: bool = False
    ) -> StageReport: ...
