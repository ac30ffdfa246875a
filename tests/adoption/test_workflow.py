"""The scheduled sync workflow `genbib init --ci github` writes, its own steps run locally.

Each `run:` step of `.github/workflows/genbib-sync.yml` is run as written, in a fresh lab
repository, with bash (as GitHub's runners do), against the Zotero emulator holding the
items the Connector really saves: the install step installs genbib from the pinned commit
into a new virtual environment (nothing else is on PATH), the sync step pulls the group
into the bib, and the pull request's body is the markdown summary the step wrote. The
`uses:` steps (checkout, setup-python, create-pull-request) are GitHub's own; their
inputs are checked instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from genbib.bibtex.reader import read_file
from genbib.scaffold import init
from genbib.scaffold.source import parse
from genbib.testing.zotero.fixtures import ConnectorLibrary

ROOT = Path(__file__).resolve().parents[2]


def _steps(workflow: Path) -> list[dict[str, object]]:
    import yaml  # pre-commit's dependency, in the dev extra

    data = yaml.safe_load(workflow.read_text())
    steps: list[dict[str, object]] = data["jobs"]["sync"]["steps"]
    return steps


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="git is missing")
def test_workflow_steps_run_as_written(tmp_path: Path, connector_library: ConnectorLibrary) -> None:
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if len(head) != 40:
        pytest.skip("not a git checkout of genbib")
    lab = tmp_path / "lab"
    init(lab, ci="github", source=parse(f"{ROOT}@{head}"))
    emu = connector_library.emu
    toml = (lab / "genbib.toml").read_text()
    toml = re.sub(r'(?m)^library_id = ""', f'library_id = "{emu.group_id}"', toml)
    assert f'library_id = "{emu.group_id}"' in toml
    (lab / "genbib.toml").write_text(toml)
    venv = tmp_path / "runner"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    path = os.pathsep.join(
        [str(venv / "bin"), *(p for p in os.environ.get("PATH", "").split(os.pathsep) if p)]
    )
    path = os.pathsep.join(
        p for p in path.split(os.pathsep) if Path(p) != Path(sys.executable).parent
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTEST"))},
        "PATH": path,
        "GENBIB_ZOTERO_API_URL": emu.url,
        "NO_COLOR": "1",
    }
    workflow = lab / ".github" / "workflows" / "genbib-sync.yml"
    steps = _steps(workflow)
    ran = []
    for step in steps:
        if "uses" in step:
            continue
        script = str(step["run"])
        step_env = {**env}
        for name, value in dict(step.get("env") or {}).items():  # type: ignore[arg-type]
            step_env[str(name)] = (
                emu.api_key if "secrets.ZOTERO_API_KEY" in str(value) else str(value)
            )
        done = subprocess.run(
            ["bash", "-e", "-c", script], cwd=lab, env=step_env, capture_output=True, text=True
        )
        assert done.returncode == 0, (script, done.stdout[-3000:], done.stderr[-3000:])
        ran.append(script)
    assert any(s.startswith("pip install") for s in ran) and any("genbib sync" in s for s in ran)
    # genbib came from the pinned commit into the runner's environment, and nowhere else
    assert (venv / "bin" / "genbib").exists()
    # the sync pulled the group's papers into the bib
    entries = read_file(lab / "bib" / "genmodels.bib").entries
    assert len(entries) >= 100
    # the pull request: its body is the markdown summary, its paths what the sync wrote
    pr = next(s for s in steps if str(s.get("uses", "")).startswith("peter-evans/"))
    inputs = dict(pr["with"])  # type: ignore[arg-type]
    body = (lab / str(inputs["body-path"])).read_text()
    assert body.startswith("## genbib sync")
    assert "| stage |" in body and not body.lstrip().startswith("{")
    assert re.search(r"\| zotero \| \d+ \|", body)
    for folder in str(inputs["add-paths"]).split():
        assert (lab / folder).exists(), folder
