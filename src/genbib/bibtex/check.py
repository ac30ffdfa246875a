"""`genbib check`: the linter for .bib files, one rule per stable code.

Every finding is a `Problem` whose code (`E010-missing-field`) never changes meaning, so
scripts, CI and editors can filter on it; the registry `RULES` is the one list of codes
(docs/guide/check.md documents each). The reader's own findings (encoding, parse,
duplicate keys and fields) are part of the same scheme and are reported first. Checks
only read: nothing here changes an entry.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from genbib.bibtex.citations import Citation, scan_citations, scan_files
from genbib.bibtex.keys import KEY_RULE, is_provisional, key_problem
from genbib.bibtex.reader import malformed_key, read_file
from genbib.bibtex.titles import scan_title
from genbib.model import identifiers as ids
from genbib.model.canonical import VENUE_FIELDS, has_venue, venue_fields
from genbib.model.entry import LINK_FIELDS, Entry
from genbib.model.library import Library, Malformed, Preamble, StringDef
from genbib.model.problems import Problem, Severity
from genbib.model.untrusted import invisible_chars, unsafe_latex
from genbib.model.values import plain


@dataclass(frozen=True, slots=True)
class Rule:
    """A check's stable code, its default severity and a one-line description."""

    code: str
    severity: Severity
    summary: str


RULES: dict[str, Rule] = {}


def _rule(code: str, severity: Severity, summary: str) -> str:
    RULES[code] = Rule(code, severity, summary)
    return code


E, W = Severity.ERROR, Severity.WARNING
ENCODING = _rule("E001-encoding", W, "file is not UTF-8; read as Latin-1 (fmt writes UTF-8)")
PARSE = _rule("E002-parse", E, "a block does not parse; it is kept verbatim")
DUPLICATE_KEY = _rule("E003-duplicate-key", E, "two entries share a citation key")
DUPLICATE_FIELD = _rule("E004-duplicate-field", E, "an entry sets a field twice; kept verbatim")
UNBALANCED = _rule("E005-unbalanced-braces", E, "a block that did not parse has unbalanced braces")
MISSING_KEY = _rule("E006-missing-key", E, "an entry has no citation key")
KEY_RULE_BROKEN = _rule(
    "E007-key-rule", W, "a citation key breaks the key rule (genbib rekey gives it a valid one)"
)
CROSSREF = _rule(
    "E008-crossref", E, "`crossref`/`xref` names no entry's key (a former key: BibTeX reads no ids)"
)
MISSING_FIELD = _rule("E010-missing-field", E, "a field its entry type requires is missing")
BAD_DOI = _rule("E011-doi", E, "`doi` is not a DOI (10.NNNN/...)")
BAD_ARXIV = _rule("E012-arxiv", E, "`eprint` of an arXiv entry is not an arXiv id")
BAD_URL = _rule("E013-url", E, "a link field holds something other than an http(s) URL")
BAD_YEAR = _rule("E014-year", E, "`year` is not a four-digit year (or `date` not an ISO date)")
NO_VENUE = _rule("E015-no-venue", W, "BibTeX's natbib styles would print the entry with no venue")
ET_AL = _rule("E016-and-others", W, "the author list ends in `and others`: it is incomplete")
PENDING = _rule(
    "E017-pending-metadata", W, "an entry with a provisional key still lacks author or year"
)
UNESCAPED = _rule("E020-unescaped-char", E, "a title has & % # or _ that LaTeX will misread")
UNPROTECTED = _rule("E021-unprotected-caps", W, "a title acronym or name is not brace-protected")
PERCENT = _rule("E022-unescaped-percent", W, "a field other than a link has a bare % (write \\%)")
UNSAFE = _rule("E030-unsafe-latex", E, "LaTeX that can run commands or read/write files")
CONTROL = _rule("E031-control-char", E, "a field has control or bidi-override characters")
UNKNOWN_TOPIC = _rule("E040-unknown-topic", E, "a topic is not defined in genbib.toml")
CITED_ALIAS = _rule(
    "E050-cited-alias", W, "a LaTeX document cites a former key (biber resolves it)"
)
CITED_RETIRED = _rule("E051-cited-retired", E, "a LaTeX document cites a deleted paper's key")
CITED_UNKNOWN = _rule(
    "E052-cited-undefined", E, "a LaTeX document cites a key no entry answers to (undefined)"
)

