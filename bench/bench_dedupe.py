"""Benchmark: genbib's dedupe against bibtex-tidy's `--duplicates`, on planted duplicates.

One run generates (or reuses) ML bibliographies of 10k and 100k entries with ~5% planted
duplicates and 2% look-alikes (bench/generate.py, ground truth alongside), then measures
in subprocesses of their own (peak RSS via wait4, time inside the process):

- genbib: read the file, `plan` the dedupe (matching + grouping + merge preview) and
  `apply` it; time of reading alone, of dedupe alone, and dedupe relative to reading;
- bibtex-tidy (npm, installed into bench/node_modules when missing): `tidy()` with
  `duplicates: ["doi", "key", "abstract", "citation"]` (what `--duplicates` does),
  whose warnings name the duplicate pairs.

Both are scored against the ground truth: recall and precision over duplicate pairs
(every pair inside a reported group). genbib runs `--repeat` times per size, the sizes
alternating so that a noisy neighbour on a shared machine slows both alike, and each
size reports its median run; the 100k/10k time ratio (near linear means about 10x) is
printed from the medians, of wall and of CPU time, and run by run. A benchmark, not a
test: it prints figures and never fails.

    .venv/bin/python bench/bench_dedupe.py [--sizes 10000,100000] [--repeat 3] [--seed 0]
        [--skip-install] [--skip-tidy]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from _common import DATA, ROOT, TIDY_JS, ensure_generated, ensure_tidy, measure

# --- workers: run in a subprocess, write pairs to a file, print one JSON line -----------


def worker_genbib(path: Path, pairs_out: Path) -> None:
    from genbib.bibtex.reader import read_file
    from genbib.dedupe import apply, plan

    t0 = time.perf_counter()
    lib = read_file(path)
    t1 = time.perf_counter()
    c1 = time.process_time()
    p = plan(lib.entries, existing=[e.key for e in lib])
    c2 = time.process_time()
    t2 = time.perf_counter()
    apply(lib, p)
    t3 = time.perf_counter()
    groups = [list(g.keys) for g in p.groups]
    pairs_out.write_text(json.dumps(groups), encoding="utf-8")
    print(json.dumps({
        "read": t1 - t0, "plan": t2 - t1, "plan_cpu": c2 - c1, "apply": t3 - t2,
        "entries": len(lib),
        "note": f"{len(p.groups)} groups, {len(p.problems)} findings",
    }))  # fmt: skip


_TIDY_WORKER = r"""
const { tidy } = require(process.argv[1]);
const fs = require("fs");
const t0 = process.hrtime.bigint();
const text = fs.readFileSync(process.argv[2], "utf8");
const res = tidy(text, { duplicates: ["doi", "key", "abstract", "citation"] });
const dt = Number(process.hrtime.bigint() - t0) / 1e9;
const pairs = [];
for (const w of res.warnings) {
  if (w.code !== "DUPLICATE_ENTRY") continue;
  const m = /Entry (\S+) has .* to entry (\S+?)\.$/.exec(w.message);
  if (m) pairs.push([m[2], m[1]]);
}
fs.writeFileSync(process.argv[3], JSON.stringify(pairs));
console.log(JSON.stringify({ seconds: dt, note: `bibtex-tidy, ${pairs.length} duplicate warnings` }));
"""


@dataclass
class Result:
    tool: str
    size: int
    seconds: float | None = None
    read: float | None = None
    maxrss_mb: float = 0.0
    recall: float | None = None
    precision: float | None = None
    note: str = ""
    extra: dict[str, float] = field(default_factory=dict)


def ensure_data(size: int, seed: int) -> tuple[Path, set[tuple[str, str]]]:
    path = DATA / f"gen-{size}-{seed}.bib"
    ensure_generated(path, size, seed)
    pairs = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
    return path, {_pair(a, b) for a, b in pairs}


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def closure(groups: list[list[str]]) -> set[tuple[str, str]]:
    """Every pair inside the connected groups (links a-b and b-c make a-c a pair too)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for g in groups:
        for k in g[1:]:
            parent[root(k)] = root(g[0])
    members: dict[str, list[str]] = {}
    for k in list(parent):
        members.setdefault(root(k), []).append(k)
    out: set[tuple[str, str]] = set()
    for ks in members.values():
        ks.sort()
        out.update((ks[i], ks[j]) for i in range(len(ks)) for j in range(i + 1, len(ks)))
    return out


