"""The fuzz targets, shared by the hypothesis tests and the atheris harness.

Each target takes one input, runs a real genbib entry point on it and checks the
invariant that untrusted input must keep: it either parses or yields problem records
(only the documented `GenbibError`s may be raised), and what comes out is neutralised.
Any other exception, or a failed assertion, is a bug.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from genbib.bibtex.check import check_library, unsafe_latex
from genbib.bibtex.compare import lost
from genbib.bibtex.reader import decode, parse
from genbib.bibtex.writer import dumps
from genbib.config import Config, from_dict
from genbib.errors import GenbibError, InputError
from genbib.importers import import_sources
from genbib.importers.zotero_json import parse_zotero
from genbib.model.entry import Entry
from genbib.model.identifiers import is_http_url
from genbib.model.library import Library
from genbib.model.values import balanced
from genbib.render import render
from genbib.zotero.mapping import child_of, from_item, to_item

# Characters that must never reach a field genbib wrote from untrusted text.
BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
LINK_FIELDS = ("url", "pdf", "code", "project", "blog", "video", "links")
_GFM = MarkdownIt("commonmark", {"html": True}).enable("table")


def _assert_problems_sane(problems: list[Any], file: str) -> None:
    for p in problems:
        assert p.code and p.message, p
        assert p.line >= 0, p


# --- BibTeX reader, writer and check --------------------------------------------------


def bib_target(data: bytes) -> None:
    """Bytes as a .bib file: decode, parse, check, write canonically, read back."""
    text, problems = decode(data, "fuzz.bib")
    lib = parse(text, "fuzz.bib")
    _assert_problems_sane([*problems, *lib.problems], "fuzz.bib")
    check_library(lib, topics=("diffusion",))
    out = dumps(lib)
    again = parse(out, "fuzz.bib")
    # The canonical form keeps every block (what `genbib fmt` verifies before writing)...
    assert not lost(lib, again), lost(lib, again)[:3]
    # ...and is a fixed point: formatting a formatted file changes nothing.
    assert dumps(again) == out


# --- markdown importer ------------------------------------------------------------------


def config_for(root: Path, **extra: Any) -> Config:
    data = {"topics": [{"slug": "diffusion", "title": "Diffusion"}], **extra}
    return from_dict(data, source=str(root / "genbib.toml"), root=root)


def import_target(text: str, suffix: str = ".md") -> Library:
    """A markdown (or any) list imported into an empty library, then written as .bib."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        src = root / f"list{suffix}"
        src.write_text(text, encoding="utf-8", errors="surrogatepass")
        lib = Library(file=str(root / "out.bib"))
        try:
            report = import_sources(lib, [src], config_for(root), offline=True)
        except InputError:
            return lib  # "no papers found", "binary file", ...: a clear report, not a crash
        _assert_problems_sane(report.problems, str(src))
    assert_neutral_bib(lib)
    return lib


def assert_neutral_bib(lib: Library) -> None:
    """What genbib writes from untrusted input: parses back, only http(s) links, inert text."""
    out = dumps(lib)
    back = parse(out, "out.bib")
    assert not [p for p in back.problems if p.code.startswith("E00")], back.problems[:3]
    assert len(back.entries) == len(lib.entries)
    for entry in back.entries:
        for name, raw in entry.fields.items():
            assert balanced(raw), (entry.key, name, raw)
            assert not BAD_CHARS.search(raw), (entry.key, name, raw)
            assert not unsafe_latex(raw), (entry.key, name, raw)
        for name in LINK_FIELDS:
            for url in (entry.get(name) or "").split():
                assert is_http_url(url), (entry.key, name, url)


# --- Zotero mapping ---------------------------------------------------------------------


def zotero_target(item: dict[str, Any], kids: list[dict[str, Any]]) -> None:
    """A Zotero item (as the API or an export gives it) and its children, to an entry."""
    children = [c for c in (child_of(k) for k in kids) if c is not None]
    for c in children:
        if c.role != "note":
            assert is_http_url(c.value), c
    entry = from_item(item, children)
    lib = Library(blocks=[entry if entry.key else Entry(entry.type, "k", entry.fields)])
    assert_neutral_bib(lib)
    to_item(entry)  # and back: the push direction takes what the pull made


def zotero_json_target(text: str) -> None:
    """A Zotero JSON export file, parsed by the importer."""
    try:
        parsed = parse_zotero(text, "fuzz.json")
    except InputError:
        return
    _assert_problems_sane(parsed.problems, "fuzz.json")
    entries = [r.entry for r in parsed.rows if r.entry is not None]
    assert_neutral_bib(
        Library(blocks=[Entry(e.type, f"k{i}", e.fields) for i, e in enumerate(entries)])
    )


# --- renderers --------------------------------------------------------------------------


def render_target(entries: list[Entry], root: Path, **render_options: Any) -> None:
    """A library rendered to markdown and LaTeX; both outputs inert."""
    lib = Library(blocks=list(entries), file=str(root / "bib" / "genmodels.bib"))
    config = config_for(root, render=render_options)
    try:
        first = render(lib, config)
    except GenbibError:
        return
    for o in first.outputs:
        assert o.path.is_relative_to(root), o.path
        if o.format == "md":
            assert_safe_markdown(o.text)
        else:
            assert_safe_tex(o.text, driver=o.path.name in ("all.tex", "example.tex"))


def assert_safe_markdown(text: str) -> None:
    """GFM parse: no raw HTML, only http(s) links and images, tables with even columns."""
    tokens = _GFM.parse(text)
    row_cells: list[int] = []
    cells = 0
    for tok in tokens:
        assert tok.type not in ("html_block", "html_inline"), tok.content
        if tok.type == "tr_open":
            cells = 0
        elif tok.type in ("th_open", "td_open"):
            cells += 1
        elif tok.type == "tr_close":
            row_cells.append(cells)
        for child in tok.children or []:
            assert child.type != "html_inline", child.content
            if child.type in ("link_open", "image"):
                target = str(child.attrs.get("href") or child.attrs.get("src") or "")
                assert is_http_url(target) or target.endswith(".md"), target
    assert len(set(row_cells)) <= 1, row_cells
    # markdown-it leaves an unsafe link as text; make sure no such scheme survives as a target.
    assert not re.search(r"(?<!\\)\](?<!\\)\(\s*(?:javascript|data|vbscript|file):", text, re.I)


_COMMENT = re.compile(r"(?<!\\)%.*$", re.MULTILINE)


def assert_safe_tex(text: str, *, driver: bool = False) -> None:
    """Outside comments (which keep Unicode for the reader), only typesetting commands,
    balanced braces and pure ASCII; a comment is one line (nothing can end it early)."""
    body = _COMMENT.sub("", text)
    assert body.isascii(), body
    if driver:
        return  # all.tex / example.tex come from templates only (slugs are checked)
    assert balanced(body.replace("\\{", "").replace("\\}", "")), body
    # Typesetting commands only (escapes, latexcodec's accents and symbols, citations):
    # nothing that reads, writes, defines, or changes catcodes; no `^^` escape.
    assert not unsafe_latex(body), unsafe_latex(body)


def dumps_json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)
