"""`genbib init`: what a lab needs to start, written once and never over a user's file.

The scaffold files live beside this module as plain text so that they read as the
documentation they are (every configuration key is explained in the generated
genbib.toml). `init` writes only what the lab must own; templates stay in the package
(so the lab gets their fixes) unless asked for (`init --templates`, `genbib templates
copy NAME`), and a copied template overrides only itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from genbib.bibtex.io import atomic_write
from genbib.errors import GenbibError, InputError
from genbib.scaffold.source import Source

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


def default_templates() -> dict[str, str]:
    """The package's templates by file name: what a lab's `templates/` may override."""
    root = resources.files("genbib").joinpath("templates")
    out: dict[str, str] = {}
    if root.is_dir():
        for item in root.iterdir():
            if item.name.endswith(".j2"):
                out[item.name] = item.read_text(encoding="utf-8")
    return out


def precommit_config(source: Source | None) -> str:
    """Hooks pre-commit installs from genbib's repository, or (source unknown) local ones."""
    if source is None:
        return _text("pre-commit-config-system.yaml.txt")
    return _text("pre-commit-config.yaml.txt").format(url=source.url, rev=source.rev)


def github_workflow(source: Source) -> str:
    return _text("github-sync.yml.txt").replace("@GENBIB_REQUIREMENT@", source.requirement)


def init(
    directory: str | Path,
    *,
    force: bool = False,
    ci: str | None = None,
    templates: bool = False,
    source: Source | None = None,
) -> InitResult:
    """Scaffold `directory`; refuse to overwrite anything unless `force`.

    `source` is where the hooks and the workflow install genbib from (the CLI passes
    `genbib.scaffold.source.installed()`); None writes hooks that run the genbib on PATH
    and refuses a workflow. All files are checked before any is written, so a refusal
    leaves the directory as it was.
    """
    root = Path(directory)
    files: dict[Path, str] = {
        root / "genbib.toml": _text("genbib.toml.txt"),
        root / "bib" / "genmodels.bib": "",
        root / ".pre-commit-config.yaml": precommit_config(source),
    }
    if templates:
        for name, text in sorted(default_templates().items()):
            files[root / "templates" / name] = text
    if ci == "github":
        if source is None:
            raise InputError(
                "cannot tell where this genbib was installed from, so the workflow could not "
                "install the same genbib",
                hint="pass --genbib-source URL@COMMIT (genbib's git repository and a commit)",
            )
        files[root / ".github" / "workflows" / "genbib-sync.yml"] = github_workflow(source)
    elif ci is not None:
        raise GenbibError(f"unknown CI {ci!r}; supported: github")
    result = _write_new(files, force=force)
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


def copy_templates(directory: str | Path, names: list[str], *, force: bool = False) -> InitResult:
    """Copy some of the package's templates into `directory` for the lab to override."""
    available = default_templates()
    unknown = sorted(set(names) - set(available))
    if unknown:
        raise InputError(
            f"no template named {', '.join(unknown)}",
            hint="choose from: " + ", ".join(sorted(available)),
        )
    root = Path(directory)
    return _write_new({root / name: available[name] for name in sorted(set(names))}, force=force)


def _write_new(files: dict[Path, str], *, force: bool) -> InitResult:
    """Write `files`, refusing (before writing any) to overwrite one unless `force`."""
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
    return result
