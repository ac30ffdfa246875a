"""The import run: read sources, build candidates, settle them, merge into the library.

Reading refuses what is not a list at all (empty, binary, oversized) with an error naming
the file, before anything is merged; the caller writes nothing when an error is raised.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from enum import StrEnum
from pathlib import Path

from genbib.bibtex.keys import assign_keys
from genbib.config import Config
from genbib.dedupe import MatchIndex, merge
from genbib.dedupe.merge import VENUE_FIELDS
from genbib.dedupe.normalize import title_keys
from genbib.errors import InputError
from genbib.importers import bib, idlist, markdown, zotero_json
from genbib.importers.candidates import Candidate, build, non_paper
from genbib.importers.consolidate import check_links, consolidate, filler, group
from genbib.importers.report import ImportReport
from genbib.importers.rows import Parsed, Row
from genbib.importers.text import repair
from genbib.importers.topics import TopicResolver
from genbib.model.entry import Entry
from genbib.model.library import Library
from genbib.model.problems import Problem, Severity
from genbib.model.venues import venue_of

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
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise InputError(f"{path}: empty file, nothing to import")
    head = data[:8192]
    if b"\x00" in head or sum(b < 9 or 13 < b < 32 for b in head) > len(head) // 20:
        raise InputError(f"{path}: binary file, not a paper list")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
    path: Path, text: str, fmt: Format, resolve: Callable[[str], Entry | None] | None = None
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
) -> ImportReport:
    """Merge the papers of `paths` into `library` (in memory); see the module docstring.

    `update_only`: only papers already in the library are updated (a metadata source);
    `metadata`: files used that way after the sources are merged, before keys are given,
    so new entries get keys from real author names. `optional`: paths found in a folder
    rather than named; one that is not a paper list (`genbib.toml`, a figure, a list with
    no papers) is skipped and reported (I-skipped-file) instead of stopping the run.
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

    index = MatchIndex(library.entries)
    lookup = _Lookup(library)
    new_entries: list[Entry] = []
    touched: dict[int, Entry] = {}
    before = {id(e): dict(e.fields) for e in library.entries}
    distinct: set[int] = set()
    lists = {id(e) for e in incoming[: len(incoming) - len(structured)]}
    # First import into an empty bib from lists only: the groups are already distinct
    # papers (grouped by the same engine), so they are added without a second lookup.
    fast = not library.entries and not structured and not metadata
    for done, entry in enumerate(incoming):
        if progress and done % 256 == 0:
            progress("matching", done, len(incoming))
        if fast:
            library.add(entry)
            distinct.add(id(entry))
            new_entries.append(entry)
            continue
        found = _merge_one(
            library,
            index,
            entry,
            update_only=update_only,
            report=report,
            lookup=lookup,
            weak=id(entry) in lists,
        )
        if found is None:
            continue
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
                _merge_one(
                    library, index, row.entry, update_only=True, report=report, lookup=lookup
                )
    # keys in use and keys retired (deleted papers'): a new paper never gets either
    assign_keys(new_entries, library.taken_keys(), config.keys.formula)
    report.added = [e.key for e in new_entries]
    for e in library.entries:
        if id(e) in before:
            if before[id(e)] != e.fields:
                report.merged.append(e.key)
            elif id(e) in touched:
                report.unchanged.append(e.key)
    return report


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
    parsed = parse_source(path, text, kind, None if offline else _resolver(config, report))
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


class _Lookup:
    """The library by arXiv id, title key and key, kept current as entries are added, so the
    fallbacks below cost a dictionary lookup, not a scan of the library per entry."""

    def __init__(self, library: Library) -> None:
        self.by_arxiv: dict[str, list[Entry]] = {}
        self.by_title: dict[str, list[Entry]] = {}
        self.taken: set[str] = set()
        self.retired = {k.casefold() for k in library.retired}
        for e in library.entries:
            self.add(e)

    def add(self, e: Entry) -> None:
        if e.arxiv:
            self.by_arxiv.setdefault(e.arxiv, []).append(e)
        key = title_keys(e.title)[0]
        if key:
            self.by_title.setdefault(key, []).append(e)
        if e.key:
            self.taken.add(e.key)
        self.taken.update(e.aliases)

    def refresh(self, e: Entry) -> None:
        for table in (self.by_arxiv, self.by_title):
            for bucket in table.values():
                if e in bucket:
                    bucket.remove(e)
        self.add(e)


