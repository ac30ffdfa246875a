"""Shared fixtures for the BibTeX core tests: the hand-written corner-case files."""

from __future__ import annotations

from pathlib import Path

import pytest

CORNERS = Path(__file__).resolve().parents[1] / "data" / "bibtex" / "corners"


@pytest.fixture
def corners() -> Path:
    return CORNERS
