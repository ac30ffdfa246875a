"""Where each field of an entry came from, kept in the bib itself.

The field `fieldsources` lists `field=source` pairs, sorted by field, separated by `; `
(`author=seed-metadata.bib; booktitle=dblp; year=arxiv`). Fields without a record were
there before enrichment (imported from a list, typed by hand). Keeping it in the entry
means the canonical file stays the whole truth: a reviewer sees in the diff which source
filled what, and `genbib enrich --explain KEY` reads it back.
"""

from __future__ import annotations

import re

from genbib.model.entry import Entry

FIELD = "fieldsources"
INPUT = "input"  # what --explain says for a field no source filled
TYPE = "entrytype"  # the record for a changed entry type (@misc -> @inproceedings)
_ITEM = re.compile(r"^\s*([a-z][a-z0-9_-]*)\s*=\s*(.+?)\s*$")


def sources(entry: Entry) -> dict[str, str]:
    text = entry.get(FIELD) or ""
    out: dict[str, str] = {}
    for part in text.split(";"):
        m = _ITEM.match(part)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def record(entry: Entry, field: str, source: str) -> None:
    current = sources(entry)
    current[field] = source.replace(";", ",")
    write(entry, current)


def write(entry: Entry, records: dict[str, str]) -> None:
    present = {k: v for k, v in records.items() if (k in entry.fields or k == TYPE) and k != FIELD}
    entry.set(FIELD, "; ".join(f"{k}={v}" for k, v in sorted(present.items())))


def explain(entry: Entry) -> list[tuple[str, str, str]]:
    """(field, source, value) for every field of the entry, in field order."""
    from genbib.bibtex.writer import field_sort_key

    recs = sources(entry)
    head = [("@" + entry.type, recs.get(TYPE, INPUT), entry.key)]
    return head + [
        (name, recs.get(name, INPUT), entry.get(name) or "")
        for name in sorted(entry.fields, key=field_sort_key)
        if name != FIELD
    ]
