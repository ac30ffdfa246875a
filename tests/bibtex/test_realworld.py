"""`genbib fmt` on real-world .bib files: nothing lost, nothing invented, idempotent.

The corpus (tests/data/realworld, origins and licences in SOURCES.md) holds exports of
reference managers (Zotero/Better BibTeX, JabRef, Mendeley, DBLP, Google Scholar),
bibliographies of papers, books and theses, and the odd files other BibTeX tools keep as
regression data. Each is compared before and after `genbib fmt` on its parsed content,
not its layout: a multiset of (type, key, field, plain value) records plus the texts of
comments, `@string`s, `@preamble`s, free text and blocks that did not parse.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Hashable
from pathlib import Path

import pytest
from click.testing import CliRunner

from genbib.bibtex.reader import decode, read_file
from genbib.cli import cli
from genbib.model import Library
from genbib.model.entry import Entry
from genbib.model.library import Comment, Malformed, Preamble, StringDef, Text
from genbib.model.values import plain

CORPUS = Path(__file__).resolve().parents[1] / "data" / "realworld"
FILES = sorted(CORPUS.glob("*.bib"))
# `@type{key,` as written: a crude scan, independent of the reader, of the keys a file has.
_KEY_AT = re.compile(r"@\s*(\w+)\s*[{(]\s*([^\s,{}()]+)\s*,")
_NOT_ENTRIES = {"string", "comment", "preamble"}


def view(lib: Library) -> Counter[Hashable]:
    """What a reader must keep of a library, independent of layout and order."""
    out: Counter[Hashable] = Counter()
    for block in lib.blocks:
        if isinstance(block, Entry):
            out[("entry", block.type.lower(), block.key)] += 1
            for name, raw in block.fields.items():
                out[("field", block.type.lower(), block.key, name, plain(raw))] += 1
        elif isinstance(block, StringDef):
            out[("string", block.name.lower(), plain(block.raw))] += 1
        elif isinstance(block, Preamble):
            out[("preamble", plain(block.raw))] += 1
        elif isinstance(block, Comment):
            out[("comment", block.text if block.braced else block.text.rstrip())] += 1
        elif isinstance(block, Malformed):
            out[("malformed", block.raw.rstrip())] += 1
        elif isinstance(block, Text):  # the writer may re-space free text between blocks
            for word in block.text.split():
                out[("text", word)] += 1
    return out


def fmt(path: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["fmt", "--to-utf8", *args, str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Path:
    monkeypatch.chdir(tmp_path)  # no genbib.toml above: `fmt FILE` needs none
    src: Path = request.param
    dst = tmp_path / src.name
    shutil.copyfile(src, dst)
    return dst


def test_corpus_is_varied_and_documented() -> None:
    assert len(FILES) >= 30
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    undocumented = [p.name for p in FILES if f"`{p.name}`" not in sources]
    assert undocumented == []
    total = sum(p.stat().st_size for p in FILES)
    assert total < 200_000  # the corpus stays small in bytes
    libs = [read_file(p) for p in FILES]
    assert sum(len(lib) for lib in libs) >= 90
    assert any(isinstance(b, Malformed) for lib in libs for b in lib.blocks)
    assert any(isinstance(b, StringDef) for lib in libs for b in lib.blocks)
    assert any(isinstance(b, Comment) for lib in libs for b in lib.blocks)


@pytest.mark.parametrize("copy", FILES, ids=[p.name for p in FILES], indirect=True)
def test_fmt_loses_nothing(copy: Path) -> None:
    before = read_file(copy)
    original_text, _ = decode(copy.read_bytes())
    fmt(copy)
    after = read_file(copy)
    written = copy.read_text(encoding="utf-8")  # always UTF-8 after fmt

    assert view(before) - view(after) == Counter(), "lost in the rewrite"
    assert view(after) - view(before) == Counter(), "invented by the rewrite"
    # Unparsed blocks come back byte for byte, once each, never wrapped in anything new.
    for block in before.blocks:
        if isinstance(block, Malformed):
            assert written.count(block.raw.rstrip()) == original_text.count(block.raw.rstrip())
    # Cross-check with a scan that does not use the reader: every key is still there.
    for kind, key in _KEY_AT.findall(original_text):
        if kind.lower() not in _NOT_ENTRIES:
            assert key in written, f"@{kind}{{{key}, missing after fmt"
    # The rewrite reads at least as cleanly as the original: no new kind of problem.
    codes_before = Counter(p.code for p in before.problems)
    assert Counter(p.code for p in after.problems) - codes_before == Counter()


@pytest.mark.parametrize("copy", FILES, ids=[p.name for p in FILES], indirect=True)
def test_fmt_is_idempotent(copy: Path) -> None:
    fmt(copy)
    once = copy.read_bytes()
    out = fmt(copy)
    assert copy.read_bytes() == once
    assert "already canonical" in out
    fmt(copy, "--check")  # exit 0: canonical
