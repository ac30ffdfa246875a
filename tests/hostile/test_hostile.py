"""The hostile corpus through every command that reads it: each run ends with a clear
report, and what reaches the .bib, .tex and .md is inert."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hostile_support import (
    HAVE_TEX,
    HOSTILE,
    NASTY_TITLE,
    Project,
    files_touched,
    latex,
    neutral_bib,
    outside,
)

from genbib.bibtex.reader import read_file


def import_all(project: Project) -> None:
    """The hostile markdown list, the hostile Zotero export and a list with control
    characters, NUL bytes and bidi overrides in titles, imported into the project's bib."""
    nasty = project.root / "nasty.md"
    nasty.write_text(
        f"# Diffusion\n\n| Paper | Code |\n| --- | --- |\n"
        f"| [{NASTY_TITLE}](https://arxiv.org/abs/2204.06125) | [code](https://github.com/x/y) |\n"
    )
    nul = project.root / "nul.json"
    nul.write_text(json.dumps([{"itemType": "preprint", "title": "NUL\x00 in \u202etitle\x1b[0m", "date": "2022",
                                "url": "https://arxiv.org/abs/2112.10752"}]))  # fmt: skip
    for source in (
        HOSTILE / "markdown" / "hostile.md",
        HOSTILE / "zotero" / "hostile_items.json",
        nasty,
        nul,
    ):
        result = project.genbib("import", str(source), "--topic", "diffusion")
        assert str(source.name) in result.output or "added" in result.output.lower(), result.output
    binary = project.root / "binary.md"
    binary.write_bytes(b"# Diffusion\n\n- [T\x00itle](https://arxiv.org/abs/2006.11239)\n")
    result = project.genbib("import", str(binary), ok=(4,))
    assert "binary.md: binary file, not a paper list" in result.output  # a NUL: refused, clearly


def test_import_neutralises_lists_and_zotero_items(project: Project) -> None:
    import_all(project)
    report = "\n".join(project.outputs)
    assert "unsafe-link" in report  # the javascript:/data: links are reported, not kept
    neutral_bib(project.bib)
    lib = read_file(project.bib)
    titles = " ".join(e.title for e in lib)
    assert "textbackslash" in titles and "write18" in titles  # kept as text, made inert
    assert "\u202e" not in titles and "\x00" not in titles
    # `genbib check` on the result: no unsafe LaTeX (E030) left, and the run is clean.
    check = project.genbib("check", str(project.bib), "--json")
    assert "E030" not in check.output


def test_check_reports_hand_written_hostile_bib(project: Project) -> None:
    bib = project.root / "hostile.bib"
    shutil.copy(HOSTILE / "bib" / "hostile.bib", bib)
    result = project.genbib("check", str(bib), ok=(1,))
    for key in ("write2020", "input2021", "catcode2022"):
        assert f"{key}: E030-unsafe-latex" in result.output, result.output
    assert f"{bib}:" in result.output  # file:line, where an editor jumps
    fmt = project.genbib("fmt", str(bib))
    assert fmt.exit_code == 0
    again = read_file(bib)
    assert {e.key for e in again} == {
        "write2020",
        "input2021",
        "catcode2022",
        "markup2023",
        "traversal2023",
    }


def test_render_hostile_bib_is_inert(project: Project) -> None:
    """A bib with every kind of hostile field (as a careless import or a bad commit could
    leave it): the lists and stubs genbib renders from it are still inert."""
    shutil.copy(HOSTILE / "bib" / "hostile.bib", project.bib)
    lib_text = project.bib.read_text() + (
        f"\n@misc{{nasty2024, title = {{{NASTY_TITLE}}}, author = {{Trojan, Source}}, "
        "year = {2024}, topics = {diffusion}}\n"
    )
    project.bib.write_text(lib_text)
    result = project.genbib("render")
    assert result.exit_code == 0
    project.assert_outputs_inert()
    md = (project.root / "lists" / "diffusion.md").read_text()
    assert "<script>" not in md and "javascript:" not in md.replace("javascript:alert", "")
    assert "\u202e" not in md and "\x00" not in md
    # Topic slugs that name paths never become files outside lists/ or related-work/.
    written = {
        p.relative_to(project.root).as_posix() for p in project.root.rglob("*") if p.is_file()
    }
    assert all(w.startswith(("lists/", "related-work/", "bib/", "genbib.toml")) for w in written), (
        written
    )


@pytest.mark.latex
@pytest.mark.skipif(not HAVE_TEX, reason="TeX Live is not installed")
def test_rendered_stubs_compile_sandboxed_from_hostile_bib(project: Project) -> None:
    """The stubs rendered from the hostile bib compile with shell escape off, and LaTeX
    reads and writes nothing outside the build directory (no bibtex: the hand-written
    hostile bib itself is what `genbib check` rejects)."""
    shutil.copy(HOSTILE / "bib" / "hostile.bib", project.bib)
    project.genbib("render")
    build = project.root / "related-work"
    log = latex(build, "example", bibtex=False)
    assert "Not writing" not in log and "not reading" not in log.lower()
    assert outside(files_touched(build, "example"), build) == []
    assert not Path("/tmp/genbib-pwned").exists() and not Path("/tmp/genbib-openout.tex").exists()


