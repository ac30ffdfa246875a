"""LaTeX in the bib <-> plain Unicode in Zotero, and the comparison that makes them equal.

Zotero shows text to people, so values go there as Unicode (`M{\\"u}ller` -> `Müller`).
Coming back, a value that means the same as the bib's is never rewritten (the bib keeps its
LaTeX and its brace protection); only text really changed in Zotero is converted, and it is
neutralised on the way by the one policy for untrusted input (`genbib.model.untrusted`),
so no backslash command, `^^` escape, control character or bidi override reaches the bib.
"""

from __future__ import annotations

import codecs
import re

import latexcodec  # noqa: F401  (registers the "ulatex" codec)

from genbib.model.names import parse_names
from genbib.model.untrusted import clean_text, strip_markup
from genbib.model.values import MONTHS

_STYLE_CMD = re.compile(r"\\(?:emph|textit|textbf|textsc|texttt|textrm|textsf|mathrm|mbox|url)\s*")
_ANY_CMD = re.compile(r"\\[A-Za-z]+\s*")
_WS = re.compile(r"\s+")
_MONTH_NUM = {name: i for i, name in enumerate(MONTHS, 1)}
_MONTH_FULL = {full.lower(): i for i, full in enumerate(MONTHS.values(), 1)}


def latex_to_text(value: str) -> str:
    """Plain Unicode for people: accents decoded, style commands and protective braces dropped."""
    if "\\" in value or "{" in value or "--" in value or "~" in value:
        # typeset characters (genbib.model.untrusted): latexcodec would leave a space
        # after the first and make the second a tie
        value = value.replace("\\textasciicircum{}", "^").replace("\\textasciitilde{}", "\x02")
        try:
            value = codecs.decode(value, "ulatex")  # type: ignore[call-overload]
        except Exception:  # latexcodec chokes on rare inputs; keep the text as written
            pass
        value = _STYLE_CMD.sub("", value)
        value = (
            value.replace("\\&", "&").replace("\\%", "%").replace("\\#", "#").replace("\\_", "_")
        )
        value = value.replace("\\$", "$")
        value = value.replace("{", "").replace("}", "").replace("~", " ").replace("\x02", "~")
    return _WS.sub(" ", value).strip()


def text_to_latex(text: str) -> str:
    """Bib text for a value typed in Zotero: Unicode kept, LaTeX specials made inert.

    Zotero items are untrusted: the one policy of `genbib.model.untrusted.clean_text`
    (rich-text tags such as `<i>Salmo salar</i>` dropped with their text kept, invisible
    characters dropped, every backslash, brace and `^^` made inert), so a value reads the
    same whether it came from Zotero, a list or an API.
    """
    return clean_text(text)


def protect_like(new: str, base: str) -> str:
    """Re-apply the brace protection of `base` (`{GAN}s`) to words of `new` text from Zotero."""
    words = {m.group(1) for m in re.finditer(r"(?<!\\)\{([^{}\\]+)\}", base)}
    for word in sorted(words, key=len, reverse=True):
        new = re.sub(rf"(?<![{{\w]){re.escape(word)}(?!}})", "{" + word + "}", new)
    return new


def month_number(value: str) -> int | None:
    v = value.strip().lower().rstrip(".")
    if v.isdigit():
        n = int(v)
        return n if 1 <= n <= 12 else None
    return _MONTH_NUM.get(v[:3]) if v[:3] in _MONTH_NUM else _MONTH_FULL.get(v)


def normalize(field: str, value: str) -> str:
    """The meaning of a value, for deciding whether two spellings are the same value."""
    if field in ("author", "editor"):
        return " and ".join(
            f"{latex_to_text(n.first)}|{latex_to_text(f'{n.von} {n.last}'.strip())}|{latex_to_text(n.jr)}"
            for n in parse_names(value)
        )
    text = latex_to_text(strip_markup(value) if "<" in value else value)
    if field == "month":
        n = month_number(text)
        return str(n) if n else text
    if field in ("archiveprefix", "eprinttype", "@type", "doi"):
        return text.lower()
    if field == "keywords":
        return "\x1f".join(sorted({latex_to_text(k) for k in split_keywords(value)} - {""}))
    if field in ("topics", "code", "project", "blog", "video", "links", "pdf", "ids"):
        return " ".join(sorted(t for t in re.split(r"[\s,;]+", text) if t))
    return text


def split_keywords(value: str) -> list[str]:
    """The keywords of a `keywords` value: split at commas and semicolons outside braces.

    Better BibTeX writes Zotero tags comma-separated; a tag that holds a comma is braced
    (`{Smith, John}`) so it stays one keyword. The pieces keep their LaTeX spelling.
    """
    out: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(value):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        elif ch in ",;" and depth == 0:
            out.append(value[start:i])
            start = i + 1
    out.append(value[start:])
    pieces = [p.strip() for p in out]
    return [p[1:-1] if _wrapped(p) else p for p in pieces if p]


def join_keywords(keywords: list[str]) -> str:
    """A `keywords` value for keywords in LaTeX spelling (see `split_keywords`)."""
    return ", ".join("{" + k + "}" if ("," in k or ";" in k) else k for k in keywords)


def _wrapped(piece: str) -> bool:
    if not (piece.startswith("{") and piece.endswith("}")):
        return False
    depth = 0
    for i, ch in enumerate(piece):
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0 and i < len(piece) - 1:
            return False
    return True
