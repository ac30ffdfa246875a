"""Awesome-list markdown -> rows, from the document's structure, not from line patterns.

The text is parsed once by markdown-it-py (CommonMark + GFM tables, raw HTML allowed and
neutralised later); this module walks the block tokens keeping a section path:
- headings (any level) set the path; a short paragraph that is a label ("Backbone:",
  "(2) Diffusion distillation", a bold-only line) directly before a table or list is a
  sub-heading one level below the current heading;
- a table's columns are recognised by their header words (`columns.py`); each body row
  is a row, empty filler rows are dropped;
- a list item is a row (its nested items that are only links — `[code](...)` — belong to
  it; an item without links that only holds a nested list is a label for that list);
- a paragraph that is a bold title followed by line-broken authors and links, or that is
  only a link, is a row.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from genbib.importers.columns import Role, has_title, is_title, roles_of
from genbib.importers.inline import Inline, flatten
from genbib.importers.rows import Parsed, RawLink, Row, Shape
from genbib.importers.text import clean, is_placeholder
from genbib.model.problems import Problem, Severity

MAX_COLUMNS = 64  # a table wider than this is not a paper list (and costs quadratic time)

_md = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
# markdown-it normalises every link (parse, punycode, percent-encode: a fifth of its time
# on a list of links); a plain ASCII URL comes out as it went in, so only others pay.
_PLAIN_URL = re.compile(r"^(?:[A-Za-z0-9._~:/?#@!$&'()*+,;=-]|%[0-9A-Fa-f]{2})*$")
_normalize_link = _md.normalizeLink
_md.normalizeLink = lambda url: url if _PLAIN_URL.match(url) else _normalize_link(url)  # type: ignore[method-assign]
# A table row is split at its pipes one character at a time: a pipe right after a
# backslash is text (that backslash dropped), any other pipe ends a cell. The same split,
# by `str.split` and one regex. (The module, not the `table` rule function that
# `markdown_it.rules_block` exports under the same name.)
_table_rule: Any = importlib.import_module("markdown_it.rules_block.table")
_escaped_split = _table_rule.escapedSplit
_CELL_PIPE = re.compile(r"(?<!\\)\|")


def _split_row(row: str) -> list[str]:
    if "\\" not in row:
        return row.split("|")
    return [cell.replace("\\|", "|") for cell in _CELL_PIPE.split(row)]


_table_rule.escapedSplit = _split_row
# Most inline spans of a list are plain text, plain links, badge links, bare HTML tags
# and bold words: dates, venues, titles, summaries, `[Title](https://arxiv.org/...)`,
# `[![arXiv](https://img.shields.io/...)](https://arxiv.org/...)`, `<br>`, `<div>`,
# `**Title**`. Their tokens are made here, as markdown-it makes them, without running
# its inline parser (character by character, and a badge link three times: most of the
# parse of a large list); a span with anything else (other emphasis, code, entities,
# escapes, line breaks, tags with attributes, brackets in text) goes to markdown-it.
# Bold is taken only where CommonMark's flanking rules leave no choice: `**` after a
# space, tab, `(` or `>` (or first) and before an ASCII letter or digit opens, `**` after
# one and before a space, tab or punctuation (or last) closes.
_INLINE_SYNTAX = re.compile(r"[\n\\`~*_\[\]!<&]")
_TEXT = r"[^\n\\`~*_\[\]!<&]*"
_URL = r"[^\s()<>\\&\x00-\x1f\x7f]+"
_SIMPLE = re.compile(
    rf"\[(?P<label>{_TEXT})\]\((?P<href>{_URL})\)"
    rf"|\[!\[(?P<alt>{_TEXT})\]\((?P<src>{_URL})\)\]\((?P<target>{_URL})\)"
    r"|(?P<tag></?[A-Za-z][A-Za-z0-9-]*>)"
    rf"|(?<![^ \t(>])\*\*(?P<strong>[A-Za-z0-9](?:{_TEXT}[A-Za-z0-9])?)\*\*(?=[ \t,.;:)|<]|$)"
)


def _simple_span(content: str, md: MarkdownIt) -> list[Token] | None:
    """The inline tokens of a span of the simple pieces above, or None."""
    out: list[Token] = []
    pos = 0
    for m in _SIMPLE.finditer(content):
        if not _plain_text(out, content[pos : m.start()]):
            return None
        pos = m.end()
        if m["tag"]:
            tag = Token("html_inline", "", 0)
            tag.content = m["tag"]
            out.append(tag)
            continue
        if m["strong"]:
            # markdown-it leaves an empty text token where each delimiter run was (the
            # text around it then joins it)
            _plain_text(out, "", keep=True)
            out.append(Token("strong_open", "strong", 1))
            _plain_text(out, m["strong"], level=1)
            out.append(Token("strong_close", "strong", -1))
            out[-3].markup = out[-1].markup = "**"
            _plain_text(out, "", keep=True)
            continue
        href = md.normalizeLink(m["href"] or m["target"])
        if not md.validateLink(href):
            return None
        link = Token("link_open", "a", 1)
        link.attrs = {"href": href}
        out.append(link)
        if m["src"]:
            src = md.normalizeLink(m["src"])
            if not md.validateLink(src):
                return None
            image = Token("image", "img", 0)
            image.attrs, image.content, image.level = {"src": src, "alt": ""}, m["alt"], 1
            alt: list[Token] = []
            _plain_text(alt, m["alt"])
            image.children = alt or None
            out.append(image)
        else:
            _plain_text(out, m["label"], level=1)
        out.append(Token("link_close", "a", -1))
    return out if _plain_text(out, content[pos:]) else None


def _plain_text(out: list[Token], text: str, level: int = 0, *, keep: bool = False) -> bool:
    """Add `text` as markdown-it would: joined to a text token just before it, and an
    empty one only where a delimiter run left it (`keep`); False if it is not plain."""
    if _INLINE_SYNTAX.search(text):
        return False
    if out and out[-1].type == "text":
        out[-1].content += text
    elif text or keep:
        token = Token("text", "", 0)
        token.content, token.level = text, level
        out.append(token)
    return True


def _inline(state: StateCore) -> None:
    """markdown-it's core `inline` rule, with the simple spans above made directly."""
    for token in state.tokens:
        if token.type != "inline":
            continue
        if token.children is None:
            token.children = []
        simple = _simple_span(token.content, state.md)
        if simple is None:
            state.md.inline.parse(token.content, state.md, state.env, token.children)
        else:
            token.children.extend(simple)


