"""genbib.toml -> a frozen configuration; the only home of defaults.

The dataclasses below are the specification: their fields are the keys, their types are
checked, and the README's configuration reference is written from them. Unknown keys and
wrong types are errors naming the file, the key and what was expected, so a typo never
silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from genbib.errors import ConfigError

CONFIG_NAME = "genbib.toml"
API_URL_ENV = "GENBIB_ZOTERO_API_URL"


@dataclass(frozen=True)
class Topic:
    """A topic of the lab's lists: one markdown list, one Zotero collection."""

    slug: str
    title: str = ""
    aliases: tuple[str, ...] = ()  # section headings of imported lists that mean this topic
    collection: str = ""  # Zotero collection name (default: the title)
    description: str = ""  # one line, shown in the lists' index and the related-work stub

    @property
    def collection_name(self) -> str:
        return self.collection or self.title or self.slug


@dataclass(frozen=True)
class KeysConfig:
    formula: str = "{author}{year}{title}"


@dataclass(frozen=True)
class OutputConfig:
    lists: str = "lists"  # markdown lists, relative to the configuration file
    related_work: str = "related-work"  # LaTeX stubs


@dataclass(frozen=True)
class RenderConfig:
    order: Literal["newest", "oldest", "title"] = "newest"
    formats: tuple[str, ...] = ("md", "tex")
    citations: Literal["natbib", "biblatex"] = "natbib"
    heading: Literal["paragraph", "subsection"] = "paragraph"
    badges: Literal["shields", "text"] = "shields"  # links as shields.io images or plain links
    authors: int = 3  # authors named in a list's short author list before "et al."


@dataclass(frozen=True)
class SourceURLs:
    """Base URL per metadata source, for a mirror, a proxy or a test server ("": the service's own)."""

    arxiv: str = ""
    crossref: str = ""
    dblp: str = ""
    openalex: str = ""
    huggingface: str = ""
    github: str = ""
    openreview: str = ""

    def overrides(self) -> dict[str, str]:
        """Source name -> base URL, for the sources given one."""
        return {k: v.rstrip("/") for k, v in dataclasses.asdict(self).items() if v}


@dataclass(frozen=True)
class EnrichConfig:
    contact: str = ""  # e-mail in the User-Agent, as the APIs' etiquette asks
    cache: str = ".genbib/cache"  # relative to the configuration file
    sources: tuple[str, ...] = ("arxiv", "crossref", "dblp", "openalex", "huggingface", "github")
    from_bib: tuple[str, ...] = ()  # local BibTeX metadata files used by every enrich
    cache_days: int = 30
    base_urls: SourceURLs = field(default_factory=SourceURLs)


@dataclass(frozen=True)
class LatexConfig:
    """The lab's LaTeX papers: key changes are followed into their `\\cite` commands."""

    sources: tuple[
        str, ...
    ] = ()  # globs relative to the configuration file, e.g. "papers/**/*.tex"


@dataclass(frozen=True)
class ZoteroConfig:
    library_type: Literal["group", "user"] = "group"
    library_id: str = ""
    api_key_env: str = "ZOTERO_API_KEY"
    api_url: str = "https://api.zotero.org"
    max_delete_share: float = 0.2  # refuse to delete more than this share of a side at once
    timeout: float = 60.0  # seconds a request may take, its retries included
    # Automatic tags (type 1: added by a translator, e.g. arXiv subject classes) stay in
    # Zotero; true also writes them into the bib's `keywords` (manual tags always are).
    automatic_tags: bool = False

    @property
    def configured(self) -> bool:
        return bool(self.library_id)

    @property
    def url(self) -> str:
        return os.environ.get(API_URL_ENV) or self.api_url


