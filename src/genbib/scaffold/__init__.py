"""`genbib init`: what a lab needs to start, written once and never over a user's file.

The scaffold files live beside this module as plain text so that they read as the
documentation they are (every configuration key is explained in the generated
genbib.toml).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from genbib.bibtex.io import atomic_write
from genbib.errors import GenbibError

GITIGNORE_LINES = (".venv/", ".genbib/cache/", ".*.lock", "__pycache__/")
# The retired-keys record only grows, one key per line: git's union driver merges two
# clones' deletions without a conflict (see genbib.bibtex.retired).
GITATTRIBUTES_LINES = ("bib/genmodels.retired-keys.txt merge=union",)


@dataclass
class InitResult:
    created: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


def _text(name: str) -> str:
    return resources.files("genbib.scaffold").joinpath(name).read_text(encoding="utf-8")


def _default_templates() -> dict[str, str]:
    root = resources.files("genbib").joinpath("templates")
    out: dict[str, str] = {}
    if root.is_dir():
        for item in root.iterdir():
            if item.name.endswith(".j2"):
                out[item.name] = item.read_text(encoding="utf-8")
    return out


def init(directory: str | Path, *, force: bool = False, ci: str | None = None) -> InitResult:
    """Scaffold `directory`; refuse to overwrite anything unless `force`.

    All files are checked before any is written, so a refusal leaves the directory as it was.
    """
    root = Path(directory)
    files: dict[Path, str] = {
        root / "genbib.toml": _text("genbib.toml.txt"),
        root / "bib" / "genmodels.bib": "",
        root / ".pre-commit-config.yaml": _text("pre-commit-config.yaml.txt"),
    }
    for name, text in sorted(_default_templates().items()):
        files[root / "templates" / name] = text
    if ci == "github":
        files[root / ".github" / "workflows" / "genbib-sync.yml"] = _text("github-sync.yml.txt")
    elif ci is not None:
        raise GenbibError(f"unknown CI {ci!r}; supported: github")
    existing = [p for p in files if p.exists()]
    if existing and not force:
        raise GenbibError(
            "would overwrite " + ", ".join(str(p) for p in existing),
            hint="use --force to overwrite them",
        )
    result = InitResult()
    for path, text in files.items():
        (result.updated if path.exists() else result.created).append(path)
        atomic_write(path, text)
    _add_lines(root / ".gitignore", GITIGNORE_LINES, result)
    _add_lines(root / ".gitattributes", GITATTRIBUTES_LINES, result)
    return result


def _add_lines(path: Path, lines: tuple[str, ...], result: InitResult) -> None:
    """Append the lines `path` lacks, keeping everything the user already has there."""
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    missing = [line for line in lines if line not in current.splitlines()]
    if missing:
        sep = "" if not current or current.endswith("\n") else "\n"
        atomic_write(path, current + sep + "\n".join(missing) + "\n")
        (result.updated if current else result.created).append(path)
