"""A list summary with `50% faster`, imported, rendered and compiled: the bib holds
`50\\% faster`, the markdown list shows `50% faster`, and example.tex compiles with
biblatex + biber, which copy the annotation into the .bbl (where a bare `%` breaks it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from tests.render.test_latex import _require_tools, _run, compile_tex

from genbib.bibtex.reader import read_file
from genbib.bibtex.writer import dumps
from genbib.config import Config
from genbib.importers import import_sources
from genbib.render import render, write

LIST = """# Reading list

| Title | Venue | Summary | Links |
| --- | --- | --- | --- |
| Fewer Steps for Everyone | ICLR 2024 | 50% faster sampling; Q&A in issue #12 | [arXiv](https://arxiv.org/abs/2401.00001) |
"""
SUMMARY = "50% faster sampling; Q&A in issue #12"


def _import(lab: Path, config: Config) -> str:
    src = lab / "list.md"
    src.write_text(LIST, encoding="utf-8")
    library = read_file(config.bib_path)
    import_sources(library, [src], config, topic="diffusion")
    text = dumps(library)
    config.bib_path.write_text(text, encoding="utf-8")
    return text


def test_percent_in_a_summary_survives_import_render_and_biblatex(
    lab: Path, make_config: Callable[..., Config]
) -> None:
    config = make_config(citations="biblatex")
    bib = _import(lab, config)
    assert r"annotation = {50\% faster sampling; Q\&A in issue \#12}," in bib

    rendering = render(read_file(config.bib_path), config)
    texts = {o.path.name: o.text for o in rendering.outputs}
    row = next(line for line in texts["diffusion.md"].splitlines() if "Fewer Steps" in line)
    assert "| 50% faster sampling; Q\\&A in issue \\#12 |" in row  # md escapes & and #
    shown = MarkdownIt("commonmark").enable("table").render(texts["diffusion.md"])
    assert ">50% faster sampling; Q&amp;A in issue #12</td>" in shown
    stub = texts["diffusion.tex"]
    assert f"% Note: {SUMMARY}\n" in stub  # decoded once, in a comment line
    assert "textbackslash" not in stub and "\\%" not in stub.split("% Note: ")[1].split("\n")[0]

    _require_tools()
    write(rendering)
    compile_tex(lab / "related-work", "example", "biblatex")
    bbl = (lab / "related-work" / "example.bbl").read_text(encoding="utf-8")
    assert r"\field{annotation}{50\% faster sampling; Q\&A in issue \#12}" in bbl


@pytest.mark.slow
def test_a_bare_percent_is_what_breaks_biblatex(
    lab: Path, make_config: Callable[..., Config]
) -> None:
    """The control: the same bib with the `%` unescaped does not compile."""
    _require_tools()
    config = make_config(citations="biblatex")
    bib = _import(lab, config).replace(r"50\% faster", "50% faster")
    config.bib_path.write_text(bib, encoding="utf-8")
    write(render(read_file(config.bib_path), config, formats=("tex",)))
    tex_dir = lab / "related-work"
    latex = ["pdflatex", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error"]
    assert _run([*latex, "-draftmode", "example"], tex_dir).returncode == 0
    _run(["biber", "example"], tex_dir)
    final = _run([*latex, "example"], tex_dir)
    assert final.returncode != 0
    assert "File ended while scanning use of" in final.stdout
