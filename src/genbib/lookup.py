"""Look-ups in interactive time: an index of the bib kept beside its cache.

`genbib show`, `cite`, `stats` and key completion read a 10,000-entry bib in a fraction
of a second by not reading it: they open a SQLite file under the cache directory
(`[enrich] cache`, default `.genbib/cache/`, which `genbib init` puts in .gitignore)
holding, per entry, its fields, the search text `genbib.find` compares queries with and
every name it answers to (key, aliases, arXiv id, DOI), plus an FTS5 table of author
words and the `stats` counts.

The index is keyed by a fingerprint of the bib's bytes (their length, CRC-32 and
Adler-32: 64 bits of check at memory speed, without loading OpenSSL for SHA-256, which
cost a look-up as much as the hashing itself), checked on every open: an edit in an
editor, a `git checkout` that keeps size and mtime, another genbib's write all change it,
and a stale index is rebuilt, never trusted. So is one that cannot be read (corrupt,
another schema). A rebuild writes a new file and renames it into place, so a concurrent
reader sees the old index or the new one, never half of one. When no configuration file
is found, or the bib is outside its tree (a bib named with --file elsewhere), nothing is
stored: the same answers are computed in memory.

Answers equal the in-memory `Finder`'s: the same `exact_why`, `score` and `rank`
decide; the index only supplies their input (tests/test_lookup.py checks it on random
libraries and queries).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genbib.find import Doc, Finder, Hit, exact_why, make_doc, normalise, rank
from genbib.model import identifiers as ids
from genbib.model.entry import Entry
from genbib.model.library import Library

if TYPE_CHECKING:
    from genbib.config import Config
    from genbib.stats import Stats

SCHEMA = "genbib-lookup 3"
_ASCII_WORD = re.compile(r"[a-z0-9_]+")


def index_path(bib: Path, cache_dir: Path) -> Path:
    """Where the index of `bib` lives: one file per bib, named by its absolute path."""
    where = str(bib.resolve()).encode()
    return (
        cache_dir / "index" / f"{bib.stem}-{zlib.crc32(where):08x}{zlib.adler32(where):08x}.sqlite"
    )


def fingerprint(chunks: Iterable[bytes]) -> str:
    """What keys an index: the length, CRC-32 and Adler-32 of the bytes."""
    size, crc, adler = 0, 0, 1
    for chunk in chunks:
        size += len(chunk)
        crc = zlib.crc32(chunk, crc)
        adler = zlib.adler32(chunk, adler)
    return f"{size}-{crc:08x}-{adler:08x}"


class Lookup:
    """Exact look-up, search, stats and key completion over one bib."""

    def __init__(self, bib: Path, db: sqlite3.Connection | None, lib: Library | None) -> None:
        self.bib = bib
        self._db = db
        self._lib = lib  # in-memory answers when there is no index
        self._finder = Finder(lib) if lib is not None else None

    @classmethod
    def open(cls, bib: str | Path, cache_dir: Path | None) -> Lookup:
        """The look-up for `bib`, from its index under `cache_dir` (built if stale)."""
        from genbib.errors import InputError

        bib = Path(bib)
        try:
            if cache_dir is None:
                return cls(bib, None, _read(bib.read_bytes(), bib))
            with bib.open("rb") as fh:  # read in chunks: the bytes are not kept
                digest = fingerprint(iter(lambda: fh.read(1 << 20), b""))
            path = index_path(bib, cache_dir)
            db = _open_valid(path, digest)
            if db is None:
                _drop_sha_named(bib, cache_dir)
                data = bib.read_bytes()
                digest = fingerprint([data])  # what is indexed is what was read
                lib = _read(data, bib)
                with contextlib.suppress(OSError, sqlite3.Error):
                    _build(path, digest, lib)
                db = _open_valid(path, digest)
                if db is None:  # cannot write there: answer from memory
                    return cls(bib, None, lib)
            return cls(bib, db, None)
        except OSError as exc:
            raise InputError(f"{bib}: cannot read: {exc.strerror or exc}") from None

    # --- answers -----------------------------------------------------------------------
    def exact(self, query: str) -> list[Hit]:
        """Entries whose key, alias, arXiv id or DOI is `query`, in bib order."""
        if self._finder is not None:
            return self._finder._exact(query)
        assert self._db is not None
        query = query.strip()
        arxiv = ids.arxiv_id(query)
        doi = ids.doi(query)
        rows = self._db.execute(
            "SELECT DISTINCT e.id, e.type, e.key, e.fields, e.line FROM names n "
            "JOIN entries e ON e.id = n.id WHERE (n.kind = 'key' AND n.name = ?) "
            "OR (n.kind = 'arxiv' AND n.name = ?) OR (n.kind = 'doi' AND n.name = ?) "
            "ORDER BY e.id",
            (query, arxiv or "", doi or ""),
        ).fetchall()
        out = []
        for row in rows:
            e = self._entry(row)
            why = exact_why(e, query, arxiv, doi)
            if why is not None:
                out.append(Hit(e, 100.0, why))
        return out

    def search(self, query: str, limit: int = 5, min_score: float = 60.0) -> list[Hit]:
        """What `Finder.search` answers, from the index."""
        if self._finder is not None:
            return self._finder.search(query, limit, min_score)
        exact = self.exact(query)
        if exact:
            return exact[:limit]
        q = normalise(query)
        if not q:
            return []
        found = self._candidates(q, limit, min_score)
        docs = self._docs_at(found)
        ranked = rank(docs, q, range(len(docs)), limit, min_score)
        return [Hit(self._entry_at(found[i]), s, why) for s, why, i in ranked]

    def _candidates(self, q: str, limit: int, min_score: float) -> list[int]:
        """Ids of the entries that can be among the `limit` best: a superset, found in C.

        First a bar: the `limit`-th best exact score among a few likely candidates. No
        entry below it can displace them, so the scans look only for entries that reach
        it: rapidfuzz gets a high `score_cutoff`, which it prunes with, and Python's
        `score` sees only the survivors.

        `score` takes the best of: the short name or initials (SQL equality); the authors
        (FTS5 on author words, a superset); WRatio(title) >= bar (rapidfuzz over all
        titles, in C++) or token_set_ratio(title) >= (bar - 20) / 0.8; token_set_ratio(q,
        everything) * 0.9 >= bar. A token_set_ratio needs a word in common (FTS5 on the
        search text, which holds the title) or, with none, token strings of comparable
        length (`_by_length`). `rank` then scores these with `score` itself, so the
        answers are the exhaustive ones.
        """
        from rapidfuzz import fuzz, process

        assert self._db is not None
        slack = 0.5  # the cut-offs only prune; `score` decides, so err on the generous side
        words = sorted(set(q.split()))
        found = {
            i for (i,) in self._db.execute(
                "SELECT id FROM entries WHERE short = ?1 AND short != '' "
                "UNION SELECT id FROM entries WHERE acronym = ?1", (q,)
            )
        }  # fmt: skip
        rows = self._fts("authors", words, "AND")
        if rows is not None:
            found.update(i for (i,) in rows)
        else:  # words FTS5 may split otherwise: test every doc's authors
            wanted = set(words)
            found.update(
                i
                for i, a in enumerate(self._column("authors"), start=1)
                if wanted <= set(a.split())
            )
        titles = self._column("title")
        # The bar, from the likeliest: the best by FTS5's rank of the entries sharing a
        # word with the query, then the best of those by title; and some entries holding
        # every query word, which score at least 90 on their search text.
        shared = self._fts("everything", words, "OR", most=25 * limit, ranked=True) or ()
        likely = process.extract(
            q, {i: titles[i - 1] for (i,) in shared}, scorer=fuzz.WRatio, limit=4 * limit
        )
        holding = self._fts("everything", words, "AND", most=4 * limit) or ()
        sure = found | {i for _, _, i in likely} | {i for (i,) in holding}
        bar = self._bar(q, sure, limit, min_score)
        found.update(
            i + 1
            for _, _, i in process.extract(
                q, titles, scorer=fuzz.WRatio, score_cutoff=max(bar - slack, 0), limit=None
            )
        )
        sharing = self._fts("everything", words, "OR")
        need = max((bar - 20) / 0.8 - slack, 0)  # what token_set_ratio(q, title) must reach
        if sharing is None:  # words FTS5 may split otherwise: compare with every title
            subset: dict[int, str] = dict(enumerate(titles, start=1))
        else:
            subset = {i: titles[i - 1] for (i,) in sharing}
            subset.update((i, titles[i - 1]) for (i,) in self._by_length("id", "tlen", words, need))
        found.update(
            i
            for _, _, i in process.extract(
                q, subset, scorer=fuzz.token_set_ratio, score_cutoff=need, limit=None
            )
        )
        need = max(bar / 0.9 - slack, 0)  # what token_set_ratio(q, everything) must reach
        if need > 100:
            return sorted(found)
        texts = self._fts("everything", words, "OR", "rowid, everything")
        if texts is None:  # words FTS5 may split otherwise: compare with every doc
            subset = dict(enumerate(self._column("everything"), start=1))
        else:
            subset = dict(texts)
            subset.update(self._by_length("id, everything", "elen", words, need))
        found.update(
            i
            for _, _, i in process.extract(
                q, subset, scorer=fuzz.token_set_ratio, score_cutoff=need, limit=None
            )
        )
        return sorted(found)

    def _by_length(self, what: str, column: str, words: list[str], need: float) -> list[Any]:
        """Rows (`what`) of the entries whose token string (its length in `column`) can reach a
        token_set_ratio of `need` with the query's without a word in common: that is the
        ratio of the two token strings, of lengths a and b, at most 2 min(a, b) / (a + b),
        so b must lie within [a t / (2 - t), a (2 - t) / t] for t = need / 100."""
        assert self._db is not None
        a = len(" ".join(words))
        t = need / 100
        low = a * t / (2 - t)
        high = a * (2 - t) / t if t > 0 else float("inf")
        return self._db.execute(
            f"SELECT {what} FROM entries WHERE {column} BETWEEN ? AND ?",
            (int(low) - 1, min(int(high) + 1, 1 << 62)),
        ).fetchall()

    def _bar(self, q: str, sure: set[int], limit: int, min_score: float) -> float:
        """The score an entry must reach to be among the `limit` best: the `limit`-th best
        of the `sure` ones (less a rounding step: `rank` ranks rounded scores), or
        `min_score` when fewer of them reach it."""
        ids_ = sorted(sure)
        ranked = rank(self._docs_at(ids_), q, range(len(ids_)), limit, min_score)
        if len(ranked) < limit:
            return min_score
        return max(min_score, ranked[-1][0] - 0.1)

    def _fts(
        self,
        column: str,
        words: list[str],
        op: str,
        what: str = "rowid",
        most: int = -1,
        ranked: bool = False,
    ) -> list[Any] | None:
        """Rows (`what`) of the entries whose `column` holds every (op AND) or any (OR)
        query word, by FTS5, the `most` best by its rank if `ranked`; None when unsure (no
        FTS5, or words it may split otherwise)."""
        if not words or not all(_ASCII_WORD.fullmatch(w) for w in words):
            return None
        assert self._db is not None
        order = "ORDER BY rank, rowid " if ranked else ""
        try:
            return self._db.execute(
                f"SELECT {what} FROM fts WHERE fts MATCH ? {order}LIMIT ?",
                (f" {op} ".join(f'{column}:"{w}"' for w in words), most),
            ).fetchall()
        except sqlite3.Error:
            return None

    def _column(self, name: str) -> list[str]:
        assert self._db is not None
        return [v for (v,) in self._db.execute(f"SELECT {name} FROM entries ORDER BY id")]

    def _docs_at(self, ids_: list[int]) -> list[Doc]:
        assert self._db is not None
        rows: dict[int, Doc] = {}
        for chunk in range(0, len(ids_), 900):
            part = ids_[chunk : chunk + 900]
            rows.update(
                (row[0], Doc._make(row[1:]))
                for row in self._db.execute(
                    "SELECT id, key, year, title, authors, first_author, short, acronym, "
                    f"everything FROM entries WHERE id IN ({','.join('?' * len(part))})",
                    part,
                )
            )
        return [rows[i] for i in ids_]

    def stats(self) -> Stats:
        from genbib.stats import compute

        if self._lib is not None:
            return compute(self._lib)
        assert self._db is not None
        (text,) = self._db.execute("SELECT v FROM meta WHERE k = 'stats'").fetchone()
        return _stats_from_json(text)

    def keys(self, prefix: str = "") -> list[str]:
        """Keys and aliases starting with `prefix`, sorted (for shell completion)."""
        if self._lib is not None:
            return sorted(k for k in self._lib.key_owners() if k.startswith(prefix))
        assert self._db is not None
        rows = self._db.execute(
            "SELECT DISTINCT name FROM names WHERE kind = 'key' AND name >= ? AND name < ? "
            "ORDER BY name",
            (prefix, prefix + "\U0010ffff"),
        )
        return [name for (name,) in rows if name.startswith(prefix)]

    # --- helpers -----------------------------------------------------------------------
    def _entry_at(self, id_: int) -> Entry:
        assert self._db is not None
        row = self._db.execute(
            "SELECT id, type, key, fields, line FROM entries WHERE id = ?", (id_,)
        ).fetchone()
        return self._entry(row)

    def _entry(self, row: tuple[int, str, str, str, int]) -> Entry:
        _, type_, key, fields, line = row
        return Entry(type_, key, dict(json.loads(fields)), line, str(self.bib))


def _read(data: bytes, bib: Path) -> Library:
    """The bib parsed, when there is no valid index (the reader is imported only then)."""
    from genbib.bibtex.reader import read_data

    return read_data(data, str(bib))


def _drop_sha_named(bib: Path, cache_dir: Path) -> None:
    """Remove the index genbib 0.x named by the SHA-256 of the bib's path, if any: the
    name changed with the fingerprint, and an orphan would stay in the cache for ever."""
    import hashlib

    name = hashlib.sha256(str(bib.resolve()).encode()).hexdigest()[:16]
    with contextlib.suppress(OSError):
        (cache_dir / "index" / f"{bib.stem}-{name}.sqlite").unlink()


def _open_valid(path: Path, digest: str) -> sqlite3.Connection | None:
    """The index at `path` if it is of this schema and of these bytes, else None."""
    if not path.exists():
        return None
    db = None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        meta = dict(db.execute("SELECT k, v FROM meta WHERE k IN ('schema', 'digest')"))
        if meta.get("schema") == SCHEMA and meta.get("digest") == digest:
            return db
    except sqlite3.Error:
        pass  # corrupt or foreign: rebuilt by the caller
    if db is not None:
        db.close()
    return None


def _build(path: Path, digest: str, lib: Library) -> None:
    """Write the index of `lib` to a new file and rename it over `path`."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; the user's umask decides
    try:
        db = sqlite3.connect(tmp)
        try:
            _fill(db, digest, lib)
            db.commit()
        finally:
            db.close()
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _fill(db: sqlite3.Connection, digest: str, lib: Library) -> None:
    from genbib.stats import compute

    db.executescript(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
        "CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT);"
        "CREATE TABLE entries (id INTEGER PRIMARY KEY, type TEXT, key TEXT, fields TEXT,"
        " line INTEGER, year INTEGER, title TEXT, authors TEXT, first_author TEXT,"
        " short TEXT, acronym TEXT, everything TEXT, elen INTEGER, tlen INTEGER);"
        "CREATE TABLE names (name TEXT, kind TEXT, id INTEGER);"
    )
    fts = True
    try:
        db.execute(
            "CREATE VIRTUAL TABLE fts USING fts5(authors, everything, "
            "tokenize = \"unicode61 remove_diacritics 0 tokenchars '_'\")"
        )
    except sqlite3.Error:
        fts = False  # searched by a scan instead
    entries = list(lib)
    rows, names, words = [], [], []
    for i, e in enumerate(entries, start=1):
        d = make_doc(e)
        # the lengths of the token strings, as token_set_ratio sees them
        elen = len(" ".join(sorted(set(d.everything.split()))))
        tlen = len(" ".join(sorted(set(d.title.split()))))
        rows.append(
            (i, e.type, e.key, json.dumps(list(e.fields.items()), ensure_ascii=False), e.line,
             d.year, d.title, d.authors, d.first_author, d.short, d.acronym, d.everything, elen, tlen)
        )  # fmt: skip
        names.append((e.key, "key", i))
        names.extend((alias, "key", i) for alias in e.aliases)
        if (arxiv := e.arxiv) is not None:
            names.append((arxiv, "arxiv", i))
        if (doi := e.doi) is not None:
            names.append((doi, "doi", i))
        words.append((i, d.authors, d.everything))
    db.executemany("INSERT INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.executemany("INSERT INTO names VALUES (?,?,?)", names)
    db.execute("CREATE INDEX names_by_name ON names (name)")
    # The entries table is wide (the fields): what a search scans gets narrow indexes,
    # so SQLite reads them instead of every row.
    db.execute("CREATE INDEX entries_by_short ON entries (short)")
    db.execute("CREATE INDEX entries_by_acronym ON entries (acronym)")
    db.execute("CREATE INDEX entries_by_elen ON entries (elen)")
    db.execute("CREATE INDEX entries_by_tlen ON entries (tlen)")
    db.execute("CREATE INDEX entries_titles ON entries (id, title)")
    if fts:
        db.executemany("INSERT INTO fts (rowid, authors, everything) VALUES (?, ?, ?)", words)
    meta = {"schema": SCHEMA, "digest": digest, "stats": _stats_to_json(compute(entries))}
    db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())


