"""`genbib check` rules: each stable code fires on its case and stays quiet otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from genbib.bibtex.check import RULES, check_file, check_library, strict, unsafe_latex
from genbib.bibtex.citations import scan_citations
from genbib.bibtex.reader import parse
from genbib.bibtex.titles import scan_title
from genbib.model import Severity

CLEAN = """@inproceedings{ho2020denoising,
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  title = {Denoising Diffusion Probabilistic Models},
  booktitle = {Advances in Neural Information Processing Systems},
  year = {2020},
  doi = {10.5555/3495724.3496298},
  eprint = {2006.11239},
  archiveprefix = {arXiv},
  url = {https://arxiv.org/abs/2006.11239},
  code = {https://github.com/hojonathanho/diffusion},
  topics = {diffusion},
}
"""


def _codes(text: str, topics: list[str] | None = None) -> list[str]:
    return [p.code for p in check_library(parse(text, "t.bib"), topics=topics)]


def _entry(**fields: str) -> str:
    body = "".join(f"  {k} = {{{v}}},\n" for k, v in fields.items())
    return f"@misc{{k,\n{body}}}\n"


def test_clean_file_has_no_findings() -> None:
    assert _codes(CLEAN, topics=["diffusion"]) == []


def test_codes_are_unique_stable_strings() -> None:
    assert list(RULES) == sorted(RULES)
    for code, rule in RULES.items():
        assert rule.code == code
        number, _, name = code.partition("-")
        assert number[0] == "E" and number[1:].isdigit() and name
    docs = Path(__file__).resolve().parents[2] / "docs" / "guide"
    for page in ("check.md", "foundation.md"):
        documented = (docs / page).read_text()
        for code in RULES:
            assert f"`{code}`" in documented, (page, code)


def test_reader_problems_come_first_with_file_and_line() -> None:
    lib = parse("@misc{a, title={x}}\n@misc{a, title={y}}\n@misc{b, title={\n", "f.bib")
    problems = check_library(lib)
    assert [(p.code, p.line) for p in problems][:2] == [
        ("E003-duplicate-key", 2),
        ("E002-parse", 3),
    ]
    assert ("E005-unbalanced-braces", 3) in [(p.code, p.line) for p in problems]
    assert all(p.file == "f.bib" for p in problems)


@pytest.mark.parametrize(
    ("entry", "missing"),
    [
        ("@article{k, title={T}}", "author, journal or journaltitle, year or date"),
        ("@inproceedings{k, author={A}, title={T}, year={2020}}", "booktitle"),
        ("@book{k, editor={E}, title={T}, year={2020}}", "publisher"),
        ("@phdthesis{k, author={A}, title={T}, year={2020}}", "school or institution"),
        ("@misc{k, author={A}}", "title"),
        ("@techreport{k, author={A}, title={T}, year={2020}}", "institution"),
        ("@article{k, author={A}, title={}, journal={J}, year={2020}}", "title"),
    ],
)
def test_missing_required_fields(entry: str, missing: str) -> None:
    (p,) = check_library(parse(entry))
    assert p.code == "E010-missing-field" and p.message.endswith(f"needs {missing}")


@pytest.mark.parametrize(
    "entry",
    [
        "@misc{k, title={Only a title}}",
        "@article{k, author={A}, title={T}, journaltitle={J}, date={2020-05}}",
        "@inproceedings{k, title={T}, crossref={proc}}\n@proceedings{proc, title={P}, year=2020}",
        "@unknownthing{k, foo={bar}}",
        "@article{k, author={A}, title={T}, journal=jmlr, year=2020}",
    ],
)
def test_required_fields_accept_biblatex_and_crossref(entry: str) -> None:
    assert _codes(entry) == []


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"doi": "11.1/abc"}, "E011-doi"),
        ({"doi": "https://doi.org/10.1000/X_y"}, None),
        ({"eprint": "2006.1123x"}, "E012-arxiv"),
        ({"eprint": "2006.11239v2", "howpublished": "arXiv preprint"}, None),
        ({"eprint": "hep-th/9901001", "howpublished": "arXiv preprint"}, None),
        ({"eprint": "PMC12345", "eprinttype": "pubmed"}, None),
        ({"url": "javascript:alert(1)"}, "E013-url"),
        ({"url": "ftp://example.org/x"}, "E013-url"),
        ({"code": "https://github.com/a/b data:text/html,x"}, "E013-url"),
        ({"pdf": "https://a.org/x.pdf", "video": "http://youtu.be/x"}, None),
        ({"year": "20x0"}, "E014-year"),
        ({"year": "to appear"}, "E014-year"),
        ({"year": "2021"}, None),
        ({"date": "2021-13-45x"}, "E014-year"),
        ({"date": "2021-03-04/2021-03-05"}, None),
    ],
)
def test_identifier_link_and_year_rules(fields: dict[str, str], code: str | None) -> None:
    codes = _codes(_entry(title="T", **fields))
    assert codes == ([code] if code else [])


def test_year_macro_is_expanded() -> None:
    assert _codes('@string{yr = "2020"}\n@misc{k, title={T}, year=yr}') == []


@pytest.mark.parametrize(
    ("title", "chars"),
    [
        ("Q & A", ["&"]),
        ("50% faster", ["%"]),
        ("The #1 model", ["#"]),
        ("snake_case names", ["_"]),
        ("{Braces & do not escape}", ["&"]),
        ("Escaped \\& \\% \\# \\_ fine", []),
        ("Math $x_t$ and $a_{b}$ fine", []),
    ],
)
def test_unescaped_specials(title: str, chars: list[str]) -> None:
    assert scan_title(title).unescaped == chars


@pytest.mark.parametrize(
    ("title", "words"),
    [
        ("Generative Adversarial Networks with GAN and DDPM", ["GAN", "DDPM"]),
        ("Training a VQ-VAE on ImageNet", ["VQ-VAE", "ImageNet"]),
        ("Learning 3D shapes", ["3D"]),
        ("Scaling Transformer models", ["Transformer"]),
        ("Transformer models scale", []),  # first word keeps its capital
        ("Diffusion: Transformer backbones", []),  # so does the word after a colon
        ("Protected {GAN} and {VQ-VAE} and {ImageNet}", []),
        ("{Everything Protected: GAN DDPM}", []),
        ('Schr\\"odinger bridges and \\LaTeX', []),
        ("Math $\\mathcal{N}(0, I)$ is skipped", []),
        ("Gaussian processes, Langevin dynamics", ["Langevin"]),
        ("Text-to-Image diffusion", []),
        ("iPhone photos", ["iPhone"]),
    ],
)
def test_unprotected_capitals(title: str, words: list[str]) -> None:
    assert scan_title(title).unprotected == words


def test_title_rules_become_problems() -> None:
    problems = check_library(parse(_entry(title="GANs & {VAE}s for 3D")))
    assert [(p.code, p.severity) for p in problems] == [
        ("E020-unescaped-char", Severity.ERROR),
        ("E021-unprotected-caps", Severity.WARNING),
    ]
    assert "GANs, 3D" in problems[1].message and "{GANs}" in problems[1].message


@pytest.mark.parametrize(
    "payload",
    [
        "\\immediate\\write18{rm -rf ~}",
        "\\input{/etc/passwd}",
        "\\include{secret}",
        "\\openout5=x.tex",
        "\\openin3=x",
        "\\catcode`\\@=11",
        "\\def\\x{y}",
        "\\csname foo\\endcsname",
        "^^5cinput",
        "\\read16 to \\x",
        "\\newwrite\\f",
        "\\usepackage{shellesc}",
        "\\let\\a\\b",
    ],
)
def test_unsafe_latex_in_any_field_string_preamble_and_malformed(payload: str) -> None:
    assert unsafe_latex(payload)
    assert _codes(_entry(title="T", note=payload)) == ["E030-unsafe-latex"]
    assert _codes(f"@string{{x = {{{payload}}}}}") == ["E030-unsafe-latex"]
    assert _codes(f"@preamble{{{{{payload}}}}}") == ["E030-unsafe-latex"]
    assert "E030-unsafe-latex" in _codes(f"@misc{{k, title = {{{payload}}} junk}}")


@pytest.mark.parametrize(
    "harmless", ["\\textbf{x}", "\\emph{x}", "\\inputenc", "\\definition", "\\letter", "a^2"]
)
def test_harmless_latex_passes(harmless: str) -> None:
    assert unsafe_latex(harmless) == []


def test_topics_only_checked_against_a_configuration() -> None:
    text = _entry(title="T", topics="diffusion, nope")
    assert _codes(text) == []
    (p,) = check_library(parse(text), topics=["diffusion", "gans"])
    assert (
        p.code == "E040-unknown-topic"
        and "nope" in p.message
        and "diffusion" not in p.message.split("(")[0]
    )


def test_cited_aliases_in_a_latex_project(tmp_path: Path) -> None:
    bib = tmp_path / "lab.bib"
    bib.write_text("@misc{new, title={T}, ids={old, older}}\n@misc{other, title={U}}\n")
    proj = tmp_path / "paper"
    (proj / "sections").mkdir(parents=True)
    (proj / "main.tex").write_text(
        "% \\cite{old} in a comment does not count\n"
        "See \\citep[p.~3]{new, old} and \\textcite{other}.\n"
        "\\nocite{*}\n"
    )
    (proj / "sections" / "intro.tex").write_text("\\parencite{x,\n  older}\n")
    (proj / "main.aux").write_text("\\citation{old}\n\\abx@aux@cite{0}{older}\n")
    cites = list(scan_citations(proj))
    assert ("old", 2) in [(c.key, c.line) for c in cites]
    # biber resolves aliases through ids: a warning to cite the current key.
    result = check_file(bib, cites=proj, backend="biblatex")
    found = [(Path(p.file).name, p.line, p.key, p.code) for p in result.problems]
    assert found == [
        ("main.aux", 1, "old", "E050-cited-alias"),
        ("main.aux", 2, "older", "E050-cited-alias"),
        ("main.tex", 2, "old", "E050-cited-alias"),
        ("intro.tex", 2, "older", "E050-cited-alias"),
        ("intro.tex", 1, "x", "E052-cited-undefined"),
    ]
    assert "cite 'new'" in result.problems[0].message
    assert result.errors == 1 and result.warnings == 4
    assert check_file(bib, cites=proj, backend="biblatex", strict_mode=True).errors == 5
    # BibTeX does not read ids: under natbib every alias citation is undefined, an error.
    natbib = check_file(bib, cites=proj)
    found = [(Path(p.file).name, p.line, p.key, p.code) for p in natbib.problems]
    assert found == [
        ("main.aux", 1, "old", "E052-cited-undefined"),
        ("main.aux", 2, "older", "E052-cited-undefined"),
        ("main.tex", 2, "old", "E052-cited-undefined"),
        ("intro.tex", 1, "x", "E052-cited-undefined"),
        ("intro.tex", 2, "older", "E052-cited-undefined"),
    ]
    assert "BibTeX does not read ids" in natbib.problems[0].message
    assert natbib.errors == 5 and natbib.warnings == 0


def test_cites_counts_the_projects_other_bibs(tmp_path: Path) -> None:
    """A paper cites several bibliographies: keys another .bib of the project defines
    are not undefined (and under natbib, that bib's ids do not count either)."""
    bib = tmp_path / "lab.bib"
    bib.write_text("@misc{new, title={T}}\n")
    proj = tmp_path / "paper"
    proj.mkdir()
    (proj / "extra.bib").write_text("@misc{mine, title={M}, ids={mine-old}}\n")
    (proj / "main.tex").write_text("\\citet{new} \\citep{mine} \\cite{mine-old}\n")
    keys = [p.key for p in check_file(bib, cites=proj).problems]
    assert keys == ["mine-old"]
    assert [p.key for p in check_file(bib, cites=proj, backend="biblatex").problems] == []


def test_strict_turns_warnings_into_errors() -> None:
    problems = check_library(parse(_entry(title="About GAN")))
    assert [p.severity for p in problems] == [Severity.WARNING]
    assert [p.severity for p in strict(problems)] == [Severity.ERROR]


def test_control_and_bidi_characters() -> None:
    (p,) = check_library(parse("@misc{k, title={a\x00b \u202egnp.exe c\td\ne}}"))
    assert p.code == "E031-control-char"
    assert p.message == "title contains invisible characters U+0000, U+202E"
    assert _codes(_entry(title="Tabs\tand\nbreaks are fine")) == []


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        # The lab's 17 preprints before `fmt --canonical`: plainnat ignores journal in @misc.
        ("@misc{k, author={A}, title={T}, journal={arXiv preprint arXiv:2303.08797}, year=2023}",
         ["E015-no-venue"]),
        ("@misc{k, title={T}, eprint={2208.09199}, archiveprefix={arXiv}, year=2022}",
         ["E015-no-venue"]),
        ("@online{k, title={T}, url={https://example.org}}", ["E015-no-venue"]),
        ("@software{k, title={T}, url={https://github.com/a/b}}", ["E015-no-venue"]),
        ("@thesis{k, author={A}, title={T}, school={MIT}, year=2020}", ["E015-no-venue"]),
        # The canonical forms print a venue.
        ("@misc{k, title={T}, howpublished={arXiv preprint arXiv:2208.09199}, eprint={2208.09199}}",
         []),
        ("@misc{k, title={T}, howpublished={Web page}, url={https://example.org}}", []),
        ("@phdthesis{k, author={A}, title={T}, school={MIT}, year=2020}", []),
        # Nothing known to print: not flagged (E010 covers required venues).
        ("@misc{k, title={T}}", []),
        ("@article{k, author={A}, title={T}, year=2020}", ["E010-missing-field"]),
    ],
)  # fmt: skip
def test_entry_that_would_print_without_a_venue(entry: str, expected: list[str]) -> None:
    assert _codes(entry) == expected


def test_no_venue_message_names_the_ignored_field_and_the_fix() -> None:
    lib = parse("@misc{k, title={T}, journal={arXiv preprint arXiv:2303.08797}}", "t.bib")
    (p,) = check_library(lib)
    assert "journal is not printed in @misc" in p.message
    assert "genbib fmt --canonical" in p.message
    assert p.severity is Severity.WARNING


@pytest.mark.parametrize(
    ("names", "flagged"),
    [
        ("Chen, Hong and others", True),
        ("Chen, Hong and Li, Others", False),  # a person called Others
        ("Chen, Hong and Li, Wei", False),
    ],
)
def test_and_others_author_lists_are_incomplete(names: str, flagged: bool) -> None:
    codes = _codes(f"@misc{{k, author={{{names}}}, title={{T}}}}")
    assert codes == (["E016-and-others"] if flagged else [])


def test_a_crossref_to_a_former_key_or_no_key_is_an_error() -> None:
    text = (
        "@proceedings{neurips2020, title = {NeurIPS 2020}, year = {2020}, ids = {nips2020}}\n"
        "@inproceedings{ho2020, title = {DDPM}, crossref = {nips2020}}\n"
        "@inproceedings{song2021, title = {Score}, crossref = {NeurIPS2020}}\n"
        "@inproceedings{karras2022, title = {EDM}, xref = {gone2022}}\n"
    )
    found = [
        (p.key, p.message) for p in check_library(parse(text, "x.bib")) if p.code == "E008-crossref"
    ]
    assert found == [
        (
            "ho2020",
            "crossref = {nips2020} names no entry's key (a former key of 'neurips2020': "
            "write crossref = {neurips2020})",
        ),
        ("karras2022", "xref = {gone2022} names no entry's key (no entry has that key)"),
    ]  # song2021's differs from the key in case only, as BibTeX allows
