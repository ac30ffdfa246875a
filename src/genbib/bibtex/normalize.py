"""`genbib fmt --canonical`: bring a whole bib to the canonical form of each entry's kind.

Unlike plain `fmt` (layout only, never a field's content), this changes fields (a
preprint's `journal` becomes `howpublished`, `@online` becomes `@misc`, ...), so it is
an explicit step: `plan()` computes the diff without touching the file, the command
shows it, and `apply()` writes under the lock only if the file still plans the same.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from genbib.bibtex.store import edit, load
from genbib.bibtex.writer import Order, dumps
from genbib.errors import GenbibError
from genbib.model.canonical import Change, canonicalize
from genbib.model.library import Library


@dataclass(frozen=True)
class Plan:
    path: Path
    changes: tuple[Change, ...]
    diff: str  # unified diff of the file as it is -> as it would be written

    @property
    def entries(self) -> int:
        return len({c.key for c in self.changes})


def canonicalize_library(library: Library) -> list[Change]:
    """Every entry of `library` in canonical form, in place; all changes in entry order."""
    return [c for entry in library for c in canonicalize(entry)]


def plan(path: str | Path, *, order: Order = "key") -> Plan:
    """What `apply` would change in `path` (the file is only read)."""
    p = Path(path)
    original = p.read_text("utf-8", errors="replace") if p.exists() else ""
    lib = load(p)
    changes = canonicalize_library(lib)
    text = dumps(lib, order)
    diff = "".join(
        difflib.unified_diff(
            original.splitlines(keepends=True),
            text.splitlines(keepends=True),
            str(p),
            f"{p} (canonical form)",
        )
    )
    return Plan(p, tuple(changes), diff if changes else "")


def apply(path: str | Path, expected: Plan, *, order: Order = "key") -> list[Change]:
    """Write the canonical form of `path`, refusing if it no longer plans `expected`."""
    with edit(path, order=order) as lib:
        changes = canonicalize_library(lib)
        if tuple(changes) != expected.changes:
            raise GenbibError(
                f"{path} changed while you were deciding",
                hint="run genbib fmt --canonical again",
            )
    return changes
