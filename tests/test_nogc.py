"""`genbib.nogc`: bulk work without the cyclic collector, and without its aftermath."""

from __future__ import annotations

import gc

from genbib.nogc import no_gc


def test_no_collection_inside_and_the_survivors_out_of_its_sight() -> None:
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    with no_gc():
        assert not gc.isenabled()
        kept = [{"n": i} for i in range(1000)]  # tracked containers that outlive the block
        with no_gc():  # nested: the outer block decides
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen + len(kept)  # not walked by the next collection
    del kept  # refcounting still frees them


def test_the_collector_stays_off_when_it_was_off() -> None:
    gc.disable()
    try:
        with no_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_switched_back_on_when_the_block_fails() -> None:
    try:
        with no_gc():
            raise ValueError("x")
    except ValueError:
        pass
    assert gc.isenabled()
