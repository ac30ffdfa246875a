"""Benchmark: importing a 700 KB awesome list, against what a user would otherwise run.

The list is made by repeating the seed lists' shapes with varied rows (pipe tables with
badge links and `<br>` cells, headerless tables under "Label:" lines, bullet lists of bare
titles, link lists with dates) until it is 700 KB; every row is a different paper (distinct
titles and arXiv ids), with a few hundred repeats across sections so dedupe has work.

One run prints, best of --repeat:
- genbib: the whole import (repair, parse, candidates, filler/link checks, grouping through
  the dedupe engine, merge into an empty library, key assignment) and the bib write;
- markdown-it-py parse alone (the floor: what any structure-aware tool pays);
- pandoc markdown -> JSON (the converter a user would reach for), when pandoc is installed.
Ratios are genbib / other. The bar (issue 3): genbib under 5 s. This is a benchmark, not a
test: it prints figures and never fails a build on speed.

    .venv/bin/python bench/bench_import.py [--kb 700] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ROOT, best_of

sys.path.insert(0, str(ROOT / "src"))

WORDS = """diffusion score flow matching latent autoregressive transformer consistency
distillation guidance sampling video image text audio 3d scalable efficient implicit
denoising probabilistic generative adversarial variational masked token quantized rectified
stochastic interpolants energy hierarchical conditional controllable inversion editing""".split()
MONTHS = "Jan Feb Mar Apr May June July Aug Sep Oct Nov Dec".split()
VENUES = [
    "NIPS<br>2019",
    "ICLR<br>2021",
    "ICML 2023",
    "CVPR 2024",
    "ECCV 2022",
    "arXiv 2024",
    "NeurIPS 2021 Workshop",
    "TPAMI 2023",
]


def title(rng: random.Random, i: int) -> str:
    words = rng.sample(WORDS, 6)
    return f"{words[0].title()} {words[1]} for {words[2]} {words[3]} with {words[4]} {words[5]} {i}"


def make_list(kb: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    parts: list[str] = ["# Generated awesome list\n"]
    size, i, section = 0, 0, 0
    while size < kb * 1024:
        section += 1
        shape = section % 4
        rows: list[str] = []
        if shape == 0:
            rows.append(
                f"\n## Section {section}\n\n| Date | Title | Summary | Links |\n| --- | --- | --- | --- |\n"
            )
            for _ in range(40):
                i += 1
                rows.append(
                    f"| {rng.choice(VENUES)} | **{title(random.Random(i), i)}** \\| M{i} | <sub>Proposed **M{i}**, "
                    f"{' '.join(rng.sample(WORDS, 12))}.</sub> | <div>[![arXiv](https://img.shields.io/b.svg)]"
                    f"(https://arxiv.org/abs/{2101 + i % 12}.{i:05d})</div><div>[![GitHub](b.svg)]"
                    f"(https://github.com/lab{i}/m{i})</div> |\n"
                )
        elif shape == 1:
            rows.append(
                f"\nTopic {section}:\nDate|Method|Conference|Title|Code|abstract\n-----|----|-----|-----|-----|-----\n"
            )
            for _ in range(40):
                i += 1
                rows.append(
                    f"2021-{1 + i % 12:02d}-1{rng.randint(0, 9)}|M{i}|{rng.choice(VENUES).replace('<br>', ' ')}|"
                    f"[{title(random.Random(i), i)}](https://arxiv.org/pdf/{2101 + i % 12}.{i:05d}.pdf)|"
                    f"[code](https://github.com/lab{i}/m{i})|{' '.join(rng.sample(WORDS, 8))}\n"
                )
        elif shape == 2:
            rows.append(f"\n## Bullets {section}\n")
            for _ in range(40):
                i += 1
                rows.append(f"- {title(random.Random(i), i)} (M{i})\n")
        else:
            rows.append(f"\n### Papers {section}\n\n")
            for _ in range(40):
                i += 1
                again = rng.random() < 0.05 and i > 100
                j = rng.randint(1, i - 1) if again else i
                r = random.Random(j)
                rows.append(
                    f"* [{title(r, j)}](https://arxiv.org/abs/{2101 + j % 12}.{j:05d}) "
                    f"({rng.randint(1, 28)} {MONTHS[j % 12]} 2021)  \n"
                )
        chunk = "".join(rows)
        parts.append(chunk)
        size += len(chunk.encode("utf-8"))
    return "".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kb", type=int, default=700)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from markdown_it import MarkdownIt

    from genbib.bibtex.writer import dumps
    from genbib.config import load
    from genbib.importers import import_sources
    from genbib.model.library import Library

    config = load(ROOT / "genbib.toml")
    text = make_list(args.kb)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "awesome.md"
        src.write_text(text, "utf-8")
        kb = src.stat().st_size / 1024
        result: dict[str, object] = {}

        def genbib() -> None:
            lib = Library()
            report = import_sources(lib, [src], config)
            dumps(lib, "key")
            result["report"] = report
            result["n"] = len(lib.entries)

        t_genbib = best_of(genbib, args.repeat)
        md = MarkdownIt("commonmark", {"html": True}).enable("table")
        t_md = best_of(lambda: md.parse(text), args.repeat)
        pandoc = shutil.which("pandoc")
        t_pandoc: tuple[float, float] | None = None
        if pandoc:
            t_pandoc = best_of(
                lambda: subprocess.run(
                    [pandoc, "-f", "gfm", "-t", "json", str(src)], capture_output=True, check=True
                ),
                args.repeat,
            )
    report = result["report"]
    print(f"list: {kb:.0f} KB, {report.rows} paper rows, {result['n']} distinct papers")  # type: ignore[attr-defined]
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} CPUs (wall times suffer when it is high)")
    print(f"{'tool':<28}{'wall (s)':>10}{'CPU (s)':>10}{'genbib / tool (CPU)':>22}")
    print(f"{'genbib import (all stages)':<28}{t_genbib[0]:>10.2f}{t_genbib[1]:>10.2f}{1.0:>22.2f}")
    print(
        f"{'markdown-it-py parse only':<28}{t_md[0]:>10.2f}{t_md[1]:>10.2f}{t_genbib[1] / t_md[1]:>22.2f}"
    )
    if t_pandoc is not None:  # a subprocess: its CPU is not ours, compare wall times
        print(
            f"{'pandoc gfm -> json':<28}{t_pandoc[0]:>10.2f}{'-':>10}{t_genbib[0] / t_pandoc[0]:>22.2f}"
        )
    else:
        print(f"{'pandoc gfm -> json':<28}{'n/a':>10}{'':>10}{'(not installed)':>22}")
    verdict = "meets" if t_genbib[1] < 5.0 else "MISSES"
    print(
        f"bar: import of a {args.kb} KB list under 5 s: {verdict} (CPU {t_genbib[1]:.2f} s, wall {t_genbib[0]:.2f} s)"
    )


if __name__ == "__main__":
    main()
