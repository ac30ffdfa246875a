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
        """A pip requirement that installs exactly this commit.

        A checkout on this machine is named by its `git+file://` URL alone: pip reads the
        project's name from it, and older pips (23.x) refuse the `genbib @ git+file:`
        form ("Invalid URL").
        """
        if "://" not in self.url and not self.url.startswith("git@"):
            return f"git+{Path(self.url).resolve().as_uri()}@{self.rev}"
        url = "ssh://" + self.url.replace(":", "/", 1) if self.url.startswith("git@") else self.url
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
    info = _direct_url()
    vcs = info.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git":
        commit = str(vcs.get("commit_id"))
        if _SHA.fullmatch(commit):
            return Source(str(info.get("url", "")), commit)
    url = str(info.get("url", ""))
    if url.startswith("file://"):
        return _checkout(Path(unquote(urlparse(url).path)))
    # No install record (run from a checkout's src/, or installed from an index): the
    # checkout this file is in, if it is one of genbib's.
    return _checkout(Path(__file__).resolve().parent)


def _direct_url() -> dict[str, object]:
    """PEP 610's record of where the installed distribution came from ({} if none)."""
    try:
        raw = metadata.distribution("genbib").read_text("direct_url.json")
        info = json.loads(raw) if raw else {}
    except (metadata.PackageNotFoundError, json.JSONDecodeError):
        return {}
    return info if isinstance(info, dict) else {}


def _checkout(directory: Path) -> Source | None:
    """The `origin` remote (or the checkout itself) and HEAD of the git checkout holding
    `directory`; None outside one (e.g. an install from an index into site-packages)."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(directory), *args], capture_output=True, text=True, check=False
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    top = git("rev-parse", "--show-toplevel")
    rev = git("rev-parse", "HEAD")
    if not top or not _SHA.fullmatch(rev) or not (Path(top) / ".pre-commit-hooks.yaml").is_file():
        return None  # not genbib's own repository
    return Source(git("remote", "get-url", "origin") or top, rev)
