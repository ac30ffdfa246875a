"""An entry whose stars enrich wrote from GitHub's answer shows them on its code badge."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from genbib.bibtex.reader import parse
from genbib.bibtex.writer import dumps
from genbib.config import Config
from genbib.enrich.cache import Reply
from genbib.enrich.links import update_stars
from genbib.enrich.sources.github import parse_repo
from genbib.render import render

RECORDED = Path(__file__).resolve().parents[1] / "data" / "enrich" / "github_repo.json"
BIB = """@inproceedings{ho2020denoising,
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  title = {Denoising Diffusion Probabilistic Models},
  booktitle = {Advances in Neural Information Processing Systems},
  year = {2020},
  code = {https://github.com/hojonathanho/diffusion},
  topics = {diffusion},
}
"""


def _markdown(bib: str, config: Config) -> str:
    outputs = render(parse(bib, "genmodels.bib"), config, topic="diffusion", formats=("md",))
    return next(o.text for o in outputs.outputs if o.path.name == "diffusion.md")


def test_stars_from_github_show_on_the_code_badge(make_config: Callable[..., Config]) -> None:
    lib = parse(BIB, "genmodels.bib")
    facts = parse_repo("hojonathanho/diffusion", Reply(200, RECORDED.read_text("utf-8"), "", 0.0))
    assert update_stars(lib.entries[0], facts)  # what `genbib enrich` does with the answer
    enriched = dumps(lib)
    assert "stars = {4100}" in enriched and "fieldsources = {stars=github}" in enriched

    shields = _markdown(enriched, make_config())
    badge = (
        "[![code ★ 4.1k](https://img.shields.io/badge/code-%E2%98%85_4.1k-black)]"
        "(https://github.com/hojonathanho/diffusion)"
    )
    assert badge in shields
    assert "[code ★ 4.1k](https://github.com/hojonathanho/diffusion)" in _markdown(
        enriched, make_config(badges="text")
    )
    # Without the field (GitHub never answered) the badge is a plain code badge.
    plain = _markdown(BIB, make_config())
    assert "★" not in plain and "(https://github.com/hojonathanho/diffusion)" in plain
