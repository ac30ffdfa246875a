"""Encodings of real files: byte-order marks, declared and detected ones, no silent rewrite."""

from __future__ import annotations

import codecs
import os
import subprocess
import sys
from pathlib import Path

import pytest

from genbib.bibtex.encoding import decode
from genbib.bibtex.reader import read_file
from genbib.errors import EncodingError


def _genbib(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "genbib", *args],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


ENCODINGS = Path(__file__).resolve().parents[1] / "data" / "bibtex" / "encodings"
TEXT = "@article{wang2020,\n  author = {王小明 and Müller, Jürgen},\n  title = {扩散模型},\n}\n"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "UTF-16-LE (byte-order mark)"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "UTF-16-BE (byte-order mark)"),
        (codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), "UTF-32-LE (byte-order mark)"),
        (codecs.BOM_UTF32_BE + TEXT.encode("utf-32-be"), "UTF-32-BE (byte-order mark)"),
    ],
)
def test_byte_order_marks_are_honoured(data: bytes, name: str) -> None:
    out = decode(data, "x.bib")
    assert out.text == TEXT
    (problem,) = out.problems
    assert problem.code == "E001-encoding" and name in problem.message


def test_utf8_with_a_byte_order_mark_is_utf8() -> None:
    out = decode(codecs.BOM_UTF8 + TEXT.encode(), "x.bib")
    assert out.text == TEXT and out.problems == [] and out.utf8


def test_jabref_utf16_files_keep_their_entry() -> None:
    for name in ("jabref-encoding-utf-16BE-with-header.bib",
                 "jabref-encoding-utf-16BE-without-header.bib"):  # fmt: skip
        lib = read_file(ENCODINGS / name)
        (entry,) = lib.entries
        assert entry.title == "Ü ist ein Umlaut"
        assert "UTF-16-BE (byte-order mark)" in lib.problems[0].message


def test_declared_encodings_are_honoured() -> None:
    lib = read_file(ENCODINGS / "jabref-encoding-windows-1252-with-header.bib")
    assert lib.entries[0].get("abstract") == "25° C"
    assert "CP1252 (declared in the file)" in lib.problems[0].message
    latin9 = Path(__file__).resolve().parents[1] / "data" / "realworld"
    lib = read_file(latin9 / "biber-latin9-encoding.bib")
    assert [e.key for e in lib] == ["testŠ"]  # Latin-9's 0xA6, not Latin-1's "¦"


def test_gbk_is_detected_and_named_not_read_as_latin1() -> None:
    text = (
        "@article{wang2020,\n  author = {王小明 and 李华},\n"
        "  title = {基于扩散模型的图像生成方法研究},\n  journal = {计算机学报},\n}\n"
    )
    out = decode(text.encode("gbk"), "cn.bib")
    assert out.text == text
    assert "GB18030 (detected)" in out.problems[0].message


def test_charset_normalizer_is_imported_only_for_files_that_need_it() -> None:
    code = (
        "import sys\nfrom genbib.bibtex.encoding import decode\n"
        "decode('Müller'.encode())\nprint('charset_normalizer' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_file_that_is_not_utf8_is_never_rewritten_silently(tmp_path: Path) -> None:
    from genbib.bibtex.store import edit, format_file

    path = tmp_path / "cn.bib"
    text = "@article{wang2020,\n  title = {基于扩散模型的图像生成方法研究},\n  year = {2020},\n}\n"
    original = text.encode("gbk")
    path.write_bytes(original)
    with pytest.raises(EncodingError, match=r"is GB18030 \(detected\), not UTF-8") as info:
        format_file(path)
    assert "genbib fmt --to-utf8" in (info.value.hint or "")
    with pytest.raises(EncodingError), edit(path) as lib:
        lib.entries[0].set("year", "2021")
    assert path.read_bytes() == original  # untouched
    format_file(path, to_utf8=True)  # the explicit command
    assert path.read_text(encoding="utf-8") == text  # Chinese intact: no mojibake
    with edit(path) as lib:  # UTF-8 now: ordinary edits work
        lib.entries[0].set("year", "2021")


def test_fmt_to_utf8_converts_a_jabref_utf16_file(tmp_path: Path) -> None:
    import shutil

    path = tmp_path / "jabref.bib"
    shutil.copyfile(ENCODINGS / "jabref-encoding-utf-16BE-with-header.bib", path)
    refused = _genbib("fmt", str(path))
    _, err = refused.communicate(timeout=120)
    assert refused.returncode == 4
    assert err.decode().count("\n") <= 2 and b"UTF-16-BE (byte-order mark), not UTF-8" in err
    done = _genbib("fmt", "--to-utf8", str(path))
    _, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    assert "Ü ist ein Umlaut" in path.read_text(encoding="utf-8")
