"""`genbib cite` finds the right paper for realistic queries over the lab's bib."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from genbib.bibtex.store import load
from genbib.cli import cli
from genbib.find import Finder

ROOT = Path(__file__).resolve().parents[2]
LAB_BIB = ROOT / "bib" / "genmodels.bib"

# (query, expected key's title fragment): typos, partial titles, authors, short names, ids.
QUERIES = [
    ("DDPM", "Denoising Diffusion Probabilistic Models"),
    ("ddim", "Denoising Diffusion Implicit Models"),
    ("denoising difusion probablistic", "Denoising Diffusion Probabilistic Models"),
    ("latent diffusion high resolution", "High-Resolution Image Synthesis with Latent Diffusion"),
    ("2006.11239", "Denoising Diffusion Probabilistic Models"),
    ("https://arxiv.org/pdf/2010.02502v4.pdf", "Denoising Diffusion Implicit Models"),
    ("score based sde", "Score-Based Generative Modeling through Stochastic Differential"),
    ("Sohl-Dickstein nonequilibrium", "Deep Unsupervised Learning using Nonequilibrium"),
    ("classifier free guidance", "Classifier-Free Diffusion Guidance"),
    ("elucidating design space", "Elucidating the Design Space of Diffusion-Based"),
    ("flow matching", "Flow Matching for Generative Modeling"),
    ("rectified flow straight fast", "Flow Straight and Fast"),
    ("visual autoregressive next scale", "Visual Autoregressive Modeling"),
    ("controlnet conditional control", "Adding Conditional Control to Text-to-Image"),
    ("consistency models", "Consistency Models"),
    ("stochastic interpolants", "Stochastic Interpolants"),
    ("diffusion beat gans", "Diffusion Models Beat GANs"),
    ("improved ddpm", "Improved Denoising Diffusion Probabilistic Models"),
    ("llamagen autoregressive beats diffusion", "Autoregressive Model Beats Diffusion"),
    ("mask git masked generative image transformer", "MaskGIT"),
    (
        "autoregressive without vector quantization",
        "Autoregressive Image Generation without Vector",
    ),
    ("taming transformers", "Taming Transformers for High-Resolution Image Synthesis"),
]


@pytest.fixture(scope="module")
def finder() -> Finder:
    lib = load(LAB_BIB)
    if len(lib) < 30:
        pytest.fail("bib/genmodels.bib is not built")
    return Finder(lib)


@pytest.mark.parametrize(("query", "title"), QUERIES)
def test_cite_finds_the_paper(finder: Finder, query: str, title: str) -> None:
    hits = finder.search(query, limit=3)
    assert hits, query
    assert title.lower() in hits[0].entry.title.replace("{", "").replace("}", "").lower(), (
        query,
        [h.entry.title for h in hits],
    )


def test_cite_cli_prints_citep_and_json() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["cite", "--file", str(LAB_BIB), "DDPM"])
    assert result.exit_code == 0, result.output
    assert "\\citep{" in result.output
    result = runner.invoke(cli, ["cite", "--file", str(LAB_BIB), "--json", "DDPM"])
    assert result.exit_code == 0
    assert '"key"' in result.output


def test_cite_no_match_exits_1(tmp_path: Path) -> None:
    bib = tmp_path / "x.bib"
    bib.write_text("@misc{a,\n  title = {Something Else},\n}\n")
    result = CliRunner().invoke(cli, ["cite", "--file", str(bib), "zzzqqq"])
    assert result.exit_code == 1
