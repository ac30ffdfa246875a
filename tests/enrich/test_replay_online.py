"""`genbib enrich --online`, the whole process, against a local server replaying real answers.

The server answers with what arXiv, Crossref, GitHub and OpenAlex really returned (captured by other
projects: tests/data/enrich/real/SOURCES.md); genbib reaches it through `[enrich.base_urls]`,
over real HTTP, with its own client, retries and cache, as a user's run would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from tests.enrich.replay import Handler, serving

from genbib.bibtex.reader import read_file

REAL = Path(__file__).parent.parent / "data" / "enrich" / "real"
OLD_REPO = "octokit-fixture-org/tmp-scenario-rename-repository-20220719044033126-ukeod"


class Replay(Handler):
    """Routes each service's paths to the captured body it answered with."""

    def do_GET(self) -> None:
        Replay.seen.append(self.path)
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path == "/arxiv/api/query" and query.get("id_list") == ["1605.08386"]:
            return self._send(200, "arxiv_1605.08386.xml", "application/atom+xml")
        if url.path == "/crossref/works/10.1371/journal.pone.0033693":
            return self._send(200, "crossref_journal_article.json")
        if url.path == f"/github/repos/{OLD_REPO}":
            # GitHub answers a renamed repository with a 301 to its id (octokit/fixtures).
            return self._send(
                301, "github_moved_301.json", location="/github/repositories/515436299"
            )
        if url.path in ("/github/repositories/515436299", f"/github/repos/{OLD_REPO}-newname"):
            return self._send(200, "github_renamed_repository.json")
        if url.path == "/openalex/works/doi:10.1073/pnas.1414271111":
            return self._send(200, "openalex_work_pnas.json")
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(
        self, status: int, name: str, ctype: str = "application/json", location: str = ""
    ) -> None:
        self.reply(status, (REAL / name).read_bytes(), ctype, location)


@pytest.fixture
def server() -> Iterator[str]:
    Replay.seen = []
    with serving(Replay) as url:
        yield url


def enrich_online(lab: Path) -> subprocess.CompletedProcess[str]:
    """`genbib enrich --online` in `lab`, as its own process."""
    return subprocess.run(
        [sys.executable, "-m", "genbib", "enrich", "--online"],
        cwd=lab,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )


BIB = f"""@misc{{heatbath,
  title = {{Heat-bath random walks with Markov bases}},
  url = {{https://arxiv.org/abs/1605.08386}},
}}

@article{{methylphenidate,
  title = {{Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of Microglia in the Basal Ganglia of Mice}},
  doi = {{10.1371/journal.pone.0033693}},
  code = {{https://github.com/{OLD_REPO}}},
}}
"""


def test_enrich_online_against_replayed_services(tmp_path: Path, server: str) -> None:
    (tmp_path / "bib").mkdir()
    (tmp_path / "bib" / "lab.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "genbib.toml").write_text(
        f"""bib = "bib/lab.bib"
[enrich]
sources = ["arxiv", "crossref", "github"]
cache = "cache"
[enrich.base_urls]
arxiv = "{server}/arxiv/api/query"
crossref = "{server}/crossref"
github = "{server}/github"
""",
        encoding="utf-8",
    )
    run = enrich_online(tmp_path)
    assert run.returncode == 0, run.stderr + run.stdout
    entries = read_file(tmp_path / "bib" / "lab.bib").by_key()
    heat = entries["heatbath"]
    assert heat.get("author") == "Stanley, Caprice and Windisch, Tobias"
    assert heat.get("year") == "2016"
    meth = entries["methylphenidate"]
    assert meth.get("journal") == "PLoS ONE" and meth.get("volume") == "7"
    assert meth.get("author", "").startswith("Sadasivan, Shankar and Pond, Brooks B.")
    assert meth.get("code") == f"https://github.com/{OLD_REPO}-newname"
    # Real HTTP reached the replay server for each source, through the configured bases.
    assert any(p.startswith("/arxiv/api/query") for p in Replay.seen)
    assert any(p.startswith("/crossref/works/") for p in Replay.seen)
    assert "/github/repositories/515436299" in Replay.seen

    # A second run answers from the cache (only the repository's new name is new to it).
    Replay.seen = []
    before = (tmp_path / "bib" / "lab.bib").read_bytes()
    again = enrich_online(tmp_path)
    assert again.returncode == 0, again.stderr
    assert Replay.seen == [f"/github/repos/{OLD_REPO}-newname"]
    assert (tmp_path / "bib" / "lab.bib").read_bytes() == before


PNAS = """@article{hypoxia,
  title = {Developing functional musculoskeletal tissues through hypoxia and lysyl
    oxidase-induced collagen cross-linking},
  doi = {10.1073/pnas.1414271111},
}
"""


def test_enrich_online_openalex_against_its_replayed_answer(tmp_path: Path, server: str) -> None:
    """One DOI, so one `/works/doi:` request (a batch needs two), matched to the work
    OpenAlex really returned for it (recorded by paper-qa)."""
    (tmp_path / "bib").mkdir()
    (tmp_path / "bib" / "lab.bib").write_text(PNAS, encoding="utf-8")
    (tmp_path / "genbib.toml").write_text(
        f"""bib = "bib/lab.bib"
[enrich]
sources = ["openalex"]
cache = "cache"
[enrich.base_urls]
openalex = "{server}/openalex"
""",
        encoding="utf-8",
    )
    run = enrich_online(tmp_path)
    assert run.returncode == 0, run.stderr + run.stdout
    assert [urlsplit(p).path for p in Replay.seen] == [
        "/openalex/works/doi:10.1073/pnas.1414271111"
    ]
    e = read_file(tmp_path / "bib" / "lab.bib").by_key()["hypoxia"]
    assert e.get("journal") == "Proceedings of the National Academy of Sciences"
    assert (e.get("volume"), e.get("number"), e.get("year")) == ("111", "45", "2014")
    assert e.get("author", "").startswith("Makris, Eleftherios and Responte, Donald J.")
