"""`genbib sync` as a library call: the lab's whole pipeline around the two-way Zotero sync.

Order: the configuration is checked whole (every named file, the topics' collections, the
credentials) before the first request; then Zotero pull + merge + push (one
`session.run`), dedupe, enrich, a second Zotero pass when those stages changed the bib
(usually one request: a 304 and the pushes), then the bib is written (locked, canonical,
atomic), the state file after it, then render.

`--dry-run` is this same run on a copy: the bib is not written, the state is not saved,
and Zotero gets a `DryRunAdapter` that reads for real and answers writes without sending
them, so every stage and both passes run and the report lists every change the real run
would make, on each side (`SyncReport.changes`). Stages of other packages are imported
lazily: one that is not installed is reported as skipped. Nothing here prints.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from genbib.bibtex.io import atomic_write
from genbib.bibtex.store import edit
from genbib.config import Config
from genbib.errors import ConfigError
from genbib.model.library import Library
from genbib.pipeline import StageReport
from genbib.sync import state as state_store
from genbib.sync.engine import Fields, Op
from genbib.sync.matching import admission
from genbib.sync.remote import Change, Remote, bib_changes, snapshot
from genbib.sync.session import Options, Result, run

Progress = Callable[[str, int, int], None]  # (label, done, total)
Notice = Callable[[str], None]  # a line for the user while waiting (a retry)


@dataclass
class SyncReport:
    stages: list[StageReport] = field(default_factory=list)
    zotero: Result | None = None
    requests: int = 0
    dry_run: bool = False
    changes: list[Change] = field(default_factory=list)  # every change, both sides, in order

    @property
    def conflicts(self) -> int:
        return len(self.zotero.conflicts) if self.zotero else 0

    @property
    def failed(self) -> int:
        return self.zotero.failed if self.zotero else 0

    def counts(self) -> dict[str, int]:
        """Changes per side and action ("bib create", "zotero trash", ...)."""
        out: dict[str, int] = {}
        for c in self.changes:
            name = f"{c.side} {c.action}"
            out[name] = out.get(name, 0) + 1
        return dict(sorted(out.items()))

    def as_dict(self) -> dict[str, Any]:
        z = self.zotero
        return {
            "dry_run": self.dry_run,
            "stages": [s.as_dict() for s in self.stages],
            "changes": [c.as_dict() for c in self.changes],
            "counts": self.counts(),
            "zotero": None if z is None else {
                "plan": [p.as_dict() for p in z.planned if p.bib is not Op.NONE or p.zotero is not Op.NONE],
                "conflicts": [_conflict(k, c) for k, c in z.conflicts],
                "failed": z.failed,
                "requests": self.requests,
            },
        }  # fmt: skip


def _conflict(key: str, c: Any) -> dict[str, str]:
    return {"key": key, "field": c.field, "bib": c.local, "zotero": c.remote, "base": c.base}


def api_key(config: Config) -> str:
    """The key from the configured environment variable, else the system keyring."""
    name = config.zotero.api_key_env
    key = os.environ.get(name, "").strip()
    if not key:
        try:
            keyring = importlib.import_module("keyring")
            key = (
                keyring.get_password("genbib", f"zotero:{config.zotero.library_id}") or ""
            ).strip()
        except Exception:  # no keyring module or no backend: the environment is the way
            key = ""
    if not key:
        raise ConfigError(
            f"no Zotero API key: the environment variable {name} is empty",
            hint=f"export {name}=... (a key with write access to the library), or store it with "
            f"`keyring set genbib zotero:{config.zotero.library_id}`",
        )
    return key


def validate(config: Config) -> None:
    """Everything a sync needs that can be checked without a request, checked now: a
    mistake found after the first push would leave a half-done sync."""
    where = config.source or "genbib.toml"
    for name in config.enrich.from_bib:
        path = config.path(name)
        if not path.is_file():
            raise ConfigError(
                f"{where}: [enrich] from_bib names {name!r}, but {path} does not exist",
                hint="fix the path (relative to genbib.toml) or remove it from the list",
            )
    if not config.bib_path.parent.is_dir():
        raise ConfigError(f"{where}: bib = {config.bib!r}: no directory {config.bib_path.parent}")
    names: dict[str, str] = {}
    for topic in config.topics:
        name = topic.collection_name.strip()
        if not name:
            raise ConfigError(f"{where}: topic {topic.slug!r}: its Zotero collection has no name")
        other = names.setdefault(name.casefold(), topic.slug)
        if other != topic.slug:
            raise ConfigError(
                f"{where}: topics {other!r} and {topic.slug!r} both name the Zotero "
                f"collection {name!r}; a collection belongs to one topic",
                hint="give one of them its own `collection = ...`",
            )
    z = config.zotero
    if z.configured:
        if not z.library_id.isdigit():
            raise ConfigError(
                f"{where}: [zotero] library_id must be a number, got {z.library_id!r}"
            )
        if not z.url.startswith(("https://", "http://")):
            raise ConfigError(f"{where}: [zotero] api_url must be an http(s) URL, got {z.url!r}")
        if not z.timeout > 0:
            raise ConfigError(f"{where}: [zotero] timeout must be positive, got {z.timeout}")
        if not 0 <= z.max_delete_share <= 1:
            raise ConfigError(
                f"{where}: [zotero] max_delete_share must be between 0 and 1, got {z.max_delete_share}"
            )


def sync(
    config: Config,
    options: Options,
    *,
    online: bool = False,
    progress: Progress | None = None,
    notice: Notice | None = None,
    remote_factory: Callable[[Config], Any] | None = None,
) -> SyncReport:
    report = SyncReport(dry_run=options.dry_run)
    validate(config)
    bib = config.bib_path
    spath = state_store.state_path(bib)
    use_zotero = config.zotero.configured and (options.pull or options.push)
    remote = None
    if use_zotero:
        remote = (remote_factory or _zotero_remote)(config)
        api = getattr(remote, "api", None)
        if options.dry_run and api is not None:
            from genbib.zotero.dryrun import DryRunAdapter

            remote.api = api = DryRunAdapter(api)
        elif options.dry_run:  # a remote in memory: the dry run writes to a copy of it
            import copy

            remote = copy.deepcopy(remote)
        if api is not None:
            api.progress, api.notice = progress, notice

    def checkpoint(on_disk: state_store.State) -> None:
        if not options.dry_run:
            state_store.save(spath, on_disk)

    with edit(bib, order=config.order, dry_run=options.dry_run) as lib:
        # The state is read under the bib's lock: a second sync that waited for the
        # first one must start from what the first one recorded, not from before it.
        st = state_store.load(spath)
        if use_zotero:
            library_id = f"{config.zotero.library_type}s/{config.zotero.library_id}"
            if st.library and st.library != library_id:
                raise ConfigError(
                    f"{spath}: records a sync with {st.library}, but genbib.toml names "
                    f"{library_id}",
                    hint=f"move {spath} away to link the bib with the new library",
                )
            st.library = library_id
        before = snapshot(lib)
        _retire_vanished(lib, st)
        if remote is not None and hasattr(remote, "macros"):
            remote.macros = lib.macros()
        zotero_changes: list[Change] = []
        matcher = admission()  # new items recognised as import and add recognise papers

        def one_pass(remote: Remote) -> Result:
            return run(
                lib, remote, st, options, match=matcher, same=_same, link=_link,
                checkpoint=checkpoint,
            )  # fmt: skip

        if remote is not None:
            report.zotero = one_pass(remote)
            zotero_changes += [c for c in report.zotero.changes if c.side == "zotero"]
            report.stages.append(_zotero_stage(report.zotero, "zotero"))
        else:
            report.stages.append(
                StageReport(
                    "zotero", skipped="no Zotero configured ([zotero] library_id in genbib.toml)"
                )
            )
        local_changes = 0
        for name, kwargs in (("dedupe", {}), ("enrich", {"online": online})):
            # a dry run changes the copy in memory, like the real run, and writes nothing
            stage_report = _stage(name, lib, config, False, **kwargs)
            local_changes += stage_report.changed
            report.stages.append(stage_report)
        if remote is not None and local_changes and options.push:
            second = one_pass(remote)
            assert report.zotero is not None
            zotero_changes += [c for c in second.changes if c.side == "zotero"]
            report.zotero.planned.extend(
                p for p in second.planned if p.bib is not Op.NONE or p.zotero is not Op.NONE
            )
            report.zotero.problems.extend(second.problems)
            report.zotero.conflicts = second.conflicts or report.zotero.conflicts
            report.zotero.failed += second.failed
        after = snapshot(lib)
        report.changes = bib_changes(before, after) + zotero_changes
    report.changes += _follow_keys(config, before, after, dry_run=options.dry_run)
    if remote is not None:
        report.requests = getattr(getattr(remote, "api", None), "requests", 0)
    if not options.dry_run and remote is not None:
        state_store.save(spath, st)
        _write_conflicts(state_store.conflicts_path(bib), report)
    report.stages.append(_stage("render", lib, config, options.dry_run))
    return report


def _follow_keys(
    config: Config, before: dict[str, Any], after: dict[str, Any], *, dry_run: bool
) -> list[Change]:
    """Rewrite the `\\cite` keys of the lab's LaTeX sources (`[latex] sources`) that this
    run renamed: papers merged by the dedupe stage or in Zotero, and provisional keys made
    final. BibTeX does not read `ids`, so under natbib a paper citing the old key would
    lose the reference; biber would resolve it, and the rewrite does no harm there.
    Run after the bib is written (a failed run leaves the papers as they were)."""
    aliases = {
        alias.strip(): key
        for key, fields in after.items()
        for alias in str(fields.get("ids") or "").strip("{}").replace(";", ",").split(",")
        if alias.strip()
    }
    renamed = {old: aliases[old] for old in before if old not in after and old in aliases}
    sources = config.latex_sources() if renamed else []
    if not sources:
        return []
    from genbib.bibtex.citations import rewrite_files, tex_files

    return [
        Change("latex", "cite", f"{c.file}:{c.line}", f"{c.old} -> {c.new}")
        for c in rewrite_files(tex_files(sources), renamed, dry_run=dry_run)
    ]


def _retire_vanished(lib: Library, st: state_store.State) -> None:
    """Retire the keys the last sync saw that are gone from the bib (deleted by hand).

    A key that leaves the bib through genbib is retired by `store.edit`; one deleted in an
    editor is only noticed here, because the sync state remembers every key it synced.
    """
    from genbib.bibtex.retired import note
    from genbib.sync.remote import fields_entry

    live = lib.keys_in_use()
    for row in st.rows.values():
        if row.key and row.key not in live and row.key not in lib.retired:
            lib.retired[row.key] = note(fields_entry(row.key, row.fields))


def _zotero_remote(config: Config) -> Any:
    from genbib.sync.zotero_side import ZoteroRemote
    from genbib.zotero.adapter import ZoteroAdapter

    z = config.zotero
    adapter = ZoteroAdapter(z.library_type, z.library_id, api_key(config), z.url, timeout=z.timeout)
    return ZoteroRemote(adapter, config.topics, automatic_tags=z.automatic_tags)


def _link(remote: Fields, local: Fields) -> Fields:
    """An item met for the first time, compared with the bib's copy as the mapping reads
    it with that copy as its base (`mapping.as_linked`): no canonical-form gap to fill."""
    from genbib.sync.remote import entry_fields, fields_entry
    from genbib.zotero.mapping import as_linked

    return entry_fields(as_linked(fields_entry("", remote), fields_entry("", local)))


def _same(name: str, a: str, b: str) -> bool:
    from genbib.zotero.text import normalize

    return normalize(name, a) == normalize(name, b)


def _stage(name: str, lib: Library, config: Config, dry_run: bool, **kwargs: Any) -> StageReport:
    try:
        module = importlib.import_module(f"genbib.{name}")
        fn = module.stage
    except (ImportError, AttributeError):
        return StageReport(name, skipped="not installed")
    result: StageReport = fn(lib, config, dry_run=dry_run, **kwargs)
    return result


def _zotero_stage(result: Result, name: str) -> StageReport:
    zc = [c for c in result.changes if c.side == "zotero"]

    def n(*actions: str) -> int:
        return sum(1 for c in zc if c.action in actions)

    parts = [
        f"bib +{result.count('bib', Op.CREATE)} ~{result.count('bib', Op.UPDATE)} -{result.count('bib', Op.DELETE)}",
        f"Zotero +{n('create')} ~{n('update')} trashed {n('trash')}",
    ]
    if n("merge"):
        parts.append(f"{n('merge')} duplicate(s) merged ({n('move child')} child(ren) moved)")
    if n("tags"):
        parts.append(f"tags changed on {n('tags')} item(s)")
    if n("add child", "update child", "remove child"):
        parts.append(f"{n('add child', 'update child', 'remove child')} child change(s)")
    if result.conflicts:
        parts.append(f"{len(result.conflicts)} conflict(s)")
    if result.failed:
        parts.append(f"{result.failed} refused (retried next sync)")
    return StageReport(name, result.changed, ", ".join(parts), list(result.problems))


def _write_conflicts(path: Any, report: SyncReport) -> None:
    z = report.zotero
    if z is None or not z.conflicts:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        return
    data = [_conflict(k, c) for k, c in z.conflicts]
    atomic_write(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
