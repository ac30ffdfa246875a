"""Citations of merged-away keys in LaTeX sources and .aux files."""

from __future__ import annotations

from genbib.dedupe.cites import alias_citations, cited_keys


def test_cited_keys_in_tex_and_aux() -> None:
    tex = "\\cite{a}\n\\citep[see][p.~2]{b, c}\n\\textcite*{d} \\nocite{*}\n\\citation{e}\n\\abx@aux@cite{0}{f}\n50\\% \\cite{h} % \\cite{g}"
    assert cited_keys(tex) == [(1, "a"), (2, "b"), (2, "c"), (3, "d"), (4, "e"), (5, "f"), (6, "h")]


def test_alias_citations_name_file_line_and_survivor() -> None:
    (p,) = alias_citations([("paper/main.tex", "x\n\\citet{old, new}")], {"old": "new"})
    assert (p.file, p.line, p.key, p.code) == ("paper/main.tex", 2, "old", "cites-alias")
    assert "cite new" in p.message
