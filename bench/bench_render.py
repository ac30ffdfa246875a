"""Benchmark: `genbib render` on 10,000 entries, all formats, against pybtex's formatter.

The bar (issue 7): rendering 10,000 entries in all formats (markdown lists + index, LaTeX
stubs + all.tex + example.tex) in under 2 s. The entries come from bench/generate.py
(realistic ML bibliography); each gets one or two of eight topics, a third an annotation,
some an Oral/Spotlight note, so every list row and stub sentence is exercised.

What a user would otherwise run to turn a .bib into a reading list is a bibliography
formatter; pybtex's `plain` style with its markdown backend is the closest, so the same
entries are formatted with it for comparison (one flat list, no topics, no LaTeX stubs:
less work than genbib does). Both are timed in this process, excluding the parse, each
run cold (genbib's text and name caches are cleared before each run), best of --repeat.
This is a benchmark, not a test: it prints figures and never fails a build on speed.

    .venv/bin/python bench/bench_render.py [--entries 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zlib
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

TOPICS = ("diffusion", "flows", "gan", "vae", "autoregressive", "sampling", "video", "3d")


def _library(n: int, seed: int):  # type: ignore[no-untyped-def]
    from generate import generate

    from genbib.bibtex.reader import parse

    text, _ = generate(n, seed)
    lib = parse(text, "bench.bib")
    for e in lib:
        h = zlib.crc32(e.key.encode())
        topics = {TOPICS[h % 8]} | ({TOPICS[(h >> 8) % 8]} if h & 1 else set())
        e.set_topics(sorted(topics))
        if h % 3 == 0:
            e.set("annotation", "Annealed Langevin dynamics; 50% fewer steps & a $\\sigma$ schedule.")
        if h % 7 == 0:
            e.set("presentation", "Oral" if h % 2 else "Spotlight")
    return text, lib


def _config(root: Path):  # type: ignore[no-untyped-def]
    from genbib.config import from_dict

    topics = [{"slug": t, "title": t.capitalize(), "description": f"Papers on {t}."} for t in TOPICS]
    return from_dict({"topics": topics}, root=root)


def _clear_caches() -> None:
    from genbib.model.names import _parse_one
    from genbib.render.escape import md_url, safe_url, to_text

    for cached in (to_text, safe_url, md_url):
        cached.cache_clear()
    _parse_one.cache_clear()


def _time_genbib(lib, config, repeat: int) -> tuple[float, int, int]:  # type: ignore[no-untyped-def]
    from genbib.render import render

    best, files, size = float("inf"), 0, 0
    for _ in range(repeat):
        _clear_caches()
        t0 = time.perf_counter()
        r = render(lib, config)
        best = min(best, time.perf_counter() - t0)
        files, size = len(r.outputs), sum(len(o.text.encode()) for o in r.outputs)
    return best, files, size


def _time_pybtex(text: str, repeat: int) -> float | None:
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
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        formatted = style.format_bibliography(bib)
        out = "\n".join(entry.text.render(backend) for entry in formatted)
        best = min(best, time.perf_counter() - t0)
        assert out
    return best


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    text, lib = _library(args.entries, seed=0)
    with tempfile.TemporaryDirectory() as tmp:
        config = _config(Path(tmp))
        seconds, files, size = _time_genbib(lib, config, args.repeat)

        from genbib.render import differing, render, write

        t0 = time.perf_counter()
        write(render(lib, config))
        first_write = time.perf_counter() - t0
        t0 = time.perf_counter()
        stale = differing(render(lib, config))
        rerun = time.perf_counter() - t0
        assert stale == []

    pyb = _time_pybtex(text, args.repeat)
    n = len(lib)
    print(f"## genbib render: {n} entries, {len(TOPICS)} topics, best of {args.repeat} (cold caches)")
    print(f"{'tool':<34} {'seconds':>8} {'entries/s':>10} {'x genbib':>9}")
    print(f"{'genbib render (md + tex)':<34} {seconds:>8.3f} {n / seconds:>10.0f} {1:>9.2f}")
    if pyb is not None:
        print(f"{'pybtex plain -> markdown (1 list)':<34} {pyb:>8.3f} {n / pyb:>10.0f} {pyb / seconds:>9.2f}")
    print(f"{files} files, {size / 1e6:.1f} MB; render + write {first_write:.3f} s; "
          f"re-render + compare (no change) {rerun:.3f} s")
    verdict = "under" if seconds < 2.0 else "OVER"
    print(f"bar: 10,000 entries in all formats under 2 s -> {seconds:.2f} s ({verdict})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
