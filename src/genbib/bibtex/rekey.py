"""`genbib rekey OLD NEW`: the one operation allowed to change a citation key.

The old key goes into the entry's `ids` field (a biblatex alias) so documents that cite
it still resolve under biber. `upgrade_keys` is the only automatic use: a provisional
key (see `genbib.bibtex.keys`) becomes the formula's key once the paper is complete.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
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
from genbib.bibtex.writer import Order
from genbib.errors import GenbibError
from genbib.model.entry import Entry
from genbib.model.library import Library
from genbib.model.problems import Problem, Severity


def rekey(library: Library, old: str, new: str) -> None:
    """Rename `old` to `new` in place; refuses clashes with any key or alias.

    Renaming an entry back to one of its own former keys is allowed: that alias is
    dropped from `ids` (it is the key again) and the current key becomes an alias.
    """
    entry = library.by_key().get(old)
    folded = new.casefold()
    clash = next((o.key for o in library if o is not entry and holds_key(o, folded)), None)
    rename(entry, old, new, library.retired, clash)


def rekey_file(
    path: str | Path, old: str, new: str, *, order: Order = "key", dry_run: bool = False
) -> None:
    """`rekey` on the bib at `path`, under its lock, written canonically and atomically.

    The same checks and the same bytes as `rekey` inside `store.edit`, streamed
    (`store.edit_entry`): one pass over the file formats the entries it does not change
    (an entry already canonical is kept as its bytes), notes the entry called `old` and
    the first other entry that holds `new`; the library is never held as entries. No key
    leaves the bib (`old` becomes an alias), so the retired-key record is not changed.
    """
    from genbib.bibtex.store import edit_entry

    folded = new.casefold()
    target: list[Entry] = []
    clash: list[str] = []

    def pick(entry: Entry) -> bool:
        if not target and entry.key == old:  # the first one, as `Library.by_key` has it
            target.append(entry)
            return True
        if not clash and holds_key(entry, folded):
            clash.append(entry.key)
        return False

    with edit_entry(path, pick, order=order, dry_run=dry_run) as picked:
        rename(picked.entry, old, new, picked.retired, clash[0] if clash else None)


def holds_key(entry: Entry, folded: str) -> bool:
    """Whether `entry` is called `folded` (case-folded), as its key or an alias."""
    if entry.key.casefold() == folded:
        return True
    # `ids` parsed only where there is one: this runs for every entry of the bib.
    return "ids" in entry.fields and any(a.casefold() == folded for a in entry.aliases)


def rename(
    entry: Entry | None, old: str, new: str, retired: Iterable[str], clash: str | None
) -> None:
    """Give `entry` (the one called `old`; None when there is none) the key `new`, or
    refuse: `new` breaks the key rule, is retired, or is held by the entry `clash`."""
    why = key_problem(new)  # the one key rule (genbib.bibtex.keys)
    if why is not None:
        raise GenbibError(f"{new!r} is not a usable citation key ({why})", hint=KEY_RULE)
    if entry is None:
        raise GenbibError(f"no entry with key {old!r}")
    if new == old:
        raise GenbibError(f"the entry is already called {old!r}")
    folded = new.casefold()  # BibTeX and biber compare keys case-insensitively
    if folded in {k.casefold() for k in retired}:
        raise GenbibError(
            f"key {new!r} is retired: a deleted paper had it, and documents may still cite it",
            hint="choose another key (retired keys are listed in the bib's .retired-keys.txt)",
        )
    if clash is not None:
        raise GenbibError(f"key {new!r} is already used (as a key or an alias of {clash!r})")
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
