"""The lab's five seed lists: what they hold and every data error in them, pinned.

Read by hand (sources/000..004): 109 paper rows naming 77 distinct papers, 13 rows that
are not papers, and the errors below. If a change to the importer moves any of these
numbers, it changed what the lab's bibliography is.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.importers.conftest import SEED_METADATA, SOURCES, find, run_import

from genbib.config import Config
from genbib.importers import ImportReport
from genbib.model.library import Library

L0, L1, L2, L3, L4 = (
    "000_41384102c53660c7.txt",
    "001_8fbf800e45d2fd36.txt",
    "002_a71ef7afcb9247f5.txt",
    "003_143d54c884f5b417.txt",
    "004_bd86e4789bed5a1a.txt",
)


@pytest.fixture(scope="module")
def lab(lab_config: Config) -> tuple[Library, ImportReport]:
    return run_import(sorted(SOURCES.iterdir()), lab_config)


@pytest.fixture(scope="module")
def lab_meta(lab_config: Config) -> tuple[Library, ImportReport]:
    return run_import(sorted(SOURCES.iterdir()), lab_config, metadata=[SEED_METADATA])


def by_title(lib: Library, title: str) -> list:
    return [
        e for e in lib.entries if e.title.lower().replace("{", "").replace("}", "") == title.lower()
    ]


def test_counts(lab: tuple[Library, ImportReport]) -> None:
    lib, report = lab
    assert report.rows == 109
    assert report.papers == 77
    assert len(lib.entries) == 77
    assert len(report.skipped) == 13
    titles = [e.title.lower() for e in lib.entries]
    assert len(set(titles)) == 77  # none doubled
    arxiv = [e.arxiv for e in lib.entries if e.arxiv]
    assert len(arxiv) == len(set(arxiv))


@pytest.mark.parametrize(
    ("title", "lists", "topics"),
    [
        ("Denoising Diffusion Probabilistic Models", 4, ["diffusion"]),
        (
            "Score-Based Generative Modeling through Stochastic Differential Equations",
            5,
            ["diffusion", "score-based"],
        ),
        ("Denoising Diffusion Implicit Models", 4, ["diffusion"]),
        ("Deep Unsupervised Learning using Nonequilibrium Thermodynamics", 3, ["diffusion"]),
        (
            "Generative Modeling by Estimating Gradients of the Data Distribution",
            3,
            ["diffusion", "score-based"],
        ),
        ("Consistency Models", 3, ["diffusion", "distillation"]),
        (
            "Visual Autoregressive Modeling: Scalable Image Generation via Next-Scale Prediction",
            3,
            ["autoregressive"],
        ),
        ("High-Resolution Image Synthesis with Latent Diffusion Models", 3, ["diffusion"]),
        ("Elucidating the Design Space of Diffusion-Based Generative Models", 3, ["diffusion"]),
        ("Diffusion Models Beat GANs on Image Synthesis", 3, ["diffusion"]),
        (
            "Autoregressive Image Generation without Vector Quantization",
            2,
            ["ar-diffusion", "autoregressive"],
        ),
        (
            "Autoregressive Model Beats Diffusion: Llama for Scalable Image Generation",
            2,
            ["autoregressive"],
        ),
        ("Taming Transformers for High-Resolution Image Synthesis", 2, ["vae"]),
        ("Classifier-Free Diffusion Guidance", 2, ["diffusion"]),
        ("Improved Denoising Diffusion Probabilistic Models", 2, ["diffusion"]),
        ("Variational Diffusion Models", 1, ["diffusion"]),  # twice in list 001
    ],
)
def test_expected_merges(
    lab: tuple[Library, ImportReport], title: str, lists: int, topics: list[str]
) -> None:
    lib, _ = lab
    found = by_title(lib, title)
    assert len(found) == 1, title
    assert found[0].topics == topics


def test_merged_entry_unions_links_and_notes(lab: tuple[Library, ImportReport]) -> None:
    lib, _ = lab
    (ddpm,) = by_title(lib, "Denoising Diffusion Probabilistic Models")
    assert ddpm.get("shortname") == "DDPM"
    assert ddpm.arxiv == "2006.11239"
    assert ddpm.get("code") == "https://github.com/hojonathanho/diffusion"
    assert ddpm.get("blog") == "https://hojonathanho.github.io/diffusion/"
    assert "proceedings.neurips.cc" in (ddpm.get("links") or "")
    notes = (ddpm.get("annotation") or "").split("\n\n")
    assert len(notes) == 2 and notes[0].startswith("Proposed DDPM")
    assert ddpm.get("booktitle") == "Advances in Neural Information Processing Systems"
    (vqvae,) = by_title(lib, "Neural Discrete Representation Learning")
    assert vqvae.get("shortname") == "VQ-VAE"
    (ncsn,) = by_title(lib, "Generative Modeling by Estimating Gradients of the Data Distribution")
    assert ncsn.get("shortname") == "NCSN"  # "(Noise Conditional Score Networks)" in list 003


def test_mojibake_repaired_and_reported(lab: tuple[Library, ImportReport]) -> None:
    lib, report = lab
    lines0 = {f.split(" ")[0] for f in find(report, "I-mojibake") if f.startswith(L0)}
    lines2 = {f.split(" ")[0] for f in find(report, "I-mojibake") if f.startswith(L2)}
    assert {f"{L0}:17", f"{L0}:30", f"{L0}:42"} <= lines0  # Mac Roman
    assert {f"{L2}:1", f"{L2}:19", f"{L2}:33", f"{L2}:43"} <= lines2  # cp1252
    (glow,) = [e for e in lib.entries if e.title.startswith("Glow")]
    assert glow.title == "Glow: Generative Flow with Invertible 1×1 Convolutions"
    (var,) = by_title(
        lib, "Visual Autoregressive Modeling: Scalable Image Generation via Next-Scale Prediction"
    )
    assert "“next-scale prediction”" in (var.get("annotation") or "")
    assert not any("Ã" in e.title or "â€" in (e.get("annotation") or "") for e in lib.entries)


def test_filler_summary_dropped(lab: tuple[Library, ImportReport]) -> None:
    lib, report = lab
    (finding,) = find(report, "I-filler")
    assert finding.startswith(f"{L0}:14") and "9 different papers" in finding
    assert not any("Unifying Count-Based" in (e.get("annotation") or "") for e in lib.entries)
    assert find(report, "I-placeholder", "coming soon") == [
        f"{L1}:21 placeholder summary 'coming soon' not kept"
    ]


def test_links_to_the_wrong_paper(lab: tuple[Library, ImportReport]) -> None:
    lib, report = lab
    # DiffusionCLIP (001:38) links GLIDE's arXiv id 2112.10741; the date says it is not its own.
    assert find(report, "I-shared-id", "2112.10741")[0].startswith(f"{L1}:38")
    (clip,) = [e for e in lib.entries if e.title.startswith("DiffusionCLIP")]
    assert clip.arxiv is None
    (glide,) = [e for e in lib.entries if e.title.startswith("GLIDE")]
    assert glide.arxiv == "2112.10741"
    # Score SDE (000:18) links the VAR repository.
    assert find(report, "I-shared-id", "foundationvision/var")[0].startswith(f"{L0}:18")
    (sde,) = by_title(
        lib, "Score-Based Generative Modeling through Stochastic Differential Equations"
    )
    assert "VAR" not in (sde.get("code") or "")
    # "Rejection Improves Reliability" (000:53) links weak-to-strong generalization.
    assert len(find(report, "I-link-other-paper", "weak-to-strong")) == 2
    assert find(report, "I-link-label") == [
        f"{L0}:53 link labelled 'arXiv' does not point to arXiv but to cdn.openai.com"
    ]
    assert find(report, "I-local-link")[0].startswith(f"{L0}:53")


def test_empty_links(lab: tuple[Library, ImportReport]) -> None:
    _, report = lab
    assert [f.split(" ")[0] for f in find(report, "I-empty-link")] == [
        f"{L4}:14",
        f"{L4}:15",
        f"{L4}:23",
    ]


def test_venue_and_year_disagreements(lab: tuple[Library, ImportReport]) -> None:
    lib, report = lab
    assert find(report, "I-venue-series")[0].startswith(f"{L0}:14")  # PMLR (004) vs ICML (000, 001)
    assert {f.split(" ")[0] for f in find(report, "I-venue-unknown")} == {
        f"{L1}:77",
        f"{L1}:88",
        f"{L4}:14",
        f"{L4}:15",
    }
    dates = {f.split(" ")[0] for f in find(report, "I-date-mismatch")}
    assert dates == {f"{L1}:18", f"{L1}:21", f"{L1}:38", f"{L1}:48", f"{L1}:51"}
    shortnames = find(report, "I-conflict", "shortname")
    assert any("'DIT'" in f and "kept 'DDIM'" in f for f in shortnames)
    (taming,) = by_title(lib, "Taming Transformers for High-Resolution Image Synthesis")
    assert taming.get("presentation") == "Oral"
    assert find(report, "I-listed-twice")[0].startswith(f"{L1}:57")


def test_non_papers_skipped(lab: tuple[Library, ImportReport]) -> None:
    _, report = lab
    kinds = sorted(p.message.split(",")[0] for p in report.skipped)
    assert kinds == ["blog"] * 4 + [
        "book",
        "code",
        "code",
        "code",
        "course",
        "links",
        "links",
        "local notes",
        "tutorial",
    ]
    assert not report.new_topics  # every heading maps to a configured topic


def test_metadata_merge(lab_meta: tuple[Library, ImportReport]) -> None:
    lib, report = lab_meta
    assert len(lib.entries) == 77
    assert sorted(report.not_added) == [
        "Reconstruction vs. Generation: Taming Optimization Dilemma in Latent Diffusion Models",
        "Weak-to-Strong Generalization: Eliciting Strong Capabilities With Weak Supervision",
        "{DreamFusion}: Text-to-{3D} using {2D} Diffusion",
    ]
    keys = {e.key for e in lib.entries}
    assert {"ho2020denoising", "song2021score", "esser2021taming", "lipman2023flow"} <= keys
    (flow,) = [e for e in lib.entries if e.key == "lipman2023flow"]
    assert flow.arxiv == "2210.02747"  # list 003 linked 2201.13413
    assert find(report, "I-wrong-id", "2201.13413")
    assert find(report, "I-wrong-id", "2106.10194")  # Denoising Diffusion Restoration Models
    assert find(report, "I-retitled", "2410.06664")
    (taming,) = [e for e in lib.entries if e.key == "esser2021taming"]
    assert "Computer Vision and Pattern Recognition" in (taming.get("booktitle") or "")
    missing_authors = sorted(e.title for e in lib.entries if not e.get("author"))
    assert missing_authors == ["Score Distillation Sampling for Text-to-Image Generation"]


def test_import_is_idempotent(lab_config: Config, lab_meta: tuple[Library, ImportReport]) -> None:
    from genbib.bibtex.reader import parse
    from genbib.bibtex.writer import dumps

    lib, _ = lab_meta
    text = dumps(lib, "key")
    again = parse(text, "bib")
    _, report = run_import(
        sorted(SOURCES.iterdir()), lab_config, library=again, metadata=[SEED_METADATA]
    )
    assert report.added == [] and report.merged == []
    assert dumps(again, "key") == text
    _, report = run_import(sorted(SOURCES.iterdir()), lab_config, library=again)
    assert report.added == [] and report.merged == []
    assert dumps(again, "key") == text


def test_committed_bib_is_the_import(lab_meta: tuple[Library, ImportReport]) -> None:
    from genbib.bibtex.writer import dumps

    committed = Path(__file__).resolve().parents[2] / "bib" / "genmodels.bib"
    assert committed.read_text("utf-8") == dumps(lab_meta[0], "key")
