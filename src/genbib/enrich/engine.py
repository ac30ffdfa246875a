"""The enrichment run: ask the sources, judge their candidates, fill, check links.

Order is fixed so the output is the same whatever order replies arrive in: requests run
concurrently (each source within its own policy), but candidates are applied entry by
entry, source by source in `PAPER_SOURCES` order. A run repeats while newly found
identifiers open new lookups (a DBLP hit gives the arXiv id, which opens arXiv and
Hugging Face), at most `ROUNDS` times.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from genbib.enrich import links
from genbib.enrich.apply import Change, apply, complete_preprint
from genbib.enrich.cache import Reply
from genbib.enrich.candidate import Candidate, RepoFacts, SourceFormatError
from genbib.enrich.guard import judge, looks_close
from genbib.enrich.http import Fetcher, Request
from genbib.enrich.sources import PAPER_SOURCES, Source, registry
from genbib.enrich.sources.frombib import BibIndex
from genbib.model import identifiers as ids
from genbib.model.canonical import canonical_form
from genbib.model.entry import Entry
from genbib.model.problems import Problem, Severity

ROUNDS = 3
Progress = Callable[[int], None]
Task = Callable[[], list[tuple[str, Reply]]]


@dataclass
class EnrichResult:
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unresolved: list[tuple[str, str, str]] = field(default_factory=list)  # key, source, request
    repos: dict[str, RepoFacts] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def changed_keys(self) -> list[str]:
        return sorted({c.key for c in self.changes})

    def as_dict(self) -> dict[str, Any]:
        return {
            "changes": [c.as_dict() for c in self.changes],
            "problems": [p.as_dict() for p in self.problems],
            "unresolved": [{"key": k, "source": s, "request": r} for k, s, r in self.unresolved],
            "repos": {
                r: {
                    "exists": f.exists,
                    "full_name": f.full_name,
                    "archived": f.archived,
                    "stars": f.stars,
                }
                for r, f in sorted(self.repos.items())
            },
            "stats": dict(sorted(self.stats.items())),
        }


def _problem(entry: Entry, code: str, message: str, severity: Severity) -> Problem:
    return Problem(code, message, severity, entry.file, entry.line, entry.key)


@dataclass
class Enricher:
    """One run over some entries; `fetcher` None means local sources only."""

    fetcher: Fetcher | None
    sources: Sequence[str] = ()
    index: BibIndex | None = None
    bases: Mapping[str, str] = field(default_factory=dict)
    workers: int = 16
    progress: Progress | None = None
    _sources: dict[str, Source] = field(default_factory=dict)

    def __post_init__(self) -> None:
        reg = registry()
        self._sources = {n: reg[n] for n in PAPER_SOURCES if n in self.sources and n in reg}

    def run(self, entries: list[Entry], library: Sequence[Entry] = ()) -> EnrichResult:
        result = EnrichResult()
        if self.index:
            for e in entries:
                self._consider(e, self.index.find(e), result)
        check_repos = self.fetcher is not None and "github" in self.sources
        repo_replies: dict[str, Reply] = {}
        done: set[tuple[int, str]] = set()
        dirty = set(range(len(entries)))  # entries whose fields may open new lookups
        for round_ in range(ROUNDS):
            todo = self._lookups(entries, dirty, done)
            # Repositories already linked are checked alongside the first round.
            repos = self._repo_requests(entries, repo_replies) if check_repos and not round_ else []
            if not todo and not repos:
                break
            replies = self._fetch_all([r for _, r in todo] + repos)
            repo_replies.update({r.key: replies[r.key] for r in repos})
            by_entry: dict[int, list[tuple[Request, Reply]]] = defaultdict(list)
            for i, req in todo:
                by_entry[i].append((req, replies[req.key]))
            dirty = set()
            for i in sorted(by_entry):
                e = entries[i]
                before = (e.type, dict(e.fields))
                for src in self._sources:
                    for req, reply in by_entry[i]:
                        if req.source == src:
                            self._answer(e, self._sources[src], req, reply, result)
                if (e.type, e.fields) != before:
                    dirty.add(i)
        for e in entries:
            result.changes.extend(complete_preprint(e))
            missing = [
                n
                for n, ok in (
                    ("author", e.get("author") or e.get("editor")),
                    ("year", e.year),
                    ("title", e.title),
                )
                if not ok
            ]
            if missing:
                result.problems.append(
                    _problem(
                        e,
                        "enrich-incomplete",
                        f"no source gave its {', '.join(missing)}",
                        Severity.WARNING,
                    )
                )
        if check_repos:
            later = self._repo_requests(entries, repo_replies)  # links found by this run
            if later:
                repo_replies.update(self._fetch_all(later))
            self._check_repos(entries, repo_replies, result)
        result.problems.extend(links.check(entries, library or entries))
        result.changes += [
            Change(*c.as_tuple(), "canonical") for c in canonical_form(entries, result.changes)
        ]
        if self.fetcher is not None:
            result.stats.update(self.fetcher.stats)
        return result

    # --- paper sources -------------------------------------------------------------
    def _lookups(
        self, entries: list[Entry], which: set[int], done: set[tuple[int, str]]
    ) -> list[tuple[int, Request]]:
        todo: list[tuple[int, Request]] = []
        if self.fetcher is None:
            return todo
        for i in sorted(which):
            e = entries[i]
            for name, src in self._sources.items():
                for req in src.lookups(e, self.bases.get(name, src.base)):
                    if (i, req.key) not in done:
                        done.add((i, req.key))
                        todo.append((i, req))
        return todo

    def _fetch_all(self, requests: list[Request]) -> dict[str, Reply]:
        """Replies for `requests`: cached ones at once, the rest concurrently (each source
        within its policy), lookups of batching sources grouped into list requests."""
        assert self.fetcher is not None
        fetcher = self.fetcher
        out: dict[str, Reply] = {}
        tasks: dict[str, deque[Task]] = defaultdict(deque)  # per source
        batches: dict[str, list[Request]] = defaultdict(list)
        for req in {r.key: r for r in requests}.values():
            hit = fetcher.cached(req)  # answered here: no thread for what is on disk
            if hit is not None:
                out[req.key] = hit
                continue
            if fetcher.offline:
                out[req.key] = fetcher.miss(req)
                continue
            src = self._sources.get(req.source)
            if src is None or src.batch_request is None or fetcher.policy(req.source).batch <= 1:
                tasks[req.source].append(partial(self._single, req))
            else:
                batches[req.source].append(req)
        for name, reqs in batches.items():
            size = fetcher.policy(name).batch
            for start in range(0, len(reqs), size):
                chunk = reqs[start : start + size]
                tasks[name].append(partial(self._batch, self._sources[name], chunk))
        if self.progress and out:
            self.progress(len(out))
        # Each source gets as many runners as its policy allows in flight, each pulling
        # from that source's queue: a slow or strict source (arXiv) never holds threads
        # another source could use, and no source exceeds its own concurrency.
        runners = [
            queue
            for name, queue in sorted(tasks.items())
            for _ in range(min(len(queue), max(1, fetcher.policy(name).concurrency)))
        ]
        lock = threading.Lock()

        def run(queue: deque[Task]) -> None:
            while True:
                try:
                    task = queue.popleft()
                except IndexError:
                    return
                pairs = task()
                with lock:
                    out.update(pairs)
                    if self.progress:
                        self.progress(len(pairs))

        if runners:
            with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(runners)))) as pool:
                for future in [pool.submit(run, q) for q in runners]:
                    future.result()
        return out

    def _single(self, req: Request) -> list[tuple[str, Reply]]:
        assert self.fetcher is not None
        return [(req.key, self.fetcher.get(req))]

    def _batch(self, src: Source, items: list[Request]) -> list[tuple[str, Reply]]:
        assert self.fetcher is not None and src.batch_request and src.split
        if len(items) == 1:
            return [(items[0].key, self.fetcher.get(items[0]))]
        reply = self.fetcher.get(src.batch_request(items), cache=False)
        if not reply.ok:
            return [(r.key, reply) for r in items]
        try:
            bodies = src.split(items, reply.body)
        except SourceFormatError:
            return [(r.key, reply) for r in items]  # each entry reports the bad response
        out = []
        for r in items:
            body = bodies.get(r.key)
            item = Reply(200 if body is not None else 404, body or "", r.key, reply.fetched)
            self.fetcher.remember(r, item)
            out.append((r.key, item))
        return out

    def _answer(
        self, e: Entry, src: Source, req: Request, reply: Reply, result: EnrichResult
    ) -> None:
        if reply.status == 0:
            if reply.error.startswith("offline"):
                result.unresolved.append((e.key, src.name, req.key))
            else:
                result.problems.append(
                    _problem(
                        e,
                        "enrich-unavailable",
                        f"{src.name}: {reply.error} ({req.key})",
                        Severity.WARNING,
                    )
                )
            return
        if reply.status in (404, 410):
            return  # the source does not know the paper: nothing to say
        if not reply.ok:
            result.problems.append(
                _problem(
                    e,
                    "enrich-unavailable",
                    f"{src.name}: HTTP {reply.status} ({req.key})",
                    Severity.WARNING,
                )
            )
            return
        try:
            cands = src.parse(reply.body)
        except SourceFormatError as exc:
            result.problems.append(
                _problem(e, "enrich-bad-response", f"{exc} ({req.key})", Severity.WARNING)
            )
            return
        self._consider(e, cands, result)

    def _consider(self, e: Entry, cands: list[Candidate], result: EnrichResult) -> None:
        accepted: list[Candidate] = []
        rejected: list[tuple[Candidate, str]] = []
        arxiv, doi = e.arxiv, e.doi
        for c in cands:
            why = _id_conflict(arxiv, doi, c)
            verdict = judge(e, c)
            if why or not verdict.accepted:
                rejected.append((c, "; ".join(filter(None, [why, verdict.explain()]))))
            else:
                accepted.append(c)
        accepted.sort(key=lambda c: not c.published)  # published versions first
        for c in accepted:
            if c.source == "huggingface":
                result.problems.extend(links.code_disagrees(e, c))
            result.changes.extend(apply(e, c))
        for c, why in rejected:
            if c.by_id:
                result.problems.append(
                    _problem(
                        e,
                        "enrich-mismatch",
                        f"{c.source}: the entry's identifier names another paper "
                        f"({c.title!r}, {c.year or 'no year'}): {why}",
                        Severity.WARNING,
                    )
                )
            elif not accepted and looks_close(e, c):
                result.problems.append(
                    _problem(
                        e,
                        "enrich-rejected",
                        f"{c.source}: {c.title!r} ({c.year or 'no year'}) looks similar but is "
                        f"not taken: {why}",
                        Severity.INFO,
                    )
                )

    # --- repositories --------------------------------------------------------------
    def _repo_requests(self, entries: list[Entry], done: Mapping[str, Reply]) -> list[Request]:
        from genbib.enrich.sources import github

        base = self.bases.get("github", github.BASE)
        reqs = {
            r.key: r
            for e in entries
            for repo in links.repos_of(e)
            if (r := github.repo_request(repo, base)).key not in done
        }
        return [reqs[k] for k in sorted(reqs)]

    def _check_repos(
        self, entries: list[Entry], replies: Mapping[str, Reply], result: EnrichResult
    ) -> None:
        from genbib.enrich.sources import github

        base = self.bases.get("github", github.BASE)
        wanted: dict[str, list[Entry]] = defaultdict(list)
        for e in entries:
            for repo in links.repos_of(e):
                wanted[repo].append(e)
        for repo in sorted(wanted):
            req = github.repo_request(repo, base)
            reply = replies.get(req.key)
            if reply is None:
                continue
            if reply.status == 0:
                for e in wanted[repo]:
                    if reply.error.startswith("offline"):
                        result.unresolved.append((e.key, "github", req.key))
                    else:
                        result.problems.append(
                            _problem(
                                e,
                                "enrich-unavailable",
                                f"github: {reply.error} ({req.key})",
                                Severity.WARNING,
                            )
                        )
                continue
            if not reply.ok and reply.status not in (404, 410):
                continue
            try:
                facts = github.parse_repo(repo, reply)
            except SourceFormatError as exc:
                for e in wanted[repo]:
                    result.problems.append(
                        _problem(e, "enrich-bad-response", str(exc), Severity.WARNING)
                    )
                continue
            result.repos[repo] = facts
            for e in wanted[repo]:
                result.problems.extend(links.repo_findings(e, facts))
                result.changes.extend(links.follow_rename(e, facts))
                result.changes.extend(links.update_stars(e, facts))


def _id_conflict(arxiv: str | None, doi: str | None, c: Candidate) -> str:
    if arxiv and c.arxiv and arxiv != c.arxiv:
        return f"arXiv id {c.arxiv} is not the entry's {arxiv}"
    if doi and c.doi and not ids.arxiv_id(doi) and doi != c.doi:
        return f"DOI {c.doi} is not the entry's {doi}"
    return ""
