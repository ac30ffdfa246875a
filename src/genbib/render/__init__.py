"""Render: the canonical bib as per-topic markdown lists and LaTeX related-work stubs.

`context` turns the library and configuration into plain views, `escape` makes entry
text inert for markdown and LaTeX, `paths` keeps templates and outputs inside their
directories, `engine` renders the jinja2 templates and writes what changed, and `owned`
records which files render wrote so that it deletes only those when their topic goes.
`stage` is the last stage of `genbib sync`.
"""

from __future__ import annotations

from genbib.render.engine import (
    Output,
    Published,
    Rendering,
    differing,
    plan_lines,
    publish,
    render,
    stage,
    write,
)

__all__ = [
    "Output",
    "Published",
    "Rendering",
    "differing",
    "plan_lines",
    "publish",
    "render",
    "stage",
    "write",
]
