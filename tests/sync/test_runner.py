"""The sync run on in-memory sides: pairing, pushing, recording, retrying."""

from __future__ import annotations

from genbib.bibtex.reader import parse
from genbib.model.library import Library
from genbib.sync.engine import Op, Prefer
from genbib.sync.memory import MemoryRemote, conflict_on_push
from genbib.sync.remote import entry_fields
from genbib.sync.session import Options, run
from genbib.sync.state import State

BIB = """
@misc{ho2020denoising, title = {Denoising Diffusion Probabilistic Models}, year = {2020},
  eprint = {2006.11239}, archiveprefix = {arXiv}, topics = {diffusion}}
@inproceedings{song2021score, title = {Score-Based Generative Modeling through SDEs},
  booktitle = {ICLR}, year = {2021}}
"""


def setup() -> tuple[Library, MemoryRemote, State]:
    lib = parse(BIB, "t.bib")
    remote = MemoryRemote()
    state = State()
    run(lib, remote, state)
    return lib, remote, state


def item_of(state: State, key: str) -> str:
    return state.by_key()[key].item


def test_first_sync_creates_every_entry_and_agrees() -> None:
    lib, remote, state = setup()
    assert len(remote.items) == 2 and len(state.rows) == 2
    for e in lib:
        assert remote.items[item_of(state, e.key)].fields == entry_fields(e)
        assert remote.items[item_of(state, e.key)].key == e.key
    assert not any(r.pending for r in state.rows.values())
    again = run(lib, remote, state)
    assert again.changed == 0 and state.version == remote.version


def test_remote_new_item_gets_a_key_written_back() -> None:
    lib, remote, state = setup()
    item = remote.add(
        {
            "@type": "misc",
            "title": "{Generative Adversarial Nets}",
            "author": "{Goodfellow, Ian}",
            "year": "{2014}",
        }
    )
    run(lib, remote, state)
    assert "goodfellow2014generative" in lib.by_key()
    assert remote.items[item].key == "goodfellow2014generative"
    assert run(lib, remote, state).changed == 0


def test_remote_copy_of_a_known_paper_is_merged_not_duplicated() -> None:
    lib, remote, state = setup()
    remote.add(
        {
            "@type": "misc",
            "title": "{Denoising diffusion probabilistic models}",
            "eprint": "{2006.11239}",
            "abstract": "{We present...}",
        }
    )
    copy = max(remote.items)
    result = run(lib, remote, state)
    assert len(lib) == 2 and len(remote.live()) == 2
    assert lib.by_key()["ho2020denoising"].get("abstract") == "We present..."
    assert any(p.code == "SYNC_DUPLICATE" and copy in p.message for p in result.problems)
    # merged as Zotero merges: the copy is in the trash, the survivor replaces it
    assert remote.items[copy].trashed
    assert remote.items[item_of(state, "ho2020denoising")].replaces == [copy]
    assert run(lib, remote, state).changed == 0


def test_conflict_is_reported_again_until_resolved() -> None:
    lib, remote, state = setup()
    lib.by_key()["song2021score"].set("year", "2022")
    remote.edit(item_of(state, "song2021score"), year="{2023}")
    first = run(lib, remote, state)
    assert [(k, c.field) for k, c in first.conflicts] == [("song2021score", "year")]
    assert lib.by_key()["song2021score"].get("year") == "2022"
    assert remote.items[item_of(state, "song2021score")].fields["year"] == "{2023}"
    assert [c.field for _, c in run(lib, remote, state).conflicts] == ["year"]
    run(lib, remote, state, Options(prefer=Prefer.REMOTE))
    assert lib.by_key()["song2021score"].get("year") == "2023"
    assert not run(lib, remote, state).conflicts


def test_mass_deletion_is_held_back() -> None:
    lib, remote, state = setup()
    for item in list(remote.items):
        remote.remove(item)
    result = run(lib, remote, state)
    assert len(lib) == 2 and any(p.code == "SYNC_MASS_DELETE" for p in result.problems)
    assert len(run(lib, remote, state).problems) == 1  # still held, still known
    run(lib, remote, state, Options(force_delete=True))
    assert len(lib) == 0 and not state.rows


def test_refused_object_is_retried_next_run() -> None:
    lib, remote, state = setup()
    lib.by_key()["song2021score"].set("year", "2022")
    remote.refuse = lambda op: "400 bad field" if op.key == "song2021score" else None
    result = run(lib, remote, state)
    assert result.failed == 1
    remote.refuse = lambda op: None
    result = run(lib, remote, state)
    assert [(p.key, p.zotero) for p in result.planned if p.zotero is not Op.NONE] == [
        ("song2021score", Op.UPDATE)
    ]
    assert remote.items[item_of(state, "song2021score")].fields["year"] == "{2022}"


def test_412_starts_over() -> None:
    lib, remote, state = setup()
    lib.by_key()["song2021score"].set("year", "2022")
    remote.before_push = conflict_on_push(remote, [True])
    result = run(lib, remote, state, Options(retry_wait=0))
    assert result.attempts == 2
    assert remote.items[item_of(state, "song2021score")].fields["year"] == "{2022}"


def test_crash_after_create_does_not_duplicate() -> None:
    lib = parse(BIB, "t.bib")
    remote, state = MemoryRemote(), State()
    saved: list[str] = []

    class Killed(Exception):
        pass

    def checkpoint(on_disk: State) -> None:
        saved.append(on_disk.dumps())

    original = remote.push

    def push_then_die(ops, st):  # type: ignore[no-untyped-def]
        original(ops, st)
        raise Killed

    remote.push = push_then_die  # type: ignore[method-assign]
    try:
        run(lib, remote, state, checkpoint=checkpoint)
    except Killed:
        pass
    state = State.from_json(__import__("json").loads(saved[-1]))
    remote.push = original  # type: ignore[method-assign]
    run(lib, remote, state)
    assert len(remote.items) == 2 and len(state.rows) == 2
    assert not any(r.pending for r in state.rows.values())
