"""The entry model: entries, blocks of a library, names, identifiers and problems."""

from __future__ import annotations

from genbib.model.entry import LINK_FIELDS, Entry, Link, LinkKind
from genbib.model.library import Block, Comment, Library, Malformed, Preamble, StringDef, Text
from genbib.model.names import Name, parse_names
from genbib.model.problems import Problem, Severity

__all__ = [
    "LINK_FIELDS",
    "Block",
    "Comment",
    "Entry",
    "Library",
    "Link",
    "LinkKind",
    "Malformed",
    "Name",
    "Preamble",
    "Problem",
    "Severity",
    "StringDef",
    "Text",
    "parse_names",
]