# --- required fields ------------------------------------------------------------------
# Each requirement is a tuple of alternatives (biblatex names accepted beside BibTeX's).
_YEAR_OR_DATE = ("year", "date")
_PROC = (("author",), ("title",), ("booktitle",), _YEAR_OR_DATE)
_THESIS = (("author",), ("title",), ("school", "institution"), _YEAR_OR_DATE)
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "article": (("author",), ("title",), ("journal", "journaltitle"), _YEAR_OR_DATE),
    "book": (("author", "editor"), ("title",), ("publisher",), _YEAR_OR_DATE),
    "booklet": (("title",),),
    "inbook": (
        ("author", "editor"),
        ("title",),
        ("chapter", "pages"),
        ("publisher",),
        _YEAR_OR_DATE,
    ),
    "incollection": (("author",), ("title",), ("booktitle",), ("publisher",), _YEAR_OR_DATE),
    "inproceedings": _PROC,
    "conference": _PROC,
    "manual": (("title",),),
    "mastersthesis": _THESIS,
    "phdthesis": _THESIS,
    "thesis": _THESIS,
    "misc": (("title",),),
    "proceedings": (("title",), _YEAR_OR_DATE),
    "techreport": (("author",), ("title",), ("institution",), _YEAR_OR_DATE),
    "report": (("author",), ("title",), ("institution",), _YEAR_OR_DATE),
    "unpublished": (("author",), ("title",), ("note",)),
    "online": (("title",), ("url", "doi", "eprint")),
    "software": (("title",),),
    "dataset": (("title",),),
}

# Types whose required fields (E010) do not include a venue: E015 checks them.
_NO_VENUE_TYPES = frozenset(
    {"misc", "booklet", "manual", "online", "software", "dataset", "thesis", "report"}
)
_IGNORED_VENUES = ("journal", "journaltitle", "booktitle", "school", "institution", "publisher")
_YEAR = re.compile(r"\d{4}")
_DATE_PART = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
_DATE = re.compile(rf"{_DATE_PART}(?:/(?:{_DATE_PART})?)?")
_TITLE_FIELDS = ("title", "booktitle", "journal", "journaltitle", "series", "shortname")
# Fields that hold URLs or a DOI, where `%` is percent-encoding (biblatex reads them
# verbatim).
_PERCENT_OK = frozenset({*LINK_FIELDS.values(), "doi"})
_BARE_PERCENT = re.compile(r"(?:^|[^\\])(?:\\\\)*%")  # not preceded by an odd run of `\`


@dataclass(frozen=True, slots=True)
class Context:
    """What the entry checks need besides the entry itself."""

    macros: dict[str, str]
    topics: frozenset[str] | None  # None: no configuration with topics loaded


EntryCheck = Callable[[Entry, Context], Iterator[Problem]]
ENTRY_CHECKS: list[EntryCheck] = []


def _entry_check(fn: EntryCheck) -> EntryCheck:
    ENTRY_CHECKS.append(fn)
    return fn


def _problem(code: str, entry: Entry, message: str) -> Problem:
    return Problem(code, message, RULES[code].severity, entry.file, entry.line, entry.key)


def _text(entry: Entry, name: str, ctx: Context) -> str:
    raw = entry.fields.get(name)
    return "" if raw is None else plain(raw, ctx.macros).strip()


@_entry_check
def _check_key(entry: Entry, ctx: Context) -> Iterator[Problem]:
    if not entry.key:
        yield _problem(MISSING_KEY, entry, f"@{entry.type} entry without a citation key")
        return
    why = key_problem(entry.key)  # reported, never renamed: documents may cite it
    if why is not None:
        yield _problem(
            KEY_RULE_BROKEN,
            entry,
            f"key {entry.key!r} breaks the key rule: {why} ({KEY_RULE}); "
            f"`genbib rekey {entry.key} NEW` renames it and keeps it as an alias",
        )


