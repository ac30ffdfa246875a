"""A Zotero Web API v3 emulator for tests, benchmarks and trying genbib without an account.

Public API (everything a test needs; the submodules are details):

- `ZoteroEmulator(schema=..., schema_file=..., latency=...)`: `start()`/`stop()` or `with` (a `start()`
  after `stop()` serves the same port and state again); `running`; `url`,
  `api_key`, `group_id`/`user_id`; `library` (the group `Library`) and `user_library`;
  `faults` (a list of `Fault`); `requests`, `count(method=, route=)`, `counts()`,
  `reset_counters()`; `reset()` (empty libraries, no faults); `env()` (the environment
  that points genbib at it).
- `Library`: `version`, `item(key)`, `items()`, `top_items()`, `collection(key)`,
  `collections()`, `collection_by_name(name)`, `children(key)`, `deleted_items`, and edits
  "as another member" (validated like API writes, bumping versions): `seed_items(items)`,
  `edit_item(key, **fields)`, `trash_item(key)`, `restore_item(key)`, `move_item(key,
  parent)`, `merge_items(master, others)` (Zotero's "Merge Items"), `remove_items(keys)`,
  `add_collection(name)`; `uri(key)` for relations.
- `Fault(kind, when=None, method=None, route=None, seconds=0, times=1, action=None)` with
  `FaultKind.RATE_LIMIT | UNAVAILABLE | BACKOFF | DROP_AFTER_WRITE | DROP_BEFORE |
  CONCURRENT_WRITE`; `RequestInfo` is what a `when` predicate receives.
- `Schema.ZOTERO7` (no native `citationKey`) and `Schema.ZOTERO8` (on every regular type),
  flavours of Zotero's full schema.json, loaded by `load_schema()` from `schema_file`,
  $GENBIB_ZOTERO_SCHEMA or ../shared/realworld/zotero-schema/schema.json next to the repo
  (`SchemaNotFound` otherwise: there is no built-in toy schema).
- `genbib.testing.zotero.translator_items`: the Zotero translators' own test-case items as
  the Connector saves them (parent, child notes, child attachments), for tests.

Run it alone with `python -m genbib.testing.zotero --port 8085`; pytest fixtures are in
`genbib.testing.zotero.fixtures`.
"""

from __future__ import annotations

from genbib.testing.zotero.emulator import DEFAULT_API_KEY, RecordedRequest, ZoteroEmulator
from genbib.testing.zotero.faults import Fault, FaultKind, RequestInfo
from genbib.testing.zotero.library import ApiError, Library, ObjectError
from genbib.testing.zotero.schema import (
    SCHEMA_ENV,
    Schema,
    SchemaNotFound,
    ZoteroSchema,
    fields_for,
    load_schema,
    template,
)

__all__ = [
    "DEFAULT_API_KEY",
    "SCHEMA_ENV",
    "ApiError",
    "Fault",
    "FaultKind",
    "Library",
    "ObjectError",
    "RecordedRequest",
    "RequestInfo",
    "Schema",
    "SchemaNotFound",
    "ZoteroEmulator",
    "ZoteroSchema",
    "fields_for",
    "load_schema",
    "template",
]
