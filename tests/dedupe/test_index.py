"""MatchIndex: the lookup importers, enrichment and sync use for each incoming entry."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from genbib.dedupe import MatchIndex
from genbib.dedupe.index import _typo_keys
from genbib.dedupe.normalize import family_names, proceedings_id, title_keys, title_tokens
from genbib.dedupe.plan import _content_key, _content_sorted
from genbib.model.entry import Entry

DDPM = "@inproceedings{ho2020denoising, author = {Ho, Jonathan and Jain, Ajay}, title = {Denoising Diffusion Probabilistic Models}, year = 2020, eprint = {2006.11239}, code = {https://github.com/hojonathanho/diffusion}}"
VAR = "@misc{tian2024visual, title = {Visual Autoregressive Modeling: Scalable Image Generation via Next-Scale Prediction}, code = {https://github.com/FoundationVision/VAR}}"


def test_add_find_discard(one: Callable[[str], Entry]) -> None:
    ddpm = one(DDPM)
    idx = MatchIndex()
    probe = one(
        "@misc{x, title = {Denoising diffusion probabilistic models}, url = {https://arxiv.org/pdf/2006.11239v2.pdf}}"
    )
    assert idx.find(probe) is None
    idx.add(ddpm)
    assert len(idx) == 1 and ddpm in idx
    m = idx.find(probe)
    assert m is not None and m.entry is ddpm and m.reasons[0].code == "arxiv"
    idx.discard(ddpm)
    idx.discard(ddpm)  # twice is fine
    assert idx.find(probe) is None and len(idx) == 0


def test_readding_a_changed_entry_reindexes_it(one: Callable[[str], Entry]) -> None:
    e = one("@misc{a, title = {Some Title Here}}")
    idx = MatchIndex([e])
    e.set("title", "Flow Matching for Generative Modeling")
    idx.add(e)
    assert idx.find(one("@misc{b, title = {Some Title Here}}")) is None
    assert idx.find(one("@misc{b, title = {Flow matching for generative modeling}}")) is not None


def test_a_reindexed_entry_keeps_its_place_among_equal_matches(
    one: Callable[[str], Entry],
) -> None:
    """Ties between equally strong matches go to the entry indexed first, even after it
    was changed and indexed again (sync's match pools rely on it)."""
    first = one("@misc{f, title = {Denoising Diffusion Probabilistic Models}}")
    second = one("@misc{s, title = {Denoising Diffusion Probabilistic Models}}")
    idx = MatchIndex([first, second])
    first.set("note", "changed by a merge")
    idx.add(first)
    m = idx.find(one("@misc{p, title = {Denoising diffusion probabilistic models}}"))
    assert m is not None and m.entry is first
    idx.discard(first)
    idx.add(first)  # forgotten, then added: a new member, last
    m = idx.find(one("@misc{p, title = {Denoising diffusion probabilistic models}}"))
    assert m is not None and m.entry is second


def test_find_does_not_return_the_entry_itself(one: Callable[[str], Entry]) -> None:
    e = one(DDPM)
    assert MatchIndex([e]).find(e) is None


def test_find_prefers_the_strongest_evidence(one: Callable[[str], Entry]) -> None:
    by_title = one(
        "@misc{t, author = {Ho, Jonathan}, title = {Denoising Diffusion Probabilistic Models}, year = 2020}"
    )
    by_id = one(
        "@misc{i, title = {Denoising Diffusion Probabilistic Models}, eprint = {2006.11239}}"
    )
    m = MatchIndex([by_title, by_id]).find(one(DDPM))
    assert m is not None and m.entry is by_id


def test_generic_title_fitting_two_different_papers_is_not_guessed(
    one: Callable[[str], Entry],
) -> None:
    lecun = one(
        "@article{lecun2015, author = {LeCun, Yann}, title = {Deep Learning}, journal = {Nature}, year = 2015}"
    )
    goodfellow = one(
        "@book{goodfellow2016, author = {Goodfellow, Ian}, title = {Deep Learning}, publisher = {MIT Press}, year = 2016}"
    )
    assert MatchIndex([lecun, goodfellow]).find(one("@misc{x, title = {Deep learning}}")) is None
    assert MatchIndex([lecun]).find(one("@misc{x, title = {Deep learning}}")) is not None


def test_contradictions_are_findings(one: Callable[[str], Entry]) -> None:
    ddpm, var = one(DDPM), one(VAR)
    idx = MatchIndex([ddpm, var])
    wrong_link = one(
        "@misc{clip, title = {DiffusionCLIP: Text-Guided Diffusion Models for Robust Image Manipulation}, url = {https://arxiv.org/abs/2006.11239}}"
    )
    (p,) = idx.contradictions(wrong_link)
    assert (
        p.code == "dedupe-contradiction"
        and p.key == "clip"
        and "arXiv id 2006.11239 on different titles" in p.message
    )
    assert idx.find(wrong_link) is None
    sde = one(
        "@misc{sde, title = {Score-Based Generative Modeling through Stochastic Differential Equations}, code = {https://github.com/FoundationVision/VAR}}"
    )
    (p,) = idx.contradictions(sde)
    assert (
        "github.com/foundationvision/var on unrelated papers" in p.message
        and "tian2024visual" in p.message
    )
    # a true duplicate is no contradiction
    assert (
        idx.contradictions(
            one(
                "@misc{x, title = {Denoising Diffusion Probabilistic Models}, eprint = {2006.11239}}"
            )
        )
        == []
    )


def test_normal_forms() -> None:
    assert (
        title_tokens(r"Schr{\"o}dinger {B}ridges")
        == title_tokens("Schrödinger bridges")
        == ("schrodinger", "bridge")
    )
    assert title_tokens(r"{\'E}cole \& {\L}{\'o}d{\'z}") == ("ecole", "lodz")
    assert title_keys("DiT: Scalable Diffusion Models with Transformers")[1] == (
        "scalablediffusionmodelwithtransformer",
    )
    assert title_keys("Auto-Encoding Variational Bayes (VAE)")[1] == (
        "autoencodingvariationalbaye",
    )
    assert title_keys("Consistency Models") == ("consistencymodel", ())
    assert family_names("Ho, Jonathan and Jonathan Ho and J. Ho and others") == ("ho", "ho", "ho")
    assert family_names(r"van den Oord, A{\"a}ron and Aäron van den Oord and Smith, Jr., John") == (
        "oord",
        "oord",
        "smith",
    )
    assert proceedings_id(
        "https://proceedings.neurips.cc/paper/2020/file/4c5bcfec8584af0d967f1ab10179ca4b-Paper.pdf"
    ) == proceedings_id(
        "https://proceedings.neurips.cc/paper_files/paper/2020/hash/4c5bcfec8584af0d967f1ab10179ca4b-Abstract.html"
    )
    assert (
        proceedings_id("http://proceedings.mlr.press/v37/sohl-dickstein15.pdf")
        == proceedings_id("https://proceedings.mlr.press/v37/sohl-dickstein15.html")
        == "pmlr:v37/sohl-dickstein15"
    )
    assert proceedings_id("https://arxiv.org/abs/2006.11239") is None


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@st.composite
def _misspelt(draw: st.DrawFn) -> tuple[str, str]:
    """A word of five letters or more and one misspelling of it (see `match._typo`)."""
    word = draw(st.text(_LETTERS, min_size=5, max_size=16))
    kind = draw(st.sampled_from(["change", "add", "drop", "swap"]))
    i = draw(st.integers(0, len(word) - 1))
    c = draw(st.sampled_from(_LETTERS))
    if kind == "change":
        typo = word[:i] + c + word[i + 1 :]
    elif kind == "add":
        typo = word[:i] + c + word[i:]
    elif kind == "drop":
        typo = word[:i] + word[i + 1 :]
    else:
        i = min(i, len(word) - 2)
        typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word, typo


@given(
    _misspelt(),
    st.lists(st.sampled_from(["diffusion", "model", "video", "latent"]), min_size=2, max_size=4),
)
def test_one_misspelling_always_shares_a_typo_key(pair: tuple[str, str], rest: list[str]) -> None:
    """The blocking guarantee the typo keys rest on: whatever the edit and wherever it
    falls, a title with one misspelt long word meets the right one."""
    word, typo = pair
    if len(typo) < 5 or typo == word:
        return  # not a misspelling `match._typo` accepts
    a = tuple(sorted([*rest, word]))
    b = tuple(sorted([*rest, typo]))
    assert set(_typo_keys(a)) & set(_typo_keys(b))


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]), st.sampled_from(["x", "y"]), st.text(max_size=3)
        ),
        max_size=12,
    )
)
def test_content_sort_is_the_full_content_order(specs: list[tuple[str, str, str]]) -> None:
    entries = [Entry("article", key, {"title": "{" + t + "}"}) for key, t, _ in specs]
    for e, (_, _, note) in zip(entries, specs, strict=True):
        if note:
            e.fields["note"] = "{" + note + "}"
    assert [id(e) for e in _content_sorted(entries)] == [
        id(e) for e in sorted(entries, key=_content_key)
    ]