@_entry_check
def _check_required(entry: Entry, ctx: Context) -> Iterator[Problem]:
    needs = REQUIRED.get(entry.type.lower())
    if needs is None:
        return
    if "crossref" in entry.fields:  # the rest is inherited from the cross-referenced entry
        needs = (("title",),)
    missing = [alts for alts in needs if not any(_text(entry, f, ctx) for f in alts)]
    if is_provisional(entry):  # marked as waiting for its metadata: not an error yet
        pending = [alts for alts in missing if alts[0] in ("author", "year")]
        missing = [alts for alts in missing if alts not in pending]
        if pending:
            names = ", ".join(" or ".join(alts) for alts in pending)
            yield _problem(
                PENDING, entry, f"provisional key; no {names} yet (genbib enrich can fill it)"
            )
    if missing:
        names = ", ".join(" or ".join(alts) for alts in missing)
        yield _problem(MISSING_FIELD, entry, f"@{entry.type.lower()} needs {names}")


@_entry_check
def _check_venue(entry: Entry, ctx: Context) -> Iterator[Problem]:
    """plainnat & co. print only the fields their entry type reads: `journal` in a
    @misc, an arXiv id without `howpublished`, or a type BibTeX does not know (@online,
    @software, @thesis, @report: printed as @misc) leave the reference with no venue
    line although the entry knows one. (A @misc that names no venue at all is not
    flagged: there is nothing to print.)"""
    kind = entry.type.lower()
    if has_venue(entry) or (kind in REQUIRED and kind not in _NO_VENUE_TYPES):
        return  # E010 already reports a missing journal/booktitle/school/institution
    ignored = [f for f in _IGNORED_VENUES if _text(entry, f, ctx)]
    if ignored:
        why = f"its {', '.join(ignored)} is not printed in @{kind}"
    elif kind in _NO_VENUE_TYPES and kind not in VENUE_FIELDS:
        why = f"BibTeX does not know @{kind} and prints it as @misc"
    elif entry.arxiv:
        why = f"its arXiv id {entry.arxiv} is not printed in @{kind}"
    else:
        return
    fields = " or ".join(venue_fields(kind))
    yield _problem(
        NO_VENUE,
        entry,
        f"no venue line under BibTeX styles: {why} (needs {fields}); "
        "`genbib fmt --canonical` gives it its kind's form",
    )


@_entry_check
def _check_others(entry: Entry, ctx: Context) -> Iterator[Problem]:
    for role in ("author", "editor"):
        if "others" not in (entry.get(role) or ""):
            continue  # (the common case, without parsing every name)
        names = entry.names(role)
        if names and names[-1].is_others:
            yield _problem(
                ET_AL,
                entry,
                f"{role} list ends in 'and others' ({len(names) - 1} named); complete it",
            )


@_entry_check
def _check_identifiers(entry: Entry, ctx: Context) -> Iterator[Problem]:
    doi = _text(entry, "doi", ctx)
    if doi and ids.doi(doi) is None:
        yield _problem(BAD_DOI, entry, f"doi {doi!r} is not a DOI (expected 10.NNNN/suffix)")
    eprint = _text(entry, "eprint", ctx)
    prefix = (_text(entry, "archiveprefix", ctx) or _text(entry, "eprinttype", ctx)).lower()
    if eprint and prefix in ("", "arxiv") and ids.arxiv_id(eprint) is None:
        yield _problem(
            BAD_ARXIV, entry, f"eprint {eprint!r} is not an arXiv id (expected 2006.11239)"
        )
    for name in LINK_FIELDS.values():
        for url in _text(entry, name, ctx).split():
            if not ids.is_http_url(url):
                yield _problem(BAD_URL, entry, f"{name} {url!r} is not an http(s) URL")


