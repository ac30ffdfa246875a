"""Escaping for the two render targets: the only place entry text meets markdown or LaTeX.

Entry fields hold BibTeX's LaTeX (`Sch{\\"o}lkopf`, `{GAN}s`, `\\emph{...}`), written by
hand or imported from untrusted lists. The render context reads each of them once with
`to_text` into plain Unicode (accents decoded, protective braces dropped, control and
bidi characters removed); configuration text is plain already. A target filter then
makes plain text inert for its target. Templates never escape by hand; they apply `md`,
`md_url`, `tex` or `tex_comment`, so a lab's own template cannot forget a case.

What the filters promise:
- `md`: no markdown structure comes from data: table pipes, link brackets, emphasis,
  math dollars, HTML tags and entities are backslash-escaped; line breaks become spaces.
- `md_url`: only http(s) URLs, percent-encoded so that no character can end the link
  destination or the table cell; anything else becomes "".
- `tex`: pure ASCII output in which every character of the data is typeset as itself:
  specials are escaped, non-ASCII goes through latexcodec (`é` -> `{\\'e}`), and what
  pdflatex cannot take is replaced by a visible `?`. A backslash in the data becomes
  `\\textbackslash{}`, so no command in the data ever runs. Every escape compiles both
  in a bare `\\documentclass{article}` (OT1) and with T1 fonts (see `_TEX_EXTRA`).
- `tex_comment`: one line of text safe after `%` (no line end can end the comment).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote

import latexcodec.codec  # registers the "ulatex" codec

from genbib.bibtex.keys import is_citable
from genbib.model.identifiers import is_http_url
from genbib.model.untrusted import KEPT_FORMAT, LINE_BREAKS, is_invisible

# Formatting commands whose argument is the text a reader wants (`\emph{Not}` -> Not).
_FORMAT_CMDS = re.compile(
    r"\\(?:emph|textbf|textit|textsc|texttt|textrm|textsf|textup|textnormal|mbox|text|"
    r"mathrm|mathbf|mathit|mathcal|mathbb|mathsf|mathtt|url|NoCaseChange)\s*(?=\{)"
)
# Characters written as escapes or as text commands; they become private-use sentinels
# before latexcodec runs (so it cannot misread them) and the characters themselves after.
_LITERAL_CHARS = {
    "textbackslash": "\\", "textless": "<", "textgreater": ">", "textbar": "|",
    "textasciicircum": "^", "textasciitilde": "~", "textunderscore": "_",
    "{": "{", "}": "}", "$": "$", "&": "&", "%": "%", "#": "#", "_": "_",
}  # fmt: skip
_LITERAL = re.compile(
    r"\\(textbackslash|textless|textgreater|textbar|textasciicircum|textasciitilde|"
    r"textunderscore)(?![A-Za-z])(?:\s*\{\})?|\\([{}$&%#_])|(%)"  # raw % is text in a bib field
)
_SENTINEL = {c: chr(0xE000 + i) for i, c in enumerate(dict.fromkeys(_LITERAL_CHARS.values()))}
_UNSENTINEL = {ord(v): k for k, v in _SENTINEL.items()}
_PRIVATE = re.compile("[\ue000-\uf8ff]")
_LATEXISH = re.compile(r"[\\{}$~%]")
_SPACE = re.compile(r"\s+")
# What is invisible and what is a line break (which becomes a space, not nothing) is the
# one definition for untrusted text, genbib.model.untrusted.
# Rendered output also drops what the bib keeps but no output font shows: the kept
# format characters, private-use and unassigned code points (as render always did).
_BREAKS = LINE_BREAKS


def _invisible(ch: str) -> bool:
    return is_invisible(ch) or ch in KEPT_FORMAT or unicodedata.category(ch) in ("Co", "Cn")


# The accents and letters of names and titles, decoded here because latexcodec, which
# handles everything else, is slow and a list has thousands of accented names.
_COMBINING = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
    "r": "\u030a", "d": "\u0323", "b": "\u0331",
}  # fmt: skip
_BASE = r"([A-Za-z]|\\[ij](?![A-Za-z]))"
_ACCENT = re.compile(
    rf"\{{?\\(?:([\"'`^~=.])\s*|([uvHckrdb])(?:\s+|(?=\{{)))(?:\{{\s*{_BASE}\s*\}}|{_BASE})\}}?"
)
_LETTERS = {"ss": "ß", "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "ae": "æ", "AE": "Æ", "oe": "œ",
            "OE": "Œ", "aa": "å", "AA": "Å", "i": "ı", "j": "ȷ"}  # fmt: skip
_LETTER = re.compile(r"\{?\\(ss|o|O|l|L|ae|AE|oe|OE|aa|AA|i|j)(?![A-Za-z])\s*(?:\{\})?\}?")


def _accent(m: re.Match[str]) -> str:
    base = m[3] or m[4]
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    return unicodedata.normalize("NFC", base + _COMBINING[m[1] or m[2]])


_LIGATURES = (("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"))
_MATH = re.compile(r"\$([^$]*)\$")


def _symbol_table() -> tuple[dict[str, str], re.Pattern[str]]:
    """latexcodec's one-command symbols (`\\alpha` -> α, `\\ldots` -> …) as a dict, so
    the common cases need no call into its (slow) decoder."""
    table: dict[str, str] = {}
    for tokens, char in latexcodec.codec._LATEX_UNICODE_TABLE.unicode_map.items():
        core = [t for t in tokens if t.name not in ("mathshift", "control_symbol_x")]
        single = len(core) == 1 and core[0].name == "control_word" and len(char) == 1
        if single and not _invisible(char) and char not in "\n\u2003":
            table.setdefault(core[0].text[1:], char)
    return table, re.compile(r"\\([A-Za-z]+)(?![A-Za-z])\s*(?:\{\})?")


_SYMBOLS, _SYMBOL = _symbol_table()


def _symbol(m: re.Match[str]) -> str:
    return _SYMBOLS.get(m[1], m[0])


def _math(m: re.Match[str]) -> str:
    """Inline math as text: `$k$` -> k, `$\\epsilon$` -> ε (latexcodec, on the span only)."""
    inner = m[1]
    if len(inner) > _LONG:  # see _LONG: left as text, not read by latexcodec
        return inner
    if "\\" in inner:
        inner = _SYMBOL.sub(_symbol, inner)
    if "\\" not in inner:
        return inner
    decoded = _ulatex(m[0])
    return inner if decoded is None else decoded


@lru_cache(maxsize=4096)  # a list repeats the same formula in many titles
def _ulatex(text: str) -> str | None:
    """latexcodec's reading of `text`, or None where it refuses the input."""
    try:
        decoded: str = codecs.decode(text, "ulatex")  # type: ignore[call-overload]
    except Exception:  # latexcodec refuses some malformed input: keep it as text
        return None
    return decoded