@dataclass(frozen=True)
class Config:
    bib: str = "bib/genmodels.bib"
    templates: str = "templates"
    order: Literal["key", "input"] = "key"  # entry order in the canonical file
    keys: KeysConfig = field(default_factory=KeysConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    render: RenderConfig = field(default_factory=RenderConfig)
    enrich: EnrichConfig = field(default_factory=EnrichConfig)
    zotero: ZoteroConfig = field(default_factory=ZoteroConfig)
    latex: LatexConfig = field(default_factory=LatexConfig)
    topics: tuple[Topic, ...] = ()
    root: Path = field(default=Path("."), compare=False)  # directory of genbib.toml
    source: str = ""  # path of the file read, "" for defaults

    def path(self, relative: str) -> Path:
        """A configured path, relative to the configuration file's directory."""
        p = Path(relative)
        return p if p.is_absolute() else self.root / p

    @property
    def bib_path(self) -> Path:
        return self.path(self.bib)

    def latex_sources(self) -> list[Path]:
        """The files `[latex] sources` names, sorted, each once."""
        found: set[Path] = set()
        for pattern in self.latex.sources:
            if Path(pattern).is_absolute():
                found.update(
                    p for p in Path(pattern).parent.glob(Path(pattern).name) if p.is_file()
                )
            else:
                found.update(p for p in self.root.glob(pattern) if p.is_file())
        return sorted(found)

    def topic(self, slug: str) -> Topic | None:
        return next((t for t in self.topics if t.slug == slug), None)


def find_config(start: Path | None = None) -> Path | None:
    """Walk up from `start` (default: the working directory) to the first genbib.toml."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        candidate = d / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load(path: str | Path | None = None, *, required: bool = False) -> Config:
    """Load `path`, or the genbib.toml found from the working directory, or defaults."""
    p = Path(path) if path else find_config()
    if p is None:
        if required:
            raise ConfigError(
                f"no {CONFIG_NAME} found in this directory or its parents",
                hint="run `genbib init` or pass --config FILE",
            )
        return Config(root=Path.cwd())
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such configuration file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read: {exc}") from None
    return from_dict(data, source=str(p), root=p.resolve().parent)


def from_dict(
    data: dict[str, Any], *, source: str = "<config>", root: Path | None = None
) -> Config:
    values = _build(Config, data, source, "", skip={"root", "source"})
    cfg: Config = dataclasses.replace(values, root=root or Path.cwd(), source=source)
    slugs = [t.slug for t in cfg.topics]
    dupes = sorted({s for s in slugs if slugs.count(s) > 1})
    if dupes:
        raise ConfigError(f"{source}: topics: slug(s) defined twice: {', '.join(dupes)}")
    from genbib.bibtex.keys import validate_formula

    try:
        validate_formula(cfg.keys.formula)
    except ConfigError as exc:
        raise ConfigError(f"{source}: keys.formula: {exc}") from None
    return cfg


_T = typing.TypeVar("_T")


def _build(cls: type[_T], data: Any, source: str, prefix: str, skip: set[str] = set()) -> _T:  # noqa: B006
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: {prefix.rstrip('.') or 'top level'}: expected a table, got {_kind(data)}"
        )
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)} - skip  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        name = key.replace("-", "_")
        where = f"{prefix}{key}"
        if name not in known:
            raise ConfigError(
                f"{source}: unknown key {where!r}; expected one of: " + ", ".join(sorted(known))
            )
        kwargs[name] = _convert(hints[name], value, source, where)
    required = [
        f.name
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    missing = [name for name in required if name not in kwargs]
    if missing:
        raise ConfigError(
            f"{source}: {prefix.rstrip('.') or 'top level'}: missing required key "
            + ", ".join(repr(m) for m in missing)
        )
    return cls(**kwargs)


def _convert(tp: Any, value: Any, source: str, where: str) -> Any:
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _build(tp, value, source, where + ".")
    if origin is tuple:
        (item_tp, _) = typing.get_args(tp)
        if not isinstance(value, list):
            raise ConfigError(f"{source}: {where}: expected a list, got {_kind(value)}")
        return tuple(_convert(item_tp, v, source, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is Literal:
        allowed = typing.get_args(tp)
        if value not in allowed:
            raise ConfigError(
                f"{source}: {where}: expected one of {', '.join(map(repr, allowed))}, got {value!r}"
            )
        return value
    if origin in (typing.Union, types.UnionType):
        raise AssertionError("unions are not used in the configuration")
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if (
        tp is str
        and isinstance(value, int)
        and not isinstance(value, bool)
        and where.endswith("library_id")
    ):
        return str(value)  # Zotero library ids are numbers; accept them unquoted
    if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
        raise ConfigError(f"{source}: {where}: expected {_name(tp)}, got {_kind(value)} {value!r}")
    return value


def _name(tp: Any) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


def _kind(value: Any) -> str:
    return {
        dict: "a table",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
    }.get(type(value), type(value).__name__)
