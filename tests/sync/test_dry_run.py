"""`--dry-run` is the run: the same code with a Zotero that answers writes without
keeping them, so its plan lists exactly the changes the real run then makes, on both
sides and in both passes (the second one after dedupe and enrich changed the bib)."""

from __future__ import annotations

import dataclasses
import json
import socket
import time
from pathlib import Path

import pytest

from genbib.config import EnrichConfig, ZoteroConfig
from genbib.errors import ConfigError, RemoteError
from genbib.model.entry import Entry
from genbib.sync.state import state_path
from genbib.zotero.adapter import ZoteroAdapter

from .conftest import Lab  # type: ignore[import-not-found]
from .test_members import DDPM_COPY, create, member  # type: ignore[import-not-found]

SEED = """@inproceedings{song2021iclr,
  author = {Song, Yang and Sohl-Dickstein, Jascha and Kingma, Diederik P. and Kumar, Abhishek and Ermon, Stefano and Poole, Ben},
  title = {Score-Based Generative Modeling through Stochastic Differential Equations},
  booktitle = {International Conference on Learning Representations},
  year = {2021},
  eprint = {2011.13456},
}
"""


def with_from_bib(lab: Lab, name: str = "seed.bib") -> None:
    enrich = dataclasses.replace(lab.config.enrich, from_bib=(name,))
    lab.config = dataclasses.replace(lab.config, enrich=enrich)


def busy_day(lab: Lab) -> None:
    """Changes on both sides: a member's duplicate with a note, tags and a trashed item;
    an edit, a deletion and a new paper in the bib; a seed file enrich reads."""
    zot = member(lab)
    (copy,) = create(zot, DDPM_COPY)
    create(zot, {"itemType": "note", "parentItem": copy, "note": "<p>mine</p>"})
    key = lab.item_key("goodfellow2016deep")
    zot.update_item({"key": key, "version": zot.item(key)["version"], "deleted": 1})

    def local(lib: object) -> None:
        by_key = lib.by_key()  # type: ignore[attr-defined]
        by_key["kingma2019introduction"].set("note", "A survey.")
        lib.remove("weng2021diffusion")  # type: ignore[attr-defined]
        lib.add(Entry("misc", "new2024paper", {"title": "{A New Paper}", "year": "{2024}",  # type: ignore[attr-defined]
                                                "author": "{Doe, Jane}"}))  # fmt: skip

    lab.edit(local)
    (lab.root / "seed.bib").write_text(SEED)
    with_from_bib(lab)


def snapshot(lab: Lab) -> tuple[bytes, str, dict[str, object]]:
    return (
        lab.bib.read_bytes(),
        state_path(lab.bib).read_text(),
        json.loads(json.dumps(lab.emu.library.items(), sort_keys=True)),
    )


def writes(lab: Lab) -> list[str]:
    return [f"{r.method} {r.route}" for r in lab.emu.requests if r.method != "GET"]


def test_the_dry_run_lists_exactly_what_the_real_run_changes(lab: Lab) -> None:
    busy_day(lab)
    before, sent = snapshot(lab), len(writes(lab))
    dry = lab.sync(dry_run=True)
    assert snapshot(lab) == before and len(writes(lab)) == sent  # nothing changed anywhere
    real = lab.sync()
    assert dry.changes == real.changes
    assert dry.counts() == real.counts()
    actions = {(c.side, c.action) for c in real.changes}
    assert {("bib", "update"), ("bib", "delete"), ("zotero", "create"), ("zotero", "trash"),
            ("zotero", "merge"), ("zotero", "move child"), ("zotero", "update")} <= actions  # fmt: skip
    # the second pass (enrich's venue for the score SDE paper) is in both
    enriched = [c for c in real.changes if c.target == "song2021scorebased"]
    assert enriched, real.changes
    assert [s.changed for s in dry.stages] == [s.changed for s in real.stages]
    # and after it, a dry run has nothing left to do
    assert not lab.sync(dry_run=True).changes


def test_a_missing_from_bib_file_stops_the_sync_before_any_request(lab: Lab) -> None:
    with_from_bib(lab, "nowhere.bib")
    lab.edit(lambda lib: lib.by_key()["kingma2019introduction"].set("note", "edited"))
    sent = len(lab.emu.requests)
    with pytest.raises(ConfigError, match=r"from_bib.*nowhere\.bib"):
        lab.sync()
    assert len(lab.emu.requests) == sent


