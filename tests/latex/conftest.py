"""Fixtures for the compile tests: the CLI run in-process, as tests/cli runs it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.cli.conftest import Run

from genbib.cli import main


@pytest.fixture
def genbib(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    def run(*args: str) -> Run:
        capsys.readouterr()
        try:
            result = main(list(args))
            code = result if isinstance(result, int) else 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
