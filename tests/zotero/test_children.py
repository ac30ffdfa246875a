"""Child notes and attachments: what they give the bib, and which ones are genbib's."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from genbib.model.entry import Entry
from genbib.zotero.children import (
    GENBIB_TAG,
    Child,
    child_item,
    child_of,
    children,
    is_genbib,
    pdf_of,
    read_children,
)
from genbib.zotero.mapping import from_item

P = "PARENT01"
# What the Connector saves from an arXiv abstract page (the item 2012.09841).
ARXIV_PDF = {
    "itemType": "attachment", "parentItem": P, "linkMode": "imported_url",
    "title": "arXiv Fulltext PDF", "url": "http://arxiv.org/pdf/2012.09841v3",
    "contentType": "application/pdf", "filename": "Esser et al. - 2021 - Taming Transformers.pdf",
    "tags": [],
}  # fmt: skip
ARXIV_SNAPSHOT = {
    "itemType": "attachment", "parentItem": P, "linkMode": "imported_url",
    "title": "arXiv.org Snapshot", "url": "http://arxiv.org/abs/2012.09841", "contentType": "text/html",
    "tags": [],
}  # fmt: skip


def link(title: str, url: str, *, mine: bool = False, content: str = "") -> dict[str, object]:
    tags = [{"tag": GENBIB_TAG, "type": 1}] if mine else []
    return {"itemType": "attachment", "parentItem": P, "linkMode": "linked_url", "title": title,
            "url": url, "contentType": content, "tags": tags}  # fmt: skip


def test_a_pdf_attachment_gives_a_pdf_link_never_a_project_one() -> None:
    assert child_of(ARXIV_PDF) is None and child_of(ARXIV_SNAPSHOT) is None
    assert pdf_of(ARXIV_PDF) == Child("pdf", "http://arxiv.org/pdf/2012.09841v3")
    assert pdf_of(ARXIV_SNAPSHOT) is None
    # a linked PDF titled like one of genbib's links is still a PDF
    assert child_of(link("Project page", "https://x.org/paper.pdf")) is None
    assert pdf_of(link("Project page", "https://x.org/paper.pdf")) is not None
    stored = {**ARXIV_PDF, "linkMode": "imported_file", "url": ""}
    assert pdf_of(stored) is None  # a stored file without a web address: nothing
    item = {"itemType": "preprint", "title": "Taming Transformers", "archiveID": "arXiv:2012.09841"}
    entry = from_item(item, read_children([ARXIV_PDF, ARXIV_SNAPSHOT]))
    assert entry.get("pdf") == "http://arxiv.org/pdf/2012.09841v3"
    assert "project" not in entry.fields and "code" not in entry.fields


def test_members_links_are_read_but_not_owned() -> None:
    assert child_of(link("Project page", "https://a.github.io/b")) == Child(
        "project", "https://a.github.io/b", False
    )
    assert child_of(link("GitHub", "https://github.com/a/b")) == Child(
        "code", "https://github.com/a/b", False
    )
    # a bookmark that is no link field of the bib: left alone, not guessed a project page
    assert child_of(link("Semantic Scholar Link", "https://www.semanticscholar.org/p/1")) is None
    assert child_of(link("Code", "javascript:alert(1)")) is None
    assert child_of(link("Code", "https://github.com/a/b", mine=True)) == Child(
        "code", "https://github.com/a/b", True
    )


def test_genbib_marks_the_children_it_creates() -> None:
    entry = Entry(
        "misc", "k", {"code": "{https://github.com/a/b}", "annotation": "{Read \\& liked.}"}
    )
    made = [child_item(c, P) for c in children(entry)]
    assert all(is_genbib(m) for m in made)
    assert [child_of(m) for m in made] == [
        Child("code", "https://github.com/a/b", True),
        Child("note", "Read & liked.", True),
    ]


def test_the_annotation_is_genbibs_note_when_there_is_one() -> None:
    mine = child_item(Child("note", "Our summary.", True), P)
    tldr = {"itemType": "note", "parentItem": P, "note": "[TLDR] A short summary.", "tags": []}
    item = {"itemType": "journalArticle", "title": "T"}
    assert from_item(item, read_children([tldr, mine])).get("annotation") == "Our summary."
    # a member's item with notes of its own: they are its annotation
    assert from_item(item, read_children([tldr])).get("annotation") == "[TLDR] A short summary."
    # a note in the trash gives nothing
    assert read_children([{**tldr, "deleted": 1}]) == []


def test_plan_changes_only_genbibs_children() -> None:
    from genbib.zotero.children import plan_children

    current = {
        "MEMBNOTE": Child("note", "[TLDR] x"),
        "MEMBLINK": Child("project", "https://a.github.io/b"),
        "MINELINK": Child("code", "https://github.com/old/repo", True),
        "MINENOTE": Child("note", "Old summary.", True),
    }
    want = [
        Child("project", "https://a.github.io/b", True),  # the member already has it
        Child("code", "https://github.com/new/repo", True),
        Child("note", "New summary.", True),
    ]
    plan = plan_children(want, current)
    assert plan.create == (Child("code", "https://github.com/new/repo", True),)
    assert plan.update == (("MINENOTE", Child("note", "New summary.", True)),)
    assert plan.delete == ("MINELINK",)
    # nothing wanted: only genbib's own children go, never the member's
    assert plan_children([], current).delete == ("MINELINK", "MINENOTE")
    assert not plan_children([Child("note", "[TLDR] x", True)], {"MEMBNOTE": current["MEMBNOTE"]})


ROLE = st.sampled_from(["code", "project", "note"])
VALUE = st.sampled_from(["a", "b", "c"])
CHILD = st.builds(Child, ROLE, VALUE, st.booleans())


@given(
    want=st.lists(CHILD, max_size=4),
    current=st.dictionaries(st.sampled_from(list("KLMNOP")), CHILD, max_size=5),
)
def test_plan_never_touches_a_members_child_and_gets_what_is_wanted(
    want: list[Child], current: dict[str, Child]
) -> None:
    from genbib.zotero.children import plan_children

    plan = plan_children(want, current)
    touched = {k for k, _ in plan.update} | set(plan.delete)
    assert all(current[k].owned for k in touched)
    after = {(c.role, c.value) for k, c in current.items() if k not in touched}
    after |= {(c.role, c.value) for _, c in plan.update} | {(c.role, c.value) for c in plan.create}
    assert {(c.role, c.value) for c in want} <= after
