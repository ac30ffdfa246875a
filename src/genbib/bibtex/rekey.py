"""`genbib rekey OLD NEW`: the one operation allowed to change a citation key.

The old key goes into the entry's `ids` field (a biblatex alias) so documents that cite
it still resolve under biber.
"""

from __future__ import annotations

import re

from genbib.errors import GenbibError
from genbib.model.library import Library

# What BibTeX and biber accept in a key without quoting trouble.
VALID_KEY = re.compile(r"[^\s,{}()\"#%'=\\~]+")


def rekey(library: Library, old: str, new: str) -> None:
    """Rename `old` to `new` in place; refuses clashes with any key or alias.

    Renaming an entry back to one of its own former keys is allowed: that alias is
    dropped from `ids` (it is the key again) and the current key becomes an alias.
    """
    if not VALID_KEY.fullmatch(new):
        raise GenbibError(
            f"{new!r} is not a usable citation key",
            hint="use letters, digits and - _ : . / only",
        )
    entries = library.by_key()
    if old not in entries:
        raise GenbibError(f"no entry with key {old!r}")
    if new == old:
        raise GenbibError(f"the entry is already called {old!r}")
    entry = entries[old]
    folded = new.casefold()  # BibTeX and biber compare keys case-insensitively
    if folded in {k.casefold() for k in library.retired}:
        raise GenbibError(
            f"key {new!r} is retired: a deleted paper had it, and documents may still cite it",
            hint="choose another key (retired keys are listed in the bib's .retired-keys.txt)",
        )
    for other in library:
        if other is not entry and folded in {k.casefold() for k in (other.key, *other.aliases)}:
            raise GenbibError(
                f"key {new!r} is already used (as a key or an alias of {other.key!r})"
            )
    remaining = [a for a in entry.aliases if a != new]
    entry.key = new
    entry.set("ids", ", ".join(remaining))
    entry.add_alias(old)
