"""Text from metadata APIs, cleaned by the one policy (`genbib.model.untrusted`).

API answers are untrusted like every other input. The one thing particular to them is
their format: arXiv and the services that copy its metadata write titles in LaTeX
(`$\\alpha$-VAE`, `Schr{\\"o}dinger`, `Q\\&A`), so such text is first read as LaTeX into
plain Unicode (`α-VAE`, `Schrödinger`, `Q&A`, with render's reader, which runs nothing)
and then cleaned like text from a list or from Zotero.
"""

from __future__ import annotations

from functools import lru_cache

from genbib.model.untrusted import clean_text as _clean
from genbib.model.untrusted import clean_url, strip_markup

__all__ = ["clean_text", "clean_url"]

_LATEX_SPELLING = frozenset("\\${}~")


@lru_cache(maxsize=65536)
def clean_text(text: str | None) -> str:
    """One line of safe text from an API value (see the module docstring)."""
    if not text:
        return ""
    text = strip_markup(text)
    if not _LATEX_SPELLING.isdisjoint(text):
        from genbib.render.escape import to_text  # latexcodec: imported only when needed

        text = to_text(text)
    return _clean(text)
