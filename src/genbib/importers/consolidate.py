"""The rows of one import that name the same paper -> one entry, choosing by support.

Grouping uses the dedupe engine (`MatchIndex`), so import matches papers exactly as
`genbib dedupe` does. Before grouping, identifiers that two unrelated rows share are
settled (a link whose id belongs to another paper in the same import is dropped from
the row it does not fit, and reported). After grouping, each field's values are
counted over the group's rows: the best-supported value is kept and disagreements are
reported with every `source:line`, never chosen silently.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from genbib.dedupe import MatchIndex
from genbib.dedupe.normalize import title_keys
from genbib.importers.candidates import Candidate
from genbib.importers.links import names_other_paper
from genbib.importers.text import find_filler, fold_summary, inert
from genbib.model import identifiers as ids
from genbib.model.entry import Entry, LinkKind
from genbib.model.problems import Problem, Severity
from genbib.model.venues import Venue, is_series


@dataclass(slots=True)
class Group:
    members: list[Candidate] = field(default_factory=list)
    probe: Entry = field(default_factory=lambda: Entry("misc", ""))  # identifiers seen so far

    @property
    def first(self) -> Candidate:
        return self.members[0]


def _arxiv_month(ident: str) -> tuple[int, int] | None:
    if len(ident) >= 4 and ident[:4].isdigit() and "." in ident:
        return 2000 + int(ident[:2]), int(ident[2:4])
    return None


def _months_apart(a: tuple[int, int], b: tuple[int, int]) -> int:
    return abs((a[0] * 12 + a[1]) - (b[0] * 12 + b[1]))


def check_links(cands: list[Candidate], problems: list[Problem]) -> None:
    """Links that name another paper: slug mismatch, ids/repos shared by unrelated rows."""
    for c in cands:
        kept = []
        for link, line in c.links:
            if link.kind in (LinkKind.PDF, LinkKind.CODE) and names_other_paper(
                link.url, c.entry.title, c.entry.get("shortname") or ""
            ):
                problems.append(
                    Problem(
                        "I-link-other-paper",
                        f"{link.kind.value} link {link.url} seems to name another paper than "
                        f"{c.entry.title!r}; not kept",
                        Severity.WARNING,
                        c.row.file,
                        line,
                    )
                )
                continue
            kept.append((link, line))
        c.links = kept
        _date_vs_id(c, problems)
    _named_rows(cands, problems)
    _shared(
        cands,
        problems,
        "arXiv id",
        lambda url: ids.arxiv_id(url) if "arxiv.org" in url else None,
        _fits_by_date,
    )
    _shared(
        cands,
        problems,
        "code repository",
        lambda url: (ids.github_repo(url) or "").lower() or None,
        _fits_by_name,
    )


def _is_name(title: str) -> bool:
    """A model's name standing where a title would ("Flan-T5", "GLM", "UnifiedQA")."""
    return len(title.split()) <= 3 and len(title) <= 30


def _named_rows(cands: list[Candidate], problems: list[Problem]) -> None:
    """Rows that name a paper only by its model's name ("Flan-T5" in a table of models)
    and link the arXiv id a titled row links are that paper: they take its title (their
    name becomes the short name), so they group with it instead of contending for the id.
    Several names and no title: the first name stands for all."""
    owners: dict[str, list[Candidate]] = {}
    for c in cands:
        for link, _ in c.links:
            key = ids.arxiv_id(link.url) if "arxiv.org" in link.url else None
            if key and c not in owners.setdefault(key, []):
                owners[key].append(c)
    for key, users in owners.items():
        names = [c for c in users if _is_name(c.entry.title)]
        titled = [c for c in users if c not in names]
        if not names or len(users) < 2:
            continue
        heads = {title_keys(c.entry.title)[0] for c in titled}
        if len(heads) > 1:
            continue  # titled rows disagree: settled by _shared
        source = titled[0] if titled else names[0]
        for c in names:
            if c is source:
                continue
            name = c.entry.title
            c.entry.set("title", source.entry.title)
            if not c.entry.get("shortname"):
                c.entry.set("shortname", name)
            problems.append(
                Problem(
                    "I-named-row",
                    f"{name!r} links arXiv {key}, the paper {source.entry.title!r} "
                    f"({source.where}); read as that paper",
                    Severity.INFO,
                    c.row.file,
                    c.row.line,
                )
            )


