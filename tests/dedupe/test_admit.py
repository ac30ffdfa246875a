"""The one way in (`genbib.dedupe.admit`): match, merge, add; the retired record; keys.

Properties: whatever sequence of imports, deletions and completed metadata a library
goes through, no citation key ever names two papers; and admitting a paper again
changes nothing.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from genbib.bibtex.keys import is_provisional
from genbib.bibtex.rekey import upgrade_keys
from genbib.bibtex.retired import note
from genbib.dedupe.admit import Admitter, Outcome
from genbib.dedupe.recognize import RetiredIndex
from genbib.model.entry import Entry
from genbib.model.library import Library

FORMULA = "{author}{year}{title}"
# Distinct papers; several share a key stem (ho2020denoising...), two share a title.
PAPERS = [
    ("Denoising Diffusion Probabilistic Models", "Ho, Jonathan", 2020, "2006.11239"),
    ("Denoising Score Matching Revisited", "Ho, Jonathan", 2020, "2001.00001"),
    ("Denoising Bridges for Everything", "Ho, Jonathan", 2020, None),
    ("Consistency Models", "Song, Yang", 2023, "2303.01469"),
    ("Improved Techniques for Training Consistency Models", "Song, Yang", 2023, "2310.14189"),
    ("Flow Matching for Generative Modeling", "Lipman, Yaron", 2022, "2210.02747"),
]


def paper(i: int, *, author: bool = True, year: bool = True) -> Entry:
    title, who, when, arxiv = PAPERS[i]
    e = Entry("misc", "", file="list.md", line=i + 1)
    e.set("title", title)
    if author:
        e.set("author", who)
    if year:
        e.set("year", str(when))
    if arxiv:
        e.set("eprint", arxiv)
        e.set("archiveprefix", "arXiv")
    return e


def admit(lib: Library, entry: Entry, **kw: bool) -> Outcome:
    admitter = Admitter(lib, **kw)
    outcome = admitter.admit(entry).outcome
    admitter.assign_keys(FORMULA)
    return outcome


def test_a_paper_without_author_gets_a_provisional_key_then_its_final_one() -> None:
    lib = Library()
    assert admit(lib, paper(0, author=False)) is Outcome.ADDED
    (e,) = lib.entries
    assert e.key == "anon2020denoising" and is_provisional(e)
    assert admit(lib, paper(0)) is Outcome.MERGED  # the author arrives (sync, add, import)
    (found,) = upgrade_keys(lib, FORMULA, cited=set())
    assert found.code == "key-final"
    assert e.key == "ho2020denoising" and e.aliases == ["anon2020denoising"]
    assert "anon2020denoising" in lib.retired and not is_provisional(e)


def test_retired_papers_are_recognised_by_id_then_title() -> None:
    record = {
        "ho2020denoising": note(paper(0)),  # with its arXiv id
        "song2023consistency": "Consistency Models (2023)",  # an old note: title only
        "lipman2022flow": "Flow Matching for Generative Modeling (2022); arXiv:2210.02747",
    }
    long = Entry("misc", "")
    long.set("title", "Scaling Laws " + " ".join(["for Generative Diffusion Models"] * 4))
    record["long"] = note(long)
    assert record["long"].endswith("...")  # cut at the note's length limit
    index = RetiredIndex(record)
    assert index.find(paper(0)) == ("ho2020denoising", "same arXiv 2006.11239")
    untitled = paper(0)
    untitled.set("title", "DDPM")
    assert index.find(untitled) == ("ho2020denoising", "same arXiv 2006.11239")
    assert index.find(paper(3)) == ("song2023consistency", "same title")
    other = paper(5)  # the same title, another arXiv id: another paper
    other.set("eprint", "2401.00001")
    assert index.find(other) is None
    assert index.find(long) == ("long", "same title")
    assert RetiredIndex(record, in_use={"ho2020denoising"}).find(paper(0)) is None


def test_revive_brings_the_paper_back_under_its_key() -> None:
    lib = Library(retired={"ho2020denoising": note(paper(0))})
    assert admit(lib, paper(0)) is Outcome.RETIRED and not lib.entries
    assert admit(lib, paper(0, author=False), revive=True) is Outcome.REVIVED
    (e,) = lib.entries
    assert e.key == "ho2020denoising" and not is_provisional(e)


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("admit"), st.integers(0, len(PAPERS) - 1), st.booleans(), st.booleans()),
        st.tuples(st.just("delete"), st.integers(0, len(PAPERS) - 1)),
        st.tuples(st.just("complete"), st.integers(0, len(PAPERS) - 1)),
        st.tuples(st.just("revive"), st.integers(0, len(PAPERS) - 1)),
    ),
    max_size=25,
)


def _paper_of(e: Entry) -> int:
    return next(i for i, p in enumerate(PAPERS) if p[0] == e.title)


def _retire(lib: Library, e: Entry) -> None:
    """What `store.edit` does when a paper leaves the bib: its keys are retired."""
    lib.remove(e.key)
    for k in (e.key, *e.aliases):
        lib.retired.setdefault(k, note(e))


@settings(max_examples=150, deadline=None)
@given(OPS)
def test_no_key_ever_names_two_papers(ops: list[tuple]) -> None:
    lib = Library()
    owner: dict[str, int] = {}  # every key or alias ever given -> the paper it named
    for op in ops:
        kind, i = op[0], op[1]
        present = [e for e in lib if _paper_of(e) == i]
        if kind == "admit":
            admit(lib, paper(i, author=op[2], year=op[3]))
        elif kind == "revive":
            admit(lib, paper(i), revive=True)
        elif kind == "delete" and present:
            _retire(lib, present[0])
        elif kind == "complete" and present:
            admit(lib, paper(i))
            upgrade_keys(lib, FORMULA, cited=set())
        keys = [k.casefold() for e in lib for k in (e.key, *e.aliases)]
        assert len(keys) == len(set(keys))  # nothing shared between entries
        assert len({_paper_of(e) for e in lib}) == len(lib)  # each paper once
        for e in lib:
            for k in (e.key, *e.aliases):
                assert owner.setdefault(k.casefold(), _paper_of(e)) == _paper_of(e), k


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(PAPERS) - 1), st.booleans()), max_size=8))
def test_admitting_again_changes_nothing(batch: list[tuple[int, bool]]) -> None:
    lib = Library()
    for i, author in batch:
        admit(lib, paper(i, author=author))
    before = [(e.key, dict(e.fields)) for e in lib]
    for i, author in batch:
        assert admit(lib, paper(i, author=author)) is Outcome.MERGED
    assert [(e.key, dict(e.fields)) for e in lib] == before


def test_a_deleted_paper_comes_back_under_its_final_key_not_its_provisional_one() -> None:
    lib = Library()
    admit(lib, paper(0, author=False))
    admit(lib, paper(0))
    upgrade_keys(lib, FORMULA, cited=set())
    assert lib.retired["anon2020denoising"].startswith("provisional, now ho2020denoising: ")
    _retire(lib, lib.entries[0])
    assert admit(lib, paper(0)) is Outcome.RETIRED
    assert admit(lib, paper(0), revive=True) is Outcome.REVIVED
    assert [e.key for e in lib] == ["ho2020denoising"]


def test_a_merged_entry_is_refiled_under_its_new_title_and_only_it_moves() -> None:
    """Re-adding a changed entry moves it (by identity) from its old arXiv id and title
    key to its new ones; an entry equal to it in every field stays where it was. The
    fallbacks (`recognize._fallback`) read these through `with_arxiv` and `with_title`."""
    from genbib.dedupe.index import MatchIndex
    from genbib.dedupe.normalize import title_keys

    lib = Library()
    a, twin = paper(0), paper(0)  # equal values, two objects
    lib.add(a)
    lib.add(twin)
    index = MatchIndex(lib.entries)
    old = title_keys(a.title)[0]
    assert [x is a for x in index.with_title(old)] == [True, False]
    index.discard(a)
    a.set("title", "Denoising Diffusion Probabilistic Models Revisited")
    a.set("eprint", "2001.00002")
    index.add(a)
    assert [x is twin for x in index.with_title(old)] == [True]
    assert [x is twin for x in index.with_arxiv("2006.11239")] == [True]
    assert [x is a for x in index.with_arxiv("2001.00002")] == [True]
    assert [x is a for x in index.with_title(title_keys(a.title)[0])] == [True]
    assert index.with_arxiv("2101.99999") == [] and index.with_title("nosuchtitle") == []