@pytest.mark.latex
@pytest.mark.skipif(not HAVE_TEX, reason="TeX Live is not installed")
def test_imported_hostile_bib_compiles_sandboxed_with_bibtex(project: Project) -> None:
    """The bib genbib wrote from hostile lists and Zotero items goes through bibtex into
    the document: it compiles, and nothing outside the project is read or written."""
    import_all(project)
    project.genbib("render")
    project.assert_outputs_inert()
    build = project.root / "related-work"
    log = latex(build, "example", bibtex=True)
    assert "Citation" not in log or "undefined" not in log, log[-2000:]
    touched = files_touched(build, "example")
    assert any(p.name == "genmodels.bib" for _, p in touched)  # bibtex did read the bib
    assert outside(touched, project.root) == []


@pytest.mark.latex
@pytest.mark.skipif(not HAVE_TEX, reason="TeX Live is not installed")
def test_sandbox_check_catches_a_read_outside(tmp_path: Path) -> None:
    """The check itself works: a document that reads /etc/hostname is caught (without the
    paranoid setting), so an empty list above means something."""
    import os
    import subprocess

    (tmp_path / "leak.tex").write_text(
        "\\documentclass{article}\\begin{document}\\input{/etc/hostname}\\end{document}\n"
    )
    if not Path("/etc/hostname").exists():
        pytest.skip("no /etc/hostname here")
    subprocess.run(["pdflatex", "-no-shell-escape", "-interaction=nonstopmode", "-recorder", "leak.tex"],
                   cwd=tmp_path, capture_output=True, env={**os.environ, "openin_any": "a"}, timeout=120)  # fmt: skip
    assert ("INPUT", Path("/etc/hostname")) in outside(files_touched(tmp_path, "leak"), tmp_path)


def test_template_and_output_path_traversal(project: Project, tmp_path: Path) -> None:
    shutil.copy(HOSTILE / "bib" / "hostile.bib", project.bib)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    templates = project.root / "templates"
    templates.mkdir()
    # A lab template that includes a file outside its directory: refused, clearly.
    (templates / "topic.md.j2").write_text('{% include "../../secret.txt" %}\n')
    result = project.genbib("render", ok=(4,))
    assert "'..' is not allowed" in result.output and "TOP SECRET" not in result.output
    (templates / "topic.md.j2").unlink()
    (templates / "topic.md.j2").symlink_to(secret)  # a symlinked template is the lab's choice
    (templates / "topic.md.j2").unlink()
    # An output directory with a symlink planted where a list goes: refused, not followed.
    lists = project.root / "lists"
    lists.mkdir()
    (lists / "diffusion.md").symlink_to(secret)
    result = project.genbib("render", ok=(4,))
    assert "symlink" in result.output
    assert secret.read_text() == "TOP SECRET"
    # A topic whose slug is a path is refused by the configuration or the renderer.
    (project.root / "genbib.toml").write_text('[[topics]]\nslug = "../../escape"\ntitle = "x"\n')
    (lists / "diffusion.md").unlink()
    project.genbib("render", ok=(0, 1, 4))
    assert not list(tmp_path.rglob("escape*"))


def test_braces_nested_10000_deep(project: Project) -> None:
    deep = "{" * 10_000 + "deep" + "}" * 10_000
    unbalanced = "{" * 10_000 + "open"
    project.bib.write_text(
        f"@misc{{deep, title = {deep}, author = {{A, B}}, year = {{2020}}, topics = {{diffusion}}}}\n"
        f"@misc{{open, title = {unbalanced}}}\n@misc{{after, title = {{Still read}}, topics = {{diffusion}}}}\n"
    )
    check = project.genbib("check", str(project.bib), ok=(1,))
    assert "open" in check.output and "E002" in check.output
    project.genbib("fmt", str(project.bib))
    assert "{" * 10_000 + "deep" in project.bib.read_text()  # kept as written
    project.genbib("render")
    assert "Still read" in (project.root / "lists" / "diffusion.md").read_text()
    md = project.root / "deep.md"
    md.write_text(
        "# Diffusion\n\n- "
        + "[" * 10_000
        + "x"
        + "]" * 10_000
        + "(https://a.org)\n"
        + "> " * 5000
        + "q\n"
    )
    project.genbib("import", str(md), ok=(0, 1, 4))


def test_ten_megabyte_fields(project: Project) -> None:
    big = "A" * 10_000_000
    project.bib.write_text(
        f"@misc{{big, title = {{Big}}, abstract = {{{big}}}, year = {{2021}}, topics = {{diffusion}}}}\n"
    )
    project.genbib("check", str(project.bib))
    project.genbib("fmt", str(project.bib))
    assert big in project.bib.read_text()
    project.genbib("render")
    huge_list = project.root / "huge.md"
    huge_list.write_text("# Diffusion\n\n- [T](https://arxiv.org/abs/2006.11239) " + big + "\n")
    result = project.genbib("import", str(huge_list), ok=(4,))
    assert "too large" in result.output


@pytest.mark.slow
def test_ten_megabyte_rendered_annotation(project: Project) -> None:
    """A 10 MB annotation goes into every list and stub (about 20 s: the stub's comment
    wrapping); it finishes and stays inert."""
    project.bib.write_text(
        f"@misc{{big, title = {{Big}}, annotation = {{{'x ' * 5_000_000}}}, topics = {{diffusion}}}}\n"
    )
    project.genbib("render")
    project.assert_outputs_inert()