# Past this length text is not given to latexcodec (about 7 µs a character, so minutes
# for a megabyte annotation full of unknown commands): the fast paths above have decoded
# accents, letters and symbols, and what is left stays visible as text, inert in both
# targets. Real titles and notes are far shorter and are read whole as before.
_LONG = 20_000


def _literal(m: re.Match[str]) -> str:
    name = m.group(1) or m.group(2) or m.group(3)
    return _SENTINEL[_LITERAL_CHARS[name]]


@lru_cache(maxsize=1 << 16)
def to_text(value: str | None) -> str:
    """Plain Unicode for a BibTeX value: accents decoded, braces dropped, one line.

    Escapes (`\\%`, `\\textless{}`) become their characters; commands latexcodec does
    not know stay visible as text (`\\input /x`); the target filters make them inert.
    """
    if not value:
        return ""
    text = value
    if "\\" not in text and "$" not in text and "~" not in text and "%" not in text:
        text = text.replace("{", "").replace("}", "")  # protective braces only: the common case
    elif _LATEXISH.search(text):
        text = _PRIVATE.sub("", text)
        text, literals = _LITERAL.subn(_literal, text)
        text = _FORMAT_CMDS.sub("", text)
        if "\\" in text:
            text = _ACCENT.sub(_accent, text)
            text = _LETTER.sub(lambda m: _LETTERS[m[1]], text)
        if "$" in text:
            text = _MATH.sub(_math, text)
        text = text.replace("~", " ")  # a tie (the ~ accent and \\~{} are handled above)
        if "\\" in text:
            text = _SYMBOL.sub(_symbol, text)
        if "\\" in text:
            decoded = _ulatex(text) if len(text) <= _LONG else None
            if decoded is not None:
                text = decoded
        text = text.replace("{", "").replace("}", "")
        if literals:  # only _LITERAL made sentinels (_PRIVATE removed any others)
            text = text.translate(_UNSENTINEL)
    if "--" in text or "``" in text or "''" in text:  # TeX ligatures, as LaTeX prints them
        for lig, char in _LIGATURES:
            text = text.replace(lig, char)
    return clean(text)


