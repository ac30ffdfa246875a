"""Table columns recognised by their header words, in any list's wording.

"Date", "Conference", "Title", "Code/Project Page", "abstract", "Notes", "Venue"... A
header may name several roles ("Code/Project Page/abstract"); a cell of such a column
gives links to the link roles and text to the summary.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Role(StrEnum):
    DATE = "date"
    YEAR = "year"
    TITLE = "title"
    SHORTNAME = "shortname"
    VENUE = "venue"
    AUTHORS = "authors"
    CODE = "code"
    LINKS = "links"
    SUMMARY = "summary"
    IGNORE = "ignore"


_WORDS: dict[Role, tuple[str, ...]] = {
    Role.DATE: ("date", "time", "published", "submitted", "when", "month", "日期", "时间"),
    Role.YEAR: ("year", "yr", "年份"),
    Role.TITLE: (
        "title",
        "paper",
        "papers",
        "paper title",
        "name",
        "paper name",
        "article",
        "work",
        "标题",
        "论文",
        "题目",
        "名称",
        "名字",
    ),
    Role.SHORTNAME: (
        "method",
        "model",
        "acronym",
        "abbr",
        "abbreviation",
        "short name",
        "alias",
        "nickname",
    ),
    Role.VENUE: (
        "venue",
        "conference",
        "conf",
        "publication",
        "published in",
        "journal",
        "pub",
        "proceedings",
        "where",
    ),
    Role.AUTHORS: ("author", "authors", "by", "first author", "作者"),
    Role.CODE: (
        "code",
        "github",
        "repo",
        "repository",
        "implementation",
        "official code",
        "project",
        "project page",
        "website",
        "homepage",
        "page",
    ),
    Role.LINKS: (
        "links",
        "link",
        "resources",
        "url",
        "urls",
        "pdf",
        "materials",
        "arxiv",
        "video",
        "videos",
        "视频",
        "链接",
    ),
    Role.SUMMARY: (
        "summary",
        "abstract",
        "notes",
        "note",
        "comment",
        "comments",
        "tl dr",
        "tldr",
        "description",
        "remarks",
        "contribution",
        "contributions",
        "highlights",
        "keywords",
        "idea",
        "key idea",
        "takeaway",
        "main idea",
        "简介",
        "摘要",
    ),
}
_LOOKUP = {w: role for role, words in _WORDS.items() for w in words}
_SPLIT = re.compile(r"\s*(?:/|&|\+|,| and )\s*")
_FOLD = re.compile(r"[^\w]+")


def role_of(header: str) -> Role | frozenset[Role]:
    """The role(s) of a column header; Role.IGNORE when no word is known."""
    text = _FOLD.sub(" ", header.lower()).strip()
    if text in _LOOKUP:
        return _LOOKUP[text]
    roles = set()
    for part in _SPLIT.split(header.lower()):
        part = _FOLD.sub(" ", part).strip()
        if part in _LOOKUP:
            roles.add(_LOOKUP[part])
        else:
            for word in part.split():
                if word in _LOOKUP and _LOOKUP[word] is not Role.TITLE:
                    roles.add(_LOOKUP[word])
                    break
    if not roles:
        return Role.IGNORE
    if len(roles) == 1:
        return roles.pop()
    return frozenset(roles)


def roles_of(headers: list[str]) -> list[Role | frozenset[Role]]:
    """Roles for a header row; the first title-like column is the title, later ones links."""
    roles = [role_of(h) for h in headers]
    seen_title = False
    for i, r in enumerate(roles):
        if r is Role.TITLE:
            if seen_title:
                roles[i] = Role.LINKS
            seen_title = True
    return roles


def is_title(role: Role | frozenset[Role]) -> bool:
    """The column holds the title ("Title", "Title & Authors", "Paper/Code")."""
    return role is Role.TITLE or (isinstance(role, frozenset) and Role.TITLE in role)


def has_title(roles: list[Role | frozenset[Role]]) -> bool:
    return any(is_title(r) for r in roles)
