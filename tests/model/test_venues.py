"""The venue table: aliases, year-aware names, long proceedings names, unknowns."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genbib.model.entry import Entry
from genbib.model.venues import Venue, all_venues, is_series, lookup, venue_of


@pytest.mark.parametrize(
    ("text", "year", "short"),
    [
        ("NIPS", 2019, "NeurIPS"),
        ("NIPS", 2017, "NIPS"),
        ("NeurIPS 2016", None, "NIPS"),
        ("Advances in Neural Information Processing Systems 33", 2020, "NeurIPS"),
        ("Advances in Neural Information Processing Systems 30 (NIPS 2017)", None, "NIPS"),
        ("ICLR 2021", None, "ICLR"),
        ("ICLR 2021(Oral)", None, "ICLR"),
        ("ICML23", None, "ICML"),
        ("Proceedings of the 40th International Conference on Machine Learning", None, "ICML"),
        ("CVPR Jun 2024", None, "CVPR"),
        (
            "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)",
            None,
            "CVPR",
        ),
        (
            "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR) Workshops",
            None,
            "CVPRW",
        ),
        (
            "Proceedings of the IEEE/CVF International Conference on Computer Vision (ICCV)",
            None,
            "ICCV",
        ),
        ("Computer Vision -- ECCV 2022: 17th European Conference", None, "ECCV"),
        ("NeurIPS 2021 Workshop on Deep Generative Models", None, "NeurIPS Workshop"),
        ("AAAI", None, "AAAI"),
        ("IJCAI 2023", None, "IJCAI"),
        ("ACL 2023", None, "ACL"),
        ("EMNLP", None, "EMNLP"),
        ("NAACL-HLT", None, "NAACL"),
        ("First Conference on Language Modeling", None, "COLM"),
        ("Transactions on Machine Learning Research", None, "TMLR"),
        ("Journal of Machine Learning Research", None, "JMLR"),
        ("IEEE Transactions on Pattern Analysis and Machine Intelligence", None, "TPAMI"),
        ("International Journal of Computer Vision", None, "IJCV"),
        ("PR Jun 2024", None, "PR"),
        ("Pattern Recognition", None, "PR"),
        ("PMLR", None, "PMLR"),
        ("arXiv", None, "arXiv"),
        ("ARXIV 28 Jul 2024", None, "arXiv"),
        ("arXiv preprint arXiv:2303.08797", None, "arXiv"),
        ("CoRR", None, "arXiv"),
    ],
)
def test_lookup(text: str, year: int | None, short: str) -> None:
    venue = lookup(text, year)
    assert venue is not None and venue.short == short


@pytest.mark.parametrize(
    "text", ["", "IEEE/CVF", "AI 2024", "ML Sep 2024", "Pattern Recognition Letters", "Nature"]
)
def test_unknown(text: str) -> None:
    assert lookup(text) is None


def test_full_names_and_kinds() -> None:
    assert lookup("NIPS", 2019) == Venue(
        "NeurIPS", "Advances in Neural Information Processing Systems", "conference"
    )
    assert lookup("TPAMI") is not None and lookup("TPAMI").kind == "journal"  # type: ignore[union-attr]
    pmlr = lookup("PMLR")
    assert pmlr is not None and is_series(pmlr)
    assert {v.kind for v in all_venues()} == {"conference", "journal", "preprint", "workshop"}


def test_venue_of_entry() -> None:
    e = Entry(
        "inproceedings",
        "k",
        {"booktitle": "{Advances in Neural Information Processing Systems 30}", "year": "{2017}"},
    )
    assert venue_of(e) == lookup("NIPS", 2017)
    e = Entry("misc", "k", {"eprint": "{2006.11239}", "archiveprefix": "{arXiv}"})
    assert venue_of(e) is not None and venue_of(e).short == "arXiv"  # type: ignore[union-attr]
    assert venue_of(Entry("misc", "k", {"title": "{x}"})) is None


@given(st.text(max_size=80), st.one_of(st.none(), st.integers(1900, 2100)))
def test_lookup_never_raises(text: str, year: int | None) -> None:
    result = lookup(text, year)
    assert result is None or isinstance(result, Venue)


@given(st.sampled_from([v.short for v in all_venues()]), st.integers(2018, 2030))
def test_every_short_name_is_found(short: str, year: int) -> None:
    found = lookup(f"{short} {year}")
    assert found is not None
