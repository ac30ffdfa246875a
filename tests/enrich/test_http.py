"""The HTTP layer: retries, Retry-After, timeouts, rate limits and cache, on a fake clock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest
from enrich_fakes import FakeAPI

from genbib.enrich.cache import Cache, Reply
from genbib.enrich.http import FakeClock, Fetcher, Policy, RateLimiter, Request, retry_after
from genbib.errors import InputError

REQ = Request("crossref", "https://api.crossref.org/works/10.1/x")


def test_user_agent_and_mailto(api: FakeAPI, make_fetcher: Any) -> None:
    api.add("https://api.crossref.org", httpx2.Response(200, text="{}"))
    fetcher = make_fetcher()
    assert fetcher.get(REQ).ok
    sent = api.calls[0]
    assert "genbib/" in sent.headers["user-agent"]
    assert "mailto:lab@example.org" in sent.headers["user-agent"]
    assert sent.url.params["mailto"] == "lab@example.org"  # Crossref's polite pool


def test_429_honours_retry_after(api: FakeAPI, make_fetcher: Any, clock: FakeClock) -> None:
    api.add(
        "https://api.crossref.org",
        httpx2.Response(429, headers={"Retry-After": "7"}),
        httpx2.Response(200, text="{}"),
    )
    fetcher = make_fetcher()
    reply = fetcher.get(REQ)
    assert reply.ok
    assert len(api.calls) == 2
    assert 7.0 in clock.sleeps  # waited exactly what the server asked, on the fake clock
    assert fetcher.stats["retries"] == 1


def test_retry_after_http_date(clock: FakeClock) -> None:
    import email.utils

    when = email.utils.formatdate(clock.wall() + 30, usegmt=True)
    assert retry_after(when, clock) == pytest.approx(30, abs=1)
    assert retry_after("garbage", clock) is None
    assert retry_after(None, clock) is None


def test_retry_after_too_long_gives_up(api: FakeAPI, make_fetcher: Any, clock: FakeClock) -> None:
    api.add("https://api.crossref.org", httpx2.Response(429, headers={"Retry-After": "3600"}))
    reply = make_fetcher().get(REQ)
    assert reply.status == 0 and "Retry-After" in reply.error
    assert len(api.calls) == 1 and not any(s >= 3600 for s in clock.sleeps)


def test_500_backs_off_then_fails(api: FakeAPI, make_fetcher: Any, clock: FakeClock) -> None:
    api.add("https://api.crossref.org", httpx2.Response(500, text="oops"))
    fetcher = make_fetcher()
    reply = fetcher.get(REQ)
    assert reply.status == 0 and "HTTP 500" in reply.error
    assert len(api.calls) == 1 + fetcher.policy("crossref").retries
    assert [s for s in clock.sleeps if s >= 1] == [1.0, 2.0, 4.0]  # exponential backoff
    assert fetcher.cache.get(REQ.key) is None  # a failure is never cached


def test_503_then_success(api: FakeAPI, make_fetcher: Any) -> None:
    api.add("https://api.crossref.org", httpx2.Response(503), httpx2.Response(200, text="{}"))
    assert make_fetcher().get(REQ).ok


def test_timeout_is_retried_then_reported(api: FakeAPI, make_fetcher: Any) -> None:
    def slow(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("read timed out", request=request)

    api.add("https://api.crossref.org", slow, slow, httpx2.Response(200, text="{}"))
    assert make_fetcher().get(REQ).ok
    api2 = FakeAPI()
    api2.add("https://api.crossref.org", slow)
    fetcher = make_fetcher(transport=httpx2.MockTransport(api2))
    reply = fetcher.get(REQ)
    assert reply.status == 0 and "timed out" in reply.error


def test_unreachable_source_is_skipped(api: FakeAPI, make_fetcher: Any) -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused", request=request)

    api.add("https://api.crossref.org", refuse)
    fetcher = make_fetcher()
    assert fetcher.get(REQ).status == 0
    assert fetcher.get(Request("crossref", "https://api.crossref.org/works/10.2/y")).status == 0
    assert len(api.calls) == 1  # no retry storm against a host that is not there


def test_rate_limiter_spaces_requests_on_fake_clock() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3.0, clock)
    waits = [limiter.acquire() for _ in range(4)]
    assert waits == [0.0, 3.0, 3.0, 3.0]
    clock.advance(10)
    assert limiter.acquire() == 0.0
    limiter.defer(5)
    assert limiter.acquire() == pytest.approx(5.0)


def test_arxiv_one_request_every_three_seconds(
    api: FakeAPI, make_fetcher: Any, clock: FakeClock
) -> None:
    api.add("https://export.arxiv.org", httpx2.Response(200, text="<feed/>"))
    fetcher = make_fetcher(cache=None)
    start = clock.now()
    for i in range(5):
        fetcher.get(Request("arxiv", "https://export.arxiv.org/api/query", (("id_list", f"{i}"),)))
    assert clock.now() - start == pytest.approx(12.0)  # 4 gaps of 3 s
    assert clock.sleeps == [3.0, 3.0, 3.0, 3.0]


def test_cache_hit_expiry_and_refresh(api: FakeAPI, make_fetcher: Any, clock: FakeClock) -> None:
    api.add("https://api.crossref.org", httpx2.Response(200, text='{"n": 1}'))
    fetcher = make_fetcher(max_age=100.0)
    assert not fetcher.get(REQ).from_cache
    assert fetcher.get(REQ).from_cache and len(api.calls) == 1
    clock.advance(101)  # expired: asked again
    assert not fetcher.get(REQ).from_cache and len(api.calls) == 2
    assert fetcher.get(REQ).from_cache
    refresh = make_fetcher(cache=fetcher.cache, refresh=True)
    refresh.get(REQ)
    assert len(api.calls) == 3


def test_404_is_cached_but_429_is_not(api: FakeAPI, make_fetcher: Any) -> None:
    api.add(
        "https://api.crossref.org/works/10.1/x", httpx2.Response(404, text="Resource not found.")
    )
    fetcher = make_fetcher()
    assert fetcher.get(REQ).status == 404
    assert fetcher.get(REQ).from_cache


def test_offline_never_connects(make_fetcher: Any, tmp_path: Path) -> None:
    def boom(request: httpx2.Request) -> httpx2.Response:
        raise AssertionError("offline opened a connection")

    cache = Cache(tmp_path / "c.json")
    cache.put(REQ.key, Reply(200, '{"ok": true}', REQ.key, 0.0))
    fetcher = make_fetcher(offline=True, cache=cache, transport=httpx2.MockTransport(boom))
    assert fetcher.get(REQ).ok  # stale is fine offline: better than nothing
    other = Request("crossref", "https://api.crossref.org/works/10.9/z")
    reply = fetcher.get(other)
    assert reply.status == 0 and reply.error.startswith("offline")
    assert fetcher.misses == [other]
    assert fetcher._client is None


def test_cache_file_is_deterministic_and_merges(tmp_path: Path) -> None:
    path = tmp_path / "cache.json"
    a, b = Cache(path), Cache(path)
    a.put("https://x/2", Reply(200, "two", "https://x/2", 5.0))
    a.put("https://x/1", Reply(404, "", "https://x/1", 5.0))
    assert a.save()
    first = path.read_bytes()
    b.put("https://x/3", Reply(200, "three", "https://x/3", 6.0))
    b.save()  # another process's records are kept
    data = json.loads(path.read_text())
    assert sorted(data["records"]) == ["https://x/1", "https://x/2", "https://x/3"]
    c = Cache(path)
    assert c.get("https://x/1") == Reply(404, "", "https://x/1", 5.0, "", True)
    assert not c.save()  # nothing new: nothing written
    a2 = Cache(tmp_path / "again.json")
    a2.put("https://x/1", Reply(404, "", "https://x/1", 5.0))
    a2.put("https://x/2", Reply(200, "two", "https://x/2", 5.0))
    a2.save()
    assert (tmp_path / "again.json").read_bytes() == first


def test_corrupt_cache_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "cache.json"
    path.write_text("{not json")
    with pytest.raises(InputError, match=r"cache\.json"):
        Cache(path).get("x")


def test_concurrency_cap_per_source(clock: FakeClock) -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    lock = threading.Lock()
    live = {"now": 0, "max": 0}
    gate = threading.Barrier(2, timeout=5)

    def handler(request: httpx2.Request) -> httpx2.Response:
        with lock:
            live["now"] += 1
            live["max"] = max(live["max"], live["now"])
        try:
            gate.wait()  # two requests must be in flight together, or this times out
        except threading.BrokenBarrierError:
            pass
        with lock:
            live["now"] -= 1
        return httpx2.Response(200, text="{}")

    fetcher = Fetcher(
        {"s": Policy(concurrency=2)}, clock=clock, transport=httpx2.MockTransport(handler)
    )
    reqs = [Request("s", f"https://s.example/{i}") for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(fetcher.get, reqs))
    assert all(r.ok for r in replies)
    assert live["max"] == 2


def test_budget_per_window_on_fake_clock() -> None:
    clock = FakeClock()
    limiter = RateLimiter(0.0, clock, budget=3, window=60.0)
    waits = [limiter.acquire() for _ in range(7)]
    assert waits[:3] == [0.0, 0.0, 0.0]  # a burst within the budget goes at once
    assert waits[3] == pytest.approx(60.0)  # the fourth waits for the window to roll
    assert waits[4:6] == [0.0, 0.0]
    assert waits[6] == pytest.approx(60.0)


def test_advertised_rate_limit_slows_down(
    api: FakeAPI, make_fetcher: Any, clock: FakeClock
) -> None:
    api.add(
        "https://api.crossref.org",
        httpx2.Response(
            200, text="{}", headers={"X-Rate-Limit-Limit": "1", "X-Rate-Limit-Interval": "2s"}
        ),
    )
    fetcher = make_fetcher(cache=None)
    fetcher.get(REQ)
    fetcher.get(REQ)
    assert clock.sleeps[-1] == pytest.approx(2.0)  # 1 request per 2 s, as advertised


def test_github_rate_limit_exhausted(
    api: FakeAPI, make_fetcher: Any, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    reset = str(int(clock.wall() + 3000))
    api.add(
        "https://api.github.com",
        httpx2.Response(
            403,
            json={"message": "API rate limit exceeded"},
            headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset},
        ),
    )
    reply = make_fetcher().get(Request("github", "https://api.github.com/repos/a/b"))
    assert reply.status == 0 and "set GITHUB_TOKEN" in reply.error
    assert len(api.calls) == 1  # the reset is too far away to wait for


def test_github_token_is_sent(
    api: FakeAPI, make_fetcher: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    api.add("https://api.github.com", httpx2.Response(200, text="{}"))
    make_fetcher().get(Request("github", "https://api.github.com/repos/a/b"))
    assert api.calls[0].headers["authorization"] == "Bearer t0ken"
    assert "t0ken" not in Request("github", "https://api.github.com/repos/a/b").key
