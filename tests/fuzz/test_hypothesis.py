"""Hypothesis fuzz targets: the reader, the markdown importer, the Zotero mapping and the
renderers on hostile input. Each runs for its share of GENBIB_FUZZ_SECONDS."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import strategies as gs
import targets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genbib.model.entry import Entry

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
SLOW = settings(FUZZ, max_examples=6)  # a render or an import costs ~0.2 s: short rounds
Runner = Callable[[Callable[[], None]], int]


@FUZZ
@given(
    st.one_of(
        gs.bib_text.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=300)
    )
)
def _bib(data: bytes) -> None:
    targets.bib_target(data)


def test_bib_reader(fuzz_for: Runner) -> None:
    assert fuzz_for(_bib) >= 1


@SLOW
@given(gs.markdown_list())
def _markdown(text: str) -> None:
    targets.import_target(text)


def test_markdown_importer(fuzz_for: Runner) -> None:
    assert fuzz_for(_markdown) >= 1


@FUZZ
@given(gs.zotero_item(), st.lists(gs.zotero_child(), max_size=3))
def _zotero(item: dict[str, Any], kids: list[dict[str, Any]]) -> None:
    targets.zotero_target(item, kids)


def test_zotero_mapping(fuzz_for: Runner) -> None:
    assert fuzz_for(_zotero) >= 1


@FUZZ
@given(
    st.lists(st.one_of(gs.zotero_item(shaped=False), gs.zotero_item(), gs.json_value), max_size=4)
)
def _zotero_json(items: list[Any]) -> None:
    targets.zotero_json_target(targets.dumps_json(items))


def test_zotero_json_import(fuzz_for: Runner) -> None:
    assert fuzz_for(_zotero_json) >= 1


@SLOW
@given(
    st.lists(gs.render_entry(), max_size=5),
    st.sampled_from(["natbib", "biblatex"]),
    st.sampled_from(["shields", "text"]),
)
def _render(entries: list[Entry], citations: str, badges: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        targets.render_target(entries, Path(tmp), citations=citations, badges=badges)


def test_renderers(fuzz_for: Runner) -> None:
    assert fuzz_for(_render) >= 1
