"""One error policy, every command x every failure of the user's or the environment's.

Each cell runs the real entry point in a small lab with one failure set up and checks
the documented exit code (README: 0 ok, 1 findings, 4 bad input/config/file, 5 remote
service, 6 locked; 70 only for bugs), that the failure is ONE line `error: ...` naming
the file or host, what happened and what to do, and that the bib is unchanged when a
write failed. A command a failure does not concern exits as it does on a clean run.

Failures: no genbib.toml; a bad genbib.toml; a bib that is not UTF-8 (GBK); a
read-only bib/ folder (real permissions as a user, an injected EACCES as root, who
writes everything); a full disk (an injected ENOSPC in the one write helper); no
network (a proxy on a closed localhost port, and a Zotero URL on it); a lock held by
another writer.
"""

from __future__ import annotations

import os
import socket
import textwrap
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import pytest

from genbib.bibtex.io import locked

LIST = """\
# Awesome diffusion

## Diffusion

- Score-Based Generative Modeling through Stochastic Differential Equations.
  [[paper]](https://arxiv.org/abs/2011.13456)
"""
BIB = """\
@misc{ho2020denoising,
  title = {Denoising Diffusion Probabilistic Models},
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  year = {2020},
  eprint = {2006.11239},
  archiveprefix = {arXiv},
  topics = {diffusion},
}
@misc{ho2020again,
  title = {Denoising diffusion probabilistic models},
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  year = {2020},
  topics = {diffusion},
}
"""
META = """\
@inproceedings{ho2020ddpm,
  title = {Denoising Diffusion Probabilistic Models},
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  booktitle = {Advances in Neural Information Processing Systems},
  year = {2020},
  eprint = {2006.11239},
  archiveprefix = {arXiv},
}
@inproceedings{song2021score,
  title = {Score-Based Generative Modeling through Stochastic Differential Equations},
  author = {Song, Yang and Sohl-Dickstein, Jascha},
  booktitle = {International Conference on Learning Representations},
  year = {2021},
  eprint = {2011.13456},
  archiveprefix = {arXiv},
}
"""
TOML = """\
[enrich]
from_bib = ["meta.bib"]
sources = ["arxiv"]

[[topics]]
slug = "diffusion"
title = "Diffusion models"
"""


