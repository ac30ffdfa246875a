"""The Zotero emulator fixtures, and a small lab (a project directory + an emulator) for scenarios."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from genbib.bibtex.store import edit, format_file, load
from genbib.config import Config, from_dict
from genbib.model.entry import Entry
from genbib.model.library import Library
from genbib.sync.session import Options
from genbib.sync.state import State, state_path
from genbib.sync.state import load as load_state
from genbib.sync.zotero_side import ZoteroRemote
from genbib.testing.zotero import ZoteroEmulator
from genbib.testing.zotero.fixtures import zotero_server, zotero_server_factory  # noqa: F401
from genbib.workflow.sync import SyncReport, sync
from genbib.zotero.adapter import ZoteroAdapter

DATA = Path(__file__).parents[1] / "data" / "sync"


@dataclass
class Lab:
    """One lab: its project directory (genbib.toml, bib/) and its Zotero group."""

    emu: ZoteroEmulator
    root: Path
    config: Config
    last_requests: int = 0

    @property
    def bib(self) -> Path:
        return self.config.bib_path

    def remote(self, _config: Config) -> ZoteroRemote:
        z = self.config.zotero
        adapter = ZoteroAdapter(
            z.library_type, z.library_id, self.emu.api_key, self.emu.url, sleep=lambda s: None
        )
        return ZoteroRemote(
            adapter, self.config.topics, automatic_tags=self.config.zotero.automatic_tags
        )

    def sync(self, **options: Any) -> SyncReport:
        before = len(self.emu.requests)
        opts = Options(retry_wait=0, key_formula=self.config.keys.formula, **options)
        report = sync(self.config, opts, remote_factory=self.remote)
        self.last_requests = len(self.emu.requests) - before
        return report

    def library(self) -> Library:
        return load(self.bib)

    def entry(self, key: str) -> Entry:
        return self.library().by_key()[key]

    def edit(self, fn: Callable[[Library], object]) -> None:
        with edit(self.bib) as lib:
            fn(lib)

    def state(self) -> State:
        return load_state(state_path(self.bib))

    def item_key(self, key: str) -> str:
        return self.state().by_key()[key].item

    def item(self, key: str) -> dict[str, Any]:
        return self.emu.library.item(self.item_key(key))

    def top_items(self) -> dict[str, dict[str, Any]]:
        """The papers in Zotero (items in the trash left out)."""
        return {
            k: v
            for k, v in self.emu.library.items().items()
            if not v.get("parentItem") and not v.get("deleted")
        }

    def trashed(self) -> dict[str, dict[str, Any]]:
        """Items in Zotero's trash."""
        return {k: v for k, v in self.emu.library.items().items() if v.get("deleted")}

    def collection(self, name: str) -> str:
        key = self.emu.library.collection_by_name(name)
        assert key is not None
        return key


TOML = """
[zotero]
library_id = "{library}"

[[topics]]
slug = "diffusion"
title = "Diffusion models"

[[topics]]
slug = "vae"
title = "Variational autoencoders"
"""


@pytest.fixture
def make_lab(
    tmp_path: Path,
    zotero_server_factory: Callable[..., ZoteroEmulator],  # noqa: F811
) -> Iterator[Callable[..., Lab]]:
    def make(bib: str = "lab.bib", **emulator: Any) -> Lab:
        emu = zotero_server_factory(**emulator)
        root = tmp_path / f"lab{len(list(tmp_path.iterdir()))}"
        (root / "bib").mkdir(parents=True)
        shutil.copy(DATA / bib, root / "bib" / "genmodels.bib")
        format_file(root / "bib" / "genmodels.bib")  # a lab's bib is canonical
        import tomllib

        text = TOML.format(library=emu.group_id)
        (root / "genbib.toml").write_text(text)
        config = from_dict(tomllib.loads(text), source=str(root / "genbib.toml"), root=root)
        return Lab(emu, root, config)

    yield make


@pytest.fixture
def lab(make_lab: Callable[..., Lab]) -> Lab:
    """A lab whose bib has been synced once to an empty Zotero group."""
    the_lab = make_lab()
    the_lab.sync()
    return the_lab