_md.core.ruler.at("inline", _inline)

# Leading numbering and decoration of headings: "1.1", "(2)", "2.", emoji, "#", ":".
_NUMBERING = re.compile(r"^\s*(?:\(?\d+(?:\.\d+)*\)?[.)]?|[ivx]+\.)\s+", re.IGNORECASE)
_EDGE_JUNK = re.compile(r"^[^\w(\[]+|[^\w)\]+]+$")
_LABEL_END = re.compile(r"[:：]\s*$")
_LABEL_START = re.compile(r"^\s*\(\d+\)\s+\S")


def heading_text(text: str) -> str:
    """A heading as a topic name: numbering, emoji and trailing colons removed."""
    text = clean(text)
    text = _EDGE_JUNK.sub("", text)
    text = _NUMBERING.sub("", text)
    return _EDGE_JUNK.sub("", text).strip()


def parse(text: str, file: str) -> Parsed:
    walker = _Walker(file)
    text = _drop_wide_rows(text, file, walker.out.problems)
    if "<table" in text or "<TABLE" in text:
        from genbib.importers import htmltable

        walker.html_tables = {t.start: t for t in htmltable.find(text)}
    walker.walk(_md.parse(text))
    if walker.title is not None:
        for row in walker.out.rows:
            row.titled = row.section[:1] == (walker.title,)
    return walker.out


def _drop_wide_rows(text: str, file: str, problems: list[Problem]) -> str:
    """Blank out table rows wider than MAX_COLUMNS before parsing: not a paper list, and
    the table parser's time grows with the square of the width. Line numbers are kept."""
    if text.count("|") <= MAX_COLUMNS:
        return text
    lines = text.split("\n")
    previous = False
    for i, line in enumerate(lines):
        wide = line.count("|") > MAX_COLUMNS + 1
        if wide:
            if not previous:
                columns = len(line.strip().strip("|").split("|"))
                problems.append(
                    Problem(
                        "I-table-too-wide",
                        f"table with {columns} columns skipped (more than {MAX_COLUMNS}: not a paper list)",
                        Severity.ERROR,
                        file,
                        i + 1,
                    )
                )
            lines[i] = ""
        previous = wide
    return "\n".join(lines)


