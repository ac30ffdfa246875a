"""Inputs the fuzzers found that crashed genbib or let something unsafe through; each is
now a fixed case (fixes named in SECURITY.md)."""

from __future__ import annotations

import json

import pytest
import targets

from genbib.model.identifiers import is_http_url
from genbib.zotero.mapping import citation_key


def test_markdown_title_with_shell_escape_is_inert_in_the_bib() -> None:
    # hypothesis: a table cell `\write18{...}` reached the bib's title verbatim.
    lib = targets.import_target(
        "# Diffusion\n| Date | Venue | Paper | Code |\n| --- | --- | --- | --- |\n"
        "| [](]() |  | \\write18{touch /tmp/pwned} ^^5cinput{/etc/passwd} |"
    )
    assert lib.entries and "\\textbackslash{}write18" in lib.entries[0].fields["title"]


@pytest.mark.parametrize(
    "item",
    [
        {"itemType": "journalArticle", "DOI": "\\write18{touch /tmp/pwned}\x1f0"},  # verbatim field
        {"itemType": "preprint", "citationKey": "\\write18"},  # key broke `@misc{key,`
        {"itemType": "webpage", "url": "http://\\write18{touch /tmp/pwned}"},  # "URL" with LaTeX
        {"itemType": "document", "extra": "Citation Key: a b}"},
    ],
)
def test_zotero_items_found_by_fuzzing(item: dict[str, object]) -> None:
    targets.zotero_target(item, [])


@pytest.mark.parametrize(
    "items",
    [
        [{"itemType": "book", "creators": None}],  # AttributeError escaped the importer
        [{"itemType": "book", "title": True}],
        [{"itemType": "book", "extra": 5}],
        [{"data": 5, "key": "X"}],
    ],
)
def test_zotero_json_with_wrong_types_gives_problems(items: list[object]) -> None:
    targets.zotero_json_target(json.dumps(items))


def test_unsafe_keys_and_urls_are_refused() -> None:
    assert citation_key({"citationKey": "ok:key-1"}) == "ok:key-1"
    assert citation_key({"citationKey": "bad}key"}) == ""
    assert not is_http_url("http://\\input{/etc/passwd}.org/")
    assert not is_http_url("https://a.org/\u202e")
    assert is_http_url("https://arxiv.org/abs/2006.11239v2?x=1#y")


def test_bib_with_malformed_ipv6_url_is_checked_not_crashed() -> None:
    # atheris found it: urlsplit raises ValueError("Invalid IPv6 URL") on "http://[x".
    assert not is_http_url("http://[::1/paper")
    targets.bib_target(b"@misc{k,\n  title = {T},\n  url = {http://[::1/paper},\n}\n")


def test_unparsed_block_followed_by_text_after_reordering() -> None:
    # atheris found it: after sorting, free text follows an unparsed block, and reading
    # the output back puts that text inside the block; nothing is lost, nothing moves.
    targets.bib_target(b"@i{\n@t(e),@i{}")


def test_free_text_never_completes_an_unparsed_block() -> None:
    # atheris found it: after sorting, ",t={}}" followed the unparsed "@i{,r={{}}" and the
    # two read back as one valid entry. Unparsed blocks now follow the text they travel with.
    targets.bib_target(b"@i{,r={{}}\n@s{m},t={}}@c{}")


@pytest.mark.parametrize(
    "items",
    [
        # hypothesis found it in a nested run: a note whose text is a number
        [{"itemType": "note", "note": 1, "title": None, "parentItem": True}],
        [{"itemType": "attachment", "linkMode": "linked_url", "url": 5, "parentItem": "X"}],
        [{"itemType": "book", "title": "T", "citationKey": 7, "extra": ["x"]}],
    ],
)
def test_zotero_children_with_wrong_types(items: list[object]) -> None:
    targets.zotero_json_target(json.dumps(items))
