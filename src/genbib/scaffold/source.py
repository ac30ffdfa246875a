"""Where this genbib came from, pinned, so the files `init` writes install the same code.

genbib is not on PyPI (a `pip install genbib` would install whatever someone publishes
under that name), so the pre-commit hooks and the scheduled workflow that `init` writes
install genbib from a git URL at a commit. That source is read from the installation
itself: PEP 610's `direct_url.json` names the VCS URL and commit of a `pip install
git+...` install; for an install from a local checkout (editable or not) the checkout's
`origin` remote and HEAD commit are used. `--genbib-source` overrides both.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

from genbib.errors import ConfigError

_SHA = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class Source:
    """A git repository and a full commit id: what pre-commit and pip both accept."""

    url: str  # cloneable by git: https://..., ssh://..., git@host:path or a local path
    rev: str  # a 40-hex commit id (a tag or branch would move)

    @property
    def requirement(self) -> str:
        """A pip requirement that installs exactly this commit."""
        url = self.url if "://" in self.url else Path(self.url).resolve().as_uri()
        if url.startswith("git@"):
            url = "ssh://" + url.replace(":", "/", 1)
        return f"genbib @ git+{url}@{self.rev}"


def parse(spec: str) -> Source:
    """`URL@COMMIT` (optionally `git+URL@COMMIT`) given on the command line."""
    text = spec.strip().removeprefix("genbib @ ").removeprefix("git+")
    url, sep, rev = text.rpartition("@")
    if not sep or not url or not _SHA.fullmatch(rev):
        raise ConfigError(
            f"--genbib-source {spec!r}: expected URL@COMMIT with a full 40-character commit id",
            hint="e.g. https://github.com/your-lab/genbib@" + "0" * 40,
        )
    return Source(url, rev)


def installed() -> Source | None:
    """The pinned source of the running genbib, or None when it cannot be known."""
    try:
        dist = metadata.distribution("genbib")
    except metadata.PackageNotFoundError:
        return _checkout(Path(__file__).resolve().parents[3])
    raw = dist.read_text("direct_url.json")
    if not raw:
        return None  # installed from an index: not a source we can vouch for
    try:
        info = json.loads(raw)
    except json.JSONDecodeError:
        return None
    vcs = info.get("vcs_info") if isinstance(info, dict) else None
    if (
        isinstance(vcs, dict)
        and vcs.get("vcs") == "git"
        and _SHA.fullmatch(str(vcs.get("commit_id")))
    ):
        return Source(str(info.get("url", "")), str(vcs["commit_id"]))
    url = str(info.get("url", "")) if isinstance(info, dict) else ""
    if url.startswith("file://"):
        return _checkout(Path(unquote(urlparse(url).path)))
    return None


def _checkout(directory: Path) -> Source | None:
    """The `origin` remote (or the directory itself) and HEAD of a git checkout."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(directory), *args], capture_output=True, text=True, check=False
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    rev = git("rev-parse", "HEAD")
    if not _SHA.fullmatch(rev):
        return None
    return Source(git("remote", "get-url", "origin") or str(directory), rev)
