"""Benchmark: `genbib render` on 10,000 entries, all formats, against pybtex's formatter.

The bar (issue 7): rendering 10,000 entries in all formats (markdown lists + index, LaTeX
stubs + all.tex + example.tex) in under 2 s. The entries come from bench/generate.py
(realistic ML bibliography); each gets one or two of eight topics, a third an annotation,
some an Oral/Spotlight note, so every list row and stub sentence is exercised.

What a user would otherwise run to turn a .bib into a reading list is a bibliography
formatter; pybtex's `plain` style with its markdown backend is the closest, so the same
entries are formatted with it for comparison (one flat list, no topics, no LaTeX stubs:
less work than genbib does). Both are timed in this process, excluding the parse, each
run cold (genbib's text and name caches are cleared before each run), best of --repeat
for genbib, one run for pybtex (it takes minutes). Wall and CPU time are both printed:
on a shared machine the wall time mostly measures the other processes.
This is a benchmark, not a test: it prints figures and never fails a build on speed.

    .venv/bin/python bench/bench_render.py [--entries 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import zlib
from pathlib import Path

from _common import BENCH, best_of

sys.path.insert(0, str(BENCH))

TOPICS = ("diffusion", "flows", "gan", "vae", "autoregressive", "sampling", "video", "3d")


def _library(n: int, seed: int):  # type: ignore[no-untyped-def]
    from genbib.bibtex.reader import parse
    from generate import generate

    text, _ = generate(n, seed)
    lib = parse(text, "bench.bib")
    for e in lib:
        h = zlib.crc32(e.key.encode())
        topics = {TOPICS[h % 8]} | ({TOPICS[(h >> 8) % 8]} if h & 1 else set())
        e.set_topics(sorted(topics))
        if h % 3 == 0:
            e.set(
                "annotation", "Annealed Langevin dynamics; 50% fewer steps & a $\\sigma$ schedule."
            )
        if h % 7 == 0:
            e.set("presentation", "Oral" if h % 2 else "Spotlight")
    return text, lib


def _config(root: Path):  # type: ignore[no-untyped-def]
    from genbib.config import from_dict

    topics = [
        {"slug": t, "title": t.capitalize(), "description": f"Papers on {t}."} for t in TOPICS
    ]
    return from_dict({"topics": topics}, root=root)


def _clear_caches() -> None:
    from genbib.model.names import _parse_one
    from genbib.model.venues import _find
    from genbib.render.escape import _md_str, _tex_str, _ulatex, md_url, safe_url, to_text

    for cached in (to_text, safe_url, md_url, _md_str, _tex_str, _ulatex):
        cached.cache_clear()
    _parse_one.cache_clear()
    _find.cache_clear()


def _time_genbib(lib, config, repeat: int) -> tuple[float, float, int, int]:  # type: ignore[no-untyped-def]
    from genbib.render import render

    rendered = []
    best, cpu = best_of(lambda: rendered.append(render(lib, config)), repeat, _clear_caches)
    r = rendered[-1]
    return best, cpu, len(r.outputs), sum(len(o.text.encode()) for o in r.outputs)


def _time_pybtex(text: str, repeat: int) -> tuple[float, float] | None:
    try:
        import pybtex.errors
        from pybtex.database import parse_string
        from pybtex.plugin import find_plugin
    except ImportError:
        return None
    pybtex.errors.set_strict_mode(False)
    bib = parse_string(text, "bibtex")
    style = find_plugin("pybtex.style.formatting", "plain")()
    backend = find_plugin("pybtex.backends", "markdown")()

    def format_all() -> None:
        formatted = style.format_bibliography(bib)
        out = "\n".join(entry.text.render(backend) for entry in formatted)
        assert out

    return best_of(format_all, repeat)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-pybtex", action="store_true", help="Skip the (slow) pybtex comparison.")
    args = ap.parse_args(argv)

    text, lib = _library(args.entries, seed=0)
    with tempfile.TemporaryDirectory() as tmp:
        config = _config(Path(tmp))
        seconds, cpu, files, size = _time_genbib(lib, config, args.repeat)

        from genbib.render import differing, render, write

        t0 = time.perf_counter()
        write(render(lib, config))
        first_write = time.perf_counter() - t0
        t0 = time.perf_counter()
        stale = differing(render(lib, config))
        rerun = time.perf_counter() - t0
        assert stale == []

    pyb = _time_pybtex(text, 1) if not args.no_pybtex else None
    n = len(lib)
    load = os.getloadavg()[0]
    c0 = time.process_time()
    sum(range(10**7))
    baseline = time.process_time() - c0
    print(
        f"## genbib render: {n} entries, {len(TOPICS)} topics, best of {args.repeat} (cold caches)"
    )
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load:.1f}; CPU time of sum(range(10**7)) "
        f"{baseline:.2f} s (about 0.2 s on an idle laptop: scale the figures by it)"
    )
    print(f"{'tool':<34} {'wall s':>8} {'CPU s':>8} {'entries/s':>10} {'x genbib':>9}")
    print(
        f"{'genbib render (md + tex)':<34} {seconds:>8.3f} {cpu:>8.3f} {n / cpu:>10.0f} {1:>9.2f}"
    )
    if pyb is not None:
        wall, pcpu = pyb
        print(
            f"{'pybtex plain -> markdown (1 list)':<34} {wall:>8.3f} {pcpu:>8.3f} {n / pcpu:>10.0f} {pcpu / cpu:>9.2f}"
        )
    print(
        f"{files} files, {size / 1e6:.1f} MB; render + write {first_write:.3f} s wall; "
        f"re-render + compare (no change) {rerun:.3f} s wall"
    )
    verdict = "under" if cpu < 2.0 else "OVER"
    print(
        f"bar: 10,000 entries in all formats under 2 s -> {cpu:.2f} s CPU, {seconds:.2f} s wall ({verdict} on CPU time)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
