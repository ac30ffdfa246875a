"""What an import did: counts, keys added and merged, skipped rows, findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from genbib.model.problems import Problem, Severity


@dataclass
class ImportReport:
    sources: list[str] = field(default_factory=list)
    rows: int = 0  # paper rows read (after skipping non-papers)
    papers: int = 0  # distinct papers among them
    added: list[str] = field(default_factory=list)  # keys of new entries
    merged: list[str] = field(default_factory=list)  # keys of existing entries that changed
    unchanged: list[str] = field(default_factory=list)  # keys matched, nothing new
    not_added: list[str] = field(default_factory=list)  # update-only: titles matching nothing
    skipped: list[Problem] = field(default_factory=list)  # non-paper rows
    skipped_files: list[Problem] = field(default_factory=list)  # folder files not lists
    problems: list[Problem] = field(default_factory=list)
    new_topics: dict[str, str] = field(default_factory=dict)  # slug -> heading
    dry_run: bool = False

    @property
    def changed(self) -> int:
        return len(self.added) + len(self.merged)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    def summary(self) -> str:
        verb = "would add" if self.dry_run else "added"
        text = (
            f"{len(self.sources)} source(s), {self.rows} paper rows, {self.papers} distinct papers: "
            f"{verb} {len(self.added)}, merged into {len(self.merged)}, unchanged {len(self.unchanged)}"
        )
        if self.not_added:
            text += f", not in the bib {len(self.not_added)}"
        text += f"; skipped {len(self.skipped)} non-paper rows"
        if self.skipped_files:
            text += f" and {len(self.skipped_files)} file(s) that are not lists"
        text += f"; {len(self.problems)} findings"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources": self.sources,
            "rows": self.rows,
            "papers": self.papers,
            "added": self.added,
            "merged": self.merged,
            "unchanged": self.unchanged,
            "not_added": self.not_added,
            "skipped": [p.as_dict() for p in self.skipped],
            "skipped_files": [p.as_dict() for p in self.skipped_files],
            "problems": [p.as_dict() for p in self.problems],
            "new_topics": self.new_topics,
            "dry_run": self.dry_run,
            "summary": self.summary(),
        }
