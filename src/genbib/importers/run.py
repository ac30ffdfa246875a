"""The import run: read sources, build candidates, settle them, merge into the library.

Reading refuses what is not a list at all (empty, binary, oversized) with an error naming
the file, before anything is merged; the caller writes nothing when an error is raised.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Collection, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from genbib.bibtex.encoding import decode, read_bytes
from genbib.bibtex.rekey import upgrade_keys
from genbib.config import Config
from genbib.dedupe.admit import Admission, Admitter, Outcome
from genbib.errors import InputError
from genbib.importers import bib, idlist, markdown, zotero_json
from genbib.importers.candidates import Candidate, build, non_paper
from genbib.importers.consolidate import check_links, consolidate, filler, group
from genbib.importers.report import ImportReport
from genbib.importers.rows import Parsed, Row
from genbib.importers.text import repair
from genbib.importers.topics import TopicResolver
from genbib.model.canonical import canonicalize
from genbib.model.entry import Entry
from genbib.model.library import Library
from genbib.model.problems import Problem, Severity
from genbib.nogc import no_gc

if TYPE_CHECKING:
    from genbib.enrich.http import Fetcher  # imported lazily: enrich is heavy

_P = ParamSpec("_P")
_R = TypeVar("_R")


@dataclass
class _Resources:
    """What one import opens (see `_closing`): the exit stack, and the fetcher on it."""

    stack: contextlib.ExitStack
    fetcher: Fetcher | None = None


_RESOURCES: ContextVar[_Resources | None] = ContextVar("_RESOURCES", default=None)

MAX_BYTES = 5 * 1024 * 1024  # a paper list is kilobytes; megabytes are something else


class Format(StrEnum):
    MARKDOWN = "markdown"
    BIB = "bib"
    ZOTERO = "zotero"
    CSL = "csl"
    IDS = "ids"


def read_source(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """The text of a source, or an InputError saying why it is not one."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if size > max_bytes:
        raise InputError(
            f"{path}: {size / 1e6:.1f} MB is too large for a paper list (limit {max_bytes / 1e6:.0f} MB)",
            hint="split the list, or check that this is the file you meant",
        )
    data = read_bytes(path)  # errors name the file (genbib.bibtex.io)
    if not data.strip():
        raise InputError(f"{path}: empty file, nothing to import")
    # One decoding policy for every file genbib reads: byte-order marks (JabRef's
    # UTF-16), UTF-8, a declared encoding, then a detected one.
    text = decode(data, str(path)).text
    head = text[:8192]
    if "\x00" in head or sum(c < "\t" or "\r" < c < " " for c in head) > len(head) // 20:
        raise InputError(f"{path}: binary file, not a paper list")
    return text


MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")


def detect(path: Path, text: str) -> Format:
    """The format of a source: the suffix first (`.md` is markdown whatever it links to,
    `.bib` is BibTeX), then the content (JSON kinds, `@type{`, lines that are nothing but
    identifiers); anything else, `.txt` included, is read as markdown."""
    suffix = path.suffix.lower()
    if suffix in (".bib", ".bibtex"):
        return Format.BIB
    if suffix in MARKDOWN_SUFFIXES:
        return Format.MARKDOWN
    if suffix == ".json" or text.lstrip()[:1] in "[{":
        kind = zotero_json.looks_like(text)
        if kind:
            return Format(kind)
        if suffix == ".json":
            raise InputError(f"{path}: JSON, but neither Zotero item JSON nor CSL-JSON")
    if text.lstrip().startswith("@") and "{" in text[:200]:
        return Format.BIB
    if idlist.looks_like(text):
        return Format.IDS
    return Format.MARKDOWN


def parse_source(
    path: Path, text: str, fmt: Format, resolve: idlist.Resolve | None = None
) -> Parsed:
    file = str(path)
    if fmt is Format.MARKDOWN:
        repaired = repair(text, file)
        parsed = markdown.parse(repaired.text, file)
        parsed.problems[:0] = repaired.problems
        return parsed
    if fmt is Format.BIB:
        return bib.parse(text, file)
    if fmt is Format.ZOTERO:
        return zotero_json.parse_zotero(text, file)
    if fmt is Format.CSL:
        return zotero_json.parse_csl(text, file)
    return idlist.parse(text, file, resolve)


Progress = Callable[[str, int, int], None]  # (what is being done, done, total)
LIST_SUFFIXES = (*MARKDOWN_SUFFIXES, ".txt", ".text", ".bib", ".bibtex", ".json", ".csl", "")