def score(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> tuple[float, float]:
    hit = len(found & truth)
    return hit / len(truth) if truth else 1.0, hit / len(found) if found else 1.0


def run_genbib(path: Path, size: int, truth: set[tuple[str, str]], timeout: float) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        out_file = Path(tmp) / "groups.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(path), str(out_file)]
        code, out, err, rss = measure(cmd, timeout)
        if code != 0:
            return Result(
                "genbib", size, maxrss_mb=rss, note=f"failed: {(err or out).strip()[-300:]}"
            )
        data = json.loads(out.strip().splitlines()[-1])
        recall, precision = score(closure(json.loads(out_file.read_text(encoding="utf-8"))), truth)
    note = f"{data['note']}; apply {data['apply']:.2f} s; plan CPU {data['plan_cpu']:.2f} s"
    return Result(
        "genbib", size, data["plan"], data["read"], rss, recall, precision, note,
        {"apply": data["apply"], "cpu": data["plan_cpu"]},
    )  # fmt: skip


def run_tidy(
    path: Path, size: int, truth: set[tuple[str, str]], node: str | None, timeout: float
) -> Result:
    if node is None:
        return Result("bibtex-tidy", size, note="skipped: node/npm or bibtex-tidy not available")
    with tempfile.TemporaryDirectory() as tmp:
        out_file = Path(tmp) / "pairs.json"
        code, out, err, rss = measure(
            [node, "-e", _TIDY_WORKER, str(TIDY_JS), str(path), str(out_file)], timeout
        )
        if code != 0:
            return Result(
                "bibtex-tidy", size, maxrss_mb=rss, note=f"failed: {(err or out).strip()[-200:]}"
            )
        data = json.loads(out.strip().splitlines()[-1])
        recall, precision = score(closure(json.loads(out_file.read_text(encoding="utf-8"))), truth)
    return Result("bibtex-tidy", size, data["seconds"], None, rss, recall, precision, data["note"])


def _fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def _line(r: Result) -> str:
    rel = f"{r.seconds / r.read:.2f}x read" if r.seconds is not None and r.read else ""
    return (
        f"  {r.tool:<12} time {_fmt(r.seconds, '8.2f')} s  read {_fmt(r.read, '6.2f')} s  {rel:>12}"
        f"  recall {_fmt(r.recall, '.4f')}  precision {_fmt(r.precision, '.4f')}"
        f"  peak RSS {r.maxrss_mb:6.0f} MB  {r.note}"
    )


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3, help="genbib runs per size (interleaved)")
    ap.add_argument("--timeout", type=float, default=900.0, help="per tool and size, seconds")
    ap.add_argument("--skip-install", action="store_true", help="do not npm-install bibtex-tidy")
    ap.add_argument("--skip-tidy", action="store_true", help="measure genbib only")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    node = None if args.skip_tidy else ensure_tidy(not args.skip_install)
    if node is None and not args.skip_tidy:
        print(
            "note: bibtex-tidy not available (no node/npm or install failed); its rows are skipped"
        )
    data = {size: ensure_data(size, args.seed) for size in sizes}
    for size, (path, truth) in data.items():
        print(f"{path.relative_to(ROOT)}: {size} entries, {len(truth)} planted duplicate pairs")
    # genbib's runs alternate between the sizes, so that a noisy neighbour on a shared
    # machine slows both sizes alike; each size reports its median run.
    runs: dict[int, list[Result]] = {size: [] for size in sizes}
    for n in range(max(1, args.repeat)):
        print(f"\ngenbib, run {n + 1} of {args.repeat}", flush=True)
        for size, (path, truth) in data.items():
            r = run_genbib(path, size, truth, args.timeout)
            runs[size].append(r)
            print(f"{size:>7}" + _line(r), flush=True)
    results = [_median(rs) for rs in runs.values()]
    if not args.skip_tidy:
        print("\nbibtex-tidy --duplicates", flush=True)
        for size, (path, truth) in data.items():
            r = run_tidy(path, size, truth, node, args.timeout)
            results.append(r)
            print(f"{size:>7}" + _line(r), flush=True)
    print(f"\nsummary (genbib: median of {args.repeat} runs)")
    print(
        f"  {'tool':<12} {'size':>7} {'dedupe s':>9} {'CPU s':>6} {'read s':>7} {'÷ read':>7}"
        f" {'recall':>7} {'precision':>9} {'RSS MB':>7}"
    )
    for r in results:
        rel = _fmt(r.seconds / r.read if r.seconds is not None and r.read else None, ".2f")
        print(
            f"  {r.tool:<12} {r.size:>7} {_fmt(r.seconds, '.2f'):>9} {_fmt(r.extra.get('cpu'), '.2f'):>6}"
            f" {_fmt(r.read, '.2f'):>7} {rel:>7}"
            f" {_fmt(r.recall, '.4f'):>7} {_fmt(r.precision, '.4f'):>9} {r.maxrss_mb:>7.0f}"
        )
    for tool in ("genbib", "bibtex-tidy"):
        by = {r.size: r for r in results if r.tool == tool and r.seconds is not None}
        if len(by) >= 2:
            small, large = min(by), max(by)
            ratio = by[large].seconds / by[small].seconds  # type: ignore[operator]
            line = f"  {tool}: {large // 1000}k / {small // 1000}k time = {ratio:.1f}x"
            if tool == "genbib":
                cpu = by[large].extra["cpu"] / by[small].extra["cpu"]
                per_run = [
                    f"{a.seconds / b.seconds:.1f}x"
                    for a, b in zip(runs[large], runs[small], strict=True)
                    if a.seconds and b.seconds
                ]
                line += f", CPU time {cpu:.1f}x; run by run {', '.join(per_run)}"
            print(line + f" (entries x{large / small:.0f})")
    gen = {r.size: r for r in results if r.tool == "genbib" and r.seconds is not None}
    tidy = {r.size: r for r in results if r.tool == "bibtex-tidy" and r.seconds is not None}
    for size in sorted(set(gen) & set(tidy)):
        ratio = tidy[size].seconds / gen[size].seconds  # type: ignore[operator]
        print(f"  {size // 1000}k: bibtex-tidy time / genbib time = {ratio:.2f}")
    return 0


def _median(rs: list[Result]) -> Result:
    """The run with the median dedupe time (failed runs sort last); its figures as measured."""
    ok = sorted((r for r in rs if r.seconds is not None), key=lambda r: r.seconds or 0.0)
    if not ok:
        return rs[0]
    mid = ok[(len(ok) - 1) // 2]
    cpus = sorted(r.extra["cpu"] for r in ok)
    reads = sorted(r.read for r in ok if r.read is not None)
    return Result(
        mid.tool, mid.size, mid.seconds, reads[(len(reads) - 1) // 2] if reads else None,
        max(r.maxrss_mb for r in ok), mid.recall, mid.precision, mid.note,
        {**mid.extra, "cpu": cpus[(len(cpus) - 1) // 2]},
    )  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker_genbib(Path(sys.argv[2]), Path(sys.argv[3]))
        raise SystemExit(0)
    raise SystemExit(main(sys.argv[1:]))
