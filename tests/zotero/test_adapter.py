"""The adapter over pyzotero, against the emulator: retries, chunking, versions, secrecy."""

from __future__ import annotations

import json

import pytest

from genbib.errors import RemoteError
from genbib.testing.zotero import Fault, FaultKind, ZoteroEmulator
from genbib.zotero.adapter import LibraryChanged, ZoteroAdapter


def adapter(
    emu: ZoteroEmulator, sleeps: list[float] | None = None, key: str | None = None
) -> ZoteroAdapter:
    record = sleeps if sleeps is not None else []
    return ZoteroAdapter(
        "group", str(emu.group_id), key or emu.api_key, emu.url, sleep=record.append
    )


def items(n: int, start: int = 0) -> list[dict[str, object]]:
    return [{"itemType": "document", "title": f"Paper {i}"} for i in range(start, start + n)]


@pytest.mark.parametrize("kind", [FaultKind.RATE_LIMIT, FaultKind.UNAVAILABLE])
def test_429_and_503_are_retried_after_retry_after(
    zotero_server: ZoteroEmulator, kind: FaultKind
) -> None:
    sleeps: list[float] = []
    zotero_server.faults.append(Fault(kind, method="POST", seconds=3))
    answer = adapter(zotero_server, sleeps).write(items(2), 0)
    assert sorted(answer.keys) == [0, 1] and not answer.failed
    assert 3.0 in sleeps and len(zotero_server.library.items()) == 2


def test_backoff_pauses_the_next_request(zotero_server: ZoteroEmulator) -> None:
    sleeps: list[float] = []
    zotero_server.faults.append(Fault(FaultKind.BACKOFF, method="GET", seconds=5))
    api = adapter(zotero_server, sleeps)
    api.versions_since(0)
    api.versions_since(0)
    assert sleeps and 4 < sleeps[0] <= 5


def test_dropped_connection_resends_the_same_write_token(zotero_server: ZoteroEmulator) -> None:
    zotero_server.faults.append(Fault(FaultKind.DROP_AFTER_WRITE, method="POST"))
    with pytest.raises(LibraryChanged):  # the repeat is refused: the first one was applied
        adapter(zotero_server).write(
            [{"itemType": "document", "title": "once", "key": "ABCD2345"}], 0
        )
    assert list(zotero_server.library.items()) == ["ABCD2345"]
    posts = [r for r in zotero_server.requests if r.method == "POST"]
    assert [r.status for r in posts] == [0, 412]


def test_writes_and_deletes_go_in_fifties_and_failures_are_read(
    zotero_server: ZoteroEmulator,
) -> None:
    api = adapter(zotero_server)
    objects = items(120)
    objects[77] = {"itemType": "document", "title": "bad", "booktitle": "not a Zotero field"}
    answer = api.write(objects, 0)
    assert zotero_server.count(method="POST") == 3
    assert list(answer.failed) == [77] and "booktitle" in answer.failed[77]
    assert len(answer.keys) == 119 and answer.version == zotero_server.library.version
    keys = list(answer.keys.values())[:60]
    version = api.delete(keys, answer.version, owned=keys)
    assert zotero_server.count(method="DELETE") == 2 and version == zotero_server.library.version
    assert len(zotero_server.library.items()) == 59
    left = list(zotero_server.library.items())[:1]
    with pytest.raises(LibraryChanged):  # a stale library version fails the delete
        api.delete(left, answer.version, owned=left)


def test_only_objects_genbib_created_can_be_deleted_for_good(
    zotero_server: ZoteroEmulator,
) -> None:
    """The one permanent deletion genbib makes is of objects it created (`owned`): a key
    outside them (a member's item, note or attachment) raises before any request."""
    api = adapter(zotero_server)
    answer = api.write(items(3), 0)
    mine, theirs = list(answer.keys.values())[:1], list(answer.keys.values())[1:]
    zotero_server.reset_counters()
    with pytest.raises(ValueError, match="did not create"):
        api.delete([*mine, *theirs], answer.version, owned=mine)
    assert zotero_server.count(method="DELETE") == 0
    assert len(zotero_server.library.items()) == 3


def test_anything_new_is_one_request_and_304(zotero_server: ZoteroEmulator) -> None:
    api = adapter(zotero_server)
    version = api.write(items(3), 0).version
    zotero_server.reset_counters()
    assert api.versions_since(version) is None
    assert zotero_server.count() == 1
    zotero_server.library.edit_item(next(iter(zotero_server.library.items())), title="changed")
    answer = api.versions_since(version)
    assert answer is not None and len(answer[1]) == 1


def test_the_api_key_never_appears_in_errors(zotero_server: ZoteroEmulator) -> None:
    secret = "s3cretKEY" * 3
    with pytest.raises(RemoteError) as info:
        adapter(zotero_server, key=secret).versions_since(0)
    text = f"{info.value} {info.value.hint} {info.value!r} {json.dumps(info.value.args)}"
    assert secret not in text and "403" in str(info.value)
    api = adapter(zotero_server, key=secret)
    assert secret not in repr(api)
    api.zot.endpoint = "http://127.0.0.1:9"  # nothing listens there
    api.transport.retries = 1
    with pytest.raises(RemoteError) as info:
        api.items(["ABCD2345"])
    assert secret not in str(info.value)
