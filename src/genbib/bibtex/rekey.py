"""`genbib rekey OLD NEW`: the one operation allowed to change a citation key.

The old key goes into the entry's `ids` field (a biblatex alias) so documents that cite
it still resolve under biber.
"""

from __future__ import annotations

from genbib.errors import GenbibError
from genbib.model.library import Library


def rekey(library: Library, old: str, new: str) -> None:
    entries = library.by_key()
    if old not in entries:
        raise GenbibError(f"no entry with key {old!r}")
    if new in entries or any(new in e.aliases for e in library):
        raise GenbibError(f"key {new!r} is already used (as a key or an alias)")
    entry = entries[old]
    entry.key = new
    entry.add_alias(old)
