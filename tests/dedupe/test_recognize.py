"""Recognition (`genbib.dedupe.recognize`): the one answer to "which paper is this?" that
import, `genbib add` and sync share: the dedupe engine, its two fallbacks, the retired
record; and the pool that follows its members as papers arrive."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genbib.bibtex.retired import note
from genbib.dedupe.admit import Admitter, Outcome
from genbib.dedupe.recognize import Recognizer, SyncMatcher
from genbib.model.entry import Entry
from genbib.model.library import Library
from genbib.sync.engine import Op
from genbib.sync.memory import MemoryRemote
from genbib.sync.session import run
from genbib.sync.state import State


def entry(key: str, title: str, arxiv: str | None = None, year: int = 2024, **more: str) -> Entry:
    e = Entry("misc", key, file="list.md", line=7)
    e.set("title", title)
    e.set("author", more.pop("author", "Ma, Qianli"))
    e.set("year", str(year))
    if arxiv:
        e.set("eprint", arxiv)
        e.set("archiveprefix", "arXiv")
        e.set("url", f"https://arxiv.org/abs/{arxiv}")
    for name, value in more.items():
        e.set(name, value)
    return e


CVPR = "Decouple-Then-Merge: Finetune Diffusion Models as Multi-Task Learning"
V1 = "DECOUPLE-THEN-MERGE: Towards Better Training for Diffusion Models"
SDE = "Score-Based Generative Modeling through Stochastic Differential Equations"


def test_the_engine_first_then_no_findings() -> None:
    bib = entry("ma2025decouple", CVPR, "2410.06664", 2025)
    found = Recognizer([bib]).recognize(entry("", CVPR.upper(), "2410.06664"))
    assert found.entry is bib and found.problems == []


def test_a_retitled_arxiv_version_is_the_paper_and_says_so() -> None:
    bib = entry("ma2025decouple", CVPR, "2410.06664", 2025)
    found = Recognizer([bib]).recognize(entry("", V1, "2410.06664"))
    assert found.entry is bib
    assert [p.code for p in found.problems] == ["I-retitled"]
    p = found.problems[0]
    assert (p.file, p.line, p.key) == ("list.md", 7, "ma2025decouple")


def test_a_copy_with_another_papers_arxiv_id_is_the_paper_without_that_link() -> None:
    bib = entry("song2021scorebased", SDE, "2011.13456", 2021, author="Song, Yang")
    copy = entry("", SDE, "2011.99999", 2021, author="Song, Yang")
    found = Recognizer([bib]).recognize(copy)
    assert found.entry is bib and [p.code for p in found.problems] == ["I-wrong-id"]
    assert not copy.get("eprint") and "2011.99999" not in (copy.get("url") or "")
    assert bib.get("eprint") == "2011.13456"  # the member is believed, and unchanged


def test_a_metadata_source_is_believed_over_the_member() -> None:
    bib = entry("song2021scorebased", SDE, "2011.99999", 2021, author="Song, Yang")
    meta = entry("", SDE, "2011.13456", 2021, author="Song, Yang")
    found = Recognizer([bib]).recognize(meta, metadata=True)
    assert found.entry is bib and bib.get("eprint") == "2011.13456"


def test_a_contradiction_is_reported_and_never_a_match() -> None:
    bib = entry("ho2020denoising", "Denoising Diffusion Probabilistic Models", "2006.11239")
    other = entry("", "Masked Autoencoders Are Scalable Vision Learners", "2006.11239")
    found = Recognizer([bib]).recognize(other)
    assert found.entry is None
    assert [p.code for p in found.problems] == ["dedupe-contradiction"]


def test_two_candidates_for_a_fallback_are_no_match() -> None:
    """A fallback takes a paper only when it is the one candidate: no guess between two."""
    a = entry("a", "DiT: Scalable Diffusion Models with Transformers", "2212.09748")
    b = entry("b", "DiT: Another Title Entirely for the Same Id", "2212.09748")
    found = Recognizer([a, b]).recognize(entry("", "DiT: Third Title of It", "2212.09748"))
    assert found.entry is None


def test_the_pool_follows_its_members() -> None:
    bib = entry("ma2025decouple", CVPR, "2410.06664", 2025)
    pool = SyncMatcher().pool([])
    assert pool.find(entry("", V1, "2410.06664")) == (None, [])
    pool.add(bib)
    assert pool.find(entry("", V1, "2410.06664"))[0] is bib
    bib.set("title", "Decouple Everything")  # changed (a merge): re-filed under its new title
    pool.add(bib)
    assert pool.find(entry("", "Decouple Everything", None, 2025))[0] is bib
    pool.discard(bib)
    assert pool.find(entry("", "Decouple Everything", None, 2025)) == (None, [])


def test_the_retired_screen() -> None:
    gone = entry("ma2025decouple", CVPR, "2410.06664", 2025)
    record = {"ma2025decouple": note(gone), "kept2020": note(entry("kept2020", SDE, "2011.13456"))}
    screen = SyncMatcher().retired(record, in_use=["kept2020"])
    assert screen(entry("", V1, "2410.06664")) == ("ma2025decouple", "same arXiv 2410.06664")
    assert screen(entry("", SDE, "2011.13456")) is None  # a key in use: its paper lives


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3), st.booleans()), min_size=1),
)
def test_the_admission_and_sync_recognise_the_same_paper(
    arrivals: list[tuple[int, int, bool]],
) -> None:
    """Whatever the library holds, a paper arriving is taken for the same entry by the
    admitter (import, add) and by sync's pool over the same entries."""
    titles = [CVPR, V1, SDE, "Consistency Models", "Consistency Models Revisited", "Deep Learning"]
    ids = ["2410.06664", "2011.13456", "2303.01469", None]
    lib = Library()
    for t, i, _ in arrivals[:-1]:
        Admitter(lib).admit(entry("", titles[t], ids[i]))
    t, i, upper = arrivals[-1]
    incoming = entry("", titles[t].upper() if upper else titles[t], ids[i])
    theirs = SyncMatcher().pool(lib.entries).find(incoming.copy())[0]
    admission = Admitter(lib).admit(incoming)
    if admission.outcome is Outcome.MERGED:
        assert theirs is admission.entry
    else:
        assert theirs is None


