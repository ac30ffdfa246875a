"""`genbib render` on a lab directory: writes, reruns as a no-op, --check for CI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from genbib.cli import cli

TOML = """\
bib = "bib/genmodels.bib"

[[topics]]
slug = "diffusion"
title = "Diffusion models"
description = "Denoising diffusion and score-based generative models."

[[topics]]
slug = "flows"
title = "Flows"
"""


@pytest.fixture
def toml(lab: Path) -> Path:
    path = lab / "genbib.toml"
    path.write_text(TOML, encoding="utf-8")
    return path


def run(toml: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(toml), "render", *args], catch_exceptions=False)


def test_render_writes_then_changes_nothing(toml: Path, lab: Path) -> None:
    first = run(toml)
    assert first.exit_code == 0, first.output
    assert "13 files: 13 updated, 0 unchanged" in first.output
    assert (lab / "lists" / "diffusion.md").is_file()
    assert (lab / "related-work" / "example.tex").is_file()
    second = run(toml)
    assert second.exit_code == 0
    assert "0 updated, 13 unchanged" in second.output


def test_check_names_the_files_that_differ(toml: Path, lab: Path) -> None:
    stale = run(toml, "--check")
    assert stale.exit_code == 1
    assert "diffusion.md: differs" in stale.output
    assert not (lab / "lists").exists()
    run(toml)
    assert run(toml, "--check").exit_code == 0
    (lab / "lists" / "flows.md").write_text("hand edit\n", encoding="utf-8")
    result = run(toml, "--check")
    assert result.exit_code == 1
    differ = [line for line in result.output.splitlines() if "differs" in line]
    assert differ == [f"{lab / 'lists' / 'flows.md'}: differs from the rendered output"]


def test_format_topic_out_and_json(toml: Path, lab: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    result = run(toml, "--format", "tex", "--topic", "flows", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["files"] == [str(out / "related-work" / "flows.tex")]
    assert data["changed"] == data["files"]
    assert (out / "related-work" / "flows.tex").is_file()
    assert not (lab / "lists").exists()


def test_dry_run_lists_but_writes_nothing(toml: Path, lab: Path) -> None:
    result = run(toml, "--dry-run", "--format", "md")
    assert result.exit_code == 0
    assert "would write" in result.output and "6 to update" in result.output
    assert not (lab / "lists").exists()


def _rename_flows(toml: Path, lab: Path) -> None:
    """Rename the topic `flows` to `flow-models` in genbib.toml and in the bib."""
    toml.write_text(TOML.replace('slug = "flows"', 'slug = "flow-models"'), encoding="utf-8")
    bib = lab / "bib" / "genmodels.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8").replace("{flows}", "{flow-models}"), encoding="utf-8"
    )


def test_a_removed_topic_s_files_are_planned_then_deleted(toml: Path, lab: Path) -> None:
    assert run(toml).exit_code == 0
    (lab / "lists" / "NOTES.md").write_text("hand-written\n", encoding="utf-8")
    _rename_flows(toml, lab)
    old_md, old_tex = lab / "lists" / "flows.md", lab / "related-work" / "flows.tex"

    plan = run(toml, "--dry-run")
    assert plan.exit_code == 0, plan.output
    assert f"would delete {old_md.resolve()}" in plan.output
    assert f"would delete {old_tex.resolve()}" in plan.output
    assert "2 to delete" in plan.output
    assert old_md.exists() and old_tex.exists()

    check = run(toml, "--check")
    assert check.exit_code == 1
    assert f"{old_md.resolve()}: stale (no topic renders it any more)" in check.output

    as_json = json.loads(run(toml, "--dry-run", "--json").output)
    assert as_json["deleted"] == [str(old_md.resolve()), str(old_tex.resolve())]
    assert as_json["dry_run"] is True and old_md.exists()

    done = json.loads(run(toml, "--json").output)
    assert done["deleted"] == as_json["deleted"] and done["kept"] == []
    assert not old_md.exists() and not old_tex.exists()
    assert (lab / "lists" / "NOTES.md").read_text(encoding="utf-8") == "hand-written\n"
    assert run(toml, "--check").exit_code == 0


def test_a_kept_stale_file_is_shown(toml: Path, lab: Path) -> None:
    run(toml)
    edited = lab / "lists" / "flows.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "mine\n", encoding="utf-8")
    _rename_flows(toml, lab)
    result = run(toml)
    assert f"kept {edited.resolve()}: no topic renders it any more, but it was edited" in (
        result.output
    )
    assert "1 stale kept" in result.output and edited.exists()
