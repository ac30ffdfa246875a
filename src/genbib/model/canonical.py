"""The canonical form of an entry: one shape per kind of paper that every style prints.

A lab compiles with natbib's `plainnat`/`abbrvnat`/`unsrtnat` (BibTeX) or biblatex's
`standard` styles (biber). They disagree on what they read: BibTeX's styles ignore
`journal` in `@misc` (a preprint then prints as "Title, 2023." with no venue), do not
know `@online`, `@software`, `@thesis` or `@report` (they fall back to `@misc`), and
cannot sort an entry with neither author nor key. The forms below print a venue line
under all four styles (shown by `tests/latex/test_styles.py` with a real TeX Live):

| kind        | form                                                                          |
|-------------|-------------------------------------------------------------------------------|
| preprint    | `@misc` + `howpublished = {arXiv preprint arXiv:ID}`, `eprint = {ID}`,         |
|             | `archiveprefix = {arXiv}`, `primaryclass` when known (no `journal`)            |
| conference  | `@inproceedings` + `booktitle`                                                 |
| journal     | `@article` + `journal` (biblatex's `journaltitle` renamed)                     |
| thesis      | `@phdthesis` / `@mastersthesis` + `school` (biblatex `@thesis`/`institution`)  |
| report      | `@techreport` + `institution` (biblatex `@report`)                             |
| software    | `@misc` + `howpublished = {Software}` (`{GitHub repository}` for github.com)   |
| web page    | `@misc` + `howpublished = {Web page}` (biblatex `@online`, `@electronic`)      |

Everything also gets a `year` (from `date`); when it has neither author nor editor, a
`key` (its title) so BibTeX can sort and label it; and a name's non-ASCII initial is
written as a LaTeX accent (`{\\'E}lodie`), because 8-bit BibTeX abbreviates it to half
a UTF-8 character under abbrvnat and pdflatex stops there; `{\\'\\i}` becomes `{\\'i}`
(biber decodes the first to a combining accent that pdflatex cannot typeset). `canonicalize()` changes an entry in
place and says what it changed; importers, enrich and the Zotero mapping call it on the
entries they build (the mapping on an item new to the bib), and `genbib fmt --canonical`
brings an existing bib to this form after showing the diff (plain `genbib fmt` never
changes a field's content). What the form derives is no new information, so
`spell_like()` counts a value and its canonical spelling as the same and `undo_derived()`
takes back what only the form changed: a Zotero sync neither writes derived values to
Zotero nor brings a linked entry to the form by itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from genbib.model import identifiers as ids
from genbib.model.entry import Entry

# The fields each entry type prints as its venue under BibTeX's natbib styles (types
# BibTeX does not know fall back to @misc). An entry with none of them prints no venue.
VENUE_FIELDS: dict[str, tuple[str, ...]] = {
    "article": ("journal",),
    "inproceedings": ("booktitle",),
    "conference": ("booktitle",),
    "incollection": ("booktitle",),
    "inbook": ("publisher", "booktitle"),
    "book": ("publisher",),
    "booklet": ("howpublished",),
    "manual": ("organization",),
    "phdthesis": ("school",),
    "mastersthesis": ("school",),
    "techreport": ("institution",),
    "proceedings": ("publisher", "organization"),
    "unpublished": ("note",),
    "misc": ("howpublished", "note"),
}
MISC_VENUE = VENUE_FIELDS["misc"]

PREPRINT_PREFIX = "arXiv preprint arXiv:"
TYPE = "@type"  # the entry type, as `Change.field`
_PREPRINT_WORDS = ("arxiv", "corr", "preprint")
WEB_PAGE, SOFTWARE, GITHUB, DATASET = "Web page", "Software", "GitHub repository", "Dataset"
_MISC_AS = {
    "online": WEB_PAGE,
    "electronic": WEB_PAGE,
    "www": WEB_PAGE,
    "software": SOFTWARE,
    "dataset": DATASET,
}
_YEAR = re.compile(r"\d{4}")
_ARXIV_IN_TEXT = re.compile(
    r"arXiv:\s*([0-9]{4}\.[0-9]{4,5}|[a-z-]+(?:\.[A-Z]{2})?/[0-9]{7})", re.I
)


@dataclass(frozen=True, slots=True)
class Change:
    """One change `canonicalize` made: a field set, renamed or removed, or the type."""

    key: str
    field: str  # "@type" for the entry type
    old: str
    new: str

    def as_tuple(self) -> tuple[str, str, str, str]:
        return (self.key, self.field, self.old, self.new)

    def describe(self) -> str:
        if not self.old:
            return f"{self.key}: {self.field} = {{{self.new}}}"
        if not self.new:
            return f"{self.key}: {self.field} removed (was {{{self.old}}})"
        return f"{self.key}: {self.field} {{{self.old}}} -> {{{self.new}}}"


def venue_fields(entry_type: str) -> tuple[str, ...]:
    """The fields BibTeX's natbib styles print as the venue of an entry of this type."""
    return VENUE_FIELDS.get(entry_type.lower(), MISC_VENUE)