def _merge_one(
    library: Library,
    index: MatchIndex,
    entry: Entry,
    *,
    update_only: bool,
    report: ImportReport,
    lookup: _Lookup,
    weak: bool = False,
) -> Entry | None:
    """Merge `entry` into its paper in `library`, or add it; the entry that holds it now."""
    contradictions = index.contradictions(entry)
    match = index.find(entry)
    target = match.entry if match is not None else None
    if target is None:
        target = _fallback(lookup, entry, report, metadata=update_only)
    if target is None or target.arxiv != entry.arxiv or match is not None:
        report.problems.extend(contradictions)  # (a retitled paper's are explained instead)
    if target is None:
        if update_only:
            report.not_added.append(entry.title)
            report.problems.append(
                Problem(
                    "I-not-in-bib",
                    f"{entry.title!r} matches no paper in the bib; not added (update-only)",
                    Severity.INFO,
                    entry.file,
                    entry.line,
                    entry.key,
                )
            )
            return None
        if entry.key and (entry.key in lookup.taken or entry.key.casefold() in lookup.retired):
            entry.key = ""  # a source's key that is taken or retired here: a new one is given
        library.add(entry)
        index.add(entry)
        lookup.add(entry)
        return entry
    index.discard(target)
    if update_only:
        # A metadata source: its values are primary, the bib's links/topics/notes kept.
        merged = entry.copy()
        merged.key, merged.file, merged.line = target.key, target.file, target.line
        merged.fields.pop("ids", None)
        merged.fields.pop(_PROVENANCE, None)
        base = _yield_to(target, entry, report)
        base.fields.pop(_PROVENANCE, None)  # written below, from both sides' records
        problems = merge(merged, base)
        for name in ("x-source", "x-confidence"):
            merged.fields.pop(name, None)
        _record_sources(merged, entry, target)
        if merged.fields != target.fields:
            target.type = merged.type
            target.fields = merged.fields
    else:
        problems = merge(target, _trimmed(entry, target, weak=weak, report=report))
    for p in problems:
        report.problems.append(
            Problem(
                p.code,
                p.message,
                p.severity,
                entry.file or p.file,
                entry.line or p.line,
                target.key,
            )
        )
    index.add(target)
    lookup.refresh(target)
    return target


_PROVENANCE = "fieldsources"  # genbib.enrich.provenance.FIELD (imported lazily below)
_NOT_DATA = frozenset({_PROVENANCE, "ids", "x-source", "x-confidence"})


def _record_sources(merged: Entry, meta: Entry, target: Entry) -> None:
    """Record in `merged.fieldsources` the fields whose value is the metadata source's, as
    enrichment records what it fills (`genbib show` / `enrich --explain` read it): the
    metadata file's name, or the source the file itself records for that field. Fields
    the metadata did not decide keep the bib's records."""
    from genbib.enrich import provenance

    source = Path(meta.file).name if meta.file else "metadata"
    theirs = provenance.sources(meta)
    records = provenance.sources(target)
    for name in merged.fields:
        if name not in _NOT_DATA and name in meta.fields and merged.get(name) == meta.get(name):
            records[name] = theirs.get(name, source)
    if merged.type.lower() == meta.type.lower():
        records[provenance.TYPE] = theirs.get(provenance.TYPE, source)
    provenance.write(merged, records)


def _resolver(config: Config, report: ImportReport) -> Callable[[str], Entry | None]:
    """Online resolution of identifiers through the enrichment sources (genbib.enrich)."""
    from genbib.enrich.add import resolve
    from genbib.enrich.run import Options, make_fetcher
    from genbib.errors import GenbibError

    fetcher = make_fetcher(config, Options(online=True))

    def run(ident: str) -> Entry | None:
        try:
            added = resolve(ident, fetcher)
        except GenbibError as exc:
            report.problems.append(Problem("I-unresolved", str(exc), Severity.WARNING))
            return None
        report.problems.extend(added.problems)
        return added.entry

    return run


