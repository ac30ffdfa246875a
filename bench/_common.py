"""What the benchmark scripts share: bibtex-tidy, generated data, peak memory, timing.

Several benchmarks compare genbib with bibtex-tidy (npm) on files from bench/generate.py
and measure each tool in a subprocess of its own; installing the tool, caching the data,
reading a child's peak RSS and best-of-N timing are written once here so that every
benchmark measures the same way. Standard library only: the bibtexparser 2 worker of
bench_bibtex.py imports this module from a venv without genbib in it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / ".data"
NODE_MODULES = BENCH / "node_modules"
TIDY_JS = NODE_MODULES / "bibtex-tidy" / "bibtex-tidy.js"


def ensure_generated(path: Path, size: int, seed: int) -> None:
    """Write generate(size, seed) to `path` and its truth pairs beside it, unless both exist."""
    truth_path = path.with_suffix(".truth.json")
    if path.exists() and truth_path.exists():
        return
    DATA.mkdir(exist_ok=True)
    sys.path.insert(0, str(BENCH))
    from generate import generate

    print(f"generating {path.relative_to(ROOT)} ...", flush=True)
    text, truth = generate(size, seed)
    path.write_text(text, encoding="utf-8")
    truth_path.write_text(json.dumps(truth) + "\n", encoding="utf-8")


def ensure_tidy(install: bool) -> str | None:
    """Path of node when bibtex-tidy is in bench/node_modules (npm-installed if `install`)."""
    node = shutil.which("node")
    if node is None:
        return None
    if TIDY_JS.exists():
        return node
    npm = shutil.which("npm")
    if not install or npm is None:
        return None
    print("installing bibtex-tidy into bench/node_modules ...", flush=True)
    proc = subprocess.run(
        [
            npm,
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(BENCH),
            "bibtex-tidy",
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0 or not TIDY_JS.exists():
        print(f"note: cannot install bibtex-tidy: {proc.stderr.strip()[-300:]}", flush=True)
        return None
    return node


# ru_maxrss of RUSAGE_CHILDREN is a maximum over every child ever waited for, so each tool
# runs under this tiny forking parent, which reports the peak RSS of its one child.
_MEASURE = r"""
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, ru = os.wait4(pid, 0)
sys.stderr.write("\n__MAXRSS_KB__ %d\n" % ru.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measure(cmd: list[str], timeout: float) -> tuple[int, str, str, float]:
    """(exit code, stdout, stderr, peak RSS in MB) of `cmd`, its RSS alone; -1 on timeout."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _MEASURE, *cmd],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return -1, out, f"timed out after {timeout:.0f} s", 0.0
    rss = 0.0
    lines = []
    for line in err.splitlines():
        if line.startswith("__MAXRSS_KB__"):
            rss = int(line.split()[1]) / 1024
        elif line.strip():
            lines.append(line)
    return proc.returncode, out, "\n".join(lines), rss


def best_of(
    fn: Callable[[], object], repeat: int, setup: Callable[[], object] | None = None
) -> tuple[float, float]:
    """(wall, CPU) seconds, each the best of `repeat` runs of `fn` (`setup` runs untimed
    before each): CPU time is what the work costs when the machine is shared; wall time
    is what the user waits on an idle one."""
    wall, cpu = float("inf"), float("inf")
    for _ in range(repeat):
        if setup is not None:
            setup()
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu
