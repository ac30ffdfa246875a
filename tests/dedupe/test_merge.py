"""The merge policy, field by field: nothing silently lost."""

from __future__ import annotations

from collections.abc import Callable

from genbib.dedupe import merge
from genbib.model.entry import Entry

PREPRINT = r"""@article{ho2020arxiv,
  author = {Ho, J. and Jain, A. and Abbeel, P.},
  title = {Denoising diffusion probabilistic models},
  journal = {arXiv preprint arXiv:2006.11239},
  year = {2019},
  eprint = {2006.11239v2}, archiveprefix = {arXiv},
  url = {https://arxiv.org/abs/2006.11239},
  code = {https://github.com/hojonathanho/diffusion},
  topics = {diffusion},
  annotation = {Proposed DDPM.},
  ids = {ddpm},
}"""
PUBLISHED = r"""@inproceedings{ho2020denoising,
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  title = {Denoising Diffusion Probabilistic Models},
  booktitle = {Advances in Neural Information Processing Systems},
  volume = {33},
  pages = {6840--6851},
  year = {2020},
  url = {https://proceedings.neurips.cc/paper/2020/hash/4c5bcfec8584af0d967f1ab10179ca4b-Abstract.html},
  project = {https://hojonathanho.github.io/diffusion/},
  topics = {foundations},
  annotation = {去噪扩散概率模型},
}"""


def messages(problems: list) -> str:  # type: ignore[type-arg]
    return "\n".join(p.message for p in problems)


def test_preprint_survivor_takes_the_published_venue(one: Callable[[str], Entry]) -> None:
    into, other = one(PREPRINT), one(PUBLISHED)
    problems = merge(into, other)
    assert into.key == "ho2020arxiv"
    assert into.type == "inproceedings"
    assert into.get("booktitle") == "Advances in Neural Information Processing Systems"
    assert (into.get("volume"), into.get("pages"), into.year) == ("33", "6840--6851", 2020)
    assert "journal" not in into
    assert into.get("eprint") == "2006.11239v2" and into.get("archiveprefix") == "arXiv"
    assert into.title == "Denoising Diffusion Probabilistic Models"  # the published spelling
    assert into.get("author") == "Ho, Jonathan and Jain, Ajay and Abbeel, Pieter"  # fuller
    # the published page is the paper link; the arXiv page is kept among the links
    assert into.get("url", "").startswith("https://proceedings.neurips.cc/")
    assert "https://arxiv.org/abs/2006.11239" in (into.get("links") or "")
    assert into.get("code") == "https://github.com/hojonathanho/diffusion"
    assert into.get("project") == "https://hojonathanho.github.io/diffusion/"
    assert into.topics == ["diffusion", "foundations"]
    assert into.get("annotation") == "Proposed DDPM.\n\n去噪扩散概率模型"
    assert into.aliases == ["ddpm", "ho2020denoising"]
    text = messages(problems)
    # every value that did not survive is in the report
    for dropped in ("arXiv preprint arXiv:2006.11239", "2019", "Ho, J. and Jain, A. and Abbeel, P.",
                    "Denoising diffusion probabilistic models", "article"):  # fmt: skip
        assert f'"{dropped}"' in text
    assert all(p.code == "dedupe-superseded" for p in problems), text


def test_published_survivor_keeps_its_venue_and_gains_the_eprint(
    one: Callable[[str], Entry],
) -> None:
    into, other = one(PUBLISHED), one(PREPRINT)
    problems = merge(into, other)
    assert into.key == "ho2020denoising" and into.type == "inproceedings"
    assert "journal" not in into and into.year == 2020
    assert into.get("eprint") == "2006.11239v2" and into.get("archiveprefix") == "arXiv"
    assert into.get("author") == "Ho, Jonathan and Jain, Ajay and Abbeel, Pieter"
    assert into.aliases == ["ho2020arxiv", "ddpm"]
    assert into.topics == ["diffusion", "foundations"]
    text = messages(problems)
    assert '"arXiv preprint arXiv:2006.11239"' in text and '"2019"' in text


