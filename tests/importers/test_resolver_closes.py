"""An identifier list imported online resolves through a fetcher that the import closes,
with its cache saved, however the run ends (it did neither before)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.importers.conftest import DATA, run_import

from genbib.config import Config
from genbib.enrich import run as enrich_run
from genbib.errors import InputError


class _Fetcher:
    offline = False
    cache = None

    def __init__(self) -> None:
        self.entered = self.exited = 0

    def __enter__(self) -> _Fetcher:
        self.entered += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self.exited += 1


@pytest.fixture
def fetchers(monkeypatch: pytest.MonkeyPatch) -> list[_Fetcher]:
    made: list[_Fetcher] = []

    def make(*_args: Any) -> _Fetcher:
        made.append(_Fetcher())
        return made[-1]

    monkeypatch.setattr(enrich_run, "make_fetcher", make)
    monkeypatch.setattr(
        "genbib.enrich.add.resolve", lambda ident, fetcher, **_kw: _unresolved(ident)
    )
    return made


def _unresolved(ident: str) -> Any:
    raise InputError(f"{ident}: could not resolve the paper (test)")


def test_the_resolver_fetcher_is_closed_after_the_import(
    lab_config: Config, fetchers: list[_Fetcher]
) -> None:
    run_import([DATA / "own" / "ids.txt"], lab_config, offline=False)
    assert len(fetchers) == 1 and fetchers[0].entered == fetchers[0].exited == 1


def test_and_when_the_import_fails(
    lab_config: Config, fetchers: list[_Fetcher], tmp_path: Path
) -> None:
    (tmp_path / "empty.md").write_text("# nothing here\n\njust prose\n")
    with pytest.raises(InputError):
        run_import([DATA / "own" / "ids.txt", tmp_path / "empty.md"], lab_config, offline=False)
    assert len(fetchers) == 1 and fetchers[0].entered == fetchers[0].exited == 1
