"""Find, canonicalize and classify URLs.

Notes glue URLs together (`...Xwhttps://github.com/...`), omit the scheme
(`github.com/x/y`), add trailing slashes and `.git`, and use `javascript:` or
`data:` links that must never reach the catalog. All URL handling lives here.
The functions of one URL are pure and remembered per URL: the same links recur
across the rows, entries and notes that mention a project.
"""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from .models import Url
from .rules import literal_gate

BARE_URL = re.compile(r"(?i:https?)://[^\s<>\"'\[\]{}|\\^`\u0080-\uffff]+")
"""An http(s) URL in running text; it stops at whitespace, brackets and any
non-ASCII character, because Chinese prose runs straight into URLs."""

GLUE = re.compile(r"(?<=.)(?=(?i:https?)://)")
"""Position where a second URL starts inside a first with no separator."""

KNOWN_HOST_URL = re.compile(
    r"(?<![\w./@-])(?i:www\.)?(?i:github\.com|gitee\.com|huggingface\.co|arxiv\.org|modelscope\.cn)/[^\s<>\"'\[\]{}|\\^`\u0080-\uffff]+"
)
"""A scheme-less URL on a host that only ever appears as a link."""

DOMAIN_ONLY = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|org|net|io|ai|cn|edu|dev|app|co|me|info|tech|xyz|top)(?:/\S*)?$", re.IGNORECASE)
"""A whole text that is a scheme-less domain (`gorilla.cs.berkeley.edu`)."""

PAREN_DOMAIN = re.compile(r"(?<=[(（])(?:[a-z0-9-]+\.)+(?:com|org|net|io|ai|cn)(?=[)）])", re.IGNORECASE)
"""A scheme-less domain alone in parentheses (`(lmflow.com)`)."""

SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
"""A URL that names its scheme (`mailto:`, `ftp:`, `https:`)."""

HTTP_SCHEME = re.compile(r"^https?://", re.IGNORECASE)

TRAILING = ".,;:!?'\"*"

ARTICLE_HOSTS = ("mp.weixin.qq.com", "zhuanlan.zhihu.com", "zhihu.com", "www.zhihu.com", "baijiahao.baidu.com",
                 "view.inews.qq.com", "medium.com", "kexue.fm", "www.easemob.com", "link.zhihu.com", "blog.csdn.net")
PAPER_HOSTS = ("arxiv.org", "aclanthology.org", "openreview.net", "www.sciencedirect.com", "papers.nips.cc")
REPO_HOSTS = ("github.com", "gitee.com", "gitlab.com")
HUB_HOSTS = ("huggingface.co", "modelscope.cn", "www.modelscope.cn")


URL_PATTERNS = tuple((pattern, literal_gate(pattern)) for pattern in (BARE_URL, KNOWN_HOST_URL, PAREN_DOMAIN))
"""The URL patterns in the order they claim text, each with the quick search a text must pass first (most have no URL)."""


def find_urls(text: str) -> list[tuple[int, int, str]]:
    """Return (start, end, url) for every URL written in `text`, glued ones split."""
    spans: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern, gate in URL_PATTERNS:
        if gate is not None and not gate.admits(text):
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            for piece_start, piece in _split_glued(match.group(), start):
                piece = _trim(piece)
                if piece and len(piece) > 4:
                    spans.append((piece_start, piece_start + len(piece), piece))
    return sorted(spans)


def _split_glued(url: str, offset: int) -> list[tuple[int, str]]:
    cuts = [0] + [m.start() for m in GLUE.finditer(url)] + [len(url)]
    return [(offset + a, url[a:b]) for a, b in zip(cuts, cuts[1:]) if b > a]


def _trim(url: str) -> str:
    while url and url[-1] in TRAILING:
        url = url[:-1]
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1]
    return url


