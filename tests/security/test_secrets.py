"""The lab's Zotero API key never leaves the environment: not in output (also with -v and
tracebacks), errors, logs, the state file, the cache, or any file genbib writes.

`genbib -v sync` runs as a real subprocess against the emulator, once successfully and
then with forced errors (a key the server refuses, a library id it does not know, a
server that fails every request); then every byte it printed and every file under the
project and under its HOME is scanned for the key.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from genbib.errors import GenbibError
from genbib.testing.zotero import Fault, FaultKind, ZoteroEmulator
from genbib.testing.zotero.payloads import api_key_of
from genbib.zotero.adapter import ZoteroAdapter

SECRET = "S3cr3tZoteroKeyDoNotLeak0123456"  # 32 characters, like a real key
BIB = """@misc{ho2020denoising, title = {Denoising Diffusion Probabilistic Models},
  author = {Ho, Jonathan}, year = {2020}, eprint = {2006.11239}, archiveprefix = {arXiv},
  topics = {diffusion}}
"""


def forms(secret: str) -> list[bytes]:
    """The key as it could leak: plain, base64, in a Python repr, percent-encoded."""
    raw = secret.encode()
    return [raw, base64.b64encode(raw), secret[:16].encode(), secret[-16:].encode()]


def leaks(data: bytes) -> list[bytes]:
    return [f for f in forms(SECRET) if f in data]


@pytest.fixture
def emu() -> Iterator[ZoteroEmulator]:
    with ZoteroEmulator(api_key=SECRET) as server:
        yield server


def project(tmp_path: Path, library_id: int | str) -> Path:
    root = tmp_path / "lab"
    (root / "bib").mkdir(parents=True, exist_ok=True)
    (root / "bib" / "genmodels.bib").write_text(BIB)
    (root / "genbib.toml").write_text(
        f'[zotero]\nlibrary_id = "{library_id}"\n\n[[topics]]\nslug = "diffusion"\ntitle = "Diffusion"\n'
    )
    return root


def genbib(
    root: Path, emu: ZoteroEmulator, *args: str, key: str = SECRET
) -> subprocess.CompletedProcess[bytes]:
    home = root.parent / "home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, **emu.env(), "ZOTERO_API_KEY": key, "HOME": str(home), "NO_COLOR": "1",
           "XDG_CACHE_HOME": str(home / ".cache")}  # fmt: skip
    return subprocess.run([sys.executable, "-m", "genbib", "-v", *args], cwd=root, env=env,
                          capture_output=True, timeout=120)  # fmt: skip


def scan_files(*roots: Path) -> dict[str, list[bytes]]:
    found = {}
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and (hit := leaks(path.read_bytes())):
                found[str(path)] = hit
    return found


def test_no_key_anywhere_after_sync_with_forced_errors(tmp_path: Path, emu: ZoteroEmulator) -> None:
    root = project(tmp_path, emu.group_id)
    seen: list[str] = []  # the key as the server received it (so it really was in play)
    emu.faults.append(
        Fault(FaultKind.BACKOFF, times=None, when=lambda r: bool(seen.append(api_key_of(r))))
    )
    runs = [genbib(root, emu, "sync")]  # a good run: state file, cache and outputs written
    emu.faults.clear()
    assert seen and set(seen) == {SECRET}
    assert runs[0].returncode == 0, runs[0].stderr.decode()
    assert (root / "bib" / "genmodels.bib.sync.json").exists() or list(
        (root / "bib").glob("*.json")
    )
    assert (root / "lists" / "diffusion.md").exists()
    # A key the server refuses (403).
    runs.append(genbib(root, emu, "sync", key=SECRET[::-1]))
    assert runs[-1].returncode == 5 and b"403" in runs[-1].stderr
    # The right key, but Zotero fails with a server error on every request.
    emu.faults.append(Fault(FaultKind.CONCURRENT_WRITE, times=None, action=_explode))
    runs.append(genbib(root, emu, "sync"))
    emu.faults.clear()
    assert runs[-1].returncode != 0
    # A library id the server does not know (403/404), after moving the state file away.
    for state in (root / "bib").glob("*.sync*"):
        state.rename(state.with_name(state.name + ".bak"))
    (root / "genbib.toml").write_text(
        (root / "genbib.toml").read_text().replace(str(emu.group_id), "424242")
    )
    runs.append(genbib(root, emu, "sync", "--json"))
    assert runs[-1].returncode in (4, 5), runs[-1].stderr.decode()
    for run in runs:
        assert not leaks(run.stdout) and not leaks(run.stderr), (run.args, run.stdout, run.stderr)
        for header in (b"Zotero-API-Key", b"Authorization", b"Bearer"):
            assert header not in run.stderr and header not in run.stdout
    assert scan_files(root, tmp_path / "home") == {}


def _explode(_emu: ZoteroEmulator) -> None:
    raise RuntimeError("server error")  # the emulator answers 500


def test_errors_never_carry_request_headers(emu: ZoteroEmulator) -> None:
    """Every error the adapter raises, with its whole chain and traceback, is free of the
    key and of request headers: for a write refused (403), a read refused, an unknown
    library and an unreachable server."""
    cases = [
        ZoteroAdapter("group", str(emu.group_id), SECRET[::-1], emu.url, sleep=lambda s: None),
        ZoteroAdapter("group", "424242", SECRET, emu.url, sleep=lambda s: None),
        ZoteroAdapter(
            "group", str(emu.group_id), SECRET, "http://127.0.0.1:9", sleep=lambda s: None
        ),
    ]
    for adapter in cases:
        assert SECRET not in repr(adapter)
        for call in (lambda a=adapter: a.versions_since(0), lambda a=adapter: a.items(["ABCD2345"]),
                     lambda a=adapter: a.write([{"itemType": "note", "note": "x"}], 0)):  # fmt: skip
            with pytest.raises(GenbibError) as info:
                call()
            exc = info.value
            shown = "".join(traceback.format_exception(exc)) + str(exc) + repr(exc) + str(exc.hint)
            assert SECRET not in shown and SECRET[::-1] not in shown, shown
            assert "Zotero-API-Key" not in shown and "Authorization" not in shown, shown
            assert exc.__cause__ is None and (
                exc.__context__ is None or exc.__suppress_context__
            ), shown
