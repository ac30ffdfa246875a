"""The decision table, row by row, and the field-level three-way merge."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from genbib.sync.engine import DELETED, Guard, Op, Prefer, decide, merge_field

B = {"@type": "misc", "title": "{A}", "year": "{2020}", "topics": "{x, y}"}


def test_new_on_one_side_is_created_on_the_other() -> None:
    d = decide(B, None, None)
    assert (d.rule, d.local_op, d.remote_op, d.base) == ("new in bib", Op.NONE, Op.CREATE, B)
    d = decide(None, B, None)
    assert (d.local_op, d.remote_op, d.local) == (Op.CREATE, Op.NONE, B)


def test_unchanged_does_nothing() -> None:
    d = decide(B, B, B)
    assert (d.rule, d.local_op, d.remote_op, d.conflicts) == ("unchanged", Op.NONE, Op.NONE, ())


def test_one_side_edit_goes_to_the_other() -> None:
    local = {**B, "title": "{B}"}
    d = decide(local, B, B)
    assert (d.local_op, d.remote_op, d.remote) == (Op.NONE, Op.UPDATE, local)
    d = decide(B, local, B)
    assert (d.local_op, d.remote_op, d.local) == (Op.UPDATE, Op.NONE, local)


def test_different_fields_both_land() -> None:
    d = decide({**B, "title": "{L}"}, {**B, "year": "{2021}"}, B)
    assert d.local == d.remote == d.base == {**B, "title": "{L}", "year": "{2021}"}
    assert (d.local_op, d.remote_op) == (Op.UPDATE, Op.UPDATE)


def test_same_field_conflict_keeps_both_values() -> None:
    d = decide({**B, "title": "{L}"}, {**B, "title": "{R}"}, B)
    assert [(c.field, c.local, c.remote, c.base) for c in d.conflicts] == [
        ("title", "{L}", "{R}", "{A}")
    ]
    assert d.local is not None and d.local["title"] == "{L}"  # the bib keeps its value
    assert d.remote is not None and d.remote["title"] == "{R}"  # not pushed
    assert d.base is not None and d.base["title"] == "{A}"  # seen again next sync
    for prefer, want in ((Prefer.LOCAL, "{L}"), (Prefer.REMOTE, "{R}")):
        d = decide({**B, "title": "{L}"}, {**B, "title": "{R}"}, B, prefer=prefer)
        assert not d.conflicts and d.local == d.remote == d.base and d.base["title"] == want


def test_topic_sets_merge_instead_of_conflicting() -> None:
    d = decide({**B, "topics": "{x, y, z}"}, {**B, "topics": "{y}"}, B)
    assert not d.conflicts and d.local is not None and d.local["topics"] == "{y, z}"


def test_deletions() -> None:
    assert decide(B, None, B).local_op is Op.DELETE  # deleted in Zotero, unchanged in bib
    assert decide(None, B, B).remote_op is Op.DELETE  # deleted in bib, unchanged in Zotero
    edited = {**B, "title": "{E}"}
    d = decide(edited, None, B)  # deleted in Zotero, edited in bib: kept, re-created
    assert (d.local_op, d.remote_op) == (Op.NONE, Op.CREATE)
    assert [(c.field, c.remote) for c in d.conflicts] == [("title", DELETED)]
    d = decide(None, edited, B)
    assert (d.local_op, d.remote_op, d.local) == (Op.CREATE, Op.NONE, edited)
    assert decide(None, edited, B, prefer=Prefer.LOCAL).remote_op is Op.DELETE
    assert decide(edited, None, B, prefer=Prefer.REMOTE).local_op is Op.DELETE
    assert decide(None, None, B).base is None


def test_linking_fills_gaps_and_reports_differences() -> None:
    d = decide(
        {"@type": "misc", "title": "{A}"},
        {"@type": "misc", "title": "{a}", "doi": "{10.1/x}"},
        None,
    )
    assert d.rule == "linked" and d.local == {"@type": "misc", "title": "{A}", "doi": "{10.1/x}"}
    assert [f.field for f in d.findings] == ["title"]


def test_guard() -> None:
    g = Guard(0.2)
    assert g.allows("bib", 2, 10) and not g.allows("bib", 3, 10) and g.held == {"bib": 3}
    assert Guard(0.2, force=True).allows("bib", 10, 10)


values = st.one_of(st.none(), st.sampled_from(["{a}", "{b}", "{c}"]))


@given(values, values, values)
def test_merge_field_never_loses_a_change(lo: str | None, r: str | None, b: str | None) -> None:
    lv, rv, bv, conflicted = merge_field("title", lo, r, b, Prefer.NONE)
    if conflicted:
        assert (lv, rv, bv) == (lo, r, b)  # both kept, base unchanged
    else:
        assert lv == rv == bv
        if lo != b:
            assert lv == lo  # a local change always survives a clean merge
        if r != b:
            assert lv == r or lo != b


def test_keywords_merge_as_whole_keywords_not_words() -> None:
    """A keyword may hold spaces (a Zotero tag "to read"): the three-way set merge splits
    keywords at commas only, so both sides' additions land whole."""
    from genbib.sync.engine import merge_field

    base, local, remote = "{to read}", "{to read, deep learning}", "{to read, score based models}"
    bib, zotero, agreed, conflicted = merge_field("keywords", local, remote, base, Prefer.NONE)
    assert bib == zotero == agreed == "{to read, deep learning, score based models}"
    assert not conflicted
    removed = merge_field(
        "keywords",
        "{deep learning}",
        "{to read, deep learning}",
        "{to read, deep learning}",
        Prefer.NONE,
    )
    assert removed[0] == "{deep learning}"
