"""Hand-picked pairs, both ways: duplicates that must merge, look-alikes that must not.

Most rows are real: the papers of the lab's five seed lists (sources/*.txt) as the
lists write them (title and a link, no authors, no year) against the reference
metadata in bib/seed-metadata.bib, and against each other.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from genbib.dedupe import MatchIndex, plan
from genbib.dedupe.match import compare, features
from genbib.model.entry import Entry

# Reference entries, as in bib/seed-metadata.bib.
SEED = {
    "ddpm": r"""@inproceedings{ho2020denoising,
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  title = {Denoising Diffusion Probabilistic Models},
  booktitle = {Advances in Neural Information Processing Systems 33 (NeurIPS 2020)},
  year = {2020}, eprint = {2006.11239}, archiveprefix = {arXiv},
  url = {https://proceedings.neurips.cc/paper/2020/hash/4c5bcfec8584af0d967f1ab10179ca4b-Abstract.html}}""",
    "ddim": r"""@inproceedings{song2021denoising,
  author = {Song, Jiaming and Meng, Chenlin and Ermon, Stefano},
  title = {Denoising Diffusion Implicit Models},
  booktitle = {International Conference on Learning Representations (ICLR)},
  year = {2021}, eprint = {2010.02502}, archiveprefix = {arXiv}}""",
    "ldm": r"""@inproceedings{rombach2022high,
  author = {Rombach, Robin and Blattmann, Andreas and Lorenz, Dominik and Esser, Patrick and Ommer, Bj{\"o}rn},
  title = {High-Resolution Image Synthesis with Latent Diffusion Models},
  booktitle = {Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)},
  year = {2022}, eprint = {2112.10752}, archiveprefix = {arXiv}}""",
    "cm": r"""@inproceedings{song2023consistency,
  author = {Song, Yang and Dhariwal, Prafulla and Chen, Mark and Sutskever, Ilya},
  title = {Consistency Models},
  booktitle = {Proceedings of the 40th International Conference on Machine Learning (ICML)},
  year = {2023}, eprint = {2303.01469}, archiveprefix = {arXiv}}""",
    "scm": r"""@inproceedings{lu2025simplifying,
  author = {Lu, Cheng and Song, Yang},
  title = {Simplifying, Stabilizing and Scaling Continuous-Time Consistency Models},
  booktitle = {International Conference on Learning Representations (ICLR)},
  year = {2025}, eprint = {2410.11081}, archiveprefix = {arXiv}}""",
    "dit": r"""@inproceedings{peebles2023scalable,
  author = {Peebles, William and Xie, Saining},
  title = {Scalable Diffusion Models with Transformers},
  booktitle = {Proceedings of the IEEE/CVF International Conference on Computer Vision (ICCV)},
  year = {2023}, eprint = {2212.09748}, archiveprefix = {arXiv}}""",
    "vdm": r"""@inproceedings{ho2022video,
  author = {Ho, Jonathan and Salimans, Tim and Gritsenko, Alexey and Chan, William and Norouzi, Mohammad and Fleet, David J.},
  title = {Video Diffusion Models},
  booktitle = {Advances in Neural Information Processing Systems 35 (NeurIPS 2022)},
  year = {2022}, eprint = {2204.03458}, archiveprefix = {arXiv}}""",
    "glow": r"""@inproceedings{kingma2018glow,
  author = {Kingma, Durk P. and Dhariwal, Prafulla},
  title = {Glow: Generative Flow with Invertible 1x1 Convolutions},
  booktitle = {Advances in Neural Information Processing Systems 31 (NeurIPS 2018)},
  year = {2018}, eprint = {1807.03039}, archiveprefix = {arXiv}}""",
    "vae": r"""@inproceedings{kingma2014auto,
  author = {Kingma, Diederik P. and Welling, Max},
  title = {Auto-Encoding Variational {Bayes}},
  booktitle = {International Conference on Learning Representations (ICLR)},
  year = {2014}, eprint = {1312.6114}, archiveprefix = {arXiv}}""",
    "ncsn": r"""@inproceedings{song2019generative,
  author = {Song, Yang and Ermon, Stefano},
  title = {Generative Modeling by Estimating Gradients of the Data Distribution},
  booktitle = {Advances in Neural Information Processing Systems 32 (NeurIPS 2019)},
  year = {2019}, eprint = {1907.05600}, archiveprefix = {arXiv}}""",
    "speed": r"""@inproceedings{chen2023speed,
  author = {Chen, Yu-Hui and Sarokin, Raman and Lee, Juhyun and Tang, Jiuqiang and Chang, Chuo-Ling and Kulik, Andrei and Grundmann, Matthias},
  title = {Speed Is All You Need: On-Device Acceleration of Large Diffusion Models via {GPU}-Aware Optimizations},
  booktitle = {Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition Workshops (CVPRW)},
  year = {2023}, eprint = {2304.11267}, archiveprefix = {arXiv}}""",
    "glide": r"""@inproceedings{nichol2022glide,
  author = {Nichol, Alex and Dhariwal, Prafulla and Ramesh, Aditya and others},
  title = {{GLIDE}: Towards Photorealistic Image Generation and Editing with Text-Guided Diffusion Models},
  booktitle = {Proceedings of the 39th International Conference on Machine Learning (ICML)},
  year = {2022}, eprint = {2112.10741}, archiveprefix = {arXiv}}""",
    "iddpm": r"""@inproceedings{nichol2021improved,
  author = {Nichol, Alexander Quinn and Dhariwal, Prafulla},
  title = {Improved Denoising Diffusion Probabilistic Models},
  booktitle = {Proceedings of the 38th International Conference on Machine Learning (ICML)},
  year = {2021}, eprint = {2102.09672}, archiveprefix = {arXiv}}""",
}


def lst(title: str, url: str = "", key: str = "") -> str:
    """An entry as imported from an awesome list: a title, maybe a link, nothing else."""
    link = f", url = {{{url}}}" if url else ""
    return f"@misc{{{key or 'list'},\n  title = {{{title}}}{link}}}"


MERGE: list[tuple[str, str, str]] = [
    # --- the seed lists against the reference metadata ---------------------------------
    (
        "ddim caps, pdf link",
        lst("DENOISING DIFFUSION IMPLICIT MODELS", "https://arxiv.org/pdf/2010.02502.pdf"),
        SEED["ddim"],
    ),
    ("ddim dropped s, no link", lst("Denoising Diffusion Implicit Model"), SEED["ddim"]),
    (
        "ddim sentence case, abs",
        lst("Denoising diffusion implicit models", "https://arxiv.org/abs/2010.02502"),
        SEED["ddim"],
    ),
    (
        "ldm dropped s",
        lst("High-Resolution Image Synthesis with Latent Diffusion Model"),
        SEED["ldm"],
    ),
    (
        "ldm lower case",
        lst(
            "High-resolution image synthesis with latent diffusion models",
            "https://arxiv.org/abs/2112.10752",
        ),
        SEED["ldm"],
    ),
    ("consistency models case", lst("Consistency models"), SEED["cm"]),
    (
        "consistency models arXiv",
        lst("Consistency Models", "https://arxiv.org/abs/2303.01469"),
        SEED["cm"],
    ),
    ("DiT: prefix", lst("DiT: Scalable Diffusion Models with Transformers"), SEED["dit"]),
    ("glow 1×1", lst("Glow: Generative Flow with Invertible 1×1 Convolutions"), SEED["glow"]),
    ("vae (VAE) suffix", lst("Auto-Encoding Variational Bayes (VAE)"), SEED["vae"]),
    (
        "ncsn (name) suffix",
        lst(
            "Generative Modeling by Estimating Gradients of the Data Distribution (Noise Conditional Score Networks)",
            "https://arxiv.org/abs/1907.05600",
        ),
        SEED["ncsn"],
    ),
    (
        "speed: case and plural",
        lst(
            "Speed is all you need: On-device acceleration of large diffusion models via gpu-aware optimization"
        ),
        SEED["speed"],
    ),
    (
        "ddpm proceedings page",
        lst(
            "Denoising Diffusion Probabilistic Models",
            "https://proceedings.neurips.cc/paper/2020/file/4c5bcfec8584af0d967f1ab10179ca4b-Paper.pdf",
        ),
        SEED["ddpm"],
    ),
    (
        "list vs list",
        lst("Denoising Diffusion Implicit Models", key="a"),
        lst("DENOISING DIFFUSION IMPLICIT MODELS", "https://arxiv.org/pdf/2010.02502.pdf", key="b"),
    ),
    # --- preprint vs published ----------------------------------------------------------
    (
        "arXiv preprint vs NeurIPS",
        r"""@article{ho2020arxiv, author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
        title = {Denoising Diffusion Probabilistic Models}, journal = {arXiv preprint arXiv:2006.11239}, year = {2020}}""",
        SEED["ddpm"],
    ),
    (
        "arXiv DOI vs eprint",
        r"""@misc{x, title = {Denoising Diffusion Probabilistic Models}, doi = {10.48550/arXiv.2006.11239}}""",
        SEED["ddpm"],
    ),
    (
        "versioned arXiv id",
        r"""@misc{x, title = {Denoising Diffusion Probabilistic Models}, eprint = {2006.11239v2}, archiveprefix = {arXiv}}""",
        SEED["ddpm"],
    ),
    (
        "preprint a year earlier, no ids",
        r"""@misc{x, author = {Song, Jiaming and Meng, Chenlin and Ermon, Stefano},
        title = {Denoising Diffusion Implicit Models}, howpublished = {arXiv}, year = {2020}}""",
        SEED["ddim"],
    ),
    # --- author formats, accents --------------------------------------------------------
    (
        "Jonathan Ho vs Ho, Jonathan",
        r"""@inproceedings{x, author = {Jonathan Ho and Ajay Jain and Pieter Abbeel},
        title = {Denoising Diffusion Probabilistic Models}, booktitle = {NeurIPS}, year = {2020}}""",
        SEED["ddpm"],
    ),
    (
        "J. Ho initials",
        r"""@inproceedings{x, author = {J. Ho and A. Jain and P. Abbeel},
        title = {Denoising Diffusion Probabilistic Models}, booktitle = {NeurIPS}, year = 2020}""",
        SEED["ddpm"],
    ),
    (
        "LaTeX vs Unicode accents (author)",
        r"""@inproceedings{x, author = {Rombach, Robin and Blattmann, Andreas and Lorenz, Dominik and Esser, Patrick and Ommer, Björn},
        title = {High-Resolution Image Synthesis with Latent Diffusion Models}, booktitle = {CVPR}, year = {2022}}""",
        SEED["ldm"],
    ),
    (
        "LaTeX vs Unicode accents (title)",
        r"""@misc{a, author = {Müller, Jörg and Schölkopf, Bernhard}, title = {Schrödinger Bridges for Protein Design}, year = {2024}}""",
        r"""@misc{b, author = {M{\"u}ller, J{\"o}rg and Sch{\"o}lkopf, Bernhard}, title = {Schr{\"o}dinger Bridges for Protein Design}, year = {2024}}""",
    ),
    (
        "von part",
        r"""@misc{a, author = {van den Oord, Aäron and Vinyals, Oriol}, title = {Neural Discrete Representation Learning}, year = {2017}}""",
        r"""@misc{b, author = {A{\"a}ron van den Oord and Oriol Vinyals}, title = {Neural discrete representation learning}, year = {2017}}""",
    ),
    (
        "braced title and acronym",
        r"""@misc{a, author = {Nichol, Alex}, title = {{GLIDE}: Towards Photorealistic Image Generation and Editing with Text-Guided Diffusion Models}, year = 2022}""",
        r"""@misc{b, author = {Alex Nichol}, title = {GLIDE: Towards photorealistic image generation and editing with text-guided diffusion models}, year = 2021}""",
    ),
    (
        "one misspelt word",
        r"""@misc{a, author = {Karras, Tero and Aittala, Miika}, title = {Elucidating the Design Space of Diffusion-Based Generative Models}, year = 2022}""",
        r"""@misc{b, author = {Tero Karras and Miika Aittala}, title = {Elucidating the Desgin Space of Diffusion-Based Generative Models}, year = 2022}""",
    ),
    (
        "a letter dropped at the 7/6 boundary",
        lst("Fast Sampler Design for Diffusion Models", key="a"),
        lst("Fast Samper Design for Diffusion Models", key="b"),
    ),
    (
        "a letter added at the 6/7 boundary",
        lst("Robust Tokens for Video Generation", key="a"),
        lst("Robust Tokkens for Video Generation", key="b"),
    ),
    (
        "hyphenation",
        r"""@misc{a, author = {Zhang, Lvmin}, title = {Adding Conditional Control to Text-to-Image Diffusion Models}, year = 2023}""",
        r"""@misc{b, author = {Zhang, L.}, title = {Adding conditional control to text to image diffusion models}, year = 2023}""",
    ),
]

KEEP_APART: list[tuple[str, str, str]] = [
    ("Consistency vs Improved Consistency", lst("Improved Consistency Models"), SEED["cm"]),
    ("Consistency vs sCM", SEED["scm"], SEED["cm"]),
    ("list Consistency vs sCM", lst("Consistency models"), SEED["scm"]),
    (
        "Improved Techniques for Training CM",
        lst(
            "Improved Techniques for Training Consistency Models",
            "https://arxiv.org/abs/2310.14189",
        ),
        SEED["cm"],
    ),
    ("Video vs Latent Video Diffusion Models", lst("Latent Video Diffusion Models"), SEED["vdm"]),
    (
        "Video vs Latent Video (both authored)",
        r"""@misc{x, author = {Ho, Jonathan and Chen, Mark}, title = {Latent Video Diffusion Models}, year = {2022}}""",
        SEED["vdm"],
    ),
    ("DDPM vs Improved DDPM", SEED["iddpm"], SEED["ddpm"]),
    (
        "DDPM vs Pyramidal DDPM",
        lst(
            "Pyramidal Denoising Diffusion Probabilistic Models", "https://arxiv.org/abs/2208.01864"
        ),
        SEED["ddpm"],
    ),
    ("DDIM vs DDPM", SEED["ddim"], SEED["ddpm"]),
    (
        "with vs without",
        lst("Autoregressive Image Generation with Vector Quantization"),
        lst("Autoregressive Image Generation without Vector Quantization", key="b"),
    ),
    ("a number differs", lst("Stable Diffusion 3"), lst("Stable Diffusion 2", key="b")),
    (
        "different prefixes, same rest",
        lst("CAR: Controllable Autoregressive Modeling"),
        lst("VAR: Controllable Autoregressive Modeling", key="b"),
    ),
    (
        "wrong arXiv link: same id, other title",
        lst(
            "DiffusionCLIP: Text-Guided Diffusion Models for Robust Image Manipulation",
            "https://arxiv.org/pdf/2112.10741.pdf",
        ),
        SEED["glide"],
    ),
    (
        "same title, other authors",
        r"""@article{lecun2015deep, author = {LeCun, Yann and Bengio, Yoshua and Hinton, Geoffrey}, title = {Deep Learning}, journal = {Nature}, year = {2015}}""",
        r"""@book{goodfellow2016deep, author = {Goodfellow, Ian and Bengio, Yoshua and Courville, Aaron}, title = {Deep Learning}, publisher = {MIT Press}, year = {2016}}""",
    ),
    (
        "same title, years far apart",
        r"""@misc{a, author = {Smith, A.}, title = {Generative Models}, year = {2001}}""",
        r"""@misc{b, author = {Smith, A.}, title = {Generative Models}, year = {2019}}""",
    ),
    (
        "different arXiv ids, same title",
        r"""@misc{a, title = {Diffusion Models: A Survey}, eprint = {2209.00796}, archiveprefix = {arXiv}}""",
        r"""@misc{b, title = {Diffusion Models: A Survey}, eprint = {2209.04747}, archiveprefix = {arXiv}}""",
    ),
    (
        "a changed word in a short title",
        lst("Diffusion Bridges"),
        lst("Diffusion Bridge Models", key="b"),
    ),
]


def _both_ways(one: Callable[[str], Entry], a: str, b: str) -> tuple[Entry, Entry]:
    return one(a), one(b)


@pytest.mark.parametrize(("name", "a", "b"), MERGE, ids=[r[0] for r in MERGE])
def test_duplicates_merge(one: Callable[[str], Entry], name: str, a: str, b: str) -> None:
    ea, eb = _both_ways(one, a, b)
    fa, fb = features(ea), features(eb)
    assert compare(fa, fb), name
    assert compare(fb, fa) == compare(fa, fb)
    assert MatchIndex([ea]).find(eb) is not None
    found = MatchIndex([eb]).find(ea)
    assert found is not None and found.entry is eb
    groups = plan([ea, eb]).groups
    assert len(groups) == 1 and {id(groups[0].survivor), id(groups[0].others[0])} == {
        id(ea),
        id(eb),
    }


@pytest.mark.parametrize(("name", "a", "b"), KEEP_APART, ids=[r[0] for r in KEEP_APART])
def test_lookalikes_stay_apart(one: Callable[[str], Entry], name: str, a: str, b: str) -> None:
    ea, eb = _both_ways(one, a, b)
    assert compare(features(ea), features(eb)) is None, name
    assert compare(features(eb), features(ea)) is None
    assert MatchIndex([ea]).find(eb) is None
    assert MatchIndex([eb]).find(ea) is None
    assert plan([ea, eb]).groups == ()


def test_reasons_say_why(one: Callable[[str], Entry]) -> None:
    idx = MatchIndex([one(SEED["ddpm"])])
    m = idx.find(
        one(lst("Denoising Diffusion Probabilistic Models", "https://arxiv.org/abs/2006.11239v1"))
    )
    assert m is not None and m.text == "same arXiv id 2006.11239"
    m = idx.find(
        one(
            r"""@misc{x, author = {J. Ho and A. Jain and P. Abbeel}, title = {Denoising diffusion probabilistic model}, year = 2020}"""
        )
    )
    assert m is not None and m.text == "same title + 3/3 authors + year"
    m = idx.find(
        one(
            r"""@misc{x, author = {J. Ho and P. Abbeel}, title = {Denoising Difusion Probabilistic Models}, year = 2021}"""
        )
    )
    assert m is not None and m.text == "title 0.99 + 2/2 authors + years 2020/2021"
    assert [r.code for r in m.reasons] == ["fuzzy", "authors", "year"]


def test_seed_lists_end_to_end(bib: Callable[[str], list[Entry]]) -> None:
    """The three spellings of Consistency Models in the lists meet the reference entry;
    sCM and Improved Consistency Models stay separate papers."""
    entries = bib("\n".join([
        SEED["cm"], SEED["scm"], SEED["ddim"], SEED["ldm"],
        lst("Consistency Models", "https://arxiv.org/abs/2303.01469", key="l1"),
        lst("Consistency models", key="l2"),
        lst("Improved Consistency Models", key="l3"),
        lst("DENOISING DIFFUSION IMPLICIT MODELS", "https://arxiv.org/pdf/2010.02502.pdf", key="l4"),
        lst("Denoising Diffusion Implicit Model", key="l5"),
        lst("High-Resolution Image Synthesis with Latent Diffusion Model", key="l6"),
        lst("Simplifying, Stabilizing and Scaling Continuous-Time Consistency Models", key="l7"),
    ]))  # fmt: skip
    p = plan(
        entries, existing=[e.key for e in entries if not e.key.startswith("l") or "20" in e.key]
    )
    groups = {g.survivor.key: sorted(e.key for e in g.others) for g in p.groups}
    assert groups == {
        "song2023consistency": ["l1", "l2"],
        "song2021denoising": ["l4", "l5"],
        "rombach2022high": ["l6"],
        "lu2025simplifying": ["l7"],
    }
