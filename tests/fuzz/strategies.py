"""Hypothesis strategies for hostile input: text that looks like what genbib reads, laced
with the things an attacker or a broken tool puts there."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from genbib.model.entry import Entry

# Pieces that mean something to LaTeX, BibTeX, markdown, HTML, URLs or terminals.
HOSTILE = [
    "\\write18{touch /tmp/pwned}", "\\immediate\\write18{id}", "\\input{/etc/passwd}",
    "\\openout5=x.tex", "\\catcode`\\@=11", "\\csname foo\\endcsname", "\\def\\x{y}",
    "^^5cinput{/etc/passwd}", "^^M", "\\include{a}", "\\usepackage{x}", "\\let\\a\\b",
    "javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>", "<!-- c -->", "&lt;", "|", "||", "](", "[x](y)",
    "](javascript:alert(1))", "![a](b)", "`", "*", "_", "#", "%", "&", "$", "~", "\\",
    "{", "}", "{{", "}}", "@", "@article{", "@string{x=", "=", ",", "\"", "#", "\x00",
    "\x1b[31m", "\r", "\n", "\t", "\u202e", "\u2066", "\u2069", "\u200b", "\ufeff",
    "\ud7ff", "é", "ß", "ü", "𝔘", "中文", "http://", "https://arxiv.org/abs/2006.11239",
    "https://github.com/a/b", "10.1000/x", "arXiv:2006.11239", "NIPS 2020", "2021",
    "\\\"{u}", "{\\'e}", "\\emph{", "$\\alpha$", "--", "\\%", "\\&", "\\textbackslash",
]  # fmt: skip

text_piece = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(min_size=0, max_size=12),
    st.text(alphabet="abc XYZ019", min_size=1, max_size=10),
)
hostile_text = st.lists(text_piece, max_size=12).map("".join)

# --- BibTeX -----------------------------------------------------------------------------

_field_value = st.one_of(
    hostile_text.map(lambda t: "{" + t + "}"),
    hostile_text.map(lambda t: '"' + t + '"'),
    st.sampled_from(["jan", "nips", "2020", "a # {b}", '{a} # "b"', "{", "}", ""]),
)
_field = st.tuples(
    st.sampled_from(["title", "author", "year", "url", "code", "topics", "doi", "x", "TITLE"]),
    _field_value,
)


@st.composite
def bib_entry(draw: st.DrawFn) -> str:
    kind = draw(
        st.sampled_from(["article", "inproceedings", "misc", "string", "comment", "preamble", "x"])
    )
    key = draw(st.one_of(st.sampled_from(["k", "ho2020", "", "a b", "k,"]), hostile_text))
    fields = draw(st.lists(_field, max_size=6))
    open_, close = draw(st.sampled_from([("{", "}"), ("(", ")"), ("{", ""), ("{", ")")]))
    body = ",\n".join(f"  {n} = {v}" for n, v in fields)
    return f"@{kind}{open_}{key},\n{body}\n{close}"


bib_text = st.lists(st.one_of(bib_entry(), hostile_text), max_size=6).map("\n".join)

# --- markdown lists ---------------------------------------------------------------------


@st.composite
def markdown_list(draw: st.DrawFn) -> str:
    lines = [draw(st.sampled_from(["# Diffusion", "## 2021", "# Papers", ""]))]
    shape = draw(st.sampled_from(["table", "list", "mixed"]))
    n = draw(st.integers(0, 5))
    if shape in ("table", "mixed"):
        lines += ["| Date | Venue | Paper | Code |", "| --- | --- | --- | --- |"]
        for _ in range(n):
            cells = [draw(hostile_text) for _ in range(draw(st.integers(1, 5)))]
            url = draw(st.sampled_from([*HOSTILE[20:24], "https://arxiv.org/abs/2006.11239"]))
            cells[0] = f"[{cells[0]}]({url})"
            lines.append("| " + " | ".join(cells) + " |")
    if shape in ("list", "mixed"):
        for _ in range(n):
            title, rest = draw(hostile_text), draw(hostile_text)
            url = draw(
                st.sampled_from(
                    [
                        "javascript:alert(1)",
                        "data:x",
                        "https://arxiv.org/abs/2105.05233",
                        draw(hostile_text),
                    ]
                )
            )
            lines.append(f"- [{title}]({url}) {rest} [[code]](https://github.com/a/b)")
    lines += draw(st.lists(hostile_text, max_size=3))
    return "\n".join(lines)


# --- Zotero items -----------------------------------------------------------------------

ITEM_TYPES = ["preprint", "conferencePaper", "journalArticle", "book", "bookSection",
              "thesis", "report", "computerProgram", "webpage", "document", "note",
              "attachment", "annotation", "unknownType"]  # fmt: skip
ITEM_FIELDS = ["title", "date", "url", "DOI", "extra", "abstractNote", "proceedingsTitle",
               "publicationTitle", "archiveID", "repository", "citationKey", "volume", "pages",
               "issue", "publisher", "institution", "university", "bookTitle", "shortTitle",
               "conferenceName", "ISBN", "ISSN", "language", "note", "linkMode", "parentItem",
               "key", "version", "collections", "creators", "tags", "relations"]  # fmt: skip

_json_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), hostile_text
)
json_value = st.recursive(
    _json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(hostile_text, inner, max_size=3)
    ),
    max_leaves=8,
)
_creator = st.fixed_dictionaries(
    {},
    optional={
        "creatorType": st.sampled_from(["author", "editor", "programmer", "contributor", "x"]),
        "firstName": hostile_text, "lastName": hostile_text, "name": hostile_text,
    },
)  # fmt: skip
_extra = st.lists(
    st.one_of(
        st.sampled_from(["arXiv: 2006.11239 [cs.LG]", "Citation Key: ho2020", "tex.presentation: Oral",
                         "tex.note: \\input{/etc/passwd}", "Citation Key: ../../x", "tex.x:"]),
        hostile_text,
    ),
    max_size=4,
).map("\n".join)  # fmt: skip


@st.composite
def zotero_item(draw: st.DrawFn, *, shaped: bool = True) -> dict[str, Any]:
    """An item's `data`; `shaped` keeps Zotero's types (strings, lists of creators), else
    any JSON goes in any field (an export file written by anything)."""
    item: dict[str, Any] = {"itemType": draw(st.sampled_from(ITEM_TYPES))}
    for name in draw(st.lists(st.sampled_from(ITEM_FIELDS), max_size=10, unique=True)):
        if not shaped:
            item[name] = draw(json_value)
        elif name == "creators":
            item[name] = draw(st.lists(_creator, max_size=4))
        elif name == "extra":
            item[name] = draw(_extra)
        elif name in ("collections", "tags", "relations"):
            item[name] = draw(st.lists(hostile_text, max_size=2))
        elif name == "version":
            item[name] = draw(st.integers(0, 10))
        else:
            item[name] = draw(hostile_text)
    return item


@st.composite
def zotero_child(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["note", "attachment"]))
    url = draw(
        st.sampled_from(["https://github.com/a/b", "javascript:alert(1)", "data:x", "http://x"])
        | hostile_text
    )
    return {
        "itemType": kind, "parentItem": "ABCD2345", "note": draw(hostile_text),
        "linkMode": draw(st.sampled_from(["linked_url", "imported_file"])), "url": url,
        "title": draw(st.sampled_from(["Code", "Project page", "Blog post", "x"]) | hostile_text),
    }  # fmt: skip


# --- entries for the renderers ---------------------------------------------------------


@st.composite
def render_entry(draw: st.DrawFn) -> Entry:
    """An entry as a canonical bib may hold it after an import of hostile lists."""
    key = draw(
        st.sampled_from(["ho2020", "song2021", "a:b", "x_y", "bad key", "k%", "k}", "\\k", ""])
    )
    e = Entry(draw(st.sampled_from(["inproceedings", "article", "misc"])), key or "k")
    e.set_topics(
        draw(st.lists(st.sampled_from(["diffusion", "gan", "../x"]), min_size=1, max_size=2))
    )
    for name in ("title", "author", "annotation", "shortname", "booktitle", "presentation", "year"):
        if draw(st.booleans()):
            e.set(name, draw(hostile_text))
    for name in ("url", "code", "project", "pdf", "links", "stars"):
        if draw(st.booleans()):
            e.set(
                name, draw(st.sampled_from([*HOSTILE, "https://x.org/a b", "https://u:p@x.org/"]))
            )
    return e
