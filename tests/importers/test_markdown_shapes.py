"""One small hand-written fixture per markdown shape (tests/data/importers/)."""

from __future__ import annotations

from tests.importers.conftest import DATA, find, run_import

from genbib.config import Config
from genbib.importers.markdown import heading_text, parse


def entries(name: str, config: Config) -> dict[str, dict[str, str | None]]:
    lib, _ = run_import([DATA / name], config)
    return {e.title: {k: e.get(k) for k in e.fields} for e in lib.entries}


def test_table_with_badges_br_and_filler_rows(lab_config: Config) -> None:
    got = entries("table_badges.md", lab_config)
    assert len(got) == 3  # the empty filler row is dropped
    ddpm = got["Denoising Diffusion Probabilistic Models"]
    assert ddpm["shortname"] == "DDPM"  # "| DDPM" is a short name, not title text
    assert ddpm["booktitle"] == "Advances in Neural Information Processing Systems"  # NIPS<br>2020
    assert ddpm["year"] == "2020"
    assert ddpm["url"] == "https://arxiv.org/abs/2006.11239"  # pdf v2 link -> one arXiv id
    assert ddpm["eprint"] == "2006.11239"
    assert ddpm["code"] == "https://github.com/hojonathanho/diffusion"
    assert ddpm["blog"] == "https://hojonathanho.github.io/diffusion/"
    assert ddpm["annotation"] == "Latent variable models."
    assert ddpm["topics"] == "diffusion"
    sde = got["Score-Based Generative Modeling through Stochastic Differential Equations"]
    assert (sde["booktitle"], sde["year"], sde["presentation"]) == (
        "International Conference on Learning Representations",
        "2021",
        "Oral",
    )
    some = got["Some Paper"]  # 7/4/23<br>ICML23
    assert (some["booktitle"], some["year"]) == (
        "International Conference on Machine Learning",
        "2023",
    )


def test_tables_recognised_by_header_ragged_and_headerless_pipes(lab_config: Config) -> None:
    lib, report = run_import([DATA / "table_columns.md"], lab_config)
    got = {e.title: e for e in lib.entries}
    llama = got["Autoregressive Model Beats Diffusion: Llama for Scalable Image Generation"]
    assert llama.get("shortname") == "LlamaGen"  # Method column
    assert llama.get("code") == "https://github.com/FoundationVision/LlamaGen"
    assert llama.get("annotation") == "采用与Llama相同的网络结构"  # any language, as written
    assert llama.topics == ["backbones"]  # "Backbone:" label line -> topic alias
    vdm = got["Variational Diffusion Models"]
    assert vdm.get("booktitle") == "Advances in Neural Information Processing Systems"
    assert vdm.get("annotation") is None  # "coming soon"
    q = got["Q-diffusion: Quantizing diffusion models"]
    assert q.get("year") == "2023" and q.get("booktitle") is None
    assert find(report, "I-empty-link") == [
        "table_columns.md:9 empty link target `()` for 'Q-diffusion: Quantizing diffusion models'"
    ]
    assert find(report, "I-venue-unknown") == [
        "table_columns.md:9 venue 'IEEE/CVF' is not in the venue table; not kept"
    ]
    assert (
        got["Consistency Models"].get("booktitle") == "International Conference on Machine Learning"
    )


def test_bullet_lists(lab_config: Config) -> None:
    lib, report = run_import([DATA / "bullets.md"], lab_config)
    got = {e.title: e for e in lib.entries}
    assert got["Auto-Encoding Variational Bayes"].get("shortname") == "VAE"
    flow = got["Flow Matching for Generative Modeling"]
    assert flow.get("code") == "https://github.com/facebookresearch/flow_matching"  # nested [code]
    assert (flow.get("year"), flow.get("booktitle")) == (
        "2023",
        "International Conference on Learning Representations",
    )
    glow = got["Glow: Generative Flow with Invertible 1x1 Convolutions"]
    assert glow.get("project") == "https://openai.com/research/glow"  # [[Project](...)]
    assert glow.get("year") == "2018"  # **[NeurIPS 2018]**
    rf = got["Flow Straight and Fast: Learning to Generate and Transfer Data with Rectified Flow"]
    assert rf.topics == ["flow-matching"]  # "- Rectified flow" holding a nested list is a label
    assert got["Adversarial Diffusion Distillation"].topics == ["distillation"]  # "(1) ..." label
    assert sorted(p.message.split(",")[0] for p in report.skipped) == ["blog", "course"]
    assert len(lib.entries) == 6


def test_bold_title_blocks(lab_config: Config) -> None:
    lib, report = run_import([DATA / "blocks.md"], lab_config)
    got = {e.title: e for e in lib.entries}
    style = got["A Style-Based Generator Architecture for Generative Adversarial Networks"]
    assert style.get("author") == "Tero Karras and Samuli Laine and Timo Aila"
    assert (style.get("year"), style.key) == ("2019", "karras2019style")
    assert style.get("video") == "https://www.youtube.com/watch?v=kSLJriaOumA"
    assert style.get("code") == "https://github.com/NVlabs/stylegan"
    mask = got["MaskGIT: Masked Generative Image Transformer"]
    assert mask.get("project") == "https://masked-generative-image-transformer.github.io/"
    assert [p.message.split(",")[0] for p in report.skipped] == ["tutorial"]


def test_nested_headings_anchors_and_local_notes(lab_config: Config) -> None:
    lib, report = run_import([DATA / "nested.md"], lab_config)
    (ddim,) = lib.entries
    assert ddim.topics == ["diffusion"]  # "### Samplers" is unknown; the nearest known heading wins
    assert ddim.year == 2020  # (6 Oct 2020)
    assert [p.message.split(",")[0] for p in report.skipped] == [
        "local notes"
    ]  # anchors are silent


def test_heading_text() -> None:
    assert heading_text("🧱 Autoregressive Models 🧠") == "Autoregressive Models"
    assert heading_text("1.1 Stochastic Interpolants") == "Stochastic Interpolants"
    assert (
        heading_text("(2) Generative model for Image super-resolution")
        == "Generative model for Image super-resolution"
    )
    assert heading_text("Diffusion model：") == "Diffusion model"


def test_raw_html_link_and_unsafe_links(lab_config: Config, tmp_path: object) -> None:
    from pathlib import Path

    src = Path(str(tmp_path)) / "html.md"
    src.write_text(
        "## Diffusion\n\n"
        '- <a href="https://arxiv.org/abs/2006.11239">Denoising Diffusion Probabilistic Models</a>\n'
        "- [Evil Paper Title Here](javascript:alert(1))\n"
        "- [Data Paper Title Here](data:text/html;base64,AAAA)\n",
        "utf-8",
    )
    lib, report = run_import([src], lab_config)
    text = " ".join(v for e in lib.entries for v in e.fields.values())
    assert "javascript:" not in text and "data:" not in text
    assert len(find(report, "I-unsafe-link")) == 2
    parsed = parse(src.read_text("utf-8"), "x")
    assert parsed.rows[0].title_url == "https://arxiv.org/abs/2006.11239"
    assert any(e.arxiv == "2006.11239" for e in lib.entries)