class _Walker:
    def __init__(self, file: str) -> None:
        self.file = file
        self.out = Parsed()
        self.headings: list[tuple[int, str]] = []  # (level, text); labels get level + 0.5
        self.label: str | None = None
        self.title: str | None = None  # the document's title: its first heading, if level 1
        self.html_tables: dict[int, Any] = {}  # first line -> htmltable.Table
        self.html_end = -1  # last line of the HTML table being skipped
        self.seen_heading = False

    # --- sections -------------------------------------------------------------
    @property
    def section(self) -> tuple[str, ...]:
        path = tuple(t for _, t in self.headings if t)
        return (*path, self.label) if self.label else path

    def set_heading(self, level: int, text: str) -> None:
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, heading_text(text)))
        if not self.seen_heading and level == 1:
            self.title = self.headings[-1][1]
        elif level == 1:
            self.title = None  # several level-1 headings: they are sections, not a title
        self.seen_heading = True
        self.label = None

    def add(self, row: Row) -> None:
        row.labelled = self.label is not None
        self.out.rows.append(row)

    # --- walking ----------------------------------------------------------------
    def walk(self, tokens: list[Any]) -> None:
        i, n = 0, len(tokens)
        while i < n:
            tok = tokens[i]
            start = tok.map[0] if tok.map else -1
            if tok.map and tok.nesting >= 0 and start <= self.html_end:
                i = _close(tokens, i) + 1  # inside an HTML table already read
                continue
            html = [
                t for s, t in self.html_tables.items() if tok.map and s >= start and s < tok.map[1]
            ]
            if html and tok.type == "html_block":
                self.html_end = html[0].end
                self.html_table(html[0])
                i += 1
            elif tok.type == "heading_open":
                self.set_heading(int(tok.tag[1:]), flatten(tokens[i + 1].children).text)
                i = _close(tokens, i) + 1
            elif tok.type == "paragraph_open":
                inline = flatten(tokens[i + 1].children)
                end = _close(tokens, i)
                nxt = tokens[end + 1].type if end + 1 < n else ""
                if nxt == "bullet_list_open" and self.titled_links(inline, tok, tokens, end + 1):
                    i = _close(tokens, end + 1) + 1
                    continue
                self.paragraph(inline, _line(tok), nxt)
                i = end + 1
            elif tok.type == "table_open":
                end = _close(tokens, i)
                self.table(tokens[i : end + 1])
                i = end + 1
            elif tok.type in ("bullet_list_open", "ordered_list_open"):
                end = _close(tokens, i)
                self.items(tokens[i + 1 : end])
                i = end + 1
            elif tok.type == "html_block":
                i += 1  # raw HTML blocks carry no rows we trust
            else:
                i += 1

    def paragraph(self, inline: Inline, line: int, nxt: str) -> None:
        text = inline.text
        if not text:
            return
        single = len(inline.clean_lines) == 1 and not inline.links
        if (
            single
            and len(text) <= 100
            and (
                _LABEL_END.search(text)
                or (
                    _LABEL_START.match(text)
                    and nxt in ("bullet_list_open", "ordered_list_open", "table_open")
                )
                or (
                    inline.strong == [text]
                    and nxt in ("bullet_list_open", "ordered_list_open", "table_open")
                )
            )
        ):
            self.label = heading_text(text)
            return
        links = [lk for lk in inline.links if lk.url and not lk.url.startswith("#")]
        outside = clean(inline.outside).strip(" -–—:;,.()[]")
        first = inline.links[0] if inline.links else None
        if inline.starts_strong and len(inline.clean_lines) >= 2:
            self.add(_block_row(inline, self.file, line, self.section))
        elif links and len(inline.links) == 1 and not outside:
            self.add(
                Row(
                    self.file,
                    line,
                    Shape.PARAGRAPH,
                    self.section,
                    title=inline.links[0].label,
                    title_url=inline.links[0].url,
                )
            )
        elif (
            links
            and first is not None
            and len(first.label.split()) >= 2
            and text.startswith(first.label)
            and len(outside) <= 80
        ):
            # "[Title](url), ICML 2022 [[code]](url)": a list item without the bullet
            row = _item_row(inline, self.file, line, self.section)
            row.shape = Shape.PARAGRAPH
            self.add(row)
        else:
            # "[46] Authors. **Title**. Venue. [Paper](url)" / "Title. Surname, Surname. https://..."
            ref: Row | None = _reference_row(inline)
            if ref is None and links and len(inline.clean_lines) <= 2:
                ref = _sentence_row(inline)
            if ref is not None:
                ref.file, ref.line, ref.section = self.file, line, self.section
                self.add(ref)

    def titled_links(self, inline: Inline, tok: Any, tokens: list[Any], start: int) -> bool:
        """A title line followed by a list of nothing but labelled links (`**Title**` then
        `- Paper: https://...`, `- Code: https://...`) is one paper: add it and say so."""
        text = inline.text
        if inline.links or len(inline.clean_lines) != 1 or not 3 <= len(text.split()) <= 40:
            return False
        children = _items_inline(tokens[start + 1 : _close(tokens, start)])
        if not children or not all(_link_only(c) for c in children):
            return False
        links = [lk for c in children for lk in c.links]
        if not any(_is_paper_link(lk) for lk in links):
            return False  # "Backbones:" then `- Unet: https://github.com/...`: a label
        row = Row(self.file, _line(tok), Shape.BLOCK, self.section, title=text)
        for child in children:
            row.links.extend(child.links)
        self.add(row)
        return True

    def items(self, tokens: list[Any]) -> None:
        """The items of one list (tokens between its open and close)."""
        i, n = 0, len(tokens)
        while i < n:
            tok = tokens[i]
            if tok.type != "list_item_open":
                i += 1
                continue
            end = _close(tokens, i)
            self.item(tokens[i + 1 : end], _line(tok))
            i = end + 1

    def item(self, tokens: list[Any], line: int) -> None:
        inline: Inline | None = None
        nested: list[list[Any]] = []
        extra: list[Inline] = []
        i, n = 0, len(tokens)
        while i < n:
            tok = tokens[i]
            if tok.type == "paragraph_open" and inline is None:
                inline = flatten(tokens[i + 1].children)
                i = _close(tokens, i) + 1
            elif tok.type in ("bullet_list_open", "ordered_list_open"):
                end = _close(tokens, i)
                nested.append(tokens[i + 1 : end])
                i = end + 1
            elif tok.type == "paragraph_open" and inline is not None:
                extra.append(flatten(tokens[i + 1].children))  # "   *Zhiyuan Liu, Jie Zhou.*"
                i = _close(tokens, i) + 1
            else:
                i += 1
        if inline is None or not inline.text:
            for sub in nested:
                self.items(sub)
            return
        if not inline.links:
            for more in extra:
                inline.links.extend(more.links)
        if nested and not inline.links:
            # "- Diffusion" holding a nested list: a label, unless the children are links.
            children = [_items_inline(sub) for sub in nested]
            if not all(c and all(_link_only(x) for x in c) for c in children):
                saved = self.label
                self.label = heading_text(inline.text)
                for sub in nested:
                    self.items(sub)
                self.label = saved
                return
        row = _item_row(inline, self.file, line, self.section)
        for more in extra:
            if inline.links:
                _describe(row, more)
        for sub in nested:
            for child in _items_inline(sub) or []:
                if _link_only(child):
                    row.links.extend(child.links)
                elif _is_paper_like(child):
                    self.add(_item_row(child, self.file, line, self.section))
                else:
                    _describe(row, child)
        self.add(row)

    def html_table(self, table: Any) -> None:
        """An HTML `<table>` (htmltable.Table): its header row is the last `<th>` row
        with text before the body, or its first row."""
        rows = [(line + 1, cells) for line, cells, _ in table.rows if any(c.text for c in cells)]
        heads = [i for i, (_, _, header) in enumerate(table.rows) if header]
        if heads and any(c.text for c in table.rows[heads[0]][1]):
            first = table.rows[heads[0]]
            rest = [(ln + 1, cells) for ln, cells, h in table.rows if not h]
            rows = [(first[0] + 1, first[1]), *[r for r in rest if any(c.text for c in r[1])]]
        self.table_rows(rows)

    def table(self, tokens: list[Any]) -> None:
        rows: list[tuple[int, list[Inline]]] = []
        current: list[Inline] = []
        line = 0
        for tok in tokens:
            if tok.type == "tr_open":
                current = []
                line = _line(tok)
            elif tok.type == "inline":
                current.append(flatten(tok.children))
            elif tok.type == "tr_close":
                rows.append((line, current))
        self.table_rows(rows)

    def table_rows(self, rows: list[tuple[int, list[Inline]]]) -> None:
        """A table's rows, the first being its header."""
        if not rows:
            return
        header_line, header = rows[0]
        if len(header) > MAX_COLUMNS:
            self.out.problems.append(
                Problem(
                    "I-table-too-wide",
                    f"table with {len(header)} columns skipped (more than {MAX_COLUMNS}: not a paper list)",
                    Severity.ERROR,
                    self.file,
                    header_line,
                )
            )
            return
        roles = roles_of([h.text for h in header])
        if not has_title(roles) and Role.SHORTNAME in roles and _links_column(roles):
            # | Model | Release | Link |: the model's name stands for the title
            roles[roles.index(Role.SHORTNAME)] = Role.TITLE
        if not has_title(roles):
            self.out.problems.append(
                Problem(
                    "I-table-no-title",
                    "table without a title/paper column skipped; headers: "
                    + ", ".join(h.text for h in header),
                    Severity.WARNING,
                    self.file,
                    header_line,
                )
            )
            return
        for line, cells in rows[1:]:
            if all(not c.text or (is_placeholder(c.text) and not c.links) for c in cells):
                continue  # an empty filler row
            row = Row(self.file, line, Shape.TABLE, self.section)
            for role_set, cell in zip(roles, cells, strict=False):
                _fill(row, role_set, cell)
            if _GENERIC.match(row.title):
                # | Dataset Name | Paper |: the title column holds only "[paper](url)"
                row.title = row.shortname or _name_left_of(roles, cells)
            self.add(row)


