"""What `genbib enrich` writes is in its kind's canonical form; entries it does not
change keep theirs (only `genbib fmt --canonical` changes those)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from genbib.bibtex.reader import read_file
from genbib.cli import cli

BIB = r"""@misc{albergo2023stochastic,
  title = {Stochastic Interpolants: A Unifying Framework for Flows and Diffusions},
  eprint = {2303.08797},
  archiveprefix = {arXiv},
}

@misc{ramesh2022hierarchical,
  author = {Ramesh, Aditya},
  title = {Hierarchical Text-Conditional Image Generation with CLIP Latents},
  journal = {arXiv preprint arXiv:2204.06125},
  year = {2022},
  eprint = {2204.06125},
  archiveprefix = {arXiv},
}
"""

META = r"""@article{albergo2023,
  author = {Albergo, Michael S. and Boffi, Nicholas M. and Vanden-Eijnden, Eric},
  title = {Stochastic Interpolants: A Unifying Framework for Flows and Diffusions},
  journal = {arXiv preprint arXiv:2303.08797},
  year = {2023},
  eprint = {2303.08797},
  archiveprefix = {arXiv},
}
"""


def test_enriched_entries_take_the_canonical_form(tmp_path: Path) -> None:
    (tmp_path / "genbib.toml").write_text('bib = "refs.bib"\n', encoding="utf-8")
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "meta.bib").write_text(META, encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["--config", str(tmp_path / "genbib.toml"), "enrich", "--offline", "--from-bib",
         str(tmp_path / "meta.bib")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    entries = read_file(tmp_path / "refs.bib").by_key()
    filled = entries["albergo2023stochastic"]
    assert filled.get("author", "").startswith("Albergo")
    assert filled.type == "misc" and "journal" not in filled.fields
    assert filled.get("howpublished") == "arXiv preprint arXiv:2303.08797"
    assert entries["ramesh2022hierarchical"].get("journal") == "arXiv preprint arXiv:2204.06125"
