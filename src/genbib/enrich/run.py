"""Enrichment as the CLI and `genbib sync` call it: configuration in, report out.

This is where the configuration meets the engine: which sources, which cache file, the
contact e-mail, the from-bib files, online or not. The engine itself knows none of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx2

from genbib.bibtex.rekey import upgrade_keys
from genbib.config import Config
from genbib.enrich.cache import CACHE_FILE, Cache
from genbib.enrich.engine import Enricher, EnrichResult, Progress
from genbib.enrich.http import Clock, Fetcher, Policy, SystemClock
from genbib.enrich.sources import ALL_SOURCES
from genbib.enrich.sources.frombib import BibIndex
from genbib.errors import ConfigError, InputError
from genbib.model.library import Library


def policies() -> dict[str, Policy]:
    from genbib.enrich.sources import github, openreview, registry

    out = {name: src.policy for name, src in registry().items()}
    out[github.NAME] = github.POLICY
    out[openreview.NAME] = openreview.POLICY
    return out


def cache_path(config: Config) -> Path:
    return config.path(config.enrich.cache) / CACHE_FILE


@dataclass
class Options:
    sources: Sequence[str] | None = None  # None: the configured ones
    online: bool = False
    refresh: bool = False
    from_bib: Sequence[str] = ()  # in addition to the configured files
    keys: Sequence[str] = ()  # only these entries (default: all)
    clock: Clock = field(default_factory=SystemClock)
    transport: httpx2.BaseTransport | None = None  # tests and benchmarks
    bases: Mapping[str, str] = field(default_factory=dict)  # source -> base URL override
    progress: Progress | None = None
    workers: int = 16  # threads for lookups; each source still keeps to its own policy


def check_sources(names: Sequence[str]) -> tuple[str, ...]:
    unknown = sorted(set(names) - set(ALL_SOURCES))
    if unknown:
        raise ConfigError(
            f"unknown enrich source(s): {', '.join(unknown)}",
            hint=f"choose from: {', '.join(ALL_SOURCES)}",
        )
    return tuple(names)


def make_fetcher(config: Config, opts: Options) -> Fetcher:
    return Fetcher(
        policies=policies(),
        cache=Cache(cache_path(config)),
        contact=config.enrich.contact,
        offline=not opts.online,
        refresh=opts.refresh,
        max_age=config.enrich.cache_days * 86400.0,
        clock=opts.clock,
        transport=opts.transport,
    )


def load_from_bib(config: Config, extra: Sequence[str]) -> list[Library]:
    from genbib.bibtex.reader import read_file

    paths = [config.path(p).resolve() for p in config.enrich.from_bib]
    paths += [Path(p).resolve() for p in extra]
    libs = []
    for p in dict.fromkeys(paths):
        if not p.is_file():
            raise InputError(f"{p}: no such metadata file (from-bib)")
        libs.append(read_file(p))
    return libs


def enrich_library(
    library: Library, config: Config, opts: Options, fetcher: Fetcher | None = None
) -> EnrichResult:
    """Enrich `library` in place (the caller decides whether to write it)."""
    names = check_sources(opts.sources if opts.sources is not None else config.enrich.sources)
    entries = library.entries
    if opts.keys:
        by_key = library.by_key()
        missing = [k for k in opts.keys if k not in by_key]
        if missing:
            raise InputError(f"no entry with key(s): {', '.join(missing)}")
        entries = [by_key[k] for k in opts.keys]
    index = BibIndex(load_from_bib(config, opts.from_bib))
    bases = {**config.enrich.base_urls.overrides(), **opts.bases}
    with fetcher or make_fetcher(config, opts) as live:  # closed and its cache saved
        engine = Enricher(live, names, index, bases, opts.workers, opts.progress)
        result = engine.run(entries, library.entries)
    # provisional keys whose paper is complete now become final (bibtex.keys)
    result.problems.extend(upgrade_keys(library, config.keys.formula, config.latex_sources()))
    return result
