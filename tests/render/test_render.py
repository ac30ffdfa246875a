"""Rendering behaviour: determinism, topics and order, path safety, template overrides."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest

from genbib.bibtex.reader import parse
from genbib.config import Config
from genbib.errors import ConfigError
from genbib.model.library import Library
from genbib.render import differing, render, stage
from genbib.render.paths import UnsafePathError, inside


def _texts(library: Library, config: Config, **kw: object) -> dict[str, str]:
    return {o.path.name: o.text for o in render(library, config, **kw).outputs}  # type: ignore[arg-type]


def test_same_input_same_bytes_and_a_second_run_changes_nothing(
    library: Library, config: Config, lab: Path
) -> None:
    first = render(library, config)
    assert first == render(library, config)
    report = stage(library, config)
    assert report.changed == len(first.outputs) == 13
    before = {p: p.stat().st_mtime_ns for p in (lab / "lists").iterdir()}
    again = stage(library, config)
    assert again.changed == 0 and "0 updated" in again.summary
    assert before == {p: p.stat().st_mtime_ns for p in (lab / "lists").iterdir()}
    assert differing(render(library, config)) == []


def test_dry_run_writes_nothing(library: Library, config: Config, lab: Path) -> None:
    report = stage(library, config, dry_run=True)
    assert report.changed == 13 and "would update" in report.summary
    assert not (lab / "lists").exists() and not (lab / "related-work").exists()


def test_index_counts_and_topics_in_configured_order_then_the_bib_s(
    library: Library, config: Config
) -> None:
    index = _texts(library, config)["README.md"]
    rows = [line for line in index.splitlines() if line.startswith("| [")]
    assert [r.split("](")[1].split(")")[0] for r in rows] == [
        "diffusion.md", "flows.md", "sampling.md", "autoregressive.md", "score.md"
    ]  # fmt: skip
    assert rows[0].startswith("| [Diffusion models](diffusion.md) | 10 | Denoising diffusion")


def test_a_paper_in_several_topics_appears_in_each(library: Library, config: Config) -> None:
    texts = _texts(library, config)
    for name in ("diffusion.md", "score.md", "diffusion.tex", "score.tex"):
        assert ("Generative Modeling by Estimating Gradients" in texts[name]) or (
            "song2019generative" in texts[name]
        ), name


@pytest.mark.parametrize(
    ("order", "first", "last"),
    [
        ("newest", "Scalable Diffusion Models", "Deep Unsupervised Learning"),
        ("oldest", "Deep Unsupervised Learning", "Scalable Diffusion Models"),
        ("title", "Classifier-Free Diffusion Guidance", "Score-Based Generative Modeling"),
    ],
)
def test_list_order(
    order: str, first: str, last: str, library: Library, make_config: Callable[..., Config]
) -> None:
    text = _texts(library, make_config(order=order), formats=("md",))["diffusion.md"]
    rows = [line for line in text.splitlines() if line.startswith("| 20")]
    assert first in rows[0] and last in rows[-1]


def test_stub_groups_are_chronological_whatever_the_list_order(
    library: Library, make_config: Callable[..., Config]
) -> None:
    text = _texts(library, make_config(order="title"), formats=("tex",))["diffusion.tex"]
    years = [line[2:] for line in text.splitlines() if line[2:].isdigit()]
    assert years == sorted(years) == ["2015", "2019", "2020", "2021", "2022", "2023"]


def test_topic_option_renders_one_topic(library: Library, config: Config) -> None:
    names = sorted(_texts(library, config, topic="flows"))
    assert names == ["flows.md", "flows.tex"]
    with pytest.raises(ConfigError, match="no topic 'nope'"):
        render(library, config, topic="nope")


def test_unknown_format_is_an_error(library: Library, config: Config) -> None:
    with pytest.raises(ConfigError, match="pdf"):
        render(library, config, formats=("pdf",))


def test_out_moves_outputs_and_keeps_the_bibliography_path_right(
    library: Library, config: Config, tmp_path: Path
) -> None:
    out = tmp_path / "site" / "build"
    r = render(library, config, out=out, formats=("tex",))
    assert all(o.path.is_relative_to(out / "related-work") for o in r.outputs)
    example = next(o.text for o in r.outputs if o.path.name == "example.tex")
    assert "\\bibliography{../../../bib/genmodels}" in example


BAD_TOPICS = "../../escape, README, all, a/b, .hidden, ok-topic"


def test_topic_slugs_cannot_leave_the_output_directory(config: Config) -> None:
    lib = parse(
        "@misc{k2020x, title={X}, year={2020}, author={A, B}, topics={" + BAD_TOPICS + "}}",
        "t.bib",
    )
    r = render(lib, config)
    names = {o.path.name for o in r.outputs}
    assert "ok-topic.md" in names and "ok-topic.tex" in names
    for o in r.outputs:
        assert o.path.parent.name in ("lists", "related-work")
    bad = {p.message.split("'")[1] for p in r.problems if p.code == "render-bad-topic"}
    assert bad == {"../../escape", "README", "all", "a/b", ".hidden"}


def test_a_key_that_cannot_be_cited_is_listed_but_not_cited(config: Config) -> None:
    lib = parse("@misc{bad%key, title={X}, year={2020}, topics={flows}}\n", "t.bib")
    if not lib.entries:  # the reader may refuse such a key outright; then nothing to do
        pytest.skip("reader rejects the key")
    r = render(lib, config)
    texts = {o.path.name: o.text for o in r.outputs}
    assert "X" in texts["flows.md"] and "bad%key" not in texts["flows.tex"]
    assert [p.code for p in r.problems] == ["render-unsafe-key"]


def test_output_symlinks_are_refused(library: Library, config: Config, lab: Path) -> None:
    outside = lab.parent / f"{lab.name}-outside.md"
    (lab / "lists").mkdir()
    os.symlink(outside, lab / "lists" / "flows.md")
    with pytest.raises(UnsafePathError, match="symlink"):
        render(library, config)
    assert not outside.exists()


def test_inside_refuses_escapes(tmp_path: Path) -> None:
    for bad in ("../x", "/etc/passwd", "a/../../x", "", "C:/x", "..", "a/..", "."):
        with pytest.raises(UnsafePathError):
            inside(tmp_path, bad)
    assert inside(tmp_path, "a/b.md") == tmp_path.resolve() / "a" / "b.md"


def _lab_templates(lab: Path, **files: str) -> None:
    (lab / "templates").mkdir(exist_ok=True)
    for name, text in files.items():
        (lab / "templates" / name.replace("_", ".")).write_text(text, encoding="utf-8")


def test_a_lab_template_overrides_the_default_of_the_same_name(
    library: Library, config: Config, lab: Path
) -> None:
    _lab_templates(lab, topic_md_j2="# {{ topic.title|md }} ({{ topic.count }})\n")
    texts = _texts(library, config)
    assert texts["flows.md"] == "# Flows (3)\n"
    assert texts["README.md"].startswith("# Reading lists")  # still the default


def test_undefined_variables_are_errors(library: Library, config: Config, lab: Path) -> None:
    _lab_templates(lab, topic_md_j2="{{ topic.no_such_thing }}\n")
    with pytest.raises(jinja2.UndefinedError):
        render(library, config)


def test_templates_cannot_reach_outside_their_directory(
    library: Library, config: Config, lab: Path
) -> None:
    secret = lab / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    _lab_templates(lab, topic_md_j2='{% include "../secret.txt" %}\n')
    with pytest.raises((UnsafePathError, jinja2.TemplateNotFound)):
        render(library, config)
    (lab / "templates" / "topic.md.j2").unlink()
    os.symlink(secret, lab / "templates" / "topic.md.j2")
    with pytest.raises(UnsafePathError, match="outside"):
        render(library, config)
