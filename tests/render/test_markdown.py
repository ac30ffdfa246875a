"""The rendered lists parsed back with a GFM parser: tables, links and no HTML from data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from genbib.bibtex.reader import read_file
from genbib.config import Config
from genbib.render import render

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _walk(tokens: list[Token]) -> list[Token]:
    out = []
    for t in tokens:
        out.append(t)
        out.extend(_walk(t.children or []))
    return out


def check_markdown(text: str, *, index_links: set[str]) -> int:
    """Assert the GFM invariants; return the number of table body rows."""
    tokens = PARSER.parse(text)
    everything = _walk(tokens)
    # No raw HTML at all: the templates write none and the data cannot produce any.
    assert not [t for t in everything if t.type in ("html_block", "html_inline")]
    # Every table: each row has as many cells as its header.
    rows = 0
    width: int | None = None
    cells = 0
    in_body = False
    for t in tokens:
        if t.type == "table_open":
            width = None
        elif t.type == "tbody_open":
            in_body = True
        elif t.type == "tbody_close":
            in_body = False
        elif t.type == "tr_open":
            cells = 0
            rows += in_body
        elif t.type in ("th_open", "td_open"):
            cells += 1
        elif t.type == "tr_close":
            width = cells if width is None else width
            assert cells == width, f"row {rows}: {cells} cells, header has {width}"
    # Every source table line is one row (no line break from data split a row).
    source_rows = [line for line in text.splitlines() if line.startswith("|")]
    assert all(line.endswith("|") for line in source_rows)
    assert len(source_rows) == rows + 2 * sum(1 for t in tokens if t.type == "table_open")
    # Every link and image is http(s), or a relative link from the index to a list.
    for t in everything:
        if t.type == "link_open":
            href = str(t.attrs["href"])
            if href in index_links:
                continue
            assert urlsplit(href).scheme in ("http", "https") and urlsplit(href).netloc, href
        if t.type == "image":
            src = str(t.attrs["src"])
            assert src.startswith("https://img.shields.io/badge/"), src
    return rows


def _check_all(outputs: list[tuple[str, str]]) -> dict[str, int]:
    names = {name for name, _ in outputs}
    counts = {}
    for name, text in outputs:
        counts[name] = check_markdown(text, index_links=names)
    return counts


@pytest.mark.parametrize("badges", ["shields", "text"])
def test_fixture_lists_parse_back(
    badges: str, library: object, make_config: Callable[..., Config]
) -> None:
    r = render(library, make_config(badges=badges), formats=("md",))  # type: ignore[arg-type]
    counts = _check_all([(o.path.name, o.text) for o in r.outputs])
    assert counts["diffusion.md"] == 10 and counts["README.md"] == 5


def test_hostile_lists_parse_back(make_hostile_config: Callable[..., Config]) -> None:
    for badges in ("shields", "text"):
        cfg = make_hostile_config(badges=badges)
        r = render(read_file(cfg.bib_path), cfg, formats=("md",))
        outputs = [(o.path.name, o.text) for o in r.outputs]
        counts = _check_all(outputs)
        assert counts["hostile.md"] == 3
        text = dict(outputs)["hostile.md"]
        tokens = _walk(PARSER.parse(text))
        shown = "".join(t.content for t in tokens if t.type == "text")
        # The hostile text is shown as text, not lost and not interpreted.
        assert "<script>alert(1)</script>" in shown
        assert "[x](javascript:alert(1))" in shown
        assert "\\input{/etc/passwd}" in shown
        assert "50% off, a_b, #1" in shown
        assert "Łódź and Ærøskøbing" in shown
        assert "\u202e" not in text and "\u200b" not in text
        hrefs = [str(t.attrs["href"]) for t in tokens if t.type == "link_open"]
        assert not [h for h in hrefs if "javascript" in h or h.startswith(("data:", "file:"))]
        assert not [h for h in hrefs if "@" in urlsplit(h).netloc]
        assert "https://github.com/evil/repo?a=1&b=%282%29%7Cx" in hrefs


def test_lists_written_to_disk_parse_back(library: object, config: Config, lab: Path) -> None:
    from genbib.render import write

    write(render(library, config, formats=("md",)))  # type: ignore[arg-type]
    files = sorted((lab / "lists").glob("*.md"))
    assert len(files) == 6
    _check_all([(p.name, p.read_text(encoding="utf-8")) for p in files])
