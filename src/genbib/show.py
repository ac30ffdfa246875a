"""One entry as data for people: fields, topics, typed links and each field's source.

Field sources are read from the entry's provenance field (written by enrichment), so
`genbib show` answers "where did this venue come from?" without any network.
"""

from __future__ import annotations

from typing import Any

from genbib.model.entry import Entry

PROVENANCE_FIELDS = ("fieldsources",)


def field_sources(entry: Entry) -> dict[str, str]:
    """`author=seed-metadata.bib; year=arxiv` -> {"author": "seed-metadata.bib", ...}."""
    for name in PROVENANCE_FIELDS:
        text = entry.get(name)
        if text:
            out = {}
            for part in text.split(";"):
                if "=" in part:
                    field, source = part.split("=", 1)
                    out[field.strip()] = source.strip()
            return out
    return {}


def describe(entry: Entry) -> dict[str, Any]:
    return {
        "key": entry.key,
        "type": entry.type,
        "line": entry.line,
        "fields": {k: entry.get(k) for k in entry.fields if k not in PROVENANCE_FIELDS},
        "sources": field_sources(entry),
        "topics": entry.topics,
        "links": [{"kind": link.kind.value, "url": link.url} for link in entry.links()],
        "aliases": entry.aliases,
        "arxiv": entry.arxiv,
        "doi": entry.doi,
    }
