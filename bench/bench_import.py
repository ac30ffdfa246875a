"""Benchmark: `genbib import` on real awesome lists (what reaches the bib) and on large
lists (how long a user waits).

Part 1, real lists: every README in `../shared/realworld/awesome-lists/` (third-party data,
origin in its SOURCES.md; never copied into this repo) is imported into an empty library.
Per list it prints the paper rows and distinct papers read, the arXiv-id recall (the share
of the distinct arXiv ids of the README that reach the bib) and the non-paper rows wrongly
imported, against the hand-checked ground truth beside this file (`import_truth.json`, how
it was built is in `import_truth.md`). Bar (issue 14): mean recall >= 0.98, no list below
0.9, no list with zero papers, non-papers wrongly imported <= 1% of the entries. The five
lab lists (`sources/`, the same files as `../shared/seeds/`) must give the same bib, byte
for byte, as recorded in the truth file. `--extra DIR` adds lists never tuned to (held-out
checks): their recall is measured against every arXiv id in the file, with no truth.

Part 2, speed, measured as a user runs it (the whole `genbib import` process, on a copy
of the bib it writes): a 700 KB list into an empty bib and a 14,000-row list into a
generated 20,000-entry bib (bench/generate.py), then the same list again into the bib that
has it (a list re-imported after an update: every row a merge), side by side with
`genbib --help` (start-up), markdown-it-py parsing the same list in a process of its own
(the floor for any tool that reads markdown structurally) and the bib's own locked read,
canonical write and read-back check with no import (`bibtex.store.edit`, the other floor). Bars (issue 16): under 2 s and under 5 s. CPU time is
the child's user+system time (what the work costs on a shared machine); wall time is what
the user waits. A benchmark, not a test: it prints figures and never fails a build.

Part 3 (`--part stages`, not in `all`): where the 14k import's CPU time goes, stage by
stage, in one process (the floors and the importer's own work side by side).

    .venv/bin/python bench/bench_import.py [--part real|speed|stages|all] [--extra DIR] [--repeat 2]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import DATA, ROOT, ensure_generated

sys.path.insert(0, str(ROOT / "src"))

TRUTH = Path(__file__).with_name("import_truth.json")
_ARXIV = re.compile(r"arxiv\.org/(?:abs|pdf|html)/(\d{4}\.\d{4,5})", re.IGNORECASE)


def shared_dir() -> Path | None:
    """`../shared` beside the repository (CI), or beside the worktree's parent."""
    env = os.environ.get("GENBIB_SHARED")
    for cand in ([Path(env)] if env else []) + [
        ROOT.parent / "shared",
        ROOT.parent.parent / "shared",
    ]:
        if (cand / "realworld" / "awesome-lists").is_dir():
            return cand
    return None


# --- part 1: real lists ----------------------------------------------------------------


def import_one(path: Path, config: object) -> tuple[object, object, str]:
    from genbib.bibtex.writer import dumps
    from genbib.importers import import_sources
    from genbib.model.library import Library

    lib = Library()
    report = import_sources(lib, [path], config)  # type: ignore[arg-type]
    return lib, report, dumps(lib, "key")


def arxiv_in(text: str) -> set[str]:
    return set(_ARXIV.findall(text))


def real_lists(extra: Path | None) -> bool:
    from genbib.config import load

    shared = shared_dir()
    if shared is None:
        print(
            "real lists: ../shared/realworld/awesome-lists not found (set GENBIB_SHARED); skipped"
        )
        return False
    truth = json.loads(TRUTH.read_text("utf-8"))
    config = load(ROOT / "genbib.toml")
    head = f"{'list':<44}{'rows':>6}{'papers':>7}{'ids':>6}{'recall':>8}{'non-p.':>7}{'wrong':>6}"
    print(head)
    print("-" * len(head))
    recalls: list[float] = []
    wrong_total = entries_total = zero = 0
    for name, want in sorted(truth["lists"].items()):
        path = shared / "realworld" / "awesome-lists" / name
        text = path.read_text("utf-8")
        lib, report, out = import_one(path, config)
        expected = arxiv_in(text) - set(want["excluded"])
        got = arxiv_in(out) | {e.arxiv for e in lib.entries if e.arxiv}  # type: ignore[attr-defined]
        recall = len(expected & got) / len(expected) if expected else 1.0
        lines = {e.line for e in lib.entries}  # type: ignore[attr-defined]
        wrong = len(lines & set(want["non_papers"]))
        recalls.append(recall)
        wrong_total += wrong
        entries_total += len(lib.entries)  # type: ignore[attr-defined]
        zero += report.papers == 0  # type: ignore[attr-defined]
        print(
            f"{name[:43]:<44}{report.rows:>6}{report.papers:>7}{len(expected):>6}"  # type: ignore[attr-defined]
            f"{recall:>8.3f}{len(want['non_papers']):>7}{wrong:>6}"
        )
    mean, low = sum(recalls) / len(recalls), min(recalls)
    share = wrong_total / entries_total if entries_total else 0.0
    print("-" * len(head))
    print(
        f"{len(recalls)} lists: mean recall {mean:.3f}, lowest {low:.3f}, lists with no paper "
        f"{zero}, non-papers wrongly imported {wrong_total}/{entries_total} entries = {share:.2%}"
    )
    ok = mean >= 0.98 and low >= 0.9 and zero == 0 and share <= 0.01
    lab_ok = lab_lists(truth["lab"], config)
    print(
        f"bar (mean >= 0.98, none < 0.9, none empty, wrong <= 1%, lab lists unchanged): "
        f"{'meets' if ok and lab_ok else 'MISSES'}"
    )
    if extra is not None:
        held_out(extra, config)
    return ok and lab_ok


