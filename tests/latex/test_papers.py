"""Old keys keep resolving, and the stubs compile where the docs say: real papers
compiled with a real TeX Live after genbib changed keys under them.

A lab with a natbib paper and a biblatex paper (citing with `\\citet`, `\\citep[p.~2]{a,b}`,
`\\citeauthor`, `\\parencite`, `\\textcite`) runs `genbib rekey` and `genbib dedupe`; the
papers compile afterwards with no undefined citation and no BibTeX/biber warning, and
`git diff` of the papers shows the key changes and nothing else.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.render.test_latex import _require_tools, compile_tex

from genbib.bibtex.reader import read_file
from genbib.config import from_dict
from genbib.render import render, write

pytestmark = pytest.mark.latex

REPO = Path(__file__).resolve().parents[2]

BIB = r"""@inproceedings{ho2020denoising,
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  title = {Denoising Diffusion Probabilistic Models},
  booktitle = {Advances in Neural Information Processing Systems},
  year = {2020},
  eprint = {2006.11239},
  archiveprefix = {arXiv},
}

@misc{ho2020arxiv,
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  title = {Denoising Diffusion Probabilistic Models},
  howpublished = {arXiv preprint arXiv:2006.11239},
  year = {2020},
  eprint = {2006.11239},
  archiveprefix = {arXiv},
}

