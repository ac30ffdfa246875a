"""What `genbib import` writes is in its kind's canonical form (docs/guide/canonical.md);
entries the import does not change keep their form (only `fmt --canonical` changes it)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from genbib.bibtex.reader import read_file
from genbib.cli import cli

SOURCE = r"""@misc{albergo2023stochastic,
  author = {Albergo, Michael S. and Vanden-Eijnden, Eric},
  title = {Stochastic Interpolants: A Unifying Framework for Flows and Diffusions},
  journal = {arXiv preprint arXiv:2303.08797},
  year = {2023},
  eprint = {2303.08797},
  archiveprefix = {arXiv},
}

@online{lilian2021diffusion,
  author = {Weng, Lilian},
  title = {What are Diffusion Models?},
  url = {https://lilianweng.github.io/posts/2021-07-11-diffusion-models/},
  date = {2021-07-11},
}
"""

EXISTING = r"""@misc{ramesh2022hierarchical,
  author = {Ramesh, Aditya},
  title = {Hierarchical Text-Conditional Image Generation with CLIP Latents},
  journal = {arXiv preprint arXiv:2204.06125},
  year = {2022},
  eprint = {2204.06125},
  archiveprefix = {arXiv},
}
"""


def test_imported_entries_take_the_canonical_form(tmp_path: Path) -> None:
    (tmp_path / "genbib.toml").write_text('bib = "refs.bib"\n', encoding="utf-8")
    (tmp_path / "refs.bib").write_text(EXISTING, encoding="utf-8")
    (tmp_path / "new.bib").write_text(SOURCE, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--config", str(tmp_path / "genbib.toml"), "import", str(tmp_path / "new.bib")]
    )
    assert result.exit_code == 0, result.output
    entries = {e.title[:10]: e for e in read_file(tmp_path / "refs.bib")}
    preprint = entries["Stochastic"]
    assert preprint.type == "misc" and "journal" not in preprint.fields
    assert preprint.get("howpublished") == "arXiv preprint arXiv:2303.08797"
    web = entries["What are D"]
    assert (web.type, web.get("howpublished"), web.get("year")) == ("misc", "Web page", "2021")
    # The entry already in the bib, untouched by this import, keeps its form.
    assert entries["Hierarchic"].get("journal") == "arXiv preprint arXiv:2204.06125"
