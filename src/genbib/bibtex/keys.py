"""Citation keys: generated once for entries that have none, then stable forever.

The default formula is Google Scholar's (`ho2020denoising`). A formula is a string with
the placeholders `{author}` (first author's family name, ASCII, lower case), `{year}`,
`{title}` (first significant title word) and `{Title}`/`{Author}` (capitalised);
clashes get a, b, c... appended. Nothing here ever renames an existing key.

Provisional keys: an entry given a key while it lacks its author or its year (a list
read offline, an identifier not resolved yet) would carry `anon...` or a year-less key
for ever. Such a key is marked in the entry itself, `keystatus = {provisional}` (a field
BibTeX and biber ignore, kept by the canonical writer, visible in every diff), and
`genbib.bibtex.rekey.upgrade_keys` gives it its final key the first time the metadata is
complete. A key without the marker is final.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable

from genbib.errors import ConfigError
from genbib.model.entry import Entry
from genbib.model.names import parse_names

DEFAULT_FORMULA = "{author}{year}{title}"
PLACEHOLDERS = {"author", "year", "title", "Author", "Title"}

_STOPWORDS_TEXT = """a an the on of in for with to and or from by at via as is are be towards toward
    using do does its it your we our what when how why where which into over under about"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_LATEX_CMD = re.compile(r"\\[A-Za-z]+|\\.")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def ascii_fold(text: str) -> str:
    """`Müller` -> `muller`, `{\\"o}` -> `o`: LaTeX commands and accents dropped."""
    text = _LATEX_CMD.sub("", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    replacements = {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ı": "i"}
    text = "".join(replacements.get(c, c) for c in text.lower())
    return text


def _token(text: str) -> str:
    return _NON_ALNUM.sub("", ascii_fold(text))


def validate_formula(formula: str) -> None:
    names = {f for _, f, _, _ in string.Formatter().parse(formula) if f is not None}
    unknown = names - PLACEHOLDERS
    if unknown:
        raise ConfigError(
            f"citation-key formula {formula!r}: unknown placeholder(s) "
            f"{', '.join(sorted(unknown))}; expected {', '.join(sorted(PLACEHOLDERS))}"
        )
    sample = formula.format(author="ho", Author="Ho", year="2020", title="t", Title="T")
    why = key_problem(sample)  # the formula's own text must not break the key rule
    if why is not None:
        raise ConfigError(
            f"citation-key formula {formula!r} makes keys like {sample!r}: {why} ({KEY_RULE})"
        )


_TITLE_WORDS = re.compile(r"[\s\-/:]+")


def key_stem(entry: Entry, formula: str = DEFAULT_FORMULA) -> str:
    author = ""
    text = entry.get("author") or entry.get("editor") or ""
    if text:
        names = parse_names(text)
        if names:
            author = _token(names[0].last) or _token(names[0].display())
    # the first word that is not a stop word (else the first word): folded one by one,
    # up to that word only, since keys are given to thousands of entries at a time
    first = title = ""
    for w in _TITLE_WORDS.split(entry.title):
        token = _token(w)
        if token and not first:
            first = token
        if token and token not in STOPWORDS:
            title = token
            break
    title = title or first
    year = str(entry.year or "")
    stem = formula.format(
        author=author or "anon",
        Author=(author or "anon").capitalize(),
        year=year,
        title=title,
        Title=title.capitalize(),
    )
    return stem or "entry"


# --- the key rule ----------------------------------------------------------------------

KEY_MAX = 100
KEY_RULE = (
    "a citation key is 1-100 ASCII letters, digits and - _ : . + /, starting with a letter or digit"
)
_VALID_KEY = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_:.+/-]{{0,{KEY_MAX - 1}}}")
# Why a character is refused, for the message (the first one found is named).
_KEY_BREAKERS = (
    (" \t\n\r", "whitespace ends a key in BibTeX and in \\cite"),
    (",", "a comma ends the key in the bib and separates keys in \\cite{a,b}"),
    ("{}()", "braces and parentheses delimit entries"),
    ("%", "% starts a LaTeX comment inside \\cite"),
    ("#", "# is LaTeX's macro parameter and BibTeX's concatenation"),
    ("~", "~ is an active character (a tie) in \\cite"),
    ("\\", "a backslash starts a LaTeX command"),
    ("\"'=", "quotes and = are BibTeX value syntax and confuse parsers"),
    ("@", "@ starts an entry for BibTeX tools that scan for it"),
    ("$&^", "$ & ^ are math and alignment characters in LaTeX"),
)


def key_problem(key: str) -> str | None:
    """Why `key` breaks the key rule, or None when it is valid.

    The rule is what every tool of a lab's chain reads the same way: BibTeX 0.99d (a key
    ends at whitespace, a comma or the entry's closing delimiter), biber, natbib's and
    biblatex's `\\cite{a,b}` (LaTeX reads the key as tokens: `%`, `#`, `~`, `\\`,
    braces and spaces change it), bibtexparser/pybtex, Zotero and Better BibTeX (whose
    keys are ASCII). Non-ASCII is refused although pdflatex + bibtex of TeX Live 2022
    with the UTF-8 default accept `\\cite{Müller2020}`: a document with 8-bit
    `inputenc` (latin1) or an older kernel writes `ü` to the .aux as a command, so
    bibtex finds no entry, bibtex sorts keys by bytes, and journal submission systems
    run older TeX. `@` is accepted by BibTeX and biber but starts a new entry for tools
    that scan for it, and Zotero never makes such a key. The first character is a letter
    or digit, as in every key genbib, Zotero or Google Scholar makes, so that a key is
    never read as an option on a command line (`genbib show -x`, `rekey -x new`).
    """
    if not key:
        return "the key is empty"
    if len(key) > KEY_MAX:
        return f"longer than {KEY_MAX} characters"
    if _VALID_KEY.fullmatch(key):
        return None
    for chars, why in _KEY_BREAKERS:
        bad = next((c for c in key if c in chars), None)
        if bad is not None:
            return f"{bad!r}: {why}"
    bad = next((c for c in key if not c.isascii()), None)
    if bad is not None:
        return f"{bad!r} is not ASCII: bibtex under pdflatex with 8-bit input cannot match it"
    if not key[0].isalnum():
        return f"it starts with {key[0]!r}, not a letter or digit"
    bad = next(c for c in key if not (c.isalnum() or c in "_:.+/-"))
    return f"{bad!r} is not one of - _ : . + /"


def is_valid_key(key: str) -> bool:
    """True when `key` follows the key rule (`KEY_RULE`; `key_problem` says why not).

    The one rule for keys genbib creates or takes from outside: `rekey` refuses to
    create others, the Zotero mapping and sync do not take them from Zotero (a key is
    generated instead), `check` reports existing ones (never renamed silently)."""
    return bool(_VALID_KEY.fullmatch(key))


_CITABLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_:.+/@-]*")


