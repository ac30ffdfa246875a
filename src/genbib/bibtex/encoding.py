"""What genbib reads, as text: byte-order marks, declared and detected encodings.

`decode()` turns bytes into text: a byte-order mark wins (UTF-16, UTF-32; a UTF-8 one is
dropped), then UTF-8, then an encoding the file declares (JabRef's `% Encoding:`,
Emacs' `coding:`), then UTF-8 with a few stray bytes (those read as Latin-1), then
charset-normalizer's guess (imported only for such files). The finding names the
encoding. A file that is not UTF-8 is rewritten only when the command was asked to
convert it (`require_utf8()`), never silently: a GBK file read as Latin-1 and written
back would be mojibake for good.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

from genbib.errors import EncodingError, FileError
from genbib.model.problems import Problem, Severity

# Longest first: the UTF-32-LE mark begins with the UTF-16-LE one. (A UTF-8 mark is dropped.)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# JabRef writes `% Encoding: windows-1252` as its first line; Emacs reads `-*- coding: X -*-`.
_DECLARED = re.compile(
    rb"^%\s*Encoding:\s*([A-Za-z0-9_.:-]+)|-\*-.*?\bcoding:\s*([A-Za-z0-9_.-]+)", re.MULTILINE
)
_ASCII_PROBE = b'@{}()=,#%"\\ \n\tazAZ09'


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error("genbib-latin1", _latin1_fallback)


@dataclass
class Decoded:
    """Text read from bytes, and how: `encoding` is a Python codec name."""

    text: str
    encoding: str = "utf-8"
    how: str = ""  # "" (UTF-8), "byte-order mark", "declared", "detected", "mixed", "guessed"
    problems: list[Problem] = field(default_factory=list)

    @property
    def utf8(self) -> bool:
        """True when the file is UTF-8 (a UTF-8 byte-order mark is dropped on rewrite)."""
        return self.encoding == "utf-8" and self.how == ""

    def describe(self) -> str:
        """How a user names what the file is: "UTF-16-LE (byte-order mark)"."""
        if self.how == "mixed":
            return "UTF-8 with bytes that are not UTF-8 (read as Latin-1)"
        name = codecs.lookup(self.encoding).name.upper()
        return f"{name} ({self.how})" if self.how else name


def _ascii_compatible(encoding: str) -> bool:
    try:
        return _ASCII_PROBE.decode(encoding) == _ASCII_PROBE.decode("ascii")
    except (LookupError, UnicodeDecodeError):
        return False


def _declared(data: bytes) -> str | None:
    m = _DECLARED.search(data[:2048])
    if not m:
        return None
    name = (m.group(1) or m.group(2)).decode("ascii").lower()
    name = re.sub(r"-(unix|dos|mac)$", "", name)  # Emacs' end-of-line suffixes
    for spelling in (name, name.replace("-", ""), name.removeprefix("iso-")):
        try:
            codec = codecs.lookup(spelling).name  # Emacs writes latin-9, Python latin9
        except LookupError:
            continue
        return codec if _ascii_compatible(codec) else None
    return None


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 text with a few pasted bytes that are not (say, one Latin-1 `é`)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd")
    return good >= bad


def _detect(data: bytes) -> str | None:
    """charset-normalizer's best guess, if it is an encoding BibTeX's ASCII survives."""
    from charset_normalizer import from_bytes  # imported only for files that need it

    best = from_bytes(data).best()
    if best is None:
        return None
    codec = codecs.lookup(best.encoding).name
    return codec if _ascii_compatible(codec) else None


def decode(data: bytes, file: str = "") -> Decoded:
    """Bytes to text (CRLF to LF), with a warning naming the encoding when not UTF-8."""
    line, message = 1, ""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            out = Decoded(data[len(bom) :].decode(encoding, errors="replace"), encoding)
            out.how = "byte-order mark"
            break
    else:
        try:
            out = Decoded(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            out = _not_utf8(data)
            if out.how == "mixed":
                message = (
                    f"not UTF-8 (byte {data[exc.start]:#04x}); bytes that are not UTF-8 "
                    "read as Latin-1"
                )
    if not out.utf8:
        if out.how != "mixed":
            message = f"encoded as {out.describe()}, not UTF-8"
        message += "; genbib rewrites it (as UTF-8) only when run as `genbib fmt --to-utf8`"
        out.problems.append(Problem("E001-encoding", message, Severity.WARNING, file, line))
    if "\r" in out.text:
        out.text = out.text.replace("\r\n", "\n").replace("\r", "\n")
    return out


def _not_utf8(data: bytes) -> Decoded:
    declared = _declared(data)
    if declared:
        return Decoded(data.decode(declared, errors="replace"), declared, "declared in the file")
    if _mostly_utf8(data):
        return Decoded(data.decode("utf-8", errors="genbib-latin1"), "utf-8", "mixed")
    detected = _detect(data)
    if detected:
        return Decoded(data.decode(detected, errors="replace"), detected, "detected")
    return Decoded(data.decode("latin-1"), "latin-1", "guessed")


def read_bytes(path: str | Path, *, missing_ok: bool = False) -> bytes:
    """The bytes of a file (b"" when missing and `missing_ok`); errors name the file."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError as exc:
        if missing_ok:
            return b""
        raise FileError.from_os(exc, path, "read") from None
    except OSError as exc:
        raise FileError.from_os(exc, path, "read") from None


def read_text(path: str | Path) -> Decoded:
    """The decoded text of a file; an unreadable file is a `FileError` naming it."""
    return decode(read_bytes(path), str(path))


def require_utf8(path: str | Path, data: bytes | None = None, *, convert: bool = False) -> None:
    """Refuse to rewrite a file that is not UTF-8 unless the command was asked to convert."""
    path = Path(path)
    if data is None:
        data = read_bytes(path, missing_ok=True)
    if convert or _plain_utf8(data):
        return
    what = decode(data, str(path)).describe()
    raise EncodingError(
        f"{path}: is {what}, not UTF-8; genbib writes UTF-8 only and does not convert "
        "a file silently",
        hint=f"run `genbib fmt --to-utf8 {path}` once (check the diff), then run this again",
    )


def _plain_utf8(data: bytes) -> bool:
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    elif any(data.startswith(bom) for bom, _ in _BOMS):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
