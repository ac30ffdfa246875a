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
