"""Both sides behave alike: one random story of bib edits and member actions, told to the
in-memory remote and to the Zotero emulator, leaves the same bib."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genbib.testing.zotero import ZoteroEmulator

from .sides import EmulatorSide, MemorySide, Side

KEYS = ("ho2020denoising", "song2021score", "kingma2019introduction", "rombach2022high",
        "karras2019style")  # fmt: skip
ACTIONS = ("bib-title", "bib-year", "member-title", "member-year", "member-add",
           "member-delete", "member-trash", "member-restore", "bib-delete")  # fmt: skip

story = st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.integers(0, 4), st.integers(0, 99)),
    min_size=1,
    max_size=8,
)


def tell(side: Side, steps: list[tuple[str, int, int]]) -> dict[str, tuple[str, str]]:
    """Apply `steps`, syncing after each; the bib as {key: (title, year)}."""
    side.sync()
    trashed: list[str] = []
    for action, which, n in steps:
        present = [k for k in KEYS if k in side.library.by_key()]
        key = present[which % len(present)] if present else None
        if action == "bib-title" and key:
            side.library.by_key()[key].set("title", f"Title {n}")
        elif action == "bib-year" and key:
            side.library.by_key()[key].set("year", str(1990 + n))
        elif action == "member-title" and key:
            side.edit(side.item_of(key), title=f"Member title {n}")
        elif action == "member-year" and key:
            side.edit(side.item_of(key), year=str(1990 + n))
        elif action == "member-add":
            side.add_paper(f"A new paper number {n}", str(1990 + n), author=f"Smith{n}, Ann")
        elif action == "member-delete" and key and len(present) > 1:
            side.delete(side.item_of(key))
        elif action == "member-trash" and key and len(present) > 1:
            trashed.append(side.item_of(key))
            side.trash(trashed[-1])
        elif action == "member-restore" and trashed:
            side.restore(trashed.pop())
        elif action == "bib-delete" and key and len(present) > 1:
            side.library.remove(key)
        side.sync()
    assert side.sync().changed == 0
    return {e.key: (e.get("title") or "", e.get("year") or "") for e in side.library}


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=story)
def test_both_sides_leave_the_same_bib(
    zotero_server_factory: Callable[..., ZoteroEmulator], steps: list[tuple[str, int, int]]
) -> None:
    emu = zotero_server_factory()
    memory = tell(MemorySide(), steps)
    emulator = tell(EmulatorSide(emu=emu), steps)
    assert emulator == memory