def _date_vs_id(c: Candidate, problems: list[Problem]) -> None:
    date = c.when.date
    if not date or not date[1]:
        return
    for link, line in c.links:
        ident = ids.arxiv_id(link.url) if "arxiv.org" in link.url else None
        month = _arxiv_month(ident) if ident else None
        if month and _months_apart(month, (date[0], date[1])) > 1:
            problems.append(
                Problem(
                    "I-date-mismatch",
                    f"date {date[0]}-{date[1]:02d} disagrees with arXiv {ident} "
                    f"(first submitted {month[0]}-{month[1]:02d})",
                    Severity.INFO,
                    c.row.file,
                    line,
                )
            )
            return


def _fits_by_date(c: Candidate, key: str) -> int:
    month = _arxiv_month(key)
    date = c.when.date
    if not month or not date or not date[1]:
        return 0
    return 1 if _months_apart(month, (date[0], date[1])) <= 1 else -1


def _fits_by_name(c: Candidate, key: str) -> int:
    name = key.split("/")[-1].replace("-", "").replace("_", "").lower()
    own = f"{c.entry.title} {c.entry.get('shortname') or ''}".lower().replace("-", "")
    words = {w.strip(":,.()") for w in own.split()}
    return 1 if name and (name in words or name in own.replace(" ", "")) else 0


def _shared(
    cands: list[Candidate],
    problems: list[Problem],
    what: str,
    key_of: Callable[[str], str | None],
    fit: Callable[[Candidate, str], int],
) -> None:
    owners: dict[str, list[Candidate]] = {}
    for c in cands:
        for link, _ in c.links:
            key = key_of(link.url)
            if key and c not in owners.setdefault(key, []):
                owners[key].append(c)
    for key, users in owners.items():
        titles = {title_keys(c.entry.title)[0] for c in users}
        if len(titles) < 2 or _same_paper(users) or _one_title(users):
            continue
        # Unrelated papers share it: keep it on the best-fitting titles only.
        by_title: dict[str, list[Candidate]] = {}
        for c in users:
            by_title.setdefault(title_keys(c.entry.title)[0], []).append(c)
        scores = {t: sum(fit(c, key) for c in cs) for t, cs in by_title.items()}
        best = max(scores.values())
        winners = [t for t, s in scores.items() if s == best]
        keep = winners[0] if len(winners) == 1 else None
        for t, cs in by_title.items():
            if t == keep:
                continue
            for c in cs:
                c.links = [(lk, ln) for lk, ln in c.links if key_of(lk.url) != key]
                others = "; ".join(
                    f"{o.entry.title!r} ({o.where})"
                    for o in users
                    if title_keys(o.entry.title)[0] != t
                )
                problems.append(
                    Problem(
                        "I-shared-id",
                        f"{what} {key} also linked from {others}; "
                        + (
                            "kept there, dropped here"
                            if keep
                            else "dropped from all (cannot tell which is right)"
                        ),
                        Severity.WARNING,
                        c.row.file,
                        c.row.line,
                    )
                )


def _one_title(users: list[Candidate]) -> bool:
    """Titles that are one title, shortened: "It Takes (Only) Two: Adversarial
    Generator-Encoder Networks" and "Adversarial Generator-Encoder Networks"."""
    shortest = min((c.entry.title for c in users), key=len)
    key = title_keys(shortest)[0]
    return (
        len(shortest.split()) >= 3
        and bool(key)
        and all(key in title_keys(c.entry.title)[0] for c in users)
    )


def _same_paper(users: list[Candidate]) -> bool:
    index = MatchIndex()
    first = _probe(users[0])
    index.add(first)
    return all(index.find(_probe(c, with_links=False)) is not None for c in users[1:])


def _probe(c: Candidate, *, with_links: bool = True) -> Entry:
    e = c.entry.copy()
    if c.when.best_year:
        e.set("year", str(c.when.best_year))
    if with_links:
        e.add_links(link for link, _ in c.links)
    return e


