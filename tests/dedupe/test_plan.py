"""plan/apply/stage on whole libraries: groups, survivors, aliases, reports."""

from __future__ import annotations

from genbib.bibtex.reader import parse
from genbib.bibtex.writer import dumps
from genbib.config import Config
from genbib.dedupe import apply, plan, stage

LIB = r"""@string{neurips = {Advances in Neural Information Processing Systems}}

@inproceedings{ho2020denoising,
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  title = {Denoising Diffusion Probabilistic Models},
  booktitle = neurips, year = {2020}, topics = {diffusion},
}

% a comment that must survive
@article{ho2020arxiv,
  author = {J. Ho and A. Jain and P. Abbeel},
  title = {Denoising diffusion probabilistic models},
  journal = {arXiv preprint arXiv:2006.11239}, year = {2020}, eprint = {2006.11239},
}

@misc{list1, title = {DENOISING DIFFUSION PROBABILISTIC MODELS}, url = {https://arxiv.org/pdf/2006.11239.pdf}, topics = {foundations}}

@misc{song2023consistency, author = {Song, Yang and Dhariwal, Prafulla}, title = {Consistency Models}, year = {2023}}

@misc{song2023improved, author = {Song, Yang and Dhariwal, Prafulla}, title = {Improved Techniques for Training Consistency Models}, year = {2023}}

@misc{list2, title = {Consistency models}}

@misc{clip, title = {DiffusionCLIP: Text-Guided Diffusion Models for Robust Image Manipulation}, eprint = {2006.11239}}

this is not a block {
"""


def test_plan_groups_with_reasons_and_oldest_survivor() -> None:
    lib = parse(LIB, "lib.bib")
    p = plan(lib.entries, existing=["ho2020denoising", "song2023consistency"])
    assert [g.keys for g in p.groups] == [
        ("ho2020denoising", "ho2020arxiv", "list1"),
        ("song2023consistency", "list2"),
    ]
    texts = sorted(lk.text for lk in p.groups[0].links)
    assert texts == ["same arXiv id 2006.11239", "same title", "same title + 3/3 authors + year"]
    assert p.groups[1].links[0].text == "same title"
    (contra,) = p.problems
    assert contra.code == "dedupe-contradiction" and contra.key in {"clip", "ho2020arxiv", "list1"}
    # without `existing`, the first key in key order survives
    assert plan(lib.entries).groups[0].survivor.key == "ho2020arxiv"


def test_apply_merges_and_keeps_everything_else() -> None:
    lib = parse(LIB, "lib.bib")
    p = plan(lib.entries, existing=["ho2020denoising", "song2023consistency"])
    preview = [pr.message for g in p.groups for pr in g.problems]
    problems = apply(lib, p)
    assert [pr.message for pr in problems] == preview  # the dry run showed exactly this
    keys = [e.key for e in lib]
    assert keys == ["ho2020denoising", "song2023consistency", "song2023improved", "clip"]
    ddpm = lib.by_key()["ho2020denoising"]
    assert ddpm.aliases == ["ho2020arxiv", "list1"]
    assert ddpm.topics == ["diffusion", "foundations"]
    assert ddpm.get("eprint") == "2006.11239" and ddpm.fields["booktitle"] == "neurips"
    text = dumps(lib, "input")
    assert "% a comment that must survive" in text and "this is not a block {" in text
    assert "@string{neurips" in text
    # nothing left to merge
    assert plan(lib.entries).groups == ()


def test_plan_made_on_another_read_applies_by_key() -> None:
    p = plan(parse(LIB, "lib.bib").entries)
    lib = parse(LIB, "lib.bib")
    apply(lib, p)
    assert len(lib) == 4


def test_stage_reports_and_dry_run_changes_nothing() -> None:
    lib = parse(LIB, "lib.bib")
    before = dumps(lib, "key")
    report = stage(lib, Config(), dry_run=True)
    assert dumps(lib, "key") == before
    assert report.stage == "dedupe" and report.changed == 0
    assert report.summary == "would merge 3 duplicate(s) into 2 entries"
    assert {p.code for p in report.problems} >= {"dedupe-contradiction", "dedupe-superseded"}
    # all entries are in the library already: the first in key order survives
    assert report.details["groups"][0]["survivor"] == "ho2020arxiv"
    report = stage(lib, Config())
    assert report.changed == 3 and report.summary == "merged 3 duplicate(s) into 2 entries"
    assert len(lib) == 4
    again = stage(lib, Config())
    assert again.changed == 0 and again.summary == "no duplicates"
