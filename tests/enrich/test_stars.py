"""GitHub star counts for the rendered lists: written from GitHub's answer (online or
from the cache), recorded in `fieldsources`, rewritten only on a change of over 10%."""

from __future__ import annotations

from typing import Any

import httpx2
from enrich_fakes import FakeAPI, json_file
from hypothesis import given
from hypothesis import strategies as st

from genbib.bibtex.reader import parse
from genbib.bibtex.writer import dumps
from genbib.enrich import provenance
from genbib.enrich.candidate import RepoFacts
from genbib.enrich.engine import Enricher, EnrichResult
from genbib.enrich.links import update_stars
from genbib.model.entry import Entry
from genbib.model.library import Library

GH = "https://api.github.com/repos/"

DDPM = """@inproceedings{ho2020denoising,
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  title = {Denoising Diffusion Probabilistic Models},
  booktitle = {Advances in Neural Information Processing Systems},
  year = {2020},
  code = {https://github.com/hojonathanho/diffusion},
STARS}
"""


def lab(stars: str = "") -> Library:
    line = f"  stars = {{{stars}}},\n" if stars else ""
    return parse(DDPM.replace("STARS", line), "lab.bib")


def run(lib: Library, fetcher: Any) -> EnrichResult:
    return Enricher(fetcher, ("github",)).run(lib.entries, lib.entries)


def test_online_answer_writes_stars_with_their_source(api: FakeAPI, make_fetcher: Any) -> None:
    api.add(GH + "hojonathanho/diffusion", json_file("github_repo.json"))  # 4100 stars
    lib = lab()
    result = run(lib, make_fetcher())
    e = lib.entries[0]
    assert e.get("stars") == "4100"
    assert provenance.sources(e) == {"stars": "github"}
    assert [(c.field, c.old, c.new, c.source) for c in result.changes] == [
        ("stars", "", "4100", "github")
    ]
    assert "  stars = {4100},\n" in dumps(lib)
    assert run(lib, make_fetcher()).changes == []  # the same count again: nothing to do


def test_stars_come_from_the_cache_offline(api: FakeAPI, make_fetcher: Any) -> None:
    api.add(GH + "hojonathanho/diffusion", json_file("github_repo.json"))
    online = make_fetcher()
    run(lab(), online)
    assert online.cache is not None
    online.cache.save()  # what `genbib enrich` does at the end of a run

    def boom(request: httpx2.Request) -> httpx2.Response:
        raise AssertionError("offline must not connect")

    lib = lab()
    result = run(lib, make_fetcher(offline=True, transport=httpx2.MockTransport(boom)))
    assert lib.entries[0].get("stars") == "4100"
    assert provenance.sources(lib.entries[0])["stars"] == "github"
    assert result.unresolved == []


def test_offline_without_a_cached_answer_writes_nothing(make_fetcher: Any) -> None:
    lib = lab()
    before = dumps(lib)
    result = run(lib, make_fetcher(offline=True))
    assert dumps(lib) == before
    assert [s for _, s, _ in result.unresolved] == ["github"]


def test_small_drift_is_left_alone_big_change_rewritten(api: FakeAPI, make_fetcher: Any) -> None:
    api.add(GH + "hojonathanho/diffusion", json_file("github_repo.json"))  # 4100
    near = lab("3800")  # 4100 is 7.9% more: within 10%, the file does not churn
    assert run(near, make_fetcher()).changes == []
    assert near.entries[0].get("stars") == "3800"
    assert "fieldsources" not in near.entries[0].fields
    far = lab("3700")  # 10.8% more: rewritten
    [change] = run(far, make_fetcher()).changes
    assert (change.old, change.new) == ("3700", "4100")
    assert far.entries[0].get("stars") == "4100"


def test_renamed_repository_gets_the_new_home_s_stars(api: FakeAPI, make_fetcher: Any) -> None:
    api.add(GH + "oldorg/old", json_file("github_renamed.json"))  # neworg/new-name, 17 stars
    lib = parse(
        """@misc{x,
  title = {Denoising Diffusion Implicit Models},
  code = {https://github.com/oldorg/old},
}
""",
        "lab.bib",
    )
    run(lib, make_fetcher())
    e = lib.entries[0]
    assert e.get("code") == "https://github.com/neworg/new-name"
    assert e.get("stars") == "17"
    assert provenance.sources(e) == {"code": "github", "stars": "github"}


def test_only_the_first_code_link_and_only_a_live_github_repository(
    api: FakeAPI, make_fetcher: Any
) -> None:
    api.add(GH + "gone/repo", json_file("github_404.json", status=404))
    api.add(GH + "hojonathanho/diffusion", json_file("github_repo.json"))
    lib = parse(
        """@misc{dead,
  title = {A},
  code = {https://github.com/gone/repo https://github.com/hojonathanho/diffusion},
}

@misc{gitlab,
  title = {B},
  code = {https://gitlab.com/someone/b https://github.com/hojonathanho/diffusion},
}
""",
        "lab.bib",
    )
    run(lib, make_fetcher())
    # render shows stars on the first code link only; neither first link has any
    assert [e.get("stars") for e in lib.entries] == [None, None]


def _entry(stars: int | None) -> Entry:
    e = Entry("misc", "k")
    e.set("code", "https://github.com/o/r")
    if stars is not None:
        e.set("stars", str(stars))
    return e


@given(st.one_of(st.none(), st.integers(0, 10**6)), st.integers(0, 10**6))
def test_stored_count_is_always_within_ten_percent(old: int | None, new: int) -> None:
    e = _entry(old)
    changes = update_stars(e, RepoFacts("o/r", True, "o/r", stars=new))
    stored = int(e.get("stars") or "-1")
    assert abs(new - stored) <= 0.1 * stored
    assert bool(changes) == (old is None or stored != old)
    assert bool(changes) == ("fieldsources" in e.fields)