@_entry_check
def _check_year(entry: Entry, ctx: Context) -> Iterator[Problem]:
    year = _text(entry, "year", ctx)
    if "year" in entry.fields and not _YEAR.fullmatch(year):
        yield _problem(BAD_YEAR, entry, f"year {year!r} is not a four-digit year")
    date = _text(entry, "date", ctx)
    if "date" in entry.fields and not _DATE.fullmatch(date):
        yield _problem(BAD_YEAR, entry, f"date {date!r} is not an ISO date (YYYY[-MM[-DD]])")


@_entry_check
def _check_titles(entry: Entry, ctx: Context) -> Iterator[Problem]:
    for name in _TITLE_FIELDS:
        text = _text(entry, name, ctx)
        if not text:
            continue
        scan = scan_title(text)
        if scan.unescaped:
            chars = " ".join(sorted(set(scan.unescaped)))
            yield _problem(
                UNESCAPED, entry, f"{name} has unescaped {chars} (write \\& \\% \\# \\_)"
            )
        if name == "title" and scan.unprotected:
            words = ", ".join(dict.fromkeys(scan.unprotected))
            yield _problem(
                UNPROTECTED,
                entry,
                f"title words a style may lower-case: {words} (protect them: {{{scan.unprotected[0]}}})",
            )


@_entry_check
def _check_percent(entry: Entry, ctx: Context) -> Iterator[Problem]:
    """biber copies fields such as `annotation` into the .bbl even when no style prints
    them; a bare `%` there comments out the rest of the line, and the compile stops with
    "File ended while scanning use of \\field"."""
    for name, raw in entry.fields.items():
        if name in _PERCENT_OK or "%" not in raw or not _BARE_PERCENT.search(raw):
            continue
        if name in _TITLE_FIELDS and "%" in scan_title(_text(entry, name, ctx)).unescaped:
            continue  # E020 reports it (an error there)
        yield _problem(
            PERCENT,
            entry,
            f"{name} has a bare % (LaTeX reads the rest of the line as a comment; write \\%)",
        )


@_entry_check
def _check_unsafe(entry: Entry, ctx: Context) -> Iterator[Problem]:
    for name, raw in entry.fields.items():
        found = unsafe_latex(raw)
        if found:
            yield _problem(UNSAFE, entry, f"{name} contains {', '.join(found)}; remove it")
        bad = invisible_chars(raw, keep="\t\n\r")  # the one definition (model.untrusted)
        if bad:
            shown = ", ".join(f"U+{ord(c):04X}" for c in bad)
            yield _problem(CONTROL, entry, f"{name} contains invisible characters {shown}")


@_entry_check
def _check_topics(entry: Entry, ctx: Context) -> Iterator[Problem]:
    if ctx.topics is None:
        return
    unknown = [t for t in entry.topics if t not in ctx.topics]
    if unknown:
        yield _problem(
            UNKNOWN_TOPIC,
            entry,
            f"topic(s) {', '.join(unknown)} not in genbib.toml "
            f"(known: {', '.join(sorted(ctx.topics)) or 'none'})",
        )


# --- blocks other than entries --------------------------------------------------------
def _crossref_problems(library: Library) -> Iterator[Problem]:
    """An entry's `crossref` or `xref` must name an entry by its key: BibTeX matches it
    against keys (case aside) and never reads `ids`, so one naming a key that `rekey`,
    `dedupe` or sync retired leaves the entry without what it inherits."""
    linking = [
        (e, name) for e in library for name in ("crossref", "xref") if name in e.fields
    ]  # most bibs have none: the keys are gathered only when one does
    if not linking:
        return
    keys = {e.key.casefold() for e in library if e.key}
    owners = library.key_owners()
    for entry, name in linking:
        target = (entry.get(name) or "").strip()
        if not target or target.casefold() in keys:
            continue
        now = owners.get(target)
        why = (
            f"a former key of {now.key!r}: write {name} = {{{now.key}}}"
            if now is not None
            else "no entry has that key"
        )
        yield _problem(CROSSREF, entry, f"{name} = {{{target}}} names no entry's key ({why})")


