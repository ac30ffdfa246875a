"""Which keys a set of LaTeX files cites (used for key changes and provisional keys)."""

from __future__ import annotations

from pathlib import Path

from genbib import config
from genbib.bibtex.citations import cited_keys


def test_cited_keys_of_configured_sources(tmp_path: Path) -> None:
    (tmp_path / "paper").mkdir()
    (tmp_path / "paper" / "main.tex").write_text(
        "\\citet{a} and \\citep[p.~2]{b, c}\n% \\cite{commented}\n", encoding="utf-8"
    )
    (tmp_path / "paper" / "notes.txt").write_text("\\cite{not_tex}", encoding="utf-8")
    cfg = config.from_dict({"latex": {"sources": ["paper/**/*.tex"]}}, root=tmp_path)
    assert cfg.latex_sources() == [tmp_path / "paper" / "main.tex"]
    assert cited_keys(cfg.latex_sources()) == {"a", "b", "c"}
