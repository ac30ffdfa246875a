"""The one policy for untrusted text (genbib.model.untrusted): every entry point that
cleans incoming text (import, enrich, the Zotero mapping) gives one result, and no
cleaned text carries a character the policy drops or LaTeX that could run."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from genbib.enrich.clean import clean_text as enrich_clean
from genbib.enrich.clean import clean_url
from genbib.importers.text import inert as import_clean
from genbib.importers.text import repair
from genbib.model.untrusted import (
    SAFE_COMMANDS,
    clean_text,
    drop_invisible,
    invisible_chars,
    is_invisible,
    strip_markup,
    unsafe_latex,
)
from genbib.model.values import balanced
from genbib.zotero.text import text_to_latex as mapping_clean

# Text as it arrives: ordinary letters mixed with LaTeX specials, markup, entities and
# characters of every category the policy drops.
HOSTILE = st.lists(
    st.one_of(
        st.text(max_size=6),
        st.sampled_from(
            [
                "\\input{/etc/passwd}",
                "\\write18{rm -rf ~}",
                "\\immediate",
                "\\catcode`\\^=7",
                "\\def\\x{}",
                "^^5c",
                "^^",
                "\\begin{filecontents}",
                "<script>",
                "</i>",
                "&lt;b&gt;",
                "&amp;",
                "javascript:alert(1)",
                "%",
                "&",
                "#",
                "{",
                "}",
                "$",
                "\u202e",
                "\u2066",
                "\u200b",
                "\u200d",
                "\ufeff",
                "\x00",
                "\x07",
                "\x85",
                "\u2028",
                "\ue000",
                "\U000e0041",
                "\ud800",
                "\t",
                "\n",
                "\r",
                "é",
                "中",
            ]
        ),
        st.characters(categories=["Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"]),
    ),
    max_size=12,
).map("".join)

# The only backslash sequences cleaned text may hold: each typesets one character.
_TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")
_INERT = re.compile(r"\\text(?:backslash|asciicircum|asciitilde)\{\}|\\[%&#$_]")


def _assert_safe(out: str) -> None:
    assert not any(is_invisible(c) for c in out), ascii(out)
    assert "\n" not in out and "\t" not in out
    rest = _INERT.sub("", out)
    assert "\\" not in rest and "{" not in rest and "}" not in rest, ascii(out)
    assert not re.search(r"[%&#$_^~]", rest), ascii(out)  # every one escaped
    assert not _TAG.search(out), ascii(out)  # no tag survives
    assert not unsafe_latex(out), ascii(out)


@given(HOSTILE)
def test_import_mapping_and_the_policy_agree(text: str) -> None:
    out = clean_text(text)
    assert import_clean(text) == out
    assert mapping_clean(text) == out
    _assert_safe(out)


_TOKEN = re.compile(r"\\(?:([A-Za-z]+)|(.)|$)", re.DOTALL)


def _assert_safe_latex(out: str) -> None:
    """Text a LaTeX-writing source gave (latex=True): only allowlisted commands."""
    assert not any(is_invisible(c) for c in out), ascii(out)
    assert "\n" not in out and "\t" not in out
    assert balanced(out), ascii(out)  # nothing for the writer to drop (see inert_latex)
    for m in _TOKEN.finditer(out):
        word, symbol = m.group(1), m.group(2)
        assert word in SAFE_COMMANDS or (symbol is not None and symbol not in "{}"), ascii(out)
    assert "^^" not in out
    assert not re.search(r"(?<!\\)(?:\\\\)*[%&#]", out), ascii(out)
    assert not _TAG.search(out), ascii(out)


@given(HOSTILE)
def test_enrich_is_safe_and_agrees_on_text_without_latex(text: str) -> None:
    """API text may be spelled in LaTeX (arXiv, BibTeX): allowlisted LaTeX is kept, the
    rest typeset. Text without LaTeX in it is cleaned exactly like list and Zotero text."""
    out = enrich_clean(text)
    _assert_safe_latex(out)
    plain = strip_markup(text)
    if not set("\\{}$_^~") & set(plain):  # math is LaTeX, and so is a tie (`Fig.~1`)
        assert out == clean_text(text)


@given(HOSTILE)
def test_import_repair_drops_every_invisible_character_but_tab_and_newline(text: str) -> None:
    repaired = repair(text, "list.md").text
    assert invisible_chars(repaired, keep="\t\n") == []


@given(HOSTILE)
def test_drop_invisible_keeps_everything_else(text: str) -> None:
    out = drop_invisible(text)
    assert not any(is_invisible(c) for c in out)
    kept = [c for c in text if not is_invisible(c) or c in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x85"]
    assert len(out) == len(kept) or "\u2028" in text or "\u2029" in text


@given(HOSTILE)
def test_clean_url_keeps_only_plain_http_links(text: str) -> None:
    url = clean_url("https://example.org/" + text)
    assert url == "" or not invisible_chars(url)
    assert clean_url(text) == "" or text.strip().lower().startswith(("http://", "https://"))


def test_examples() -> None:
    assert clean_text("A <i>cool</i> \\input{x} ^^5c 50% \u202eevil") == (
        "A cool \\textbackslash{}inputx \\textasciicircum{}\\textasciicircum{}5c 50\\% evil"
    )
    assert clean_text("&lt;script&gt;alert(1)&lt;/script&gt;") == "alert(1)"
    assert clean_text("<<b>b>x") == "x"
    # a tag split by an invisible character is still a tag: no raw HTML reaches the bib
    assert clean_text("<\x00script>alert(1)<\u200b/script>") == "alert(1)"
    assert clean_text("&#0 &amp x &#65;") == r"\&\#0 \&amp x A"  # only closed entities
    assert clean_text("zero\u200bwidth\u202e") == "zerowidth"
    assert clean_text("\u2764\ufe0f\u200d\U0001f525") == "\u2764\ufe0f\u200d\U0001f525"  # kept
    assert clean_url("javascript:alert(1)") == clean_url("data:text/html,x") == ""
