"""Citations of merged-away keys in LaTeX sources and .aux files (one scanner, shared
with `genbib check --cites`)."""

from __future__ import annotations

from pathlib import Path

from genbib.bibtex.check import cited_aliases
from genbib.bibtex.citations import scan_citations
from genbib.bibtex.reader import parse


def test_cited_keys_in_tex_and_aux(tmp_path: Path) -> None:
    (tmp_path / "main.tex").write_text(
        "\\cite{a}\n\\citep[see][p.~2]{b, c}\n\\textcite*{d} \\nocite{*}\n"
        "50\\% \\cite{h} % \\cite{g}\n"
    )
    (tmp_path / "main.aux").write_text("\\citation{e}\n\\abx@aux@cite{0}{f}\n")
    found = [(Path(c.file).name, c.line, c.key) for c in scan_citations(tmp_path)]
    assert found == [
        ("main.aux", 1, "e"), ("main.aux", 2, "f"),
        ("main.tex", 1, "a"), ("main.tex", 2, "b"), ("main.tex", 2, "c"),
        ("main.tex", 3, "d"), ("main.tex", 4, "h"),
    ]  # fmt: skip


def test_planned_merges_count_as_aliases(tmp_path: Path) -> None:
    (tmp_path / "paper.tex").write_text("x\n\\citet{old, new}")
    lib = parse("@misc{new,\n  title = {T},\n}\n\n@misc{old,\n  title = {T},\n}\n")
    (p,) = cited_aliases(lib, scan_citations(tmp_path), {"old": "new"})
    assert (Path(p.file).name, p.line, p.key) == ("paper.tex", 2, "old")
    assert "'new'" in p.message
