"""Benchmark: genbib's commands timed as a user runs them, beside what a user would run instead.

Every figure is a whole process (interpreter start-up, imports, reading, writing), measured
hyperfine-style: one warm-up run, then --runs runs, each preceded by an untimed `prepare`
(e.g. restoring the unformatted file before a rewrite); the table shows the median wall
time, the spread (min-max), the median CPU time (user+sys of the child, steadier than wall
time on a shared machine) and the peak RSS (ru_maxrss of the child, via wait4).

On generated ML bibliographies (bench/generate.py) of 10k and 100k entries, side by side:
- genbib fmt (rewrite / already canonical / --check), rekey (a write through `edit()`);
- bibtexparser 2.1 parse + write, in its own venv (bench/.venv-bp2; pyzotero pins
  bibtexparser < 2): its default stack, its in-place writer
  (`default_unparse_stack(allow_inplace_modification=True)`, the fastest writer that still
  encloses values) and the bare splitter with no middlewares at all;
- bibtex-tidy (npm, bench/node_modules) rewriting the file in place (`--modify`);
- pybtex parse_file + to_file;
- the look-ups (show, cite, stats, key completion), check and render, against
  `genbib --help` start-up.

Every command runs with Python's bytecode cache on (PYTHONDONTWRITEBYTECODE removed from
the children's environment): a user's installed genbib, like bibtexparser installed by
pip, is compiled once, not on every run (the warm-up run writes the cache).

A comparator that is not installed is printed as "not installed". The bars (issue 16):
fmt and rekey at least 3x faster than bibtexparser 2.1's parse + in-place write, peak RSS at
most 5x the file's size; look-ups within 3x of `genbib --help`; render under 2 s and check
under 1 s at 10k. A benchmark, not a test: it prints figures and never fails on speed.

    .venv/bin/python bench/bench_cli.py [--sizes 10000,100000] [--runs 5] [--skip-install]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from _common import BENCH, TIDY_JS, ensure_tidy
from bench_bibtex import ensure_bp2, ensure_data

BIN = Path(sys.executable).parent
GENBIB = str(BIN / "genbib")
TOPICS = ("diffusion", "flows", "gan", "vae", "autoregressive", "sampling", "video", "3d")

_BP2 = r"""
import sys, bibtexparser
from bibtexparser.middlewares import default_unparse_stack
path, mode = sys.argv[1], sys.argv[2]
if mode == "default":
    lib = bibtexparser.parse_file(path)
    bibtexparser.write_file(path, lib)
elif mode == "inplace":
    lib = bibtexparser.parse_file(path)
    bibtexparser.write_file(
        path, lib, unparse_stack=default_unparse_stack(allow_inplace_modification=True)
    )
else:  # the splitter alone: no string resolution, no enclosing removed or added
    lib = bibtexparser.parse_file(path, parse_stack=[])
    bibtexparser.write_file(path, lib, unparse_stack=[])