@inproceedings{song2021score,
  author = {Song, Yang and Sohl-Dickstein, Jascha and Kingma, Diederik P.},
  title = {Score-Based Generative Modeling through Stochastic Differential Equations},
  booktitle = {International Conference on Learning Representations},
  year = {2021},
}
"""

NATBIB = r"""\documentclass{article}
\usepackage{natbib}
\begin{document}
\citet{song2021score} extend DDPM \citep[p.~2]{ho2020arxiv,song2021score}.
As \citeauthor{ho2020denoising} note, \citep{ho2020denoising} % and \citep{ho2020arxiv}
is the \citet*{ho2020arxiv} paper.
\bibliographystyle{plainnat}
\bibliography{../../refs}
\end{document}
"""

BIBLATEX = r"""\documentclass{article}
\usepackage[backend=biber,style=authoryear]{biblatex}
\addbibresource{../../refs.bib}
\begin{document}
\textcite{song2021score} extend DDPM \parencite[p.~2]{ho2020arxiv, song2021score}.
As \textcite[3]{ho2020denoising} and \citeauthor{ho2020arxiv} note
\parencite{ho2020denoising}.
\printbibliography
\end{document}
"""


def _git(lab: Path, *args: str) -> str:
    run = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=lab, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return run.stdout


def _changed_words(lab: Path) -> list[tuple[str, str]]:
    """(removed, added) word pairs of `git diff --word-diff` over the papers, where a
    word is a run without braces, brackets, commas or spaces."""
    diff = _git(
        lab, "diff", "--word-diff=porcelain", "--word-diff-regex=[^][{},[:space:]]+", "--", "papers"
    )
    pairs, removed = [], None
    for line in diff.splitlines():
        if line.startswith("-") and not line.startswith("---"):
            removed = line[1:]
        elif line.startswith("+") and not line.startswith("+++"):
            assert removed is not None, f"an addition with no removal: {line!r}"
            pairs.append((removed, line[1:]))
            removed = None
    assert removed is None, f"a removal with no addition: {removed!r}"
    return pairs


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "genbib.toml").write_text(
        'bib = "refs.bib"\n[latex]\nsources = ["papers/**/*.tex"]\n', encoding="utf-8"
    )
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    for name, text in (("neurips", NATBIB), ("icml", BIBLATEX)):
        (tmp_path / "papers" / name).mkdir(parents=True)
        (tmp_path / "papers" / name / "main.tex").write_text(text, encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "papers")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_rekey_and_dedupe_then_both_papers_compile(genbib: Callable[..., Any], lab: Path) -> None:
    _require_tools()
    r = genbib("rekey", "song2021score", "song2021sde")
    assert r.code == 0, r.err
    r = genbib("dedupe", "--yes")
    assert r.code == 0, r.err
    library = read_file(lab / "refs.bib")
    assert len(library) == 2
    (merged,) = (e for e in library if e.key.startswith("ho2020"))
    gone = next(k for k in ("ho2020denoising", "ho2020arxiv") if k != merged.key)
    mapping = {"song2021score": "song2021sde", gone: merged.key}
    assert set(merged.aliases) == {gone}  # biber still resolves the old key through ids

    # The rewrite is exactly the key change: every changed word is a key, renamed.
    pairs = _changed_words(lab)
    assert pairs and all(mapping.get(old) == new for old, new in pairs), pairs
    natbib = (lab / "papers" / "neurips" / "main.tex").read_text()
    biblatex = (lab / "papers" / "icml" / "main.tex").read_text()
    cited = [re.sub(r"%.*", "", t) for t in (NATBIB, BIBLATEX)]  # comments cite nothing
    expected = sum(len(re.findall(rf"(?<![\w-]){k}(?![\w-])", t)) for t in cited for k in mapping)
    assert len(pairs) == expected, pairs
    assert "% and \\citep{ho2020arxiv}" in natbib  # a comment is not a citation
    for text in (natbib, biblatex):
        assert "song2021score" not in text
    assert _git(lab, "diff", "--name-only").split() == [
        "papers/icml/main.tex", "papers/neurips/main.tex", "refs.bib",
    ]  # fmt: skip
    # No lock or temporary file left in the papers' folders.
    assert "??" not in _git(lab, "status", "--porcelain", "--untracked-files=all", "--", "papers")

    compile_tex(lab / "papers" / "neurips", "main", "natbib")
    compile_tex(lab / "papers" / "icml", "main", "biblatex")
    r = genbib("check", "--cites", str(lab / "papers"))
    assert "E052" not in r.out and "E050" not in r.out, r.out


def test_without_the_rewrite_bibtex_leaves_the_old_key_undefined(
    genbib: Callable[..., Any], lab: Path
) -> None:
    """What the rewrite prevents: the same rekey with no [latex] sources configured
    leaves \\citet{song2021score} to BibTeX, which does not read ids."""
    _require_tools()
    (lab / "genbib.toml").write_text('bib = "refs.bib"\n', encoding="utf-8")
    assert genbib("rekey", "song2021score", "song2021sde").code == 0
    with pytest.raises(AssertionError, match=r"undefined|Warning--I didn't find"):
        compile_tex(lab / "papers" / "neurips", "main", "natbib")
    r = genbib("check", "--cites", str(lab / "papers"))
    assert r.code == 1 and "E052-cited-undefined" in r.out


def _root_paper(citations: str) -> str:
    if citations == "biblatex":
        pre = "\\usepackage[backend=biber,style=authoryear]{biblatex}\n\\addbibresource{bib/genmodels.bib}\n"
        post = "\\printbibliography\n"
    else:
        pre = "\\usepackage{natbib}\n"
        post = "\\bibliographystyle{plainnat}\n\\bibliography{bib/genmodels}\n"
    return (
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n"
        f"\\usepackage{{textcomp}}\n\\usepackage{{url}}\n{pre}\\begin{{document}}\n"
        f"\\section{{Related work}}\n\\input{{related-work/all}}\n{post}\\end{{document}}\n"
    )


def test_a_paper_at_the_repository_root_inputs_related_work_all(tmp_path: Path) -> None:
    """The quick start's inclusion, on the lab's committed stubs: a paper at the root
    does `\\input{related-work/all}` and compiles; the example in the folder too."""
    _require_tools()
    for name in ("bib", "related-work"):
        shutil.copytree(REPO / name, tmp_path / name)
    (tmp_path / "paper.tex").write_text(_root_paper("natbib"), encoding="utf-8")
    log = compile_tex(tmp_path, "paper", "natbib")
    assert "related-work/diffusion.tex" in log
    cited = {e.key for e in read_file(REPO / "bib" / "genmodels.bib") if e.topics}
    aux = (tmp_path / "paper.aux").read_text()
    assert all(f"\\bibcite{{{k}}}" in aux for k in cited)
    compile_tex(tmp_path / "related-work", "example", "natbib")


def test_biblatex_stubs_compile_from_the_root_too(tmp_path: Path) -> None:
    _require_tools()
    shutil.copytree(REPO / "bib", tmp_path / "bib")
    cfg = from_dict(
        {"bib": "bib/genmodels.bib", "render": {"citations": "biblatex"}},
        source=str(tmp_path / "genbib.toml"),
        root=tmp_path,
    )
    write(render(read_file(cfg.bib_path), cfg, formats=("tex",)))
    (tmp_path / "paper.tex").write_text(_root_paper("biblatex"), encoding="utf-8")
    compile_tex(tmp_path, "paper", "biblatex")
    compile_tex(tmp_path / "related-work", "example", "biblatex")
