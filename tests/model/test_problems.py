"""How a finding prints: `file:line: key: CODE message`, or from its key when no file."""

from __future__ import annotations

from genbib.model.problems import Problem, Severity


def test_a_finding_with_a_file_prints_as_compilers_do() -> None:
    p = Problem("E020-unescaped-char", "title has unescaped _", Severity.ERROR, "a.bib", 3, "k")
    assert p.format() == "a.bib:3: k: E020-unescaped-char title has unescaped _"
    assert Problem("I-x", "m", Severity.INFO, "a.md", 0).format() == "a.md:0: I-x m"


def test_a_finding_from_no_file_starts_at_its_key() -> None:
    """Sync's findings are about Zotero items: no made-up `<input>:0` location."""
    p = Problem("SYNC_RETIRED", "Zotero item ABCD1234: retired", Severity.WARNING, key="k")
    assert p.format() == "k: SYNC_RETIRED Zotero item ABCD1234: retired"
    assert Problem("E1", "m").format() == "E1 m"
