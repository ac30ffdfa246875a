"""One way to pause the cyclic garbage collector around bulk work.

Reading a bib, importing a list, planning a dedupe and rendering all make tens or
hundreds of thousands of small objects (entries, dicts, strings, tokens, index keys) in
no reference cycle and alive until the work ends. Each allocation burst would set off a
collection that walks every object made so far to free nothing: a tenth to a quarter of
those runs. The collector is switched back on, if it was on, however the work ends.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """No cyclic garbage collection inside the block."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
