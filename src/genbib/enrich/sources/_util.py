"""Helpers the source mappings share: JSON loading, names, years, page ranges."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from genbib.enrich.candidate import SourceFormatError
from genbib.enrich.clean import clean_text
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
