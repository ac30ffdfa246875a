"""The README quick start, followed exactly as written in a fresh clone.

The two commands are read from the README's first ``sh`` block and run verbatim in a
`git clone` of this repository (committed state, as a newcomer gets it); each builds its
own `.venv`. The nested `make test` would run this very test again, so the environment
variable GENBIB_QUICKSTART_NESTED tells the nested suite to run a smoke selection.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def quickstart_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the README quick start has no sh block"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_readme_quickstart_has_two_commands() -> None:
    assert quickstart_commands() == ["make sync", "make test"]


@pytest.mark.slow
@pytest.mark.skipif(bool(os.environ.get("GENBIB_QUICKSTART_NESTED")), reason="nested run")
@pytest.mark.skipif(
    shutil.which("git") is None or shutil.which("make") is None, reason="no git/make"
)
def test_quickstart_in_a_fresh_clone(tmp_path: Path) -> None:
    if subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True
    ).returncode:
        pytest.skip("not a git checkout")
    clone = tmp_path / "genbib"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    shared = ROOT.parent / "shared"
    if shared.exists() and not (tmp_path / "shared").exists():
        (tmp_path / "shared").symlink_to(shared)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTEST"))}
    env["GENBIB_QUICKSTART_NESTED"] = "1"
    env.pop("ZOTERO_API_KEY", None)
    sync_cmd, test_cmd = quickstart_commands()
    before = (clone / "bib" / "genmodels.bib").read_bytes()
    sync = subprocess.run(sync_cmd, shell=True, cwd=clone, env=env, capture_output=True, text=True)
    out = sync.stdout + sync.stderr
    assert sync.returncode == 0, out
    assert "no Zotero configured" in out  # documented: local stages only, and it says so
    # The committed bib is already the result of the pipeline: the run changes nothing.
    assert (clone / "bib" / "genmodels.bib").read_bytes() == before
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True
    )
    changed = [line for line in status.stdout.splitlines() if ".venv" not in line]
    assert changed == [], changed
    test = subprocess.run(test_cmd, shell=True, cwd=clone, env=env, capture_output=True, text=True)
    assert test.returncode == 0, (test.stdout + test.stderr)[-4000:]
    assert re.search(r"\d+ passed", test.stdout), test.stdout[-2000:]
