"""Fuzz fixtures: `fuzz_for` runs a hypothesis test for its share of the budget
(see fuzz_budget.py)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # `import targets, strategies, fuzz_budget`

from fuzz_budget import share


@pytest.fixture
def fuzz_for() -> Callable[[Callable[[], None]], int]:
    """Run a hypothesis test repeatedly for this target's share of the budget; the rounds."""

    def run(test: Callable[[], None]) -> int:
        deadline = time.monotonic() + share()
        rounds = 0
        while True:
            test()
            rounds += 1
            if time.monotonic() >= deadline:
                return rounds

    return run
