"""The one policy for untrusted text: what is dropped, what is made inert, what is kept.

Untrusted text is every value genbib did not write itself: rows of awesome lists, CSL-JSON
and Zotero items, answers of metadata APIs. It ends up in the bib, which LaTeX compiles,
and from there in rendered markdown and LaTeX. Import, enrich and the Zotero mapping all
clean it here, so one string gives one result whichever way it came in.

The rules, each defined once:

- Invisible characters (`is_invisible`) are dropped: controls (Unicode category Cc: C0,
  DEL, C1), format characters (Cf: bidi embeddings, overrides and isolates, zero-width
  space, word joiner, BOM, tag characters), lone surrogates (Cs, which cannot be
  written as UTF-8), and the Unicode line/paragraph separators. They are invisible or
  display differently from what LaTeX reads (Trojan Source). Tab and line breaks
  become spaces in one-line text. Three format characters stay (`KEPT_FORMAT`): the zero-width joiner and non-joiner
  (emoji sequences such as ❤️‍🔥, Persian and Indic words need them) and the soft hyphen
  (a hyphenation point, common in abstracts copied from PDFs and kept by Zotero); they
  can neither reorder text nor hide a command. Private-use and unassigned code points
  stay too: publishers use private-use glyphs (ScienceDirect's `C\ue5f8H` bond), they
  show as a glyph or a box, and which code points are unassigned depends on the Python
  version (the same input must give the same bytes everywhere). Render, whose fonts
  cannot show them, leaves them out of its output.
- Raw HTML never reaches the bib: entities are decoded first (so `&lt;script&gt;` cannot
  turn into a tag afterwards), then tags are dropped and their text kept (`<i>x</i>` ->
  `x`, Crossref's JATS, Zotero's rich text).
- LaTeX cannot run (`inert_latex`): untrusted text is plain text, so every backslash is
  typeset (`\\input{x}` -> `\\textbackslash{}inputx`), every `^` and `~` is typeset (so no
  `^^` escape forms: `\\textasciicircum{}`; `~` is not a tie), braces are dropped (no grouping or case
  protection comes from data), and `%`, `&`, `#`, `$`, `_` are escaped (a bare `%` would
  comment out the rest of a .bbl line, `$` open math, `_` stop pdflatex outside it).
  This covers every command, including `\\write18`, `\\immediate`, `\\catcode`, `\\def`
  and `\\begin{filecontents}`, without a list of bad names to keep complete.
  A source that writes LaTeX (a BibTeX file, arXiv titles such as `$\\alpha$-VAE`) is
  cleaned with `latex=True`: then a backslash survives only where it starts a construct
  on the allowlist `SAFE_COMMANDS` (accents, letters, escaped specials, math symbols,
  font switches: `{\\v{c}}`, `\\&`, `$\\alpha$`), balanced braces are kept, unmatched
  ones dropped, and every other backslash is typeset as above.
- Links (`clean_url`): only http(s) URLs with a host and no character that could end a
  LaTeX argument, a markdown link or an HTML attribute; `javascript:`, `data:`, `file:`
  become "".

`unsafe_latex` names the dangerous constructs in text that is already in a bib (written
by hand), for `genbib check`; it reports, it never rewrites.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from genbib.model.values import balanced, drop_unmatched

# Unicode categories that are never shown as text: control, format, surrogate.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
# Characters that end a line: in one-line text they become a space, never nothing.
LINE_BREAKS = frozenset("\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
KEPT_FORMAT = frozenset("\u00ad\u200c\u200d")  # format characters text needs: kept


def is_invisible(ch: str) -> bool:
    """True for a character untrusted text must not carry (see the module docstring).

    Tab and line feed are controls too: `drop_invisible` decides whether a line break is
    kept (multi-line text) or becomes a space."""
    if ch in KEPT_FORMAT:
        return False
    return unicodedata.category(ch) in INVISIBLE_CATEGORIES or ch in "\u2028\u2029"


def invisible_chars(text: str, keep: str = "") -> list[str]:
    """The invisible characters of `text` other than those in `keep`, each once."""
    if text.isprintable():  # False for every invisible character, so this is the fast path
        return []
    return list(dict.fromkeys(c for c in text if c not in keep and is_invisible(c)))


def drop_invisible(text: str, *, lines: bool = False) -> str:
    """`text` without invisible characters. Line breaks and tabs become spaces, or with
    `lines` tab and line feed are kept (a source file read line by line)."""
    if text.isprintable():
        return text
    keep = "\t\n" if lines else ""
    return "".join(
        c if c in keep else " " if c in LINE_BREAKS else c
        for c in text
        if c in keep or c in LINE_BREAKS or not is_invisible(c)
    )


_TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")
# An entity as CommonMark and XML read one: closed by `;`. `html.unescape` alone also
# takes `&#0`, `&amp` or `&copy` without it, which in plain text are what was typed.
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode_entities(text: str) -> str:
    """`text` with its entities (`ENTITY`: closed by `;`) decoded, the rest as typed."""
    if "&" not in text:
        return text
    return ENTITY.sub(lambda m: html.unescape(m[0]), text)


def strip_markup(text: str) -> str:
    """Entities decoded, then HTML/XML tags dropped with their text kept."""
    text = decode_entities(text)
    while "<" in text:  # until none is left: `<<b>b>` would leave `<b>` after one pass
        text, found = _TAG.subn("", text)
        if not found:
            break
    return text


# Plain text's characters that LaTeX reads as markup: `%` comments out the rest of a .bbl
# line, `&` `#` are alignment and parameter characters, `$` opens math, `_` is a subscript
# outside math ("Missing $ inserted"). Each is escaped; `^` is typeset as a character.
_PLAIN_SPECIAL = re.compile(r"([%&#$_])")
# `50%` but not `5\\%` (latex=True); after `\\\\` (a line break) a `%` is bare again.
_BARE_SPECIAL = re.compile(r"(?<!\\)((?:\\\\)*)([%&#])")

# Commands that only typeset a character, an accent or a font: the allowlist for text a
# source writes in LaTeX. Nothing here reads, writes, defines or expands anything else.
SAFE_COMMANDS = frozenset(
    """u v H c k r d b t ss o O l L ae AE oe OE aa AA i j
    emph textit textbf textsc texttt textrm textsf textup textnormal text mbox url
    NoCaseChange mathrm mathbf mathit mathcal mathbb mathsf mathtt mathfrak boldsymbol
    alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu
    nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma
    Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega
    infty cdot cdots ldots dots vdots ddots times div pm mp leq geq le ge neq ne approx sim
    simeq cong equiv propto ll gg to rightarrow leftarrow Rightarrow Leftarrow
    leftrightarrow Leftrightarrow mapsto in notin ni subset subseteq supset supseteq cup
    cap setminus forall exists partial nabla sum prod int oint log ln exp sin cos tan max
    min arg sup inf lim det sqrt frac dfrac tfrac hat tilde bar vec dot ddot widehat
    widetilde overline underline ell hbar prime emptyset varnothing circ star ast bullet
    dagger ddagger top bot langle rangle lfloor rfloor lceil rceil lbrace rbrace mid vert
    Vert left right big Big quad qquad textendash textemdash textquoteleft textquoteright
    textquotedblleft textquotedblright textbackslash textasciicircum textasciitilde
    textunderscore textless textgreater textbar dag ddag S P copyright textregistered
    texttrademark euro pounds textdegree textcelsius""".split()
)
# A control word (letters) or a control symbol (one other character) after a backslash.
_COMMAND = re.compile(r"\\(?:([A-Za-z]+)|(.)|$)", re.DOTALL)
_SAFE_SYMBOLS = frozenset("&%#_${}\"'`^~=.,;:! -\\/@|")


def _keep_or_typeset(m: re.Match[str]) -> str:
    word, symbol = m.group(1), m.group(2)
    if symbol in ("{", "}"):
        return symbol  # a brace is a brace: unmatched ones are dropped below
    if word is not None and word in SAFE_COMMANDS:
        return m.group()
    if symbol is not None and symbol in _SAFE_SYMBOLS:
        return m.group()
    return "\\textbackslash{}" + (word or symbol or "")


# Plain text's characters that LaTeX would read as commands, superscripts or a tie,
# typeset as themselves (placeholders while braces are dropped).
_TYPESET = {
    "\x00": "\\textbackslash{}",
    "\x01": "\\textasciicircum{}",
    "\x02": "\\textasciitilde{}",
}
_HAT_PAIR = re.compile(r"\^(?=\^)")


def inert_latex(text: str, *, latex: bool = False) -> str:
    """Untrusted text as a BibTeX value that LaTeX typesets and never runs.

    Plain text (the default): every backslash, `^` and `~` typeset, braces dropped,
    `% & # $ _` escaped. `latex=True`: the source writes LaTeX, so constructs on the allowlist
    (`SAFE_COMMANDS`, escaped specials, accents) and braces are kept, bare `%&#` escaped,
    and everything else typeset the same way."""
    if latex:
        if "\\" in text:
            text = _COMMAND.sub(_keep_or_typeset, text)
        if ("{" in text or "}" in text) and not balanced(text):
            # Dropped here, not by the writer: a dropped brace can join a kept command
            # to the letters after it (`\\i{nput` -> `\\input`), so commands are read again.
            text = _COMMAND.sub(_keep_or_typeset, drop_unmatched(text))
        if "^^" in text:
            text = _HAT_PAIR.sub("^{}", text)  # no ^^5c escape can form, even from ^^^
        if "%" in text or "&" in text or "#" in text:
            text = _BARE_SPECIAL.sub(r"\1\\\2", text)
        return text
    if "\x00" in text or "\x01" in text or "\x02" in text:  # the placeholders below
        text = text.replace("\x00", "").replace("\x01", "").replace("\x02", "")
    if "\\" in text or "^" in text or "~" in text:
        text = text.replace("\\", "\x00").replace("^", "\x01").replace("~", "\x02")
    if "{" in text or "}" in text:
        text = text.replace("{", "").replace("}", "")
    if "\x00" in text or "\x01" in text or "\x02" in text:
        for mark, typeset in _TYPESET.items():
            text = text.replace(mark, typeset)
    if any(c in text for c in "%&#$_"):
        text = _PLAIN_SPECIAL.sub(r"\\\1", text)
    return text


@lru_cache(maxsize=1 << 16)
def clean_text(text: str | None, *, latex: bool = False) -> str:
    """One line of untrusted text as a safe BibTeX value: the whole policy, in order
    (`latex=True` for a source that writes LaTeX, see `inert_latex`)."""
    if not text:
        return ""
    # Invisible characters go before the tags are read (`<\x00script>` is a tag once the
    # NUL is gone) and again after (an entity can spell one: `&#8203;`).
    text = drop_invisible(strip_markup(drop_invisible(text)))
    text = inert_latex(unicodedata.normalize("NFC", text), latex=latex)
    return " ".join(text.split())  # (`\\s+` to one space, ends stripped: the same spaces)


_NOT_IN_LINK = re.compile(r'[\s{}\\"<>^`]')


def clean_url(url: str | None) -> str:
    """The URL if it is a plain http(s) link, else ""."""
    from genbib.model.identifiers import is_http_url  # identifiers imports this module

    if not url:
        return ""
    url = url.strip()
    if _NOT_IN_LINK.search(url) or invisible_chars(url) or not is_http_url(url):
        return ""
    return url


# After an even run of backslashes (`\\\\input` is a line break, then the word "input").
_UNSAFE = re.compile(
    r"(?<!\\)(?:\\\\)*(?P<cmd>\\(?:write18|write|immediate|input|include|openout|openin"
    r"|catcode|def|edef|gdef|xdef|csname|read|readline|newwrite|newread|usepackage"
    r"|RequirePackage|let|special|directlua|luaexec|ShellEscape|scantokens|filecontents)"
    r"(?![A-Za-z])|\\begin\s*\{filecontents\*?\})|(?P<hat>\^\^)"
)


def unsafe_latex(raw: str) -> list[str]:
    """The dangerous control sequences in `raw` (a bib value), each once, in order."""
    if "\\" not in raw and "^^" not in raw:  # every one starts with either
        return []
    return list(dict.fromkeys(m.group("cmd") or m.group("hat") for m in _UNSAFE.finditer(raw)))
