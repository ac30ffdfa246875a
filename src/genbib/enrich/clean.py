"""Text from metadata APIs, cleaned by the one policy (`genbib.model.untrusted`).

API answers are untrusted like every other input. The one thing particular to them is
their format: arXiv, DBLP's and the seed's BibTeX and the services that copy them write
LaTeX (`$\\alpha$-VAE`, `Anciukevi{\\v{c}}ius`, `Q\\&A`), so they are cleaned with
`latex=True`: LaTeX on the policy's allowlist (accents, letters, escaped specials, math
symbols, font switches) is kept as written, every other backslash is typeset. Text
without LaTeX in it comes out exactly as from a list or from Zotero.
"""

from __future__ import annotations

from genbib.model.untrusted import clean_text as _clean
from genbib.model.untrusted import clean_url

__all__ = ["clean_text", "clean_url"]


def clean_text(text: str | None) -> str:
    """One line of safe text from an API value (see the module docstring)."""
    return _clean(text, latex=True)
