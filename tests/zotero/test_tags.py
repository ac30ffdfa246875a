"""Zotero tags <-> keywords: manual tags two-way, automatic tags never lost or removed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from genbib.model.entry import Entry
from genbib.zotero.children import GENBIB_TAG
from genbib.zotero.mapping import from_item, to_item, update_item
from genbib.zotero.tags import entry_keywords, item_keywords, merge_tags
from genbib.zotero.text import join_keywords, normalize, split_keywords

ARXIV_TAGS = [
    {"tag": "Computer Science - Machine Learning", "type": 1},
    {"tag": "Statistics - Machine Learning", "type": 1},
    {"tag": "to-read"},
    {"tag": "diffusion", "type": 0},
]


def test_manual_tags_are_keywords_automatic_ones_only_when_asked() -> None:
    item = {"itemType": "preprint", "title": "T", "tags": ARXIV_TAGS}
    assert from_item(item).get("keywords") == "diffusion, to-read"
    both = from_item(item, automatic_tags=True).get("keywords")
    assert split_keywords(both or "") == [
        "Computer Science - Machine Learning", "diffusion", "Statistics - Machine Learning", "to-read"]  # fmt: skip
    assert item_keywords({"tags": [{"tag": GENBIB_TAG, "type": 1}, {"tag": 5}, "x"]}) == []


def test_a_tag_with_a_comma_stays_one_keyword() -> None:
    item = {"itemType": "book", "title": "T", "tags": [{"tag": "Smith, John"}, {"tag": "50% off"}]}
    entry = from_item(item)
    assert entry.get("keywords") == "50\\% off, {Smith, John}"
    assert entry_keywords(entry) == ["50% off", "Smith, John"]
    assert to_item(entry)["tags"] == [{"tag": "50% off"}, {"tag": "Smith, John"}]


def test_keywords_compare_as_sets_of_tags() -> None:
    assert normalize("keywords", "b, a") == normalize("keywords", "a; b")
    assert normalize("keywords", "machine learning") != normalize("keywords", "learning, machine")


def test_merge_removes_only_the_manual_tag_named() -> None:
    before = ["diffusion", "to-read"]
    tags = merge_tags(ARXIV_TAGS, before, ["diffusion", "gan"])
    assert tags == [ARXIV_TAGS[0], ARXIV_TAGS[1], ARXIV_TAGS[3], {"tag": "gan"}]
    assert merge_tags(ARXIV_TAGS, before, ["to-read", "diffusion"]) is None  # unchanged
    # removing a keyword that is an automatic tag (automatic_tags = true) removes nothing
    assert merge_tags(ARXIV_TAGS, ["Statistics - Machine Learning"], []) == ARXIV_TAGS


def test_update_sends_tags_only_when_keywords_change() -> None:
    before = Entry("misc", "k", {"title": "{T}", "keywords": "{diffusion, to-read}"})
    current = {**to_item(before), "tags": ARXIV_TAGS}
    retitled = Entry("misc", "k", {**before.fields, "title": "{U}"})
    assert "tags" not in update_item(retitled, before, current)
    dropped = Entry("misc", "k", {**before.fields, "keywords": "{diffusion}"})
    assert update_item(dropped, before, current)["tags"] == [
        ARXIV_TAGS[0], ARXIV_TAGS[1], ARXIV_TAGS[3]]  # fmt: skip


TAG = st.text(alphabet="abcXYZ -,;{}é", min_size=1, max_size=8).map(str.strip).filter(bool)
TAGS = st.lists(st.fixed_dictionaries({"tag": TAG, "type": st.sampled_from([0, 1])}), max_size=6)


@given(current=TAGS, before=st.lists(TAG, max_size=4), after=st.lists(TAG, max_size=4))
def test_merge_never_drops_what_it_was_not_told_to(
    current: list[dict[str, object]], before: list[str], after: list[str]
) -> None:
    """Automatic tags all stay; a manual tag goes only when its keyword was removed;
    every keyword of the bib is a tag afterwards."""
    out = merge_tags(current, before, after)

    def norm(words: list[str]) -> set[str]:
        return {" ".join(w.split()) for w in words}

    if out is None:
        assert norm(before) == norm(after)
        return
    names = [" ".join(str(t["tag"]).split()) for t in out]
    for tag in current:
        name = " ".join(str(tag["tag"]).split())
        if tag["type"] == 1 or name not in norm(before) - norm(after):
            assert tag in out
    assert norm(after) <= set(names)


@given(st.lists(TAG, max_size=5))
def test_keywords_split_what_join_wrote(words: list[str]) -> None:
    """Any tags (brace-free, as text_to_latex leaves them) survive join then split."""
    kept = [w.replace("{", "").replace("}", "").strip() for w in words]
    kept = [w for w in kept if w]
    assert split_keywords(join_keywords(kept)) == kept
