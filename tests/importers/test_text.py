"""Text repair, placeholders and filler; the markdown parser never crashes on any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from genbib.importers.markdown import parse
from genbib.importers.text import find_filler, fix_mojibake, is_placeholder, repair


def test_mojibake_cp1252_and_mac_roman() -> None:
    assert fix_mojibake("Glow: Invertible 1Ã—1 Convolutions") == "Glow: Invertible 1×1 Convolutions"
    assert fix_mojibake("âœ¨ Awesome") == "✨ Awesome"
    assert (
        fix_mojibake("coarse-to-fine ‚Äúnext-scale‚Äù") == "coarse-to-fine “next-scale”"
    )  # Mac Roman
    for text in ("Müller café", "对视觉语言大模型", "naïve Bayes — 2020", "Ångström"):
        assert fix_mojibake(text) == text  # real non-ASCII text is left alone


def test_repair_reports_with_lines() -> None:
    text = "# Title\nzero\u200bwidth\nbidi \u202eevil\nctrl\x07char\n1Ã—1\nAT&amp;T\n"
    out = repair(text, "list.md")
    assert out.text == "# Title\nzerowidth\nbidi evil\nctrlchar\n1×1\nAT&amp;T\n"
    assert [(p.code, p.line) for p in out.problems] == [
        ("I-invisible", 2),
        ("I-invisible", 3),
        ("I-control", 4),
        ("I-mojibake", 5),
        ("I-entity", 6),
    ]


def test_placeholders() -> None:
    for text in ("None", " -- ", "~", "coming soon", "TBD", "N/A", ""):
        assert is_placeholder(text)
    assert not is_placeholder("Proposed DDPM")


def test_filler_needs_three_different_titles() -> None:
    rows = [("same text", "a"), ("same text", "b"), ("other", "c")]
    assert find_filler(rows) == set()
    assert find_filler([*rows, ("same text", "d")]) == {"same text"}
    assert find_filler([("x", "a")] * 5) == set()  # one paper listed five times is not filler


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *"|-*#[]()!<>`_ \n\tabcXYZ0129:/.\\",
                "<br>",
                "**",
                "http://x.org/",
                "\u200b",
                "Ã—",
                "\n| a | b |\n|---|---|\n",
            ]
        ),
        max_size=120,
    ).map("".join)
)
def test_parser_total(text: str) -> None:
    parsed = parse(repair(text, "f").text, "f")
    for row in parsed.rows:
        assert row.line >= 0
