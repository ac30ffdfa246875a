"""Matching a pull of many new Zotero items: pooled (one recognizer kept across the pull)
equals recognising each item against a recognizer built afresh for it, exactly, and does
linear, not k·n, work."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import genbib.dedupe.index
import genbib.dedupe.match
from genbib.bibtex.writer import dumps
from genbib.dedupe.recognize import Recognizer, SyncMatcher
from genbib.model.entry import Entry
from genbib.model.library import Library
from genbib.model.problems import Problem
from genbib.sync import pairing, session
from genbib.sync.engine import Fields, Op
from genbib.sync.memory import MemoryRemote
from genbib.sync.pairing import Pair as _Pair
from genbib.sync.pairing import Pairing, _about, _recognised, absorb, duplicate_problem, survivor_of
from genbib.sync.remote import Pull, RemoteItem, RemoteOp, fields_entry
from genbib.sync.session import Result, run
from genbib.sync.state import State

Found = tuple[Entry | None, list[Problem]]
PerCall = Callable[[Entry, list[Entry]], Found]

# --- the reference: `_pair` as it was before pools, one matcher call per new item -------


def rebuilt(entry: Entry, candidates: list[Entry]) -> Found:
    """The recognition over `candidates` from scratch: an index built for this one item."""
    return Recognizer(candidates).find(entry)


def old_pair(
    library: Library, pull: Pull, state: State, match: PerCall, _link: Any = None
) -> Pairing:
    result = Pairing()
    local = library.by_key()
    alias = {a: e.key for e in library for a in e.aliases}
    pairs: list[_Pair] = []
    claimed: dict[str, _Pair] = {}
    # creates whose answer never arrived and that are not in Zotero: sent again, same key
    unconfirmed = {r.key: i for i, r in state.rows.items() if r.pending and i not in pull.changed}
    for item in sorted(state.rows):
        row = state.rows[item]
        changed = pull.changed.get(item)
        if row.pending and changed is None:
            continue
        lk = row.key if row.key in local else alias.get(row.key, "")
        entry = local.get(lk) if lk and lk not in claimed else None
        if changed is not None and (changed.version > row.version or row.pending):
            rfields: Fields | None = changed.fields
            ritem: RemoteItem | None = changed
        elif item in pull.deleted or row.gone:
            rfields, ritem = None, None
        else:
            rfields = row.remote_fields()
            ritem = RemoteItem(item, row.version, row.key, rfields, row.children)
        pair = _Pair(entry.key if entry else row.key, row, entry, ritem, rfields)
        pair.reuse = unconfirmed.get(pair.key, "")
        pairs.append(pair)
        if entry is not None:
            claimed[entry.key] = pair
    new_local = {e.key: e for e in library if e.key not in claimed}
    new_pairs: dict[str, _Pair] = {}
    for e in new_local.values():
        new_pairs[e.key] = _Pair(e.key, None, e, None, None, reuse=unconfirmed.get(e.key, ""))
    accepted: list[_Pair] = []
    dups: list[RemoteOp] = []
    for item in sorted(pull.changed):
        if item in state.rows or item in pull.deleted:
            continue
        ri = pull.changed[item]
        incoming = fields_entry(ri.key, ri.fields)
        target: _Pair | None = None
        if ri.key and ri.key in new_pairs and new_pairs[ri.key].remote is None:
            target = new_pairs[ri.key]
        elif ri.key and (ri.key in claimed or ri.key in alias):
            target = claimed.get(ri.key) or claimed.get(alias.get(ri.key, ""))
        findings: list[Problem] = []
        if target is None:
            candidates = [
                p.local for p in new_pairs.values() if p.remote is None and p.local is not None
            ]
            found, findings = match(incoming, candidates)
            if found is not None:
                target = new_pairs[found.key]
        if target is None:
            known = [p.local for p in claimed.values() if p.local is not None]
            known += [fields_entry(f"\0{i}", p.remote_fields or {}) for i, p in enumerate(accepted)]
            found, more = match(incoming, known)
            findings += more
            if found is not None:
                target = (
                    accepted[int(found.key[1:])]
                    if found.key.startswith("\0")
                    else claimed[found.key]
                )
        result.problems.extend(_about(item, p) for p in findings)
        if target is not None and target.row is None and target.remote is None:
            target.remote, target.remote_fields = ri, ri.fields  # link a new entry to the item
            continue
        survivor = survivor_of(target) if target is not None else ""
        if target is not None and survivor:  # a second copy of a paper already known
            absorb(target, _recognised(ri.fields, incoming))
            dups.append(
                RemoteOp(
                    Op.DELETE, item, target.key, None, ri.fields, ri.version, ri.children,
                    into=survivor,
                )
            )  # fmt: skip
            result.problems.append(duplicate_problem(item, incoming, target.key, survivor))
            continue
        pair = _Pair(ri.key, None, None, ri, ri.fields)
        accepted.append(pair)
    pairs.extend(new_pairs.values())
    pairs.extend(accepted)
    return Pairing(pairs, dups, set(unconfirmed.values()), result.problems)


# --- a lab: a synced library, new local entries, and a pull of many new items ---------

WORDS = (
    "diffusion score flow latent masked autoregressive energy variational neural "
    "generative adversarial image video audio text scalable efficient consistency "
    "transformer model models sampling guidance denoising probabilistic stochastic"
).split()


def identity(rng: random.Random, i: int) -> dict[str, str]:
    """One paper: all its identifiers (copies carry a subset)."""
    title = " ".join(rng.sample(WORDS, rng.randint(4, 7))).capitalize()
    return {
        "title": title,
        "author": rng.choice(["Ho, Jonathan", "Song, Yang", "Kingma, Diederik", "Lipman, Yaron"]),
        "year": str(rng.choice([2019, 2020, 2021, 2023])),
        "eprint": f"2301.{10000 + i:05d}",
        "doi": f"10.1000/paper{i}",
    }


def fields_of(paper: dict[str, str], rng: random.Random, keep_one: bool = True) -> Fields:
    """A copy of `paper`: the title (maybe re-cased), and some of its identifiers."""
    out = {"@type": rng.choice(["misc", "article"]), "author": "{" + paper["author"] + "}"}
    names = [n for n in ("title", "eprint", "doi") if rng.random() < 0.6]
    if keep_one and not names:
        names = [rng.choice(["title", "eprint", "doi"])]
    for name in names:
        value = paper[name]
        if name == "title" and rng.random() < 0.3:
            value = value.upper()
        out[name] = "{" + value + "}"
    if rng.random() < 0.5:
        out["year"] = "{" + paper["year"] + "}"
    if rng.random() < 0.3:
        out["abstract"] = "{" + f"About {paper['title'][:20]}." + "}"
    if "eprint" in out:
        out["archiveprefix"] = "{arXiv}"
    return out


def entry_of(key: str, fields: Fields) -> Entry:
    return fields_entry(key, fields)


def lab(seed: int, n: int, m: int, k: int) -> tuple[Library, MemoryRemote, State]:
    """`n` papers synced, `m` new local ones not yet synced, then `k` new Zotero items:
    copies of synced papers, of new local ones (by content or by citation key), of each
    other (also copies that only meet through what an earlier merge added), and new ones.
    """
    rng = random.Random(seed)
    papers = [identity(rng, i) for i in range(n + m + k)]
    for p in rng.sample(papers, len(papers) // 6):  # same title, another paper: ties
        p["title"] = rng.choice(papers)["title"]
    lib = Library([], [], "t.bib")
    for i in range(n):
        lib.add(entry_of(f"p{i}", fields_of(papers[i], rng)))
    remote, state = MemoryRemote(), State()
    run(lib, remote, state)
    for i in range(n, n + m):
        lib.add(entry_of(f"p{i}", fields_of(papers[i], rng)))
    incoming: list[int] = []
    for _ in range(k):
        kind = rng.random()
        if kind < 0.1 and m:
            j = rng.randrange(n, n + m)
            remote.add(fields_of(papers[j], rng), key=f"p{j}")  # a new local paper's key
            continue
        if kind < 0.3 and incoming:
            j = rng.choice(incoming)  # a copy of an item of this very pull
        elif kind < 0.55 and n:
            j = rng.randrange(n)  # a copy of a synced paper
        elif kind < 0.75 and m:
            j = rng.randrange(n, n + m)  # a copy of a new local paper
        else:
            j = rng.randrange(n + m, n + m + k)  # new (or, by chance, a copy)
        incoming.append(j)
        remote.add(fields_of(papers[j], rng))
    return lib, remote, state


def outcome(lib: Library, remote: MemoryRemote, state: State, result: Result) -> Any:
    return (
        dumps(lib),
        state.dumps(),
        {i: (s.key, s.fields) for i, s in remote.items.items()},
        [p.as_dict() for p in result.planned],
        result.problems,
        result.conflicts,
    )


def pull_both(seed: int, n: int, m: int, k: int) -> tuple[Any, Any]:
    """The pull with today's `pair` and its pools, and with the old one recognising each
    item afresh (`rebuilt`)."""
    lib, remote, state = lab(seed, n, m, k)
    now = outcome(lib, remote, state, run(lib, remote, state, match=SyncMatcher()))
    lib, remote, state = lab(seed, n, m, k)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(session, "pair", old_pair)
        before = outcome(lib, remote, state, run(lib, remote, state, match=rebuilt))  # type: ignore[arg-type]
    return now, before


def test_a_big_pull_pairs_exactly_as_per_item_matching_did() -> None:
    now, before = pull_both(7, 40, 15, 60)
    assert now == before
    problems: list[Any] = now[4]
    dups = [p for p in problems if p.code == "SYNC_DUPLICATE"]
    assert len(dups) >= 15  # the pull did merge copies (of local papers and of each other)
    planned = now[3]
    assert sum(p["bib"] == "create" for p in planned) >= 5  # and took new papers
    assert sum(p["item"] and p["zotero"] == "update" for p in planned) >= 3  # and linked


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(0, 12),
    m=st.integers(0, 6),
    k=st.integers(1, 16),
)
def test_pooled_pairing_equals_per_item_matching(seed: int, n: int, m: int, k: int) -> None:
    now, before = pull_both(seed, n, m, k)
    assert now == before


# --- the work is linear ---------------------------------------------------------------


@pytest.fixture
def feature_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the dedupe engine's feature computations and index builds: [features, builds]."""
    counts = [0, 0]
    real_features = genbib.dedupe.match.features
    real_init = genbib.dedupe.index.MatchIndex.__init__

    def features(entry: Entry) -> Any:
        counts[0] += 1
        return real_features(entry)

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        counts[1] += 1
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(genbib.dedupe.index, "features", features)
    monkeypatch.setattr(genbib.dedupe.index.MatchIndex, "__init__", init)
    yield counts


