"""Bad input: truncated, unbalanced, binary, NUL bytes, huge, BOM, Latin-1, CRLF.

Whatever arrives, the reader names file and line for each problem, keeps every entry it
can see and every byte it cannot parse, and never raises.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from genbib.bibtex.compare import lost
from genbib.bibtex.reader import parse, read_file
from genbib.bibtex.store import format_file
from genbib.bibtex.writer import dumps
from genbib.errors import EncodingError
from genbib.model import Malformed

GOOD = (
    "@article{good%d,\n  author = {Ho, Jonathan},\n  title = {Paper %d},\n  year = {2020},\n}\n\n"
)


def _good(n: int, start: int = 0) -> str:
    return "".join(GOOD % (i, i) for i in range(start, start + n))


def _roundtrip_keeps_everything(path: Path) -> None:
    before = read_file(path)
    format_file(path, to_utf8=True)  # a file with bytes that are not UTF-8 needs the flag
    after = read_file(path)
    assert lost(before, after) == []
    assert format_file(path, check=True).changed is False  # idempotent


def test_truncated_file(tmp_path: Path) -> None:
    full = _good(5)
    cut = full[: full.index("Paper 3") + 3]  # inside entry good3's title
    path = tmp_path / "cut.bib"
    path.write_text(cut)
    lib = read_file(path)
    assert [e.key for e in lib] == ["good0", "good1", "good2"]
    (p,) = lib.problems
    assert (p.code, p.file, p.line, p.key) == ("E002-parse", str(path), 19, "good3")
    assert "kept as written" in p.message
    _roundtrip_keeps_everything(path)
    assert "Pap" in path.read_text()


@pytest.mark.parametrize("where", range(0, 5))
def test_unbalanced_braces_cost_one_entry(tmp_path: Path, where: int) -> None:
    blocks = [GOOD % (i, i) for i in range(5)]
    blocks[where] = blocks[where].replace("{Paper", "{{Paper")
    path = tmp_path / "u.bib"
    path.write_text("".join(blocks))
    lib = read_file(path)
    assert [e.key for e in lib] == [f"good{i}" for i in range(5) if i != where]
    assert [(p.code, p.line) for p in lib.problems] == [("E002-parse", 1 + 6 * where)]
    _roundtrip_keeps_everything(path)


def test_binary_junk_between_entries(tmp_path: Path) -> None:
    rng = random.Random(7)
    junk = bytes(rng.randrange(256) for _ in range(4000)).replace(b"@", b"")
    path = tmp_path / "junk.bib"
    path.write_bytes(_good(2).encode() + junk + b"\n" + _good(2, 2).encode())
    lib = read_file(path)
    assert [e.key for e in lib] == ["good0", "good1", "good2", "good3"]
    assert [p.code for p in lib.problems] == ["E001-encoding"]
    assert lib.problems[0].line == 13  # the first byte that is not UTF-8
    _roundtrip_keeps_everything(path)


def test_random_bytes_never_crash() -> None:
    rng = random.Random(11)
    for _ in range(200):
        data = bytes(rng.choice(b'@{}()"#,=% \n\tab1\x00\xff') for _ in range(rng.randrange(200)))
        lib = parse(data.decode("latin-1"), "fuzz.bib")
        text = dumps(lib)
        again = parse(text)
        assert lost(lib, again) == []
        assert dumps(again) == text


def test_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "nul.bib"
    path.write_bytes(b"@article{a, title={x\x00y}}\n\x00\x00\n@article{b, title={z}}\n")
    lib = read_file(path)
    assert [e.key for e in lib] == ["a", "b"]
    assert lib.by_key()["a"].title == "x\x00y"
    _roundtrip_keeps_everything(path)


def test_bom_latin1_crlf_together(tmp_path: Path) -> None:
    path = tmp_path / "mixed.bib"
    path.write_bytes(
        b"\xef\xbb\xbf@misc{a,\r\n  title = {Caf\xe9},\r\n}\r\n@misc{b, title={x}}\r\n"
    )
    lib = read_file(path)
    assert [(e.key, e.line) for e in lib] == [("a", 1), ("b", 4)]
    assert lib.by_key()["a"].title == "Café"
    assert [(p.code, p.line) for p in lib.problems] == [("E001-encoding", 2)]
    with pytest.raises(EncodingError, match="not UTF-8"):
        format_file(path)  # never converted silently
    format_file(path, to_utf8=True)
    data = path.read_bytes()
    assert b"\r" not in data and not data.startswith(b"\xef\xbb\xbf")
    assert "Café" in data.decode("utf-8")


def _big_file(path: Path, megabytes: int) -> int:
    """A file of `megabytes` MB: long entries, one broken block, a truncated end."""
    abstract = "Diffusion models with math $x_t$ and UTF-8 accents é and a {GAN}. " * 700
    entry = "@article{big%d,\n  title = {Entry %d},\n  abstract = {%s},\n}\n\n"
    n = megabytes * 1_000_000 // len((entry % (0, 0, abstract)).encode())
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            if i == n // 2:
                fh.write("@article{broken, title = {never closed,\n\n")
            fh.write(entry % (i, i, abstract))
        fh.write("@article{truncated, title = {cut")
    return n


def _check_big(path: Path, n: int) -> None:
    lib = read_file(path)
    assert len(lib) == n
    codes = [(p.code, p.key) for p in lib.problems]
    assert codes == [("E002-parse", "broken"), ("E002-parse", "truncated")]
    assert all(p.line > 0 and p.file == str(path) for p in lib.problems)
    bad = [b for b in lib.blocks if isinstance(b, Malformed)]
    assert bad[-1].raw == "@article{truncated, title = {cut"


def test_2mb_file_formats_losslessly(tmp_path: Path) -> None:
    path = tmp_path / "big.bib"
    n = _big_file(path, 2)
    _check_big(path, n)
    _roundtrip_keeps_everything(path)


def test_50mb_file_reads(tmp_path: Path) -> None:
    path = tmp_path / "huge.bib"
    n = _big_file(path, 50)
    assert path.stat().st_size >= 49_000_000
    _check_big(path, n)


@pytest.mark.slow
def test_50mb_file_formats_losslessly(tmp_path: Path) -> None:
    path = tmp_path / "huge.bib"
    _big_file(path, 50)
    _roundtrip_keeps_everything(path)
