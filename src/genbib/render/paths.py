"""Path safety for render: templates and outputs stay inside their configured directories.

Topic slugs come from the bib (which imports fill from untrusted lists) and template
names from a lab's templates, so a name like `../../.bashrc`, an absolute path or a
symlink planted in an output directory must never make render read or write elsewhere.
Every template read and every output write goes through the checks here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import jinja2

from genbib.errors import GenbibError


class UnsafePathError(GenbibError):
    """A template or output path that would leave its configured directory."""


def inside(root: Path, relative: str, *, allow_links: bool = False) -> Path:
    """`root / relative`, refusing `..`, absolute paths and symlinks that lead outside.

    The final path may not exist yet; what exists of it is resolved (following links)
    and must stay under the resolved root.
    """
    rel = PurePosixPath(relative.replace("\\", "/"))
    if not rel.parts:
        raise UnsafePathError(f"{relative!r}: not a file name under {root}")
    if rel.is_absolute() or relative.startswith(("/", "\\")) or ":" in rel.parts[0]:
        raise UnsafePathError(f"{relative!r}: absolute paths are not allowed under {root}")
    if ".." in rel.parts:
        raise UnsafePathError(f"{relative!r}: '..' is not allowed under {root}")
    base = root.resolve()
    target = base.joinpath(*rel.parts)
    resolved = target.resolve()  # follows any symlink on the way, existing or not
    if resolved != target and not resolved.is_relative_to(base):
        raise UnsafePathError(
            f"{target}: leads outside {root} (through a symlink)",
            hint="remove the symlink or point the configuration at the real directory",
        )
    if not allow_links and target.is_symlink():
        raise UnsafePathError(f"{target}: is a symlink; render writes only regular files")
    return target


class SafeLoader(jinja2.BaseLoader):
    """Templates from one directory, never from outside it (no `..`, no symlinks out)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        path = inside(self.directory, template, allow_links=True)
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        source = path.read_text(encoding="utf-8")
        mtime = os.path.getmtime(path)
        return source, str(path), lambda: path.is_file() and os.path.getmtime(path) == mtime

    def list_templates(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.name for p in self.directory.iterdir() if p.suffix == ".j2")