def closed_port() -> int:
    """A localhost port nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


# Each command as a user runs it in the lab (no FILE: the lab's genbib.toml names the bib).
COMMANDS: dict[str, list[str]] = {
    "fmt": ["fmt"],
    "check": ["check"],
    "rekey": ["rekey", "ho2020again", "ho2020again2"],
    "import": ["import", "list.md", "--offline"],
    "dedupe": ["dedupe", "--yes"],
    "enrich": ["enrich", "--offline"],
    "add": ["add", "--offline", "2011.13456"],
    "sync": ["sync"],
    "render": ["render"],
    "init": ["init", "new-lab"],
    "cite": ["cite", "denoising"],
    "show": ["show", "ho2020denoising"],
    "stats": ["stats"],
    "templates": ["templates", "copy", "topic.md.j2"],
}
# Online variants for the no-network failure (the offline ones never open a connection).
ONLINE: dict[str, list[str]] = {
    "enrich": ["enrich", "ho2020again"],
    "add": ["add", "2106.00001"],  # not in meta.bib: only the network knows it
}
WRITERS = {
    "fmt",
    "rekey",
    "import",
    "dedupe",
    "enrich",
    "add",
    "sync",
    "render",
    "init",
    "templates",
}
BIB_WRITERS = WRITERS - {"render", "init", "templates"}  # hold the bib's lock for their edit
CLEAN = {name: 0 for name in COMMANDS}  # a clean run (check: warnings only)

# failure -> (expected code per command, what the one error line must say)
FAILURES: dict[str, tuple[dict[str, int], str]] = {
    "no-config": (
        {**{n: 4 for n in COMMANDS}, "init": 0},
        "no genbib.toml here",
    ),
    "bad-config": (
        {**{n: 4 for n in COMMANDS}, "init": 0},
        "unknown key 'bibb'",
    ),
    "not-utf8": (
        {**CLEAN, **{n: 4 for n in BIB_WRITERS}},
        "is GB18030 (detected), not UTF-8",
    ),
    "read-only": (
        {**CLEAN, **{n: 4 for n in WRITERS}},
        "Permission denied",
    ),
    "disk-full": (
        {**CLEAN, **{n: 4 for n in WRITERS}},
        "No space left on device",
    ),
    "no-network": (
        {**CLEAN, "enrich": 5, "add": 5, "sync": 5},
        "cannot connect",
    ),
    "locked": (
        {**CLEAN, **{n: 6 for n in BIB_WRITERS}},
        "another genbib process is writing it",
    ),
}


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "lab"
    (root / "bib").mkdir(parents=True)
    (root / "bib" / "genmodels.bib").write_text(BIB)
    (root / "meta.bib").write_text(META)
    (root / "list.md").write_text(LIST)
    (root / "genbib.toml").write_text(TOML)
    monkeypatch.chdir(root)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "GENBIB_ZOTERO_API_URL"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("GENBIB_LOCK_TIMEOUT", "0.3")
    monkeypatch.delenv("GENBIB_TEST_WRITE_ERROR", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return root


def set_up(
    failure: str, root: Path, monkeypatch: pytest.MonkeyPatch
) -> AbstractContextManager[Any]:
    """Create `failure` in the lab; returns what to hold while the command runs."""
    bib = root / "bib" / "genmodels.bib"
    if failure == "no-config":
        (root / "genbib.toml").unlink()
    elif failure == "bad-config":
        (root / "genbib.toml").write_text("bibb = 1\n" + TOML)
    elif failure == "not-utf8":
        text = BIB.replace("Pieter}", "Pieter and 王小明 and 李华}")
        text += (
            "@misc{wang2020,\n  title = {基于扩散模型的图像生成方法研究},\n  year = {2020},\n}\n"
        )
        bib.write_bytes(text.encode("gbk"))
    elif failure in ("read-only", "disk-full"):
        if failure == "read-only" and os.geteuid() != 0:
            for folder in (root / "bib", root):
                folder.chmod(0o555)
            return _restore_write(root)
        monkeypatch.setenv(
            "GENBIB_TEST_WRITE_ERROR", "EACCES" if failure == "read-only" else "ENOSPC"
        )
    elif failure == "no-network":
        proxy = f"http://127.0.0.1:{closed_port()}"
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            monkeypatch.setenv(name, proxy)
        monkeypatch.setenv("GENBIB_ZOTERO_API_URL", f"http://127.0.0.1:{closed_port()}")
        monkeypatch.setenv("ZOTERO_API_KEY", "k" * 24)
        (root / "genbib.toml").write_text(TOML + '\n[zotero]\nlibrary_id = "123"\n')
    elif failure == "locked":
        return locked(bib)
    return nullcontext()


class _restore_write(AbstractContextManager[None]):
    def __init__(self, root: Path) -> None:
        self.root = root

    def __exit__(self, *exc: object) -> None:
        for folder in (self.root, self.root / "bib"):
            folder.chmod(0o755)


CELLS = [(f, c) for f in FAILURES for c in COMMANDS]


@pytest.mark.parametrize(("failure", "command"), CELLS, ids=[f"{f}-{c}" for f, c in CELLS])
def test_every_command_meets_every_failure_with_one_clear_line(
    genbib: Callable[..., Any],
    lab: Path,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
    command: str,
) -> None:
    expected, says = FAILURES[failure]
    args = ONLINE.get(command, COMMANDS[command]) if failure == "no-network" else COMMANDS[command]
    bib = lab / "bib" / "genmodels.bib"
    hold = set_up(failure, lab, monkeypatch)
    before = bib.read_bytes()
    with hold:
        r = genbib(*args)
    assert r.code == expected[command], (r.code, r.err)
    assert "Traceback" not in r.err and "internal error" not in r.err
    if r.code in (4, 5, 6):
        lines = [line for line in r.err.splitlines() if line.startswith("error: ")]
        assert len(lines) == 1, r.err
        assert says in lines[0], lines[0]
        if failure in ("read-only", "disk-full"):
            assert "was not changed" in lines[0]
        if failure != "no-network":
            assert bib.read_bytes() == before  # a failed command changed nothing
            leftovers = [p.name for p in lab.rglob("*") if p.name.endswith((".tmp", ".lock"))]
            assert leftovers == [] or failure == "locked"


def test_the_messages_name_the_file_or_host(
    genbib: Callable[..., Any], lab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A few cells read as the user reads them: where, what happened, what to do."""
    bib = lab / "bib" / "genmodels.bib"
    monkeypatch.setenv("GENBIB_TEST_WRITE_ERROR", "ENOSPC")
    r = genbib("rekey", "ho2020again", "x2020")
    assert r.err == (
        f"error: {bib}: cannot write: No space left on device; free some space on that "
        f"disk, then run again; {bib} was not changed\n"
    )
    monkeypatch.delenv("GENBIB_TEST_WRITE_ERROR")
    with locked(bib):
        r = genbib("rekey", "ho2020again", "x2020")
    assert r.code == 6
    assert f"note: {bib}: another genbib process is writing it (" in r.err  # said at once
    assert f"pid {os.getpid()} on {socket.gethostname()}" in r.err and "running" in r.err
    assert "gave up after 0.3 s; wait for it to finish" in r.err
    (lab / "genbib.toml").unlink()
    r = genbib("stats")
    assert r.err == textwrap.dedent(f"""\
        error: no genbib.toml here ({lab} or a folder above it); run `genbib init` to start one, pass --config FILE, or name the .bib file
    """)  # fmt: skip


