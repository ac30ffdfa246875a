"""The on-disk cache of metadata replies: one JSON file the lab can commit.

One record per request (URL and sorted parameters), with the time it was fetched, so
repeated runs cost nothing, expiry is per record, and `--offline` runs and CI replay a
committed file without network. Only definitive answers are kept (2xx, 404, 410): a 429
or a 500 says nothing about the paper. The file is written sorted and atomically, merged
with what another process may have written meanwhile.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from genbib.bibtex.io import atomic_write, locked
from genbib.errors import InputError

CACHE_FILE = "enrich-cache.json"
FORMAT = 1


@dataclass(frozen=True)
class Reply:
    """A response as the sources see it. `status` 0 means no answer (`error` says why)."""

    status: int
    body: str
    url: str  # final URL, after redirects (GitHub renames redirect)
    fetched: float  # epoch seconds
    error: str = ""
    from_cache: bool = False

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def cacheable(self) -> bool:
        return self.ok or self.status in (404, 410)


class Cache:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._data: dict[str, Reply] | None = None
        self._dirty: dict[str, Reply] = {}
        self._lock = threading.Lock()

    def _load(self) -> dict[str, Reply]:
        if self._data is None:
            self._data = _read(self.path)
        return self._data

    def __len__(self) -> int:
        with self._lock:
            return len(self._load())

    def get(self, key: str) -> Reply | None:
        with self._lock:
            return self._load().get(key)

    def put(self, key: str, reply: Reply) -> None:
        stored = Reply(reply.status, reply.body, reply.url, reply.fetched, "", True)
        with self._lock:
            self._load()[key] = stored
            self._dirty[key] = stored

    def save(self) -> bool:
        """Merge new records into the file; True when it was written."""
        with self._lock:
            if not self._dirty:
                return False
            with locked(self.path):
                merged = _read(self.path)
                merged.update(self._dirty)
                atomic_write(self.path, _dump(merged))
            self._data = merged
            self._dirty = {}
            return True


def _read(path: Path) -> dict[str, Reply]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the enrich cache: {exc}") from None
    try:
        data = json.loads(text)
        records = data["records"]
        return {
            key: Reply(
                int(r["status"]), str(r["body"]), str(r["url"]), float(r["fetched"]), "", True
            )
            for key, r in records.items()
        }
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(
            f"{path}: not a genbib enrich cache ({type(exc).__name__}: {exc})",
            hint="delete the file to start an empty cache",
        ) from None


def _dump(records: dict[str, Reply]) -> str:
    data = {
        "format": FORMAT,
        "records": {
            key: {"status": r.status, "url": r.url, "fetched": round(r.fetched, 3), "body": r.body}
            for key, r in sorted(records.items())
        },
    }
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
