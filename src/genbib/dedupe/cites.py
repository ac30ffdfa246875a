"""Citations of aliases: keys a LaTeX project still uses after their entry was merged.

A merged-away key lives on in the survivor's `ids`, which biber resolves; BibTeX and
natbib do not, so documents should move to the surviving key. This module reads the
text of `.tex` and `.aux` files (the caller reads the files) and says where an alias
is cited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from genbib.model.problems import Problem, Severity

# \cite, \citep, \citet*, \parencite, \textcite, \autocite, \nocite, \fullcite, ... with
# optional [pre][post] notes; \citation{...} in .aux files; biblatex's \abx@aux@cite.
_CITE = re.compile(
    r"\\(?:[A-Za-z]*cite[A-Za-z]*\*?|citation|abx@aux@cite(?:\{\d*\})?)\s*(?:\[[^\]]*\]\s*){0,2}\{([^{}]*)\}"
)


_COMMENT = re.compile(r"(?<!\\)%[^\n]*")


def cited_keys(text: str) -> list[tuple[int, str]]:
    """(line, key) of every citation in a .tex or .aux text, in order."""
    text = _COMMENT.sub("", text)  # a commented-out \cite cites nothing
    out = []
    for m in _CITE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        for key in m.group(1).split(","):
            key = key.strip()
            if key and key != "*":
                out.append((line, key))
    return out


def alias_citations(files: Iterable[tuple[str, str]], aliases: Mapping[str, str]) -> list[Problem]:
    """Warnings for citations of `aliases` (alias -> surviving key) in (path, text) pairs."""
    out = []
    for path, text in files:
        for line, key in cited_keys(text):
            if key in aliases:
                out.append(Problem(
                    "cites-alias",
                    f"cites {key}, now an alias of {aliases[key]}; cite {aliases[key]} "
                    "(biber resolves the alias, BibTeX does not)",
                    Severity.WARNING, path, line, key,
                ))  # fmt: skip
    return out
