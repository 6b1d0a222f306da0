"""Web pages and feeds -> :class:`~kg.sources.Article` records, and what the store remembers
of them.

``kg ingest URL...`` and ``kg ingest --feed URL`` read through :class:`WebSources`, which
yields an :class:`Article` or a :class:`SourceError` per page, lazily, as
:func:`kg.sources.read_sources` does for files, so :func:`kg.ingest.ingest_articles` takes
both alike and a feed of many items streams.

One story, one article. A page's article id comes from its canonical URL
(:func:`canonical_url`: the page's own ``<link rel=canonical>`` on the same site, else the
URL it was fetched from, less tracking parameters, fragment and AMP forms), as a readable
slug of host and path with a short hash of the whole URL (:func:`url_article_id`): the same
canonical URL gives the same id on every run, so a changed page replaces its article. A
page whose text is exactly that of a stored article (a syndicated copy) is that article.

What a run remembers (in the store's :data:`kg.store.FETCHED_GRAPH`, not a side file): per
URL its ``ETag`` and ``Last-Modified`` (the next request is conditional: a ``304`` costs no
reading) and the article it became; per feed, the items already ingested (with their
``updated`` stamp), so an hourly ``kg ingest --feed URL`` fetches only new or updated items.
:meth:`WebSources.remember` writes it after the articles are stored, and only for pages
whose article the store then holds: a run killed half-way marks nothing it did not store.

Feeds: RSS 2.0 and Atom through feedparser (the maintained parser of both, in all their
dialects), JSON Feed 1.x with :mod:`json` (a plain JSON object; :data:`FEED_FORMATS`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from .budget import OverBudget, time_limit
from .documents import load_readers, read_page
from .errors import SourceError
from .fetch import SCHEMES, Fetched, Fetcher, FetchFailed
from .language import not_english
from .sources import MAX_TEXT_CHARS, Article
from .vocab import slug

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

__all__ = ["WebSources", "FeedItem", "clean_url", "canonical_url", "url_article_id", "parse_feed",
           "FEED_FORMATS", "PAGE_TYPES"]

log = logging.getLogger(__name__)

#: Content types read as a web page (anything else, a PDF or an image, is reported).
PAGE_TYPES = ("text/html", "application/xhtml+xml", "")
#: Query parameters that make a URL an AMP copy of its page (``?amp``, ``?amp=1``,
#: ``?outputType=amp``).
_AMP_QUERY = {"amp", "outputtype"}
#: Path forms of AMP copies: ``/amp/story``, ``/story/amp``, ``/story.amp.html``.
_AMP_PATH = (
    (re.compile(r"^/amp(/.+)$"), r"\1"),
    (re.compile(r"^(/.+?)/amp/?$"), r"\1"),
    (re.compile(r"^(/.+)\.amp(\.html?)$"), r"\1\2"),
)
#: Characters of the readable part of a URL article id.
_ID_CHARS = 80


def clean_url(url: str) -> str:
    """``url`` without what only tracks the reader: tracking parameters (``utm_*``,
    ``fbclid``, ``gclid``...) and the fragment, by courlan; host lower-cased, default port
    dropped, query sorted. What kg requests.

    >>> clean_url("https://News.example.com:443/a/story?utm_source=rss&b=2&a=1#top")
    'https://news.example.com/a/story?a=1&b=2'
    """
    from courlan import normalize_url

    try:
        url = normalize_url(url)
    except (ValueError, AttributeError):  # courlan gives up on some malformed URLs
        pass
    parts = urlsplit(url)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query,
                       ""))


def canonical_url(url: str) -> str:
    """The canonical form of a page URL: :func:`clean_url`, with AMP forms undone
    (``/amp/story``, ``/story/amp``, ``story.amp.html``, ``?amp=1``, an ``amp.`` host).
    What the article id is made of.

    >>> canonical_url("https://News.example.com:443/a/story/amp?utm_source=rss&b=2&a=1#top")
    'https://news.example.com/a/story?a=1&b=2'
    """
    parts = urlsplit(clean_url(url))
    path = parts.path
    for pattern, repl in _AMP_PATH:
        path = pattern.sub(repl, path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not (k.lower() in _AMP_QUERY and v.lower() in ("", "1", "amp", "true"))]
    host = parts.netloc.removeprefix("amp.")
    return urlunsplit((parts.scheme, host, path, urlencode(query), ""))


def url_article_id(url: str) -> str:
    """The article id of a canonical URL: a slug of host and path (``www.`` and a trailing
    ``index.html`` left out, cut to 80 characters) and 8 hex digits of the SHA-256 of the
    whole URL, which keep apart URLs whose slugs meet (``/a-b`` and ``/a/b``, a query).

    >>> url_article_id("https://www.example.com/news/2026/chip-deal.html")
    'example.com_news_2026_chip-deal.html-69ab7ffa'
    """
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    path = re.sub(r"/index\.html?$", "/", parts.path)
    readable = slug(f"{host}/{path.strip('/')}".replace("/", "_"), keep="_.")[:_ID_CHARS]
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:8]
    return f"{readable.strip('-_.')}-{digest}"


# --------------------------------------------------------------------------- feeds


@dataclass(frozen=True)
class FeedItem:
    """One item of a feed: its ``key`` (its id, else its link), the page it links to and
    when it was last updated, if the feed says."""

    key: str
    link: str
    updated: str | None = None

    @property
    def stamp(self) -> str:
        """What the store remembers of a seen item: its key and update stamp."""
        return f"{self.key}\t{self.updated or ''}"


def _is_json_feed(fetched: Fetched) -> bool:
    return ("json" in fetched.content_type
            or fetched.content.lstrip()[:1] == b"{")


def _json_feed(fetched: Fetched) -> list[FeedItem]:
    """The items of a JSON Feed (https://jsonfeed.org/version/1.1): ``items[]`` with ``id``,
    ``url`` (else ``external_url``) and ``date_modified`` (else ``date_published``)."""
    try:
        feed = json.loads(fetched.content)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"not valid JSON: {exc}") from exc
    if not isinstance(feed, dict) or not isinstance(feed.get("items"), list):
        raise ValueError("a JSON document without an 'items' list, not a JSON Feed")
    items = []
    for entry in feed["items"]:
        if not isinstance(entry, dict):
            continue
        link = entry.get("url") or entry.get("external_url")
        if not isinstance(link, str) or not link:
            continue
        updated = entry.get("date_modified") or entry.get("date_published")
        key = entry.get("id")
        items.append(FeedItem(str(key) if key not in (None, "") else link,
                              urljoin(fetched.url, link.strip()),
                              str(updated) if updated else None))
    return items


def _rss_or_atom(fetched: Fetched) -> list[FeedItem]:
    """The items of an RSS or Atom feed, by feedparser (given the bytes: it fetches
    nothing itself)."""
    import feedparser

    parsed = feedparser.parse(fetched.content,
                              response_headers={"content-location": fetched.url})
    if not parsed.get("version") and not parsed.entries:
        why = parsed.get("bozo_exception")
        raise ValueError("not an RSS, Atom or JSON feed" + (f" ({why})" if why else ""))
    items = []
    for entry in parsed.entries:
        link = entry.get("link") or next(
            (li.get("href") for li in entry.get("links", []) if li.get("href")), None)
        if not link:
            continue
        link = urljoin(fetched.url, link.strip())
        # dict.get: FeedParserDict's own maps a missing "updated" to "published" with a
        # DeprecationWarning; kg asks for each itself
        updated = dict.get(entry, "updated") or dict.get(entry, "published")
        items.append(FeedItem(dict.get(entry, "id") or link, link, updated))
    return items


#: Feed formats, tried in order: (name, whether a fetched document is one, its items).
FEED_FORMATS: tuple[tuple[str, Callable[[Fetched], bool],
                          Callable[[Fetched], list[FeedItem]]], ...] = (
    ("JSON Feed", _is_json_feed, _json_feed),
    ("RSS/Atom", lambda fetched: True, _rss_or_atom),
)


def parse_feed(fetched: Fetched) -> list[FeedItem]:
    """The items of a fetched feed, in the feed's order; raises ValueError with the reason
    when it is not a feed kg reads."""
    for _name, matches, items in FEED_FORMATS:
        if matches(fetched):
            return items(fetched)
    raise ValueError("not a feed")  # pragma: no cover - the last format takes anything


# --------------------------------------------------------------------------- sources


@dataclass
class WebSources:
    """The pages of URLs and feeds as articles, fetched lazily through ``fetcher``, with what
    the store remembers of them (see the module docstring). Iterate :meth:`items`, ingest
    them, then call :meth:`remember`."""

    store: Store
    fetcher: Fetcher
    #: CPU seconds to read one page (:func:`kg.budget.time_limit`); None: no limit.
    seconds: float | None = None
    #: Pages answered 304 Not Modified, and feed items left alone as already seen.
    not_modified: int = 0
    seen_items: int = 0
    _known: dict[str, dict[str, list[str]]] = field(default_factory=dict, init=False)
    _by_sha: dict[str, str] = field(default_factory=dict, init=False)
    _pending: dict[str, dict[str, list[str]]] = field(default_factory=dict, init=False)
    _expected: dict[str, tuple[str, str]] = field(default_factory=dict, init=False)
    _feeds: dict[str, tuple[dict[str, list[str]], dict[str, str]]] = field(
        default_factory=dict, init=False)
    _done: dict[str, str | None] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self._known = self.store.fetched()
        self._by_sha = {info.sha256: info.id for info in self.store.articles()
                        if info.sha256}

    def items(self, urls: Iterable[str] = (), feeds: Iterable[str] = ()
              ) -> Iterator[Article | SourceError]:
        """The article (or the failure) of each URL, then of each new or updated item of
        each feed."""
        for url in urls:
            item = self._page(url, url)
            if item is not None:
                yield item
        for feed in feeds:
            yield from self._feed(feed)

    # ----------------------------------------------------------------- feeds

    def _feed(self, feed_url: str) -> Iterator[Article | SourceError]:
        known = self._known.get(feed_url, {})
        try:
            fetched = self.fetcher.get(
                feed_url, etag=_first(known.get("etag")),
                last_modified=_first(known.get("lastModified")),
                accept="application/rss+xml, application/atom+xml, application/feed+json, "
                       "application/json;q=0.9, application/xml;q=0.8, */*;q=0.5")
        except FetchFailed as exc:
            yield SourceError(feed_url, exc.reason)
            return
        if fetched.not_modified:
            log.info("%s: not modified since the last run", feed_url)
            self.not_modified += 1
            return
        try:
            entries = parse_feed(fetched)
        except ValueError as exc:
            yield SourceError(feed_url, f"cannot read the feed: {exc}")
            return
        seen = set(known.get("item", []))
        seen_keys = {stamp.split("\t", 1)[0] for stamp in seen}
        # remembered once its new items are stored: validators, and the item stamps
        self._feeds[feed_url] = ({"etag": _listed(fetched.etag),
                                  "lastModified": _listed(fetched.last_modified)},
                                 {})
        stamps = self._feeds[feed_url][1]
        for entry in entries:
            if entry.stamp in seen or (entry.updated is None and entry.key in seen_keys):
                self.seen_items += 1
                stamps[entry.stamp] = ""  # kept as seen
                continue
            scheme = urlsplit(entry.link).scheme.lower()
            if scheme not in SCHEMES:
                yield SourceError(entry.link, (
                    f"a link of feed {feed_url} with scheme {scheme or '(none)'!r}; kg "
                    f"fetches only {' and '.join(SCHEMES)} links from a feed: not read"))
                continue
            stamps[entry.stamp] = entry.link
            item = self._page(entry.link, f"{entry.link} (item of {feed_url})")
            if item is not None:
                yield item

    # ----------------------------------------------------------------- pages

    def _page(self, url: str, where: str) -> Article | SourceError | None:
        """The article of one page, its failure, or None when it needs no ingesting (not
        modified, or met before in this run)."""
        request = clean_url(url) if urlsplit(url).scheme.lower() in SCHEMES else url
        if request in self._done:
            log.info("%s: met before in this run, as %s", url, self._done[request])
            return None
        self._done[request] = None
        known = self._known.get(request, {})
        try:
            fetched = self.fetcher.get(request, etag=_first(known.get("etag")),
                                       last_modified=_first(known.get("lastModified")))
        except FetchFailed as exc:
            return SourceError(url, exc.reason)
        if fetched.not_modified:
            self.not_modified += 1
            self._done[request] = _first(known.get("article"))
            return None
        load_readers()  # once per process, outside the page's time budget
        try:
            with time_limit(self.seconds):
                article = self._article(url, fetched)
        except OverBudget:
            return SourceError(url, f"over the per-article time budget of {self.seconds:g} s "
                                    "of CPU (reading); raise it with --article-timeout")
        except Exception as exc:  # noqa: BLE001 - whatever it is, it is this page's failure
            log.debug("reading %s failed", where, exc_info=True)
            return SourceError(url, f"cannot read as HTML: {exc or type(exc).__name__}")
        if isinstance(article, SourceError):
            return article
        if any(article.id == done for done in self._done.values()):
            log.info("%s: the same article as one met before in this run (%s)", url,
                     article.id)
            self._done[request] = article.id
            return None
        self._done[request] = article.id
        self._by_sha.setdefault(article.sha256, article.id)
        self._expected[request] = (article.id, article.sha256)
        self._pending[request] = {"etag": _listed(fetched.etag),
                                  "lastModified": _listed(fetched.last_modified),
                                  "article": [article.id]}
        return article

    def _article(self, url: str, fetched: Fetched) -> Article | SourceError:
        if fetched.content_type not in PAGE_TYPES and not fetched.content_type.startswith(
                "text/"):
            return SourceError(url, f"not a web page ({fetched.content_type}); kg reads "
                                    "HTML pages")
        if b"\x00" in fetched.content[:4096]:  # a server that does not say what it sends
            return SourceError(url, "binary content (NUL bytes), not a web page")
        page = read_page(fetched.text(), url=fetched.url)
        text = page.text
        foreign = not_english(text)  # the same rule as for files: kg.language
        if foreign:
            return SourceError(url, foreign)
        if not text.strip():
            return SourceError(url, "no article text on the page")
        if len(text) > MAX_TEXT_CHARS:
            return SourceError(url, (
                f"article text too long: {len(text):,} characters (kg takes up to "
                f"{MAX_TEXT_CHARS:,} per article)"))
        canonical = canonical_url(_same_site(page.url, fetched.url) or fetched.url)
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        article_id = url_article_id(canonical)
        stored = self._by_sha.get(sha)
        if stored is not None and stored != article_id:
            log.info("%s: the same text as article %s; that article", url, stored)
            article_id = stored
        return Article(id=article_id, title=page.title or canonical, text=text,
                       source_path=canonical, date=page.date, sha256=sha, url=canonical)

    # ----------------------------------------------------------------- state

    def remember(self) -> int:
        """Write what this run fetched and the store now holds into its system graph: each
        page stored (or unchanged) with its validators, each feed with its validators and
        the items whose page is stored. Returns the number of URLs remembered."""
        stored = {info.id: info.sha256 for info in self.store.articles()}
        records: dict[str, dict[str, list[str]]] = {}
        kept: set[str] = set()
        for request, (article_id, sha) in self._expected.items():
            if stored.get(article_id) == sha:
                records[request] = self._pending[request]
                kept.add(request)
        for feed_url, (validators, stamps) in self._feeds.items():
            ok = [stamp for stamp, link in stamps.items()
                  if not link or clean_url(link) in kept
                  or (self._done.get(clean_url(link)) is not None
                      and clean_url(link) not in self._expected)]
            # the feed's validators only when every item is in: else the next run would get
            # a 304 and never see the items that failed this time
            complete = len(ok) == len(stamps)
            records[feed_url] = {**(validators if complete else {}), "item": sorted(ok)}
        self.store.remember_fetched(records)
        return len(records)


def _same_site(canonical: str | None, fetched_url: str) -> str | None:
    """The page's canonical URL when it is an http(s) URL on the site the page came from
    (``www.`` aside); another site's URL is not trusted to name this page's article."""
    if not canonical:
        return None
    canonical = urljoin(fetched_url, canonical)
    theirs, ours = urlsplit(canonical), urlsplit(fetched_url)
    if theirs.scheme.lower() not in SCHEMES:
        return None
    host = (theirs.hostname or "").removeprefix("www.")
    return canonical if host == (ours.hostname or "").removeprefix("www.") else None


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None


def _listed(value: str | None) -> list[str]:
    return [value] if value else []
