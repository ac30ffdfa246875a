"""The sync decision table: per paper, (bib now, Zotero now, last agreed) -> what each side does.

Pure functions over field maps (field name -> raw BibTeX value, plus the pseudo-field
`@type`); nothing here knows HTTP, files or Zotero JSON, so every rule is tested with plain
dicts. The table, per paper (L = bib now, R = Zotero now, B = last agreed; "-" = absent):

    B  L  R    rule                         bib        Zotero      conflict
    -  L  -    new in bib                   .          create      .
    -  -  R    new in Zotero                create     .           .
    -  L  R    linked (same paper)          merge      merge       differing values: finding
    B  L  R    three-way merge per field    update?    update?     same field changed on both
    B  L  -    deleted in Zotero, L == B    delete     .           .
    B  L  -    deleted in Zotero, L edited  keep       re-create   yes (remote: deleted)
    B  -  R    deleted in bib, R == B       .          delete      .
    B  -  R    deleted in bib, R edited     re-create  keep        yes (local: deleted)
    B  -  -    deleted on both              .          .           .

Per field (three-way): unchanged on one side -> the other side's value wins; changed alike ->
agreed; list fields (topics, links) -> their sets are merged; changed differently -> a
conflict: the bib keeps its value, Zotero keeps its own, the base stays (so the conflict is
seen again until resolved), unless `prefer` picks a side.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

Fields = Mapping[str, str]
Same = Callable[[str, str, str], bool]  # (field, a, b) -> do the two values mean the same?
# (remote, local) -> the remote copy of a paper as it compares with the local copy when
# the two are linked for the first time (no base): a remote that reads its items in a
# form of its own spells what is only that form as the local copy does
Link = Callable[[Fields, Fields], Fields]

SET_FIELDS = frozenset({"topics", "code", "project", "blog", "video", "links", "pdf", "keywords"})
TYPE = "@type"


class Op(StrEnum):
    NONE = "none"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class Prefer(StrEnum):
    NONE = "none"
    LOCAL = "local"
    REMOTE = "remote"


DELETED = "<deleted>"  # the value shown in a conflict for a side that deleted the paper


@dataclass(frozen=True, slots=True)
class Conflict:
    field: str
    local: str
    remote: str
    base: str = ""


@dataclass(frozen=True, slots=True)
class Decision:
    """What happens to one paper; `local`/`remote`/`base` are the field maps afterwards."""

    rule: str
    local_op: Op
    remote_op: Op
    local: Fields | None
    remote: Fields | None
    base: Fields | None
    conflicts: tuple[Conflict, ...] = ()
    findings: tuple[Conflict, ...] = ()  # differing values when linking two new copies


def exact(_field: str, a: str, b: str) -> bool:
    return a == b


def as_is(remote: Fields, _local: Fields) -> Fields:
    return remote


def decide(
    local: Fields | None,
    remote: Fields | None,
    base: Fields | None,
    *,
    prefer: Prefer = Prefer.NONE,
    same: Same = exact,
) -> Decision:
    """Apply the table above to one paper."""
    if base is None:
        if local is not None and remote is None:
            return Decision("new in bib", Op.NONE, Op.CREATE, local, local, local)
        if local is None and remote is not None:
            return Decision("new in Zotero", Op.CREATE, Op.NONE, remote, remote, remote)
        if local is not None and remote is not None:
            return _link(local, remote, prefer, same)
        return Decision("gone", Op.NONE, Op.NONE, None, None, None)
    if local is not None and remote is not None:
        if local == base and remote == base:  # the common case, decided without a merge
            return Decision("unchanged", Op.NONE, Op.NONE, local, remote, base)
        return _merge(local, remote, base, prefer, same)
    if local is not None:  # deleted in Zotero
        if _equal(local, base, same) or prefer is Prefer.REMOTE:
            return Decision("deleted in Zotero", Op.DELETE, Op.NONE, None, None, None)
        edits = _changes(local, base, same)
        conflicts = (
            ()
            if prefer is Prefer.LOCAL
            else tuple(Conflict(f, local.get(f, ""), DELETED, base.get(f, "")) for f in edits)
        )
        return Decision(
            "deleted in Zotero, edited in bib", Op.NONE, Op.CREATE, local, local, local, conflicts
        )
    if remote is not None:  # deleted in the bib
        if _equal(remote, base, same) or prefer is Prefer.LOCAL:
            return Decision("deleted in bib", Op.NONE, Op.DELETE, None, None, None)
        edits = _changes(remote, base, same)
        conflicts = (
            ()
            if prefer is Prefer.REMOTE
            else tuple(Conflict(f, DELETED, remote.get(f, ""), base.get(f, "")) for f in edits)
        )
        return Decision(
            "deleted in bib, edited in Zotero",
            Op.CREATE,
            Op.NONE,
            remote,
            remote,
            remote,
            conflicts,
        )
    return Decision("deleted on both sides", Op.NONE, Op.NONE, None, None, None)


def merge_field(
    name: str, lo: str | None, r: str | None, b: str | None, prefer: Prefer, same: Same = exact
) -> tuple[str | None, str | None, str | None, bool]:
    """(bib value, Zotero value, base value, conflicted) for one field after the merge."""
    if _same(name, lo, r, same) or _same(name, r, b, same):
        return lo, lo, lo, False
    if _same(name, lo, b, same):
        return r, r, r, False
    if name in SET_FIELDS:
        merged = _merge_sets(name, lo, r, b)
        return merged, merged, merged, False
    if prefer is Prefer.LOCAL:
        return lo, lo, lo, False
    if prefer is Prefer.REMOTE:
        return r, r, r, False
    return lo, r, b, True


def _merge(local: Fields, remote: Fields, base: Fields, prefer: Prefer, same: Same) -> Decision:
    new_l: dict[str, str] = {}
    new_r: dict[str, str] = {}
    new_b: dict[str, str] = {}
    conflicts = []
    for name in _names(local, remote, base):
        lo, r, b = local.get(name), remote.get(name), base.get(name)
        lv, rv, bv, conflicted = merge_field(name, lo, r, b, prefer, same)
        _put(new_l, name, lv)
        _put(new_r, name, rv)
        _put(new_b, name, bv)
        if conflicted:
            conflicts.append(Conflict(name, lo or "", r or "", b or ""))
    local_op = Op.NONE if _equal(new_l, local, same) else Op.UPDATE
    remote_op = Op.NONE if _equal(new_r, remote, same) else Op.UPDATE
    rule = "unchanged" if local_op is remote_op is Op.NONE and not conflicts else "three-way merge"
    return Decision(rule, local_op, remote_op, new_l, new_r, new_b, tuple(conflicts))


def _link(local: Fields, remote: Fields, prefer: Prefer, same: Same) -> Decision:
    """Two copies never synced before (the same paper added on both sides): fill gaps."""
    merged: dict[str, str] = {}
    findings = []
    for name in _names(local, remote, {}):
        lo, r = local.get(name), remote.get(name)
        if lo is None or r is None or _same(name, lo, r, same):
            value = lo if lo is not None else r
        elif name in SET_FIELDS:
            value = _merge_sets(name, lo, r, None)
        else:
            value = r if prefer is Prefer.REMOTE else lo
            findings.append(Conflict(name, lo, r))
        _put(merged, name, value)
    local_op = Op.NONE if _equal(merged, local, same) else Op.UPDATE
    remote_op = Op.NONE if _equal(merged, remote, same) else Op.UPDATE
    return Decision("linked", local_op, remote_op, merged, merged, merged, (), tuple(findings))


@dataclass
class Guard:
    """Mass-deletion safety: how much of each side a sync may delete at once."""

    max_share: float = 0.2
    force: bool = False
    held: dict[str, int] = field(default_factory=dict)  # side -> deletions held back

    def allows(self, side: str, deletions: int, size: int) -> bool:
        if self.force or deletions == 0 or deletions <= self.max_share * size:
            return True
        self.held[side] = deletions
        return False


def _same(name: str, a: str | None, b: str | None, same: Same) -> bool:
    if a is None or b is None:
        return a is b
    return a == b or same(name, a, b)


def _equal(a: Fields, b: Fields, same: Same) -> bool:
    return all(_same(n, a.get(n), b.get(n), same) for n in _names(a, b, {}))


def _changes(now: Fields, base: Fields, same: Same) -> list[str]:
    return [n for n in _names(now, base, {}) if not _same(n, now.get(n), base.get(n), same)]


def _names(*maps: Fields) -> list[str]:
    seen: dict[str, None] = {}
    for m in maps:
        seen.update(dict.fromkeys(m))
    return list(seen)


def _put(target: dict[str, str], name: str, value: str | None) -> None:
    if value is not None:
        target[name] = value


def _tokens(name: str, value: str | None) -> list[str]:
    """The members of a list field: keywords split at commas and semicolons (a keyword may
    hold spaces: "to read", a Zotero tag), the other lists (topics, links) at blanks too."""
    if not value:
        return []
    inner = value[1:-1] if value.startswith("{") and value.endswith("}") else value
    if name == "keywords":
        from genbib.zotero.text import split_keywords

        return split_keywords(inner)
    return [t for t in inner.replace(",", " ").replace(";", " ").split() if t]


def _merge_sets(name: str, lo: str | None, r: str | None, b: str | None) -> str | None:
    """Both sides' additions and removals applied to the base set (order: first seen)."""
    lt, rt, bt = _tokens(name, lo), _tokens(name, r), _tokens(name, b)
    removed = (set(bt) - set(lt)) | (set(bt) - set(rt))
    out = [t for t in dict.fromkeys([*bt, *lt, *rt]) if t not in removed]
    if not out:
        return None
    if name == "keywords":
        from genbib.zotero.text import join_keywords

        return "{" + join_keywords(out) + "}"
    sep = ", " if "," in (lo or r or b or "") else " "
    return "{" + sep.join(out) + "}"
