"""`python -m genbib.testing.zotero`: run the emulator in the foreground for trying genbib.

Prints the base URL and the environment variables to export, so `genbib sync` can be tried
against a local "Zotero" with no account. `--seed FILE.json` preloads the group library
with a list of items (editable JSON, as the API returns in `data`) or an object
`{"collections": [names...], "items": [...]}`.

It validates against Zotero's full schema.json: `--schema-file PATH`, else
$GENBIB_ZOTERO_SCHEMA, else ../shared/realworld/zotero-schema/schema.json next to the
repository. There is no built-in reduced schema; without a file it exits with status 4 and
says where it looked (download one from https://api.zotero.org/schema).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path

from genbib.testing.zotero.emulator import ZoteroEmulator
from genbib.testing.zotero.library import ObjectError
from genbib.testing.zotero.schema import Schema, SchemaNotFound


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genbib.testing.zotero", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8085, help="0 picks a free port")
    parser.add_argument("--schema", choices=[s.value for s in Schema], default=Schema.ZOTERO8.value)
    parser.add_argument("--schema-file", type=Path, help="Zotero schema.json to validate against")
    parser.add_argument("--seed", type=Path, help="JSON file of items to preload")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    args = parser.parse_args(argv)
    try:
        emulator = ZoteroEmulator(
            schema=args.schema,
            schema_file=args.schema_file,
            host=args.host,
            port=args.port,
            latency=args.latency,
        )
    except SchemaNotFound as err:
        print(f"error: {err}", file=sys.stderr)
        return 4
    if args.seed:
        try:
            _seed(emulator, args.seed)
        except (OSError, ValueError, ObjectError) as err:
            print(f"error: cannot seed from {args.seed}: {err}", file=sys.stderr)
            return 4
    emulator.start()
    lib = emulator.library
    print(
        f"Zotero API emulator ({emulator.flavour.value}, schema {emulator.schema.version} "
        f"from {emulator.schema.source}) at {emulator.url}"
    )
    top = len(lib.top_items())
    print(
        f"group library {lib.prefix}: {top} items, {len(lib.items()) - top} child notes/"
        f"attachments, {len(lib.collections())} collections, version {lib.version}"
    )
    print()
    print("To point genbib at it:")
    print(f"  export GENBIB_ZOTERO_API_URL={emulator.url}")
    print(f"  export ZOTERO_API_KEY={emulator.api_key}")
    print("and in genbib.toml:")
    print(f'  [zotero]\n  library_type = "group"\n  library_id = "{emulator.group_id}"')
    print("\nPress Ctrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


def _seed(emulator: ZoteroEmulator, path: Path) -> None:
    payload = json.loads(path.read_text(encoding="utf-8"))
    lib = emulator.library
    if isinstance(payload, dict):
        names = {name: lib.add_collection(name) for name in payload.get("collections", [])}
        items = payload.get("items", [])
        for item in items:  # collections may be given by name in a seed file
            item["collections"] = [names.get(c, c) for c in item.get("collections", [])]
    else:
        items = payload
    if not isinstance(items, list):
        raise ValueError("expected a list of items")
    parents = [i for i in items if not i.get("parentItem")]
    children = [i for i in items if i.get("parentItem")]
    for start in range(0, len(parents), 50):
        lib.seed_items(parents[start : start + 50])
    for start in range(0, len(children), 50):
        lib.seed_items(children[start : start + 50])


if __name__ == "__main__":
    sys.exit(main())
