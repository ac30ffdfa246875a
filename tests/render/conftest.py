"""Shared fixtures for the render tests: the fixture bib and a lab directory around it."""

from __future__ import annotations

import difflib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from genbib.bibtex.reader import read_file
from genbib.config import Config, from_dict
from genbib.model.library import Library
from genbib.render import Rendering

DATA = Path(__file__).resolve().parents[1] / "data" / "render"
FIXTURE_BIB = DATA / "fixture.bib"

TOPICS: list[dict[str, Any]] = [
    {
        "slug": "diffusion",
        "title": "Diffusion models",
        "description": "Denoising diffusion and score-based generative models.",
    },
    {"slug": "flows", "title": "Flows", "description": "Normalizing flows and flow matching."},
    {
        "slug": "sampling",
        "title": "Fast sampling",
        "description": "Fewer steps: implicit samplers, better solvers, distillation.",
    },
]


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    """A lab directory: bib/genmodels.bib holds the fixture; outputs go beside it."""
    (tmp_path / "bib").mkdir()
    shutil.copy(FIXTURE_BIB, tmp_path / "bib" / "genmodels.bib")
    return tmp_path


@pytest.fixture
def make_config(lab: Path) -> Callable[..., Config]:
    def make(**render: Any) -> Config:
        data: dict[str, Any] = {"topics": TOPICS}
        if render:
            data["render"] = render
        return from_dict(data, source=str(lab / "genbib.toml"), root=lab)

    return make


@pytest.fixture
def config(make_config: Callable[..., Config]) -> Config:
    return make_config()


@pytest.fixture
def library(lab: Path) -> Library:
    return read_file(lab / "bib" / "genmodels.bib")


SNAPSHOTS = Path(__file__).resolve().parents[1] / "data" / "render" / "snapshots"


def assert_snapshot(rendering: Rendering, base: Path, name: str) -> None:
    """Every output under `base` equals the stored file under snapshots/`name`/, and no
    stored file is missing from the rendering."""
    folder = SNAPSHOTS / name
    got = {o.path.relative_to(base).as_posix(): o.text for o in rendering.outputs}
    if os.environ.get("GENBIB_UPDATE_SNAPSHOTS"):
        for rel, text in got.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(text, encoding="utf-8")
    stored = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert stored == set(got), f"snapshot {name}: files differ (GENBIB_UPDATE_SNAPSHOTS=1)"
    for rel, text in sorted(got.items()):
        want = (folder / rel).read_text(encoding="utf-8")
        if want != text:
            diff = "".join(
                difflib.unified_diff(
                    want.splitlines(keepends=True), text.splitlines(keepends=True), rel, "rendered"
                )
            )
            raise AssertionError(f"snapshot {name}/{rel} differs:\n{diff}")


@pytest.fixture
def snapshot() -> Callable[[Rendering, Path, str], None]:
    return assert_snapshot


HOSTILE_TOPIC: dict[str, Any] = {
    "slug": "hostile",
    "title": "Hostile <b>input</b> | 100% & $x$ _ #",
    "description": "Titles with | pipes, <script>, ](), \\input{x}, %, &, $, _ and Unicode: é 中.",
}


@pytest.fixture
def hostile_lab(tmp_path: Path) -> Path:
    (tmp_path / "bib").mkdir()
    shutil.copy(DATA / "hostile.bib", tmp_path / "bib" / "genmodels.bib")
    return tmp_path


@pytest.fixture
def make_hostile_config(hostile_lab: Path) -> Callable[..., Config]:
    def make(**render: Any) -> Config:
        data: dict[str, Any] = {"topics": [HOSTILE_TOPIC], "render": render}
        return from_dict(data, source=str(hostile_lab / "genbib.toml"), root=hostile_lab)

    return make
