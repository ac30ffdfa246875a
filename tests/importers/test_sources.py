"""Which format a source is, folders of sources, progress, and where findings point."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.importers.conftest import ROOT, run_import

from genbib.config import Config
from genbib.errors import InputError
from genbib.importers.idlist import is_identifier, looks_like
from genbib.importers.run import Format, detect

BULLETS = (
    "- [Denoising Diffusion Probabilistic Models](https://arxiv.org/abs/2006.11239) - NeurIPS 2020\n"
    "- [Score-Based Generative Modeling through Stochastic Differential Equations]"
    "(https://arxiv.org/abs/2011.13456) - ICLR 2021\n"
)
IDS = "2006.11239\nhttps://arxiv.org/abs/2011.13456v2  # score SDE\n10.48550/arXiv.2112.10752\n"


@pytest.mark.parametrize(
    ("name", "text", "fmt"),
    [
        ("list.md", BULLETS, Format.MARKDOWN),  # issue 14: was read as an identifier list
        ("list.markdown", BULLETS, Format.MARKDOWN),
        ("list.txt", BULLETS, Format.MARKDOWN),  # a .txt holding markdown
        ("ids.txt", IDS, Format.IDS),
        ("ids", IDS, Format.IDS),
        ("ids.md", IDS, Format.MARKDOWN),  # the suffix is honoured
        ("refs.bib", "@article{a, title={T}}\n", Format.BIB),
    ],
)
def test_detect_honours_suffix_and_needs_bare_identifiers(
    name: str, text: str, fmt: Format
) -> None:
    assert detect(Path(name), text) is fmt


@pytest.mark.parametrize(
    ("line", "ok"),
    [
        ("2006.11239", True),
        ("arXiv:2006.11239v2", True),
        ("https://arxiv.org/pdf/2006.11239.pdf", True),
        ("https://openreview.net/forum?id=PxTIG12RRHS", True),
        ("10.1109/CVPR52688.2022.01042", True),
        ("2006.11239  # DDPM", True),  # a comment after the identifier
        ("- [DDPM](https://arxiv.org/abs/2006.11239)", False),
        ("Denoising Diffusion https://arxiv.org/abs/2006.11239", False),
        ("[2006.11239]", False),
    ],
)
def test_identifier_line_is_nothing_but_an_identifier(line: str, ok: bool) -> None:
    assert is_identifier(line) is ok


def test_bullets_of_arxiv_links_keep_titles_and_venues(tmp_path: Path, lab_config: Config) -> None:
    path = tmp_path / "list.md"
    path.write_text(BULLETS, "utf-8")
    assert not looks_like(BULLETS)
    lib, _ = run_import([path], lab_config)
    got = {e.title: (e.get("booktitle"), e.arxiv, e.key.startswith("arxiv:")) for e in lib.entries}
    assert got == {
        "Denoising Diffusion Probabilistic Models": (
            "Advances in Neural Information Processing Systems",
            "2006.11239",
            False,
        ),
        "Score-Based Generative Modeling through Stochastic Differential Equations": (
            "International Conference on Learning Representations",
            "2011.13456",
            False,
        ),
    }


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "lists"
    folder.mkdir()
    (folder / "a.md").write_text(BULLETS, "utf-8")
    (folder / "b.txt").write_text(IDS, "utf-8")
    (folder / "genbib.toml").write_text("[bib]\n", "utf-8")
    (folder / "figure.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (folder / "notes.md").write_text("Nothing to see here, just prose.\n", "utf-8")
    (folder / "empty.md").write_text("", "utf-8")
    (folder / ".hidden.md").write_text(BULLETS, "utf-8")
    return folder


def test_folder_imports_every_list_and_reports_the_rest(tmp_path: Path, lab_config: Config) -> None:
    from genbib.importers import expand

    folder = _folder(tmp_path)
    found = expand([folder])
    paths = [p for p, _ in found]
    lib, report = run_import(paths, lab_config, optional=paths)
    assert sorted(Path(s).name for s in report.sources) == ["a.md", "b.txt"]
    skipped = {Path(p.file).name: p.message for p in report.skipped_files}
    assert set(skipped) == {"genbib.toml", "figure.png", "notes.md", "empty.md"}
    assert "a .toml file" in skipped["genbib.toml"]
    assert "empty file" in skipped["empty.md"]
    assert "no papers found" in skipped["notes.md"]
    assert len(lib.entries) == 3  # the two bullets; the id list's third paper is new
    assert (
        "3 file(s)" not in report.summary() and "4 file(s) that are not lists" in report.summary()
    )


def test_a_file_named_explicitly_still_stops_the_run(tmp_path: Path, lab_config: Config) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("Nothing to see here, just prose.\n", "utf-8")
    with pytest.raises(InputError, match="no papers found"):
        run_import([notes], lab_config)


def test_cli_folder_import_reports_skipped_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from genbib.cli import cli

    folder = _folder(tmp_path)
    (tmp_path / "genbib.toml").write_text((ROOT / "genbib.toml").read_text("utf-8"), "utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["import", str(folder), "--file", str(tmp_path / "out.bib")], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "figure.png:0: I-skipped-file skipped: a .png file, not a paper list" in result.output
    assert "2 source(s)" in result.output and "4 file(s) that are not lists" in result.output
    assert (tmp_path / "out.bib").read_text("utf-8").count("@") == 3


def test_progress_is_told_of_files_and_matching(tmp_path: Path, lab_config: Config) -> None:
    path = tmp_path / "list.md"
    path.write_text(BULLETS, "utf-8")
    seen: list[tuple[str, int, int]] = []
    run_import(
        [path], lab_config, progress=lambda what, done, total: seen.append((what, done, total))
    )
    assert seen[0] == (f"reading {path}", 0, 1)
    assert ("matching", 0, 2) in seen


def test_findings_carry_file_and_line(tmp_path: Path, lab_config: Config) -> None:
    path = tmp_path / "list.md"
    path.write_text("# Awesome\n\n## Brand new topic\n\n" + BULLETS, "utf-8")
    _, report = run_import([path], lab_config)
    assert report.problems, "a new topic is reported"
    for p in report.problems:
        assert p.file == str(path) and p.line > 0, p.format()
        assert "<input>" not in p.format()


def test_progress_bar_draws_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from genbib.cli import import_ as cli_import

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Tty()
    monkeypatch.setattr("sys.stderr", err)
    bar = cli_import._Bar(verbose=False, quiet=False, live=err.isatty())
    for done in (0, 256, 512):
        bar("matching", done, 512)
        bar.last = 0.0  # as if a tenth of a second had passed
    bar.done()
    text = err.getvalue()
    assert "import: [------------------------] 0/512 matching" in text
    assert "import: [########################] 512/512 matching" in text
    quiet = Tty()
    monkeypatch.setattr("sys.stderr", quiet)
    silent = cli_import._Bar(verbose=False, quiet=True, live=True)
    silent("matching", 1, 2)
    assert quiet.getvalue() == ""
