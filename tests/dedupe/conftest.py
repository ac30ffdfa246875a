"""Shared helpers: entries written the way BibTeX sources write them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from genbib.bibtex.reader import parse
from genbib.model.entry import Entry


def _entries(text: str) -> list[Entry]:
    lib = parse(text, "test.bib")
    assert not lib.problems, lib.problems
    return lib.entries


def _entry(text: str) -> Entry:
    (e,) = _entries(text)
    return e


@pytest.fixture
def bib() -> Callable[[str], list[Entry]]:
    """Entries parsed from BibTeX text."""
    return _entries


@pytest.fixture
def one() -> Callable[[str], Entry]:
    """The single entry of a BibTeX text."""
    return _entry
