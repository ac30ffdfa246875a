"""Zotero tags <-> the bib's `keywords` (Better BibTeX's convention: comma-separated).

A member's tags are never dropped. Manual tags (type 0, or no type) are the keywords;
automatic tags (type 1: what a translator or the Connector added, e.g. arXiv subject classes
or a publisher's index terms) stay in Zotero and reach the bib only when the configuration
asks (`[zotero] automatic_tags = true`). Writing back: a keyword added in the bib becomes a
manual tag, a keyword removed in the bib removes only that manual tag, and automatic tags
and genbib's own mark (children.GENBIB_TAG) are never removed by genbib. Tags travel as a
whole array in the API, so a change is merged into the item's current tags (`merge_tags`);
a write that changes no keyword leaves `tags` out of the payload, and the server keeps
them all.

genbib's topics are collections, not tags, so no tag of a member is ever read as a topic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from genbib.model.entry import Entry
from genbib.zotero.children import GENBIB_TAG
from genbib.zotero.text import join_keywords, latex_to_text, split_keywords, text_to_latex

Tag = dict[str, Any]


def _type(tag: Mapping[str, Any]) -> int:
    value = tag.get("type", 0)
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def item_keywords(item: Mapping[str, Any], *, automatic: bool = False) -> list[str]:
    """The keywords (plain text) an item's tags give, sorted, without duplicates."""
    tags = item.get("tags")
    found: dict[str, str] = {}
    for tag in tags if isinstance(tags, list) else []:
        if not isinstance(tag, Mapping):
            continue
        name = tag.get("tag")
        if not isinstance(name, str) or not name.strip() or name == GENBIB_TAG:
            continue
        if _type(tag) == 0 or automatic:
            found.setdefault(" ".join(name.split()), name)
    return sorted(found, key=lambda k: (k.casefold(), k))


def keywords_value(keywords: Iterable[str]) -> str:
    """The bib's `keywords` text for plain-text keywords (Zotero text neutralised)."""
    return join_keywords([text_to_latex(k) for k in keywords if text_to_latex(k)])


def entry_keywords(entry: Entry | None) -> list[str]:
    """An entry's keywords as plain text (what Zotero shows), in the bib's order."""
    if entry is None:
        return []
    seen: dict[str, None] = {}
    for k in split_keywords(entry.get("keywords") or ""):
        text = latex_to_text(k)
        if text:
            seen.setdefault(text)
    return list(seen)


def tags_for_new(entry: Entry) -> list[Tag]:
    """The tags of an item genbib creates for `entry`: one manual tag per keyword."""
    return [{"tag": k} for k in entry_keywords(entry)]


def merge_tags(
    current: Sequence[Any] | None, before: Iterable[str], after: Iterable[str]
) -> list[Tag] | None:
    """The tags to write when an entry's keywords went from `before` to `after`.

    `current` is the item's `tags` array as the server holds it now. None when the keywords
    did not change: leave `tags` out of the payload. Only manual tags named by removed
    keywords go; added keywords become manual tags; everything else is kept as it was.
    """
    old = {" ".join(k.split()) for k in before}
    new = list(dict.fromkeys(" ".join(k.split()) for k in after if k.strip()))
    if old == set(new):
        return None
    removed = old - set(new)
    out: list[Tag] = []
    names: set[str] = set()
    for tag in current or []:
        if not isinstance(tag, Mapping) or not isinstance(tag.get("tag"), str):
            continue
        name = " ".join(str(tag["tag"]).split())
        if _type(tag) == 0 and name in removed and tag["tag"] != GENBIB_TAG:
            continue
        out.append(dict(tag))
        names.add(name)
    out.extend({"tag": k} for k in new if k not in names)
    return out
