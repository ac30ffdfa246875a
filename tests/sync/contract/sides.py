"""The two remote sides a contract scenario runs against, behind one small interface.

- `MemorySide`: `genbib.sync.memory.MemoryRemote`, the in-memory remote the engine tests use.
- `EmulatorSide`: the real `ZoteroRemote` over `ZoteroAdapter` and pyzotero, talking HTTP to
  the strict Zotero emulator (`genbib.testing.zotero`).

A scenario drives the bib with `runner.run` (the same code for both sides) and acts "as
another lab member" through the side's methods, which speak in plain terms (a title, a
year, an arXiv id) so the scenario never sees how either side stores an item. Where the
in-memory remote has no notion of something Zotero has (the trash, child notes), its
method does what that means to the sync: a trashed item is gone, a restored one is back.

To add a scenario, write a function taking a `Side` in `test_contract.py`; to teach the
sides a new member action, add a method to both classes here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from genbib.bibtex.reader import parse
from genbib.model.library import Library
from genbib.sync.memory import MemoryRemote, Stored
from genbib.sync.remote import Remote
from genbib.sync.session import Options, Result, run
from genbib.sync.state import State
from genbib.sync.zotero_side import ZoteroRemote
from genbib.testing.zotero import ZoteroEmulator
from genbib.zotero.adapter import ZoteroAdapter
from genbib.zotero.mapping import BIB_TYPES

OPTIONS = Options(retry_wait=0, force_delete=True)

BIB = r"""
@misc{ho2020denoising, author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  title = {Denoising Diffusion Probabilistic Models}, year = {2020},
  eprint = {2006.11239}, archiveprefix = {arXiv}}
@inproceedings{song2021score, author = {Song, Yang and Ermon, Stefano},
  title = {Score-Based Generative Modeling through Stochastic Differential Equations},
  booktitle = {International Conference on Learning Representations}, year = {2021}}
@article{kingma2019introduction, author = {Kingma, Diederik P. and Welling, Max},
  title = {An Introduction to Variational Autoencoders},
  journal = {Foundations and Trends in Machine Learning}, year = {2019}, volume = {12}}
@misc{rombach2022high, author = {Rombach, Robin and Blattmann, Andreas},
  title = {High-Resolution Image Synthesis with Latent Diffusion Models}, year = {2022},
  eprint = {2112.10752}, archiveprefix = {arXiv}}
@misc{karras2019style, author = {Karras, Tero and Laine, Samuli and Aila, Timo},
  title = {A Style-Based Generator Architecture for Generative Adversarial Networks},
  year = {2019}, eprint = {1812.04948}, archiveprefix = {arXiv}}
