"""Benchmark: genbib's reader + canonical writer against the tools a user would otherwise use.

One run measures, on generated ML bibliographies of 10k and 100k entries (bench/generate.py),
read + write with genbib, bibtexparser 2.1 (in its own venv, bench/.venv-bp2, since it
cannot share one with pyzotero), pybtex and bibtex-tidy (npm, in bench/node_modules), and
prints entries/s, peak memory and each tool's time relative to genbib. Every tool runs in
a subprocess of its own so that its peak RSS (ru_maxrss via wait4) is its alone; the time
is measured inside the subprocess around parse + write only (interpreter start-up and
imports excluded, best of --repeat runs). It also compares `genbib --help` start-up with
`python -c "import click"`.

The bar (issue 2): genbib at least as fast as bibtexparser 2.1 and at least 5x faster than
pybtex. This is a benchmark, not a test: it prints figures and never fails a build on speed.

    .venv/bin/python bench/bench_bibtex.py [--sizes 10000,100000] [--repeat 3] [--skip-install]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import BENCH, DATA, TIDY_JS, best_of, ensure_generated, ensure_tidy, measure

BP2_VENV = BENCH / ".venv-bp2"
TOOLS = ("genbib", "genbib-fmt", "bibtexparser2", "bibtexparser2-inplace", "pybtex", "bibtex-tidy")

# --- workers: run in a subprocess, print one JSON line -----------------------------------


def _best(run: object, path: Path, repeat: int) -> tuple[float, int, str]:
    got: list[tuple[int, str]] = []
    best, _ = best_of(lambda: got.append(run(path)), repeat)  # type: ignore[operator]
    entries, note = got[-1]
    return best, entries, note


def _run_genbib(path: Path) -> tuple[int, str]:
    from genbib.bibtex.reader import read_file
    from genbib.bibtex.writer import dumps

    lib = read_file(path)
    out = dumps(lib)
    assert out
    return len(lib), f"{len(lib.problems)} problems"


def _run_genbib_fmt(path: Path) -> tuple[int, str]:
    """What `genbib fmt` does: read, canonical write, losslessness check, atomic write
    (on a copy of the file, rewritten from the unformatted original every time)."""
    import shutil
    import tempfile

    from genbib.bibtex.store import format_file

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        shutil.copyfile(path, copy)
        format_file(copy)
        blocks = copy.read_bytes().count(b"\n@") + 1
    return blocks, "format_file (fmt) incl. copying the file; counts blocks, not entries"


def _run_bibtexparser2_inplace(path: Path) -> tuple[int, str]:
    import importlib

    bibtexparser: Any = importlib.import_module("bibtexparser")  # 2.x, in bench/.venv-bp2
    stacks: Any = importlib.import_module("bibtexparser.middlewares")
    lib = bibtexparser.parse_string(path.read_text(encoding="utf-8"))
    out = bibtexparser.write_string(
        lib, unparse_stack=stacks.default_unparse_stack(allow_inplace_modification=True)
    )
    assert out
    return len(lib.entries), f"bibtexparser {bibtexparser.__version__}, in-place writer"


def _run_bibtexparser2(path: Path) -> tuple[int, str]:
    import importlib

    bibtexparser: Any = importlib.import_module("bibtexparser")  # 2.x, in bench/.venv-bp2
    lib = bibtexparser.parse_string(path.read_text(encoding="utf-8"))
    out = bibtexparser.write_string(lib)
    assert out
    return len(
        lib.entries
    ), f"bibtexparser {bibtexparser.__version__}, {len(lib.failed_blocks)} failed blocks"


def _run_pybtex(path: Path) -> tuple[int, str]:
    import pybtex.errors
    from pybtex.database import parse_string

    text = path.read_text(encoding="utf-8")
    try:
        pybtex.errors.set_strict_mode(True)
        bib = parse_string(text, "bibtex")
        mode = "strict"
    except Exception as exc:  # pybtex raises on real-world input in strict mode
        pybtex.errors.set_strict_mode(False)
        bib = parse_string(text, "bibtex")
        mode = f"lenient (strict raised {type(exc).__name__})"
    out = bib.to_string("bibtex")
    assert out
    return len(bib.entries), mode


_TIDY_WORKER = r"""
// node -e puts the first extra argument at argv[1]
const { tidy } = require(process.argv[1]);
const fs = require("fs");
const repeat = Number(process.argv[3]);
let best = Infinity, count = 0, warnings = 0;
for (let i = 0; i < repeat; i++) {
  const t0 = process.hrtime.bigint();
  const text = fs.readFileSync(process.argv[2], "utf8");
  const res = tidy(text, {});
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  best = Math.min(best, dt); count = res.count; warnings = res.warnings.length;
}
console.log(JSON.stringify({ seconds: best, entries: count, note: `bibtex-tidy, ${warnings} warnings` }));
"""


def worker(tool: str, path: Path, repeat: int) -> None:
    runs = {
        "genbib": _run_genbib,
        "genbib-fmt": _run_genbib_fmt,
        "bibtexparser2": _run_bibtexparser2,
        "bibtexparser2-inplace": _run_bibtexparser2_inplace,
        "pybtex": _run_pybtex,
    }
    seconds, entries, note = _best(runs[tool], path, repeat)
    print(json.dumps({"seconds": seconds, "entries": entries, "note": note}))


# --- the driver ---------------------------------------------------------------------------


@dataclass
class Result:
    tool: str
    size: int
    seconds: float | None = None
    entries: int = 0
    maxrss_mb: float = 0.0
    note: str = ""


def ensure_data(size: int, seed: int) -> Path:
    """The generated file for (size, seed), cached under bench/.data by generator version."""
    version = hashlib.sha256((BENCH / "generate.py").read_bytes()).hexdigest()[:8]
    path = DATA / f"gen-{size}-{seed}-{version}.bib"
    ensure_generated(path, size, seed)
    return path


def ensure_bp2(install: bool) -> str | None:
    """Path of a python with bibtexparser 2 installed, or None (with a note printed)."""
    py = BP2_VENV / "bin" / "python"
    check = [
        str(py),
        "-c",
        "import bibtexparser, sys; sys.exit(not bibtexparser.__version__.startswith('2'))",
    ]
    if py.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return str(py)
    if not install:
        return None
    print("installing bibtexparser 2 into bench/.venv-bp2 ...", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(BP2_VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "bibtexparser==2.*"], check=True)
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"note: cannot install bibtexparser 2 ({exc}); skipping it", flush=True)
        return None
    return str(py) if subprocess.run(check, capture_output=True).returncode == 0 else None


def run_tool(
    tool: str, path: Path, size: int, repeat: int, timeout: float, bp2: str | None, node: str | None
) -> Result:
    me = str(Path(__file__).resolve())
    if tool in ("genbib", "genbib-fmt", "pybtex"):
        cmd = [sys.executable, me, "--worker", tool, str(path), "--repeat", str(repeat)]
    elif tool.startswith("bibtexparser2"):
        if bp2 is None:
            return Result(tool, size, note="skipped: bibtexparser 2 not installable here")
        cmd = [bp2, me, "--worker", tool, str(path), "--repeat", str(repeat)]
    else:
        if node is None:
            return Result(tool, size, note="skipped: node/npm bibtex-tidy not available")
        cmd = [node, "-e", _TIDY_WORKER, str(TIDY_JS), str(path), str(repeat)]
    code, out, err, rss = measure(cmd, timeout)
    if code != 0:
        return Result(tool, size, maxrss_mb=rss, note=f"failed: {(err or out).strip()[-200:]}")
    data = json.loads(out.strip().splitlines()[-1])
    return Result(tool, size, data["seconds"], data["entries"], rss, data["note"])


def startup(runs: int) -> dict[str, float]:
    genbib = shutil.which("genbib", path=str(Path(sys.executable).parent)) or "genbib"
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        'python -c "import click"': [sys.executable, "-c", "import click"],
        "genbib --help": [genbib, "--help"],
    }
    out: dict[str, float] = {}
    for name, cmd in cases.items():
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True)
            times.append(time.perf_counter() - t0)
        out[name] = statistics.median(times)
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default="10000,100000", help="entry counts, comma-separated")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--repeat", type=int, default=3, help="best of N inside each worker (1 for >= 50k)"
    )
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per tool run")
    ap.add_argument(
        "--skip-install", action="store_true", help="do not install bibtexparser 2 / bibtex-tidy"
    )
    ap.add_argument("--startup-runs", type=int, default=9)
    ap.add_argument("--json", type=Path, help="also write the results as JSON here")
    ap.add_argument("--worker", nargs=2, metavar=("TOOL", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]), args.repeat)
        return 0

    tools = [t for t in args.tools.split(",") if t]
    bp2 = ensure_bp2(not args.skip_install) if "bibtexparser2" in tools else None
    node = ensure_tidy(not args.skip_install) if "bibtex-tidy" in tools else None
    results: list[Result] = []
    print(
        f"# genbib reader + writer benchmark ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python {sys.version.split()[0]})"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        path = ensure_data(size, args.seed)
        repeat = 1 if size >= 50_000 else args.repeat
        mb = path.stat().st_size / 1e6
        print(f"\n## {size} entries ({mb:.1f} MB), best of {repeat}", flush=True)
        print(f"{'tool':<15} {'seconds':>9} {'entries/s':>11} {'peak MB':>9} {'x genbib':>9}  note")
        base: float | None = None
        for tool in tools:
            r = run_tool(tool, path, size, repeat, args.timeout, bp2, node)
            results.append(r)
            if tool == "genbib" and r.seconds:
                base = r.seconds
            if r.seconds is None:
                print(f"{tool:<15} {'-':>9} {'-':>11} {'-':>9} {'-':>9}  {r.note}", flush=True)
                continue
            ratio = f"{r.seconds / base:.2f}" if base else "-"
            rate = r.entries / r.seconds if r.seconds else 0
            print(
                f"{tool:<15} {r.seconds:>9.3f} {rate:>11,.0f} {r.maxrss_mb:>9.0f} {ratio:>9}  {r.entries} entries; {r.note}",
                flush=True,
            )
        _verdict([r for r in results if r.size == size])

    st = startup(args.startup_runs)
    print(f"\n## start-up (median of {args.startup_runs} runs)")
    for name, sec in st.items():
        print(f"{name:<28} {sec * 1000:>7.0f} ms")
    click = st['python -c "import click"']
    print(f"genbib --help minus import click: {(st['genbib --help'] - click) * 1000:+.0f} ms")
    if args.json:
        args.json.write_text(
            json.dumps({"results": [r.__dict__ for r in results], "startup": st}, indent=1) + "\n"
        )
    return 0


def _verdict(rows: list[Result]) -> None:
    by = {r.tool: r for r in rows}
    g = by.get("genbib")
    if g is None or g.seconds is None:
        return
    bp2, pyb = by.get("bibtexparser2"), by.get("pybtex")
    fmt, inplace = by.get("genbib-fmt"), by.get("bibtexparser2-inplace")
    if fmt is not None and fmt.seconds and inplace is not None and inplace.seconds:
        x = inplace.seconds / fmt.seconds
        print(
            f"bar: genbib fmt pipeline >= 3x faster than bibtexparser 2.1 in-place: "
            f"{'met' if x >= 3 else 'MISSED'} ({x:.2f}x)"
        )
    if bp2 is not None and bp2.seconds is not None:
        ok = g.seconds <= bp2.seconds
        print(
            f"bar: genbib at least as fast as bibtexparser 2: {'met' if ok else 'MISSED'} ({bp2.seconds / g.seconds:.2f}x)"
        )
    if pyb is not None and pyb.seconds is not None:
        ok = pyb.seconds >= 5 * g.seconds
        print(
            f"bar: genbib at least 5x faster than pybtex: {'met' if ok else 'MISSED'} ({pyb.seconds / g.seconds:.1f}x)"
        )


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
