"""Render: the canonical bib as per-topic markdown lists and LaTeX related-work stubs.

`context` turns the library and configuration into plain views, `escape` makes entry
text inert for markdown and LaTeX, `paths` keeps templates and outputs inside their
directories, and `engine` renders the jinja2 templates and writes what changed. `stage`
is the last stage of `genbib sync`.
"""

from __future__ import annotations

from genbib.render.engine import Output, Rendering, differing, render, stage, write

__all__ = ["Output", "Rendering", "differing", "render", "stage", "write"]
