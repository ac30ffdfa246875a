"""Enrichment: fill authors, venues, identifiers and links from metadata sources.

Sources (arXiv, Crossref, DBLP, OpenAlex, Hugging Face, GitHub, local .bib files) map
their answers to candidates; a guard accepts only candidates whose title, authors and
year agree with the entry; accepted values fill missing fields and record their source
in the entry's `fieldsources`. All network goes through one HTTP layer with rate limits,
retries and an on-disk cache, so `genbib sync` runs offline by default.
"""

from __future__ import annotations

import importlib
import time
from typing import TYPE_CHECKING, Any

from genbib.config import Config
from genbib.model.entry import Entry
from genbib.model.library import Library
from genbib.pipeline import StageReport

if TYPE_CHECKING:
    from genbib.enrich.engine import Enricher, EnrichResult
    from genbib.enrich.provenance import explain
    from genbib.enrich.run import Options, enrich_library

__all__ = ["EnrichResult", "Enricher", "Options", "enrich_library", "explain", "stage"]

# The engine and its HTTP client are imported when first asked for: every write of an
# import or a sync reads `genbib.enrich.provenance`, which must not pull them in.
_LAZY = {"Enricher": "engine", "EnrichResult": "engine", "explain": "provenance",
         "Options": "run", "enrich_library": "run"}  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"genbib.enrich.{module}"), name)


def stage(
    library: Library, config: Config, *, dry_run: bool = False, online: bool = False
) -> StageReport:
    """The enrich stage of `genbib sync`: from-bib files and the cache, network if `online`."""
    from genbib.enrich.run import Options, enrich_library

    started = time.monotonic()
    target = library
    if dry_run:
        target = Library(
            [b.copy() if isinstance(b, Entry) else b for b in library.blocks],
            list(library.problems),
            library.file,
            dict(library.retired),
        )
    result = enrich_library(target, config, Options(online=online))
    # a provisional key made final is a change too: the second Zotero pass writes it back
    upgraded = [p.key for p in result.problems if p.code == "key-final"]
    keys = sorted({*result.changed_keys, *upgraded})
    summary = f"{len(result.changes)} field(s) filled in {len(keys)} entr{'y' if len(keys) == 1 else 'ies'}"
    if upgraded:
        summary += f"; {len(upgraded)} provisional key(s) made final"
    if result.unresolved:
        summary += f"; {len(result.unresolved)} lookup(s) not in the cache (offline)"
    details = result.as_dict()
    details["seconds"] = round(time.monotonic() - started, 3)
    return StageReport(
        "enrich", changed=len(keys), summary=summary, problems=result.problems, details=details
    )
