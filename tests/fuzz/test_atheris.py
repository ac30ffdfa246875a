"""The atheris targets, run side by side in subprocesses for their share of GENBIB_FUZZ_SECONDS."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fuzz_budget import HAVE_ATHERIS, share

HERE = Path(__file__).parent
SEEDS = HERE.parent / "data" / "hostile"
TARGETS = ("bib", "markdown", "zotero", "render")

pytestmark = pytest.mark.skipif(
    not HAVE_ATHERIS, reason="atheris is not installed (pip install -e '.[dev]')"
)


# In CI the search is reproducible (a fixed libFuzzer seed, the one run before landing);
# `make fuzz` and local runs explore with fresh seeds.
CI_SEED = ["-seed=1"] if os.environ.get("CI") else []


def start(target: str, work: Path, seconds: int) -> subprocess.Popen[str]:
    corpus = work / "corpus"
    corpus.mkdir(parents=True)
    seed_dir = SEEDS / {"bib": "bib", "markdown": "markdown"}.get(target, "zotero")
    for seed in sorted(seed_dir.glob("*")):
        (corpus / seed.name).write_bytes(seed.read_bytes()[:4096])
    return subprocess.Popen(
        [sys.executable, str(HERE / "atheris_fuzz.py"), target, f"-max_total_time={seconds}",
         "-timeout=30", "-rss_limit_mb=2048", "-max_len=4096", f"-artifact_prefix={work}/",
         *CI_SEED, str(corpus)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=work,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )  # fmt: skip


def test_atheris_targets(tmp_path: Path) -> None:
    """All four targets at once (the instrumented start-up is most of a short run)."""
    seconds = max(2, int(share()))
    procs = {t: start(t, tmp_path / t, seconds) for t in TARGETS}
    failures = []
    for target, proc in procs.items():
        _, stderr = proc.communicate(timeout=seconds + 180)
        work = tmp_path / target
        crashes = sorted(work.glob("crash-*")) + sorted(work.glob("timeout-*"))
        if proc.returncode != 0 or crashes or "Done" not in stderr:
            found = "\n".join(f"{c.name}: {c.read_bytes()[:2000]!r}" for c in crashes)
            failures.append(f"{target}: exit {proc.returncode}; inputs:\n{found}\n{stderr[-3000:]}")
    assert not failures, "\n\n".join(failures)
