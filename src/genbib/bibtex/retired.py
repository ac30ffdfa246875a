"""The record of retired citation keys: `genmodels.retired-keys.txt` beside the bib.

Keys are stable forever once written. When a key leaves the bib (its paper deleted by a
sync, by any genbib command, or by hand in a file genbib's sync knew), it is recorded
here and never given to another paper, so a document still citing it fails loudly (an
undefined citation) instead of silently citing something else. The record only grows.

It is committed with the bib, so every clone and machine avoids the same keys. Plain text,
one key per line, sorted, with the paper's title as a comment for the reviewer: the bytes
depend only on the set of keys (and their notes), a diff shows one added line per deleted
paper, and two clones' records merge as the union of their lines (git's `merge=union`).
Only the first word of a line is read; `#` lines and blank lines are comments.

The note also lets genbib recognise the paper when it comes back (a list re-imported,
`genbib add` of its arXiv id, a Zotero item): `Title (2020); arXiv:2006.11239; doi:10...`.
`note_parts` reads it back; older notes without identifiers are matched by title.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

from genbib.bibtex.io import write_if_changed
from genbib.errors import InputError
from genbib.model.entry import Entry
from genbib.model.untrusted import is_invisible

SUFFIX = ".retired-keys.txt"
HEADER = (
    "# Citation keys retired from {bib}: genbib never gives them to another paper.\n"
    "# One key per line (a comment after it names the paper); written by genbib, sorted;\n"
    "# commit it with the bib. To retire a key by hand, add it on a line of its own.\n"
)
_CONFLICT = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")
_SPACE = re.compile(r"\s+")
NOTE_MAX = 100  # the title part; the identifiers after it are never cut
_IDS = re.compile(r"(?:;\s*(?:arXiv|doi):\S+)+$")
_YEAR = re.compile(r"\s*\((\d{4})\)$")
_SUPERSEDED = "provisional, now {}: "
_SUPERSEDED_RE = re.compile(r"^provisional, now (\S+): ")


def retired_path(bib: Path) -> Path:
    """The record beside `bib` (`bib/genmodels.bib` -> `bib/genmodels.retired-keys.txt`)."""
    return bib.with_name(bib.stem + SUFFIX)


def parse(text: str, file: str = "") -> dict[str, str]:
    """Key -> note. The first line naming a key wins (a union merge may repeat keys)."""
    out: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith(_CONFLICT):
            raise InputError(
                f"{file}:{number}: unresolved git merge conflict in the retired-key record",
                hint="keep the lines of both sides (the record is a union) and remove the markers",
            )
        if not stripped or stripped.startswith("#"):
            continue
        key, _, rest = stripped.partition(" ")
        key, _, tab_rest = key.partition("\t")
        note = (rest or tab_rest).strip().removeprefix("#").strip()
        out.setdefault(key, note)
    return out


def dumps(record: Mapping[str, str], bib_name: str = "the bib") -> str:
    """Canonical text: the header, then one `key  # note` line per key, sorted."""
    lines = [HEADER.format(bib=bib_name)]
    for key in sorted(record, key=lambda k: (k.casefold(), k)):
        note = clean_note(record[key])
        lines.append(f"{key}  # {note}\n" if note else f"{key}\n")
    return "".join(lines)


def load(path: Path) -> dict[str, str]:
    """The record at `path` (empty when there is none yet)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}:{line}: not UTF-8 text; not a genbib retired-key record",
            hint="restore it from git",
        ) from None
    return parse(text, str(path))


def save(path: Path, record: Mapping[str, str], bib_name: str = "") -> bool:
    """Write the record atomically unless it holds exactly this already; True when written.

    Nothing is written for an empty record, so a bib that never lost a key has no sidecar.
    """
    if not record and not path.exists():
        return False
    return write_if_changed(
        path, dumps(record, bib_name or path.name.removesuffix(SUFFIX) + ".bib")
    )


def note(entry: Entry) -> str:
    """What the reader of a diff (and genbib, when the paper comes back) needs to recognise
    the paper: its title and year, then its arXiv id and DOI when it has them."""
    title = entry.title
    year = entry.year
    ids = "".join(
        f"; {name}:{value}" for name, value in (("arXiv", entry.arxiv), ("doi", entry.doi)) if value
    )
    return clean_note((f"{title} ({year})" if title and year else title) + ids)


def superseded_note(entry: Entry, new_key: str) -> str:
    """The note of a provisional key that became `new_key`: the paper lives on under
    `new_key`, so this key is not the one to recognise it by (`note_parts` says so)."""
    return clean_note(f"{_SUPERSEDED.format(new_key)}{note(entry)}")


def superseded_by(text: str) -> str:
    """The key that replaced this one (`superseded_note`), or ""."""
    m = _SUPERSEDED_RE.match(text.strip())
    return m.group(1) if m else ""


def note_parts(text: str) -> tuple[str, int | None, str | None, str | None]:
    """(title, year, arXiv id, DOI) of a note written by `note` (title cut at NOTE_MAX
    ends in `...`); a hand-written note is all title."""
    text = _SUPERSEDED_RE.sub("", text.strip())
    found = _IDS.search(text)
    arxiv = doi = None
    if found:
        for part in found.group().split(";"):
            name, _, value = part.strip().partition(":")
            if name == "arXiv":
                arxiv = value
            elif name == "doi":
                doi = value
        text = text[: found.start()].rstrip()
    year = None
    m = _YEAR.search(text)
    if m:
        year, text = int(m.group(1)), text[: m.start()]
    return text, year, arxiv, doi


def clean_note(text: str) -> str:
    """One line of plain text: no control, format (bidi, zero-width) or line characters;
    the part before the identifiers cut to NOTE_MAX characters."""
    kept = "".join(  # invisible as genbib.model.untrusted defines it; here a space
        " " if is_invisible(c) or unicodedata.category(c)[0] == "Z" else c
        for c in unicodedata.normalize("NFC", text)
    )
    kept = _SPACE.sub(" ", kept).strip()
    found = _IDS.search(kept)
    ids = found.group() if found else ""
    head = kept[: found.start()].rstrip() if found else kept
    if len(head) > NOTE_MAX:
        head = head[: NOTE_MAX - 3].rstrip() + "..."
    return head + ids