def has_venue(entry: Entry) -> bool:
    """Whether the entry prints a venue (or preprint) line under every supported style."""
    if "crossref" in entry.fields:
        return True  # the venue comes from the cross-referenced entry
    return any((entry.get(name) or "").strip() for name in venue_fields(entry.type))


def is_preprint_venue(text: str) -> bool:
    low = text.lower()
    return any(w in low for w in _PREPRINT_WORDS)


def arxiv_of(entry: Entry) -> str | None:
    """The entry's arXiv id: `Entry.arxiv`, else one its venue text names
    (`howpublished = {arXiv:2105.05233}`, `journal = {arXiv preprint arXiv:...}`)."""
    found = entry.arxiv
    for name in ("howpublished", "journal", "note"):
        if found:
            break
        m = _ARXIV_IN_TEXT.search(entry.get(name) or "")
        found = ids.arxiv_id(m.group(1)) if m else None
    return found


def is_preprint(entry: Entry) -> bool:
    """An arXiv paper with no published venue (its venue fields name arXiv, or nothing)."""
    if arxiv_of(entry) is None:
        return False
    kind = entry.type.lower()
    if kind not in ("misc", "article", "inproceedings", "conference", "unpublished", "online"):
        return False  # a thesis, report or book on arXiv keeps its own form
    for name in ("journal", "journaltitle", "booktitle"):
        text = (entry.get(name) or "").strip()
        if text and not is_preprint_venue(text):
            return False
    return True


def canonicalize(entry: Entry) -> list[Change]:
    """Bring `entry` to the canonical form of its kind, in place; the changes made."""
    out: list[Change] = []
    if is_preprint(entry):
        _preprint(entry, out)
    else:
        _kind(entry, out)
        if is_preprint(entry):  # e.g. an @software that only names arXiv
            _preprint(entry, out)
    _year(entry, out)
    _sort_key(entry, out)
    _initials(entry, out)
    _dotless_i(entry, out)
    if out:
        _provenance(entry, out)
    return out


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


def canonical_form(entries: Iterable[Entry], changes: Iterable[_Keyed]) -> list[Change]:
    """The entries a stage changed (the keys of its `changes`) in their kind's canonical
    form; the others stay as they are (only `genbib fmt --canonical` changes those).
    Enrich calls it on what it filled, so what it writes is canonical."""
    changed = {c.key for c in changes}
    return [c for e in entries if e.key in changed for c in canonicalize(e)]


# --- sameness: two spellings of one entry -------------------------------------------------


def spell_like(
    entry: Entry, reference: Entry, *, canonical: Entry | None = None, follow_form: bool = False
) -> Entry:
    """`entry` with each value that is `reference`'s up to the canonical form spelled as
    `reference` spells it (a copy; `entry` is left alone).

    A field (or the entry type) counts as the same when `entry`'s value or its canonical
    one is `reference`'s value or its canonical one: `howpublished = {arXiv preprint
    arXiv:ID}` next to its absence, `@misc` next to `@online`. `canonical` is `entry`'s
    canonical form when the caller has it (else computed). A value that did change stays
    `entry`'s, or with `follow_form` takes `reference`'s form: canonical where `reference`
    is canonical in that field, else as `entry` has it. The Zotero mapping reads a linked
    item this way (the base decides the form, `follow_form`), and compares an item with
    the bib entry it is linked to for the first time; writing, see `undo_derived`.
    """
    if canonical is None:
        canonical = entry.copy()
        canonicalize(canonical)
    settled = reference.copy()
    names = {c.field for c in canonicalize(settled)} | _differing(entry, canonical)
    out = entry.copy()
    for name in sorted(names):
        theirs = {_text(reference, name), _text(settled, name)}
        if _text(entry, name) in theirs or _text(canonical, name) in theirs:
            _take(out, name, reference)
        elif follow_form and _text(settled, name) == _text(reference, name):
            _take(out, name, canonical)
    return out


