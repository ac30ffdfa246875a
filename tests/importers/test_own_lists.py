"""Lists in shapes the seed lists do not use, written as a new user would, imported as is.

video_ordered.md: ordered and `+` lists, bold `[NeurIPS 2022]` / `[ICLR'23]` venue tags
before the title, `[[paper](...)]` links, "Title, arXiv 2022" trailing venues, a prose item
whose first link is the code, a Talks section. reading_group.md: setext headings and a table
whose headers (Year, Paper, Authors, Published in, Resources) differ from every seed.
ids.txt: an identifier list.
"""

from __future__ import annotations

from tests.importers.conftest import DATA, find, run_import

from genbib.config import Config

OWN = DATA / "own"


def test_video_list(lab_config: Config) -> None:
    lib, report = run_import([OWN / "video_ordered.md"], lab_config)
    got = {e.title: e for e in lib.entries}
    assert sorted(got) == [
        "Denoising Diffusion Probabilistic Models",
        "High-Resolution Image Synthesis with Latent Diffusion Models",
        "Imagen Video: High Definition Video Generation with Diffusion Models",
        "Make-A-Video: Text-to-Video Generation without Text-Video Data",
        "Video Diffusion Models",
    ]
    vdm = got["Video Diffusion Models"]
    assert (vdm.year, vdm.get("project"), vdm.arxiv) == (
        2022,
        "https://video-diffusion.github.io/",
        "2204.03458",
    )
    assert (
        got["Make-A-Video: Text-to-Video Generation without Text-Video Data"].year == 2023
    )  # ICLR'23
    assert (
        got["Imagen Video: High Definition Video Generation with Diffusion Models"].get("booktitle")
        is None
    )
    ldm = got["High-Resolution Image Synthesis with Latent Diffusion Models"]
    assert ldm.get("code") == "https://github.com/CompVis/latent-diffusion"
    assert (
        got["Denoising Diffusion Probabilistic Models"].year == 2020
    )  # "- Ho et al., NeurIPS 2020 -"
    assert [p.message.split(",")[0] for p in report.skipped] == ["video"]  # the Talks section
    assert set(report.new_topics) == {"text-to-video", "image-diffusion-for-reference"}
    assert find(report, "I-new-topic")


def test_reading_group_table(lab_config: Config) -> None:
    lib, _report = run_import([OWN / "reading_group.md"], lab_config)
    keys = sorted(e.key for e in lib.entries)
    assert keys == [
        "ho2020denoising",
        "kingma2014auto",
        "lipman2023flow",
        "sauer2024adversarial",
        "song2023consistency",
    ]
    flow = next(e for e in lib.entries if e.key == "lipman2023flow")
    assert flow.openreview == "PqvMRDCJT9t"
    assert flow.get("author") == "Lipman and others"
    assert next(e for e in lib.entries if e.key == "song2023consistency").topics == [
        "week-2-few-step-sampling"
    ]


def test_identifier_list_offline(lab_config: Config) -> None:
    lib, report = run_import([OWN / "ids.txt"], lab_config, offline=True)
    assert sorted(e.key for e in lib.entries) == [
        "arxiv:2006.11239",
        "arxiv:2112.10752",
        "arxiv:2303.01469",
        "openreview:PqvMRDCJT9t",
    ]
    assert len(find(report, "I-stub")) == 4


def test_own_lists_merge_with_the_lab_bib(lab_config: Config) -> None:
    """The reading group's papers already in a bib are merged, not doubled."""
    lib, _ = run_import([OWN / "video_ordered.md"], lab_config)
    lib, _report = run_import([OWN / "reading_group.md", OWN / "ids.txt"], lab_config, library=lib)
    titles = [e.title for e in lib.entries if e.title]
    assert titles.count("Denoising Diffusion Probabilistic Models") == 1
    ddpm = next(e for e in lib.entries if e.title == "Denoising Diffusion Probabilistic Models")
    assert ddpm.topics == ["image-diffusion-for-reference", "week-1-foundations"]
    assert ddpm.get("author") == "Ho and Jain and Abbeel"
    assert not any(e.key == "arxiv:2006.11239" for e in lib.entries)  # the stub found its paper
