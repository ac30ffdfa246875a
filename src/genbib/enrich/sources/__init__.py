"""The metadata sources, one module each, registered by name.

A source is two pure functions around the shared HTTP layer: `lookups(entry, base)`
says which requests would tell something about the entry (none when it has nothing to
ask by), and `parse(body)` maps a response body to candidates. Neither does I/O, so each
is tested on recorded responses, and the engine owns order, concurrency and the guard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from genbib.enrich.candidate import Candidate
from genbib.enrich.http import Policy, Request
from genbib.model.entry import Entry


@dataclass(frozen=True)
class Source:
    name: str
    policy: Policy
    base: str
    lookups: Callable[[Entry, str], list[Request]]
    parse: Callable[[str], list[Candidate]]
    # Sources whose API takes a list of identifiers: one request for many lookups, cut
    # back into one cache record per lookup (so the cache stays per request).
    batch_request: Callable[[list[Request]], Request] | None = None
    split: Callable[[list[Request], str], dict[str, str]] | None = None


def registry() -> dict[str, Source]:
    from genbib.enrich.sources import arxiv, crossref, dblp, huggingface, openalex

    mods = (arxiv, crossref, dblp, openalex, huggingface)
    return {
        m.NAME: Source(
            m.NAME,
            m.POLICY,
            m.BASE,
            m.lookups,
            m.parse,
            getattr(m, "batch_request", None),
            getattr(m, "split", None),
        )
        for m in mods
    }


# Sources that answer about papers, in the order their candidates are applied (the
# first accepted value of a field wins): published metadata before preprint metadata.
PAPER_SOURCES = ("dblp", "crossref", "openalex", "arxiv", "huggingface")
ALL_SOURCES = (*PAPER_SOURCES, "github")