_GENERIC = re.compile(r"^\W*(?:paper|pdf|link|arxiv|url|-+)?\W*$", re.IGNORECASE)
_REF = re.compile(r"\s*\[\s*\d+\s*\]\s*")


def _links_column(roles: list[Role | frozenset[Role]]) -> bool:
    return any(
        r in (Role.LINKS, Role.CODE) or (isinstance(r, frozenset) and Role.LINKS in r)
        for r in roles
    )


def _name_left_of(roles: list[Role | frozenset[Role]], cells: list[Inline]) -> str:
    """The text of the nearest unrecognised column left of the title column ("Dataset
    Name"), reference markers ("[12]") removed; "" when there is none."""
    at = next((i for i, r in enumerate(roles) if is_title(r)), 0)
    for i in range(min(at, len(cells)) - 1, -1, -1):
        if roles[i] is Role.IGNORE or roles[i] is Role.SHORTNAME:
            text = _REF.sub(" ", cells[i].text).strip()
            if text and not _GENERIC.match(text):
                return text
    return ""


def _fill(row: Row, role: Role | frozenset[Role], cell: Inline) -> None:
    roles = role if isinstance(role, frozenset) else frozenset({role})
    text = cell.text
    if Role.TITLE in roles:
        _title_from(row, cell, roles)
        return
    if Role.SHORTNAME in roles:
        row.shortname = text
        return
    if roles & {Role.DATE, Role.VENUE, Role.YEAR}:
        row.when.extend(cell.clean_lines or [text])
        return
    if Role.AUTHORS in roles:
        row.authors = text
        return
    if roles & {Role.LINKS, Role.CODE}:
        row.links.extend(_labelled(cell.links, Role.CODE in roles and Role.LINKS not in roles))
        if Role.SUMMARY in roles and not cell.links:
            row.summary = text
        return
    if Role.SUMMARY in roles:
        row.summary = text
        row.links.extend(cell.links)


