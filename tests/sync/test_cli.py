"""`genbib sync` on the command line: --dry-run, --json, exit status 3, the key kept secret."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable

from .conftest import Lab  # type: ignore[import-not-found]


def genbib(lab: Lab, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **lab.emu.env(), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "genbib", *args],
        cwd=lab.root,
        env=env,
        capture_output=True,
        text=True,
    )


def test_dry_run_json_conflict_exit_and_secrecy(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab()
    before = lab.bib.read_bytes()
    dry = genbib(lab, "sync", "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    plan = json.loads(dry.stdout)["zotero"]["plan"]
    assert {p["zotero"] for p in plan} == {"create"} and len(plan) == 8
    assert not lab.emu.library.items() and lab.bib.read_bytes() == before
    assert not (lab.bib.parent / "genmodels.sync.json").exists()

    assert genbib(lab, "sync").returncode == 0
    lab.edit(lambda lib: lib.by_key()["goodfellow2016deep"].set("title", "Deep Learning (bib)"))
    lab.emu.library.edit_item(lab.item_key("goodfellow2016deep"), title="Deep Learning (Zotero)")
    out = genbib(lab, "-v", "sync")
    assert out.returncode == 3
    assert "conflict: goodfellow2016deep: title" in out.stderr
    key = lab.emu.api_key
    files = [p for p in lab.root.rglob("*") if p.is_file()]
    assert all(key not in p.read_text(errors="replace") for p in files)
    assert key not in out.stdout + out.stderr
    resolved = genbib(lab, "sync", "--prefer", "remote", "--json")
    assert resolved.returncode == 0 and json.loads(resolved.stdout)["zotero"]["conflicts"] == []


def test_missing_key_is_a_clear_error(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab()
    env = {k: v for k, v in os.environ.items() if k != "ZOTERO_API_KEY"}
    env["GENBIB_ZOTERO_API_URL"] = lab.emu.url
    out = subprocess.run(
        [sys.executable, "-m", "genbib", "sync"],
        cwd=lab.root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 4 and "ZOTERO_API_KEY" in out.stderr


def test_dry_run_prints_every_change_and_the_real_run_counts_the_same(
    make_lab: Callable[..., Lab],
) -> None:
    lab = make_lab()
    assert genbib(lab, "sync").returncode == 0
    lab.edit(lambda lib: lib.remove("weng2021diffusion"))
    lab.emu.library.edit_item(lab.item_key("kingma2019introduction"), volume="13")
    dry = genbib(lab, "sync", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Plan (dry run, nothing changed): 2 change(s)" in dry.stdout
    assert "bib    update       kingma2019introduction: volume" in dry.stdout
    assert (
        f"Zotero trash        {lab.item_key('weng2021diffusion')}: weng2021diffusion" in dry.stdout
    )
    assert "would change: bib update 1, zotero trash 1" in dry.stdout
    real = genbib(lab, "sync")
    assert real.returncode == 0 and "changed: bib update 1, zotero trash 1" in real.stdout


def test_an_unreachable_server_fails_in_time_with_url_and_hint(
    make_lab: Callable[..., Lab],
) -> None:
    import socket
    import time

    lab = make_lab()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (lab.root / "genbib.toml").write_text(
        (lab.root / "genbib.toml").read_text().replace("[zotero]\n", "[zotero]\ntimeout = 2\n")
    )
    env = {**os.environ, **lab.emu.env(), "NO_COLOR": "1"}
    env["GENBIB_ZOTERO_API_URL"] = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "genbib", "sync"], cwd=lab.root, env=env,
                         capture_output=True, text=True)  # fmt: skip
    assert time.monotonic() - started < 15
    assert out.returncode == 5, out.stderr
    assert f"http://127.0.0.1:{port}/groups/{lab.emu.group_id}/items" in out.stderr
    assert "retry 1 of" in out.stderr  # progress while it waits
    assert "api_url" in out.stderr and lab.emu.api_key not in out.stdout + out.stderr


def test_summary_markdown_is_escaped_and_capped() -> None:
    """The PR body: a table of stages, then changes, conflicts and findings, with every
    piece of Zotero text escaped (a title cannot add a table cell, a heading or a link)."""
    from genbib.cli.sync import MAX_LINES, summary_markdown

    report = {
        "dry_run": False,
        "stages": [
            {"stage": "zotero", "changed": 2, "summary": "pulled | 2 <b>items</b>", "skipped": ""},
            {"stage": "render", "changed": 0, "summary": "", "skipped": "no topics"},
        ],
        "changes": [
            {"side": "bib", "action": "create", "target": f"k{i}", "detail": "# [x](javascript:1)"}
            for i in range(MAX_LINES + 5)
        ],
        "counts": {"bib create": MAX_LINES + 5},
        "zotero": {
            "conflicts": [{"key": "a", "field": "title", "bib": "A|B", "zotero": "C", "base": ""}],
            "requests": 7,
        },
    }
    text = summary_markdown(report, [])
    lines = text.splitlines()
    assert lines[0] == "## genbib sync"
    assert "| zotero | 2 | pulled \\| 2 &lt;b&gt;items&lt;/b&gt; |" in lines or any(
        line.startswith("| zotero | 2 | pulled \\|") for line in lines
    )
    assert "| render | - | skipped: no topics |" in lines
    assert "[x](" not in text and "\n# " not in text  # escaped: no link, no heading
    assert f"### Changes ({MAX_LINES + 5})" in text and "- ... and 5 more" in text
    assert "### Conflicts" in text and "A\\|B" in text
    assert text.endswith("Zotero requests: 7\n")
