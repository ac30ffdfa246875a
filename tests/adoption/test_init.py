"""`genbib init`, and the generated pre-commit hooks run for real by pre-commit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from genbib import config
from genbib.cli import cli
from genbib.errors import GenbibError
from genbib.scaffold import default_templates, init
from genbib.scaffold.source import parse

BIN = Path(sys.executable).parent


def test_init_scaffolds_and_refuses_to_overwrite(tmp_path: Path) -> None:
    result = init(tmp_path)
    names = {p.relative_to(tmp_path).as_posix() for p in result.created}
    assert {"genbib.toml", "bib/genmodels.bib", ".pre-commit-config.yaml", ".gitignore"} <= names
    cfg = config.load(tmp_path / "genbib.toml")  # the commented file is a valid configuration
    assert cfg.bib == "bib/genmodels.bib"
    assert ".genbib/cache/" in (tmp_path / ".gitignore").read_text()
    (tmp_path / "genbib.toml").write_text("bib = 'mine.bib'\n")
    out = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert out.exit_code == 4
    assert "would overwrite" in out.output
    assert (tmp_path / "genbib.toml").read_text() == "bib = 'mine.bib'\n"
    out = CliRunner().invoke(cli, ["init", "--force", "--ci", "github", str(tmp_path)])
    assert out.exit_code == 0, out.output
    workflow = (tmp_path / ".github" / "workflows" / "genbib-sync.yml").read_text()
    assert "schedule:" in workflow and "workflow_dispatch" in workflow
    assert "secrets.ZOTERO_API_KEY" in workflow and "create-pull-request" in workflow


def test_init_writes_no_templates_unless_asked(tmp_path: Path) -> None:
    """Labs keep getting genbib's template fixes: templates are copied only on request."""
    init(tmp_path / "plain")
    assert not (tmp_path / "plain" / "templates").exists()
    init(tmp_path / "all", templates=True)
    assert sorted(p.name for p in (tmp_path / "all" / "templates").iterdir()) == sorted(
        default_templates()
    )
    lab = tmp_path / "plain"
    runner = CliRunner()
    out = runner.invoke(
        cli, ["--config", str(lab / "genbib.toml"), "templates", "copy", "topic.md.j2"]
    )
    assert out.exit_code == 0, out.output
    assert [p.name for p in (lab / "templates").iterdir()] == ["topic.md.j2"]
    listed = runner.invoke(cli, ["--config", str(lab / "genbib.toml"), "templates", "list"])
    assert (
        "topic.md.j2\toverridden in" in listed.output and "index.md.j2\tgenbib's" in listed.output
    )
    again = runner.invoke(
        cli, ["--config", str(lab / "genbib.toml"), "templates", "copy", "topic.md.j2"]
    )
    assert again.exit_code == 4 and "would overwrite" in again.output
    unknown = runner.invoke(
        cli, ["--config", str(lab / "genbib.toml"), "templates", "copy", "nope.j2"]
    )
    assert unknown.exit_code == 4 and "choose from" in unknown.output


def test_init_files_end_with_a_newline_and_name_the_bib_path(tmp_path: Path) -> None:
    init(tmp_path)
    for name in ("genbib.toml", ".gitignore", ".gitattributes", ".pre-commit-config.yaml"):
        assert (tmp_path / name).read_text().endswith("\n"), name
    assert "\\bibliography{bib/genmodels}" in (tmp_path / "genbib.toml").read_text()


def test_source_of_hooks_and_workflow_is_pinned(tmp_path: Path) -> None:
    src = parse("https://github.com/lab/genbib@" + "a" * 40)
    init(tmp_path, ci="github", source=src)
    hooks = (tmp_path / ".pre-commit-config.yaml").read_text()
    assert "repo: https://github.com/lab/genbib" in hooks and "rev: " + "a" * 40 in hooks
    assert "language: system" not in hooks
    workflow = (tmp_path / ".github" / "workflows" / "genbib-sync.yml").read_text()
    assert 'pip install "genbib @ git+https://github.com/lab/genbib@' + "a" * 40 + '"' in workflow
    assert "pip install genbib\n" not in workflow
    with pytest.raises(GenbibError, match="40-character commit"):
        parse("https://github.com/lab/genbib@main")
    # Without a known source: local hooks, and a workflow is refused rather than guessed.
    init(tmp_path / "unknown", source=None, force=True)
    assert "language: system" in (tmp_path / "unknown" / ".pre-commit-config.yaml").read_text()


def test_init_keeps_existing_gitignore(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("build/")
    (tmp_path / ".gitattributes").write_text("*.png binary\n")
    init(tmp_path)
    lines = (tmp_path / ".gitignore").read_text().splitlines()
    assert lines[0] == "build/" and ".venv/" in lines
    attributes = (tmp_path / ".gitattributes").read_text().splitlines()
    assert attributes == ["*.png binary", "bib/genmodels.retired-keys.txt merge=union"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is missing")
def test_two_clones_retiring_keys_merge_without_conflict(tmp_path: Path) -> None:
    """The `.gitattributes` line `init` writes makes git merge the retired-keys record as
    a union: two members who each deleted a paper merge cleanly, both keys retired."""
    init(tmp_path)
    record = tmp_path / "bib" / "genmodels.retired-keys.txt"
    record.write_text("# retired\n")

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=tmp_path, check=True, capture_output=True,
        )  # fmt: skip

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "start")
    git("checkout", "-qb", "other")
    record.write_text("# retired\nsong2021score  # Score SDE\n")
    git("commit", "-qam", "other deletes a paper")
    git("checkout", "-q", "main")
    record.write_text("# retired\nho2020denoising  # DDPM\n")
    git("commit", "-qam", "main deletes another")
    git("merge", "-q", "--no-edit", "other")
    lines = record.read_text().splitlines()
    assert "ho2020denoising  # DDPM" in lines and "song2021score  # Score SDE" in lines
    assert not any(line.startswith(("<<<<<<<", ">>>>>>>")) for line in lines)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is missing")