def group(cands: list[Candidate]) -> list[Group]:
    """Rows naming one paper, in first-seen order."""
    index = MatchIndex()
    groups: list[Group] = []
    by_probe: dict[int, Group] = {}
    for c in cands:
        probe = _probe(c)
        f = index.features(probe)  # once: to find, and to file a new group's probe
        match = index.find(probe, f)
        if match is not None:
            g = by_probe[id(match.entry)]
            g.members.append(c)
            index.discard(g.probe)
            g.probe.add_links(probe.links())
            index.add(g.probe)
            continue
        g = Group([c], probe)
        groups.append(g)
        by_probe[id(probe)] = g
        index.add(probe, f)
    return groups


def filler(cands: list[Candidate], problems: list[Problem]) -> None:
    """A summary repeated under three or more unrelated titles is a placeholder: dropped."""
    folded = [fold_summary(c.summary) for c in cands]  # once each: lists have thousands
    repeated = find_filler(
        (f, title_keys(c.entry.title)[0]) for f, c in zip(folded, cands, strict=True)
    )
    by_summary: dict[str, list[Candidate]] = {}
    for f, c in zip(folded, cands, strict=True):
        if f in repeated:
            by_summary.setdefault(f, []).append(c)
    for summary in repeated:
        lines = by_summary.get(summary, [])
        if not lines:
            continue
        first = lines[0]
        problems.append(
            Problem(
                "I-filler",
                f"summary {first.summary[:60]!r}... repeated under {len(lines)} different papers "
                f"(lines {', '.join(str(c.row.line) for c in lines)}): placeholder, not kept",
                Severity.WARNING,
                first.row.file,
                first.row.line,
            )
        )
        for c in lines:
            c.summary = ""


def consolidate(g: Group, problems: list[Problem]) -> Entry:
    """One entry from a group's rows: best-supported values, conflicts reported."""
    first = g.first
    entry = Entry("misc", "", line=first.row.line, file=first.row.file)
    entry.set("title", _title(g))
    name = _vote(
        g,
        problems,
        "shortname",
        lambda c: c.entry.get("shortname") or "",
        fold=_fold_name,
        prefer=lambda v: _initials_fit(v, entry.title),
    )
    entry.set("shortname", name)
    authors = next((c.entry.get("author") for c in g.members if c.entry.get("author")), None)
    entry.set("author", authors)
    venue = _venue(g, problems)
    year = _year(g, problems, venue)
    if venue is not None:
        if venue.kind == "journal":
            entry.type = "article"
            entry.set("journal", venue.full)
        elif venue.kind == "preprint":
            pass
        else:
            entry.type = "inproceedings"
            entry.set("booktitle", venue.full)
    if year:
        entry.set("year", str(year))
    presentation = next(
        (c.entry.get("presentation") for c in g.members if c.entry.get("presentation")), None
    )
    entry.set("presentation", presentation)
    entry.add_links(link for c in g.members for link, _ in c.links)
    arxiv = entry.arxiv
    if arxiv:
        entry.set("eprint", arxiv)
        entry.set("archiveprefix", "arXiv")
    doi = next((ids.doi(lk.url) for lk in entry.links() if "doi.org" in lk.url), None)
    if doi and not ids.arxiv_id(doi):
        entry.set("doi", doi)
    notes: list[str] = []
    for c in g.members:
        if c.summary and c.summary not in notes:
            notes.append(c.summary)
    if notes:
        entry.set("annotation", "\n\n".join(inert(n) for n in notes))  # one line each
    topics = sorted({t for c in g.members for t in c.topics})
    if topics:
        entry.set_topics(topics)
    for name in ("title", "shortname", "author", "presentation"):
        value = entry.get(name)
        if value:
            entry.set(name, inert(value))  # list text is plain text: nothing in it may run
    same_file = Counter(c.row.file for c in g.members)
    for file, count in same_file.items():
        if count > 1:
            lines = [str(c.row.line) for c in g.members if c.row.file == file]
            problems.append(
                Problem(
                    "I-listed-twice",
                    f"{entry.title!r} is listed {count} times in this file "
                    f"(lines {', '.join(lines)}); merged",
                    Severity.INFO,
                    file,
                    int(lines[1]),
                )
            )
    return entry


