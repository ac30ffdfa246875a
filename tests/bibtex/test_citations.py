"""Which keys a set of LaTeX files cites (used for key changes and provisional keys)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genbib import config
from genbib.bibtex.citations import cited_keys, rewrite_files, rewrite_text, scan_files
from genbib.errors import InputError


def test_cited_keys_of_configured_sources(tmp_path: Path) -> None:
    (tmp_path / "paper").mkdir()
    (tmp_path / "paper" / "main.tex").write_text(
        "\\citet{a} and \\citep[p.~2]{b, c}\n% \\cite{commented}\n", encoding="utf-8"
    )
    (tmp_path / "paper" / "notes.txt").write_text("\\cite{not_tex}", encoding="utf-8")
    cfg = config.from_dict({"latex": {"sources": ["paper/**/*.tex"]}}, root=tmp_path)
    assert cfg.latex_sources() == [tmp_path / "paper" / "main.tex"]
    assert cited_keys(cfg.latex_sources()) == {"a", "b", "c"}


# --- the rewrite that makes LaTeX sources follow a key change ---------------------------


PAPER = r"""\documentclass{article}
\usepackage{natbib}
\begin{document}
As \citet{old} showed, and \citep[p.~2]{old,other} and \citep[see][]{ other , old }.
\citeauthor{old}'s \Citet*{old} \citealp{old} \citeyearpar{old}; \nocite{*}
\parencite[12]{old} \textcite{old} \footcite{old} \autocite[cf.][3]{old}
\parencites(pre)(post)[1]{old}[2]{other, old} \cites{old}{old}
% \citep{old} is commented out, and so is 50\% of nothing: \cite{old}
Not a citation: old, {old}, \ref{old}, \label{old}, \citetext{old}.
\citep{old,
  other}
\end{document}
"""


def test_rewrite_changes_every_cite_command_and_nothing_else() -> None:
    new, changes = rewrite_text(PAPER, {"old": "ho2020ddpm"}, "main.tex")
    lines = PAPER.splitlines(keepends=True)
    kept = {7, 8}  # the comment, and `old` where it is not a citation key
    expected = "".join(
        line
        if i in kept
        else line.replace("{old}", "{ho2020ddpm}")
        .replace("{old,", "{ho2020ddpm,")
        .replace(", old }", ", ho2020ddpm }")
        .replace(", old}", ", ho2020ddpm}")
        for i, line in enumerate(lines)
    )
    assert new == expected
    assert [(c.line, c.command) for c in changes] == [
        (4, "citet"), (4, "citep"), (4, "citep"),
        (5, "citeauthor"), (5, "Citet"), (5, "citealp"), (5, "citeyearpar"),
        (6, "parencite"), (6, "textcite"), (6, "footcite"), (6, "autocite"),
        (7, "parencites"), (7, "parencites"), (7, "cites"), (7, "cites"),
        (10, "citep"),
    ]  # fmt: skip
    assert changes[0].describe() == "main.tex:4: \\citet{old} -> ho2020ddpm"


def test_scan_finds_what_the_rewrite_changes(tmp_path: Path) -> None:
    tex = tmp_path / "main.tex"
    tex.write_text(PAPER, encoding="utf-8")
    old = [c for c in scan_files([tex]) if c.key == "old"]
    _, changes = rewrite_text(PAPER, {"old": "x"}, str(tex))
    assert [c.line for c in old] == [c.line for c in changes]


_KEYS = st.sampled_from(["a", "b", "ho2020", "x-1", "k:2"])
_PIECES = st.one_of(
    st.sampled_from(["\\citep", "\\citet*", "\\parencite", "\\cites", "\\nocite", "\\ref"]).map(
        lambda c: c
    ),
    st.sampled_from(["[p.~2]", "[]", "(pre)", " ", "\n", "% c\n", "text ", "{", "}", ","]),
    st.lists(_KEYS, min_size=1, max_size=3).map(lambda ks: "{" + ", ".join(ks) + "}"),
)


@given(st.lists(_PIECES, max_size=20).map("".join))
def test_rewrite_is_exactly_the_key_change(text: str) -> None:
    """Renaming to a fresh key and back restores the text byte for byte, and outside
    the changed keys nothing moved."""
    new, changes = rewrite_text(text, {"a": "zz9"})
    back, undone = rewrite_text(new, {"zz9": "a"})
    assert back == text
    assert len(undone) == len(changes)
    assert new.replace("zz9", "a") == text  # "zz9" appears nowhere else
    assert len(new) == len(text) + 2 * len(changes)


def test_rewrite_files_is_atomic_dry_run_and_only_touches_changed_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a.tex", tmp_path / "b.tex"
    a.write_text("\\citep{old}\n", encoding="utf-8")
    b.write_text("\\citep{other}\n", encoding="utf-8")
    b_mtime = b.stat().st_mtime_ns
    planned = rewrite_files([a, b], {"old": "new"}, dry_run=True)
    assert [(c.file, c.old, c.new) for c in planned] == [(str(a), "old", "new")]
    assert a.read_text() == "\\citep{old}\n"
    done = rewrite_files([a, b], {"old": "new"})
    assert done == planned
    assert a.read_text() == "\\citep{new}\n"
    assert b.stat().st_mtime_ns == b_mtime
    assert not list(tmp_path.glob(".*.tmp"))


def test_rewrite_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "latin.tex"
    bad.write_bytes("caf\xe9\n\\citep{old}\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin.tex:1: not UTF-8"):
        rewrite_files([bad], {"old": "new"})
    assert bad.read_bytes() == "caf\xe9\n\\citep{old}\n".encode("latin-1")


def test_rewrite_leaves_no_lock_or_temp_file_beside_the_paper(tmp_path: Path) -> None:
    tex = tmp_path / "main.tex"
    tex.write_text("\\citet{old}\n", encoding="utf-8")
    rewrite_files([tex], {"old": "new"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["main.tex"]


def test_rewrite_starts_over_when_the_file_changes_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor saves the paper between genbib's read and its write: the editor's text
    is kept and the key is rewritten in it."""
    from genbib.bibtex import citations

    tex = tmp_path / "main.tex"
    tex.write_text("\\citet{old}\n", encoding="utf-8")
    reads = {"n": 0}
    real = citations._read

    def racing_read(path: Path) -> bytes:
        reads["n"] += 1
        if reads["n"] == 2:  # the check just before the write: an editor saved meanwhile
            path.write_text("New sentence \\citep{old}.\n\\citet{old}\n", encoding="utf-8")
        return real(path)

    monkeypatch.setattr(citations, "_read", racing_read)
    changes = rewrite_files([tex], {"old": "new"})
    assert tex.read_text() == "New sentence \\citep{new}.\n\\citet{new}\n"
    assert [c.line for c in changes] == [1, 2]
