"""OpenReview API (v2): a submission's title, authors and venue, for `genbib add URL`.

`/notes?id={forum}` returns `{"notes": [...]}`; API v2 wraps every content field in
`{"value": ...}` (v1 did not, and both are read). The venue string ("ICLR 2021 Oral")
gives the conference and the presentation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from genbib.enrich.candidate import Candidate, SourceFormatError
from genbib.enrich.clean import clean_text
from genbib.enrich.http import Policy, Request
from genbib.enrich.sources._util import load_json, obj, person, year_of
from genbib.enrich.venue import published
from genbib.model.names import Name

NAME = "openreview"
BASE = "https://api2.openreview.net"
POLICY = Policy(interval=0.5, concurrency=2, timeout=20.0)


def note_request(forum: str, base: str = BASE) -> Request:
    return Request(NAME, f"{base}/notes", (("id", forum),))


def _value(content: dict[str, Any], name: str) -> Any:
    v = content.get(name)
    return v.get("value") if isinstance(v, dict) else v


def parse(body: str) -> list[Candidate]:
    data = obj(load_json(body, NAME), "openreview response")
    notes = data.get("notes")
    if not isinstance(notes, list):
        raise SourceFormatError("openreview: response without notes")
    out = []
    for note in notes:
        note = obj(note, "openreview note")
        content = obj(note.get("content") or {}, "openreview content")
        title = clean_text(str(_value(content, "title") or ""))
        if not title:
            continue
        authors: list[Name] = [
            n for a in (_value(content, "authors") or []) if (n := person(str(a)))
        ]
        venue_text = clean_text(str(_value(content, "venue") or ""))
        stamp = note.get("pdate") or note.get("cdate")
        year = year_of(venue_text) or (
            dt.datetime.fromtimestamp(stamp / 1000, dt.UTC).year if isinstance(stamp, int) else None
        )
        fields: list[tuple[str, str]] = []
        btype = ""
        venue = published(venue_text, year)
        if venue is not None and "submitted" not in venue_text.lower():
            btype = venue.type
            fields.append((venue.field, venue.name))
            for word in ("Oral", "Spotlight"):
                if word.lower() in venue_text.lower():
                    fields.append(("presentation", word))
        forum = str(note.get("forum") or note.get("id") or "")
        out.append(
            Candidate(
                source=NAME,
                title=title,
                authors=tuple(authors),
                year=year,
                type=btype,
                fields=tuple(fields),
                url=f"https://openreview.net/forum?id={forum}" if forum else "",
                by_id=True,
            )
        )
    return out