@pytest.mark.parametrize(
    ("title", "arxiv", "paired"),
    [
        (V1, "2410.06664", True),
        ("Masked Autoencoders Are Scalable Vision Learners", "2410.06664", False),
    ],
    ids=["retitled", "contradiction"],
)
def test_sync_pairs_a_retitled_item_and_reports_a_contradiction(
    title: str, arxiv: str, paired: bool
) -> None:
    """The engine over the in-memory remote: an item recognised by a fallback is merged
    into the known paper's item (trash, `into`); an item sharing its arXiv id with a bib
    paper of another title is reported and taken as a paper of its own, never merged."""
    lib = Library([], [], "t.bib")
    lib.add(entry("ma2025decouple", CVPR, "2410.06664", 2025))
    remote, state = MemoryRemote(), State()
    run(lib, remote, state, match=SyncMatcher())
    item = remote.add(
        {"@type": "misc", "title": "{" + title + "}", "eprint": "{" + arxiv + "}",
         "author": "{Ma, Qianli}", "year": "{2024}"}
    )  # fmt: skip
    result = run(lib, remote, state, match=SyncMatcher())
    codes = [p.code for p in result.problems]
    if paired:
        assert "I-retitled" in codes and "SYNC_DUPLICATE" in codes
        assert [e.key for e in lib] == ["ma2025decouple"] and remote.items[item].trashed
    else:
        assert "dedupe-contradiction" in codes and "SYNC_DUPLICATE" not in codes
        assert len(lib) == 2 and result.count("bib", Op.CREATE) == 1
        assert not remote.items[item].trashed
