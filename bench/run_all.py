"""Run every benchmark under bench/ (`make bench`): each bench/bench_*.py in name order.

Each benchmark is its own script printing its own figures; this runner only runs them
one after another with the same interpreter, so a new benchmark needs no registration.
It exits 1 when any of them failed (a missed speed bar is printed, not a failure).

    .venv/bin/python bench/run_all.py [NAME_FILTER]
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = argv[0] if argv else ""
    scripts = [p for p in sorted(BENCH.glob("bench_*.py")) if wanted in p.stem]
    if not scripts:
        print("no bench/bench_*.py found", file=sys.stderr)
        return 1
    failed: list[str] = []
    for script in scripts:
        print(f"\n===== {script.name} =====", flush=True)
        t0 = time.perf_counter()
        code = subprocess.run([sys.executable, str(script)], cwd=BENCH.parent).returncode
        print(
            f"===== {script.name}: exit {code}, {time.perf_counter() - t0:.0f} s =====", flush=True
        )
        if code != 0:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