def is_citable(key: str) -> bool:
    """True when `key` can go verbatim inside `\\cite{...}` in a generated stub.

    Wider than the rule (an existing `a@b` or over-long key still renders): only what
    LaTeX would read as something other than the key is refused (`%`, `#`, `\\`,
    braces, spaces, commas, `~`, non-ASCII)."""
    return bool(_CITABLE.fullmatch(key))


STATUS_FIELD = "keystatus"
PROVISIONAL = "provisional"


def is_provisional(entry: Entry) -> bool:
    """True when the entry's key is marked provisional (see the module docstring)."""
    return (entry.get(STATUS_FIELD) or "").strip().lower() == PROVISIONAL


def metadata_complete(entry: Entry) -> bool:
    """True when the formula's inputs are all known: author (or editor), year and title."""
    return bool((entry.get("author") or entry.get("editor")) and entry.year and entry.title)


def mark_provisional(entry: Entry, provisional: bool = True) -> None:
    entry.set(STATUS_FIELD, PROVISIONAL if provisional else None)


def fresh_key(
    entry: Entry,
    folded: set[str],
    formula: str = DEFAULT_FORMULA,
    tried: dict[str, int] | None = None,
) -> str:
    """The formula's key for `entry`, with a, b, c... until it is not in `folded` (case-folded
    keys and aliases in use, and retired ones).

    `tried`: stem -> suffixes already found taken, kept by a caller that gives many keys
    while `folded` only grows (`assign_keys`): the search resumes where it stopped, so a
    thousand papers on one stem cost a thousand probes, not half a million."""
    stem = key_stem(entry, formula)
    suffix = tried.get(stem, -1) if tried is not None else -1
    key = stem if suffix < 0 else stem + _suffix(suffix)
    while key.casefold() in folded:
        suffix += 1
        key = stem + _suffix(suffix)
    if tried is not None:
        tried[stem] = suffix
    return key


def assign_keys(
    entries: Iterable[Entry], taken: set[str], formula: str = DEFAULT_FORMULA
) -> list[Entry]:
    """Give a key to every entry whose key is empty; returns the entries that got one.

    `taken` holds every key (and alias) already in use; it is updated in place. A key
    given while the metadata is incomplete is marked provisional.
    """
    changed = []
    folded = {k.casefold() for k in taken}  # BibTeX compares keys case-insensitively
    tried: dict[str, int] = {}
    for entry in entries:
        if entry.key:
            continue
        key = fresh_key(entry, folded, formula, tried)
        entry.key = key
        if not metadata_complete(entry):
            mark_provisional(entry)
        taken.add(key)
        folded.add(key.casefold())
        changed.append(entry)
    return changed


def _suffix(i: int) -> str:
    letters = string.ascii_lowercase
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = letters[r] + out
    return out