def clean(value: object) -> str:
    """One line of text without control, bidi or zero-width characters."""
    text = "" if value is None else str(value)
    if not text.isprintable():  # str.isprintable is False for every character removed here
        text = "".join(
            " " if c in _BREAKS else c for c in text if c in _BREAKS or not _invisible(c)
        )
        text = unicodedata.normalize("NFC", text)
    if "  " in text or text[:1] == " " or text[-1:] == " " or not text.isprintable():
        text = _SPACE.sub(" ", text).strip()
    return text


# --- markdown ---------------------------------------------------------------------------

_MD_SPECIAL = "\\`*_[]<>|~&$!#"
_MD_ESCAPES = str.maketrans({c: "\\" + c for c in _MD_SPECIAL})  # each one backslashed
_MD_NEEDS_ESCAPE = re.compile(f"[{re.escape(_MD_SPECIAL)}]")


_MD_STARTERS = frozenset("-+=0123456789")
_MD_LINE_START = re.compile(r"^(?:([-+=])|(\d+)([.)]))")


def md(value: object) -> str:
    """Plain text as inert inline markdown, safe in a GFM table cell or alone on a line."""
    if type(value) is str:
        return _md_str(value)  # venues, years, names and labels repeat across 10k rows
    return _md(value)


@lru_cache(maxsize=1 << 16)
def _md_str(value: str) -> str:
    return _md(value)


def _md(value: object) -> str:
    text = clean(value)
    if _MD_NEEDS_ESCAPE.search(text):  # most text has nothing to escape: skip translate
        text = text.translate(_MD_ESCAPES)
    if text[:1] in _MD_STARTERS:  # "- ", "+ ", "1. " or "===" would start a list or heading
        text = _MD_LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)
    return text


# Characters kept as they are in a link destination; everything else is percent-encoded
# (so `(`, `)`, `<`, `>`, `|`, `\`, quotes and spaces can never end the link or the cell).
_URL_SAFE = "/:?=&%#+,;@!$*-._~"


# http(s), a host without credentials (user:password@host hides where a link goes) and
# without backslashes (browsers read them as slashes), then a path, query or the end.
_HTTP_URL = re.compile(r"https?://[^/?#@\\\s]+(?:[/?#]|$)", re.IGNORECASE)


@lru_cache(maxsize=1 << 16)
def safe_url(value: object) -> bool:
    """An http(s) URL with a host, no credentials and no invisible characters."""
    url = str(value or "").strip()
    return bool(url.isprintable() and " " not in url and _HTTP_URL.match(url) and is_http_url(url))


@lru_cache(maxsize=1 << 16)
def md_url(value: object) -> str:
    """A safe http(s) URL ready for `[text](...)`, or "" for anything else."""
    if not safe_url(value):
        return ""
    return quote(str(value).strip(), safe=_URL_SAFE)


@lru_cache(maxsize=4096)
def badge_part(text: str) -> str:
    """One field of a shields.io static badge path (`-` and `_` are its separators)."""
    return quote(text.replace("-", "--").replace("_", "__").replace(" ", "_"), safe="")


# --- LaTeX ------------------------------------------------------------------------------

_TEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "%": r"\%",
    "#": r"\#", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}", '"': "''",
}  # fmt: skip


def _t1_symbol(command: str) -> str:
    return "{\\UseTextSymbol{T1}{\\" + command + "}}"


def _t1_ogonek(base: str) -> str:
    return "{\\UseTextAccent{T1}{\\k}{" + base + "}}"


