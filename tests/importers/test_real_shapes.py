"""Each markdown shape of issue 14, read from REAL lines of real awesome lists.

The lines are taken at test time from `../shared/realworld/awesome-lists/` (third-party
READMEs, origin and commit in that folder's SOURCES.md; never copied into this repo): a
case names a list and line ranges, the lines are written to a file of their own and
imported, and the entry must hold what the lines say (checked by reading them). A case
whose heading decides (a Tutorials section, a table of contents) includes the heading line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.importers.conftest import ROOT, run_import

from genbib.config import Config


def _lists() -> Path | None:
    for base in (ROOT.parent / "shared", ROOT.parent.parent / "shared"):
        if (base / "realworld" / "awesome-lists").is_dir():
            return base / "realworld" / "awesome-lists"
    return None


LISTS = _lists()
pytestmark = pytest.mark.skipif(LISTS is None, reason="../shared/realworld not present")

# (shape, list file, line ranges, expected fields of the one paper read)
PAPERS: list[tuple[str, str, list[tuple[int, int]], dict[str, str]]] = [
    (
        "+ bullet, date in parentheses, indented badge lines carrying the links",
        "showlab__Awesome-Video-Diffusion.md",
        [(171, 173)],
        {
            "title": "Stable Cinemetrics: Structured Taxonomy and Evaluation for Professional Video Generation",
            "eprint": "2509.26555",
            "year": "2025",
            "project": "https://stable-cinemetrics.github.io/",
        },
    ),
    (
        "bold short name, bracket venue tag, bold title, [[Paper]] [[GitHub]] link group",
        "ALEEEHU__World-Simulator.md",
        [(138, 138)],
        {
            "title": "Zero-shot text-to-image generation",
            "shortname": "DALL-E",
            "booktitle": "International Conference on Machine Learning",
            "year": "2021",
            "eprint": "2102.12092",
            "code": "https://github.com/openai/DALL-E",
        },
    ),
    (
        "plain title with <br>, link text as venue on the indented next line",
        "justimyhxu__awesome-3D-generation.md",
        [(35, 36)],
        {
            "title": "Learning Representations and Generative Models for 3D Point Clouds",
            "booktitle": "International Conference on Machine Learning",
            "year": "2018",
            "eprint": "1707.02392",
            "code": "https://github.com/optas/latent_3d_points",
        },
    ),
    (
        "bold-title block with <br> breaks, italic authors, 'arXiv 2024.' venue line",
        "PRIV-Creation__Awesome-Controllable-T2I-Diffusion-Models.md",
        [(77, 79)],
        {
            "title": "DreamBlend: Advancing Personalized Fine-tuning of Text-to-Image Diffusion Models",
            "author": "Shwetha Ram and Tal Neiman and Qianli Feng and Andrew Stuart and Son Tran and Trishul Chilimbi",
            "year": "2024",
            "eprint": "2411.19390",
        },
    ),
    (
        "bold-title block with backslash breaks and bracketed dates",
        "amirhossein-kz__Awesome-Diffusion-Models-in-Medical-Imaging.md",
        [(60, 63)],
        {
            "title": "Generative Artificial Intelligence in Medical Imaging: Foundations, Progress, and Clinical Translation",
            "author": "Xuanru Zhou and Cheng Li and Shuqiang Wang and Ye Li and Tao Tan and Hairong Zheng and Shanshan Wang",
            "year": "2025",
            "eprint": "2508.09177",
        },
    ),
    (
        "short name in parentheses after the link",
        "opendilab__awesome-RLHF.md",
        [(525, 525)],
        {
            "title": "Pretraining Language Models with Human Preferences",
            "shortname": "PHF",
            "eprint": "2302.08582",
        },
    ),
    (
        "'First et al.' after the link, 'VENUE YEAR | [github]' tail",
        "hitcslj__Awesome-AIGC-3D.md",
        [(50, 50)],
        {
            "title": "ShapeCrafter: A Recursive Text-Conditioned 3D Shape Generation Model",
            "booktitle": "Advances in Neural Information Processing Systems",
            "year": "2022",
            "code": "https://github.com/FreddieRao/ShapeCrafter",
        },
    ),
    (
        "numbered list, bold title, italic authors in a paragraph of their own",
        "thunlp__GNNPapers.md",
        [(63, 65)],
        {
            "title": "Introduction to Graph Neural Networks",
            "author": "Zhiyuan Liu and Jie Zhou",
            "year": "2020",
        },
    ),
    (
        "numbered list with full authors inline, venue, bold alias in parentheses",
        "thunlp__PLMpapers.md",
        [(31, 31)],
        {
            "title": "Universal Language Model Fine-tuning for Text Classification",
            "author": "Jeremy Howard and Sebastian Ruder",
            "booktitle": "Annual Meeting of the Association for Computational Linguistics",
            "year": "2018",
        },
    ),
    (
        "numbered list: ISO date, title link, 'by Authors<br>', abstract under it",
        "janosh__awesome-normalizing-flows.md",
        [(232, 234)],
        {
            "title": "Variational Inference with Normalizing Flows",
            "author": "Rezende and Mohamed",
            "year": "2015",
            "eprint": "1505.05770",
        },
    ),
    (
        "bold name, quoted title, 'CVPR, June 2025.', link group",
        "GT-RIPL__Awesome-LLM-Robotics.md",
        [(41, 41)],
        {
            "title": "RoboSpatial: Teaching Spatial Understanding to 2D and 3D Vision-Language Models for Robotics",
            "shortname": "RoboSpatial",
            "booktitle": "IEEE/CVF Conference on Computer Vision and Pattern Recognition",
            "year": "2025",
            "eprint": "2411.16537",
        },
    ),
    (
        "pipe table 'Title & Authors': badges (venue in a shields badge), <br>, authors",
        "horseee__Awesome-Efficient-LLM.md",
        [(55, 57)],
        {
            "title": "SparseGPT: Massive Language Models Can Be Accurately Pruned in One-Shot",
            "author": "Elias Frantar and Dan Alistarh",
            "booktitle": "International Conference on Machine Learning",
            "year": "2023",
            "eprint": "2301.00774",
        },
    ),
    (
        "pipe table: stars badge + <br> + bold title link, venue and ISO date columns",
        "BradyFU__Awesome-Multimodal-Large-Language-Models.md",
        [(85, 86), (97, 97)],
        {
            "title": "VITA-QinYu: Expressive Spoken Language Model for Role-Playing and Singing",
            "year": "2026",
            "code": "https://github.com/VITA-MLLM/VITA-QinYu",
        },
    ),
    (
        "[date] **Title** *First et al. arXiv.* [[paper]] with a nested summary line",
        "WooooDyy__LLM-Agent-Paper-List.md",
        [(129, 130)],
        {
            "title": "Towards End-to-End Embodied Decision Making via Multi-modal Large Language Model: Explorations with GPT4-Vision and Beyond",
            "author": "Liang Chen and others",
            "year": "2023",
            "eprint": "2310.02071",
        },
    ),
    (
        "'* NAME - [Title](url)': the name before the link is the short name",
        "hindupuravinash__the-gan-zoo.md",
        [(22, 22)],
        {
            "title": "Conditional Image Synthesis With Auxiliary Classifier GANs",
            "shortname": "AC-GAN",
            "eprint": "1610.09585",
        },
    ),
    (
        "HTML <table> with rowspan; the name column stands for a 'paper' link",
        "xiaoya-li__Instruction-Tuning-Survey.md",
        [(78, 98)],
        {
            "title": "UnifiedQA",
            "eprint": "2005.00700",
            "code": "https://github.com/allenai/unifiedqa",
        },
    ),
    (
        "Chinese pipe-table headers (名字, 年份)",
        "mli__paper-reading.md",
        [(81, 82), (84, 84)],
        {"title": "VGG", "year": "2014", "eprint": "1409.1556"},
    ),
    (
        "a paragraph per paper: 'Title. Surname, Surname. https://bare-url'",
        "matthewvowels1__Awesome-VAEs.md",
        [(42, 42)],
        {
            "title": "Hierarchical Variational Autoencoder for Visual Counterfactuals",
            "author": "Vercheval and Pizurica",
            "eprint": "2102.00854",
        },
    ),
    (
        "a paragraph per paper: '[Title](url), ICML 2022.'",
        "pliang279__awesome-multimodal-ml.md",
        [(98, 98)],
        {
            "title": "Unpaired Vision-Language Pre-training via Cross-Modal CutMix",
            "booktitle": "International Conference on Machine Learning",
            "year": "2022",
            "eprint": "2206.08919",
        },
    ),
    (
        "bold title, then a list of 'Paper: https://...' bare links",
        "amusi__CVPR2024-Papers-with-Code.md",
        [(101, 105)],
        {
            "title": "Scaffold-GS: Structured 3D Gaussians for View-Adaptive Rendering",
            "eprint": "2312.00109",
            "code": "https://github.com/city-super/Scaffold-GS",
        },
    ),
]


def _import(name: str, ranges: list[tuple[int, int]], tmp_path: Path, config: Config):  # type: ignore[no-untyped-def]
    assert LISTS is not None
    source = (LISTS / name).read_text("utf-8").split("\n")
    lines = [line for a, b in ranges for line in source[a - 1 : b]]
    path = tmp_path / "list.md"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return run_import([path], config)


@pytest.mark.parametrize(("shape", "name", "ranges", "want"), PAPERS, ids=[c[0] for c in PAPERS])
def test_paper_shapes(
    shape: str,
    name: str,
    ranges: list[tuple[int, int]],
    want: dict[str, str],
    tmp_path: Path,
    lab_config: Config,
) -> None:
    lib, _ = _import(name, ranges, tmp_path, lab_config)
    (entry,) = [e for e in lib.entries if e.title == want["title"]]
    assert {k: entry.get(k) for k in want} == want


# (shape, list file, line ranges, titles imported, non-paper kinds reported)
NON_PAPERS: list[tuple[str, str, list[tuple[int, int]], list[str], list[str]]] = [
    (
        "a Tutorials heading: its rows are skipped, an arXiv-titled one is a paper",
        "nightrome__really-awesome-gan.md",
        [(1, 1), (33, 33), (37, 38)],
        ["NIPS 2016 Tutorial: Generative Adversarial Networks"],
        ["tutorial"],
    ),
    (
        "project bullets: a short name linking a repository or product page",
        "Hannibal046__Awesome-LLM.md",
        [(8, 12)],
        [],
        ["product", "product", "product"],
    ),
    (
        "a TOC heading above the paper headings does not make the papers navigation",
        "showlab__Awesome-Video-Diffusion.md",
        [(23, 26), (297, 300)],
        ["Helios: Real Real-Time Long Video Generation Model"],
        [],
    ),
    (
        "a release post in a paper table ('Introducing GPT-5.2')",
        "BradyFU__Awesome-Multimodal-Large-Language-Models.md",
        [(85, 86), (111, 111)],
        [],
        ["blog"],
    ),
]


@pytest.mark.parametrize(
    ("shape", "name", "ranges", "titles", "kinds"), NON_PAPERS, ids=[c[0] for c in NON_PAPERS]
)
def test_non_paper_rows_reported(
    shape: str,
    name: str,
    ranges: list[tuple[int, int]],
    titles: list[str],
    kinds: list[str],
    tmp_path: Path,
    lab_config: Config,
) -> None:
    if not titles:
        from genbib.errors import InputError

        try:
            lib, report = _import(name, ranges, tmp_path, lab_config)
        except InputError:  # nothing but non-papers in an explicitly named file
            pytest.fail("a file of skipped non-paper rows is not an error")
    else:
        lib, report = _import(name, ranges, tmp_path, lab_config)
    assert [e.title for e in lib.entries] == titles
    assert [p.message.split(",")[0] for p in report.skipped] == kinds
    assert all(p.line > 0 and p.file.endswith("list.md") for p in report.skipped)