def _title(g: Group) -> str:
    """The most common spelling, preferring one that is not all capitals or lower case."""
    titles = [c.entry.title for c in g.members if c.entry.title]
    if len(titles) == 1:
        return titles[0]  # (most papers are listed once: nothing to choose)
    linked = {c.entry.title for c in g.members if c.row.title_url}  # copied from the paper's page

    folded = Counter(t.casefold() for t in titles)

    def score(t: str) -> tuple[int, bool, bool, bool]:
        letters = [ch for ch in t if ch.isalpha()]
        shouting = bool(letters) and all(ch.isupper() for ch in letters)
        flat = t == t.lower() or t[1:] == t[1:].lower()
        return (folded[t.casefold()], not shouting, not flat, t in linked)

    return max(titles, key=score) if titles else ""


def _fold_name(value: str) -> str:
    return "".join(ch for ch in value.lower() if ch.isalnum())


def _initials_fit(name: str, title: str) -> bool:
    initials = "".join(w[0] for w in title.replace("-", " ").split() if w[:1].isalpha()).lower()
    return bool(name) and _fold_name(name) in (initials, initials.rstrip("s"))


def _vote(
    g: Group,
    problems: list[Problem],
    what: str,
    value_of: Callable[[Candidate], str],
    *,
    fold: Callable[[str], str],
    prefer: Callable[[str], bool],
) -> str:
    seen: dict[str, list[Candidate]] = {}
    spelling: dict[str, str] = {}
    for c in g.members:
        v = value_of(c)
        if v:
            seen.setdefault(fold(v), []).append(c)
            spelling.setdefault(fold(v), v)
    if len(seen) < 2:  # nothing to choose (most papers are listed once)
        return next(iter(spelling.values()), "")
    best = max(seen, key=lambda k: (len(seen[k]), prefer(spelling[k])))
    _conflict(problems, what, g, {spelling[k]: cs for k, cs in seen.items()}, spelling[best])
    return spelling[best]


def _conflict(
    problems: list[Problem], what: str, g: Group, values: dict[str, list[Candidate]], kept: str
) -> None:
    parts = [f"{v!r} ({', '.join(c.where for c in cs)})" for v, cs in values.items()]
    first = g.first
    problems.append(
        Problem(
            "I-conflict",
            f"{first.entry.title!r}: {what} differs between sources: "
            + " vs ".join(parts)
            + f"; kept {kept!r}",
            Severity.WARNING,
            first.row.file,
            first.row.line,
        )
    )


def _venue(g: Group, problems: list[Problem]) -> Venue | None:
    published: dict[str, list[Candidate]] = {}
    venues: dict[str, Venue] = {}
    preprint: Venue | None = None
    for c in g.members:
        v = c.when.venue
        if v is None:
            continue
        if v.kind == "preprint":
            preprint = preprint or v
            continue
        published.setdefault(v.short, []).append(c)
        venues.setdefault(v.short, v)
    specific = {k: cs for k, cs in published.items() if not is_series(venues[k])}
    pool = specific or published
    if not pool:
        return preprint
    best = max(pool, key=lambda k: len(pool[k]))
    series = {k: cs for k, cs in published.items() if k not in pool}
    if series:
        parts = [f"{k} ({', '.join(c.where for c in cs)})" for k, cs in series.items()]
        first = g.first
        problems.append(
            Problem(
                "I-venue-series",
                f"{first.entry.title!r}: venue given as the proceedings series "
                + ", ".join(parts)
                + f" and as {best} ({', '.join(c.where for c in pool[best])}); kept {best}",
                Severity.INFO,
                first.row.file,
                first.row.line,
            )
        )
    if len(pool) > 1:
        _conflict(problems, "venue", g, pool, best)
    return venues[best]


def _year(g: Group, problems: list[Problem], venue: Venue | None) -> int | None:
    published: dict[str, list[Candidate]] = {}
    for c in g.members:
        v = c.when.venue
        if c.when.year and v is not None and v.kind != "preprint":
            published.setdefault(str(c.when.year), []).append(c)
    if published:
        best = max(published, key=lambda k: len(published[k]))
        if len(published) > 1:
            _conflict(problems, "year", g, published, best)
        return int(best)
    years = Counter(c.when.best_year for c in g.members if c.when.best_year)
    return years.most_common(1)[0][0] if years else None
