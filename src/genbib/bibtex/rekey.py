"""`genbib rekey OLD NEW`: the one operation allowed to change a citation key.

The old key goes into the entry's `ids` field (a biblatex alias) so documents that cite
it still resolve under biber. `upgrade_keys` is the only automatic use: a provisional
key (see `genbib.bibtex.keys`) becomes the formula's key once the paper is complete.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from pathlib import Path

from genbib.bibtex.keys import (
    KEY_RULE,
    fresh_key,
    is_provisional,
    key_problem,
    mark_provisional,
    metadata_complete,
)
from genbib.bibtex.retired import superseded_note
from genbib.errors import GenbibError
from genbib.model.library import Library
from genbib.model.problems import Problem, Severity


def rekey(library: Library, old: str, new: str) -> None:
    """Rename `old` to `new` in place; refuses clashes with any key or alias.

    Renaming an entry back to one of its own former keys is allowed: that alias is
    dropped from `ids` (it is the key again) and the current key becomes an alias.
    """
    why = key_problem(new)  # the one key rule (genbib.bibtex.keys)
    if why is not None:
        raise GenbibError(f"{new!r} is not a usable citation key ({why})", hint=KEY_RULE)
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
    mark_provisional(entry, False)  # a key chosen by hand is final


def upgrade_keys(
    library: Library, formula: str, sources: Sequence[Path] = (), *, cited: Set[str] | None = None
) -> list[Problem]:
    """Give each provisional key (`keys.is_provisional`) whose entry is complete now its
    final key from `formula`; the findings that say what happened.

    The old key is retired (recorded in `library.retired`, never given to another paper)
    and kept in `ids`, so biber still resolves it. A provisional key that a LaTeX source
    (`sources`, the configured `[latex] sources`) cites is kept instead and becomes
    final as it is: a paper citing it must not break. `cited` gives the cited keys
    directly (the sources are then not read).
    """
    ready = [e for e in library if is_provisional(e) and metadata_complete(e)]
    if not ready:
        return []
    if cited is None:
        from genbib.bibtex.citations import scan_files

        where: dict[str, str] = {}
        for c in scan_files(sources):
            where.setdefault(c.key.casefold(), f"{c.file}:{c.line}")
    else:
        where = {k.casefold(): "a LaTeX source" for k in cited}
    folded = {k.casefold() for k in library.taken_keys()}
    out: list[Problem] = []
    for entry in sorted(ready, key=lambda e: e.key):
        old = entry.key
        mark_provisional(entry, False)
        if old.casefold() in where:
            out.append(
                Problem(
                    "key-kept",
                    f"provisional key {old!r} kept as final: {where[old.casefold()]} cites it",
                    Severity.INFO,
                    entry.file,
                    entry.line,
                    old,
                )
            )
            continue
        own = {k.casefold() for k in (old, *entry.aliases)}  # this paper's keys: fair game
        new = fresh_key(entry, folded - own, formula)
        if new == old:
            continue  # the formula's key already (a formula without the missing part)
        entry.key = new  # as `rekey` does; `folded` already rules out every clash
        entry.set("ids", ", ".join(a for a in entry.aliases if a.casefold() != new.casefold()))
        entry.add_alias(old)
        library.retired.setdefault(old, superseded_note(entry, new))
        folded.add(new.casefold())
        out.append(
            Problem(
                "key-final",
                f"provisional key {old!r} is now {new!r} (metadata complete); "
                f"{old!r} kept in ids and retired",
                Severity.INFO,
                entry.file,
                entry.line,
                new,
            )
        )
    return out
