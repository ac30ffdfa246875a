"""Links checked against the paper they are attached to.

Lists get links wrong in three ways that readers notice: a code link that points to
another paper's repository (copy-pasted rows), a repository that is gone, and a paper
link to another paper's page. Each is a finding with what genbib knows; only a renamed
repository is fixed silently (GitHub itself says where it moved). GitHub's answer also
gives the star count the rendered lists show beside the code badge (`stars`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from genbib.enrich import provenance
from genbib.enrich.apply import Change
from genbib.enrich.candidate import Candidate, RepoFacts
from genbib.enrich.guard import norm_title, title_score
from genbib.model import identifiers as ids
from genbib.model.entry import Entry, LinkKind
from genbib.model.problems import Problem, Severity

SAME_PAPER = 80.0  # titles this similar are versions of one paper, not unrelated papers
# `stars` is rewritten only when the count moved by more than this share (or is absent):
# a star count changes every day, and a bib that churns on every run hides real edits.
STARS_CHANGE = 0.10


def _p(e: Entry, code: str, msg: str, sev: Severity = Severity.WARNING) -> Problem:
    return Problem(code, msg, sev, e.file, e.line, e.key)


def repos_of(e: Entry) -> list[str]:
    out: list[str] = []
    for link in e.links():
        repo = ids.github_repo(link.url) if link.kind == LinkKind.CODE else None
        if repo and repo.lower() not in [r.lower() for r in out]:
            out.append(repo)
    return out


def claims(e: Entry, repo: str) -> bool:
    """Does the paper itself point at `repo`: its Hugging Face page named it, or the
    repository is named after the paper (its short name, or a word of its title)?"""
    if provenance.sources(e).get("code") == "huggingface":
        return True
    name = norm_title(repo.split("/")[-1]).replace(" ", "")
    words = {w for w in norm_title(f"{e.title} {e.get('shortname') or ''}").split() if len(w) > 2}
    short = norm_title(e.get("shortname") or "").replace(" ", "")
    return bool(name) and (name == short or name in words)


def check(entries: Sequence[Entry], library: Sequence[Entry]) -> list[Problem]:
    """Shared repositories and links to other papers' pages, for `entries`."""
    problems: list[Problem] = []
    by_repo: dict[str, list[Entry]] = defaultdict(list)
    by_arxiv: dict[str, Entry] = {}
    for e in library:
        for repo in repos_of(e):
            by_repo[repo.lower()].append(e)
        eprint = e.arxiv
        if eprint:
            by_arxiv.setdefault(eprint, e)
    selected = {id(e) for e in entries}
    for owners in by_repo.values():
        for e in owners:
            if id(e) not in selected:
                continue
            others = [
                o for o in owners if o is not e and title_score(o.title, e.title) < SAME_PAPER
            ]
            if not others:
                continue
            repo = next(r for r in repos_of(e) if any(r in repos_of(o) for o in others))
            if claims(e, repo):
                continue  # the paper's own page, or its name, says the repository is its own
            claimed = [o.key for o in others if claims(o, repo)]
            if claimed:
                problems.append(
                    _p(
                        e,
                        "link-shared-repo",
                        f"code link github.com/{repo} belongs to {', '.join(sorted(claimed))} "
                        f"(a different paper); this entry's code link is probably copied by mistake",
                    )
                )
                continue
            names = ", ".join(sorted(o.key for o in others))
            problems.append(
                _p(
                    e,
                    "link-shared-repo",
                    f"code link github.com/{repo} is also the code link of unrelated paper(s) "
                    f"{names}; check which paper it belongs to",
                )
            )
    for e in entries:
        own = e.arxiv
        for link in e.links():
            if link.kind == LinkKind.CODE or "arxiv.org" not in link.url.lower():
                continue
            other = ids.arxiv_id(link.url)
            if own and other and other != own:
                holder = by_arxiv.get(other)
                whose = f" (that is {holder.key})" if holder is not None and holder is not e else ""
                problems.append(
                    _p(
                        e,
                        "link-other-paper",
                        f"{link.kind.value} link {link.url} is arXiv {other}{whose}, "
                        f"but this entry is arXiv {own}",
                    )
                )
    return problems


def code_disagrees(e: Entry, hf: Candidate) -> list[Problem]:
    named = [ids.github_repo(link.url) for link in hf.links if link.kind == LinkKind.CODE]
    official = {r.lower() for r in named if r}
    linked = repos_of(e)
    if not official or not linked or any(r.lower() in official for r in linked):
        return []
    return [
        _p(
            e,
            "link-code-mismatch",
            f"the paper's Hugging Face page names github.com/{sorted(official)[0]}, "
            f"but the entry links github.com/{', github.com/'.join(linked)}",
        )
    ]


def repo_findings(e: Entry, facts: RepoFacts) -> list[Problem]:
    if not facts.exists:
        return [
            _p(
                e,
                "link-dead-repo",
                f"code link github.com/{facts.requested} does not exist (deleted or private)",
            )
        ]
    if facts.archived:
        return [
            _p(
                e,
                "link-archived-repo",
                f"github.com/{facts.full_name} is archived (read-only)",
                Severity.INFO,
            )
        ]
    return []


def follow_rename(e: Entry, facts: RepoFacts) -> list[Change]:
    """Point a code link at the repository's current name after a rename or transfer."""
    if not facts.exists or facts.full_name.lower() == facts.requested.lower():
        return []
    text = e.get("code") or ""
    urls = text.split()
    new = [
        f"https://github.com/{facts.full_name}"
        if (ids.github_repo(u) or "").lower() == facts.requested.lower()
        else u
        for u in urls
    ]
    if new == urls:
        return []
    e.set("code", " ".join(dict.fromkeys(new)))
    provenance.record(e, "code", "github")
    return [Change(e.key, "code", text, e.get("code") or "", "github")]


def update_stars(e: Entry, facts: RepoFacts) -> list[Change]:
    """Keep `stars` (the rendered lists' badge) for the repository of the entry's first
    code link, the one render shows it on; a small drift is left alone (STARS_CHANGE)."""
    if not facts.exists:
        return []
    first = next((link.url for link in e.links() if link.kind == LinkKind.CODE), "")
    repo = (ids.github_repo(first) or "").lower()
    if not repo or repo not in (facts.requested.lower(), facts.full_name.lower()):
        return []
    old_text = e.get("stars") or ""
    digits = old_text.strip().replace(",", "")
    old = int(digits) if digits.isdigit() else None
    if old is not None and abs(facts.stars - old) <= old * STARS_CHANGE:
        return []
    e.set("stars", str(facts.stars))
    provenance.record(e, "stars", "github")
    return [Change(e.key, "stars", old_text, str(facts.stars), "github")]
