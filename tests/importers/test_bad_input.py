"""Bad input: clear messages naming the file, no crash, nothing written (all-or-nothing)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.importers.conftest import DATA, ROOT

from genbib.cli import cli
from genbib.config import Config
from genbib.errors import InputError
from genbib.importers import import_sources
from genbib.model.library import Library


def _wide(path: Path, columns: int = 1000) -> Path:
    lines = [
        "|" + "|".join(f"c{i}" for i in range(columns)) + "|",
        "|" + "|".join("---" for _ in range(columns)) + "|",
    ]
    lines += ["|" + "|".join(f"v{r}_{i}" for i in range(columns)) + "|" for r in range(20)]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


@pytest.fixture
def bad(tmp_path: Path) -> dict[str, Path]:
    files = {
        "empty": tmp_path / "empty.md",
        "binary": tmp_path / "binary.md",
        "soup": tmp_path / "soup.md",
        "wide": _wide(tmp_path / "wide.md"),
        "huge": tmp_path / "huge.md",
        "badjson": tmp_path / "items.json",
    }
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(bytes(range(256)) * 20)
    files["soup"].write_text(
        "<html><head><style>p{}</style></head><body><div><p>Hi <b>there</b><table><tr><td>x</td>"
        "</tr></table><script>alert(1)</script></div></body></html>\n",
        "utf-8",
    )
    with files["huge"].open("w", encoding="utf-8") as fh:  # 10 MB of plausible rows
        fh.write("| Date | Title | Links |\n|---|---|---|\n")
        row = "| 2020 | **A paper about diffusion number {i:08d}** | [arXiv](https://arxiv.org/abs/2006.11239) |\n"
        for i in range(10_500_000 // len(row) + 1):
            fh.write(row.format(i=i))
    files["badjson"].write_text('{"not": "items"', "utf-8")
    return files


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty", "empty file"),
        ("binary", "binary file"),
        ("soup", "no papers found"),
        ("wide", "1000 columns"),
        ("huge", "too large for a paper list"),
        ("badjson", "neither Zotero item JSON nor CSL-JSON"),
    ],
)
def test_bad_input_is_a_clear_error(
    bad: dict[str, Path], lab_config: Config, name: str, message: str
) -> None:
    with pytest.raises(InputError) as info:
        import_sources(Library(), [bad[name]], lab_config)
    assert str(bad[name]) in str(info.value)
    assert message in str(info.value)


@pytest.mark.parametrize("option", ["--file", "--bib"])  # --bib: the older spelling
@pytest.mark.parametrize("name", ["empty", "binary", "soup", "wide", "huge"])
def test_cli_writes_nothing(bad: dict[str, Path], tmp_path: Path, name: str, option: str) -> None:
    bib = tmp_path / "out.bib"
    bib.write_text("@misc{keep, title = {Keep me}}\n", "utf-8")
    before = bib.read_bytes()
    good = DATA / "bullets.md"
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(ROOT / "genbib.toml"),
            "import",
            option,
            str(bib),
            str(good),
            str(bad[name]),
        ],
    )
    assert result.exit_code == 4, result.output
    assert "error:" in result.output or "error:" in (result.stderr if result.stderr_bytes else "")
    assert bib.read_bytes() == before  # the good file before it was not half-imported
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "nope.md")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_unreadable_source(tmp_path: Path, lab_config: Config) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    p = tmp_path / "locked.md"
    p.write_text("- A Paper Title That Is Long\n", "utf-8")
    p.chmod(0)
    with pytest.raises(InputError):
        import_sources(Library(), [p], lab_config)
