"""The one key rule (genbib.bibtex.keys): which keys are valid and why the others are not,
and that rekey, the Zotero mapping, render and check all follow it."""

from __future__ import annotations

import pytest

from genbib.bibtex.check import check_library
from genbib.bibtex.keys import KEY_RULE, is_citable, is_valid_key, key_problem, validate_formula
from genbib.bibtex.reader import parse
from genbib.bibtex.rekey import rekey
from genbib.errors import ConfigError, GenbibError
from genbib.zotero.mapping import citation_key

# key, valid, a word the reason must contain (None for valid keys)
TABLE = [
    ("ho2020denoising", True, None),
    ("Ho2020", True, None),
    ("2020ho", True, None),
    ("a:b.c+d/e-f_g", True, None),
    ("x" * 100, True, None),
    ("", False, "empty"),
    ("x" * 101, False, "longer than 100"),
    ("Müller2020", False, "not ASCII"),
    ("a@b", False, "@"),
    ("a b", False, "whitespace"),
    ("a\tb", False, "whitespace"),
    ("a,b", False, "comma"),
    ("a{b", False, "braces"),
    ("a(b", False, "parentheses"),
    ("a%b", False, "comment"),
    ("a#b", False, "macro parameter"),
    ("a~b", False, "tie"),
    ("a\\b", False, "backslash"),
    ('a"b', False, "quotes"),
    ("a'b", False, "quotes"),
    ("a=b", False, "="),
    ("a$b", False, "math"),
    ("a&b", False, "alignment"),
    ("_x", False, "starts with"),
    ("-x", False, "starts with"),
    ("a\x01b", False, "not one of"),
    ("a!b", False, "not one of"),
]


@pytest.mark.parametrize(("key", "valid", "why"), TABLE)
def test_key_rule(key: str, valid: bool, why: str | None) -> None:
    assert is_valid_key(key) is valid
    problem = key_problem(key)
    if valid:
        assert problem is None
    else:
        assert problem is not None and why is not None and why in problem, problem


@pytest.mark.parametrize(("key", "valid", "why"), TABLE)
def test_valid_keys_are_citable(key: str, valid: bool, why: str | None) -> None:
    """Render puts every valid key in \\cite; it may also keep an older key it can cite."""
    if valid:
        assert is_citable(key)


def _bib(key: str) -> str:
    return f"@misc{{{key},\n  title = {{T}},\n  year = {{2020}},\n}}\n"


@pytest.mark.parametrize(("key", "valid", "why"), [r for r in TABLE if r[0] and "," not in r[0]])
def test_rekey_refuses_what_the_rule_refuses(key: str, valid: bool, why: str | None) -> None:
    lib = parse(_bib("old2020"), "refs.bib")
    if valid:
        rekey(lib, "old2020", key)
        assert lib.entries[0].key == key
    else:
        with pytest.raises(GenbibError) as err:
            rekey(lib, "old2020", key)
        assert err.value.hint == KEY_RULE
        assert lib.entries[0].key == "old2020"


@pytest.mark.parametrize(("key", "valid", "why"), TABLE)
def test_mapping_takes_only_valid_zotero_keys(key: str, valid: bool, why: str | None) -> None:
    if key != key.strip():
        return  # the mapping strips the field first
    assert citation_key({"citationKey": key}) == (key if valid else "")
    assert citation_key({"extra": f"Citation Key: {key}"}) == (key if valid else "")


def test_check_reports_existing_keys_that_break_the_rule_and_keeps_them() -> None:
    text = _bib("Müller2020") + _bib("a@b") + _bib("ok2020")
    lib = parse(text, "refs.bib")
    found = [(p.key, p.severity.value) for p in check_library(lib) if p.code == "E007-key-rule"]
    assert found == [("Müller2020", "warning"), ("a@b", "warning")]
    assert [e.key for e in lib.entries] == ["Müller2020", "a@b", "ok2020"]


@pytest.mark.parametrize(
    ("formula", "ok"),
    [("{author}{year}{title}", True), ("{Author}:{year}", True), ("{author}@{year}", False),
     ("{author} {year}", False), ("_{author}{year}", False)],
)  # fmt: skip
def test_a_key_formula_cannot_make_keys_that_break_the_rule(formula: str, ok: bool) -> None:
    if ok:
        validate_formula(formula)
    else:
        with pytest.raises(ConfigError, match=r"a citation key is"):
            validate_formula(formula)