def undo_derived(entry: Entry, before: Entry) -> Entry:
    """`entry` (a copy) with each value that is only `before`'s canonical form put back as
    `before` has it: what `genbib fmt --canonical` derived from `before` is no change to
    write elsewhere. One way only: a value `entry` spells differently from its own
    canonical form is the entry's to write (a bib `@article` linked to a preprint item)."""
    settled = before.copy()
    names = {c.field for c in canonicalize(settled)}
    out = entry.copy()
    for name in sorted(names):
        if _text(entry, name) == _text(settled, name):
            _take(out, name, before)
    return out


def _differing(a: Entry, b: Entry) -> set[str]:
    names = {n for n in {*a.fields, *b.fields} if a.fields.get(n) != b.fields.get(n)}
    return names | ({TYPE} if a.type.lower() != b.type.lower() else set())


def _text(entry: Entry, name: str) -> str:
    return entry.type.lower() if name == TYPE else " ".join((entry.get(name) or "").split())


def _take(target: Entry, name: str, source: Entry) -> None:
    """`target`'s `name` set to `source`'s raw value (removed when `source` has none)."""
    if name == TYPE:
        target.type = source.type
    elif name in source.fields:
        target.fields[name] = source.fields[name]
    else:
        target.fields.pop(name, None)


# --- the forms ---------------------------------------------------------------------------


def _set(entry: Entry, name: str, text: str, out: list[Change]) -> None:
    old = entry.get(name) or ""
    if old != text:
        entry.set(name, text)
        out.append(Change(entry.key, name, old, text))


def _rename(entry: Entry, old: str, new: str, out: list[Change]) -> None:
    """Move field `old` to `new` (raw value kept byte for byte) unless `new` is set."""
    if old not in entry.fields or entry.get(new):
        return
    value = entry.get(old) or ""
    entry.fields[new] = entry.fields.pop(old)
    out.append(Change(entry.key, old, value, ""))
    out.append(Change(entry.key, new, "", value))


def _retype(entry: Entry, new: str, out: list[Change]) -> None:
    if entry.type.lower() != new:
        out.append(Change(entry.key, TYPE, entry.type.lower(), new))
        entry.type = new


def _preprint(entry: Entry, out: list[Change]) -> None:
    ident = arxiv_of(entry) or ""
    _retype(entry, "misc", out)
    for name in ("journal", "journaltitle", "booktitle"):
        if name in entry.fields:
            _set(entry, name, "", out)
    for name in ("volume", "number", "pages"):  # CoRR's `volume = {abs/2303.08797}`
        if "abs/" in (entry.get(name) or ""):
            _set(entry, name, "", out)
    how = entry.get("howpublished") or ""
    if not how or is_preprint_venue(how):
        _set(entry, "howpublished", PREPRINT_PREFIX + ident, out)
    if ids.arxiv_id(entry.get("eprint")) is None:
        _set(entry, "eprint", ident, out)
    if not entry.get("archiveprefix") and not entry.get("eprinttype"):
        _set(entry, "archiveprefix", "arXiv", out)


def _kind(entry: Entry, out: list[Change]) -> None:
    kind = entry.type.lower()
    if kind in _MISC_AS:
        how = _MISC_AS[kind]
        if how == SOFTWARE and "github.com/" in (entry.get("url") or "").lower():
            how = GITHUB
        _retype(entry, "misc", out)
        if not entry.get("howpublished"):
            _set(entry, "howpublished", how, out)
    elif kind == "thesis":
        master = "master" in (entry.get("type") or "").lower()
        _retype(entry, "mastersthesis" if master else "phdthesis", out)
        _rename(entry, "institution", "school", out)
    elif kind in ("phdthesis", "mastersthesis"):
        _rename(entry, "institution", "school", out)
    elif kind == "report":
        _retype(entry, "techreport", out)
    elif kind == "article":
        _rename(entry, "journaltitle", "journal", out)
    elif kind == "misc" and entry.get("journal") and not entry.get("howpublished"):
        _rename(entry, "journal", "howpublished", out)  # BibTeX ignores journal in @misc


def _year(entry: Entry, out: list[Change]) -> None:
    if entry.get("year"):
        return
    m = _YEAR.match(entry.get("date") or "")
    if m:
        _set(entry, "year", m.group(), out)


def _sort_key(entry: Entry, out: list[Change]) -> None:
    """BibTeX's natbib styles sort and label by author, else editor, else `key`."""
    if entry.get("author") or entry.get("editor") or entry.get("key"):
        return
    label = sort_label(entry.get("shortname") or entry.get("title") or "")
    if label:
        _set(entry, "key", label, out)