def test_fuller_author_list_wins_when_lists_agree(one: Callable[[str], Entry]) -> None:
    into = one("@misc{a, author = {Ho, Jonathan and others}, title = {T}}")
    problems = merge(
        into, one("@misc{b, author = {Jonathan Ho and Ajay Jain and Pieter Abbeel}, title = {T}}")
    )
    assert into.get("author") == "Jonathan Ho and Ajay Jain and Pieter Abbeel"
    assert [p.code for p in problems] == ["dedupe-superseded"]
    into = one("@misc{a, author = {Ho, Jonathan and Jain, Ajay}, title = {T}}")
    problems = merge(into, one("@misc{b, author = {Ho, J. and Jain, A.}, title = {T}}"))
    assert into.get("author") == "Ho, Jonathan and Jain, Ajay"
    assert '"Ho, J. and Jain, A."' in messages(problems)


def test_disagreeing_values_are_conflicts_and_into_wins(one: Callable[[str], Entry]) -> None:
    into = one(
        "@inproceedings{a, author = {Ho, Jonathan and Jain, Ajay}, title = {T}, booktitle = {NeurIPS}, pages = {1--10}, shortname = {DDPM}}"
    )
    other = one(
        "@inproceedings{b, author = {Jain, Ajay and Ho, Jonathan}, title = {T}, booktitle = {NeurIPS}, pages = {6840--6851}, shortname = {Diffusion}}"
    )
    problems = merge(into, other)
    assert (into.get("pages"), into.get("shortname")) == ("1--10", "DDPM")
    assert into.get("author") == "Ho, Jonathan and Jain, Ajay"
    conflicts = {p.message.split(":")[0] for p in problems if p.code == "dedupe-conflict"}
    assert conflicts == {"author", "pages", "shortname"}
    assert all(p.key == "a" and p.severity.value == "warning" for p in problems)
    assert '"6840--6851"' in messages(problems) and '"Diffusion"' in messages(problems)


def test_missing_fields_are_filled_and_macros_kept(one: Callable[[str], Entry]) -> None:
    into = one("@misc{a, title = {Consistency models}}")
    merge(
        into,
        one(
            "@inproceedings{b, author = {Song, Yang}, title = {Consistency Models}, booktitle = icml, year = 2023, keywords = {Diffusion, Distillation}}"
        ),
    )
    assert into.fields["booktitle"] == "icml"  # the macro reference, not its text
    assert into.get("author") == "Song, Yang" and into.year == 2023
    assert into.get("keywords") == "Diffusion, Distillation"
    assert into.type == "inproceedings"


def test_lists_and_links_union_without_repeats(one: Callable[[str], Entry]) -> None:
    into = one(
        "@misc{a, title = {T}, keywords = {GAN, VAE}, pdf = {https://arxiv.org/pdf/2006.11239v1.pdf}, topics = {gan}}"
    )
    merge(
        into,
        one(
            "@misc{b, title = {T}, keywords = {vae; Flows}, url = {https://arxiv.org/abs/2006.11239}, topics = {gan, vae}, code = {https://github.com/a/b}}"
        ),
    )
    assert into.get("keywords") == "GAN, VAE, Flows"
    assert into.topics == ["gan", "vae"]
    assert into.get("code") == "https://github.com/a/b"
    assert "url" not in into and "links" not in into  # the same arXiv paper, once


def test_same_key_is_not_an_alias_and_empty_key_is_skipped(one: Callable[[str], Entry]) -> None:
    into = one("@misc{a, title = {T}}")
    merge(into, one("@misc{a, title = {T}, note = {n}}"))
    merge(into, Entry("misc", "", {"title": "{T}"}))
    assert into.aliases == [] and into.get("note") == "n"


def test_publisher_doi_is_primary_over_arxiv_doi(one: Callable[[str], Entry]) -> None:
    into = one("@misc{a, title = {T}, doi = {10.48550/arXiv.2006.11239}}")
    problems = merge(
        into, one("@article{b, title = {T}, journal = {TPAMI}, doi = {10.1109/TPAMI.2023.1}}")
    )
    assert into.get("doi") == "10.1109/TPAMI.2023.1"
    assert into.get("eprint") == "2006.11239"
    assert '"10.48550/arXiv.2006.11239"' in messages(problems)