"""


class Side(Protocol):
    """What a scenario needs of a remote side."""

    name: str
    library: Library
    state: State

    @property
    def remote(self) -> Remote: ...
    def sync(self, options: Options = OPTIONS) -> Result: ...
    def item_of(self, key: str) -> str: ...
    def live(self) -> set[str]: ...
    def title(self, item: str) -> str | None: ...
    def add_paper(self, title: str, year: str, *, author: str, arxiv: str = "") -> str: ...
    def edit(self, item: str, *, title: str | None = None, year: str | None = None) -> None: ...
    def delete(self, item: str) -> None: ...
    def trash(self, item: str) -> None: ...
    def restore(self, item: str) -> None: ...
    def add_note(self, item: str, text: str) -> None: ...
    def notes(self, item: str) -> list[str]: ...
    def retype_to_conference(self, item: str, venue: str) -> None: ...
    def bib_type(self, item: str) -> str: ...


@dataclass
class _Common:
    library: Library = field(default_factory=lambda: parse(BIB, "contract.bib"))
    state: State = field(default_factory=State)

    @property
    def remote(self) -> Remote:
        raise NotImplementedError

    def sync(self, options: Options = OPTIONS) -> Result:
        return run(self.library, self.remote, self.state, options)

    def item_of(self, key: str) -> str:
        return self.state.by_key()[key].item


def _braced(value: str) -> str:
    return "{" + value + "}"


def _unbraced(value: str | None) -> str | None:
    if value is None:
        return None
    return value[1:-1] if value.startswith("{") and value.endswith("}") else value


@dataclass
class MemorySide(_Common):
    name: str = "memory"
    memory: MemoryRemote = field(default_factory=MemoryRemote)
    _trash: dict[str, Stored] = field(default_factory=dict)
    _notes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def remote(self) -> Remote:
        return self.memory

    def live(self) -> set[str]:
        return set(self.memory.items)

    def title(self, item: str) -> str | None:
        stored = self.memory.items.get(item)
        return _unbraced(stored.fields.get("title")) if stored else None

    def add_paper(self, title: str, year: str, *, author: str, arxiv: str = "") -> str:
        fields = {"@type": "misc", "title": _braced(title), "year": _braced(year),
                  "author": _braced(author)}  # fmt: skip
        if arxiv:
            fields.update(eprint=_braced(arxiv), archiveprefix="{arXiv}")
        return self.memory.add(fields)

    def edit(self, item: str, *, title: str | None = None, year: str | None = None) -> None:
        changes = {k: _braced(v) for k, v in (("title", title), ("year", year)) if v is not None}
        self.memory.edit(item, **changes)

    def delete(self, item: str) -> None:
        self.memory.remove(item)

    def trash(self, item: str) -> None:
        # no trash in memory: to the sync, a trashed item is a deleted one
        self._trash[item] = self.memory.items[item]
        self.memory.remove(item)

    def restore(self, item: str) -> None:
        stored = self._trash.pop(item)
        self.memory.version += 1
        self.memory.deleted.pop(item, None)
        self.memory.items[item] = Stored(self.memory.version, stored.key, dict(stored.fields))

    def add_note(self, item: str, text: str) -> None:
        self._notes.setdefault(item, []).append(text)  # children are not the sync's business

    def notes(self, item: str) -> list[str]:
        return list(self._notes.get(item, []))

    def retype_to_conference(self, item: str, venue: str) -> None:
        self.memory.edit(item, **{"@type": "inproceedings", "booktitle": _braced(venue)})

    def bib_type(self, item: str) -> str:
        return self.memory.items[item].fields.get("@type", "")


@dataclass
class EmulatorSide(_Common):
    name: str = "emulator"
    emu: ZoteroEmulator | None = None
    _remote: ZoteroRemote | None = None

    @property
    def zotero(self) -> ZoteroEmulator:
        assert self.emu is not None
        return self.emu

    @property
    def remote(self) -> Remote:
        if self._remote is None:
            emu = self.zotero
            adapter = ZoteroAdapter(
                "group", str(emu.group_id), emu.api_key, emu.url, sleep=lambda s: None
            )
            self._remote = ZoteroRemote(adapter)
        return self._remote

    def live(self) -> set[str]:
        return {k for k, d in self.zotero.library.top_items().items() if not d.get("deleted")}

    def title(self, item: str) -> str | None:
        try:
            data = self.zotero.library.item(item)
        except KeyError:
            return None
        return None if data.get("deleted") else str(data.get("title", ""))

    def add_paper(self, title: str, year: str, *, author: str, arxiv: str = "") -> str:
        last, _, first = author.partition(", ")
        item: dict[str, Any] = {
            "itemType": "preprint" if arxiv else "journalArticle",
            "title": title,
            "date": year,
            "creators": [{"creatorType": "author", "firstName": first, "lastName": last}],
        }
        if arxiv:
            item.update(
                archiveID=f"arXiv:{arxiv}", repository="arXiv", url=f"http://arxiv.org/abs/{arxiv}"
            )
        return self.zotero.library.seed_items([item])[0]

    def edit(self, item: str, *, title: str | None = None, year: str | None = None) -> None:
        changes = {k: v for k, v in (("title", title), ("date", year)) if v is not None}
        self.zotero.library.edit_item(item, **changes)

    def delete(self, item: str) -> None:
        self.zotero.library.remove_items([item])

    def trash(self, item: str) -> None:
        self.zotero.library.trash_item(item)

    def restore(self, item: str) -> None:
        self.zotero.library.restore_item(item)

    def add_note(self, item: str, text: str) -> None:
        self.zotero.library.seed_items([{"itemType": "note", "note": text, "parentItem": item}])

    def notes(self, item: str) -> list[str]:
        lib = self.zotero.library
        return [
            lib.item(k)["note"] for k in lib.children(item) if lib.item(k)["itemType"] == "note"
        ]

    def retype_to_conference(self, item: str, venue: str) -> None:
        # as a member does in Zotero's item pane: the type, then the new type's venue field
        self.zotero.library.edit_item(item, itemType="conferencePaper", proceedingsTitle=venue)

    def bib_type(self, item: str) -> str:
        return BIB_TYPES.get(self.zotero.library.item(item)["itemType"], "misc")

    def merge(self, master: str, other: str) -> None:
        """A member's "Merge Items" in Zotero (see Library.merge_items)."""
        self.zotero.library.merge_items(master, [other])

    def add_tag(self, item: str, tag: str, kind: int = 0) -> None:
        tags = self.zotero.library.item(item)["tags"]
        self.zotero.library.edit_item(item, tags=[*tags, {"tag": tag, "type": kind}])

    def tags(self, item: str) -> list[dict[str, object]]:
        return list(self.zotero.library.item(item)["tags"])