def _labelled(links: list[RawLink], code_column: bool) -> list[RawLink]:
    """In a "Code" column an unlabelled or name-labelled link is a code link."""
    if not code_column:
        return links
    out = []
    for link in links:
        label = link.label.lower()
        if not any(
            w in label for w in ("project", "page", "blog", "poster", "video", "paper", "website")
        ):
            out.append(RawLink("code", link.url))
        else:
            out.append(link)
    return out


def _title_from(row: Row, cell: Inline, roles: frozenset[Role] = frozenset()) -> None:
    row.when.extend(cell.badges)  # "![Publish](.../badge/Conference-ICML'23-blue)"
    title_links = [lk for lk in cell.links if lk.label]
    lines = cell.clean_lines
    if len(lines) > 1 and (cell.strong or title_links):
        # "![Star](badge) <br> [**Title**](url) <br> Authors": the title's own line
        named = [lk for lk in title_links if len(lk.label.split()) >= 2] or title_links
        key = max(cell.strong, key=len) if cell.strong else named[0].label
        line = next((ln for ln in lines if key and key in ln), "")
        if line:
            badges = [lk for lk in title_links if lk.label not in line]
            title_links = [lk for lk in title_links if lk.label in line]
            row.links.extend(badges)
            cell = Inline(lines=[line], links=title_links, strong=cell.strong, outside=line)
            if Role.AUTHORS in roles and not row.authors:
                after = lines[lines.index(line) + 1 :]
                row.authors = after[0] if after else ""
    if cell.strong:
        row.title = cell.text
    elif title_links and clean(cell.outside).strip(" |") == "":
        row.title = title_links[0].label
    else:
        row.title = cell.text
    if title_links:
        first = title_links[0]
        if not first.url:  # "[Title]()": reported as an empty link
            row.links.append(first)
            row.links.extend(title_links[1:])
        elif row.title.startswith(first.label) or first.label.startswith(row.title[:20]):
            row.title_url = first.url
            row.links.extend(title_links[1:])
        else:
            row.links.extend(title_links)
    elif cell.links:  # [Title]() : an empty link
        row.title_url = cell.links[0].url
        if not row.title:
            row.title = cell.links[0].label


