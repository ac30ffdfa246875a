"""`genbib import` on the command line: plan, JSON, report file, exit codes, idempotence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from tests.importers.conftest import DATA, ROOT, SEED_METADATA, SOURCES

from genbib.cli import cli


def _lab(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "genbib.toml", tmp_path / "genbib.toml")
    (tmp_path / "bib").mkdir()
    return tmp_path / "genbib.toml"


def run(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["--config", str(config), "import", *args], env={"NO_COLOR": "1"}
    )
    return result.exit_code, result.output


def test_dry_run_writes_nothing_and_shows_the_plan(tmp_path: Path) -> None:
    config = _lab(tmp_path)
    code, out = run(config, "--dry-run", str(DATA / "bullets.md"))
    assert code == 0, out
    assert "would add: anonauto" in out
    assert "dry run: 1 source(s), 6 paper rows" in out
    assert not (tmp_path / "bib" / "genmodels.bib").exists()


def test_json_and_report_file(tmp_path: Path) -> None:
    config = _lab(tmp_path)
    report = tmp_path / "report.json"
    code, out = run(config, "--json", "--report", str(report), str(DATA / "table_columns.md"))
    assert code == 0, out
    data = json.loads(out)
    assert data["papers"] == 4 and len(data["added"]) == 4
    assert {p["code"] for p in data["problems"]} >= {"I-empty-link", "I-venue-unknown"}
    assert json.loads(report.read_text("utf-8")) == data
    assert all(
        set(p) == {"code", "message", "severity", "file", "line", "key"} for p in data["problems"]
    )


def test_lab_build_then_again_changes_nothing(tmp_path: Path) -> None:
    config = _lab(tmp_path)
    sources = [str(p) for p in sorted(SOURCES.iterdir())]
    code, out = run(config, *sources, "--metadata", str(SEED_METADATA))
    assert code == 0, out
    assert "77 distinct papers: added 77" in out
    bib = tmp_path / "bib" / "genmodels.bib"
    first = bib.read_bytes()
    code, out = run(config, *sources, "--metadata", str(SEED_METADATA))
    assert code == 0 and "added 0, merged into 0, unchanged 77" in out
    assert bib.read_bytes() == first
    code, out = run(config, *sources)
    assert code == 0 and bib.read_bytes() == first


def test_two_step_build_update_only(tmp_path: Path) -> None:
    config = _lab(tmp_path)
    code, _ = run(config, *[str(p) for p in sorted(SOURCES.iterdir())])
    assert code == 0
    code, out = run(config, "--update-only", str(SEED_METADATA))
    assert code == 0, out
    assert "not in the bib 3" in out
    text = (tmp_path / "bib" / "genmodels.bib").read_text("utf-8")
    assert text.count("\n@") + text.startswith("@") == 77
    assert "Weak-to-Strong" not in text and "DreamFusion" not in text


def test_help_has_example() -> None:
    result = CliRunner().invoke(cli, ["import", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output