"""

# The floor of any reader, as a process: read the bytes, decode them and make one regex
# pass that finds every brace (what any BibTeX reader must do to know where values end).
_FLOOR = r"""
import re, sys
text = open(sys.argv[1], "rb").read().decode("utf-8")
print(len(re.findall(r"[{}]", text)))
"""

_PYBTEX = r"""
import sys
import pybtex.errors
from pybtex.database import parse_file
pybtex.errors.set_strict_mode(False)
bib = parse_file(sys.argv[1], "bibtex")
bib.to_file(sys.argv[1], "bibtex")
"""


@dataclass
class Case:
    group: str
    name: str
    cmd: list[str] | None  # None: not installed
    prepare: Callable[[], None] = lambda: None
    env: dict[str, str] = field(default_factory=dict)
    ok_codes: tuple[int, ...] = (0,)
    note: str = ""


@dataclass
class Timing:
    wall: list[float]
    cpu: list[float]
    rss_mb: float
    failed: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


# ru_maxrss counts what a process inherited at fork (Linux carries the high-water mark
# across exec), so each command runs under this tiny forking parent, which reports the
# child's wall time, CPU time and peak RSS on its own stdout (the child's goes to null).
_SPAWN = r"""
import os, sys, time
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1)
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t0
print(os.waitstatus_to_exitcode(status), wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss)
"""


def run_once(
    cmd: list[str], cwd: Path, env: dict[str, str]
) -> tuple[int, float, float, float, str]:
    """(exit code, wall s, CPU s, peak RSS MB, stderr tail) of one run of `cmd`."""
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.run(
        [sys.executable, "-c", _SPAWN, *cmd],
        cwd=cwd,
        env={**base, **env},
        capture_output=True,
        text=True,
    )
    code, wall, cpu, rss = proc.stdout.split()
    return int(code), float(wall), float(cpu), int(rss) / 1024, proc.stderr.strip()[-300:]


def measure(case: Case, cwd: Path, runs: int, warmup: int) -> Timing:
    assert case.cmd is not None
    wall: list[float] = []
    cpu: list[float] = []
    rss = 0.0
    i = 0
    while len(wall) < runs:  # the warm-up runs fill the page cache and are not counted
        case.prepare()
        code, w, c, r, tail = run_once(case.cmd, cwd, case.env)
        if code not in case.ok_codes:
            return Timing(wall, cpu, r, failed=f"exit {code}: {tail}")
        if i >= warmup:  # peak RSS of counted runs only (a warm-up may build the index)
            rss = max(rss, r)
            wall.append(w)
            cpu.append(c)
        if w > 20:  # a slow tool: one counted run is enough to compare
            runs = 1
        i += 1
    return Timing(wall, cpu, rss)


def _copy(src: Path, dst: Path) -> Callable[[], None]:
    return lambda: shutil.copyfile(src, dst)


def setup(work: Path, source: Path) -> dict[str, Path]:
    """The lab directory of one size: genbib.toml, the unformatted bib and variants."""
    from genbib.bibtex.reader import read_file
    from genbib.bibtex.writer import dumps

    (work / "genbib.toml").write_text(
        'bib = "lib.bib"\n'
        + "".join(f'[[topics]]\nslug = "{t}"\ntitle = "{t.capitalize()}"\n' for t in TOPICS),
        encoding="utf-8",
    )
    lib = read_file(source)
    canon = work / "canon.bib"
    canon.write_text(dumps(lib), encoding="utf-8")
    for e in lib:  # topics, so that `render` has lists to write
        h = zlib.crc32(e.key.encode())
        e.set_topics(sorted({TOPICS[h % 8]} | ({TOPICS[(h >> 8) % 8]} if h & 1 else set())))
    topical = work / "topical.bib"
    topical.write_text(dumps(lib), encoding="utf-8")
    keys = [e.key for e in lib]
    (work / "keys.txt").write_text(keys[len(keys) // 2] + "\n", encoding="utf-8")
    return {"source": source, "canon": canon, "topical": topical}


def cases(work: Path, files: dict[str, Path], bp2: str | None, node: str | None) -> list[Case]:
    bib = work / "lib.bib"
    key = (work / "keys.txt").read_text(encoding="utf-8").strip()
    raw, canon, topical = _copy(files["source"], bib), _copy(files["canon"], bib), None
    topical = _copy(files["topical"], bib)
    (work / "bp2.py").write_text(_BP2, encoding="utf-8")
    (work / "pybtex_rw.py").write_text(_PYBTEX, encoding="utf-8")
    (work / "floor.py").write_text(_FLOOR, encoding="utf-8")

    def bp2_case(mode: str, label: str) -> Case:
        cmd = None if bp2 is None else [bp2, str(work / "bp2.py"), str(bib), mode]
        return Case("write", f"bibtexparser 2.1 {label}", cmd, raw)

    tidy = (
        None
        if node is None
        else [node, str(TIDY_JS.parent / "bin" / "bibtex-tidy"), str(bib), "--modify"]
    )
    completion = {
        "_GENBIB_COMPLETE": "bash_complete",
        "COMP_WORDS": f"genbib show {key[:4]}",
        "COMP_CWORD": "2",
    }
    return [
        Case("start-up", "python -c pass", [sys.executable, "-c", "pass"]),
        Case("start-up", "genbib --help", [GENBIB, "--help"]),
        Case(
            "write",
            "floor: read + one regex pass",
            [sys.executable, str(work / "floor.py"), str(bib)],
            raw,
        ),
        Case("write", "genbib fmt (rewrite)", [GENBIB, "fmt", str(bib)], raw),
        Case("write", "genbib fmt (canonical)", [GENBIB, "fmt", str(bib)], canon),
        Case(
            "write", "genbib fmt --check", [GENBIB, "fmt", "--check", str(bib)], raw, ok_codes=(1,)
        ),
        Case("write", "genbib rekey", [GENBIB, "rekey", key, key + "x"], canon),
        bp2_case("default", "default stack"),
        bp2_case("inplace", "in-place writer"),
        bp2_case("bare", "splitter only"),
        Case("write", "bibtex-tidy --modify", tidy, raw),
        Case(
            "write",
            "pybtex parse + write",
            [sys.executable, str(work / "pybtex_rw.py"), str(bib)],
            raw,
        ),
        Case("look-up", "genbib show KEY", [GENBIB, "show", key], canon),
        Case(
            "look-up",
            "genbib cite diffusion transformer",
            [GENBIB, "cite", "diffusion", "transformer"],
            canon,
        ),
        Case("look-up", "genbib stats", [GENBIB, "stats"], canon),
        Case("look-up", "key completion (bash)", [GENBIB], canon, env=completion),
        Case("other", "genbib check", [GENBIB, "check"], canon, ok_codes=(0, 1)),
        Case("other", "genbib render", [GENBIB, "render"], topical),
    ]


def report(size: int, mb: float, rows: list[tuple[Case, Timing | None]]) -> None:
    by = {c.name: t for c, t in rows if t is not None and not t.failed}
    base = by.get("genbib fmt (rewrite)")
    helpt = by.get("genbib --help")
    print(f"\n## {size} entries ({mb:.1f} MB)")
    print(
        f"{'command':<36} {'median s':>9} {'spread s':>15} {'CPU s':>7} {'peak MB':>8} "
        f"{'xfile':>6} {'ratio':>8}"
    )
    group = ""
    for case, t in rows:
        if case.group != group:
            group = case.group
            print(f"-- {group}")
        if t is None:
            print(f"{case.name:<36} {'not installed':>9}")
            continue
        if t.failed:
            print(f"{case.name:<36} failed: {t.failed}")
            continue
        ref = base if case.group == "write" else helpt if case.group == "look-up" else None
        ratio = f"{t.median / ref.median:.2f}x" if ref else ""
        spread = f"{min(t.wall):.3f}-{max(t.wall):.3f}"
        print(
            f"{case.name:<36} {t.median:>9.3f} {spread:>15} {t.cpu_median:>7.3f} "
            f"{t.rss_mb:>8.0f} {t.rss_mb / mb:>6.1f} {ratio:>8}  (n={len(t.wall)})"
        )
    print("(ratio: write rows / genbib fmt (rewrite); look-up rows / genbib --help)")
    _bars(by, mb)


def _bars(by: dict[str, Timing], mb: float) -> None:
    inplace = by.get("bibtexparser 2.1 in-place writer")
    for name in ("genbib fmt (rewrite)", "genbib rekey"):
        g = by.get(name)
        if g is None:
            continue
        if inplace is not None:
            x, xc = inplace.median / g.median, inplace.cpu_median / g.cpu_median
            verdict = "met" if x >= 3 else "MISSED"
            print(
                f"bar: {name} >= 3x faster than bibtexparser 2.1 in-place: {verdict} ({x:.2f}x wall, {xc:.2f}x CPU)"
            )
        verdict = "met" if g.rss_mb <= 5 * mb else "MISSED"
        print(f"bar: {name} peak RSS <= 5x file: {verdict} ({g.rss_mb / mb:.1f}x)")
    helpt = by.get("genbib --help")
    if helpt is not None:
        for name in (
            "genbib show KEY",
            "genbib cite diffusion transformer",
            "genbib stats",
            "key completion (bash)",
        ):
            t = by.get(name)
            if t is not None:
                x = t.median / helpt.median
                print(
                    f"bar: {name} within 3x of genbib --help: {'met' if x <= 3 else 'MISSED'} ({x:.2f}x)"
                )


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--runs", type=int, default=5, help="counted runs per command (3 at >= 50k)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--warmup", type=int, default=1, help="uncounted runs before each command")
    ap.add_argument("--only", default="", help="run only the commands whose name contains this")
    ap.add_argument(
        "--exclude", default="", help="skip the commands whose name contains any of these (a,b)"
    )
    ap.add_argument("--skip-install", action="store_true", help="do not install comparators")
    args = ap.parse_args(argv)
    bp2 = ensure_bp2(not args.skip_install)
    node = ensure_tidy(not args.skip_install)
    print(
        f"# genbib commands as processes ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}, load {os.getloadavg()[0]:.1f})"
    )
    for size in (int(s) for s in args.sizes.split(",") if s):
        source = ensure_data(size, args.seed)
        mb = source.stat().st_size / 1e6
        runs = args.runs if size < 50_000 else min(args.runs, 3)
        with tempfile.TemporaryDirectory(prefix="genbib-bench-") as tmp:
            work = Path(tmp)
            files = setup(work, source)
            rows: list[tuple[Case, Timing | None]] = []
            for case in cases(work, files, bp2, node):
                if args.only and args.only not in case.name and case.group != "start-up":
                    continue
                if any(x and x in case.name for x in args.exclude.split(",")):
                    continue
                # A look-up is timed warm: its first run builds the index.
                warm = max(args.warmup, 1) if case.group == "look-up" else args.warmup
                timing = None if case.cmd is None else measure(case, work, runs, warm)
                rows.append((case, timing))
                print(".", end="", flush=True, file=sys.stderr)
            report(size, mb, rows)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(BENCH))
    raise SystemExit(main(sys.argv[1:]))