def _item_row(inline: Inline, file: str, line: int, section: tuple[str, ...]) -> Row:
    if inline.starts_strong and len(inline.clean_lines) >= 2:
        return _block_row(inline, file, line, section)
    row = Row(file, line, Shape.LIST, section)
    links = list(inline.links)
    outside = _EMPTY_BRACKETS.sub("", clean(inline.outside))
    label = links[0].label if links else ""
    prefix = inline.text.partition(label)[0] if label else ""
    name = _prefix_name(prefix) if len(label.split()) >= 3 else ""
    if label and (
        not outside or not prefix or name or (len(label.split()) >= 2 and _is_prefix_tag(prefix))
    ):
        # "[Title](url) ...", "2024-06-20 - [Title](url) by Klein, Noé", "[CVPR 2023] [Title](url)"
        first = _title_link(links)
        row.title = first.label
        row.title_url = first.url
        if not first.url:
            row.links.append(first)
        if name:  # "* ABC-GAN - [ABC-GAN: Adaptive Blur ...](url)": the short name first
            row.shortname = name
            outside = outside.replace(name, "", 1)
        by = _BY.search(clean(inline.outside.split("\n")[0]))
        if by:
            row.authors = by.group(1).strip()
            outside = outside.replace(by.group(0).strip(), " ", 1)
        paren = _PAREN_NAME.search(outside)
        if paren and not _is_tag(paren.group(1)):  # "[Title](url) (PHF)": its short name
            row.shortname = paren.group(1)
            outside = outside[: paren.start()] + outside[paren.end() :]
        row.when.append(outside)
        row.links.extend(lk for lk in links if lk is not first)
    else:
        text = outside if links else inline.text
        strong = [s for s in inline.strong if not _is_tag(s)]
        for tag in (s for s in inline.strong if _is_tag(s)):
            row.when.append(tag)
            text = text.replace(tag, "", 1)
        for link in links:  # "[ICML 2018](arxiv-url) / [Code](...)": the link text is the venue
            if link.label and _is_tag(link.label):
                row.when.append(link.label)
        row.title = _EMPTY_BRACKETS.sub("", clean(text)).strip(" -–—|/")
        if strong:
            # "**DALL-E**: [ICML 2021] **Zero-shot text-to-image generation**": a short
            # name, then the title
            title = strong[0]
            quoted = _QUOTED.search(text)
            if len(strong) > 1 and _is_name(strong[0]) and len(strong[1].split()) >= 3:
                title = strong[1]
                row.shortname = strong[0].rstrip(":")
                text = text.replace(strong[0], "", 1)
            elif quoted and _is_name(strong[0]) and len(quoted.group(1).split()) >= 3:
                # '**RoboSpatial**: "RoboSpatial: Teaching ...", CVPR, June 2025.'
                row.shortname = strong[0].rstrip(":")
                text = text.replace(strong[0], "", 1).replace(quoted.group(0), " ", 1)
                title = quoted.group(1)
                text = f"{title} {text}"
            row.title = title
            row.when.append(clean(text.replace(title, "", 1)))
        else:
            m = _TRAILING_VENUE_YEAR.search(row.title)
            if not (m and _is_tag(m.group(1))):
                m = _TRAILING_WHEN.search(row.title)
            if m and _is_tag(m.group(1)):
                row.when.append(m.group(1))
                row.title = row.title[: m.start()].strip()
        row.links.extend(links)
    if not row.title:
        row.title = inline.text  # an item that is only a bare URL: named by it
    _from_marks(row, inline)
    return row


