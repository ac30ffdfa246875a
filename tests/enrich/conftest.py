"""Fixtures for the enrich tests: a fake API, a fake clock, a fetcher wired to both."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from enrich_fakes import FakeAPI

from genbib.enrich.cache import Cache
from genbib.enrich.http import FakeClock, Fetcher
from genbib.enrich.run import policies


@pytest.fixture
def api() -> FakeAPI:
    return FakeAPI()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_fetcher(api: FakeAPI, clock: FakeClock, tmp_path: Path) -> Callable[..., Fetcher]:
    def make(**kw: object) -> Fetcher:
        args: dict[str, object] = {
            "policies": policies(),
            "cache": Cache(tmp_path / "cache.json"),
            "contact": "lab@example.org",
            "clock": clock,
            "transport": httpx2.MockTransport(api),
        }
        args.update(kw)
        return Fetcher(**args)  # type: ignore[arg-type]

    return make