def _block_problems(library: Library) -> Iterator[Problem]:
    for block in library.blocks:
        if isinstance(block, Malformed):
            where = _unbalanced_line(block.raw)
            if where is not None:
                yield Problem(
                    UNBALANCED,
                    f"unbalanced braces: {where[1]}",
                    RULES[UNBALANCED].severity,
                    library.file,
                    block.line + where[0],
                    malformed_key(block.raw),
                )
            raw, what = block.raw, "unparsed block"
        elif isinstance(block, StringDef):
            raw, what = block.raw, f"@string {block.name}"
        elif isinstance(block, Preamble):
            raw, what = block.raw, "@preamble"
        else:
            continue
        found = unsafe_latex(raw)
        if found:
            yield Problem(
                UNSAFE,
                f"{what} contains {', '.join(found)}; remove it",
                RULES[UNSAFE].severity,
                library.file,
                block.line,
            )


def _unbalanced_line(raw: str) -> tuple[int, str] | None:
    """(line offset, explanation) of the first brace without a partner, or None."""
    stack: list[int] = []
    for i, c in enumerate(raw):
        if c == "{":
            stack.append(i)
        elif c == "}":
            if not stack:
                return raw.count("\n", 0, i), "'}' closes nothing"
            stack.pop()
    if stack:
        return raw.count("\n", 0, stack[0]), f"{len(stack)} '{{' never closed"
    return None


def cited_aliases(
    library: Library, citations: Iterable[Citation], planned: Mapping[str, str] | None = None
) -> list[Problem]:
    """Warnings for citations of former keys: biber resolves `ids`, BibTeX does not.

    `planned` adds aliases about to exist (merged-away key -> survivor), so `genbib dedupe
    --cites` can warn before it merges.
    """
    alias_of = {a: e.key for e in library for a in e.aliases}
    alias_of.update(planned or {})
    keys = {e.key for e in library} - set(planned or {})
    out = []
    for c in citations:
        if c.key not in keys and c.key in alias_of:
            target = alias_of[c.key]
            out.append(
                Problem(
                    CITED_ALIAS,
                    f"cites {c.key!r}, a former key of {target!r} (ids); cite {target!r}",
                    RULES[CITED_ALIAS].severity,
                    c.file,
                    c.line,
                    c.key,
                )
            )
    return out


def cited_retired(
    library: Library, citations: Iterable[Citation], retired: Mapping[str, str]
) -> list[Problem]:
    """Warnings for citations of retired keys: their paper was deleted, they cite nothing
    (and genbib never gives them to another paper, so they never will)."""
    folded = {k.casefold(): (k, note) for k, note in retired.items()}
    live = {k.casefold() for k in library.keys_in_use()}
    out = []
    for c in citations:
        hit = folded.get(c.key.casefold())
        if hit is None or c.key.casefold() in live:
            continue
        what = f" ({hit[1]})" if hit[1] else ""
        out.append(
            Problem(
                CITED_RETIRED,
                f"cites {c.key!r}, the retired key of a deleted paper{what}; "
                "cite another entry or restore the paper",
                RULES[CITED_RETIRED].severity,
                c.file,
                c.line,
                c.key,
            )
        )
    return out


