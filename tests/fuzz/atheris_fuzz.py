"""Coverage-guided fuzzing with atheris (libFuzzer) of the same targets as the hypothesis tests.

Run one target by hand (libFuzzer options after the name):

    .venv/bin/python tests/fuzz/atheris_fuzz.py bib -max_total_time=60 tests/data/hostile/bib

`test_atheris.py` runs each target for its share of GENBIB_FUZZ_SECONDS; a crash leaves
`crash-*` in the artifact directory and the test fails showing the input, which then
becomes a case in `test_regressions.py`.
"""

from __future__ import annotations

import importlib
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import atheris

sys.path.insert(0, str(Path(__file__).parent))

# The package each target is about: only it is instrumented for coverage (instrumenting
# all of genbib costs most of a short CI run).
PACKAGES = {
    "bib": ["genbib.bibtex", "genbib.model"], "markdown": ["genbib.importers"],
    "zotero": ["genbib.zotero", "genbib.importers.zotero_json"], "render": ["genbib.render"],
}  # fmt: skip
if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] in PACKAGES:
    with atheris.instrument_imports(include=PACKAGES[sys.argv[1]]):
        for _name in PACKAGES[sys.argv[1]]:
            importlib.import_module(_name)

import strategies  # noqa: E402
import targets  # noqa: E402

from genbib.model.entry import Entry  # noqa: E402

_TMP = Path(tempfile.mkdtemp(prefix="genbib-atheris-"))


def _text(fdp: Any, most: int = 64) -> str:
    """A string, often one of the hostile pieces (coverage alone rarely spells `\\write18`)."""
    if fdp.ConsumeBool():
        return str(fdp.PickValueInList(strategies.HOSTILE)) + fdp.ConsumeUnicodeNoSurrogates(8)
    return str(fdp.ConsumeUnicodeNoSurrogates(most))


def bib(data: bytes) -> None:
    targets.bib_target(data)


def markdown(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    lines = ["# Diffusion", "| Paper | Code |", "| --- | --- |"] if fdp.ConsumeBool() else []
    for _ in range(fdp.ConsumeIntInRange(0, 6)):
        shape = fdp.ConsumeIntInRange(0, 2)
        title, url = _text(fdp), _text(fdp, 24)
        if shape == 0:
            lines.append(f"| [{title}]({url}) | {_text(fdp)} |")
        elif shape == 1:
            lines.append(f"- [{title}]({url}) {_text(fdp)}")
        else:
            lines.append(_text(fdp))
    targets.import_target("\n".join(lines))


def zotero(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    item: dict[str, Any] = {"itemType": fdp.PickValueInList(strategies.ITEM_TYPES)}
    for _ in range(fdp.ConsumeIntInRange(0, 8)):
        name = fdp.PickValueInList(strategies.ITEM_FIELDS)
        if name == "creators":
            item[name] = [
                {"creatorType": "author", "firstName": _text(fdp, 16), "lastName": _text(fdp, 16)}
                if fdp.ConsumeBool()
                else {"creatorType": "editor", "name": _text(fdp, 16)}
                for _ in range(fdp.ConsumeIntInRange(0, 3))
            ]
        elif name in ("collections", "tags", "relations"):
            item[name] = [_text(fdp, 8)]
        else:
            item[name] = _text(fdp)
    kids = [
        {"itemType": "attachment", "linkMode": "linked_url", "url": _text(fdp, 32), "title": _text(fdp, 12)}
        if fdp.ConsumeBool()
        else {"itemType": "note", "note": _text(fdp)}
        for _ in range(fdp.ConsumeIntInRange(0, 2))
    ]  # fmt: skip
    targets.zotero_target(item, kids)
    targets.zotero_json_target(targets.dumps_json([item, *kids]))


def render(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    entries = []
    for i in range(fdp.ConsumeIntInRange(1, 3)):
        e = Entry(fdp.PickValueInList(["inproceedings", "article", "misc"]), f"k{i}")
        e.set_topics(["diffusion"])
        for name in (
            "title",
            "author",
            "annotation",
            "shortname",
            "booktitle",
            "url",
            "code",
            "year",
        ):
            if fdp.ConsumeBool():
                e.set(name, _text(fdp))
        entries.append(e)
    citations = fdp.PickValueInList(["natbib", "biblatex"])
    targets.render_target(entries, _TMP, citations=citations)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "bib": bib, "markdown": markdown, "zotero": zotero, "render": render,
}  # fmt: skip


def main() -> None:
    name = sys.argv[1]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], TARGETS[name])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
