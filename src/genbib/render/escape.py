"""Escaping for the two render targets: the only place entry text meets markdown or LaTeX.

Entry fields hold BibTeX's LaTeX (`Sch{\\"o}lkopf`, `{GAN}s`, `\\emph{...}`), written by
hand or imported from untrusted lists, so every value takes the same road: first
`to_text` reads it as plain Unicode (accents decoded, protective braces dropped, control
and bidi characters removed), then one target filter makes that text inert for its
target. Templates never escape by hand; they apply `md`, `md_url`, `tex` or
`tex_comment`, so a lab's own template cannot forget a case.

What the filters promise:
- `md`: no markdown structure comes from data: table pipes, link brackets, emphasis,
  math dollars, HTML tags and entities are backslash-escaped; line breaks become spaces.
- `md_url`: only http(s) URLs, percent-encoded so that no character can end the link
  destination or the table cell; anything else becomes "".
- `tex`: pure ASCII output in which every character of the data is typeset as itself:
  specials are escaped, non-ASCII goes through latexcodec (`é` -> `{\\'e}`), and what
  pdflatex cannot take is replaced by a visible `?`. A backslash in the data becomes
  `\\textbackslash{}`, so no command in the data ever runs.
- `tex_comment`: one line of text safe after `%` (no line end can end the comment).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote, urlsplit

import latexcodec  # noqa: F401  (registers the "ulatex" codec)

from genbib.model.identifiers import is_http_url

# Formatting commands whose argument is the text a reader wants (`\emph{Not}` -> Not).
_FORMAT_CMDS = re.compile(
    r"\\(?:emph|textbf|textit|textsc|texttt|textrm|textsf|textup|textnormal|mbox|text|"
    r"mathrm|mathbf|mathit|mathcal|mathbb|mathsf|mathtt|url|NoCaseChange)\s*(?=\{)"
)
_ESCAPED = {"\\{": "\x00LB", "\\}": "\x00RB", "\\$": "$", "\\&": "&", "\\%": "%", "\\#": "#",
            "\\_": "_"}  # fmt: skip
_LATEXISH = re.compile(r"[\\{}$~]")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BREAKS = frozenset("\t\n\r\v\f\x85\u2028\u2029")  # become spaces, not nothing


def _invisible(ch: str) -> bool:
    """Control characters, bidi overrides, zero-width and other format characters."""
    cat = unicodedata.category(ch)
    return cat in ("Cc", "Cf", "Cs", "Co", "Cn") or ch in "\u2028\u2029"


@lru_cache(maxsize=1 << 16)
def to_text(value: str | None) -> str:
    """Plain Unicode for a BibTeX value: accents decoded, braces dropped, one line.

    Commands latexcodec does not know stay visible as text (`\\input /x`); the target
    filters then make them inert.
    """
    if not value:
        return ""
    text = value
    if _LATEXISH.search(text):
        text = _FORMAT_CMDS.sub("", text)
        if "\\" in text or "$" in text or "~" in text:
            try:
                text = codecs.decode(text, "ulatex")  # type: ignore[call-overload]
            except Exception:  # latexcodec refuses some malformed input: keep it as text
                pass
        for src, dst in _ESCAPED.items():
            text = text.replace(src, dst)
        text = text.replace("{", "").replace("}", "")
        text = text.replace("\x00LB", "{").replace("\x00RB", "}")
    if not text.isascii() or _CONTROL.search(text):
        text = "".join(
            " " if c in _BREAKS else c for c in text if c in _BREAKS or not _invisible(c)
        )
        text = unicodedata.normalize("NFC", text)
    return _SPACE.sub(" ", text).strip()


# --- markdown ---------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&$!#])")


def md(value: object) -> str:
    """Entry text as inert inline markdown, safe inside a GFM table cell."""
    text = to_text(str(value)) if value is not None else ""
    return _MD_SPECIAL.sub(r"\\\1", text)


# Characters kept as they are in a link destination; everything else is percent-encoded
# (so `(`, `)`, `<`, `>`, `|`, `\`, quotes and spaces can never end the link or the cell).
_URL_SAFE = "/:?=&%#+,;@!$*-._~"


def md_url(value: object) -> str:
    """An http(s) URL ready for `[text](...)`, or "" for anything else."""
    url = str(value or "").strip()
    if not url or not is_http_url(url) or any(_invisible(c) for c in url):
        return ""
    parts = urlsplit(url)
    if "@" in parts.netloc:  # user:password@host: a link that hides where it goes
        return ""
    return quote(url, safe=_URL_SAFE)


def badge_part(text: str) -> str:
    """One field of a shields.io static badge path (`-` and `_` are its separators)."""
    return quote(text.replace("-", "--").replace("_", "__").replace(" ", "_"), safe="")


# --- LaTeX ------------------------------------------------------------------------------

_TEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "%": r"\%",
    "#": r"\#", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}", '"': "''",
}  # fmt: skip
# Unicode latexcodec encodes with a command that pdflatex's default setup lacks or that
# would run into following letters, mapped by hand.
_TEX_EXTRA = {"\xa0": "~", "\u2009": r"\,", "\u2013": "--", "\u2014": "---"}
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
    return "{" + enc + "}"  # {\'e}, {\ss}: braces stop the command name at its end


_TEX_PLAIN = re.compile(r"[ -!'-;=?-Z\[\]`a-z]*")  # printable ASCII with no special


def tex(value: object) -> str:
    """Entry text typeset literally by LaTeX: nothing in it can run as a command."""
    text = to_text(str(value)) if value is not None else ""
    if _TEX_PLAIN.fullmatch(text):
        return text
    return "".join(_tex_char(c) for c in text)


def tex_comment(value: object) -> str:
    """Text for the rest of a `%` comment line: readable (Unicode kept), one line."""
    return to_text(str(value)) if value is not None else ""


_CITE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_:.+/@-]*")


def safe_cite_key(key: str) -> bool:
    """Keys that can go inside `\\cite{...}` verbatim (no `%`, `#`, `\\`, braces, spaces)."""
    return bool(_CITE_KEY.fullmatch(key))
