"""Suite-wide settings: the hypothesis profile and the quick-start nested run."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# In CI the examples are derandomized (the same ones every run, as run before landing);
# locally every run draws fresh ones.
settings.register_profile(
    "genbib",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    max_examples=100,
    derandomize=bool(os.environ.get("CI")),
)
settings.load_profile("genbib")


def pytest_configure(config: pytest.Config) -> None:
    # The Zotero emulator validates against Zotero's real schema.json, kept outside the repo
    # at ../shared/realworld/zotero-schema/ (CI has it there). Point every test, and every
    # subprocess a test starts, at that file; without it the run stops here, loudly.
    from genbib.testing.zotero.schema import SCHEMA_ENV, SchemaNotFound, find_schema_file

    try:
        os.environ[SCHEMA_ENV] = str(find_schema_file(os.environ.get(SCHEMA_ENV)).resolve())
    except SchemaNotFound as err:
        raise pytest.UsageError(f"genbib tests need the shared Zotero schema: {err}") from err


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The README quick-start test runs `make test` in a fresh clone; that nested run
    # checks the suite passes there without repeating the slow tests a second time.
    if os.environ.get("GENBIB_QUICKSTART_NESTED"):
        skip = pytest.mark.skip(reason="nested quick-start run: slow tests ran in the outer suite")
        for item in items:
            if "slow" in item.keywords:
                item.add_marker(skip)
