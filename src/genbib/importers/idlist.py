"""Identifier lists: arXiv ids or URLs, DOIs, OpenReview URLs, one per line.

Each line becomes a stub entry holding its identifier (`genbib.enrich.add.seed`); online,
the enrichment sources resolve it into a full entry (`genbib.enrich.add.resolve`), and
offline (or when a source does not know it) the stub is kept and reported, to be filled
by a later `genbib enrich`. Blank lines and `#` comments are ignored.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from genbib.importers.rows import Parsed, Row, Shape
from genbib.model import identifiers as ids
from genbib.model.entry import Entry
from genbib.model.problems import Problem, Severity

_COMMENT = re.compile(r"\s+#.*$")

# an identifier -> its paper (None when it does not resolve) and the findings of resolving
# it, which `parse` places at the identifier's line (the resolver knows no file or line)
Resolve = Callable[[str], tuple[Entry | None, list[Problem]]]


def is_identifier(line: str) -> bool:
    """The line is nothing but one identifier (an id, a DOI or a URL naming one): a markdown
    bullet or a title with an arXiv link in it is not, whatever it links to."""
    line = _COMMENT.sub("", line).strip()
    if not line or any(c.isspace() for c in line) or line[:1] in "-*+[|<>(!":
        return False
    return bool(ids.arxiv_id(line) or ids.doi(line) or ids.openreview_id(line))


def looks_like(text: str) -> bool:
    lines = [
        ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    ]
    return bool(lines) and sum(is_identifier(ln) for ln in lines) >= 0.8 * len(lines)


def stub_key(entry: Entry) -> str:
    """A stub's key names its identifier, so it is stable and never "anon"."""
    if entry.arxiv:
        return f"arxiv:{entry.arxiv}"
    if entry.doi:
        return f"doi:{entry.doi}"
    return f"openreview:{entry.openreview}" if entry.openreview else ""


def parse(text: str, file: str, resolve: Resolve | None = None) -> Parsed:
    """Rows for each identifier; `resolve` (online) turns an identifier into a full entry."""
    from genbib.enrich.add import seed

    out = Parsed()
    for number, raw in enumerate(text.splitlines(), 1):
        line = _COMMENT.sub("", raw).strip()
        if not line or line.startswith("#"):
            continue
        if not is_identifier(line):
            out.problems.append(
                Problem(
                    "I-bad-identifier",
                    f"{line[:80]!r} is not an arXiv id/URL, DOI or OpenReview URL",
                    Severity.WARNING,
                    file,
                    number,
                )
            )
            continue
        entry, _kind = seed(line)
        full, found = resolve(line) if resolve is not None else (None, [])
        out.problems.extend(dataclasses.replace(p, file=file, line=number) for p in found)
        if full is not None:
            entry = full
        else:
            entry.key = stub_key(entry)
            out.problems.append(
                Problem(
                    "I-stub",
                    f"{line}: kept as a stub (identifier only); `genbib enrich` fills it",
                    Severity.INFO,
                    file,
                    number,
                )
            )
        entry.file, entry.line = file, number
        out.rows.append(Row(file, number, Shape.IDENTIFIER, title=line, entry=entry))
    return out
