"""TeX specials in free text from lists and CSL-JSON: stored escaped (`50\\% faster`), read
back once by render, stable on re-import; `genbib check` warns on a bare `%` (E022)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from tests.importers.conftest import run_import

from genbib.bibtex.check import check_library
from genbib.bibtex.reader import parse
from genbib.bibtex.writer import dumps
from genbib.config import Config
from genbib.importers.text import inert
from genbib.render.escape import to_text

LIST = """# Reading list

## Diffusion

| Title | Venue | Summary | Links |
| --- | --- | --- | --- |
| Consistency Models | ICML 2023 | 50% faster sampling; Q&A in issue #12 | [arXiv](https://arxiv.org/abs/2303.01469) |
| Sampling & Editing at 100% Scale | arXiv 2024 | Notes \\% kept as typed | [arXiv](https://arxiv.org/abs/2401.00001) |
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_list_summary_percent_is_stored_escaped(tmp_path: Path, lab_config: Config) -> None:
    src = _write(tmp_path, "list.md", LIST)
    lib, _ = run_import([src], lab_config)
    by_title = {e.title: e for e in lib.entries}
    cm = by_title["Consistency Models"]
    assert cm.fields["annotation"] == r"{50\% faster sampling; Q\&A in issue \#12}"
    edit = next(e for e in lib.entries if e.arxiv == "2401.00001")
    assert edit.fields["title"] == r"{Sampling \& Editing at 100\% Scale}"
    # `\%` in markdown is markdown's escape for `%`: the same text, stored once escaped
    assert edit.fields["annotation"] == r"{Notes \% kept as typed}"
    # read back once: what the lists and Zotero show
    assert to_text(cm.get("annotation")) == "50% faster sampling; Q&A in issue #12"
    assert to_text(edit.title) == "Sampling & Editing at 100% Scale"
    assert to_text(edit.get("annotation")) == "Notes % kept as typed"
    # the imported bib passes the checks for bare specials
    found = {p.code for p in check_library(parse(dumps(lib), "genmodels.bib"))}
    assert not found & {"E020-unescaped-char", "E022-unescaped-percent"}, found


def test_reimport_changes_nothing(tmp_path: Path, lab_config: Config) -> None:
    src = _write(tmp_path, "list.md", LIST)
    lib, _ = run_import([src], lab_config)
    before = dumps(lib)
    again = parse(before, "genmodels.bib")
    _, report = run_import([src], lab_config, library=again)
    assert report.merged == [] and dumps(again) == before


def test_csl_json_text_is_escaped(tmp_path: Path, lab_config: Config) -> None:
    item = {
        "type": "article-journal",
        "title": "Scaling to 100% & Beyond",
        "author": [{"family": "O'Neil & Sons", "given": "A."}],
        "container-title": "Journal of Q&A",
        "issued": {"date-parts": [[2023]]},
        "abstract": "We are 50% faster.",
    }
    src = _write(tmp_path, "items.json", json.dumps([item]))
    lib, _ = run_import([src], lab_config)
    [e] = lib.entries
    assert e.fields["title"] == r"{Scaling to 100\% \& Beyond}"
    assert e.fields["journal"] == r"{Journal of Q\&A}"
    assert e.fields["abstract"] == r"{We are 50\% faster.}"
    assert e.fields["author"] == r"{O'Neil \& Sons, A.}"


BARE = r"""@misc{a,
  title = {Fine},
  annotation = {50% faster},
  note = {escaped 50\% and an escaped backslash then a bare one: \\%},
  url = {https://example.org/a%20b},
  links = {https://example.org/c%2Fd},
  doi = {10.1000/x%y},
  abstract = {all 100\% escaped},
}

@misc{b,
  title = {Sampling 50% Faster},
}
"""


def test_check_warns_on_a_bare_percent_outside_links() -> None:
    problems = check_library(parse(BARE, "refs.bib"))
    e022 = [(p.key, p.message.split()[0]) for p in problems if p.code == "E022-unescaped-percent"]
    assert e022 == [("a", "annotation"), ("a", "note")]
    assert all(p.severity.value == "warning" for p in problems if p.code.startswith("E022"))
    # a title's bare % is E020 (an error), reported once
    assert [p.key for p in problems if p.code == "E020-unescaped-char"] == ["b"]


PLAIN = st.text(alphabet=st.sampled_from("ab Z09%&#$_^~\\.,;:!?é中"), max_size=40)


@given(PLAIN.filter(lambda t: not re.search(r"&#[0-9]+;", t)))
def test_inert_text_reads_back_as_typed_and_has_no_bare_percent(text: str) -> None:
    """Plain text is kept as typed; only a closed entity (`&#48;`) is markup, decoded."""
    stored = inert(text)
    lib = parse(f"@misc{{k,\n  annotation = {{{stored}}},\n}}\n", "f.bib")
    assert not [p for p in check_library(lib) if p.code.startswith("E02")]
    assert to_text(lib.entries[0].get("annotation")) == " ".join(text.split())


def test_only_a_closed_entity_is_decoded() -> None:
    """`&#0` or `&amp` without `;` is text (CommonMark); `&amp;` and `&#65;` are entities."""
    assert to_text(inert("&#0 & &amp b")) == "&#0 & &amp b"
    assert to_text(inert("R&amp;D &#65;&#x42;")) == "R&D AB"


def test_a_list_title_keeps_an_unclosed_entity_as_typed(tmp_path: Path, lab_config: Config) -> None:
    """The importer's own reading of cells decodes entities by the same rule as the
    policy: `&#0` and `&amp` without `;` are text, `&amp;` is `&`."""
    src = tmp_path / "list.md"
    src.write_text(
        "# Diffusion\n- [Score &#0 model, R&amp D and Q&amp;A](https://arxiv.org/abs/2301.00011)\n",
        encoding="utf-8",
    )
    lib, _ = run_import([src], lab_config)
    assert to_text(lib.entries[0].get("title")) == "Score &#0 model, R&amp D and Q&A"