def _closing(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run `fn` with an exit stack for what it opens (`_resolver`'s fetcher): closed, and
    the cache saved, however the run ends.

    The cyclic garbage collector is paused meanwhile: an import makes hundreds of
    thousands of small objects (tokens, rows, candidates, index keys) in no reference
    cycle, and each collection would rescan all of them and the library to free nothing
    (a tenth of a 14,000-row import)."""

    @functools.wraps(fn)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with no_gc(), contextlib.ExitStack() as stack:
            token = _RESOURCES.set(_Resources(stack))
            try:
                return fn(*args, **kwargs)
            finally:
                _RESOURCES.reset(token)

    return run


@_closing
def import_sources(
    library: Library,
    paths: Sequence[str | Path],
    config: Config,
    *,
    topic: str | None = None,
    fmt: Format | str | None = None,
    update_only: bool = False,
    metadata: Sequence[str | Path] = (),
    offline: bool = True,
    dry_run: bool = False,
    max_bytes: int = MAX_BYTES,
    progress: Progress | None = None,
    optional: Collection[str | Path] = (),
    revive: bool = False,
) -> ImportReport:
    """Merge the papers of `paths` into `library` (in memory); see the module docstring.

    `update_only`: only papers already in the library are updated (a metadata source);
    `metadata`: files used that way after the sources are merged, before keys are given,
    so new entries get keys from real author names. Every paper is admitted through
    `genbib.dedupe.admit` (a retired paper is skipped unless `revive`). `optional`: paths
    found in a folder rather than named; one that is not a paper list (`genbib.toml`, a
    figure, a list with no papers) is skipped and reported (I-skipped-file) instead of
    stopping the run.
    `progress(what, done, total)` is told of each file read and each paper matched.
    """
    report = ImportReport(dry_run=dry_run)
    resolver = TopicResolver(config.topics)
    list_rows: list[Row] = []
    structured: list[Entry] = []
    skippable = {str(Path(p)) for p in optional}
    for number, path in enumerate(map(Path, paths)):
        if progress:
            progress(f"reading {path}", number, len(paths))
        try:
            if str(path) in skippable and not fmt and path.suffix.lower() not in LIST_SUFFIXES:
                raise InputError(f"{path}: a {path.suffix} file, not a paper list")
            rows, entries = _read_one(path, fmt, config, report, max_bytes, offline)
        except InputError as exc:
            if str(path) not in skippable:
                raise
            report.skipped_files.append(_skipped_file(path, exc.message))
            continue
        report.sources.append(str(path))
        list_rows.extend(rows)
        structured.extend(entries)

    cands: list[Candidate] = []
    first_seen: dict[str, Row] = {}  # new topic -> the first row under its heading
    for done, row in enumerate(list_rows):
        if progress and done % 512 == 0:
            progress("reading rows", done, len(list_rows))
        cand = build(row, report.problems)
        slug = resolver.resolve(row.section)
        if slug in resolver.new:
            first_seen.setdefault(slug, row)
        cand.topics = [t for t in (slug, topic) if t]
        cands.append(cand)
    filler(cands, report.problems)
    check_links(cands, report.problems)
    groups = group(cands)
    incoming = [consolidate(g, report.problems) for g in groups]
    for entry in structured:
        if topic:
            entry.set_topics([*entry.topics, topic])
    incoming.extend(structured)
    report.rows = len(cands) + len(structured)
    report.new_topics = dict(resolver.new)
    for slug, heading in resolver.new.items():
        report.problems.append(
            Problem(
                "I-new-topic",
                f"heading {heading!r} names no configured topic; new topic {slug!r} "
                "(add it to genbib.toml [[topics]] with this heading as an alias)",
                Severity.INFO,
                first_seen[slug].file if slug in first_seen else "",
                first_seen[slug].line if slug in first_seen else 0,
            )
        )

    admitter = Admitter(library, revive=revive, expected=incoming)
    new_entries: list[Entry] = []
    touched: dict[int, Entry] = {}
    before = {id(e): dict(e.fields) for e in library.entries}
    distinct: set[int] = set()
    lists = {id(e) for e in incoming[: len(incoming) - len(structured)]}
    # First import into an empty bib (that never lost a paper) from lists only: the
    # groups are already distinct papers (grouped by the same engine), so they are added
    # without a second lookup.
    fast = not library.entries and not library.retired and not structured and not metadata
    for done, entry in enumerate(incoming):
        if progress and done % 256 == 0:
            progress("matching", done, len(incoming))
        if fast:
            library.add(entry)
            admitter.added.append(entry)
            distinct.add(id(entry))
            new_entries.append(entry)
            continue
        admission = admitter.admit(entry, metadata=update_only, weak=id(entry) in lists)
        _take(report, admission)
        if admission.outcome in (Outcome.RETIRED, Outcome.NOT_ADDED):
            continue
        found = admission.entry
        distinct.add(id(found))
        if id(found) in before:
            touched[id(found)] = found
        elif found is entry:
            new_entries.append(entry)
    report.papers = len(distinct)
    for path in map(Path, metadata):
        text = read_source(path, max_bytes)
        parsed = bib.parse(text, str(path))
        report.problems.extend(parsed.problems)
        for row in parsed.rows:
            if row.entry is not None:
                _take(report, admitter.admit(row.entry, metadata=True))
    for e in [*new_entries, *(e for e in library if before.get(id(e), e.fields) != e.fields)]:
        canonicalize(e)  # what the import wrote takes its kind's form (model/canonical.py)
    # keys in use and keys retired (deleted papers'): a new paper never gets either
    admitter.assign_keys(config.keys.formula)
    # provisional keys whose paper is complete now (this run's metadata) become final
    report.problems.extend(upgrade_keys(library, config.keys.formula, config.latex_sources()))
    report.added = [e.key for e in new_entries]
    for e in library.entries:
        if id(e) in before:
            if before[id(e)] != e.fields:
                report.merged.append(e.key)
            elif id(e) in touched:
                report.unchanged.append(e.key)
    return report


def _take(report: ImportReport, admission: Admission) -> None:
    """An admission's findings into the report (a paper the bib lacks, update-only: listed)."""
    if admission.outcome is Outcome.NOT_ADDED:
        report.not_added.append(admission.entry.title)
    report.problems.extend(admission.problems)


def _read_one(
    path: Path,
    fmt: Format | str | None,
    config: Config,
    report: ImportReport,
    max_bytes: int,
    offline: bool,
) -> tuple[list[Row], list[Entry]]:
    """One source's paper rows and structured entries; its non-paper rows go to
    `report.skipped`, its findings to `report.problems` (only once it proves a list)."""
    text = read_source(path, max_bytes)
    kind = Format(fmt) if fmt else detect(path, text)
    online = not offline and kind is Format.IDS  # (only identifier lists resolve anything)
    parsed = parse_source(path, text, kind, _resolver(config) if online else None)
    rows: list[Row] = []
    entries: list[Entry] = []
    skipped: list[Problem] = []
    for row in parsed.rows:
        if row.entry is not None:
            entries.append(row.entry)
            continue
        why = non_paper(row)
        if why:
            if why != "navigation":
                skipped.append(
                    Problem(
                        "I-not-paper",
                        f"{why}, not a paper: {row.title[:70]!r}; skipped",
                        Severity.INFO,
                        row.file,
                        row.line,
                    )
                )
            continue
        if row.title:
            rows.append(row)
    if not rows and not entries and not skipped:
        why = next(
            (f" ({p.format()})" for p in parsed.problems if p.severity is Severity.ERROR), ""
        )
        raise InputError(
            f"{path}: no papers found ({kind.value}): not an awesome list, .bib, Zotero JSON or "
            f"identifier list genbib understands{why}",
            hint="check the file; a markdown list needs tables with a title column, or list items",
        )
    report.problems.extend(parsed.problems)
    report.skipped.extend(skipped)
    return rows, entries


def _skipped_file(path: Path, message: str) -> Problem:
    reason = message.removeprefix(f"{path}: ")
    return Problem("I-skipped-file", f"skipped: {reason}", Severity.WARNING, str(path), 0)


def _resolver(config: Config) -> idlist.Resolve:
    """Online resolution of identifiers through the enrichment sources (genbib.enrich), as
    `genbib add` resolves them: the configured sources, at their configured base URLs.

    One fetcher serves the whole import, opened at the first identifier (a run without
    identifier lists opens none) and closed, its cache saved, when the import ends. The
    findings go back to `idlist.parse`, which gives them the identifier's file and line.
    """
    from genbib.enrich.add import resolve
    from genbib.enrich.run import Options, make_fetcher
    from genbib.errors import GenbibError

    resources = _RESOURCES.get()

    def fetcher() -> Fetcher:
        if resources is None:  # called outside `import_sources`: the caller's to close
            return make_fetcher(config, Options(online=True))
        if resources.fetcher is None:
            made = make_fetcher(config, Options(online=True))
            resources.fetcher = resources.stack.enter_context(made)
        return resources.fetcher

    def run(ident: str) -> tuple[Entry | None, list[Problem]]:
        try:
            added = resolve(
                ident,
                fetcher(),
                sources=config.enrich.sources,
                bases=config.enrich.base_urls.overrides(),
            )
        except GenbibError as exc:
            return None, [Problem("I-unresolved", str(exc), Severity.WARNING)]
        return added.entry, added.problems

    return run
