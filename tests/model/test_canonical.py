"""The canonical form per kind (docs/guide/canonical.md): what each kind becomes, that
it is a fixed point, and that it never loses a value without saying so."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genbib.bibtex.reader import parse
from genbib.model.canonical import canonicalize, has_venue, is_preprint, spell_like
from genbib.model.entry import Entry


def _entry(text: str) -> Entry:
    (entry,) = parse(text, "t.bib").entries
    return entry


@pytest.mark.parametrize(
    ("text", "type_", "fields"),
    [
        # arXiv-only preprints, however they arrive: Google Scholar's @misc/@article with
        # journal, DBLP's CoRR, an @inproceedings with no booktitle, eprint alone.
        (
            "@misc{k, author={A}, title={T}, journal={arXiv preprint arXiv:2303.08797}, "
            "year={2023}, eprint={2303.08797}, archiveprefix={arXiv}, primaryclass={cs.LG}}",
            "misc",
            {"howpublished": "arXiv preprint arXiv:2303.08797", "eprint": "2303.08797",
             "archiveprefix": "arXiv", "primaryclass": "cs.LG", "journal": None},
        ),
        (
            "@article{k, author={A}, title={T}, journal={CoRR}, volume={abs/2006.11239}, "
            "year={2020}, url={https://arxiv.org/abs/2006.11239}}",
            "misc",
            {"howpublished": "arXiv preprint arXiv:2006.11239", "eprint": "2006.11239",
             "archiveprefix": "arXiv", "journal": None, "volume": None},
        ),
        (
            "@inproceedings{k, author={A}, title={T}, year={2021}, eprint={2105.05233}}",
            "misc",
            {"howpublished": "arXiv preprint arXiv:2105.05233", "archiveprefix": "arXiv"},
        ),
        (
            "@misc{k, author={A}, title={T}, howpublished={arXiv:2105.05233}, year={2021}}",
            "misc",
            {"howpublished": "arXiv preprint arXiv:2105.05233", "eprint": "2105.05233"},
        ),
        # Published papers keep their venue (an arXiv id beside it changes nothing).
        (
            "@inproceedings{k, author={A}, title={T}, booktitle={NeurIPS}, year={2020}, "
            "eprint={2006.11239}, archiveprefix={arXiv}}",
            "inproceedings",
            {"booktitle": "NeurIPS", "howpublished": None},
        ),
        (
            "@article{k, author={A}, title={T}, journaltitle={JMLR}, date={2020-05}}",
            "article",
            {"journal": "JMLR", "journaltitle": None, "year": "2020"},
        ),
        (
            "@thesis{k, author={A}, title={T}, institution={MIT}, type={Master's thesis}, year={2019}}",
            "mastersthesis",
            {"school": "MIT", "institution": None},
        ),
        ("@thesis{k, author={A}, title={T}, school={MIT}, year={2019}}", "phdthesis", {}),
        ("@report{k, author={A}, title={T}, institution={OpenAI}, year={2023}}", "techreport",
         {"institution": "OpenAI"}),
        ("@software{k, author={A}, title={T}, url={https://github.com/a/b}, year={2023}}", "misc",
         {"howpublished": "GitHub repository"}),
        ("@software{k, author={A}, title={T}, url={https://a.org}, year={2023}}", "misc",
         {"howpublished": "Software"}),
        ("@online{k, author={A}, title={T}, url={https://a.org/post}, year={2023}}", "misc",
         {"howpublished": "Web page"}),
        ("@misc{k, author={A}, title={T}, journal={Distill}, year={2023}}", "misc",
         {"howpublished": "Distill", "journal": None}),
        # No author nor editor: BibTeX needs a key to sort and label.
        ("@misc{k, title={Score Distillation}, howpublished={x}, year={2022}}", "misc",
         {"key": "Score Distillation"}),
    ],
)  # fmt: skip
def test_each_kind_gets_its_form(text: str, type_: str, fields: dict[str, str | None]) -> None:
    entry = _entry(text)
    changes = canonicalize(entry)
    assert entry.type == type_
    for name, value in fields.items():
        assert entry.get(name) == value, name
    assert has_venue(entry)
    assert canonicalize(entry) == []  # a fixed point
    if changes:
        assert all(c.key == "k" for c in changes)


def test_canonical_entries_are_left_alone() -> None:
    text = (
        "@misc{k, author={A}, title={T}, howpublished={arXiv preprint arXiv:2303.08797}, "
        "year={2023}, eprint={2303.08797}, archiveprefix={arXiv}, primaryclass={cs.LG}}"
    )
    entry = _entry(text)
    before = dict(entry.fields)
    assert canonicalize(entry) == []
    assert entry.fields == before


def test_a_moved_field_keeps_its_provenance() -> None:
    entry = _entry(
        "@misc{k, title={T}, journal={arXiv preprint arXiv:2303.08797}, eprint={2303.08797}, "
        "fieldsources={eprint=seed.bib; journal=seed.bib; title=seed.bib}}"
    )
    canonicalize(entry)
    assert entry.get("fieldsources") == "eprint=seed.bib; howpublished=seed.bib; title=seed.bib"


def test_changes_describe_each_edit() -> None:
    entry = _entry("@misc{k, title={T}, journal={arXiv preprint arXiv:2303.08797}}")
    lines = [c.describe() for c in canonicalize(entry)]
    assert lines[0] == "k: journal removed (was {arXiv preprint arXiv:2303.08797})"
    assert "k: howpublished = {arXiv preprint arXiv:2303.08797}" in lines


def test_a_thesis_on_arxiv_is_not_a_preprint() -> None:
    entry = _entry("@phdthesis{k, author={A}, title={T}, school={MIT}, eprint={2303.08797}}")
    assert not is_preprint(entry)
    assert canonicalize(entry) == []


_TYPES = st.sampled_from(
    ["misc", "article", "inproceedings", "online", "software", "thesis", "report", "book"]
)
_VALUES = st.sampled_from(
    ["arXiv preprint arXiv:2303.08797", "CoRR", "NeurIPS", "MIT", "2303.08797", "2020-05", ""]
)
_FIELDS = st.sampled_from(
    ["journal", "journaltitle", "booktitle", "howpublished", "eprint", "school",
     "institution", "date", "author", "url", "type"]
)  # fmt: skip


@given(_TYPES, st.dictionaries(_FIELDS, _VALUES, max_size=6))
def test_canonical_form_is_idempotent(type_: str, fields: dict[str, str]) -> None:
    entry = Entry(type_, "k", {n: "{" + v + "}" for n, v in fields.items() if v})
    entry.set("title", "T")
    canonicalize(entry)
    once = (entry.type, dict(entry.fields))
    assert canonicalize(entry) == []
    assert (entry.type, entry.fields) == once


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ("Durand, Élodie", "Durand, {\\'E}lodie"),
        ("Kowalski, Łukasz and Öztürk, Ömer", 'Kowalski, {\\L}ukasz and {\\"O}ztürk, {\\"O}mer'),
        ("Lefèvre, Jean-Élie", "Lefèvre, Jean-{\\'E}lie"),  # only word-initial letters
        ("{Études Group}", "{Études Group}"),  # inside braces: one unit for BibTeX already
        ("Zhang, 伟", "Zhang, 伟"),  # no LaTeX command for it: left as written
        ("Ho, Jonathan", "Ho, Jonathan"),
    ],
)
def test_non_ascii_initials_become_one_bibtex_letter(names: str, expected: str) -> None:
    entry = _entry(f"@misc{{k, author={{{names}}}, title={{T}}, howpublished={{x}}}}")
    canonicalize(entry)
    assert entry.get("author") == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("{Garc{\\'\\i}a, Jos{\\'e}}", "{Garc{\\'i}a, Jos{\\'e}}"),
        ("{Garc\\'{\\i}a, Jos{\\'e}}", "{Garc\\'{i}a, Jos{\\'e}}"),
        ("{Ji{\\v{r}}{\\'\\i} Esposito}", "{Ji{\\v{r}}{\\'i} Esposito}"),
        ('{Mu{\\"\\i}z}', '{Mu{\\"i}z}'),
        ("{\\'\\i a}", "{\\'\\i a}"),  # the space after \i is eaten by TeX: left alone
        ("{\\item}", "{\\item}"),
    ],
)
def test_accented_dotless_i_becomes_a_plain_accented_i(raw: str, expected: str) -> None:
    entry = Entry("misc", "k", {"author": raw, "title": "{T}", "howpublished": "{x}"})
    canonicalize(entry)
    assert entry.fields["author"] == expected


@pytest.mark.parametrize(
    ("title", "label"),
    [
        ("Score Distillation Sampling for Text-to-Image Generation", "Score Distillation Sampling"),
        ("alert(1) Raw HTML title", "alert 1 Raw"),  # a parenthesis breaks natbib's labels
        ("[Evil] \\input{/etc/passwd} {GAN}s", "Evil etc passwd"),
    ],
)
def test_the_sort_key_of_an_authorless_entry_is_a_safe_label(title: str, label: str) -> None:
    entry = Entry("misc", "k", {"title": "{" + title + "}", "howpublished": "{x}"})
    canonicalize(entry)
    assert entry.get("key") == label


# --- sameness: an entry and its canonical form are two spellings of one entry -----------


@given(_TYPES, st.dictionaries(_FIELDS, _VALUES, max_size=6))
def test_an_entry_and_its_canonical_form_spell_each_other(
    type_: str, fields: dict[str, str]
) -> None:
    """What the form derives is no difference: each side read against the other comes out
    as that other, byte for byte (a sync then writes nothing either way)."""
    entry = Entry(type_, "k", {n: "{" + v + "}" for n, v in fields.items() if v})
    entry.set("title", "T")
    canon = entry.copy()
    canonicalize(canon)
    for a, b in ((entry, canon), (canon, entry)):
        got = spell_like(a, b)
        assert (got.type, got.fields) == (b.type, b.fields)
    kept = spell_like(entry, canon)
    assert kept is not entry and entry.fields == {
        n: "{" + v + "}" for n, v in {**fields, "title": "T"}.items() if v
    }


def test_a_real_change_is_kept_and_can_follow_the_references_form() -> None:
    base = Entry("misc", "k", {"title": "{T}", "eprint": "{2303.08797}",
                               "archiveprefix": "{arXiv}"})  # fmt: skip
    canonical_base = base.copy()
    canonicalize(canonical_base)
    moved = Entry("misc", "k", {"title": "{T}", "eprint": "{2401.00001}",
                                "archiveprefix": "{arXiv}"})  # fmt: skip
    # against a base without howpublished: none (the base's form)
    assert "howpublished" not in spell_like(moved, base, follow_form=True).fields
    # against a canonical base: the canonical howpublished of the new id
    got = spell_like(moved, canonical_base, follow_form=True)
    assert got.get("howpublished") == "arXiv preprint arXiv:2401.00001"
    # without follow_form a changed value stays as the entry has it
    assert "howpublished" not in spell_like(moved, canonical_base).fields
    # a value that is no derived spelling is never touched
    own = canonical_base.copy()
    own.set("howpublished", "Workshop on Things")
    assert spell_like(own, canonical_base).get("howpublished") == "Workshop on Things"
