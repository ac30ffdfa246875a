"""The rendered lists and stubs of the fixture bib, compared byte for byte with snapshots.

A snapshot is the reviewable record of what the templates produce; changing a template
means regenerating the snapshots (GENBIB_UPDATE_SNAPSHOTS=1) and reading the diff.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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
