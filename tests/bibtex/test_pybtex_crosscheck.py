"""Cross-check against pybtex: on well-formed files both readers see the same entries.

pybtex expands macros and splits persons out of the fields, so genbib's side is put in
the same shape (macros expanded with `plain`, names parsed with the same grammar).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from pybtex.database import BibliographyData, parse_string

from genbib.bibtex.reader import decode, parse
from genbib.bibtex.writer import dumps
from genbib.model import Library
from genbib.model.values import plain

ROOT = Path(__file__).resolve().parents[2]
PERSON_FIELDS = ("author", "editor")


def _ws(text: str) -> str:
    return " ".join(text.split())


def _genbib_view(lib: Library) -> dict[str, tuple[str, dict[str, str], dict[str, int]]]:
    macros = lib.macros()
    out = {}
    for e in lib:
        fields = {
            n: _ws(plain(raw, macros)) for n, raw in e.fields.items() if n not in PERSON_FIELDS
        }
        persons = {r: len(e.names(r)) for r in PERSON_FIELDS if r in e.fields}
        out[e.key] = (e.type.lower(), fields, persons)
    return out


def _pybtex_view(db: BibliographyData) -> dict[str, tuple[str, dict[str, str], dict[str, int]]]:
    out = {}
    for key, e in db.entries.items():
        fields = {n.lower(): _ws(str(v)) for n, v in e.fields.items()}
        persons = {r.lower(): len(p) for r, p in e.persons.items()}
        out[key] = (e.type.lower(), fields, persons)
    return out


def _same(text: str) -> None:
    ours = parse(text)
    assert ours.problems == []
    theirs = parse_string(text, bib_format="bibtex")
    assert list(_genbib_view(ours)) == list(theirs.entries)  # same keys, same order
    assert _genbib_view(ours) == _pybtex_view(theirs)
    # and the canonical rewrite is still the same bibliography for pybtex
    rewritten = parse_string(dumps(ours), bib_format="bibtex")
    assert _pybtex_view(rewritten) == _pybtex_view(theirs)


@pytest.mark.parametrize("name", ["syntax.bib", "crlf.bib", "bom.bib", "latin1.bib"])
def test_hand_written_files(corners: Path, name: str) -> None:
    text, _ = decode((corners / name).read_bytes())
    # BibTeX itself reads an `@` in free text as a command; pybtex refuses it.
    _same(text.replace("someone@example.org", "someone at example.org"))


def _generator():  # type: ignore[no-untyped-def]
    path = ROOT / "bench" / "generate.py"
    spec = importlib.util.spec_from_file_location("genbib_bench_generate", path)
    if spec is None or spec.loader is None or not path.exists():
        pytest.skip("bench/generate.py not available")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the benchmark generator is another engineer's file
        pytest.skip(f"bench/generate.py does not import: {exc}")
    return module


@pytest.mark.parametrize("seed", [0, 1])
def test_generated_ml_bibliography(seed: int) -> None:
    text, _truth = _generator().generate(300, seed=seed)
    _same(text)
