"""A library-wide dedupe: which entries form one paper, shown first, then applied.

`plan` finds the groups (with the evidence linking each member) and previews the merge
of each group on copies, so `--dry-run` shows every value that would not survive;
`apply` performs exactly that plan on the library. Grouping does not depend on input
order: candidate pairs come from an index over all entries, links are taken strongest
first in an order fixed by content, and a link that would put two incompatible entries
(different identifiers, authors or titles) in one group is refused and reported.

The surviving entry of a group is the one whose key the user asked to keep (`keep`),
else one with a final key (a provisional key, see `genbib.bibtex.keys`, gives way), else
the oldest one: an entry already in the library before this run (`existing`), then one
that already carries aliases (it survived earlier merges), then the first in key order,
which is file order in a canonical file.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from genbib.bibtex.keys import is_provisional
from genbib.config import Config
from genbib.dedupe.index import candidate_pairs, contradiction_problem
from genbib.dedupe.match import (
    Features,
    Reason,
    compare,
    contradiction,
    features,
    incompatible,
)
from genbib.dedupe.merge import merge
from genbib.model.entry import Entry
from genbib.model.library import Library
from genbib.model.problems import Problem, Severity
from genbib.nogc import no_gc
from genbib.pipeline import StageReport


@dataclass(frozen=True, slots=True)
class Link:
    """Evidence that two members of a group are one paper."""

    a: str
    b: str
    reasons: tuple[Reason, ...]

    @property
    def text(self) -> str:
        return " + ".join(r.text for r in self.reasons)


@dataclass(frozen=True, slots=True)
class Group:
    """One paper: `survivor` absorbs `others`; `problems` previews what the merge reports."""

    survivor: Entry
    others: tuple[Entry, ...]
    links: tuple[Link, ...]
    problems: tuple[Problem, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.survivor.key, *(e.key for e in self.others))

    def as_dict(self) -> dict[str, Any]:
        return {
            "survivor": self.survivor.key,
            "merged": [e.key for e in self.others],
            "title": self.survivor.title,
            "reasons": [
                {"a": lk.a, "b": lk.b, "text": lk.text, "codes": [r.code for r in lk.reasons]}
                for lk in self.links
            ],
            "problems": [p.as_dict() for p in self.problems],
        }


@dataclass(frozen=True, slots=True)
class DedupePlan:
    groups: tuple[Group, ...] = ()
    problems: tuple[Problem, ...] = ()  # contradictions and refused links

    @property
    def merged_away(self) -> int:
        return sum(len(g.others) for g in self.groups)

    def as_dict(self) -> dict[str, Any]:
        return {
            "groups": [g.as_dict() for g in self.groups],
            "problems": [p.as_dict() for p in self.problems],
        }


def _content_key(e: Entry) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """A position-free total order on entries (ties are identical entries)."""
    return (e.key, e.type.lower(), tuple(sorted(e.fields.items())))


def _content_sorted(entries: list[Entry]) -> list[Entry]:
    """`sorted(entries, key=_content_key)`, building full content keys only for entries
    that share a citation key (few do), since building them for all is most of the sort."""
    items = sorted(entries, key=attrgetter("key"))
    start = 0
    for end in range(1, len(items) + 1):
        if end == len(items) or items[end].key != items[start].key:
            if end - start > 1:
                items[start:end] = sorted(items[start:end], key=_content_key)
            start = end
    return items


def plan(
    entries: Iterable[Entry],
    *,
    existing: Collection[str] = (),
    keep: Collection[str] = (),
    progress: Callable[[int], None] | None = None,
) -> DedupePlan:
    """Groups of entries that are one paper; `existing` keys were in the library before;
    a member whose key (or alias) is in `keep` survives its group.

    `progress(n)` is called as work is done, 2 units per entry in all (for a progress bar).
    """
    with no_gc():  # the index: millions of small objects, no reference cycle
        return _plan(entries, existing, keep, progress or (lambda n: None))


def _plan(
    entries: Iterable[Entry],
    existing: Collection[str],
    keep: Collection[str],
    tick: Callable[[int], None],
) -> DedupePlan:
    given = list(entries)
    items = _content_sorted(given)
    where = {id(e): i for i, e in enumerate(items)}
    at = [where[id(e)] for e in given]  # content position of each input entry
    # Work in input order (memory order: far faster on large libraries); results are
    # keyed by positions in content order, so they do not depend on the input order.
    found: list[Features] = []
    for n, e in enumerate(given, 1):
        found.append(features(e))
        if n % 1000 == 0:
            tick(1000)
    tick(len(items) % 1000)
    feats = found[:]
    for k, f in enumerate(found):
        feats[at[k]] = f
    edges: list[tuple[int, int, int, tuple[Reason, ...]]] = []
    contra: list[tuple[int, int, str]] = []
    for a, b in candidate_pairs(found):
        i, j = sorted((at[a], at[b]))
        reasons = compare(feats[i], feats[j])
        if reasons:
            edges.append((_rank(reasons), i, j, reasons))
        else:
            why = contradiction(feats[i], feats[j])
            if why:
                contra.append((i, j, why))
    tick(len(items))
    problems: list[Problem] = []
    seen_contra: set[tuple[str, str, str]] = set()  # one finding per pair of titles
    for i, j, why in sorted(contra, key=lambda t: (t[0], t[1])):
        ta, tb = feats[i].full, feats[j].full
        pair = (why, min(ta, tb), max(ta, tb))
        if pair not in seen_contra:
            seen_contra.add(pair)
            problems.append(contradiction_problem(items[i], items[j], why))
    edges.sort(key=lambda t: (t[0], t[1], t[2]))

    parent = list(range(len(items)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(items))}
    joined: dict[int, list[Link]] = {}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for _, i, j, reasons in edges:
        ri, rj = root(i), root(j)
        if ri == rj:
            joined.setdefault(ri, []).append(Link(items[i].key, items[j].key, reasons))
            continue
        clash = next(
            ((x, y) for x in members[ri] for y in members[rj] if incompatible(feats[x], feats[y])),
            None,
        )
        if clash:
            x, y = clash
            problems.append(Problem(
                "dedupe-ambiguous",
                f"matches {items[j].key or '(no key)'} ({' + '.join(r.text for r in reasons)}), "
                f"but {items[x].key} and {items[y].key} are different papers; not merged",
                Severity.WARNING, items[i].file, items[i].line, items[i].key,
            ))  # fmt: skip
            continue
        if len(members[ri]) < len(members[rj]):
            ri, rj = rj, ri
        parent[rj] = ri
        members[ri].extend(members.pop(rj))
        joined[ri] = [
            *joined.get(ri, []),
            *joined.pop(rj, []),
            Link(items[i].key, items[j].key, reasons),
        ]

    old = set(existing)
    wanted = {k.casefold() for k in keep}
    groups = []
    for r, idxs in members.items():
        if len(idxs) < 2:
            continue
        order = sorted(
            idxs,
            key=lambda k: (
                not wanted.intersection(a.casefold() for a in (items[k].key, *items[k].aliases)),
                is_provisional(items[k]),
                items[k].key not in old,
                -len(items[k].aliases),
                not items[k].key,
                k,
            ),
        )
        survivor, others = items[order[0]], tuple(items[k] for k in order[1:])
        preview = survivor.copy()
        previews: list[Problem] = []
        for o in others:
            previews.extend(merge(preview, o))
        groups.append(Group(survivor, others, tuple(joined.get(r, [])), tuple(previews)))
    groups.sort(key=lambda g: _content_key(g.survivor))
    return DedupePlan(tuple(groups), tuple(problems))


def _rank(reasons: tuple[Reason, ...]) -> int:
    from genbib.dedupe.match import RANK

    return RANK.get(reasons[0].code, len(RANK))


def apply(library: Library, plan: DedupePlan) -> list[Problem]:
    """Merge each group of `plan` in `library`; returns the merge problems.

    Members are found by identity (the plan was made from this library's entries) or,
    failing that, by key and equal fields, so a plan made on another read of the same
    file applies too.
    """
    present = {id(b) for b in library.blocks if isinstance(b, Entry)}
    by_key: dict[str, list[Entry]] = {}
    for e in library:
        by_key.setdefault(e.key, []).append(e)
    removed: set[int] = set()

    def locate(entry: Entry, exclude: Entry | None = None) -> Entry | None:
        if id(entry) in present and id(entry) not in removed and entry is not exclude:
            return entry
        for cand in by_key.get(entry.key, ()):
            if cand is not exclude and id(cand) not in removed and cand.fields == entry.fields:
                return cand
        return None

    problems: list[Problem] = []
    for group in plan.groups:
        survivor = locate(group.survivor)
        if survivor is None:
            continue
        for other in group.others:
            found = locate(other, exclude=survivor)
            if found is None:
                continue
            problems.extend(merge(survivor, found))
            removed.add(id(found))
    if removed:
        library.blocks = [b for b in library.blocks if id(b) not in removed]
    return problems


def stage(library: Library, config: Config, *, dry_run: bool = False) -> StageReport:
    """The `genbib sync` stage: merge every group found in the library."""
    p = plan(library.entries, existing=[e.key for e in library])
    problems = list(p.problems)
    if dry_run:
        for g in p.groups:
            problems.extend(g.problems)
    else:
        problems.extend(apply(library, p))
    n_groups, n_away = len(p.groups), p.merged_away
    verb = "would merge" if dry_run else "merged"
    summary = (
        f"{verb} {n_away} duplicate(s) into {n_groups} entr{'y' if n_groups == 1 else 'ies'}"
        if n_groups
        else "no duplicates"
    )
    return StageReport(
        stage="dedupe",
        changed=0 if dry_run else n_away,
        summary=summary,
        problems=problems,
        details=p.as_dict(),
    )
