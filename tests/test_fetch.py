"""kg.fetch and kg.feeds: ``kg ingest URL`` and ``kg ingest --feed URL`` against a real HTTP
server on 127.0.0.1 that each test starts (no other network), the real store and model.

The pages and feeds are written here, for these tests."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

import extract
from kg.cli import cli
from kg.feeds import canonical_url, url_article_id
from kg.fetch import Fetcher, FetchFailed, Policy
from kg.store import FETCHED_GRAPH, LocalStore


@pytest.fixture(autouse=True)
def _one_pipeline(nlp, monkeypatch):
    """`kg fetch` runs in this process (CliRunner): each run takes the session's pipeline
    instead of loading the model again (2 s each; what is tested here is the fetching)."""
    monkeypatch.setattr(extract, "load_pipeline", lambda model=None: nlp)

Response = tuple[int, dict[str, str], bytes]


class Site:
    """A small web site on 127.0.0.1: ``routes`` maps a path (query left out) to a
    response or to a function of the request handler giving one; ``hits`` counts the
    requests per path, ``answered_304`` the conditional requests answered Not Modified."""

    def __init__(self) -> None:
        self.routes: dict[str, Response | Callable[[BaseHTTPRequestHandler], Response]] = {}
        self.hits: Counter[str] = Counter()
        self.answered_304: Counter[str] = Counter()
        self.agents: set[str] = set()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = self.path.split("?", 1)[0]
                site.hits[path] += 1
                site.agents.add(self.headers.get("User-Agent", ""))
                route = site.routes.get(path, (404, {}, b"no such page"))
                status, headers, body = route(self) if callable(route) else route
                etag = headers.get("ETag")
                if etag and self.headers.get("If-None-Match") == etag:
                    site.answered_304[path] += 1
                    status, body = 304, b""
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def page(self, path: str, title: str, paragraphs: list[str], *, etag: str | None = None
             ) -> None:
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        html = (f"<html><head><title>{title}</title></head><body><nav>Home | World</nav>"
                f"<article><h1>{title}</h1>{body}</article></body></html>")
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if etag:
            headers["ETag"] = etag
        self.routes[path] = (200, headers, html.encode())


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    thread = threading.Thread(target=s.server.serve_forever, daemon=True)
    thread.start()
    yield s
    s.server.shutdown()
    s.server.server_close()


STORY = ["Nvidia agreed on Monday to sell its H20 chips to ByteDance, the company said.",
         "The deal was reported by analysts at a briefing in Santa Clara."]
OTHER = ["Microsoft will build a new data center in Wisconsin, the firm announced.",
         "The site will host AI accelerators from Nvidia and AMD."]
THIRD = ["TSMC opened a chip factory in Arizona this year.",
         "Apple and Nvidia are among its customers there."]


def kg(store: Path, *args: str) -> object:
    return CliRunner().invoke(cli, ["--store", str(store), *args], catch_exceptions=False)


def stored(store: Path) -> dict[str, str | None]:
    with LocalStore(store, read_only=True) as s:
        return {a.id: a.source_path for a in s.articles()}


# --------------------------------------------------------------------------- URLs


def test_fetch_two_urls_are_ingested_with_ids_from_their_urls(site: Site, tmp_path: Path) -> None:
    site.page("/news/h20-deal", "Nvidia sells H20 chips", STORY)
    site.page("/news/wisconsin", "A data center in Wisconsin", OTHER)
    urls = [site.url("/news/h20-deal"), site.url("/news/wisconsin")]
    result = kg(tmp_path / "s", "ingest", "--allow-private", *urls)
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output
    assert stored(tmp_path / "s") == {url_article_id(u): u for u in urls}
    assert all(agent.startswith("kg/") for agent in site.agents)
    result = kg(tmp_path / "s", "remove", urls[0] + "?utm_campaign=x")  # by its URL
    assert result.exit_code == 0, result.output
    assert stored(tmp_path / "s") == {url_article_id(urls[1]): urls[1]}


def test_fetch_a_loopback_url_is_refused_without_allow_private(site: Site, tmp_path: Path) -> None:
    site.page("/news/h20-deal", "Nvidia sells H20 chips", STORY)
    result = kg(tmp_path / "s", "ingest", site.url("/news/h20-deal"))
    assert result.exit_code == 1
    assert "127.0.0.1 is a loopback address" in result.output
    assert "--allow-private" in result.output
    assert site.hits["/news/h20-deal"] == 0


def test_fetch_a_failing_url_is_named_and_the_rest_are_ingested(site: Site, tmp_path: Path) -> None:
    site.page("/news/h20-deal", "Nvidia sells H20 chips", STORY)
    site.routes["/report.pdf"] = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.7")
    site.routes["/blob"] = (200, {}, b"\x89PNG\r\n\x1a\n\x00\x00")
    missing = site.url("/news/gone")
    result = kg(tmp_path / "s", "ingest", "--allow-private", missing,
                site.url("/report.pdf"), site.url("/blob"), site.url("/news/h20-deal"))
    assert result.exit_code == 1
    assert f"kg: skipped {missing}: HTTP 404 Not Found" in result.output
    assert f"kg: skipped {site.url('/report.pdf')}: not a web page (application/pdf)" in (
        result.output)
    assert f"kg: skipped {site.url('/blob')}: binary content" in result.output
    assert "1 added" in result.output and "3 failed" in result.output


def test_fetch_one_story_through_two_urls_is_one_article(site: Site, tmp_path: Path) -> None:
    site.page("/news/h20-deal", "Nvidia sells H20 chips", STORY)
    site.page("/news/h20-deal/amp", "Nvidia sells H20 chips", STORY)
    site.page("/partner/nvidia-h20", "Nvidia sells H20 chips", STORY)  # a syndicated copy
    canonical = site.url("/news/h20-deal")
    result = kg(tmp_path / "s", "ingest", "--allow-private",
                canonical + "?utm_source=newsletter&fbclid=abc#comments")
    assert result.exit_code == 0, result.output
    assert site.hits["/news/h20-deal"] == 1
    for url in (canonical, site.url("/news/h20-deal/amp"), site.url("/partner/nvidia-h20")):
        result = kg(tmp_path / "s", "ingest", "--allow-private", url)
        assert result.exit_code == 0, result.output
        assert "0 added" in result.output
    assert stored(tmp_path / "s") == {url_article_id(canonical): canonical}


def test_fetch_canonical_urls() -> None:
    base = "https://news.example.com/a/story"
    for form in (base + "?utm_source=x&utm_medium=y", base + "#top", base + "/amp",
                 "https://news.example.com/amp/a/story", base + "?amp=1&gclid=3",
                 "https://NEWS.example.com:443/a/story"):
        assert canonical_url(form) == base, form
    assert canonical_url(base + "?id=7") != base
    assert url_article_id(base) == url_article_id(canonical_url(base + "?fbclid=1"))
    assert url_article_id(base + "-x") != url_article_id(base + "/x")


# --------------------------------------------------------------------------- politeness


def test_fetch_429_with_retry_after_is_retried(site: Site) -> None:
    answers = iter([(429, {"Retry-After": "2"}, b"slow down"),
                    (503, {}, b"busy")])

    def busy_then_ok(handler: BaseHTTPRequestHandler) -> Response:
        return next(answers, (200, {"Content-Type": "text/html"}, b"<p>at last</p>"))

    site.routes["/busy"] = busy_then_ok
    waits: list[float] = []
    with Fetcher(Policy(allow_private=True, backoff=0.5), sleep=waits.append) as fetcher:
        fetched = fetcher.get(site.url("/busy"))
    assert fetched.content == b"<p>at last</p>"
    assert site.hits["/busy"] == 3
    assert waits == [2.0, 1.0]  # as asked, then the back-off (doubled after the first)


def test_fetch_a_retry_after_longer_than_kg_waits_is_reported(site: Site) -> None:
    site.routes["/later"] = (503, {"Retry-After": "3600"}, b"")
    with (Fetcher(Policy(allow_private=True), sleep=lambda s: None) as fetcher,
          pytest.raises(FetchFailed, match="retry after 3600 s, longer than kg waits")):
        fetcher.get(site.url("/later"))


def test_fetch_robots_txt_is_honoured(site: Site, tmp_path: Path) -> None:
    site.routes["/robots.txt"] = (200, {"Content-Type": "text/plain"},
                                  b"User-agent: kg\nDisallow: /private/\n")
    site.page("/private/memo", "A memo", STORY)
    site.page("/news/wisconsin", "A data center in Wisconsin", OTHER)
    result = kg(tmp_path / "s", "ingest", "--allow-private", site.url("/private/memo"),
                site.url("/news/wisconsin"))
    assert result.exit_code == 1
    assert "robots.txt" in result.output and "disallows kg" in result.output
    assert site.hits["/private/memo"] == 0
    assert site.hits["/robots.txt"] == 1  # once per site
    assert "1 added" in result.output


def test_fetch_redirects_are_bounded(site: Site) -> None:
    site.routes["/a"] = (302, {"Location": "/b"}, b"")
    site.routes["/b"] = (301, {"Location": site.url("/a")}, b"")
    for n in range(8):
        site.routes[f"/chain{n}"] = (302, {"Location": f"/chain{n + 1}"}, b"")
    with Fetcher(Policy(allow_private=True, max_redirects=5)) as fetcher:
        with pytest.raises(FetchFailed, match="redirect loop: .*/a -> .*/b -> .*/a"):
            fetcher.get(site.url("/a"))
        with pytest.raises(FetchFailed, match="more than 5 redirects"):
            fetcher.get(site.url("/chain0"))
    assert site.hits["/chain6"] == 0


def test_fetch_a_redirect_to_another_scheme_or_a_private_address_is_refused(site: Site) -> None:
    site.routes["/to-file"] = (302, {"Location": "file:///etc/passwd"}, b"")
    with (Fetcher(Policy(allow_private=True)) as fetcher,
          pytest.raises(FetchFailed, match="not an http.s. URL: file:///etc/passwd")):
        fetcher.get(site.url("/to-file"))


def test_fetch_a_page_over_the_size_limit_is_refused(site: Site) -> None:
    site.page("/big", "Big", ["word " * 2000])
    with (Fetcher(Policy(allow_private=True, max_bytes=5000)) as fetcher,
          pytest.raises(FetchFailed, match="response too large")):
        fetcher.get(site.url("/big"))


# --------------------------------------------------------------------------- feeds


def _rss(site: Site, items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(f"<item><title>{t}</title><link>{site.url(p)}</link><guid>{p}</guid>"
                      f"<pubDate>{d}</pubDate></item>" for p, t, d in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Chips</title>'
            f"<link>{site.base}</link><description>d</description>{entries}"
            f"</channel></rss>").encode()


def _atom(site: Site, items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(f'<entry><title>{t}</title><link href="{site.url(p)}"/><id>tag:x,2026:'
                      f"{p}</id><updated>2026-12-0{d}T10:00:00Z</updated></entry>"
                      for p, t, d in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Chips</title><id>tag:x,2026:feed</id><updated>2026-12-01T10:00:00Z"
            f"</updated>{entries}</feed>").encode()


def _json_feed(site: Site, items: list[tuple[str, str, str]]) -> bytes:
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Chips",
                       "items": [{"id": p, "url": site.url(p), "title": t,
                                  "date_modified": f"2026-12-0{d}T10:00:00Z"}
                                 for p, t, d in items]}).encode()


FEEDS = {
    "rss": (_rss, "application/rss+xml", ("Mon, 01 Dec 2026 10:00:00 GMT",
                                          "Tue, 02 Dec 2026 10:00:00 GMT")),
    "atom": (_atom, "application/atom+xml", ("1", "2")),
    "json": (_json_feed, "application/feed+json", ("1", "2")),
}


def _serve_feed(site: Site, kind: str, items: list[tuple[str, str, str]], etag: str) -> None:
    write, content_type, _ = FEEDS[kind]
    site.routes["/feed"] = (200, {"Content-Type": content_type, "ETag": etag},
                            write(site, items))


@pytest.mark.parametrize("kind", sorted(FEEDS))
def test_fetch_a_feed_is_ingested_once(site: Site, tmp_path: Path, kind: str) -> None:
    first, _ = FEEDS[kind][2]
    site.page("/news/h20-deal", "Nvidia sells H20 chips", STORY, etag='"p1"')
    site.page("/news/wisconsin", "A data center in Wisconsin", OTHER, etag='"p2"')
    _serve_feed(site, kind, [("/news/h20-deal", "Nvidia sells H20 chips", first),
                             ("/news/wisconsin", "A data center", first)], etag='"f1"')
    store = tmp_path / "s"
    result = kg(store, "ingest", "--allow-private", "--feed", site.url("/feed"))
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output
    assert set(stored(store)) == {url_article_id(site.url("/news/h20-deal")),
                                  url_article_id(site.url("/news/wisconsin"))}

    result = kg(store, "ingest", "--allow-private", "--feed", site.url("/feed"))
    assert result.exit_code == 0, result.output
    assert "0 added, 0 replaced" in result.output and "1 not modified" in result.output
    assert site.hits["/feed"] == 2 and site.answered_304["/feed"] == 1  # a conditional GET
    assert site.hits["/news/h20-deal"] == site.hits["/news/wisconsin"] == 1


def test_fetch_a_changed_item_replaces_its_article(site: Site, tmp_path: Path) -> None:
    old, new = FEEDS["rss"][2]
    site.page("/news/h20-deal", "Nvidia sells H20 chips", STORY, etag='"p1"')
    site.page("/news/wisconsin", "A data center in Wisconsin", OTHER, etag='"p2"')
    items = [("/news/h20-deal", "Nvidia sells H20 chips", old),
             ("/news/wisconsin", "A data center", old)]
    _serve_feed(site, "rss", items, etag='"f1"')
    store = tmp_path / "s"
    assert kg(store, "ingest", "--allow-private", "--feed", site.url("/feed")).exit_code == 0
    with LocalStore(store, read_only=True) as s:
        before = s.article(url_article_id(site.url("/news/wisconsin")))
    assert before is not None

    site.page("/news/wisconsin", "A data center in Wisconsin", OTHER + THIRD, etag='"p2b"')
    items[1] = ("/news/wisconsin", "A data center", new)
    items.append(("/news/arizona", "A fab in Arizona", new))
    site.page("/news/arizona", "A fab in Arizona", THIRD, etag='"p3"')
    _serve_feed(site, "rss", items, etag='"f2"')
    result = kg(store, "ingest", "--allow-private", "--feed", site.url("/feed"))
    assert result.exit_code == 0, result.output
    assert "1 added, 1 replaced" in result.output
    assert site.hits["/news/h20-deal"] == 1  # seen, unchanged in the feed: not fetched
    with LocalStore(store, read_only=True) as s:
        after = s.article(url_article_id(site.url("/news/wisconsin")))
        assert after is not None and after.sha256 != before.sha256
        assert len(s.articles()) == 3


def test_fetch_a_file_link_in_a_feed_is_refused(site: Site, tmp_path: Path) -> None:
    site.page("/news/h20-deal", "Nvidia sells H20 chips", STORY)
    feed = _rss(site, [("/news/h20-deal", "Nvidia", "Mon, 01 Dec 2026 10:00:00 GMT")]
                ).replace(b"</channel>", b"<item><title>x</title><link>file:///etc/passwd"
                                         b"</link></item></channel>")
    site.routes["/feed"] = (200, {"Content-Type": "application/rss+xml"}, feed)
    result = kg(tmp_path / "s", "ingest", "--allow-private", "--feed", site.url("/feed"))
    assert result.exit_code == 1
    assert "kg: skipped file:" in result.output and "a link of feed" in result.output
    assert "'file'" in result.output
    assert "1 added" in result.output


def test_fetch_feed_state_stays_out_of_the_data(site: Site, tmp_path: Path) -> None:
    site.page("/news/h20-deal", "Nvidia sells H20 chips", STORY, etag='"p1"')
    _serve_feed(site, "json", [("/news/h20-deal", "Nvidia", "1")], etag='"f1"')
    store = tmp_path / "s"
    assert kg(store, "ingest", "--allow-private", "--feed", site.url("/feed")).exit_code == 0
    with LocalStore(store, read_only=True) as s:
        remembered = s.fetched()
        assert remembered[site.url("/feed")]["etag"] == ['"f1"']
        assert remembered[site.url("/news/h20-deal")]["article"] == [
            url_article_id(site.url("/news/h20-deal"))]
        assert [a.id for a in s.articles()] == [url_article_id(site.url("/news/h20-deal"))]
        assert not any("system" in str(q.graph_name) for q in s.quads())
        ask = "ASK { ?s <https://w3id.org/aikg/system#url> ?o }"
        assert not s.query(ask)  # not merged into the default graph
        assert s.query(f"ASK {{ GRAPH <{FETCHED_GRAPH}> {{ ?s ?p ?o }} }}")
    out = tmp_path / "all.nq"
    assert kg(store, "export", "--format", "nquads", "-o", str(out)).exit_code == 0
    assert "system" not in out.read_text()


def test_fetch_a_failed_item_is_tried_again_on_the_next_run(site: Site, tmp_path: Path) -> None:
    day, _ = FEEDS["rss"][2]
    site.page("/news/h20-deal", "Nvidia sells H20 chips", STORY, etag='"p1"')
    _serve_feed(site, "rss", [("/news/h20-deal", "Nvidia", day),
                              ("/news/wisconsin", "A data center", day)], etag='"f1"')
    store = tmp_path / "s"
    result = kg(store, "ingest", "--allow-private", "--feed", site.url("/feed"))
    assert result.exit_code == 1 and "HTTP 404" in result.output
    site.page("/news/wisconsin", "A data center in Wisconsin", OTHER, etag='"p2"')
    result = kg(store, "ingest", "--allow-private", "--feed", site.url("/feed"))
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output
    assert site.answered_304["/feed"] == 0  # the feed was read again, not taken as unchanged
    assert site.hits["/news/h20-deal"] == 1  # the stored item was not fetched again


def test_fetch_a_page_not_in_english_is_reported(site: Site, tmp_path: Path) -> None:
    """The same rule as for files (kg.language): a page in German is named and skipped."""
    site.page("/de/nachricht", "Chips aus Taiwan", [
        "Der Halbleiterhersteller hat am Montag angekündigt, seine Fabrik in der Nähe von "
        "Dresden zu erweitern, um mehr Chips für Autos und Rechenzentren zu liefern.",
        "Die Regierung unterstützt das Vorhaben mit Subventionen, wie ein Sprecher des "
        "Ministeriums in Berlin sagte. Die Arbeiten sollen im nächsten Jahr beginnen."])
    site.page("/story/en", "Chips", STORY)
    result = kg(tmp_path / "s", "ingest", "--allow-private", site.url("/de/nachricht"),
                site.url("/story/en"))
    assert result.exit_code == 1
    assert "not in English (detected: de" in result.output
    assert result.stdout.startswith("1 added")
