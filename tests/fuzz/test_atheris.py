"""The atheris targets, each run in a subprocess for its share of GENBIB_FUZZ_SECONDS."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fuzz_budget import HAVE_ATHERIS, share

HERE = Path(__file__).parent
SEEDS = HERE.parent / "data" / "hostile"

pytestmark = pytest.mark.skipif(not HAVE_ATHERIS, reason="atheris is not installed (pip install -e '.[dev]')")


@pytest.mark.parametrize("target", ["bib", "markdown", "zotero", "render"])
def test_atheris(target: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seed_dir = SEEDS / {"bib": "bib", "markdown": "markdown"}.get(target, "zotero")
    for seed in sorted(seed_dir.glob("*")) if seed_dir.is_dir() else []:
        (corpus / seed.name).write_bytes(seed.read_bytes()[:4096])
    seconds = max(2, int(share()))
    proc = subprocess.run(
        [sys.executable, str(HERE / "atheris_fuzz.py"), target, f"-max_total_time={seconds}",
         "-timeout=30", "-rss_limit_mb=2048", "-max_len=4096", f"-artifact_prefix={tmp_path}/",
         str(corpus)],
        capture_output=True, text=True, timeout=seconds + 120, cwd=tmp_path,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )  # fmt: skip
    crashes = sorted(tmp_path.glob("crash-*")) + sorted(tmp_path.glob("timeout-*"))
    found = "\n".join(f"{c.name}: {c.read_bytes()[:2000]!r}" for c in crashes)
    assert proc.returncode == 0 and not crashes, (
        f"atheris target {target!r} failed (exit {proc.returncode}); inputs:\n{found}\n"
        f"{proc.stderr[-4000:]}"
    )
    assert "Done" in proc.stderr, proc.stderr[-2000:]  # libFuzzer ran to the end of its time
