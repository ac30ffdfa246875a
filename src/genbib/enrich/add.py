"""`genbib add`: a paper from one identifier to a complete entry.

An identifier (arXiv id or URL, DOI, OpenReview URL, or the paper's GitHub repository)
becomes a seed entry holding only that identifier; the sources then fill it like any
other entry. A repository is first read for the paper it belongs to (the arXiv link in
its README). The finished entry is admitted as every paper is (`genbib.dedupe.admit`):
a paper already there is merged into its existing entry instead of added twice, and a
paper whose key was retired is skipped unless revived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from genbib.bibtex.rekey import upgrade_keys
from genbib.dedupe.admit import RETIRED, Admitter, Outcome
from genbib.dedupe.recognize import Recognizer, RetiredIndex
from genbib.enrich.apply import apply
from genbib.enrich.candidate import SourceFormatError
from genbib.enrich.engine import Enricher
from genbib.enrich.http import Fetcher
from genbib.enrich.sources import ALL_SOURCES, github, openreview
from genbib.enrich.sources.frombib import BibIndex
from genbib.errors import InputError, RemoteError
from genbib.model import identifiers as ids
from genbib.model.entry import Entry
from genbib.model.library import Library
from genbib.model.problems import Problem, Severity


@dataclass
class Added:
    ident: str
    key: str = ""
    merged_into: str = ""  # the existing entry's key when the paper was already there
    retired: str = ""  # the retired key of the paper, when it was skipped for that
    revived: bool = False  # added again under its retired key
    entry: Entry | None = None
    problems: list[Problem] = field(default_factory=list)


def seed(ident: str) -> tuple[Entry, str]:
    """A seed entry for `ident`, and what kind of identifier it is."""
    text = ident.strip()
    arxiv = ids.arxiv_id(text)
    if arxiv:
        e = Entry("misc", "", file="<add>")
        e.set("eprint", arxiv)
        e.set("archiveprefix", "arXiv")
        return e, "arxiv"
    forum = ids.openreview_id(text)
    if forum:
        e = Entry("inproceedings", "", file="<add>")
        e.set("url", f"https://openreview.net/forum?id={forum}")
        return e, "openreview"
    repo = ids.github_repo(text)
    if repo:
        e = Entry("misc", "", file="<add>")
        e.set("code", f"https://github.com/{repo}")
        return e, "github"
    doi = ids.doi(text)
    if doi:
        e = Entry("article", "", file="<add>")
        e.set("doi", doi)
        return e, "doi"
    raise InputError(
        f"{ident!r} is not an arXiv id or URL, a DOI, an OpenReview URL or a GitHub repository"
    )


def resolve(
    ident: str,
    fetcher: Fetcher,
    *,
    sources: tuple[str, ...] = ALL_SOURCES,
    index: BibIndex | None = None,
    bases: dict[str, str] | None = None,
) -> Added:
    """Fill a seed entry for `ident` from the sources; no library involved yet."""
    bases = bases or {}
    entry, kind = seed(ident)
    out = Added(ident)
    if kind == "openreview" and entry.openreview:
        reply = fetcher.get(
            openreview.note_request(entry.openreview, bases.get("openreview", openreview.BASE))
        )
        if reply.ok:
            try:
                for cand in openreview.parse(reply.body)[:1]:
                    apply(entry, cand)
            except SourceFormatError as exc:
                out.problems.append(Problem("enrich-bad-response", str(exc), Severity.WARNING))
    if kind == "github":
        repo = ids.github_repo(entry.get("code")) or ""
        reply = fetcher.get(github.readme_request(repo, bases.get("github", github.BASE)))
        if reply.ok:
            try:
                found = github.parse_readme(reply.body)
            except SourceFormatError as exc:
                found = []
                out.problems.append(Problem("enrich-bad-response", str(exc), Severity.WARNING))
            if found:
                entry.set("eprint", found[0])
                entry.set("archiveprefix", "arXiv")
    engine = Enricher(fetcher, sources, index, bases)
    result = engine.run([entry])
    out.problems.extend(result.problems)
    if not entry.title:
        if fetcher.offline:
            raise InputError(
                f"{ident}: not in the cache, and --offline was given",
                hint="run without --offline to ask the metadata sources",
            )
        if fetcher.down:  # no connection: the network's failure, not the identifier's
            hosts = sorted({_host(source, bases) for source in fetcher.down})
            raise RemoteError(
                f"{', '.join(hosts)}: cannot connect, so {ident} could not be resolved",
                hint="check the network connection (and proxy settings), then run again",
            )
        why = "; ".join(p.message for p in result.problems) or "no source knows it"
        raise InputError(
            f"{ident}: could not resolve the paper ({why})",
            hint="check the identifier",
        )
    entry.file = ""
    out.entry = entry
    return out


def retired_seed(ident: str, library: Library, pool: Recognizer | None = None) -> Added | None:
    """`ident` names the paper of a retired key (its arXiv id or DOI is in the record):
    the skip, found before anything is asked of the network. `pool`: the library's
    entries as a `Recognizer`, built once by a caller that checks many identifiers."""
    entry, _ = seed(ident)
    if not library.retired:
        return None
    if (pool or Recognizer(library.entries)).recognize(entry).entry is not None:
        return None  # the paper is in the bib (under another key): merged, not skipped
    found = RetiredIndex(library.retired, library.keys_in_use()).find(entry)
    if found is None:
        return None
    key, how = found
    out = Added(ident, key=key, retired=key)
    out.problems.append(
        Problem(
            RETIRED,
            f"{ident}: the paper of retired key {key!r} ({how}): it was deleted from the "
            "bib; skipped (--revive brings it back under that key)",
            Severity.WARNING,
            key=key,
        )
    )
    return out


def add_to(
    library: Library | Admitter,
    added: Added,
    *,
    topic: str | None,
    formula: str,
    sources: Sequence[Path] = (),
    revive: bool = False,
) -> Added:
    """Admit `added.entry` (`genbib.dedupe.admit`): merged into the paper already in the
    library, skipped when it is a retired key's paper (unless the admitter revives), or
    added with a new key. `sources`: the LaTeX files whose citations keep a provisional
    key that the merge completes (`genbib.bibtex.rekey.upgrade_keys`)."""
    admitter = library if isinstance(library, Admitter) else Admitter(library, revive=revive)
    entry = added.entry
    assert entry is not None
    if topic:
        entry.set_topics([*entry.topics, topic])
    admission = admitter.admit(entry)
    added.problems.extend(admission.problems)
    if admission.outcome is Outcome.RETIRED:
        added.retired = added.key = admission.retired_key
        return added
    if admission.outcome is Outcome.MERGED:
        added.problems.extend(
            upgrade_keys(admitter.library, formula, sources)  # the merge may complete it
        )
        added.merged_into = added.key = admission.entry.key
        return added
    admitter.assign_keys(formula)  # never a key in use or retired
    added.revived = admission.outcome is Outcome.REVIVED
    added.key = entry.key
    return added


def _host(source: str, bases: dict[str, str]) -> str:
    """The host a source is asked at (its configured base, else its module's BASE)."""
    import importlib
    from urllib.parse import urlsplit

    base = bases.get(source)
    if base is None:
        try:
            base = str(importlib.import_module(f"genbib.enrich.sources.{source}").BASE)
        except (ImportError, AttributeError):
            return source
    return urlsplit(base).hostname or source