def test_precommit_rejects_non_canonical_bib(tmp_path: Path) -> None:
    precommit = BIN / "pre-commit"
    if not precommit.exists():
        pytest.skip("pre-commit is not installed in this environment")
    repo = tmp_path / "paper"
    init(repo)
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache"),
    }  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True, check=False)

    assert run("git", "init", "-q").returncode == 0
    assert run(str(precommit), "install").returncode == 0
    bib = repo / "bib" / "genmodels.bib"
    bib.write_text(
        '@Article{ho2020denoising, TITLE="Denoising Diffusion Probabilistic Models",'
        " author={Ho, Jonathan}, journal={arXiv}, year=2020}\n"
    )
    run("git", "add", "-A")
    rejected = run("git", "commit", "-qm", "non-canonical bib")
    assert rejected.returncode != 0
    assert "genbib fmt --check" in rejected.stdout + rejected.stderr
    assert run("git", "rev-parse", "HEAD").returncode != 0  # nothing was committed
    assert run(str(BIN / "genbib"), "fmt", str(bib)).returncode == 0
    assert run(str(BIN / "genbib"), "render").returncode == 0  # lists and stubs are committed too
    run("git", "add", "-A")
    accepted = run("git", "commit", "-qm", "canonical bib")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="git is missing")
def test_hooks_install_genbib_themselves_in_a_fresh_clone(tmp_path: Path) -> None:
    """With only pre-commit available (no genbib on PATH), the hooks `init` writes install
    genbib from its repository at the pinned commit and run it: `pre-commit try-repo` on
    genbib's own repository, then `pre-commit run --all-files` in a new lab repository."""
    precommit = BIN / "pre-commit"
    if not precommit.exists():
        pytest.skip("pre-commit is not installed in this environment")
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if len(head) != 40:
        pytest.skip("not a git checkout of genbib")
    path = os.pathsep.join(
        p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p) != BIN
    )
    env = {
        **os.environ,
        "PATH": path,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache"),
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
    }  # fmt: skip
    env.pop("VIRTUAL_ENV", None)
    lab = tmp_path / "lab"
    init(lab, source=parse(f"{ROOT}@{head}"))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=lab, env=env, capture_output=True, text=True, check=False)

    assert shutil.which("genbib", path=path) is None  # only pre-commit can bring genbib
    assert run("git", "init", "-q").returncode == 0
    bib = lab / "bib" / "genmodels.bib"
    bib.write_text(
        '@Article{ho2020denoising, TITLE="Denoising Diffusion Probabilistic Models",'
        " author={Ho, Jonathan}, journal={arXiv}, year=2020}\n"
    )
    assert run("git", "add", "-A").returncode == 0
    tried = run(str(precommit), "try-repo", str(ROOT), "genbib-fmt", "--ref", head, "--all-files")
    assert tried.returncode == 1, tried.stdout + tried.stderr  # not canonical: the hook fails
    assert "genbib fmt --check" in tried.stdout
    rejected = run(str(precommit), "run", "--all-files")
    assert rejected.returncode == 1 and "genbib fmt --check" in rejected.stdout
    # The hooks' own genbib fixes the file; then every hook passes.
    genbib = next((tmp_path / "pre-commit-cache").glob("repo*/py_env-*/bin/genbib"))
    assert run(str(genbib), "fmt", str(bib)).returncode == 0
    assert run(str(genbib), "render").returncode == 0
    run("git", "add", "-A")
    accepted = run(str(precommit), "run", "--all-files")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


def test_installed_source_from_pep610_record(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from genbib.scaffold import source as src

    record = {
        "url": "https://github.com/lab/genbib",
        "vcs_info": {"vcs": "git", "commit_id": "b" * 40},
    }
    monkeypatch.setattr(src, "_direct_url", lambda: record)
    assert src.installed() == src.Source("https://github.com/lab/genbib", "b" * 40)
    assert src.installed().requirement == "genbib @ git+https://github.com/lab/genbib@" + "b" * 40
    assert src._checkout(tmp_path) is None  # not a checkout of genbib: no source is guessed
    monkeypatch.setattr(src, "_direct_url", lambda: {"url": tmp_path.as_uri(), "dir_info": {}})
    assert src.installed() is None


def test_requirement_forms_pip_accepts() -> None:
    sha = "c" * 40
    assert parse(f"https://github.com/lab/genbib@{sha}").requirement == (
        f"genbib @ git+https://github.com/lab/genbib@{sha}"
    )
    assert parse(f"git@github.com:lab/genbib.git@{sha}").requirement == (
        f"genbib @ git+ssh://git@github.com/lab/genbib.git@{sha}"
    )
    assert parse(f"/srv/genbib@{sha}").requirement == f"git+file:///srv/genbib@{sha}"
