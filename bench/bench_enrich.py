"""Benchmark: genbib enrich from a warm cache, and a cold run against slow fake sources.

1. Warm: 1,000 entries (bench/generate.py) are enriched once against in-process fake
   sources on a fake clock, which fills the on-disk cache; then a fresh copy of the same
   library is enriched with a transport that fails if touched, so every answer comes
   from the cache. The target is under 2 s.
2. Cold: a local HTTP server on 127.0.0.1 answers in each source's real format after
   100 ms. Lab-like entries (arXiv id, venue, a third with a code link) are enriched from
   arXiv, OpenAlex, Hugging Face and GitHub twice with an empty cache: one request at a
   time (one worker), and with genbib's concurrency. Both keep every source's policy (arXiv
   one request per 3 s, OpenAlex 10/s, GitHub 15/s, ...); batching (arXiv id lists,
   OpenAlex DOI filters) is on in both, so the ratio is what concurrency buys.

A benchmark, not a test: it prints figures and never fails.

    .venv/bin/python bench/bench_enrich.py [--warm 1000] [--cold 150] [--latency 0.1]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import xml.sax.saxutils as su
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import httpx2

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from genbib.bibtex.reader import parse  # noqa: E402
from genbib.bibtex.writer import dumps  # noqa: E402
from genbib.config import Config, EnrichConfig  # noqa: E402
from genbib.enrich.guard import norm_title  # noqa: E402
from genbib.enrich.http import FakeClock  # noqa: E402
from genbib.enrich.run import Options, enrich_library  # noqa: E402
from genbib.model import identifiers as ids  # noqa: E402
from genbib.model.library import Library  # noqa: E402
from generate import generate  # noqa: E402

SOURCES = ("arxiv", "crossref", "dblp", "openalex", "huggingface", "github")


# --- the fake world: every paper of the library, known to every source ------------------
@dataclass(frozen=True)
class Paper:
    arxiv: str
    title: str
    authors: tuple[str, ...]
    year: int
    repo: str


def world_of(lib: Library) -> dict[str, Paper]:
    papers: dict[str, Paper] = {}
    for i, e in enumerate(lib):
        names = tuple(n.display() for n in e.names()) or (f"Ann Author{i}", "Bo Builder")
        ident = e.arxiv or f"23{i // 10000:02d}.{i % 10000:05d}"
        linked = ids.github_repo(e.get("code"))
        repo = linked or (
            f"lab{i}/{norm_title(e.title).split(' ')[0] or 'code'}" if i % 3 == 0 else ""
        )
        papers[ident] = Paper(
            ident, e.title.replace("{", "").replace("}", ""), names, e.year or 2023, repo
        )
    return papers


class Responder:
    """Answers as each API does (Atom for arXiv, JSON elsewhere), from the fake world."""

    def __init__(self, papers: dict[str, Paper]) -> None:
        self.papers = papers
        self.by_title = {norm_title(p.title): p for p in papers.values()}
        self.repos = {p.repo.lower(): p for p in papers.values() if p.repo}

    def __call__(self, path: str, query: dict[str, list[str]]) -> tuple[int, str, str]:
        q = {k: v[0] for k, v in query.items()}
        if path.endswith("/api/query"):
            found = [self.papers[i] for i in q.get("id_list", "").split(",") if i in self.papers]
            return 200, self._feed(found), "application/atom+xml"
        if "/openalex/works" in path:
            if "filter" in q:
                dois = q["filter"].removeprefix("doi:").split("|")
                works = [w for d in dois if (w := self._work(d))]
                return 200, json.dumps({"meta": {"count": len(works)}, "results": works}), "json"
            work = self._work(unquote(path.split("/works/doi:", 1)[1]))
            return (200, json.dumps(work), "json") if work else (404, "{}", "json")
        if "/hf/api/papers/" in path:
            p = self.papers.get(path.rsplit("/", 1)[1])
            if p is None:
                return 404, '{"error": "Paper not found"}', "json"
            return (
                200,
                json.dumps(
                    {
                        "id": p.arxiv,
                        "title": p.title,
                        "publishedAt": f"{p.year}-01-02T00:00:00.000Z",
                        "authors": [{"name": a} for a in p.authors],
                        "githubRepo": f"https://github.com/{p.repo}" if p.repo else None,
                    }
                ),
                "json",
            )
        if "/github/repos/" in path:
            repo = path.split("/github/repos/", 1)[1]
            if repo.lower() not in self.repos:
                return 404, '{"message": "Not Found"}', "json"
            return (
                200,
                json.dumps(
                    {
                        "full_name": repo,
                        "html_url": f"https://github.com/{repo}",
                        "archived": False,
                        "stargazers_count": 42,
                    }
                ),
                "json",
            )
        if "/dblp/" in path:
            p = self.by_title.get(norm_title(q.get("q", "")))
            hits = (
                []
                if p is None
                else [
                    {
                        "info": {
                            "authors": {"author": [{"text": a} for a in p.authors]},
                            "title": p.title + ".",
                            "venue": "CoRR",
                            "volume": f"abs/{p.arxiv}",
                            "year": str(p.year),
                            "type": "Informal and Other Publications",
                            "ee": f"https://arxiv.org/abs/{p.arxiv}",
                        }
                    }
                ]
            )
            return (
                200,
                json.dumps({"result": {"hits": {"@total": str(len(hits)), "hit": hits}}}),
                "json",
            )
        if "/crossref/works" in path:
            return (
                200,
                json.dumps({"status": "ok", "message-type": "work-list", "message": {"items": []}}),
                "json",
            )
        return 404, "{}", "json"

    def _work(self, doi: str) -> dict[str, object] | None:
        ident = ids.arxiv_id(doi)
        p = self.papers.get(ident or "")
        if p is None:
            return None
        return {
            "doi": f"https://doi.org/10.48550/arxiv.{p.arxiv}",
            "title": p.title,
            "publication_year": p.year,
            "authorships": [{"author": {"display_name": a}} for a in p.authors],
            "locations": [
                {
                    "landing_page_url": f"https://arxiv.org/abs/{p.arxiv}",
                    "source": {"display_name": "arXiv", "type": "repository"},
                }
            ],
        }

    @staticmethod
    def _feed(papers: list[Paper]) -> str:
        entries = "".join(
            f"<entry><id>http://arxiv.org/abs/{p.arxiv}v1</id>"
            f"<published>{p.year}-01-02T00:00:00Z</published><title>{su.escape(p.title)}</title>"
            + "".join(f"<author><name>{su.escape(a)}</name></author>" for a in p.authors)
            + '<arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.LG"/>'
            "</entry>"
            for p in papers
        )
        return f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">{entries}</feed>'


def bases(root: str) -> dict[str, str]:
    return {
        "arxiv": f"{root}/arxiv/api/query",
        "crossref": f"{root}/crossref",
        "dblp": f"{root}/dblp/search/publ/api",
        "openalex": f"{root}/openalex",
        "huggingface": f"{root}/hf/api/papers",
        "github": f"{root}/github",
    }


def mock_transport(responder: Responder) -> httpx2.MockTransport:
    def handle(request: httpx2.Request) -> httpx2.Response:
        url = urlsplit(str(request.url))
        status, body, _ = responder(url.path, parse_qs(url.query))
        return httpx2.Response(status, text=body)

    return httpx2.MockTransport(handle)


def config(root: Path) -> Config:
    return Config(
        root=root,
        enrich=EnrichConfig(contact="bench@example.org", cache=".genbib/cache", sources=SOURCES),
    )


# --- 1. warm cache ------------------------------------------------------------------------
def warm(n: int) -> None:
    text, _ = generate(n, 0)
    lib = parse(text, "bench.bib")
    responder = Responder(world_of(lib))
    base = bases("https://fake.invalid")
    with tempfile.TemporaryDirectory() as tmp:
        cfg = config(Path(tmp))
        t0 = time.perf_counter()
        fill = enrich_library(
            lib,
            cfg,
            Options(
                online=True,
                transport=mock_transport(responder),
                bases=base,
                clock=FakeClock(time.time()),
            ),
        )
        fill_s = time.perf_counter() - t0
        cache = Path(tmp) / ".genbib/cache/enrich-cache.json"
        print(
            f"warm-up (in-process fake sources, fake clock): {fill_s:.2f} s, "
            f"{fill.stats.get('requests', 0)} requests, {len(fill.changes)} fields filled, "
            f"cache {cache.stat().st_size / 1e6:.1f} MB"
        )

        def refuse(request: httpx2.Request) -> httpx2.Response:
            raise AssertionError(f"warm run touched the network: {request.url}")

        again = parse(text, "bench.bib")
        t0, c0 = time.perf_counter(), time.process_time()
        result = enrich_library(
            again, cfg, Options(online=True, transport=httpx2.MockTransport(refuse), bases=base)
        )
        warm_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
        same = dumps(again) == dumps(lib)
        verdict = (
            "OK"
            if warm_s < 2.0
            else (
                "wall time over target; CPU time under it: machine loaded"
                if cpu_s < 2.0
                else "SLOWER THAN TARGET"
            )
        )
        print(
            f"warm run: {n} entries in {warm_s:.3f} s wall, {cpu_s:.3f} s CPU "
            f"({n / warm_s:,.0f} entries/s), "
            f"{result.stats.get('cache_hits', 0)} cache hits, "
            f"{result.stats.get('requests', 0)} requests; same result as the online run: "
            f"{same}  [target < 2 s: {verdict}]"
        )


# --- 2. cold run against a slow local server ----------------------------------------------
class Server:
    def __init__(self, responder: Responder, latency: float) -> None:
        self.count = 0
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                time.sleep(latency)
                url = urlsplit(self.path)
                status, body, kind = responder(url.path, parse_qs(url.query))
                data = body.encode("utf-8")
                with lock:
                    outer.count += 1
                self.send_response(status)
                self.send_header(
                    "Content-Type", "application/atom+xml" if "atom" in kind else "application/json"
                )
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def lab_like(n: int) -> str:
    text, _ = generate(n * 2, 1)
    lib = parse(text, "x.bib")
    out = []
    for i, e in enumerate(lib.entries[:n]):
        title = e.title.replace("{", "").replace("}", "")
        code = f"  code = {{https://github.com/lab{i}/code}},\n" if i % 3 == 0 else ""
        out.append(
            f"@inproceedings{{p{i},\n  title = {{{title}}},\n  booktitle = {{NeurIPS}},\n"
            f"  year = {{2023}},\n  url = {{https://arxiv.org/abs/2305.{i:05d}}},\n{code}}}\n"
        )
    return "\n".join(out)


def cold(n: int, latency: float) -> None:
    text = lab_like(n)
    responder = Responder(world_of(parse(text, "lab.bib")))
    server = Server(responder, latency)
    sources = ("arxiv", "openalex", "huggingface", "github")
    timings = {}
    try:
        for label, workers in (("one request at a time", 1), ("concurrent", 16)):
            with tempfile.TemporaryDirectory() as tmp:
                lib = parse(text, "lab.bib")
                before = server.count
                t0 = time.perf_counter()
                result = enrich_library(
                    lib,
                    config(Path(tmp)),
                    Options(sources=sources, online=True, bases=bases(server.url), workers=workers),
                )
                secs = time.perf_counter() - t0
                timings[label] = secs
                filled = sum(1 for e in lib if e.get("author"))
                print(
                    f"cold, {label}: {n} entries, {server.count - before} requests "
                    f"({latency * 1000:.0f} ms each) in {secs:.2f} s; {filled} entries got "
                    f"authors, {len(result.repos)} repositories checked"
                )
    finally:
        server.close()
    ratio = timings["one request at a time"] / timings["concurrent"]
    verdict = "OK" if ratio >= 5 else "BELOW TARGET"
    print(f"cold speed-up from concurrency: {ratio:.1f}x  [target >= 5x: {verdict}]")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--warm", type=int, default=1000)
    ap.add_argument("--cold", type=int, default=150)
    ap.add_argument("--latency", type=float, default=0.1)
    args = ap.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"genbib enrich benchmark (python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load average {load})"
    )
    if args.warm:
        warm(args.warm)
    if args.cold:
        cold(args.cold, args.latency)


if __name__ == "__main__":
    main()