def lab_lists(want: dict[str, object], config: object) -> bool:
    """The five lab lists give the bib recorded in the truth file, byte for byte."""
    from genbib.bibtex.writer import dumps
    from genbib.importers import import_sources
    from genbib.model.library import Library

    lib = Library()
    paths = sorted((ROOT / "sources").iterdir())
    report = import_sources(lib, paths, config, metadata=[ROOT / "bib" / "seed-metadata.bib"])  # type: ignore[arg-type]
    digest = hashlib.sha256(dumps(lib, "key").encode()).hexdigest()
    got = {
        "rows": report.rows,
        "papers": report.papers,
        "skipped": len(report.skipped),
        "sha256": digest,
    }
    same = got == want
    print(
        f"lab lists: {report.rows} rows, {report.papers} papers, {len(report.skipped)} non-paper "
        f"rows skipped; bib {'identical to' if same else 'DIFFERENT from'} the recorded one"
    )
    return same


def held_out(folder: Path, config: object) -> None:
    print(f"held-out lists in {folder} (not tuned to; recall over every arXiv id in the file):")
    for path in sorted(folder.glob("*.md")):
        text = path.read_text("utf-8")
        lib, report, out = import_one(path, config)
        expected = arxiv_in(text)
        got = arxiv_in(out) | {e.arxiv for e in lib.entries if e.arxiv}  # type: ignore[attr-defined]
        recall = len(expected & got) / len(expected) if expected else 1.0
        print(
            f"  {path.name[:50]:<52}{report.rows:>6}{report.papers:>7}{len(expected):>6}{recall:>8.3f}"
        )  # type: ignore[attr-defined]


# --- part 2: speed -----------------------------------------------------------------------

WORDS = """diffusion score flow matching latent autoregressive transformer consistency
distillation guidance sampling video image text audio 3d scalable efficient implicit
denoising probabilistic generative adversarial variational masked token quantized rectified
stochastic interpolants energy hierarchical conditional controllable inversion editing""".split()
MONTHS = "Jan Feb Mar Apr May June July Aug Sep Oct Nov Dec".split()
VENUES = ["NIPS<br>2019", "ICLR<br>2021", "ICML 2023", "CVPR 2024", "ECCV 2022", "arXiv 2024",
          "NeurIPS 2021 Workshop", "TPAMI 2023"]  # fmt: skip


def title(rng: random.Random, i: int) -> str:
    words = rng.sample(WORDS, 6)
    return f"{words[0].title()} {words[1]} for {words[2]} {words[3]} with {words[4]} {words[5]} {i}"


