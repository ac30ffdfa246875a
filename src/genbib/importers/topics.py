"""Section headings -> topic slugs, through the topic aliases in genbib.toml.

"AR / Auto-Regressive", "Autoregressive generation model" and "Autoregressive Models"
are one topic when the configuration lists them as aliases. The nearest heading that
names a configured topic wins; when none does, the nearest heading becomes a new topic
(slugified) and is reported, so the lab can add it to genbib.toml.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from genbib.config import Topic

_FOLD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _FOLD.sub(" ", text.lower()).strip()


def slugify(text: str) -> str:
    return fold(text).replace(" ", "-")[:40].strip("-") or "misc"


@dataclass
class TopicResolver:
    topics: tuple[Topic, ...]
    new: dict[str, str] = field(default_factory=dict)  # slug -> heading, for the report
    _alias: dict[str, str] = field(default_factory=dict)
    _known: dict[tuple[str, ...], str | None] = field(default_factory=dict)  # section -> slug

    def __post_init__(self) -> None:
        for t in self.topics:
            for name in (t.slug, t.title, *t.aliases):
                if name:
                    self._alias.setdefault(fold(name), t.slug)

    def resolve(self, section: tuple[str, ...]) -> str | None:
        """The topic of a section path (asked once per row: answered once per section)."""
        if section not in self._known:
            self._known[section] = self._resolve(section)
        return self._known[section]

    def _resolve(self, section: tuple[str, ...]) -> str | None:
        for heading in reversed(section):
            slug = self._alias.get(fold(heading))
            if slug:
                return slug
        if not section:
            return None
        heading = section[-1]
        slug = slugify(heading)
        self.new.setdefault(slug, heading)
        return slug
