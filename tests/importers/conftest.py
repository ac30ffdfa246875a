"""Shared helpers for the importer tests: the lab's configuration and a one-call import."""

from __future__ import annotations

from pathlib import Path

import pytest

from genbib.config import Config, load
from genbib.importers import ImportReport, import_sources
from genbib.model.library import Library

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "importers"
SOURCES = ROOT / "sources"
SEED_METADATA = ROOT / "bib" / "seed-metadata.bib"


@pytest.fixture(scope="session")
def lab_config() -> Config:
    return load(ROOT / "genbib.toml")


def run_import(
    paths: list[Path], config: Config, library: Library | None = None, **kw: object
) -> tuple[Library, ImportReport]:
    lib = library if library is not None else Library()
    report = import_sources(lib, paths, config, **kw)  # type: ignore[arg-type]
    return lib, report


def codes(report: ImportReport) -> list[str]:
    return [p.code for p in report.problems]


def find(report: ImportReport, code: str, text: str = "") -> list[str]:
    """`file:line message` of the findings with `code` whose message contains `text`."""
    return [
        f"{Path(p.file).name}:{p.line} {p.message}"
        for p in [*report.problems, *report.skipped]
        if p.code == code and text in p.message
    ]