def make_list(kb: int = 0, rows: int = 0, seed: int = 0) -> str:
    """A list in the seed lists' shapes (pipe tables with badge links and `<br>` cells,
    headerless tables under "Label:" lines, bullets of bare titles, link lists with dates)
    until it is `kb` KB or has `rows` rows; every row a different paper, a few repeated."""
    rng = random.Random(seed)
    parts: list[str] = ["# Generated awesome list\n"]
    size, i, section = 0, 0, 0
    while (kb and size < kb * 1024) or (rows and i < rows):
        section += 1
        shape = section % 4
        out: list[str] = []
        if shape == 0:
            out.append(
                f"\n## Section {section}\n\n| Date | Title | Summary | Links |\n| --- | --- | --- | --- |\n"
            )
            for _ in range(40):
                i += 1
                out.append(
                    f"| {rng.choice(VENUES)} | **{title(random.Random(i), i)}** \\| M{i} | <sub>Proposed **M{i}**, "
                    f"{' '.join(rng.sample(WORDS, 12))}.</sub> | <div>[![arXiv](https://img.shields.io/b.svg)]"
                    f"(https://arxiv.org/abs/{2101 + i % 12}.{i:05d})</div><div>[![GitHub](b.svg)]"
                    f"(https://github.com/lab{i}/m{i})</div> |\n"
                )
        elif shape == 1:
            out.append(
                f"\nTopic {section}:\nDate|Method|Conference|Title|Code|abstract\n-----|----|-----|-----|-----|-----\n"
            )
            for _ in range(40):
                i += 1
                out.append(
                    f"2021-{1 + i % 12:02d}-1{rng.randint(0, 9)}|M{i}|{rng.choice(VENUES).replace('<br>', ' ')}|"
                    f"[{title(random.Random(i), i)}](https://arxiv.org/pdf/{2101 + i % 12}.{i:05d}.pdf)|"
                    f"[code](https://github.com/lab{i}/m{i})|{' '.join(rng.sample(WORDS, 8))}\n"
                )
        elif shape == 2:
            out.append(f"\n## Bullets {section}\n")
            for _ in range(40):
                i += 1
                out.append(f"- {title(random.Random(i), i)} (M{i})\n")
        else:
            out.append(f"\n### Papers {section}\n\n")
            for _ in range(40):
                i += 1
                again = rng.random() < 0.05 and i > 100
                j = rng.randint(1, i - 1) if again else i
                r = random.Random(j)
                out.append(
                    f"* [{title(r, j)}](https://arxiv.org/abs/{2101 + j % 12}.{j:05d}) "
                    f"({rng.randint(1, 28)} {MONTHS[j % 12]} 2021)  \n"
                )
        chunk = "".join(out)
        parts.append(chunk)
        size += len(chunk.encode("utf-8"))
    return "".join(parts)