# Titles from few words, some misspelt, many sharing all words but one: the cases where
# bag-of-words and typo keys decide which entries are compared (and where posting caps bite).
_WORDS = ["diffusion", "models", "latent", "video", "flow", "matching", "scalable", "image",
          "transformers", "of", "the", "2"]  # fmt: skip
_TYPOS = {
    "diffusion": "diffusoin",
    "matching": "matchign",
    "scalable": "scalabel",
    "video": "videos",
}


def _titled(i: int, words: list[str], year: int | None) -> Entry:
    e = Entry("misc", f"k{i}")
    e.set("title", " ".join(words))
    e.set("year", str(year) if year else None)
    return e


_TITLE = st.lists(st.sampled_from(_WORDS), min_size=2, max_size=6)


_EDIT = st.tuples(
    st.integers(0, 39),  # which member
    st.integers(0, 5),  # which word
    st.sampled_from(["typo", "swap", "drop"]),
    st.sampled_from(_WORDS),  # the word swapped in
    st.sampled_from([None, 2020]),
)


@given(
    members=st.lists(
        st.tuples(_TITLE, st.sampled_from([None, 2020, 2023])), min_size=1, max_size=12
    ),
    # a look-up: a member's title with a word misspelt, swapped for another, or dropped
    edits=st.lists(_EDIT, min_size=1, max_size=12),
    known=st.integers(0, 12),
)
def test_a_vocabulary_changes_no_answer(
    members: list[tuple[list[str], int | None]],
    edits: list[tuple[int, int, str, str, int | None]],
    known: int,
) -> None:
    """With the title words of the look-ups to come (or of only some of them: a look-up
    with other words completes the index first), every answer is the one the index gives
    without a vocabulary: the same candidates in the same order, the same match."""
    library = [_titled(i, w, y) for i, (w, y) in enumerate(members)]
    probes = []
    for n, (m, at, how, word, year) in enumerate(edits):
        words = list(members[m % len(members)][0])
        at %= len(words)
        if how == "typo":
            words[at] = _TYPOS.get(words[at], word)
        elif how == "swap":
            words[at] = word
        elif len(words) > 1:
            del words[at]
        probes.append(_titled(100 + n, words, year))
    vocabulary = {t for p in probes[:known] for t in title_tokens(p.title)}
    full, pruned = MatchIndex(library), MatchIndex(library, vocabulary)
    for p in probes:
        assert pruned.candidates(p) == full.candidates(p)
        a, b = full.find(p), pruned.find(p)
        assert (a and a.entry) is (b and b.entry)
        if a is None:  # a new paper is filed in both, as the admitter does
            full.add(p)
            pruned.add(p)
        else:  # a merged member is re-filed (discarded, then filed again)
            a.entry.set("note", "merged")
            full.add(a.entry)
            pruned.add(a.entry)