_ET_AL = re.compile(r"^(.*?\bet al\.?)\s*(.*)$")


def _from_marks(row: Row, inline: Inline) -> None:
    """What a row says in badges and italics: a badge's venue or year ("Conference-ICML'23",
    "arXiv-2023"), the authors in an italic span ("*Liang Chen et al. arXiv.*")."""
    row.when.extend(inline.badges)
    if row.authors:
        return
    for span in inline.em:
        m = _ET_AL.match(span)
        if m and _names(m.group(1).replace(" et al", ", et al")):
            row.authors = m.group(1)
            if m.group(2):
                row.when.append(m.group(2))
        elif _names(span.replace(" and ", ", ")) and span != row.title:
            row.authors = span.rstrip(".")
        else:
            continue
        row.when = [w.replace(span, " ") for w in row.when]
        return


_EMPTY_BRACKETS = re.compile(r"\[\s*\]|\(\s*\)")
_PAREN_NAME = re.compile(r"^\s*\(([A-Za-z][\w.+-]*(?: [\w.+-]+)?)\)(?=\s|$)")
_BY = re.compile(r"(?:^|\s)by\s+([A-Z][^.;|<>]{1,200}?)(?=\s*(?:$|[.;|]))")
_PREFIX_JUNK = " -–—:|*[]()/"


_NAME_SEP = re.compile(r"^\s*([^\s\[\]()|]+(?: [^\s\[\]()|]+){0,2})\s*(?:\s[-–—]|:)\s*$")


def _prefix_name(text: str) -> str:
    """The short name before a title link ("ABC-GAN - ", "**VQ-GAN**: "), or ""."""
    m = _NAME_SEP.match(clean(text))
    name = m.group(1).strip("*_ ") if m else ""
    return name if 0 < len(name) <= 30 and not _is_prefix_tag(name) else ""


_QUOTED = re.compile(r"[\"“]([^\"“”]{8,300})[\"”]")


def _is_name(text: str) -> bool:
    return len(text.split()) <= 3 and len(text) <= 30


def _is_prefix_tag(text: str) -> bool:
    """What stands before a title link is only a date or venue tag ("2024-06-20 -",
    "[CVPR 2023]", "**[ICLR 2024]**", "(2023/10)"), not words of the title."""
    text = clean(text).strip(_PREFIX_JUNK)
    if not text:
        return True
    if len(text) > 40 or len(text.split()) > 4:
        return False
    from genbib.importers.when import parse_when

    when = parse_when([text])
    return not when.unknown and (
        when.venue is not None or when.date is not None or when.year is not None
    )


_TRAILING_VENUE_YEAR = re.compile(
    r"\s*[,–—-]\s*([^,–—-]{2,24},\s*(?:19|20)\d\d)$"
)  # ", ICML, 2025"
_TRAILING_WHEN = re.compile(r"\s*[,–—-]\s*([^,–—-]{2,30})$")
_PAPER_HOSTS = (
    "arxiv.org",
    "openreview.net",
    "proceedings.",
    "openaccess.thecvf.com",
    "doi.org",
    "aclanthology.org",
)


def _is_paper_link(link: RawLink) -> bool:
    label = link.label.lower()
    return any(h in link.url for h in _PAPER_HOSTS) or label in ("paper", "pdf", "arxiv")


def _title_link(links: list[RawLink]) -> RawLink:
    """The link whose text is the title: the first, unless it points to code and a later
    link with a longer text points to the paper."""
    first = links[0]
    if any(h in first.url for h in _PAPER_HOSTS):
        return first
    for link in links[1:]:
        if any(h in link.url for h in _PAPER_HOSTS) and len(link.label.split()) >= 3:
            return link
    return first


_TAG = re.compile(r"^\[?[^\[\]]{2,30}\]?$")


def _is_tag(text: str) -> bool:
    """A bold `[CVPR 2023]`/`NeurIPS'22` tag: a venue or year, not a title."""
    from genbib.importers.when import parse_when

    if not _TAG.match(text) or len(text.split()) > 4:
        return False
    when = parse_when([text])
    return when.venue is not None or (when.year is not None and len(text) <= 12)