@lru_cache(maxsize=1 << 16)
def canonical(url: str) -> str | None:
    """Return the canonical form of a URL, or None when it must not be emitted.

    Adds `https://` where the scheme is missing, lowercases the host, drops a
    trailing `/` and `.git`; keeps path case, query and fragment. Only http(s)
    URLs are emitted: `javascript:`, `data:`, `file:` and friends are refused.
    """
    url = url.strip().strip("<>")
    if not url.isprintable():  # zero-width characters (U+200B-U+200D, U+FEFF) included
        url = "".join(ch for ch in url if ch.isprintable())
    if not url:
        return None
    if SCHEME.match(url) and not HTTP_SCHEME.match(url):
        return None
    if not HTTP_SCHEME.match(url):
        url = "https://" + url.lstrip("/")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return None
    if not host or "." not in host or "" in host.split(".") or len(url) > 4096:
        return None  # `./source/figure.pptx` is a relative path: its `host` would be `.`
    scheme = parts.scheme.lower()
    # credentials (user:pass@) are dropped: a leak in a note, never part of a link's identity
    netloc = host.lower() + (f":{port}" if port else "")
    path = parts.path.rstrip("/")
    if path.endswith(".git"):
        path = path[:-4]
    out = f"{scheme}://{netloc}{path}"
    if parts.query:
        out += "?" + parts.query
    if parts.fragment:
        out += "#" + parts.fragment
    return out


@lru_cache(maxsize=1 << 16)
def domain(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


@lru_cache(maxsize=1 << 16)
def classify(url: str) -> str:
    """Type a canonical URL by where it points."""
    host = domain(url)
    path = urlsplit(url).path
    segments = [s for s in path.split("/") if s]
    if host in REPO_HOSTS:
        return "repository" if len(segments) >= 2 else "homepage"
    if host in HUB_HOSTS:
        if segments[:1] == ["datasets"]:
            return "dataset_hub"
        if segments[:1] == ["spaces"]:
            return "demo"
        if segments[:1] in (["blog"], ["docs"]):
            return "article"
        return "model_hub" if segments else "homepage"
    if host in PAPER_HOSTS or path.lower().endswith(".pdf"):
        return "paper"
    if host in ARTICLE_HOSTS or host.endswith(".zhihu.com") or "/blog" in path.lower() or host.startswith("blog."):
        return "article"
    if host.startswith(("chat.", "demo.")) or "ngrok" in host or host.endswith(".gradio.app"):
        return "demo"
    return "homepage" if not segments else "other"


@lru_cache(maxsize=1 << 16)
def make_url(raw: str) -> Url | None:
    url = canonical(raw)
    if url is None:
        return None
    return Url(url=url, domain=domain(url), type=classify(url))


IDENTITY_HOSTS = REPO_HOSTS + HUB_HOSTS
"""The hosts whose pages name a project by owner and name (repo_identity)."""


@lru_cache(maxsize=1 << 16)
def repo_identity(url: str) -> str | None:
    """Return `host/owner/name` (lowercase) for repository and model pages."""
    lowered = url.lower()
    if not any(host in lowered for host in IDENTITY_HOSTS):
        return None  # most URLs: their host (lowercased by urlsplit) cannot be one of these
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host  # as domain() has it, from the one split
    segments = [s for s in parts.path.split("/") if s]
    if host in REPO_HOSTS and len(segments) >= 2:
        return f"{host}/{segments[0].lower()}/{segments[1].lower()}"
    if host in HUB_HOSTS and len(segments) >= 2 and segments[0] not in ("datasets", "spaces", "blog", "docs", "papers", "models"):
        return f"{host}/{segments[0].lower()}/{segments[1].lower()}"
    return None


@lru_cache(maxsize=1 << 16)
def repo_name(url: str) -> str | None:
    """Return the project name a URL carries: the repo or model name, else the last path segment."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    host = domain(url)
    if host in REPO_HOSTS and len(segments) >= 2:
        return segments[1]
    if host in HUB_HOSTS and len(segments) >= 2:
        # `datasets/owner/name/tree/main` names `name`
        return segments[2] if segments[0] in ("datasets", "spaces") and len(segments) >= 3 else segments[1]
    return None
