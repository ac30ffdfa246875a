"""A library: every block of a .bib file, in order, and the problems found reading it.

Blocks other than entries are kept so that a write gives them back: `@string` macros,
`@preamble`, `@comment`, free text between entries and blocks that did not parse.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from genbib.model.entry import Entry
from genbib.model.problems import Problem
from genbib.model.values import plain


@dataclass(slots=True)
class StringDef:
    """`@string{name = value}`; `raw` is the value expression."""

    name: str
    raw: str
    line: int = 0


@dataclass(slots=True)
class Preamble:
    raw: str
    line: int = 0


@dataclass(slots=True)
class Comment:
    """`@comment{...}`; `text` is its body. `braced` is False for a `@comment` whose
    body is the rest of its line as written (BibTeX's own reading), kept verbatim."""

    text: str
    line: int = 0
    braced: bool = True


@dataclass(slots=True)
class Text:
    """Text outside any block; BibTeX ignores it, genbib keeps it."""

    text: str
    line: int = 0


@dataclass(slots=True)
class Malformed:
    """A block that did not parse, kept byte for byte and written back unchanged."""

    raw: str
    line: int = 0
    reason: str = ""


Block = Entry | StringDef | Preamble | Comment | Text | Malformed


@dataclass(slots=True)
class Library:
    blocks: list[Block] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    file: str = ""
    # Keys that left this bib (key -> note naming the paper): never given to another paper.
    # Filled from the record beside the bib by genbib.bibtex.store; see bibtex/retired.py.
    retired: dict[str, str] = field(default_factory=dict)

    @property
    def entries(self) -> list[Entry]:
        return [b for b in self.blocks if isinstance(b, Entry)]

    def __iter__(self) -> Iterator[Entry]:
        return (b for b in self.blocks if isinstance(b, Entry))

    def __len__(self) -> int:
        return sum(1 for b in self.blocks if isinstance(b, Entry))

    def by_key(self) -> dict[str, Entry]:
        """Entries by key (the first one wins when a key is duplicated)."""
        out: dict[str, Entry] = {}
        for e in self:
            out.setdefault(e.key, e)
        return out

    def macros(self) -> dict[str, str]:
        """`@string` macros, expanded in order (later ones may use earlier ones)."""
        out: dict[str, str] = {}
        for b in self.blocks:
            if isinstance(b, StringDef):
                out[b.name.lower()] = plain(b.raw, out)
        return out

    def key_owners(self) -> dict[str, Entry]:
        """Every key and alias (`ids`) of the entries, with the entry it names: what
        documents can cite today (the first entry wins where a key is repeated)."""
        out: dict[str, Entry] = {}
        for e in self:
            if e.key:
                out.setdefault(e.key, e)
            if "ids" in e.fields:  # parsing `ids` only where there is one keeps this cheap
                for alias in e.aliases:
                    out.setdefault(alias, e)
        return out

    def keys_in_use(self) -> set[str]:
        """Every key and alias (`ids`) of the entries: what documents can cite today."""
        return set(self.key_owners())

    def taken_keys(self) -> set[str]:
        """Keys a new entry must not get: those in use and those retired."""
        return self.keys_in_use() | set(self.retired)

    def add(self, entry: Entry) -> None:
        self.blocks.append(entry)

    def remove(self, key: str) -> Entry | None:
        for i, b in enumerate(self.blocks):
            if isinstance(b, Entry) and b.key == key:
                del self.blocks[i]
                return b
        return None