def test_two_topics_naming_one_collection_stop_the_sync_before_any_request(lab: Lab) -> None:
    topics = tuple(dataclasses.replace(t, collection="Models") for t in lab.config.topics)
    lab.config = dataclasses.replace(lab.config, topics=topics)
    sent = len(lab.emu.requests)
    with pytest.raises(ConfigError, match="both name the Zotero collection"):
        lab.sync()
    assert len(lab.emu.requests) == sent


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_server_fails_within_the_timeout_with_url_and_hint() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    notices: list[str] = []
    api = ZoteroAdapter("group", "123", "SECRETKEY123", url, timeout=1.5)
    api.notice = notices.append
    started = time.monotonic()
    with pytest.raises(RemoteError) as caught:
        api.versions_since(0)
    spent = time.monotonic() - started
    assert spent < 3.0
    text = f"{caught.value} {caught.value.hint}"
    assert f"{url}/groups/123/items" in text and "ConnectError" in text
    assert "api_url" in (caught.value.hint or "")
    assert notices and all("retry" in n for n in notices)  # progress while retrying
    assert "SECRETKEY123" not in text + " ".join(notices)


def test_a_server_answering_html_is_named_with_its_status(tmp_path: Path) -> None:
    import http.server
    import threading

    class Html(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html>proxy login</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Html)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        api = ZoteroAdapter("group", "123", "SECRETKEY123", url, timeout=5)
        with pytest.raises(RemoteError) as caught:
            api.versions_since(0)
        assert "HTTP 200" in str(caught.value) and "not JSON" in str(caught.value)
        assert "SECRETKEY123" not in str(caught.value)
    finally:
        server.shutdown()


def test_the_default_timeout_is_in_the_configuration() -> None:
    assert ZoteroConfig().timeout == 60.0
    assert EnrichConfig().from_bib == ()


def test_the_dry_run_equals_the_run_for_zotero_side_operations(lab: Lab) -> None:
    """A member's merge in Zotero, a trash, a restore, a type change on each side and
    tags edited on both sides: the dry run lists what the run then does."""
    zot = member(lab)
    items = {k: lab.item_key(k) for k in ("ho2020denoising", "song2021scorebased",
                                          "goodfellow2016deep", "kingma2019introduction",
                                          "openai2023gpt4", "weng2021diffusion")}  # fmt: skip
    uri = f"http://zotero.org/groups/{lab.emu.group_id}/items/{items['song2021scorebased']}"
    data = zot.item(items["ho2020denoising"])["data"]
    data["relations"] = {"dc:replaces": [uri]}
    data["tags"] = [{"tag": "classic"}]
    zot.update_item(data)
    for key in ("song2021scorebased", "goodfellow2016deep"):
        zot.update_item({"key": items[key], "version": zot.item(items[key])["version"],
                         "deleted": 1})  # fmt: skip
    data = zot.item(items["openai2023gpt4"])["data"]
    data.update(itemType="conferencePaper", proceedingsTitle="Proceedings of X")
    for name in ("institution", "reportNumber", "reportType", "place", "seriesTitle"):
        data.pop(name, None)
    zot.update_item(data)

    def local(lib: object) -> None:
        e = lib.by_key()["kingma2019introduction"]  # type: ignore[attr-defined]
        e.type = "inproceedings"
        e.fields.pop("journal")
        e.set("booktitle", "Proceedings of the Survey Workshop")
        e.set("keywords", "survey, generative models")

    lab.edit(local)
    before, sent = snapshot(lab), len(writes(lab))
    dry = lab.sync(dry_run=True)
    assert snapshot(lab) == before and len(writes(lab)) == sent
    real = lab.sync()
    assert dry.changes == real.changes and dry.counts() == real.counts()
    assert any(c.action == "delete" and c.target == "song2021scorebased" for c in real.changes)
    assert any(c.action == "tags" for c in real.changes)
    # the trashed paper restored: the next dry run and run bring it back alike
    zot.update_item({"key": items["goodfellow2016deep"],
                     "version": zot.item(items["goodfellow2016deep"])["version"], "deleted": 0})  # fmt: skip
    dry, real = lab.sync(dry_run=True), lab.sync()
    assert dry.changes == real.changes
    assert any(c.action == "create" and c.target == "goodfellow2016deep" for c in real.changes)