def fresh_pull(n: int, k: int) -> tuple[Library, MemoryRemote, State]:
    """A synced library of `n` papers and `k` new Zotero items that match none of them."""
    rng = random.Random(1)
    lib = Library([], [], "t.bib")
    for i in range(n):
        lib.add(entry_of(f"p{i}", {"title": "{" + f"Local paper number {i} on diffusion" + "}"}))
    remote, state = MemoryRemote(), State()
    run(lib, remote, state)
    for i in range(k):
        words = " ".join(rng.sample(WORDS, 5))
        remote.add({"@type": "misc", "title": "{" + f"Remote {words} {i}" + "}"})
    return lib, remote, state


def test_dedupe_matching_of_a_pull_is_linear(feature_calls: list[int]) -> None:
    n, k = 300, 60
    lib, remote, state = fresh_pull(n, k)
    feature_calls[:] = [0, 0]
    result = run(lib, remote, state, match=SyncMatcher())
    assert result.count("bib", Op.CREATE) == k
    features, builds = feature_calls
    # the library once, each item looked up in two pools and filed once: n + 3k
    assert builds == 2
    assert features <= n + 3 * k
    # the old way built an index of the whole library per item: k·n
    lib, remote, state = fresh_pull(n, k)
    feature_calls[:] = [0, 0]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(session, "pair", old_pair)
        run(lib, remote, state, match=rebuilt)  # type: ignore[arg-type]
    assert feature_calls[1] == 2 * k and feature_calls[0] >= k * n


