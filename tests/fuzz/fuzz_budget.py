"""The fuzzing budget: GENBIB_FUZZ_SECONDS (whole run, all targets) split between targets.

The default keeps CI short (20 s for every target together); `make fuzz` sets 600.
A hypothesis target is run again and again (fresh random examples each time) until its
share is spent; an atheris target gets its share as `-max_total_time`. No assertion
depends on the time: it only bounds how long the search goes on.
"""

from __future__ import annotations

import importlib.util
import os

TOTAL_SECONDS = float(os.environ.get("GENBIB_FUZZ_SECONDS", "20"))
HYPOTHESIS_TARGETS = 5
ATHERIS_TARGETS = 4
HAVE_ATHERIS = importlib.util.find_spec("atheris") is not None


def share() -> float:
    """Seconds for one target."""
    return TOTAL_SECONDS / (HYPOTHESIS_TARGETS + (ATHERIS_TARGETS if HAVE_ATHERIS else 0))
