"""Fetching web pages and feeds over HTTP, politely and safely.

:class:`Fetcher` is what ``kg ingest URL`` and ``kg ingest --feed URL`` fetch through. Every
request, whatever asked for it (a URL on the command line, a link in a feed, a redirect):

* is ``http`` or ``https`` only (:data:`SCHEMES`): a feed that links to ``file:///etc/passwd``
  gets that item refused, never read;
* goes to a public address: the host is resolved and a loopback, private, link-local,
  multicast, reserved or unspecified address (:data:`REFUSED_ADDRESSES`) is refused unless
  ``allow_private`` (``--allow-private``), checked again on every redirect hop, which kg
  follows itself (at most :attr:`Policy.max_redirects`, loops named);
* says who it is (:data:`USER_AGENT`), has a timeout, and reads at most
  :attr:`Policy.max_bytes` of body (a bigger page is refused, not truncated);
* asks the site's ``robots.txt`` first (read once per site with Protego, Scrapy's parser)
  and is not made when it disallows kg;
* on ``429`` or ``503`` waits as ``Retry-After`` says (seconds or a date), else with
  doubling back-off, and tries again up to :attr:`Policy.retries` times; a site that asks
  for a longer wait than :attr:`Policy.max_wait` is reported, not waited for;
* may be conditional (``If-None-Match`` / ``If-Modified-Since`` from what the store
  remembers, :mod:`kg.feeds`): a ``304`` is :attr:`Fetched.not_modified`.

What cannot be fetched raises :class:`FetchFailed` with a reason a person can act on; the
caller reports it as that source's failure and goes on with the others.

The HTTP client is httpx (already kg's test client for the endpoint): timeouts, streaming
(so the size limit holds without reading the whole body) and no automatic redirects
(docs/decisions/0019-fetching.md).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from . import __version__
from .sources import MAX_FILE_BYTES

__all__ = ["Fetcher", "Fetched", "FetchFailed", "Policy", "SCHEMES", "USER_AGENT",
           "REFUSED_ADDRESSES", "is_url"]

#: The schemes kg fetches. Anything else (``file:``, ``ftp:``, ``data:``, ``javascript:``)
#: named on the command line, linked from a feed or sent as a redirect is refused.
SCHEMES = ("http", "https")
#: Who is asking: sites see kg's name and where to read about it.
USER_AGENT = f"kg/{__version__} (knowledge graph from news; +https://w3id.org/aikg)"
#: The product token robots.txt rules are matched against.
ROBOTS_AGENT = "kg"
#: Kinds of address kg does not connect to without ``--allow-private``: (the
#: :mod:`ipaddress` property, the words for it in the refusal).
REFUSED_ADDRESSES = (
    ("is_loopback", "a loopback address"),
    ("is_private", "a private address"),
    ("is_link_local", "a link-local address"),
    ("is_multicast", "a multicast address"),
    ("is_reserved", "a reserved address"),
    ("is_unspecified", "an unspecified address"),
)
#: Statuses that mean "later": retried after Retry-After or a back-off.
RETRY_STATUSES = (429, 503)
#: Statuses that redirect, to the URL in ``Location``.
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


def is_url(text: str) -> bool:
    """Whether a command-line source is a URL to fetch (``http://``, ``https://``) rather than
    a path."""
    return text.lower().startswith(tuple(f"{s}://" for s in SCHEMES))


class FetchFailed(Exception):
    """A URL that cannot be fetched; ``reason`` says why (and what to do, where there is
    something to do)."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


@dataclass(frozen=True)
class Policy:
    """How politely and how safely :class:`Fetcher` fetches."""

    allow_private: bool = False
    #: Seconds to connect, and between two reads of the response.
    timeout: float = 20.0
    #: Bytes of body read at most (the same bound as for a file).
    max_bytes: int = MAX_FILE_BYTES
    max_redirects: int = 5
    #: Further attempts after a 429 or 503.
    retries: int = 3
    #: Seconds of back-off before the first retry when the server does not say
    #: (doubled each time).
    backoff: float = 1.0
    #: The longest Retry-After kg waits for; a site asking more is reported instead.
    max_wait: float = 120.0
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Fetched:
    """One fetched URL: where it ended up (``url``, after redirects), its body and the
    validators for the next conditional request. ``not_modified``: the server answered 304
    (``content`` is empty)."""

    requested: str
    url: str
    content: bytes
    content_type: str = ""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False

    def text(self) -> str:
        """The body as text: the charset the server gave, else UTF-8, else Windows-1252."""
        for encoding in (self.charset, "utf-8"):
            if encoding:
                try:
                    return self.content.decode(encoding)
                except (UnicodeDecodeError, LookupError):
                    continue
        return self.content.decode("cp1252", errors="replace")


@dataclass
class Fetcher:
    """Fetches URLs under a :class:`Policy`; one per run (it keeps the connection pool and
    each site's robots.txt). Use it as a context manager, or :meth:`close` it."""

    policy: Policy = field(default_factory=Policy)
    #: What waits between retries (tests and callers may count the waits).
    sleep: Callable[[float], None] = time.sleep
    _robots: dict[str, Protego | None] = field(default_factory=dict, init=False)
    _client: httpx.Client | None = field(default=None, init=False)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                follow_redirects=False, timeout=self.policy.timeout, trust_env=False,
                headers={"User-Agent": self.policy.user_agent})
        return self._client

    # ----------------------------------------------------------------- public

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            accept: str = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5") -> Fetched:
        """Fetch ``url`` (conditionally when ``etag`` or ``last_modified`` is given), following
        redirects within the policy; raises :class:`FetchFailed`."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        hops = [url]
        current = url
        while True:
            self._check_target(current, hops)
            if not self._robots_allow(current):
                raise FetchFailed(url, f"robots.txt of {_origin(current)} disallows kg to "
                                       f"fetch {current}; not fetched")
            response, body = self._request(url, current, headers)
            if response.status_code in REDIRECT_STATUSES:
                location = response.headers.get("location")
                if not location:
                    raise FetchFailed(url, f"HTTP {response.status_code} redirect without a "
                                           "Location")
                target = urljoin(current, location.strip())
                if target in hops:
                    raise FetchFailed(url, "redirect loop: " + " -> ".join(hops + [target]))
                if len(hops) > self.policy.max_redirects:
                    raise FetchFailed(url, f"more than {self.policy.max_redirects} redirects "
                                           f"(last to {target}); not followed further")
                hops.append(target)
                current = target
                continue
            if response.status_code == 304:
                return Fetched(url, current, b"", not_modified=True,
                               etag=response.headers.get("etag") or etag,
                               last_modified=response.headers.get("last-modified")
                               or last_modified)
            if not 200 <= response.status_code < 300:
                raise FetchFailed(url, f"HTTP {response.status_code} "
                                       f"{response.reason_phrase}".rstrip()
                                  + (f" (at {current})" if current != url else ""))
            content_type = response.headers.get("content-type", "")
            return Fetched(url, current, body,
                           content_type=content_type.split(";")[0].strip().lower(),
                           charset=response.charset_encoding,
                           etag=response.headers.get("etag"),
                           last_modified=response.headers.get("last-modified"))

    # ----------------------------------------------------------------- checks

    def _check_target(self, url: str, hops: list[str]) -> None:
        """Refuse a URL of another scheme, without a host, or whose host resolves to an
        address :data:`REFUSED_ADDRESSES` names (unless the policy allows private ones)."""
        where = url if len(hops) == 1 else f"{url} (redirected from {hops[0]})"
        parts = urlsplit(url)
        if parts.scheme.lower() not in SCHEMES:
            raise FetchFailed(hops[0], f"not an http(s) URL: {where}; kg fetches only "
                                       f"{' and '.join(SCHEMES)}")
        host = parts.hostname
        if not host:
            raise FetchFailed(hops[0], f"no host in {where}")
        if self.policy.allow_private:
            return
        try:
            port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
            infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError, ValueError) as exc:
            raise FetchFailed(hops[0], f"cannot resolve {host}: {exc}") from exc
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            for prop, words in REFUSED_ADDRESSES:
                if getattr(address, prop):
                    raise FetchFailed(hops[0], (
                        f"{host} is {words} ({address}); kg does not fetch from private "
                        "networks unless told to: add --allow-private if you mean it"))

    def _robots_allow(self, url: str) -> bool:
        """Whether the site's robots.txt lets kg fetch ``url``. A site without one (4xx),
        or whose robots.txt cannot be fetched, allows everything."""
        origin = _origin(url)
        if origin not in self._robots:
            rules: Protego | None = None
            robots_url = origin + "/robots.txt"
            try:
                self._check_target(robots_url, [robots_url])
                response, body = self._request(robots_url, robots_url,
                                               {"Accept": "text/plain"})
                if response.status_code == 200:
                    rules = Protego.parse(body.decode("utf-8", errors="replace"))
            except FetchFailed:
                rules = None
            self._robots[origin] = rules
        rules = self._robots[origin]
        return rules is None or rules.can_fetch(url, ROBOTS_AGENT)

    # ----------------------------------------------------------------- one request

    def _request(self, url: str, current: str, headers: dict[str, str]
                 ) -> tuple[httpx.Response, bytes]:
        """One GET of ``current`` (no redirect followed), retried on 429/503 as the server
        asks; the response and its body (bounded by the policy)."""
        delay = self.policy.backoff
        for attempt in range(self.policy.retries + 1):
            try:
                with self.client.stream("GET", current, headers=headers) as response:
                    if (response.status_code in RETRY_STATUSES
                            and attempt < self.policy.retries):
                        wait = _retry_after(response.headers.get("retry-after"), delay)
                        if wait > self.policy.max_wait:
                            raise FetchFailed(url, (
                                f"HTTP {response.status_code}: the server asks to retry "
                                f"after {wait:.0f} s, longer than kg waits "
                                f"({self.policy.max_wait:.0f} s); try again later"))
                        self.sleep(wait)
                        delay *= 2
                        continue
                    return response, self._body(url, response)
            except httpx.TimeoutException as exc:
                raise FetchFailed(url, f"timed out after {self.policy.timeout:g} s "
                                       f"({type(exc).__name__})") from exc
            except httpx.HTTPError as exc:
                raise FetchFailed(url, f"cannot fetch {current}: {exc or type(exc).__name__}"
                                  ) from exc
        raise AssertionError("unreachable: the last attempt returns")  # pragma: no cover

    def _body(self, url: str, response: httpx.Response) -> bytes:
        limit = self.policy.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchFailed(url, _too_big(int(declared), limit))
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchFailed(url, _too_big(size, limit, at_least=True))
            chunks.append(chunk)
        return b"".join(chunks)


def _too_big(size: int, limit: int, *, at_least: bool = False) -> str:
    return (f"response too large: {'over ' if at_least else ''}{size / 1e6:.1f} MB (kg reads "
            f"up to {limit / 1e6:.0f} MB per page); not read")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date), else
    ``default``."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
