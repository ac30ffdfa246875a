"""Helpers the source mappings share: JSON loading, names, years, page ranges, venues."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from genbib.enrich.candidate import SourceFormatError
from genbib.enrich.clean import clean_text
from genbib.enrich.venue import Published
from genbib.model.names import Name, parse_names

_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def load_json(body: str, source: str) -> Any:
    try:
        return json.loads(body)
    except ValueError as exc:
        raise SourceFormatError(f"{source}: response is not JSON ({exc})") from None


def obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SourceFormatError(f"{what}: expected an object, got {type(value).__name__}")
    return value


@lru_cache(maxsize=65536)
def person(display: str) -> Name | None:
    """A name written `First Last` (as APIs do) in the four BibTeX parts."""
    text = clean_text(display).replace("{", "").replace("}", "")
    text = re.sub(r"\s+\d{4}$", "", text)  # DBLP homonym numbers
    if not text:
        return None
    names = parse_names(text.replace(" and ", " {and} "))
    return names[0] if names else None


def year_of(text: Any) -> int | None:
    m = _YEAR.search(str(text or ""))
    return int(m.group(1)) if m else None


def pages(text: Any) -> str:
    value = clean_text(str(text or ""))
    return re.sub(r"\s*[-–—]+\s*", "--", value)


def published_fields(
    btype: str,
    venue: Published | None,
    text: str,
    record: Mapping[str, Any],
    numbers: tuple[tuple[str, str], ...],
    page_key: str,
) -> list[tuple[str, str]]:
    """The venue, numbers and pages of a record the source calls published (`btype`
    article or inproceedings): the venue table's full name when it knows the venue,
    else the source's own text, so that every source writes a venue the same way."""
    fields = [("journal" if btype == "article" else "booktitle", venue.name if venue else text)]
    for src, dst in numbers:
        if record.get(src):
            fields.append((dst, clean_text(str(record[src]))))
    if record.get(page_key):
        fields.append(("pages", pages(record[page_key])))
    return fields
