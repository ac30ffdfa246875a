"""Injectable faults for the Zotero emulator: the failures a sync must survive.

A test appends a `Fault` to `emulator.faults`; the server checks every request against the
list in order and applies the first fault that matches. Each fault fires `times` times
(default once), so "the next write gets a 429" is one line:

    emulator.faults.append(Fault(FaultKind.RATE_LIMIT, method="POST"))

`when` narrows the match: an int N fires on the N-th request that passes the method/path
filters (1-based), a callable decides per request. The kinds are the ones the Zotero
documentation tells clients to expect (429/503 with `Retry-After`, a `Backoff` header on any
response) plus the two that break naive sync engines: a connection dropped after the server
applied a write, and another client writing between two of our requests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from genbib.testing.zotero.emulator import ZoteroEmulator


class FaultKind(StrEnum):
    RATE_LIMIT = "429"  # answer 429 Too Many Requests with Retry-After; nothing is applied
    UNAVAILABLE = "503"  # answer 503 Service Unavailable with Retry-After; nothing is applied
    BACKOFF = "backoff"  # handle the request normally, add `Backoff: <seconds>` to the answer
    DROP_AFTER_WRITE = "drop-after-write"  # apply the request, then close without answering
    DROP_BEFORE = "drop-before"  # close the connection without applying or answering
    CONCURRENT_WRITE = "concurrent-write"  # run `action` (another client) before handling


@dataclass(frozen=True)
class RequestInfo:
    """What a fault predicate sees of a request.

    `route` is the library-relative path with object keys replaced, e.g. "/items/{key}",
    so predicates do not depend on the library id or on generated keys.
    """

    method: str
    path: str
    route: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes

    @property
    def is_write(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Fault:
    """One injected failure; see the module docstring for matching."""

    kind: FaultKind
    when: int | Callable[[RequestInfo], bool] | None = None
    method: str | None = None  # e.g. "POST"; None matches any method
    route: str | None = None  # e.g. "/items"; matched exactly against RequestInfo.route
    seconds: float = 0  # Retry-After / Backoff value sent
    times: int | None = 1  # how often it fires; None = every matching request
    action: Callable[[ZoteroEmulator], object] | None = None  # for CONCURRENT_WRITE

    def filters(self, request: RequestInfo) -> bool:
        """Whether the request passes the method/route filters (before `when`)."""
        if self.method is not None and request.method != self.method.upper():
            return False
        return self.route is None or request.route == self.route

    def header_value(self) -> str:
        """`seconds` as the header text (integral values without a decimal point)."""
        return str(int(self.seconds)) if float(self.seconds).is_integer() else str(self.seconds)


class FaultBook:
    """Counts, per fault, how many requests it has seen and how often it fired.

    Kept apart from `Fault` so faults stay frozen values a test can build and compare.
    """

    def __init__(self) -> None:
        self._seen: dict[int, int] = {}
        self._fired: dict[int, int] = {}

    def pick(self, faults: list[Fault], request: RequestInfo) -> Fault | None:
        """The first fault that fires on `request`, recording the match."""
        chosen: Fault | None = None
        for fault in faults:
            ident = id(fault)
            if not fault.filters(request):
                continue
            seen = self._seen[ident] = self._seen.get(ident, 0) + 1
            if chosen is not None:
                continue
            if fault.times is not None and self._fired.get(ident, 0) >= fault.times:
                continue
            when = fault.when
            if isinstance(when, int) and not isinstance(when, bool):
                if seen != when:
                    continue
            elif callable(when) and not when(request):
                continue
            self._fired[ident] = self._fired.get(ident, 0) + 1
            chosen = fault
        return chosen

    def fired(self, fault: Fault) -> int:
        """How many times `fault` has fired."""
        return self._fired.get(id(fault), 0)
