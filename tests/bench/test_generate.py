"""The benchmark generator: realistic, deterministic, and its ground truth is right.

The reader/writer, dedupe and render benchmarks all stand on bench/generate.py, so a
generator that drifted (unparsable output, truth pairs naming missing keys, look-alikes
that are really copies) would make every figure meaningless.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import unicodedata
from pathlib import Path
from types import ModuleType

import pytest

from genbib.bibtex.reader import parse
from genbib.model.entry import Entry
from genbib.model.library import Comment, StringDef, Text

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "genbib_bench_generate", ROOT / "bench" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


gen = _load()


@pytest.fixture(scope="module")
def big() -> object:
    return gen.generate_detailed(2000, seed=7)


def _fold(text: str) -> str:
    text = re.sub(r"\\[a-zA-Z]+\s*|\\.|[{}]", "", text)  # drop LaTeX accent commands and braces
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _words(title: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", _fold(title)))


def test_deterministic_for_a_seed() -> None:
    assert gen.generate(300, seed=3) == gen.generate(300, seed=3)
    assert gen.generate(300, seed=3)[0] != gen.generate(300, seed=4)[0]


def test_text_parses_cleanly_with_n_unique_keys(big: object) -> None:
    lib = parse(big.text)  # type: ignore[attr-defined]
    assert lib.problems == []
    keys = [e.key for e in lib]
    assert len(keys) == 2000 == len({k.lower() for k in keys})  # BibTeX keys ignore case
    kinds = {type(b) for b in lib.blocks}
    assert {Entry, StringDef, Comment, Text} <= kinds  # macros, @comment, % lines
    types = {e.type.lower() for e in lib}
    assert {"inproceedings", "article", "misc"} <= types
    text = big.text  # type: ignore[attr-defined]
    assert re.search(r"\{\\[\"'`~^vcu]\{?\w\}?\}", text)  # LaTeX accents
    assert re.search(r"[äöüéçğıřł]", text)  # and UTF-8 ones
    assert "$" in text and "{GAN}" in text  # math, braced acronyms
    assert any("abstract" in e.fields for e in lib)
    assert any(e.fields.get("booktitle", "").isalpha() for e in lib)  # @string macro uses
    n_authors = [len(e.names()) for e in lib if not e.get("author", "").endswith("others")]
    assert min(n_authors) >= 3 and max(n_authors) <= 15


def test_duplicates_are_about_five_percent_and_the_same_paper(big: object) -> None:
    lib = parse(big.text)  # type: ignore[attr-defined]
    by = lib.by_key()
    pairs = big.duplicates  # type: ignore[attr-defined]
    assert 80 <= len(pairs) <= 120  # ~5% of 2000
    assert len({k for pair in pairs for k in pair}) == 2 * len(pairs)
    for a, b in pairs:
        ea, eb = by[a], by[b]
        # Same first author (family name, accents and LaTeX aside) and close years.
        assert _fold(ea.names()[0].last) == _fold(eb.names()[0].last)
        assert abs((ea.year or 0) - (eb.year or 0)) <= 1
        # Titles share nearly all words (a dropped plural or a "DiT:" prefix at most).
        wa, wb = _words(ea.title), _words(eb.title)
        assert len(wa & wb) >= 0.6 * max(len(wa), len(wb)), (ea.title, eb.title)


def test_every_kind_of_variant_is_planted(big: object) -> None:
    variants = big.variants  # type: ignore[attr-defined]
    seen = {v for applied in variants.values() for v in applied}
    assert seen == set(gen.VARIANTS)
    lib = parse(big.text)  # type: ignore[attr-defined]
    by = lib.by_key()
    for a, b in big.duplicates:  # type: ignore[attr-defined]
        ea, eb = by[a], by[b]
        applied = variants[b]
        if "prefix" in applied:
            assert re.search(r"\{[A-Z]+\}: ", eb.title)
        if "link" in applied and ea.get("url") and eb.get("url"):
            assert {"pdf" in ea.get("url", ""), "pdf" in eb.get("url", "")} == {True, False}
        if "arxiv" in applied:  # one side is the preprint, the other the venue version
            assert ("booktitle" in ea.fields or "journal" in ea.fields) or (
                "booktitle" in eb.fields or "journal" in eb.fields
            )


def test_lookalikes_are_different_papers(big: object) -> None:
    lib = parse(big.text)  # type: ignore[attr-defined]
    by = lib.by_key()
    looks = big.lookalikes  # type: ignore[attr-defined]
    assert len(looks) >= 20
    truth = {frozenset(p) for p in big.duplicates}  # type: ignore[attr-defined]
    for a, b in looks:
        assert frozenset((a, b)) not in truth
        ea, eb = by[a], by[b]
        assert _words(ea.title) < _words(eb.title)  # "Consistency Models" in "Improved ..."
        assert ea.arxiv != eb.arxiv or ea.arxiv is None


def test_cli_writes_bib_and_truth(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, truth = tmp_path / "g.bib", tmp_path / "t.json"
    assert gen.main(["200", str(out), str(truth)]) == 0
    text, pairs = gen.generate(200)
    assert out.read_text(encoding="utf-8") == text
    assert json.loads(truth.read_text(encoding="utf-8")) == [list(p) for p in pairs]
    assert "200 entries" in capsys.readouterr().out
