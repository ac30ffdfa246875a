"""Rendering: templates + context -> output files, written only when their bytes change.

`render()` is pure (library and configuration in, file names and texts out), so
`--check`, `--dry-run`, the tests and the benchmark all use the very same text that a
real run writes. `publish()` writes them and removes the stale files of topics no longer
rendered, but only files render itself wrote and nobody edited since (see `owned`).
Templates come from a jinja2 ChoiceLoader: the lab's templates directory first, then
genbib's defaults, so a lab overrides one template by giving a file the same name.
Undefined variables are errors (StrictUndefined); autoescape is off because every value
is escaped for its target by the filters of `genbib.render.escape`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from genbib.config import Config
from genbib.errors import ConfigError
from genbib.model.library import Library
from genbib.model.problems import Problem
from genbib.nogc import no_gc
from genbib.pipeline import StageReport
from genbib.render import escape, owned
from genbib.render.context import Paper, RenderContext, TopicView, build
from genbib.render.paths import SafeLoader, inside

FORMATS = ("md", "tex")
PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# Template name -> output file name ("{slug}" for one file per topic).
MD_TEMPLATES = {"index.md.j2": "README.md", "topic.md.j2": "{slug}.md"}
TEX_TEMPLATES = {
    "topic.tex.j2": "{slug}.tex",
    "all.tex.j2": "all.tex",
    "example.tex.j2": "example.tex",
}
_BIB_NAME = re.compile(r"[A-Za-z0-9_./-]+")


@dataclass(frozen=True, slots=True)
class Output:
    path: Path
    text: str
    format: str  # "md" | "tex"


@dataclass(frozen=True, slots=True)
class Rendering:
    outputs: tuple[Output, ...]
    problems: tuple[Problem, ...] = ()
    topics: tuple[str, ...] = field(default=())
    # (format, directory) whose every file this rendering produced (all topics): only
    # there can a file render wrote before be stale. Empty for a --topic render.
    complete: tuple[tuple[str, Path], ...] = ()


@dataclass(frozen=True, slots=True)
class Published:
    """What `publish` did (or, in a dry run, would do) to the output directories."""

    changed: tuple[Path, ...]  # outputs written: missing or with other bytes
    deleted: tuple[Path, ...]  # stale files render wrote, removed
    kept: tuple[owned.Stale, ...]  # stale-looking files left alone, with why

    @property
    def problems(self) -> list[Problem]:
        return [s.problem() for s in self.kept]


def environment(config: Config) -> jinja2.Environment:
    """The jinja2 environment: lab templates over the defaults, strict, target filters."""
    loaders: list[jinja2.BaseLoader] = []
    lab = config.path(config.templates)
    if lab.is_dir() and lab.resolve() != PACKAGE_TEMPLATES:
        loaders.append(SafeLoader(lab))
    loaders.append(SafeLoader(PACKAGE_TEMPLATES))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    citations = config.render.citations
    env.filters.update(
        md=escape.md,
        md_url=escape.md_url,
        tex=escape.tex,
        tex_comment=_tex_comment,
        badge=escape.badge_part,
        cite=lambda paper, form="t": cite(paper, form, citations),
    )
    return env


def cite(paper: Paper, form: str, citations: str) -> str:
    """`\\citet{key}`-style text (t) or parenthetical (p) for the configured package."""
    if not paper.citable:  # context only passes citable papers to stubs; be safe anyway
        raise ValueError(f"key {paper.key!r} cannot be cited safely")
    return f"\\{_CITE_COMMANDS[citations, form]}{{{paper.key}}}"


_CITE_COMMANDS = {
    ("natbib", "t"): "citet", ("natbib", "p"): "citep",
    ("biblatex", "t"): "textcite", ("biblatex", "p"): "parencite",
}  # fmt: skip


def _tex_comment(value: object, width: int = 86) -> str:
    """Text for `% ...` lines; long text continues on further `% ` lines."""
    text = escape.tex_comment(value)
    if len(text) <= width:
        return text
    return "\n% ".join(wrap(text, width))


def wrap(text: str, width: int) -> list[str]:
    """Greedy lines of at most `width` characters, breaking only at spaces.

    The same lines as `textwrap.wrap(text, width, break_long_words=False,
    break_on_hyphens=False)` for the one-line text `escape.tex_comment` gives (single
    spaces, none at either end), but in linear time: an annotation is untrusted input
    and may be megabytes long, where textwrap's chunk-by-chunk loop takes seconds. A word
    longer than `width` (a URL) stands alone on its line, unbroken.
    """
    if width < 1:
        raise ValueError(f"invalid width {width!r} (must be > 0)")
    lines: list[str] = []
    start, end = 0, len(text)
    while end - start > width:
        cut = text.rfind(" ", start, start + width + 1)
        if cut <= start:  # the first word alone is too long: keep it whole
            cut = text.find(" ", start + 1)
            if cut < 0:
                break
        lines.append(text[start:cut])
        start = cut + 1
    if start < end:
        lines.append(text[start:])
    return lines


def render(
    library: Library,
    config: Config,
    *,
    topic: str | None = None,
    formats: tuple[str, ...] | None = None,
    out: Path | None = None,
) -> Rendering:
    """Every output file's path and text. `out` replaces the configuration's directory."""
    formats = formats if formats is not None else config.render.formats
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ConfigError(f"render formats: unknown {', '.join(unknown)}; expected md, tex")
    base = out if out is not None else config.root
    lists_dir = _dir(base, config.output.lists)
    tex_dir = _dir(base, config.output.related_work)
    with no_gc():
        return _render(library, config, topic, formats, lists_dir, tex_dir)


def _render(
    library: Library,
    config: Config,
    topic: str | None,
    formats: tuple[str, ...],
    lists_dir: Path,
    tex_dir: Path,
) -> Rendering:
    ctx = build(library, config, tex_dir=tex_dir)
    topics = ctx.topics
    if topic is not None:
        topics = tuple(t for t in topics if t.slug == topic)
        if not topics:
            known = ", ".join(t.slug for t in ctx.topics) or "none"
            raise ConfigError(f"no topic {topic!r}", hint=f"topics: {known}")
    env = environment(config)
    outputs: list[Output] = []
    if "md" in formats:
        outputs.extend(_render_set(env, MD_TEMPLATES, lists_dir, ctx, topics, "md", topic))
    if "tex" in formats:
        if not _BIB_NAME.fullmatch(ctx.bibliography):
            raise ConfigError(
                f"bib path {ctx.bibliography!r} (from {tex_dir}) cannot be named in \\bibliography",
                hint="use a bib path of letters, digits, '-', '_', '.' and '/'",
            )
        if not _BIB_NAME.fullmatch(ctx.stubs):
            raise ConfigError(
                f"related-work directory {ctx.stubs!r} (from {config.root}) cannot be named in \\input",
                hint="use a path of letters, digits, '-', '_', '.' and '/'",
            )
        outputs.extend(_render_set(env, TEX_TEMPLATES, tex_dir, ctx, topics, "tex", topic))
    complete: list[tuple[str, Path]] = []
    if topic is None:
        dirs = {"md": lists_dir, "tex": tex_dir}
        complete = [(fmt, dirs[fmt].resolve()) for fmt in FORMATS if fmt in formats]
    return Rendering(tuple(outputs), ctx.problems, tuple(t.slug for t in topics), tuple(complete))


def _dir(base: Path, configured: str) -> Path:
    p = Path(configured)
    return p if p.is_absolute() else base / p


def _render_set(
    env: jinja2.Environment,
    templates: dict[str, str],
    directory: Path,
    ctx: RenderContext,
    topics: tuple[TopicView, ...],
    fmt: str,
    only: str | None,
) -> list[Output]:
    out: list[Output] = []
    for name, target in templates.items():
        template = env.get_template(name)
        if "{slug}" in target:
            for t in ctx.topics:
                if t in topics:
                    path = inside(directory, target.format(slug=t.slug))
                    out.append(Output(path, template.render(ctx=ctx, topic=t), fmt))
        elif only is None:
            path = inside(directory, target)
            out.append(Output(path, template.render(ctx=ctx), fmt))
    return out


def differing(rendering: Rendering) -> list[Path]:
    """Outputs whose file is missing or holds other bytes (what `--check` reports)."""
    changed = []
    for o in rendering.outputs:
        try:
            same = o.path.read_bytes() == o.text.encode("utf-8")
        except FileNotFoundError:
            same = False
        if not same:
            changed.append(o.path)
    return changed


def write(rendering: Rendering, *, dry_run: bool = False) -> list[Path]:
    """Write the outputs that differ (atomically); the paths written (or that would be)."""
    return list(publish(rendering, dry_run=dry_run).changed)


def publish(rendering: Rendering, *, dry_run: bool = False) -> Published:
    """Write the outputs that differ and delete the stale files render owns.

    In a dry run nothing is touched and the result is the plan. Each directory's writes,
    deletions and manifest update happen under the lock of its manifest.
    """
    stale = owned.find_stale(rendering.complete, (o.path for o in rendering.outputs))
    delete = [s.path for s in stale if s.action is owned.StaleAction.DELETE]
    kept = tuple(s for s in stale if s.action is not owned.StaleAction.DELETE)
    if dry_run:
        return Published(tuple(differing(rendering)), tuple(delete), kept)
    by_dir: dict[Path, tuple[dict[Path, str], list[Path]]] = {}
    for o in rendering.outputs:
        inside(o.path.parent, o.path.name)  # re-check just before writing
        by_dir.setdefault(o.path.parent, ({}, []))[0][o.path] = o.text
    for path in delete:
        by_dir.setdefault(path.parent, ({}, []))[1].append(path)
    wrote: set[Path] = set()
    deleted: list[Path] = []
    for directory, (texts, doomed) in sorted(by_dir.items()):
        w, d = owned.record(directory, texts, doomed)  # compares each file as it writes
        wrote.update(w)
        deleted.extend(d)
    changed = tuple(o.path for o in rendering.outputs if o.path in wrote)  # output order
    return Published(changed, tuple(sorted(deleted)), kept)


def plan_lines(published: Published, *, dry_run: bool) -> list[str]:
    """One line per file changed, deleted or kept: what a user reads (and --dry-run plans)."""
    write_verb, delete_verb = ("would write", "would delete") if dry_run else ("wrote", "deleted")
    lines = [f"{write_verb} {p}" for p in published.changed]
    lines += [f"{delete_verb} {p}" for p in published.deleted]
    lines += [f"kept {s.path}: {s.reason}" for s in published.kept]
    return lines


def stage(library: Library, config: Config, *, dry_run: bool = False) -> StageReport:
    """`genbib sync`'s last stage: render every topic in the configured formats."""
    rendering = render(library, config)
    published = publish(rendering, dry_run=dry_run)
    changed, deleted = published.changed, published.deleted
    verb = "would update" if dry_run else "updated"
    summary = (
        f"{len(rendering.topics)} topics, {len(rendering.outputs)} files, {len(changed)} {verb}"
    )
    if deleted:
        names = ", ".join(_short(p) for p in deleted[:3]) + (", ..." if len(deleted) > 3 else "")
        summary += f", {len(deleted)} {'would delete' if dry_run else 'deleted'} ({names})"
    if published.kept:
        summary += f", {len(published.kept)} stale kept"
    return StageReport(
        stage="render",
        changed=len(changed) + len(deleted),
        summary=summary,
        problems=[*rendering.problems, *published.problems],
        details={
            "files": [str(o.path) for o in rendering.outputs],
            "changed": [str(p) for p in changed],
            "deleted": [str(p) for p in deleted],
            "kept": [{"path": str(s.path), "reason": s.reason} for s in published.kept],
            "dry_run": dry_run,
        },
    )


def _short(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"