def test_a_sync_without_new_items_indexes_nothing(feature_calls: list[int]) -> None:
    lib, remote, state = fresh_pull(50, 0)
    remote.edit(next(iter(remote.items)), abstract="{changed in Zotero}")
    feature_calls[:] = [0, 0]
    run(lib, remote, state, match=SyncMatcher())
    assert feature_calls == [0, 0]


def test_a_member_changed_by_a_merge_keeps_its_place_among_equal_matches() -> None:
    title = "{Elucidating the Design Space of Diffusion-Based Generative Models}"
    paper = {"title": title, "author": "{Karras, Tero}", "year": "{2022}"}
    a, b = entry_of("a", dict(paper)), entry_of("b", dict(paper))
    pool = SyncMatcher().pool([a, b])
    first = entry_of("", {**paper, "eprint": "{2206.00364}", "archiveprefix": "{arXiv}"})
    assert pool.find(first)[0] is a
    a.fields.update(eprint="{2206.00364}", archiveprefix="{arXiv}")  # what a merge does
    pool.add(a)
    again = entry_of("", {"title": title})
    assert pool.find(again)[0] is rebuilt(again, [a, b])[0] is a
    pool.discard(a)
    assert pool.find(again)[0] is rebuilt(again, [b])[0] is b


def test_a_paper_met_through_what_a_merge_added_pairs_as_before() -> None:
    """Two synced papers of one title; a copy carrying an arXiv id is merged into the
    first, then a title-only copy must still go to the first (not to the other one)."""
    title = "{Elucidating the Design Space of Diffusion-Based Generative Models}"
    paper = {"@type": "misc", "title": title, "author": "{Karras, Tero}", "year": "{2022}"}
    outcomes = []
    for pairing_fn, match in ((pairing.pair, SyncMatcher()), (old_pair, rebuilt)):
        lib = Library([], [], "t.bib")
        lib.add(fields_entry("karras2022a", dict(paper)))
        lib.add(fields_entry("karras2022b", dict(paper)))
        remote, state = MemoryRemote(), State()
        run(lib, remote, state)
        remote.add({**paper, "eprint": "{2206.00364}", "archiveprefix": "{arXiv}"})
        remote.add({"@type": "article", "title": title, "note": "{copy}"})
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(session, "pair", pairing_fn)
            result = run(lib, remote, state, match=match)  # type: ignore[arg-type]
        outcomes.append(outcome(lib, remote, state, result))
    assert outcomes[0] == outcomes[1]
    assert [p.key for p in outcomes[0][4] if p.code == "SYNC_DUPLICATE"] == ["karras2022a"] * 2
