"""The rendered lists and stubs of the fixture bib, compared byte for byte with snapshots.

A snapshot is the reviewable record of what the templates produce; changing a template
means regenerating the snapshots (GENBIB_UPDATE_SNAPSHOTS=1) and reading the diff.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from genbib.config import Config
from genbib.model.library import Library
from genbib.render import Rendering, render

Snapshot = Callable[[Rendering, Path, str], None]


def test_fixture_lists_and_stubs_natbib(
    library: Library, config: Config, lab: Path, snapshot: Snapshot
) -> None:
    snapshot(render(library, config), lab, "fixture-natbib")


def test_fixture_stubs_biblatex_subsection(
    library: Library, make_config: Callable[..., Config], lab: Path, snapshot: Snapshot
) -> None:
    cfg = make_config(citations="biblatex", heading="subsection")
    snapshot(render(library, cfg, formats=("tex",)), lab, "fixture-biblatex")


def test_fixture_lists_text_badges_oldest_first(
    library: Library, make_config: Callable[..., Config], lab: Path, snapshot: Snapshot
) -> None:
    cfg = make_config(badges="text", order="oldest", authors=2)
    snapshot(render(library, cfg, formats=("md",)), lab, "fixture-text-oldest")


ROOT = Path(__file__).resolve().parents[2]


def test_the_lab_s_own_lists_and_stubs(snapshot: Snapshot) -> None:
    """The lab's bib/genmodels.bib under its genbib.toml: the reviewable record of what
    `genbib render` publishes. After a change to the bib, regenerate with
    GENBIB_UPDATE_SNAPSHOTS=1 and read the diff."""
    from genbib.bibtex.store import load as load_bib
    from genbib.config import load

    config = load(ROOT / "genbib.toml")
    library = load_bib(config.bib_path)
    if not len(library):
        pytest.skip("bib/genmodels.bib is empty")
    snapshot(render(library, config), config.root, "lab")  # rendered in memory, not written