# Unicode latexcodec encodes with a command that pdflatex's default setup lacks or that
# would run into following letters, mapped by hand. "Default setup" is a bare
# `\documentclass{article}` (OT1 font encoding, no packages) as well as the documented
# one (T1, inputenc, textcomp), since a stub is \input into whatever paper cites it:
# - letters and quotes that only T1 fonts have (», Ð, þ, ą) take their glyph from the
#   T1 font with \UseTextSymbol / \UseTextAccent, which is a no-op switch under T1;
# - \Alpha and the like do not exist (the capitals look like Latin ones), \mathbb and
#   the negated relations need amssymb: the nearest kernel form, or `?`.
_TEX_EXTRA = {
    "\xa0": "~", "\u2009": r"\,", "\u2013": "--", "\u2014": "---",
    "\xa2": r"{\textcent}", "\xa5": r"{\textyen}", "\xac": r"$\neg$",
    "\u20ac": r"{\texteuro}", "\u2030": r"{\textperthousand}",
    "\u2032": "$'$", "\u2033": "$''$",
    "\xab": _t1_symbol("guillemotleft"), "\xbb": _t1_symbol("guillemotright"),
    "\u2039": _t1_symbol("guilsinglleft"), "\u203a": _t1_symbol("guilsinglright"),
    "\u201a": _t1_symbol("quotesinglbase"), "\u201e": _t1_symbol("quotedblbase"),
    "\xd0": _t1_symbol("DH"), "\xf0": _t1_symbol("dh"), "\xde": _t1_symbol("TH"),
    "\xfe": _t1_symbol("th"), "\u0110": _t1_symbol("DJ"), "\u0111": _t1_symbol("dj"),
    "\u014a": _t1_symbol("NG"), "\u014b": _t1_symbol("ng"),
    "\u01ec": _t1_ogonek(r"\=O"), "\u01ed": _t1_ogonek(r"\=o"),
    "\u02db": _t1_ogonek(""),
    "ℂ": r"$\mathbf{C}$", "ℕ": r"$\mathbf{N}$", "ℚ": r"$\mathbf{Q}$", "ℝ": r"$\mathbf{R}$",
    "ℤ": r"$\mathbf{Z}$",
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΧο", "ABEZHIKMNOPTXo", strict=True)),  # LaTeX has no \Alpha
    "\u2204": r"$\not\exists$", "\u220c": r"$\not\ni$", "\u2288": r"$\not\subseteq$",
    "\u2289": r"$\not\supseteq$", "\u2201": "?", "\u220e": "?", "\u228a": "?", "\u228b": "?",
}  # fmt: skip
_OGONEK = re.compile(r"\\k ([A-Za-z])")  # ą -> \k a: the ogonek accent is T1-only
REPLACEMENT = "?"


@lru_cache(maxsize=4096)
def _tex_char(ch: str) -> str:
    if ch in _TEX_SPECIAL:
        return _TEX_SPECIAL[ch]
    if ch.isascii():
        return ch if " " <= ch < "\x7f" else ""
    if ch in _TEX_EXTRA:
        return _TEX_EXTRA[ch]
    try:
        enc = ch.encode("latex").decode("ascii")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return REPLACEMENT
    if not enc or not enc.isascii():
        return REPLACEMENT
    if enc.startswith("$") or not enc.startswith("\\"):
        return enc  # math ($\alpha$) or plain ASCII (``, ---): self-delimiting
    if _OGONEK.fullmatch(enc):
        return _t1_ogonek(enc[-1])
    return "{" + enc + "}"  # {\'e}, {\ss}: braces stop the command name at its end


_TEX_PLAIN = re.compile(r"[ -!'-;=?-Z\[\]`a-z]*")  # printable ASCII with no special


def tex(value: object) -> str:
    """Entry text typeset literally by LaTeX: nothing in it can run as a command."""
    if type(value) is str:
        return _tex_str(value)  # venues and short names repeat across 10k sentences
    return _tex(value)


@lru_cache(maxsize=1 << 16)
def _tex_str(value: str) -> str:
    return _tex(value)


def _tex(value: object) -> str:
    text = clean(value)
    if _TEX_PLAIN.fullmatch(text):
        return text
    return "".join(_tex_char(c) for c in text)


def tex_comment(value: object) -> str:
    """Text for the rest of a `%` comment line: readable (Unicode kept), one line."""
    return clean(value)


def safe_cite_key(key: str) -> bool:
    """Keys that can go inside `\\cite{...}` verbatim (`genbib.bibtex.keys.is_citable`)."""
    return is_citable(key)
