"""The escaping filters: entry text is read out of LaTeX once, then made inert per target."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from genbib.render.escape import (
    badge_part,
    clean,
    md,
    md_url,
    safe_cite_key,
    safe_url,
    tex,
    tex_comment,
    to_text,
)

# Text a hostile list or API could hand us: markdown and LaTeX syntax, control and bidi
# characters, and Unicode from several scripts.
HOSTILE = st.lists(
    st.sampled_from(
        [
            *"|[]()<>!*_`~&$%#^{}\\/:=-+.1 aZé中ε🙂\u202e\u200b\x00\x07\n\r\t\u2028",
            *["\\input{x}", "\\write18{", "<script>", "](javascript:x)", "^^5c", "&lt;", "\\\\"],
        ]
    ),
    max_size=30,
).map("".join)
PARSER = MarkdownIt("commonmark").enable("table")


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ('Sch{\\"o}lkopf', "Schölkopf"),
        ("Diffusion Models Beat {GAN}s", "Diffusion Models Beat GANs"),
        ("\\emph{Not} all", "Not all"),
        ("$\\alpha$-VAE", "α-VAE"),
        ("100\\% \\& \\$5 a\\_b \\#1", "100% & $5 a_b #1"),
        ("50% faster, and more", "50% faster, and more"),  # a raw % is text in a bib field
        ("\\textless{}b\\textgreater{} a\\textbar{}b", "<b> a|b"),
        ("\\textbackslash{}input\\{x\\}", "\\input{x}"),
        ("line\nbreak\u2028and\ttab", "line break and tab"),
        ("bidi\u202eevil\u202c zero\u200bwidth", "bidievil zerowidth"),
        ("  spaced   out  ", "spaced out"),
        ("", ""),
    ],
)
def test_to_text(raw: str, text: str) -> None:
    assert to_text(raw) == text


def test_unknown_commands_stay_visible_as_text() -> None:
    assert to_text("\\input{/etc/passwd}").startswith("\\input")


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a | b", "a \\| b"),
        ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
        ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
        ("*bold* _it_ `code` ~~s~~", "\\*bold\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~"),
        ("$x$ &amp; #1 !", "\\$x\\$ \\&amp; \\#1 \\!"),
        ("- not a list", "\\- not a list"),
        ("1. not a list", "1\\. not a list"),
        ("a\\b", "a\\\\b"),
    ],
)
def test_md(text: str, escaped: str) -> None:
    assert md(text) == escaped


@given(HOSTILE)
def test_md_is_inert_and_loses_nothing(text: str) -> None:
    """In a table cell and alone on a line, md(text) parses back to exactly its text:
    no HTML, no link, no emphasis, no extra cell."""
    plain = clean(text)
    for doc in (f"| h |\n| - |\n| {md(text)} |\n", f"{md(text)}\n"):
        tokens = PARSER.parse(doc)
        if "tbody_open" in [t.type for t in tokens]:
            tokens = tokens[[t.type for t in tokens].index("tbody_open") :]
            assert [t.type for t in tokens].count("td_open") == 1  # no extra cell
        assert not [t for t in tokens if t.type in ("html_block", "bullet_list_open",
                                                   "ordered_list_open", "heading_open",
                                                   "hr", "code_block", "fence",
                                                   "blockquote_open")]  # fmt: skip
        children = [c for t in tokens if t.type == "inline" for c in (t.children or [])]
        assert {c.type for c in children} <= {"text", "softbreak"}, children
        shown = "".join(c.content for c in children if c.type == "text")
        assert shown == plain, (doc, shown, plain)


@pytest.mark.parametrize(
    ("url", "out"),
    [
        ("https://arxiv.org/abs/2006.11239", "https://arxiv.org/abs/2006.11239"),
        ("https://x.org/a?b=1&c=(2)|d", "https://x.org/a?b=1&c=%282%29%7Cd"),
        ("https://x.org/<script>", ""),  # is_http_url refuses < > " and the like
        ("javascript:alert(1)", ""),
        ("data:text/html;base64,PHNjcmlwdD4=", ""),
        ("file:///etc/passwd", ""),
        ("https://user:pw@evil.org/", ""),
        ("https://evil.org/\u202eexe.pdf", ""),
        ("//evil.org/x", ""),
        ("", ""),
    ],
)
def test_md_url(url: str, out: str) -> None:
    assert md_url(url) == out
    assert safe_url(url) == bool(out)


@given(st.text(max_size=40))
def test_md_url_is_http_or_nothing(text: str) -> None:
    url = md_url("https://example.org/" + text)
    assert url == "" or url.startswith("https://example.org/")
    assert not re.search(r"[\s()<>|\\\"'`]", url)
    assert md_url(text) == "" or md_url(text).startswith(("http://", "https://", "HTTP"))


def test_badge_part_escapes_separators() -> None:
    assert badge_part("a-b_c d★") == "a--b__c_d%E2%98%85"


@pytest.mark.parametrize(
    ("text", "out"),
    [
        ("plain text, 1.5: ok?", "plain text, 1.5: ok?"),
        ("100% & $x$ a_b #1", "100\\% \\& \\$x\\$ a\\_b \\#1"),
        ("\\input{/etc/passwd}", "\\textbackslash{}input\\{/etc/passwd\\}"),
        ("^^5c ~", "\\textasciicircum{}\\textasciicircum{}5c \\textasciitilde{}"),
        ("<b>|</b>", "\\textless{}b\\textgreater{}\\textbar{}\\textless{}/b\\textgreater{}"),
        ("Schölkopf Łukasz", 'Sch{\\"o}lkopf {\\L}ukasz'),
        ("α-VAE 1×1", "$\\alpha$-VAE 1$\\times$1"),
        ("中文 🙂", "?? ?"),
        ("a\u202eb\x00c", "abc"),
    ],
)
def test_tex(text: str, out: str) -> None:
    assert tex(text) == out


# Commands tex() may emit: escapes of specials and latexcodec's accents and symbols.
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_FORBIDDEN = {"input", "include", "write", "immediate", "openout", "openin", "read", "def",
              "edef", "gdef", "xdef", "let", "catcode", "csname", "endcsname", "special",
              "makeatletter", "newcommand", "renewcommand", "usepackage", "documentclass",
              "end", "begin", "jobname", "detokenize", "scantokens", "everyeof", "string",
              "outer", "global", "expandafter", "lowercase", "uppercase"}  # fmt: skip


@given(HOSTILE)
def test_tex_never_emits_a_command_from_the_data(text: str) -> None:
    out = tex(text)
    assert out.isascii()
    assert not set(_COMMAND.findall(out)) & _FORBIDDEN
    assert "^^" not in out and "%" not in out.replace("\\%", "")
    assert not re.search(r"(?<!\\)[#&_^$]", re.sub(r"\$\\[A-Za-z]+\$", "", out))
    depth = 0
    for c in re.sub(r"\\[{}]", "", out):
        depth += {"{": 1, "}": -1}.get(c, 0)
        assert depth >= 0
    assert depth == 0
    assert "\n" not in out


@given(HOSTILE)
def test_tex_comment_is_one_line(text: str) -> None:
    out = tex_comment(text)
    assert not re.search(r"[\n\r\x0b\x0c\x85\u2028\u2029]", out)


@pytest.mark.parametrize(
    ("key", "ok"),
    [("ho2020denoising", True), ("song:2021_sde-x.v2", True), ("a%b", False), ("a b", False),
     ("a\\b", False), ("a{b", False), ("a#b", False), ("", False)],
)  # fmt: skip
def test_safe_cite_key(key: str, ok: bool) -> None:
    assert safe_cite_key(key) is ok