def _block_row(inline: Inline, file: str, line: int, section: tuple[str, ...]) -> Row:
    lines = inline.clean_lines
    row = Row(
        file, line, Shape.BLOCK, section, title=inline.strong[0] if inline.strong else lines[0]
    )
    rest = lines[1:]
    link_labels = {lk.label for lk in inline.links}
    for text in rest:
        stripped = text
        for label in link_labels:
            stripped = stripped.replace(label, "")
        if clean(stripped).strip(" []()|,-") and not row.authors:
            row.authors = clean(stripped)
        else:
            row.when.append(clean(stripped))
    row.links.extend(inline.links)
    return row


_REF_MARK = re.compile(r"^\s*\[\d+\]\s*")


def _reference_row(inline: Inline) -> Row | None:
    """A reference: "[46] Authors. **Title**. Venue (Year). [Paper](url)": the one bold span
    is the title, the text before it the authors, after it the venue."""
    titles = [t for t in inline.strong if len(t.split()) >= 3]
    text = inline.text
    if len(titles) != 1 or len(text) > 1500 or not any(map(_is_paper_link, inline.links)):
        return None
    title = titles[0]
    before, _, after = text.partition(title)
    authors = _REF_MARK.sub("", before).strip(" .*")
    if not _names(authors.replace(" and ", ", ")):
        return None
    labels = {lk.label for lk in inline.links}
    for label in labels:
        after = after.replace(label, "")
    row = Row("", 0, Shape.PARAGRAPH, title=title.rstrip("."), authors=authors)
    row.when.append(clean(after).strip(" .*[]()"))
    row.links.extend(inline.links)
    return row


def _names(text: str) -> bool:
    """ "Surname, Surname, van der Name, et al.": a line of author names."""
    chunks = [c.strip() for c in re.split(r",|\band\b", text.strip().rstrip(".")) if c.strip()]
    return bool(chunks) and all(
        len(c.split()) <= 5
        and not any(ch.isdigit() for ch in c)
        and (any(ch.isupper() for ch in c) or c in ("et al", "et al."))
        for c in chunks
    )


def _sentence_row(inline: Inline) -> Row | None:
    """ "Title. Surname, Surname. https://url" (or the same with tabs between the fields):
    a paper written as a sentence and a bare link."""
    raw = inline.outside.strip()
    if "\t" in raw:
        fields = [clean(f) for f in raw.split("\t") if clean(f)]
        head, tail = fields[0], (fields[1] if len(fields) > 1 else "")
        if not _names(tail):
            tail = ""  # "anon", or a URL column: no authors
        if len(head.split()) < 2:
            return None
    else:
        text = clean(raw)
        head, sep, tail = text.partition(". ")
        while sep and not _names(tail):
            more, sep, tail = tail.partition(". ")
            head = f"{head}. {more}"
        if not sep or len(head.split()) < 3:
            return None
    row = Row("", 0, Shape.PARAGRAPH, title=head.rstrip("."), authors=tail.strip().rstrip("."))
    row.links.extend(inline.links)
    return row


def _is_paper_like(inline: Inline) -> bool:
    """A nested item that is a paper of its own (a paper link, or a titled link), not a
    line about its parent (authors, "Keyword: ...", a one-line summary)."""
    return any(_is_paper_link(lk) or len(lk.label.split()) >= 4 for lk in inline.links) or any(
        len(t.split()) >= 4 for t in inline.strong
    )


def _describe(row: Row, child: Inline) -> None:
    """A nested line about a paper: its authors, or words kept as its summary."""
    text = clean(child.outside)
    if not row.authors and _names(text.replace(" and ", ", ")):
        row.authors = text
    else:
        row.summary = f"{row.summary} {text}".strip() if text else row.summary
    row.links.extend(child.links)


def _items_inline(tokens: list[Any]) -> list[Inline]:
    base = tokens[0].level if tokens else 0
    return [flatten(t.children) for t in tokens if t.type == "inline" and t.level <= base + 2]


_LINK_LABEL = re.compile(r"^\s*[\w ]{1,20}[:：]\s*")


def _link_only(inline: Inline) -> bool:
    """Nothing but links, maybe after a label: "[code](...)", "Code: [Official](...)"."""
    rest = _LINK_LABEL.sub("", clean(inline.outside))
    return bool(inline.links) and not rest.strip(" []()|,;-–—:")


def _close(tokens: list[Any], i: int) -> int:
    """Index of the token closing the one opened at `i`."""
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def _line(tok: Any) -> int:
    return int(tok.map[0]) + 1 if tok.map else 0
