"""Classify a list's links: paper page, pdf, code, project, blog, video, other.

The label helps ("[code]", a "GitHub" badge, "[Project]") but the URL decides when it
is unambiguous: an arXiv abs/pdf/html link is the paper whatever its label says, and a
label that promises arXiv on a URL that is not arXiv is itself a finding. Only http(s)
links are kept; relative links (local notes), anchors and javascript:/data: links are
reported and dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from genbib.model import identifiers as ids
from genbib.model.entry import Link, LinkKind

_PROCEEDINGS_HOSTS = (
    "proceedings.neurips.cc", "papers.nips.cc", "papers.neurips.cc", "proceedings.mlr.press",
    "openaccess.thecvf.com", "ecva.net", "www.ecva.net", "aclanthology.org", "ojs.aaai.org",
    "ijcai.org", "www.ijcai.org", "jmlr.org", "www.jmlr.org", "ieeexplore.ieee.org",
    "dl.acm.org", "link.springer.com", "www.sciencedirect.com", "doi.org", "dx.doi.org",
    "www.nature.com", "science.org", "www.science.org", "openreview.net", "arxiv.org",
    "www.semanticscholar.org", "papers.cool",
)  # fmt: skip
_CODE_HOSTS = (
    "github.com",
    "gitlab.com",
    "git.io",
    "www.git.io",
    "bitbucket.org",
    "huggingface.co",
    "colab.research.google.com",
)
_VIDEO_HOSTS = (
    "youtube.com",
    "www.youtube.com",
    "youtu.be",
    "m.youtube.com",
    "bilibili.com",
    "www.bilibili.com",
    "vimeo.com",
)
_BLOG_HOSTS = (
    "medium.com",
    "mp.weixin.qq.com",
    "zhuanlan.zhihu.com",
    "substack.com",
    "lilianweng.github.io",
)
_PAPER_LABELS = ("arxiv", "paper", "pdf", "openreview", "proceedings")


@dataclass(frozen=True, slots=True)
class Classified:
    link: Link | None  # None: not kept
    problem: str = ""  # a reason to report (code, message) as "code|message"


@lru_cache(maxsize=65536)  # pure, and asked twice per link (non-paper test, then build)
def classify(label: str, url: str) -> Classified:
    url = url.strip()
    low_label = label.lower().strip(" []()")
    if not url:
        return Classified(
            None, "I-empty-link|empty link target `()`" + (f" for {label!r}" if label else "")
        )
    if url.startswith("#"):
        return Classified(None)
    scheme = urlsplit(url).scheme.lower()
    if scheme and scheme not in ("http", "https"):
        return Classified(
            None, f"I-unsafe-link|{scheme}: link dropped (only http(s) links are kept)"
        )
    if not ids.is_http_url(url):
        return Classified(None, f"I-local-link|relative link {url!r} (local notes) not imported")
    host = urlsplit(url).netloc.lower()
    path = urlsplit(url).path.lower()
    arxiv = ids.arxiv_id(url) if "arxiv.org" in host else None
    if arxiv:
        return Classified(Link(LinkKind.PAPER, f"https://arxiv.org/abs/{arxiv}"))
    forum = ids.openreview_id(url) if "openreview.net" in host else None
    if forum:
        return Classified(Link(LinkKind.PAPER, f"https://openreview.net/forum?id={forum}"))
    problem = ""
    if "arxiv" in low_label and "arxiv.org" not in host:
        problem = f"I-link-label|link labelled {label!r} does not point to arXiv but to {host}"
    if host in _VIDEO_HOSTS or "video" in low_label or "/zvideo/" in path:
        return Classified(Link(LinkKind.VIDEO, url), problem)
    if any(host == h or host.endswith("." + h) for h in _CODE_HOSTS):
        repo = ids.github_repo(url)
        kind = LinkKind.CODE
        if host.endswith("huggingface.co") and "/spaces/" not in path:
            kind = LinkKind.OTHER
        return Classified(
            Link(kind, f"https://github.com/{repo}" if repo and path.count("/") <= 2 else url),
            problem,
        )
    if host in _BLOG_HOSTS or "blog" in low_label or "/blog" in path or host.startswith("blog."):
        return Classified(Link(LinkKind.BLOG, url), problem)
    if host in _PROCEEDINGS_HOSTS or any(w in low_label for w in _PAPER_LABELS):
        kind = LinkKind.PDF if path.endswith(".pdf") else LinkKind.PAPER
        return Classified(Link(kind, url), problem)
    if path.endswith(".pdf"):
        return Classified(Link(LinkKind.PDF, url), problem)
    if host.endswith(".github.io") or any(
        w in low_label for w in ("project", "page", "website", "home", "demo")
    ):
        return Classified(Link(LinkKind.PROJECT, url), problem)
    return Classified(Link(LinkKind.OTHER, url), problem)


_SLUG_SPLIT = re.compile(r"[-_]+")
_STOP = frozenset(
    """the a an of for with and to in on via from by is are using model models paper pdf main code
    pytorch torch tensorflow jax keras paddle official unofficial implementation impl minimal
    simple awesome release public repo demo""".split()
)
_WORD = re.compile(r"[a-z0-9]+")


def slug_words(url: str) -> set[str]:
    """Words of a URL's last path part when it is a hyphenated phrase (a paper's slug)."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if not parts:
        return set()
    last = re.sub(r"\.(pdf|html?|md)$", "", parts[-1].lower())
    words = [w for w in _SLUG_SPLIT.split(last) if w.isalpha() and len(w) > 2 and w not in _STOP]
    # Two or more real words: a phrase (not an author-year id, a hash or a number).
    return set(words) if len(words) >= 2 else set()


def names_other_paper(url: str, title: str, shortname: str) -> bool:
    """True when the URL's slug is a phrase sharing no word with the paper's title or name."""
    words = slug_words(url)
    if not words:
        return False
    own = set(_WORD.findall(f"{title} {shortname}".lower()))
    return not any(
        w in own or any(o.startswith(w) or w.startswith(o) for o in own if len(o) > 3)
        for w in words
    )