def test_add_without_network_exits_5_and_does_not_mention_offline(
    genbib: Callable[..., Any], lab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = f"http://127.0.0.1:{closed_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy)
    (lab / "genbib.toml").write_text(TOML.replace('sources = ["arxiv"]', ""))
    r = genbib("add", "2106.00001")
    assert r.code == 5, r.err
    assert "export.arxiv.org" in r.err and "api.openalex.org" in r.err
    assert "cannot connect" in r.err and "--offline" not in r.err


def test_dedupe_with_stdin_closed_exits_1_as_its_help_says(
    genbib: Callable[..., Any], lab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    before = (lab / "bib" / "genmodels.bib").read_bytes()
    r = genbib("dedupe")
    assert r.code == 1
    assert "error: no answer (standard input is closed); nothing was changed" in r.err
    assert "Aborted" not in r.err
    assert (lab / "bib" / "genmodels.bib").read_bytes() == before
    monkeypatch.setattr(sys, "stdin", io.StringIO("n\n"))
    r = genbib("dedupe")
    assert r.code == 1 and "error: declined; nothing was changed" in r.err


def test_an_os_error_that_escapes_the_library_is_not_a_bug(
    genbib: Callable[..., Any], lab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last resort: an OSError from anywhere is the environment's, exit 4, one line."""
    import errno

    import genbib.bibtex.store as store

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "/somewhere/file")

    monkeypatch.setattr(store, "format_file", full)
    r = genbib("fmt")
    assert r.code == 4
    assert r.err.startswith("error: /somewhere/file: cannot write: No space left on device; ")
    assert r.err.count("\n") == 1


@pytest.mark.parametrize("what", ["folder", "file"])
def test_a_read_only_bib_for_real(tmp_path: Path, what: str) -> None:
    """Real permissions: bib/ or the bib is not writable (root runs without its override)."""
    import shutil
    import subprocess
    import sys

    prefix: list[str] = []
    if os.geteuid() == 0:  # root writes everything unless it gives up CAP_DAC_OVERRIDE
        if shutil.which("setpriv") is None:
            pytest.skip("root without setpriv cannot drop its permission override")
        drop = "-dac_override,-dac_read_search"
        prefix = ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}"]
    root = tmp_path / "lab"
    (root / "bib").mkdir(parents=True)
    bib = root / "bib" / "genmodels.bib"
    bib.write_text(BIB)
    (root / "genbib.toml").write_text(TOML)
    protected = root / "bib" if what == "folder" else bib
    protected.chmod(0o555 if what == "folder" else 0o444)  # no lock, temp or rename there
    try:
        done = subprocess.run(
            [*prefix, sys.executable, "-m", "genbib", "rekey", "ho2020again", "ho2020again2"],
            cwd=root,
            env={**os.environ, "NO_COLOR": "1"},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        protected.chmod(0o755 if what == "folder" else 0o644)
    assert done.returncode == 4, done.stderr
    if what == "folder":
        assert done.stderr == (
            f"error: {bib}: cannot lock: Permission denied; check the permissions "
            f"(`ls -ld {bib.parent} {bib}`): replacing a file needs write access to its "
            f"folder; {bib} was not changed\n"
        )
    else:  # the folder would allow a rename, but the user protected the file
        assert done.stderr == (
            f"error: {bib}: is read-only (mode 444); genbib does not replace a protected "
            f"file; make it writable (`chmod u+w {bib}`) if it should change; {bib} was not "
            "changed\n"
        )
    assert bib.read_text() == BIB


def test_dedupe_below_dev_null_as_a_shell_runs_it(lab: Path) -> None:
    import subprocess
    import sys

    before = (lab / "bib" / "genmodels.bib").read_bytes()
    done = subprocess.run(
        f"{sys.executable} -m genbib dedupe </dev/null",
        shell=True,
        cwd=lab,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.endswith(
        "error: no answer (standard input is closed); nothing was changed; answer on a "
        "terminal, or pass --yes\n"
    )
    assert (lab / "bib" / "genmodels.bib").read_bytes() == before
