"""The stubs compile with a real TeX Live: natbib + BibTeX and biblatex + biber.

A stub that does not compile, or that cites a key BibTeX cannot resolve, is worse than
none, so the tests run the real tools: example.tex and every stub on its own, with
-no-shell-escape, in a temporary copy of the lab. They skip only when the tools are
missing and the CI environment variable is not set (CI installs TeX Live).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from genbib.bibtex.reader import read_file
from genbib.config import Config
from genbib.model.library import Library
from genbib.render import render, write

TOOLS = ("pdflatex", "bibtex", "biber")
pytestmark = pytest.mark.latex


def _require_tools() -> None:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {', '.join(missing)} not installed")
        pytest.skip(f"{', '.join(missing)} not installed")


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "openout_any": "p", "shell_escape": "f"}
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, errors="replace", timeout=120
    )


def compile_tex(directory: Path, name: str, citations: str) -> str:
    """Compile `name`.tex in `directory` with the bibliography tool; return the final log.

    Fails the test on any LaTeX error, any BibTeX/biber error or warning and any
    undefined citation or reference.
    """
    latex = ["pdflatex", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", name]
    first = _run([*latex[:-1], "-draftmode", name], directory)
    assert first.returncode == 0, f"{name}: pdflatex failed:\n{first.stdout[-3000:]}"
    tool = ["biber", name] if citations == "biblatex" else ["bibtex", name]
    bib = _run(tool, directory)
    blg = (directory / f"{name}.blg").read_text(errors="replace")
    assert bib.returncode == 0, f"{name}: {tool[0]} failed:\n{bib.stdout}\n{blg}"
    if citations == "biblatex":
        bad = [line for line in blg.splitlines() if re.search(r"\] (WARN|ERROR) ", line)]
    else:
        bad = [line for line in blg.splitlines() if "Warning--" in line or "error" in line]
    assert not bad, f"{name}: {tool[0]} complained:\n" + "\n".join(bad)
    # One run reads the .bbl, one reads the labels (and biblatex's page tracking) back.
    for args in ([*latex[:-1], "-draftmode", name], latex):
        run = _run(args, directory)
        assert run.returncode == 0, f"{name}: pdflatex failed:\n{run.stdout[-3000:]}"
    log = (directory / f"{name}.log").read_text(errors="replace")
    assert not re.search(r"(Citation|Reference) .* undefined", log), _undefined(log)
    assert "There were undefined" not in log, _undefined(log)
    assert "Please (re)run" not in log
    assert (directory / f"{name}.pdf").stat().st_size > 0
    return log


def _undefined(log: str) -> str:
    return "\n".join(line for line in log.splitlines() if "undefined" in line)


T1_SETUP = "\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n"


def _driver(citations: str, stub: str, bibliography: str, setup: str = T1_SETUP) -> str:
    """A minimal document around one stub, as a researcher's paper would \\input it
    (`setup`: the font packages; "" is pdflatex's default, OT1 without inputenc)."""
    if citations == "biblatex":
        pre = f"\\usepackage[backend=biber,style=authoryear]{{biblatex}}\n\\addbibresource{{{bibliography}.bib}}\n"
        post = "\\printbibliography\n"
    else:
        pre = "\\usepackage{natbib}\n"
        post = f"\\bibliographystyle{{plainnat}}\n\\bibliography{{{bibliography}}}\n"
    return (
        f"\\documentclass{{article}}\n{setup}\\usepackage{{url}}\n"
        f"{pre}\\begin{{document}}\n\\section{{Related work}}\n\\input{{{stub}}}\n{post}"
        "\\end{document}\n"
    )


def _cited(tex: str) -> set[str]:
    return set(re.findall(r"\\(?:citet|citep|textcite|parencite)\{([^}]*)\}", tex))


def _render_tex(library: Library, config: Config) -> list[str]:
    rendering = render(library, config, formats=("tex",))
    write(rendering)
    return sorted(o.path.stem for o in rendering.outputs if o.path.stem not in ("all", "example"))


@pytest.mark.parametrize("citations", ["natbib", "biblatex"])
def test_example_compiles_citing_every_paper(
    citations: str, library: Library, make_config: Callable[..., Config], lab: Path
) -> None:
    """example.tex inputs all.tex, which inputs every stub: all of them compile together."""
    _require_tools()
    stubs = _render_tex(library, make_config(citations=citations))
    assert stubs == ["autoregressive", "diffusion", "flows", "sampling", "score"]
    tex_dir = lab / "related-work"
    compile_tex(tex_dir, "example", citations)
    cited = set().union(*(_cited((tex_dir / f"{s}.tex").read_text()) for s in stubs))
    assert cited == {e.key for e in library if e.topics}
    aux = (tex_dir / "example.aux").read_text()
    for key in cited:  # every citation was resolved to a bibliography entry
        assert key in aux


@pytest.mark.slow
@pytest.mark.parametrize("citations", ["natbib", "biblatex"])
def test_every_stub_compiles_alone(
    citations: str, library: Library, make_config: Callable[..., Config], lab: Path
) -> None:
    _require_tools()
    tex_dir = lab / "related-work"
    for stub in _render_tex(library, make_config(citations=citations)):
        driver = tex_dir / f"driver-{stub}.tex"
        driver.write_text(_driver(citations, stub, "../bib/genmodels"), encoding="utf-8")
        compile_tex(tex_dir, driver.stem, citations)


def test_hostile_entries_compile(
    hostile_lab: Path, make_hostile_config: Callable[..., Config]
) -> None:
    """Pipes, tags, links, backslash commands, %, &, $, _ and Unicode in the data: the
    stub and the example still compile, citing every entry, in both styles."""
    _require_tools()
    for citations in ("natbib", "biblatex"):
        cfg = make_hostile_config(citations=citations)
        out = hostile_lab / citations
        write(render(read_file(cfg.bib_path), cfg, formats=("tex",), out=out))
        compile_tex(out / "related-work", "example", citations)
        aux = (out / "related-work" / "example.aux").read_text()
        for key in ("evil2023pipes", "evil2024latex", "evil2022unicode"):
            assert key in aux


SETUPS = {
    "default": "",  # a bare \\documentclass{article}: OT1 fonts, no packages
    "documented": "\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n\\usepackage{textcomp}\n",
}
# Characters whose escapes need care: T1-only glyphs (guillemets, Icelandic and Polish
# letters), textcomp symbols, number sets and Greek capitals without a LaTeX command.
SPECIALS = "«Ünïcödé» ‹x› „q“ ‚s‘ Ðð Þþ Đđ Ŋŋ Łódź ąęįųǫ Ǭ ¢ ¥ € ‰ ¬ ℝ ℕ Α Ω ∄ ⊊ 2′3″ § © ®"


def _pdflatex(directory: Path, name: str) -> str:
    args = ["pdflatex", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", name]
    run = _run(args, directory)
    log = (directory / f"{name}.log").read_text(errors="replace")
    assert run.returncode == 0, f"{name}: pdflatex failed:\n{run.stdout[-3000:]}"
    assert "Missing character" not in log
    return log


@pytest.mark.parametrize("setup", sorted(SETUPS))
def test_every_escape_compiles_in_the_default_and_the_documented_setup(
    setup: str, tmp_path: Path
) -> None:
    """Each distinct text the tex filter gives for a character (Latin-1 to CJK, and the
    presentation forms) typesets with pdflatex, without fontenc and with T1."""
    _require_tools()
    import unicodedata

    from genbib.render.escape import REPLACEMENT, tex

    escapes: dict[str, str] = {}
    for cp in (*range(0xA0, 0x3000), *range(0xFB00, 0xFFFE)):
        ch = chr(cp)
        if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"):
            escaped = tex(ch)
            if escaped not in (REPLACEMENT, ""):
                escapes.setdefault(escaped, ch)
    assert {tex("»"), tex("ą"), tex("Þ")} <= set(escapes)
    assert len(escapes) > 300
    body = "\n".join(f"x{e}x\\par" for e in escapes)
    doc = f"\\documentclass{{article}}\n{SETUPS[setup]}\\begin{{document}}\n{body}\n\\end{{document}}\n"
    (tmp_path / "chars.tex").write_text(doc, encoding="ascii")
    _pdflatex(tmp_path, "chars")


@pytest.mark.parametrize("setup", sorted(SETUPS))
def test_a_stub_with_guillemets_and_t1_letters_compiles(
    setup: str, lab: Path, make_config: Callable[..., Config]
) -> None:
    """The stub of a topic whose title, description and papers' short names and notes
    hold those characters compiles in a paper with and without T1 fonts, and in a
    \\subsection title (a moving argument, written to the .toc). (The fields plainnat
    prints stay ASCII: BibTeX copies them into the .bbl as they are, not through genbib.)"""
    _require_tools()
    from genbib.bibtex.reader import parse
    from genbib.config import from_dict

    bib = (
        "@inproceedings{ho2020denoising, author={Ho, Jonathan}, title={Denoising Diffusion},\n"
        f"  year={{2020}}, booktitle={{NeurIPS}}, shortname={{{SPECIALS}}},\n"
        f"  annotation={{{SPECIALS}}}, presentation={{{SPECIALS}}}, topics={{specials}}}}\n"
        "@article{kingma2014auto, author={Kingma, Diederik}, title={Auto-Encoding},\n"
        f"  year={{2014}}, journal={{JMLR}}, shortname={{«VAE»}}, topics={{specials}}}}\n"
    )
    (lab / "bib" / "genmodels.bib").write_text(bib, encoding="utf-8")
    topic = {"slug": "specials", "title": f"Title {SPECIALS}", "description": SPECIALS}
    cfg = from_dict(
        {"topics": [topic], "render": {"heading": "subsection"}},
        source=str(lab / "genbib.toml"),
        root=lab,
    )
    rendering = render(parse(bib, "genmodels.bib"), cfg, formats=("tex",))
    write(rendering)
    stub = (lab / "related-work" / "specials.tex").read_text(encoding="utf-8")
    assert stub.isascii() is False  # the % comments keep the Unicode for the writer
    typeset = "\n".join(line for line in stub.splitlines() if not line.startswith("%"))
    assert typeset.isascii() and "\\UseTextSymbol{T1}{\\guillemotright}" in typeset
    tex_dir = lab / "related-work"
    driver = tex_dir / "driver.tex"
    driver.write_text(
        _driver("natbib", "specials", "../bib/genmodels", SETUPS[setup]).replace(
            "\\begin{document}\n", "\\begin{document}\n\\tableofcontents\n"
        ),
        encoding="utf-8",
    )
    log = compile_tex(tex_dir, "driver", "natbib")
    assert "Missing character" not in log
    if setup == "default":
        assert "OT1/cmr" in log and "T1/cmr" in log  # the T1 font only for those glyphs
