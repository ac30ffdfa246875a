"""The one HTTP layer every metadata source goes through.

Sources only say which requests they want and how to read the answers; this module owns
being a good API citizen: a descriptive User-Agent with the lab's contact e-mail, a rate
limit and a concurrency cap per source, retries with backoff on 429 and 5xx honouring
`Retry-After`, timeouts, and the on-disk cache that lets `--offline` runs (and CI) answer
without opening a connection. Time is read through a `Clock` so the limiter, the backoff
and the cache expiry are tested with a fake clock instead of sleeps.
"""

from __future__ import annotations

import email.utils
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol
from urllib.parse import urlencode

import httpx2

from genbib import __version__
from genbib.enrich.cache import Cache, Reply

PROJECT_URL = "https://github.com/genbib/genbib"


class Clock(Protocol):
    def now(self) -> float:
        """Monotonic seconds, for rate limits and backoff."""
        ...

    def wall(self) -> float:
        """Epoch seconds, for cache expiry."""
        ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class FakeClock:
    """A clock that only moves when slept on; records every sleep for assertions."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self._t = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._t

    def wall(self) -> float:
        return self._t

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(round(seconds, 6))
            self._t += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        self._t += seconds


@dataclass(frozen=True)
class Policy:
    """How hard a source may be asked: its documented limits, and our patience."""

    interval: float = 0.0  # minimum seconds between two request starts
    concurrency: int = 1  # requests in flight at once
    timeout: float = 20.0
    retries: int = 3  # extra attempts after a 429, a 5xx or a timeout
    max_wait: float = 120.0  # a Retry-After longer than this gives up instead of waiting
    budget: int = 0  # at most this many requests per `window` seconds (0: no budget)
    window: float = 0.0
    batch: int = 0  # identifiers per request where the API takes a list (0: one per request)
    mailto_param: bool = False  # the API wants the contact as a `mailto` query parameter
    token_env: str = ""  # environment variable holding an optional bearer token


@dataclass(frozen=True)
class Request:
    """One GET, identified by its URL and sorted parameters (the cache key)."""

    source: str
    url: str
    params: tuple[tuple[str, str], ...] = ()
    accept: str = "application/json"

    @cached_property
    def key(self) -> str:
        query = urlencode(sorted(self.params))
        return f"{self.url}?{query}" if query else self.url


class RateLimiter:
    """Spaces request starts at least `interval` apart, and keeps at most `budget` starts
    in any `window` seconds, across threads.

    Each caller reserves the next free slot under the lock and sleeps outside it, so
    concurrent callers queue up fairly and a fake clock sees exactly the waits.
    """

    def __init__(self, interval: float, clock: Clock, budget: int = 0, window: float = 0.0) -> None:
        self.interval = interval
        self.clock = clock
        self.budget = budget
        self.window = window
        self._next = float("-inf")
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        with self._lock:
            now = self.clock.now()
            slot = max(now, self._next)
            if self.budget and self.window:
                while self._starts and self._starts[0] <= slot - self.window:
                    self._starts.popleft()
                if len(self._starts) >= self.budget:
                    slot = max(slot, self._starts[len(self._starts) - self.budget] + self.window)
                self._starts.append(slot)
            self._next = slot + self.interval
        wait = slot - now
        if wait > 0:
            self.clock.sleep(wait)
        return wait

    def defer(self, seconds: float) -> None:
        """Hold every request of this source for `seconds` (after a 429 or 503)."""
        with self._lock:
            self._next = max(self._next, self.clock.now() + seconds)

    def tighten(self, interval: float) -> None:
        """Slow down to what the server advertises (Crossref's X-Rate-Limit headers)."""
        with self._lock:
            if interval > self.interval:
                self._next += interval - self.interval  # the slot already reserved, too
                self.interval = interval


def retry_after(value: str | None, clock: Clock) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - clock.wall())


RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass
class Fetcher:
    """Answers requests from the cache or the network, within each source's policy.

    `offline` never creates a client; what is not cached comes back as a reply with
    status 0 and says so, and `misses` lists it.
    """

    policies: Mapping[str, Policy]
    cache: Cache | None = None
    contact: str = ""
    offline: bool = False
    refresh: bool = False
    max_age: float = 30 * 86400.0
    clock: Clock = field(default_factory=SystemClock)
    transport: httpx2.BaseTransport | None = None
    stats: Counter[str] = field(default_factory=Counter)
    misses: list[Request] = field(default_factory=list)
    _limiters: dict[str, RateLimiter] = field(default_factory=dict)
    _slots: dict[str, threading.BoundedSemaphore] = field(default_factory=dict)
    down: dict[str, str] = field(default_factory=dict)  # source -> why it is skipped
    _client: httpx2.Client | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def user_agent(self) -> str:
        contact = f"; mailto:{self.contact}" if self.contact else ""
        return f"genbib/{__version__} (+{PROJECT_URL}{contact})"

    def policy(self, source: str) -> Policy:
        return self.policies.get(source, Policy())

    def cached(self, request: Request) -> Reply | None:
        """The cached reply if this run may use it (fresh, or any age offline)."""
        if self.cache is None:
            return None
        hit = self.cache.get(request.key)
        if hit is None:
            return None
        fresh = self.clock.wall() - hit.fetched <= self.max_age
        if self.offline or (fresh and not self.refresh):
            self._count("cache_hits")
            return hit
        return None

    def miss(self, request: Request) -> Reply:
        """What an offline run answers for a request the cache does not hold."""
        with self._lock:
            self.misses.append(request)
        return Reply(0, "", request.key, 0.0, error="offline: not in the cache")

    def remember(self, request: Request, reply: Reply) -> None:
        """Cache a reply obtained another way (one item of a batched request)."""
        if self.cache is not None and reply.cacheable:
            self.cache.put(request.key, reply)

    def get(self, request: Request, *, cache: bool = True) -> Reply:
        hit = self.cached(request) if cache else None
        if hit is not None:
            return hit
        if self.offline:
            return self.miss(request)
        if request.source in self.down:
            return Reply(0, "", request.key, 0.0, error=self.down[request.source])
        reply = self._fetch(request)
        if cache:
            self.remember(request, reply)
        return reply

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # A fetcher is a context manager so that every path (success, error, Ctrl-C) closes
    # its client and saves what it learnt: `with make_fetcher(...) as fetcher:`.
    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.close()
        finally:
            if self.cache is not None:
                self.cache.save()

    # --- network -------------------------------------------------------------------
    def _count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self.stats[name] += n

    def _parts(self, source: str) -> tuple[RateLimiter, threading.BoundedSemaphore]:
        with self._lock:
            if source not in self._limiters:
                pol = self.policy(source)
                self._limiters[source] = RateLimiter(
                    pol.interval, self.clock, pol.budget, pol.window
                )
                self._slots[source] = threading.BoundedSemaphore(max(1, pol.concurrency))
            return self._limiters[source], self._slots[source]

    def _http(self) -> httpx2.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx2.Client(
                    headers={"User-Agent": self.user_agent},
                    follow_redirects=True,
                    transport=self.transport,
                    limits=httpx2.Limits(max_connections=64, max_keepalive_connections=32),
                )
            return self._client

    def _fetch(self, request: Request) -> Reply:
        pol = self.policy(request.source)
        limiter, slots = self._parts(request.source)
        params: list[tuple[str, str | int | float | bool | None]] = list(request.params)
        if pol.mailto_param and self.contact:
            params.append(("mailto", self.contact))
        headers = {"Accept": request.accept}
        token = os.environ.get(pol.token_env) if pol.token_env else None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        error = ""
        for attempt in range(pol.retries + 1):
            with slots:
                limiter.acquire()
                self._count("requests")
                try:
                    resp = self._http().get(
                        request.url, params=params, headers=headers, timeout=pol.timeout
                    )
                    body = resp.text
                except httpx2.TimeoutException:
                    resp, body, error = None, "", "timed out"
                except httpx2.ConnectError as exc:
                    # No route, DNS or refused: retrying per request would only add waits;
                    # the source is skipped for the rest of the run.
                    error = f"cannot connect: {exc}"
                    with self._lock:
                        self.down.setdefault(
                            request.source, f"{request.source} unreachable ({exc})"
                        )
                    self._count("failures")
                    return Reply(0, "", request.key, self.clock.wall(), error=error)
                except httpx2.TransportError as exc:
                    resp, body, error = None, "", f"connection failed: {type(exc).__name__}"
            if resp is not None:
                advertised = _advertised_interval(resp.headers)
                if advertised:
                    limiter.tighten(advertised)
            exhausted = (
                resp is not None
                and resp.status_code == 403
                and resp.headers.get("x-ratelimit-remaining") == "0"
            )  # GitHub's primary rate limit: 403 with the time it resets
            if resp is not None and resp.status_code not in RETRY_STATUS and not exhausted:
                return Reply(
                    resp.status_code,
                    body,
                    str(resp.url),
                    self.clock.wall(),
                    error="" if resp.status_code < 400 else f"HTTP {resp.status_code}",
                )
            wait = min(60.0, 2.0**attempt)
            if resp is not None:
                error = f"HTTP {resp.status_code}"
                if exhausted:
                    error += " rate limit exhausted"
                    if pol.token_env and not token:
                        error += f" (set {pol.token_env} for a higher limit)"
                hinted = retry_after(resp.headers.get("retry-after"), self.clock)
                if hinted is None and resp.headers.get("x-ratelimit-reset"):
                    hinted = _reset_in(resp.headers["x-ratelimit-reset"], self.clock)
                if hinted is not None:
                    if hinted > pol.max_wait:
                        error += f" (Retry-After {hinted:.0f}s is longer than we wait)"
                        break
                    wait = hinted
            if attempt == pol.retries:
                break
            self._count("retries")
            limiter.defer(wait)
        self._count("failures")
        return Reply(0, "", request.key, self.clock.wall(), error=f"{error} after retries")


def _advertised_interval(headers: httpx2.Headers) -> float:
    """Seconds per request from `X-Rate-Limit-Limit: 50` and `X-Rate-Limit-Interval: 1s`."""
    limit, interval = headers.get("x-rate-limit-limit"), headers.get("x-rate-limit-interval")
    if not limit or not interval:
        return 0.0
    try:
        n, seconds = int(limit), float(interval.strip().rstrip("s"))
    except ValueError:
        return 0.0
    return seconds / n if n > 0 and seconds > 0 else 0.0


def _reset_in(value: str, clock: Clock) -> float | None:
    try:
        return max(0.0, float(value) - clock.wall())
    except ValueError:
        return None
