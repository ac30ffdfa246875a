"""Import papers from awesome lists, .bib files, Zotero/CSL JSON and identifier lists.

`import_sources` reads every source, turns rows into candidate entries, settles what the
sources disagree on (reported as findings with `source:line`), and merges the result into
a library through the dedupe engine: a paper already there gains the new links, topics and
notes and is never added twice. It changes only the library in memory; the CLI wraps it
in `genbib.bibtex.store.edit`, so a run is written whole or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from genbib.errors import InputError
from genbib.importers.report import ImportReport
from genbib.importers.run import Format, import_sources, read_source

__all__ = [
    "Format",
    "ImportReport",
    "InputError",
    "expand",
    "import_sources",
    "read_source",
    "sources_of",
]


def sources_of(paths: Sequence[str | Path]) -> list[Path]:
    """The files named, directories expanded to their files (sorted, hidden ones skipped)."""
    return [p for p, _ in expand(paths)]


def expand(paths: Sequence[str | Path]) -> list[tuple[Path, bool]]:
    """(file, found in a folder) for the files named and the files of the folders named
    (sorted, hidden ones skipped). A file found in a folder that is not a paper list is
    skipped and reported by the import; a file named is imported or the run stops."""
    out: list[tuple[Path, bool]] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
            out.extend((f, True) for f in found)
        else:
            out.append((p, False))
    return out
