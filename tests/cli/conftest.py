"""Running the real CLI entry point in-process, with its exit code and both streams."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from genbib.cli import main


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def genbib(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """`genbib(*args)` runs `main(args)` as the console script would and returns the result."""

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
