"""Recorded API responses served through httpx2's MockTransport (helpers for the tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx2

DATA = Path(__file__).parent.parent / "data" / "enrich"


def data(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


Handler = Callable[[httpx2.Request], httpx2.Response]


class FakeAPI:
    """Routes requests to recorded responses by (host, path[, query]); records calls."""

    def __init__(self) -> None:
        self.routes: dict[str, list[httpx2.Response] | Handler] = {}
        self.calls: list[httpx2.Request] = []

    def add(self, prefix: str, *responses: httpx2.Response | Handler) -> None:
        existing = self.routes.setdefault(prefix, [])
        assert isinstance(existing, list)
        existing.extend(responses)  # type: ignore[arg-type]

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.calls.append(request)
        url = str(request.url)
        for prefix in sorted(self.routes, key=len, reverse=True):
            if url.startswith(prefix):
                queue = self.routes[prefix]
                assert isinstance(queue, list)
                item = queue.pop(0) if len(queue) > 1 else queue[0]
                return item(request) if callable(item) else item
        return httpx2.Response(404, json={"message": "Not Found"})

    def urls(self) -> list[str]:
        return [str(r.url) for r in self.calls]


def json_file(name: str, status: int = 200, **headers: str) -> httpx2.Response:
    return httpx2.Response(
        status, text=data(name), headers={"content-type": "application/json", **headers}
    )


def xml_file(name: str) -> httpx2.Response:
    return httpx2.Response(200, text=data(name), headers={"content-type": "application/atom+xml"})
