"""Complete references in the styles labs use, compiled with a real TeX Live.

The lab's bib and a generated 1,000-entry bib (bench/generate.py, brought to canonical
form by `genbib fmt --canonical`'s function) are typeset with `\\nocite{*}` under
natbib's plainnat, abbrvnat and unsrtnat (pdflatex + bibtex) and biblatex's standard
authoryear style (pdflatex + biber). Every reference must carry its venue or preprint
line: for BibTeX the formatted `\\bibitem` in the .bbl holds the venue text; for biber
(whose .bbl is data, formatted by the style at typesetting time) each entry holds the
field the standard driver of its type prints as the venue. The lab's bib must also give
no BibTeX or biber warning at all.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from tests.render.test_latex import _require_tools, _run, compile_tex

from genbib.bibtex.reader import read_file
from genbib.bibtex.store import load
from genbib.bibtex.writer import dumps
from genbib.model.canonical import canonicalize, venue_fields
from genbib.model.library import Library
from genbib.model.values import plain

pytestmark = pytest.mark.latex

REPO = Path(__file__).resolve().parents[2]
LAB_BIB = REPO / "bib" / "genmodels.bib"
NATBIB_STYLES = ("plainnat", "abbrvnat", "unsrtnat")

# The .bbl fields biblatex's standard drivers print as the venue, per biber entry type
# (biber maps BibTeX's journal -> journaltitle, school -> institution, @phdthesis ->
# @thesis, @techreport -> @report).
BIBER_VENUE = {
    "article": ("journaltitle",),
    "inproceedings": ("booktitle",),
    "incollection": ("booktitle",),
    "thesis": ("institution",),
    "report": ("institution",),
    "book": ("publisher",),
    "misc": ("howpublished", "eprint"),
    "online": ("howpublished", "eprint"),
}


def _document(style: str, bib: str) -> str:
    if style == "biblatex":
        pre = f"\\usepackage[backend=biber,style=authoryear]{{biblatex}}\n\\addbibresource{{{bib}.bib}}\n"
        post = "\\printbibliography\n"
    else:
        pre = "\\usepackage{natbib}\n"
        post = f"\\bibliographystyle{{{style}}}\n\\bibliography{{{bib}}}\n"
    return (
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n"
        f"\\usepackage{{textcomp}}\n\\usepackage{{url}}\n{pre}\\begin{{document}}\n"
        f"\\nocite{{*}}\n{post}\\end{{document}}\n"
    )


def _fold(text: str) -> str:
    """Letters and digits only, lower case: the venue as it reads in any markup."""
    text = re.sub(r"\\(?:newblock|emph|textit|url|em|it|penalty0)\b", " ", text)
    text = re.sub(r"\\[A-Za-z]+|\\.", "", text)
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def _bibitems(bbl: str) -> dict[str, str]:
    """key -> the formatted text of its \\bibitem (natbib styles)."""
    parts = re.split(r"\\bibitem(?:\[(?:[^\[\]]|\{[^{}]*\})*\])?\{([^}]*)\}", bbl)
    return {
        parts[i]: parts[i + 1].split("\\end{thebibliography}")[0] for i in range(1, len(parts), 2)
    }


def _biber_entries(bbl: str) -> dict[str, tuple[str, str]]:
    """key -> (biber entry type, the entry's data) from a biblatex .bbl."""
    found = re.findall(r"\\entry\{([^}]*)\}\{([^}]*)\}\{[^}]*\}(.*?)\\endentry", bbl, re.S)
    return {key: (kind, body) for key, kind, body in found}


def _venue_text(library: Library, key: str) -> str:
    entry = library.by_key()[key]
    macros = library.macros()
    for name in venue_fields(entry.type):
        raw = entry.fields.get(name)
        if raw is not None and plain(raw, macros).strip():
            return plain(raw, macros)
    raise AssertionError(f"{key}: no venue field in the canonical form")


def _compile(directory: Path, name: str, style: str, *, strict: bool) -> str:
    """Compile; with `strict`, through compile_tex (no warning allowed). The .bbl text."""
    (directory / f"{name}.tex").write_text(_document(style, "refs"), encoding="utf-8")
    backend = "biblatex" if style == "biblatex" else "natbib"
    if strict:
        compile_tex(directory, name, backend)
    else:
        latex = ["pdflatex", "-no-shell-escape", "-interaction=nonstopmode", "-draftmode", name]
        assert _run(latex, directory).returncode == 0
        tool = _run(["biber" if backend == "biblatex" else "bibtex", name], directory)
        blg = (directory / f"{name}.blg").read_text(errors="replace")
        errors = [ln for ln in blg.splitlines() if re.search(r"\] ERROR |error message", ln)]
        assert tool.returncode in (0, 1) and not errors, blg[-3000:]
        assert _run(latex, directory).returncode == 0
    return (directory / f"{name}.bbl").read_text(errors="replace")


def _assert_every_reference_has_a_venue(library: Library, bbl: str, style: str) -> None:
    keys = {e.key for e in library}
    missing = []
    if style == "biblatex":
        entries = _biber_entries(bbl)
        assert set(entries) == keys
        for key, (kind, body) in sorted(entries.items()):
            wanted = BIBER_VENUE.get(kind, ("howpublished",))
            if not any(re.search(rf"\\(?:field|list)\{{{f}\}}", body) for f in wanted):
                missing.append(f"{key} (@{kind}: none of {', '.join(wanted)})")
    else:
        items = _bibitems(bbl)
        assert set(items) == keys
        for key, text in sorted(items.items()):
            if _fold(_venue_text(library, key)) not in _fold(text):
                missing.append(f"{key}: {' '.join(text.split())[:200]}")
    assert not missing, f"{style}: {len(missing)} reference(s) print no venue:\n" + "\n".join(
        missing[:20]
    )


@pytest.mark.parametrize("style", [*NATBIB_STYLES, "biblatex"])
def test_lab_bib_every_reference_has_a_venue_and_no_warning(style: str, tmp_path: Path) -> None:
    _require_tools()
    library = read_file(LAB_BIB)
    assert len(library) >= 77
    (tmp_path / "refs.bib").write_bytes(LAB_BIB.read_bytes())
    bbl = _compile(tmp_path, "lab", style, strict=True)  # strict: 0 BibTeX / biber warnings
    _assert_every_reference_has_a_venue(library, bbl, style)


@pytest.fixture(scope="module")
def generated_bib(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,000 generated entries in canonical form, one entry per key (BibTeX stops at a
    repeated key; the generator plants duplicates under their own keys, but a few keys
    can repeat case-insensitively)."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from generate import generate  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    directory = tmp_path_factory.mktemp("generated")
    raw = directory / "raw.bib"
    raw.write_text(generate(1000, seed=15)[0], encoding="utf-8")
    library = load(raw)
    seen: set[str] = set()
    for entry in list(library):
        if entry.key.casefold() in seen:
            library.remove(entry.key)
        seen.add(entry.key.casefold())
        canonicalize(entry)
    (directory / "refs.bib").write_text(dumps(library), encoding="utf-8")
    return directory / "refs.bib"


@pytest.mark.slow
@pytest.mark.parametrize("style", [*NATBIB_STYLES, "biblatex"])
def test_generated_bib_every_reference_has_a_venue(
    style: str, generated_bib: Path, tmp_path: Path
) -> None:
    _require_tools()
    library = read_file(generated_bib)
    assert len(library) > 950
    (tmp_path / "refs.bib").write_bytes(generated_bib.read_bytes())
    bbl = _compile(tmp_path, "generated", style, strict=False)
    _assert_every_reference_has_a_venue(library, bbl, style)


def test_the_old_lab_form_loses_the_venue_under_plainnat(tmp_path: Path) -> None:
    """The failure the canonical form fixes, shown with the real tools: a preprint
    with `journal` in `@misc` prints no venue."""
    _require_tools()
    (tmp_path / "refs.bib").write_text(
        "@misc{albergo2023stochastic,\n  author = {Albergo, Michael S.},\n"
        "  title = {Stochastic Interpolants},\n  journal = {arXiv preprint arXiv:2303.08797},\n"
        "  year = {2023},\n  eprint = {2303.08797},\n  archiveprefix = {arXiv},\n}\n",
        encoding="utf-8",
    )
    bbl = _compile(tmp_path, "old", "plainnat", strict=True)
    assert "arXiv" not in _bibitems(bbl)["albergo2023stochastic"]
    library = read_file(tmp_path / "refs.bib")
    canonicalize(library.entries[0])
    for entry in library:  # (the list names no authors: BibTeX would warn)
        entry.set("author", "Lovelace, Ada")
    (tmp_path / "refs.bib").write_text(dumps(library), encoding="utf-8")
    bbl = _compile(tmp_path, "new", "plainnat", strict=True)
    assert "arXiv preprint arXiv:2303.08797" in _bibitems(bbl)["albergo2023stochastic"]


# Titles as awesome lists write them: every character LaTeX reads as markup, and LaTeX
# that must not run. Imported as plain text, each must typeset as typed.
HOSTILE_TITLES = (
    "Scaling snake_case Models Costs $5 and x^2",
    "R&D at 50% for #1 Models",
    "Escaping \\input{secret} and ^^5c {Braces}",
    "Tilde ~ and a caret ^ alone",
)


@pytest.mark.parametrize("style", ["plainnat", "biblatex"])
def test_imported_plain_text_compiles_as_typed(style: str, tmp_path: Path) -> None:
    """A list's titles with `$ _ ^ % & # \\ { }` compile without an error or warning."""
    from genbib.config import Config
    from genbib.importers.run import import_sources
    from genbib.render.escape import to_text

    lines = ["# Diffusion", ""] + [
        f"- [{t}](https://arxiv.org/abs/2301.{i:05d}) - NeurIPS 2023"
        for i, t in enumerate(HOSTILE_TITLES, 1)
    ]
    src = tmp_path / "list.md"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    library = Library()
    import_sources(library, [src], Config())
    assert len(library.entries) == len(HOSTILE_TITLES)
    assert sorted(to_text(e.get("title")) for e in library) == sorted(
        t.replace("{", "").replace("}", "") for t in HOSTILE_TITLES
    )
    for entry in library:  # (the list names no authors: BibTeX would warn)
        entry.set("author", "Lovelace, Ada")
    (tmp_path / "refs.bib").write_text(dumps(library), encoding="utf-8")
    bbl = _compile(tmp_path, "doc", style, strict=True)
    assert "secret" in bbl and "\\input{" not in bbl.replace("\\input{secret}", "")