def run_child(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """(wall, CPU user+system, exit code) of one process, its own rusage."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t0, ru.ru_utime + ru.ru_stime, proc.returncode


def best(cmd: list[str], cwd: Path, repeat: int, setup: object = None) -> tuple[float, float]:
    wall = cpu = float("inf")
    for _ in range(repeat):
        if callable(setup):
            setup()
        w, c, code = run_child(cmd, cwd)
        if code not in (0, 1):
            print(f"note: {' '.join(cmd[:3])} exited {code}")
        wall, cpu = min(wall, w), min(cpu, c)
    return wall, cpu


def speed(repeat: int) -> None:
    genbib = str(Path(sys.executable).with_name("genbib"))
    bib20k = DATA / "gen-20000-14.bib"
    ensure_generated(bib20k, 20000, 14)
    mdit = (
        "import sys; from markdown_it import MarkdownIt; "
        "MarkdownIt('commonmark', {'html': True}).enable('table').parse(open(sys.argv[1]).read())"
    )
    # the share of the 14k run that is the bib's own reading and writing (bibtex/store,
    # not the importer): the same locked edit, canonical write and read-back check
    store_rw = "import sys\nfrom genbib.bibtex import store\nwith store.edit(sys.argv[1]): pass"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copy(ROOT / "genbib.toml", work / "genbib.toml")
        l700 = work / "list-700k.md"
        l700.write_text(make_list(kb=700), "utf-8")
        l14k = work / "list-14k.md"
        l14k.write_text(make_list(rows=14000), "utf-8")
        target = work / "target.bib"

        def empty() -> None:
            target.unlink(missing_ok=True)

        def big() -> None:
            shutil.copy(bib20k, target)

        again = work / "again.bib"  # the 20k bib with the 14k list imported once already

        def reimport() -> None:
            shutil.copy(again, target)

        n14 = sum(1 for ln in l14k.read_text("utf-8").splitlines() if ln[:1] in "|-*2")
        print(
            f"lists: {l700.stat().st_size / 1024:.0f} KB; {l14k.stat().st_size / 1e6:.1f} MB with "
            f"~{n14} rows; bib: {bib20k.stat().st_size / 1e6:.1f} MB, 20,000 entries"
        )
        print(
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall times suffer when it is high)"
        )
        rows = [
            ("genbib --help (start-up)", best([genbib, "--help"], work, repeat), None),
            ("markdown-it parse, 700 KB", best([sys.executable, "-c", mdit, str(l700)], work, repeat), None),
            ("genbib import 700 KB -> empty", best([genbib, "import", str(l700), "--file", str(target)], work, repeat, empty), 2.0),
            ("markdown-it parse, 14k rows", best([sys.executable, "-c", mdit, str(l14k)], work, repeat), None),
            ("genbib import 14k -> 20k bib", best([genbib, "import", str(l14k), "--file", str(target)], work, repeat, big), 5.0),
            ("  of which bib read + write", best([sys.executable, "-c", store_rw, str(target)], work, repeat, big), None),
        ]  # fmt: skip
        shutil.copy(target, again)  # (the last run's result: the list is in it)
        rows.append(
            ("same 14k list again (no change)", best([genbib, "import", str(l14k), "--file", str(target)], work, repeat, reimport), None)
        )  # fmt: skip
    print(f"{'process':<32}{'wall (s)':>10}{'CPU (s)':>10}  bar")
    for label, (wall, cpu), bar in rows:
        verdict = (
            "" if bar is None else f"< {bar:.0f} s: {'meets' if cpu < bar else 'MISSES'} (CPU)"
        )
        print(f"{label:<32}{wall:>10.2f}{cpu:>10.2f}  {verdict}")


# --- part 3: where the 14k import's time goes ---------------------------------------------

STAGES = [  # (module, attribute, label), in the order the import runs them
    ("genbib.importers.markdown", "_md.parse", "markdown-it parse (with the shortcuts)"),
    ("genbib.importers.run", "parse_source", "  + rows from the tokens"),
    ("genbib.importers.run", "non_paper", "non-paper test"),
    ("genbib.importers.run", "build", "candidates from rows"),
    ("genbib.importers.run", "filler", "placeholder summaries"),
    ("genbib.importers.run", "check_links", "link checks"),
    ("genbib.importers.run", "group", "grouping (rows naming one paper)"),
    ("genbib.importers.run", "consolidate", "consolidation"),
    ("genbib.importers.run", "Admitter", "the bib's match index (20k entries)"),
    ("genbib.dedupe.admit", "Admitter.admit", "matching against it"),
    ("genbib.importers.run", "canonicalize", "canonical form"),
    ("genbib.dedupe.admit", "Admitter.assign_keys", "keys (bibtex.keys)"),
]


def stages() -> None:
    """One `import` of the 14k list into the 20k bib in this process, its CPU time by
    stage (each stage's functions wrapped with a timer: a few percent slower than a run)."""
    import importlib

    t0 = time.process_time()
    from genbib.bibtex.store import edit
    from genbib.config import load
    from genbib.importers import import_sources

    spent: dict[str, float] = {"start-up (imports)": time.process_time() - t0}
    spent["bib read (bibtex.store)"] = 0.0
    spent.update((label, 0.0) for _, _, label in STAGES)  # (printed in this order)

    def timed(fn: object, label: str) -> object:
        def run(*args: object, **kwargs: object) -> object:
            start = time.process_time()
            try:
                return fn(*args, **kwargs)  # type: ignore[operator]
            finally:
                spent[label] = spent.get(label, 0.0) + time.process_time() - start

        return run

    for module, attr, label in STAGES:
        owner: object = importlib.import_module(module)
        *path, name = attr.split(".")
        for part in path:
            owner = getattr(owner, part)
        setattr(owner, name, timed(getattr(owner, name), label))
    bib20k = DATA / "gen-20000-14.bib"
    ensure_generated(bib20k, 20000, 14)
    with tempfile.TemporaryDirectory() as tmp:
        l14k, target = Path(tmp) / "list-14k.md", Path(tmp) / "target.bib"
        l14k.write_text(make_list(rows=14000), "utf-8")
        shutil.copy(bib20k, target)
        config = load(ROOT / "genbib.toml")
        start = time.process_time()
        with edit(target, order=config.order) as library:
            spent["bib read (bibtex.store)"] = time.process_time() - start
            begun = time.process_time()
            import_sources(library, [l14k], config)
            importing = time.process_time() - begun
            done = time.process_time()
        spent["bib write + read-back check (bibtex.store)"] = time.process_time() - done
    spent["  + rows from the tokens"] -= spent["markdown-it parse (with the shortcuts)"]
    inner = sum(spent.get(label, 0.0) for _, _, label in STAGES)
    spent["other import work"] = importing - inner
    total = sum(spent.values())
    print(f"{'stage of: genbib import 14k -> 20k bib, one process':<52}{'CPU (s)':>9}{'share':>8}")
    for label, cpu in spent.items():
        print(f"{label:<52}{cpu:>9.2f}{cpu / total:>8.0%}")
    print(f"{'total':<52}{total:>9.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("real", "speed", "stages", "all"), default="all")
    ap.add_argument("--extra", type=Path, help="a folder of held-out lists (*.md)")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    if args.part in ("real", "all"):
        real_lists(args.extra)
    if args.part in ("speed", "all"):
        if args.part == "all":
            print()
        speed(args.repeat)
    if args.part == "stages":
        stages()


if __name__ == "__main__":
    main()