def cited_undefined(
    library: Library,
    citations: Iterable[Citation],
    *,
    backend: str = "natbib",
    retired: Mapping[str, str] | None = None,
    known: Collection[str] = (),
) -> list[Problem]:
    """Errors for citations no entry answers to under `backend`, warnings for aliases.

    biber resolves a former key through `ids` (a warning: cite the current key); BibTeX
    does not read `ids`, so under natbib an alias is as undefined as an unknown key.
    Retired keys are E051 (errors under both). `known`: keys the document's other
    bibliographies define.
    """
    keys = {e.key for e in library} | set(known)
    alias_of = {a: e.key for e in library for a in e.aliases}
    folded_retired = {k.casefold() for k in retired or {}}
    out: list[Problem] = []
    for c in citations:
        if c.key in keys or c.key.casefold() in folded_retired:
            continue
        target = alias_of.get(c.key)
        if target is not None and backend == "biblatex":
            continue  # cited_aliases warns
        if target is not None:
            msg = (
                f"cites {c.key!r}, a former key of {target!r}: BibTeX does not read ids, "
                f"so the citation is undefined; cite {target!r} (genbib rekey and dedupe "
                "rewrite the configured [latex] sources)"
            )
        else:
            msg = f"cites {c.key!r}, which no entry of {library.file or 'the bib'} defines"
        out.append(
            Problem(CITED_UNKNOWN, msg, RULES[CITED_UNKNOWN].severity, c.file, c.line, c.key)
        )
    return out


# --- driver ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckResult:
    file: str
    entries: int
    problems: list[Problem]

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.WARNING)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "entries": self.entries,
            "errors": self.errors,
            "warnings": self.warnings,
            "problems": [p.as_dict() for p in self.problems],
        }


def check_library(library: Library, *, topics: Collection[str] | None = None) -> list[Problem]:
    """All findings for a library read from a file: the reader's, then the rules'.

    `topics`: the slugs the configuration defines, or None to skip the topic rule.
    """
    ctx = Context(library.macros(), None if topics is None else frozenset(topics))
    found = list(library.problems)
    found.extend(_block_problems(library))
    for entry in library:
        for check in ENTRY_CHECKS:
            found.extend(check(entry, ctx))
    found.extend(_crossref_problems(library))
    return sorted(found, key=lambda p: p.line)  # stable: reader findings first on a line


def _other_bib_keys(
    directory: Path, checked: Path, backend: str, *, recursive: bool = True
) -> set[str]:
    """Keys the project's other .bib files define (a paper may cite several bibs)."""
    keys: set[str] = set()
    for bib in sorted(directory.rglob("*.bib") if recursive else directory.glob("*.bib")):
        if bib.resolve() == checked.resolve() or not bib.is_file():
            continue
        for entry in read_file(bib):
            keys.add(entry.key)
            if backend == "biblatex":
                keys.update(entry.aliases)
    return keys


def strict(problems: Iterable[Problem]) -> list[Problem]:
    """`--strict`: every warning counts as an error."""
    return [
        dataclasses.replace(p, severity=Severity.ERROR) if p.severity is Severity.WARNING else p
        for p in problems
    ]


def check_file(
    path: str | Path,
    *,
    topics: Collection[str] | None = None,
    cites: str | Path | None = None,
    sources: Sequence[Path] = (),
    backend: str = "natbib",
    strict_mode: bool = False,
) -> CheckResult:
    """Read and check `path`; with `cites` (a LaTeX project folder) or `sources` (its
    files, as `[latex] sources` names them), also report citations that do not resolve
    under `backend` ("natbib": BibTeX, "biblatex": biber), of aliases and of retired
    keys (the record beside `path`). Other .bib files in the folder (for `sources`: beside
    each file) count as defining keys too."""
    library = read_file(path)
    problems = check_library(library, topics=topics)
    if cites is not None or sources:
        from genbib.bibtex import retired

        if cites is not None:
            citations = list(scan_citations(cites))
            known = _other_bib_keys(Path(cites), Path(path), backend)
        else:
            citations = list(scan_files(sources))
            known = set().union(
                *(
                    _other_bib_keys(d, Path(path), backend, recursive=False)
                    for d in sorted({s.parent for s in sources})
                )
            )
        if backend == "biblatex":
            problems.extend(cited_aliases(library, citations))
        record = retired.load(retired.retired_path(Path(path)))
        problems.extend(cited_retired(library, citations, record))
        problems.extend(
            cited_undefined(library, citations, backend=backend, retired=record, known=known)
        )
    if strict_mode:
        problems = strict(problems)
    return CheckResult(str(path), len(library), problems)
