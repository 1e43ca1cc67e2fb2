"""What a link into this site leads to today: fine, redirected (with the address to use now),
removed (with its replacement), broken, or a section that no longer exists.

A link is into this site when its host is the site's (``public_url``, the address it serves on,
``allowed_hosts``) or it is a path of the site's own (``/a/…``, ``/k/…`` typed without a host).
The answer comes from the catalog the reader may see — the same articles, old slugs
(kb.addresses), renamed anchors and removed articles (kb.removed) the site itself answers with
— so a scheduled check says exactly what a colleague clicking the link would get.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from .addresses import short_url
from .article import SUBPAGES, article_url

STATUSES = {"ok": "正常", "redirected": "已改地址", "removed": "已删除", "broken": "失效", "anchor": "小节不存在"}
FAILING = ("removed", "broken", "anchor")  # what makes `kb links` exit 1
# Pages of the site that are not articles (web/urls.py; a test keeps the list whole).
PAGES = frozenset({"", "search", "browse", "tags", "tag", "category", "type", "paths", "changes", "changes.atom",
                   "feed.atom", "sitemap.xml", "opensearch.xml", "login", "logout", "api", "static", "media", "healthz",
                   "links", "new", "import", "preview", "analytics", "analytics.csv", "synonyms", "users", "help",
                   "favicon.ico", "favicon.svg", "drafts", "review", "review.atom", "pins", "confirmations",
                   "confirmations.csv", "feedback", "feeds", "follow", "me", "folders"})
MAX_HOPS = 10


@dataclass(frozen=True)
class Checked:
    url: str
    where: str
    status: str  # one of STATUSES
    now: str = ""  # the address to use now (redirected), or the replacement's (removed)
    note: str = ""  # why, in Chinese

    @property
    def label(self) -> str:
        return STATUSES[self.status]

    @property
    def failing(self) -> bool:
        return self.status in FAILING


class LinkChecker:
    def __init__(self, catalog, site_url: str, hosts: tuple[str, ...] = ()):
        """``catalog``: what the reader may see (application.access); ``site_url``: the
        site's public address (Config.site_url); ``hosts``: more host names that are this site
        (``allowed_hosts``)."""
        self.catalog = catalog
        self.site_url = site_url.rstrip("/")
        own = urlsplit(self.site_url)
        self.netlocs = {own.netloc.lower()}
        self.hosts = {h.lower() for h in hosts if h and h != "*"} | {(own.hostname or "").lower()}

    def ours(self, url: str) -> bool:
        try:
            parts = urlsplit(url.strip())
        except ValueError:
            return False
        if not parts.scheme and not parts.netloc:
            return url.strip().startswith("/")
        if parts.scheme.lower() not in ("http", "https"):
            return False
        return parts.netloc.lower() in self.netlocs or (parts.hostname or "").lower() in self.hosts

    def check(self, url: str, where: str = "") -> Checked:
        parts = urlsplit(url.strip())
        segments = [unquote(s) for s in parts.path.split("/")[1:]]
        fragment = unquote(parts.fragment)
        head = segments[0] if segments else ""
        rest = [s for s in segments[1:] if s]
        if head == "a" and rest:
            return self._article(url, where, rest[0], rest[1] if len(rest) > 1 else "", fragment, by_number=False)
        if head == "k" and rest:
            return self._number(url, where, rest, fragment)
        if head == "paths" and rest:
            found = any(p.slug == rest[0] for p in self.catalog.paths)
            return Checked(url, where, "ok") if found else Checked(url, where, "broken", note=f"没有阅读路径 {rest[0]}")
        if head in PAGES:
            return Checked(url, where, "ok")
        return Checked(url, where, "broken", note="本站没有这个页面")

    def _number(self, url, where, rest, fragment) -> Checked:
        if not rest[0].isdigit():
            return Checked(url, where, "broken", note="短地址应为 /k/数字")
        entry = self.catalog.addresses.get(int(rest[0]))
        if entry is None:
            return Checked(url, where, "broken", note=f"没有编号为 {rest[0]} 的文章")
        return self._article(url, where, entry.slug, rest[1] if len(rest) > 1 else "", fragment, by_number=True)

    def _article(self, url, where, slug, sub, fragment, by_number) -> Checked:
        cat = self.catalog
        article = cat.get(slug) or cat.by_alias.get(slug) or cat.get(slug.lower()) or cat.by_alias.get(slug.lower())
        if article is None:
            return self._gone(url, where, slug)
        anchor = fragment or ("" if sub in SUBPAGES else sub)
        moved = article.slug != slug and not by_number
        entry = cat.address(article)
        base = short_url(entry.number) if by_number and entry else article_url(article.slug)
        if not anchor:
            return Checked(url, where, "redirected", self.site_url + base, f"文章的地址改了（现在是 {article_url(article.slug)}）") \
                if moved else Checked(url, where, "ok")
        now = cat.anchor_now(article, anchor)
        if not now:
            return Checked(url, where, "anchor", self.site_url + base,
                           f"《{article.title}》里已没有小节“{anchor}”，链接只会打开文章开头")
        if now == anchor and not moved:
            return Checked(url, where, "ok")
        address = self.site_url + (f"{base}/{now}" if sub and not fragment else f"{base}#{now}")
        why = "小节改了名" if now != anchor else f"文章的地址改了（现在是 {article_url(article.slug)}）"
        return Checked(url, where, "redirected", address, why)

    def _gone(self, url, where, slug) -> Checked:
        removal = self.catalog.removed.get(slug) or self.catalog.removed.get(slug.lower())
        if removal is None:
            entry = self.catalog.addresses.by_slug.get(slug)
            if entry is not None:
                return Checked(url, where, "removed", note=f"《{entry.title}》已从网站移走（没有记录替代文章）")
            return Checked(url, where, "broken", note=f"没有地址为 {slug} 的文章")
        replacement, seen = None, removal
        for _ in range(MAX_HOPS):
            if not seen.replaced_by:
                break
            replacement = self.catalog.get(seen.replaced_by)
            if replacement is not None:
                break
            seen = self.catalog.removed.get(seen.replaced_by)
            if seen is None:
                break
        why = f"《{removal.title}》已于 {removal.removed} 删除" + (f"（{removal.reason}）" if removal.reason else "")
        if replacement is None:
            return Checked(url, where, "removed", note=why + "，没有替代文章")
        return Checked(url, where, "removed", self.site_url + article_url(replacement.slug),
                       why + f"，由《{replacement.title}》代替")


@dataclass
class LinkReport:
    """The links into this site of one file (or list of URLs), checked; ``others`` links to
    other sites were not checked; ``error`` when the file could not be read."""

    name: str
    links: list[Checked]
    others: int = 0
    error: str = ""

    def count(self, status: str) -> int:
        return sum(1 for c in self.links if c.status == status)

    @property
    def failing(self) -> bool:
        return bool(self.error) or any(c.failing for c in self.links)
