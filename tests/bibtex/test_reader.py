"""The lossless reader on hand-written files: every syntax corner, with line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from genbib.bibtex.reader import decode, parse, read_file
from genbib.errors import InputError
from genbib.model import Comment, Entry, Malformed, Preamble, Severity, StringDef, Text
from genbib.model.values import plain


def test_syntax_corners_blocks_and_lines(corners: Path) -> None:
    lib = read_file(corners / "syntax.bib")
    assert lib.problems == []
    kinds = [(type(b).__name__, b.line) for b in lib.blocks]
    assert kinds == [
        ("Text", 1),
        ("StringDef", 4),
        ("StringDef", 5),
        ("StringDef", 6),
        ("Preamble", 8),
        ("Comment", 10),
        ("Comment", 11),
        ("Entry", 13),
        ("Text", 20),
        ("Entry", 24),
        ("Entry", 34),
        ("Entry", 39),
        ("Entry", 41),
    ]
    assert all(e.file == str(corners / "syntax.bib") for e in lib)


def test_strings_and_preamble_keep_references(corners: Path) -> None:
    lib = read_file(corners / "syntax.bib")
    strings = [b for b in lib.blocks if isinstance(b, StringDef)]
    assert [s.name for s in strings] == ["nips", "icml", "both"]
    assert strings[0].raw == '"Advances in Neural Information Processing Systems"'
    assert strings[2].raw == 'nips # " and " # icml'
    macros = lib.macros()
    assert macros["both"] == (
        "Advances in Neural Information Processing Systems and "
        "International Conference on Machine Learning"
    )
    (pre,) = [b for b in lib.blocks if isinstance(b, Preamble)]
    assert pre.raw == '"\\providecommand{\\noopsort}[1]{}" # " "'


def test_parenthesis_entry_concatenation_numbers_and_months(corners: Path) -> None:
    e = read_file(corners / "syntax.bib").by_key()["ho2020denoising"]
    assert e.type == "inproceedings"  # lower-cased type
    assert list(e.fields) == ["author", "title", "booktitle", "year", "month", "pages"]
    assert e.fields["booktitle"] == "nips # { 33}"  # macro stays a reference
    assert e.fields["year"] == "2020"  # bare number
    assert e.fields["month"] == "dec"  # month macro
    assert e.fields["author"] == '"Ho, Jonathan and Jain, Ajay and Abbeel, Pieter"'
    assert e.get("author") == "Ho, Jonathan and Jain, Ajay and Abbeel, Pieter"
    assert [n.last for n in e.names()] == ["Ho", "Jain", "Abbeel"]
    assert e.year == 2020
    macros = read_file(corners / "syntax.bib").macros()
    assert plain(e.fields["booktitle"], macros).endswith("Processing Systems 33")
    assert plain(e.fields["month"], macros) == "December"


def test_quoted_and_nested_braces_and_unknown_fields(corners: Path) -> None:
    lib = read_file(corners / "syntax.bib")
    e = lib.by_key()["song2021score"]
    assert e.get("note") == (
        'A quoted value with {"}quotes{"} and {nested {deeply {nested}}} braces'
    )
    assert e.get("x-custom-field") == "an unknown field keeps its value"
    assert "\n" in e.fields["author"]  # multi-line value kept as written
    assert len(e.names()) == 6


def test_unknown_type_odd_key_empty_entry_one_line_entry(corners: Path) -> None:
    by_key = read_file(corners / "syntax.bib").by_key()
    weird = by_key["weird:key/with.punct-1"]
    assert weird.type == "unknowntype"
    assert weird.fields == {"foo": "{bar}", "count": "42"}
    assert by_key["empty"].fields == {}
    one = by_key["rombach2022high"]
    assert one.fields["booktitle"] == "icml"
    assert one.fields["year"] == '"2022"'
    assert one.get("author") is not None and 'Bj{\\"o}rn' in one.get("author", "")


def test_comments_and_text_between_entries(corners: Path) -> None:
    lib = read_file(corners / "syntax.bib")
    comments = [b for b in lib.blocks if isinstance(b, Comment)]
    assert [c.text for c in comments] == [
        " A braced comment with {nested} braces ",
        "jabref-meta: databaseType:bibtex;",
    ]
    texts = [b.text for b in lib.blocks if isinstance(b, Text)]
    assert "someone@example.org" in texts[1]  # an @ in free text does not open a block
    assert texts[0].startswith("This file exercises")


def test_crlf_line_numbers(corners: Path) -> None:
    lib = read_file(corners / "crlf.bib")
    assert lib.problems == []
    assert [(e.key, e.line) for e in lib] == [("kingma2014auto", 1), ("crlf2", 7)]
    assert "\r" not in lib.by_key()["kingma2014auto"].fields["title"]


def test_bom_is_stripped(corners: Path) -> None:
    lib = read_file(corners / "bom.bib")
    assert lib.problems == []
    assert [(e.key, e.line) for e in lib] == [("bom1", 1)]


def test_latin1_is_decoded_with_a_warning(corners: Path) -> None:
    lib = read_file(corners / "latin1.bib")
    (p,) = lib.problems
    assert p.code == "E001-encoding"
    assert p.severity is Severity.WARNING
    assert p.line == 2 and p.file == str(corners / "latin1.bib")
    e = lib.by_key()["latin1"]
    assert e.get("author") == "Müller, Jürgen"
    assert e.title == "Café"


def test_mixed_utf8_and_latin1_keeps_the_utf8_text() -> None:
    text, problems = decode("Müller ".encode() + b"caf\xe9")
    assert text == "Müller café"
    assert [p.code for p in problems] == ["E001-encoding"]


def test_malformed_blocks_are_kept_and_the_rest_parses(corners: Path) -> None:
    path = corners / "malformed.bib"
    lib = read_file(path)
    assert [e.key for e in lib] == ["good1", "good2", "good3", "good1"]
    bad = [b for b in lib.blocks if isinstance(b, Malformed)]
    assert [(b.line, b.raw.splitlines()[0]) for b in bad] == [
        (5, "@article{broken1,"),
        (14, "@article{broken2, title = {x} junk here}"),
        (16, "@article{dupfield, title={One}, title={Two}}"),
    ]
    # every byte of the bad blocks is in the library, verbatim
    source = path.read_text()
    for b in bad:
        assert b.raw in source
    found = [(p.code, p.line, p.key) for p in lib.problems]
    assert found == [
        ("E002-parse", 5, "broken1"),
        ("E002-parse", 14, "broken2"),
        ("E004-duplicate-field", 16, "dupfield"),
        ("E003-duplicate-key", 17, "good1"),
    ]
    assert all(p.file == str(path) for p in lib.problems)
    assert "line 1" in lib.problems[3].message  # names the first use of the key


def test_duplicate_keys_are_both_kept() -> None:
    lib = parse("@misc{a, title={1}}\n@misc{a, title={2}}\n@misc{A, title={3}}\n")
    assert [e.title for e in lib] == ["1", "2", "3"]
    assert lib.by_key()["a"].title == "1"
    assert [(p.line, p.message) for p in lib.problems] == [
        (2, "key 'a' already used on line 1"),
        (3, "key 'A' already used on line 1 (as 'a')"),  # BibTeX ignores case
    ]


@pytest.mark.parametrize(
    ("text", "key", "fields"),
    [
        ("@article{k,title={x}}", "k", {"title": "{x}"}),
        ("@article{k, title = {x},}", "k", {"title": "{x}"}),
        ("@article { k , title = {x} }", "k", {"title": "{x}"}),
        ("@article\n{k,\n title\n=\n{x}\n}", "k", {"title": "{x}"}),
        ("@article(k, title = {a (b) c})", "k", {"title": "{a (b) c}"}),
        ("@article(k, note = x # y)", "k", {"note": "x # y"}),
        ('@article{k, title = "a {"} b"}', "k", {"title": '"a {"} b"'}),
        ("@article{k, TITLE = {x}}", "k", {"title": "{x}"}),
        ("@article{k, title = {}}", "k", {"title": "{}"}),
        ("@article{k}", "k", {}),
        ("@article{k,}", "k", {}),
        ("@article{K-Upper, a = 1 # {b} # c}", "K-Upper", {"a": "1 # {b} # c"}),
        ("@article{k, t = {é ü 漢字 🙂}}", "k", {"t": "{é ü 漢字 🙂}"}),
    ],
)
def test_entry_grammar(text: str, key: str, fields: dict[str, str]) -> None:
    lib = parse(text)
    assert lib.problems == []
    (entry,) = lib.entries
    assert isinstance(entry, Entry)
    assert entry.key == key
    assert entry.fields == fields


@pytest.mark.parametrize(
    "text",
    [
        "@article{k, title = {x}",  # not closed
        "@article{k, title = {x}}}\n",  # fine entry, stray brace after: text
        "@article{k title = {x}}",  # no comma after key
        "@article{k, title {x}}",  # no '='
        "@article{k, title = }",  # no value
        '@article{k, title = "x}',  # unterminated quote
        "@string{ = {x}}",
        "@preamble{ {x}",
    ],
)
def test_bad_blocks_never_raise_and_keep_text(text: str) -> None:
    lib = parse(text, "f.bib")
    kept = "".join(
        b.raw if isinstance(b, Malformed) else b.text if isinstance(b, Text) else ""
        for b in lib.blocks
    )
    if lib.entries:
        assert lib.entries[0].key == "k"
    else:
        assert text.strip() in kept
        assert lib.problems and lib.problems[0].line == 1 and lib.problems[0].file == "f.bib"


def test_unbraced_comment_is_the_rest_of_its_line() -> None:
    lib = parse("@comment{ not closed\n@misc{a, title={x}}\n")
    assert isinstance(lib.blocks[0], Comment) and not lib.blocks[0].braced
    assert [e.key for e in lib] == ["a"]


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_file(tmp_path / "missing.bib")
