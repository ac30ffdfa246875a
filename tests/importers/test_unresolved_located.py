"""An identifier list imported online whose identifiers do not resolve: every finding names
the list's file and the identifier's line (they said `<input>:0` before).

The whole `genbib import` process runs against a local server that replays what the
services really answer for an unknown paper: arXiv's empty feed (`arxiv_no_result.xml`,
recorded by arxiv.py; tests/data/enrich/real/SOURCES.md) and Crossref's 404 for an
unknown DOI. genbib reaches it through `[enrich.base_urls]`, over real HTTP.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from tests.enrich.replay import Handler, serving

REAL = Path(__file__).parents[1] / "data" / "enrich" / "real"


class Replay(Handler):
    def do_GET(self) -> None:
        Replay.seen.append(self.path)
        if urlsplit(self.path).path == "/arxiv/api/query":
            self.reply(200, (REAL / "arxiv_no_result.xml").read_bytes(), "application/atom+xml")
        else:  # Crossref: `404 Resource not found.` for a DOI it does not know
            self.reply(404, b"Resource not found.", "text/plain")


@pytest.fixture
def server() -> Iterator[str]:
    Replay.seen = []
    with serving(Replay) as url:
        yield url


IDS = """# papers to read next
2401.99999

10.9999/no.such.paper
"""


def test_unresolved_identifiers_are_reported_at_their_line(tmp_path: Path, server: str) -> None:
    (tmp_path / "bib").mkdir()
    (tmp_path / "genbib.toml").write_text(
        f"""bib = "bib/lab.bib"
[enrich]
sources = ["arxiv", "crossref"]
cache = "cache"
[enrich.base_urls]
arxiv = "{server}/arxiv/api/query"
crossref = "{server}/crossref"
""",
        encoding="utf-8",
    )
    (tmp_path / "toread.txt").write_text(IDS, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "genbib", "import", "toread.txt", "--json"],
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr + run.stdout
    report = json.loads(run.stdout)
    where = {(p["code"], p["file"], p["line"]) for p in report["problems"]}
    assert ("I-unresolved", "toread.txt", 2) in where
    assert ("I-unresolved", "toread.txt", 4) in where
    assert ("I-stub", "toread.txt", 2) in where and ("I-stub", "toread.txt", 4) in where
    assert all(p["file"] == "toread.txt" and p["line"] in (2, 4) for p in report["problems"])
    unresolved = [p["message"] for p in report["problems"] if p["code"] == "I-unresolved"]
    assert any("2401.99999" in m for m in unresolved)
    assert any("10.9999/no.such.paper" in m for m in unresolved)
    # the sources were really asked, at the configured bases; both stubs were kept
    assert any(p.startswith("/arxiv/api/query") for p in Replay.seen)
    assert any(p.startswith("/crossref/works/") for p in Replay.seen)
    assert sorted(report["added"]) == ["arxiv:2401.99999", "doi:10.9999/no.such.paper"]