def _trimmed(entry: Entry, target: Entry, *, weak: bool, report: ImportReport) -> Entry:
    """`entry` without what `target` already says in other words (the same venue spelled
    differently, annotation paragraphs already present), so a re-import changes nothing.

    A `weak` entry (from a markdown list) never overrides the venue or year the bib
    already has: the difference is reported instead.
    """
    out = entry.copy()
    mine, theirs = venue_of(target), venue_of(entry)
    differs = mine is not None and theirs is not None and mine.short != theirs.short
    published = theirs is not None and theirs.kind != "preprint"
    if differs and weak and published and theirs and mine and mine.kind != "preprint":
        report.problems.append(
            Problem(
                "I-conflict",
                f"{target.title!r}: the list says {theirs.short}, the bib says "
                f"{mine.short}; kept {mine.short}",
                Severity.WARNING,
                entry.file,
                entry.line,
                target.key,
            )
        )
    if mine is not None and theirs is not None and (not differs or weak):
        for name in VENUE_FIELDS:
            out.fields.pop(name, None)
        out.type = target.type
    if weak and entry.year and target.year and entry.year != target.year:
        if not differs and published:
            report.problems.append(
                Problem(
                    "I-conflict",
                    f"{target.title!r}: the list says {entry.year}, the bib says "
                    f"{target.year}; kept {target.year}",
                    Severity.WARNING,
                    entry.file,
                    entry.line,
                    target.key,
                )
            )
        out.fields.pop("year", None)
    present = {" ".join(p.split()) for p in (target.get("annotation") or "").split("\n\n")}
    fresh = [
        p
        for p in (entry.get("annotation") or "").split("\n\n")
        if p.strip() and " ".join(p.split()) not in present
    ]
    out.set("annotation", "\n\n".join(fresh))
    return out


def _yield_to(target: Entry, meta: Entry, report: ImportReport) -> Entry:
    """A copy of `target` without the venue and year the metadata source replaces, with the
    replaced values reported (a list said NIPS, the metadata says CVPR)."""
    base = target.copy()
    mine, theirs = venue_of(target), venue_of(meta)
    if theirs is not None:
        if mine is not None and mine.short != theirs.short:
            report.problems.append(
                Problem(
                    "I-conflict",
                    f"{target.title!r}: venue {mine.short} in the bib (from the lists), "
                    f"{theirs.short} in the metadata source; kept {theirs.short}",
                    Severity.WARNING,
                    meta.file,
                    meta.line,
                    target.key,
                )
            )
        for name in VENUE_FIELDS:
            base.fields.pop(name, None)
        base.type = meta.type
    if meta.year and target.year and meta.year != target.year:
        report.problems.append(
            Problem(
                "I-conflict",
                f"{target.title!r}: year {target.year} in the bib (from the lists), "
                f"{meta.year} in the metadata source; kept {meta.year}",
                Severity.WARNING,
                meta.file,
                meta.line,
                target.key,
            )
        )
    if meta.year:
        base.fields.pop("year", None)
    return base


def _fallback(
    lookup: _Lookup, entry: Entry, report: ImportReport, *, metadata: bool
) -> Entry | None:
    """The paper `entry` names when identifiers and title disagree in a known way.

    - the same arXiv id and the same name before the colon: the paper was retitled between
      versions ("DECOUPLE-THEN-MERGE: TOWARDS..." / "Decouple-Then-Merge: Finetune...");
    - the same title, years within one, but another arXiv id: one side links the wrong
      paper. A metadata source is believed (the bib's link is replaced); a list is not (its
      link is not imported). Either way it is reported.
    """
    arxiv = entry.arxiv
    if arxiv:
        same_id = [e for e in lookup.by_arxiv.get(arxiv, []) if e is not entry]
        if len(same_id) == 1 and _name_part(same_id[0].title) == _name_part(entry.title) != "":
            report.problems.append(
                Problem(
                    "I-retitled",
                    f"arXiv {arxiv}: title {entry.title!r} here, {same_id[0].title!r} "
                    "in the bib; same paper, retitled between versions",
                    Severity.INFO,
                    entry.file,
                    entry.line,
                    same_id[0].key,
                )
            )
            return same_id[0]
    key = title_keys(entry.title)[0]
    same = [e for e in lookup.by_title.get(key, []) if e is not entry] if key else []
    if len(same) != 1:
        return None
    target = same[0]
    if entry.year and target.year and abs(entry.year - target.year) > 1:
        return None
    if not (target.arxiv and arxiv and target.arxiv != arxiv):
        return None
    wrong, right = (target.arxiv, arxiv) if metadata else (arxiv, target.arxiv)
    loser = target if metadata else entry
    for name in ("url", "links", "pdf"):
        text = loser.get(name) or ""
        loser.set(name, " ".join(u for u in text.split() if wrong not in u))
    loser.set("eprint", right if metadata else None)
    if not metadata:
        loser.fields.pop("archiveprefix", None)
    report.problems.append(
        Problem(
            "I-wrong-id",
            f"{entry.title!r}: arXiv {wrong} names another paper; this paper is arXiv {right} "
            + (
                "(the metadata source says so; the bib's link replaced)"
                if metadata
                else "(as the bib says; the list's link not imported)"
            ),
            Severity.WARNING,
            entry.file,
            entry.line,
            target.key,
        )
    )
    return target


def _name_part(title: str) -> str:
    head, sep, _ = title.partition(":")
    return title_keys(head)[0] if sep and len(head) <= 40 else ""