def _stats_to_json(s: Stats) -> str:
    # Counters as item lists in insertion order, so most_common() ties come out alike.
    return json.dumps(
        {
            "papers": s.papers,
            "by_topic": list(s.by_topic.items()),
            "by_year": list(s.by_year.items()),
            "by_venue": list(s.by_venue.items()),
            "missing": s.missing,
        },
        ensure_ascii=False,
    )


def _stats_from_json(text: str) -> Stats:
    from collections import Counter

    from genbib.stats import Stats

    d = json.loads(text)
    return Stats(
        papers=d["papers"],
        by_topic=Counter(dict(d["by_topic"])),
        by_year=Counter(dict(d["by_year"])),
        by_venue=Counter(dict(d["by_venue"])),
        missing=d["missing"],
    )


def open_for(bib: str | Path, config: Config) -> Lookup:
    """The look-up of `bib` for a command: indexed under the configured cache directory
    when the bib lies in the tree of a configuration file that was found; in memory
    otherwise (a bib named with --file elsewhere leaves nothing behind)."""
    if not config.source or os.environ.get("GENBIB_NO_INDEX"):
        return Lookup.open(bib, None)
    root = config.root.resolve()
    inside = Path(bib).resolve().is_relative_to(root)
    return Lookup.open(bib, config.path(config.enrich.cache) if inside else None)


def complete_keys(bib: str | Path, config: Config, prefix: str) -> list[str]:
    """Shell completion of citation keys: quiet on any error (a shell is waiting)."""
    from genbib.errors import GenbibError

    try:
        return open_for(bib, config).keys(prefix)
    except (GenbibError, OSError, sqlite3.Error):
        return []