def sort_label(text: str) -> str:
    """The first words of `text` as a label natbib can print: letters, digits and
    hyphens only (a bracket or parenthesis in the label breaks natbib's author-year
    parsing, a backslash would be LaTeX)."""
    text = _COMMANDS.sub(" ", text).replace("{", "").replace("}", "")
    words = [w.strip("-") for w in _NOT_LABEL.sub(" ", text).split()]
    return " ".join([w for w in words if w][:_LABEL_WORDS])


_COMMANDS = re.compile(r"\\[A-Za-z]+|\\.")
_NOT_LABEL = re.compile(r"[^\w\s-]|_")
_LABEL_WORDS = 3


def _initials(entry: Entry, out: list[Change]) -> None:
    """BibTeX counts bytes: abbrvnat abbreviates `Élodie` to the first byte of its UTF-8
    form, and pdflatex stops on the half character. A word-initial non-ASCII letter
    written as a LaTeX accent in braces (`{\\'E}lodie`) is one letter to BibTeX."""
    for role in ("author", "editor"):
        text = entry.get(role)
        if text and not text.isascii():
            new = protect_initials(text)
            if new != text:
                _set(entry, role, new, out)


def protect_initials(text: str) -> str:
    """`text` with each non-ASCII letter that starts a word, outside braces, written as
    `{\\accent X}` when LaTeX has a command for it (else left as it is)."""
    import codecs

    import latexcodec.codec  # noqa: F401  (registers the "ulatex" codec)

    out: list[str] = []
    depth = 0
    for i, ch in enumerate(text):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        elif (
            depth == 0
            and not ch.isascii()
            and ch.isalpha()
            and (i == 0 or text[i - 1] in _WORD_START)
        ):
            try:
                latex: object = codecs.encode(ch, "ulatex")  # str -> str ("É" -> "\\'E")
            except UnicodeEncodeError:
                latex = ch
            if isinstance(latex, str) and latex.startswith("\\"):
                out.append("{" + latex + "}")
                continue
        out.append(ch)
    return "".join(out)


_WORD_START = frozenset(" \t\n-~.,")

# `{\'\i}` (Google Scholar's í): biber decodes it to a dotless i plus a combining accent
# (U+0131 U+0301), which pdflatex's inputenc cannot typeset; `{\'i}` is the same letter
# to LaTeX and BibTeX, and biber decodes it to the precomposed í.
_DOTLESS = re.compile(r"(\\['`^\"~=.])(\s*)(\{?)\\i(?![A-Za-z\s])(\}?)|(\\[uvH]\{)\\i\}")
_TEXT_FIELDS = (
    "author", "editor", "title", "booktitle", "journal", "howpublished", "school",
    "institution", "publisher", "organization", "series", "address", "note",
)  # fmt: skip


def _dotless_i(entry: Entry, out: list[Change]) -> None:
    for name in _TEXT_FIELDS:
        raw = entry.fields.get(name)
        if raw is None or "\\i" not in raw:
            continue
        new = _DOTLESS.sub(_undot, raw)
        if new != raw:
            old = entry.get(name) or ""
            entry.fields[name] = new  # the raw value: its delimiters stay as written
            out.append(Change(entry.key, name, old, entry.get(name) or ""))


def _undot(m: re.Match[str]) -> str:
    if m.group(5):
        return m.group(5) + "i}"
    return f"{m.group(1)}{m.group(2)}{m.group(3)}i{m.group(4)}"


# --- provenance (`fieldsources`) follows a moved field ---------------------------------------


def _provenance(entry: Entry, out: list[Change]) -> None:
    """Keep `fieldsources` true: a moved field keeps its source, a removed one loses it."""
    from genbib.enrich import provenance

    if provenance.FIELD not in entry.fields:
        return
    records = provenance.sources(entry)
    for new, old in _moves(out):
        if old in records and new not in records:
            records[new] = records[old]
    provenance.write(entry, records)  # drops the records of fields no longer there


def _moves(out: list[Change]) -> list[tuple[str, str]]:
    """(new field, old field) for each value `canonicalize` moved to another field."""
    removed = [c for c in out if c.old and not c.new]
    added = {c.field for c in out if c.new and not c.old}
    moves = []
    for c in removed:
        if c.field in ("journal", "journaltitle", "booktitle") and "howpublished" in added:
            moves.append(("howpublished", c.field))
        elif c.field == "institution" and "school" in added:
            moves.append(("school", c.field))
        elif c.field == "journaltitle" and "journal" in added:
            moves.append(("journal", c.field))
        elif c.field == "journal" and "howpublished" in added:
            moves.append(("howpublished", c.field))
    return moves
