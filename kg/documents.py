"""What is inside a text file besides the article: YAML front matter and HTML.

:func:`read_page` takes the article of a web page, its main text and its metadata, through
trafilatura: main-text extraction (no navigation, related-article boxes, captions, share
bars, comments or cookie banners) and metadata from meta tags, Open Graph and JSON-LD, with
the publication date from htmldate. :func:`front_matter` splits YAML front matter from a
text with python-frontmatter over PyYAML's safe loader. What is written here is the glue
(docs/decisions/0018-reading-with-libraries.md says why these libraries and what they
changed). :mod:`kg.sources` calls them for ``.md`` and ``.html`` files and for any text that
starts with ``---``; the URL fetcher calls :func:`read_page` on the pages it fetches.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import frontmatter
import yaml

from . import readers
from .language import detect

__all__ = ["front_matter", "Page", "read_page", "load_readers", "warm_up"]


@dataclass(frozen=True)
class Page:
    """The article a web page holds: its main text (what the extractor reads, and what
    evidence offsets refer to) and its metadata, each ``None`` where the page does not say."""

    text: str
    title: str = ""
    author: str | None = None
    date: str | None = None  # ISO 8601: a date, or a date-time with its offset
    url: str | None = None  # the canonical URL
    site: str | None = None
    language: str | None = None  # detected from the text (ISO 639-1), None if too short


#: htmldate's output: the date-time with its offset, so that a page's hour and zone survive.
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


def load_readers() -> None:
    """Load every reader's library (langid's model, dateparser's tables, trafilatura's and
    htmldate's first-call set-up; about 1 s of CPU once per process) before reading within
    a time budget. :func:`kg.sources.read_sources` loads each only when a source needs it
    (:mod:`kg.readers`); this loads them all at once."""
    readers.load()


@cache
def _furniture() -> list[str]:
    """XPath expressions for the blocks named in ``kg/data/page_furniture.txt``."""
    words = resources.files("kg").joinpath("data/page_furniture.txt").read_text("utf-8")
    names = [w.strip() for w in words.splitlines() if w.strip() and not w.startswith("#")]
    return [f"//*[contains(@class,'{w}') or contains(@id,'{w}')]" for w in names]


def _extract(html: str, url: str | None, prune: list[str] | None) -> Any:
    import trafilatura  # loaded on first use (kg.readers: "html")

    return trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True,
        include_images=False, favor_precision=True, deduplicate=False, prune_xpath=prune,
        date_extraction_params={"outputformat": _DATE_FORMAT, "original_date": True,
                                "extensive_search": False})


def read_page(page: str, *, url: str | None = None) -> Page:
    """The article of an HTML page (a saved file or a fetched one); ``url`` is where it
    came from, if known (a relative canonical link is resolved against it).

    The text is trafilatura's, one paragraph or heading a line, after cutting the blocks
    ``kg/data/page_furniture.txt`` names (a paywall notice); should that cut everything,
    the page is read without it. A page in which trafilatura finds no article (a fragment,
    a page of bare text) gives its whole text instead (``trafilatura.html2txt``), so that
    nothing readable is lost.
    """
    readers.need("html")
    return _read_page(page, url=url)


def warm_up() -> None:
    """Import trafilatura and htmldate and read one page (:mod:`kg.readers` calls this
    outside any article's time budget)."""
    _read_page("<html><body><article><p>Nvidia sells chips.</p></article></body></html>")


def _read_page(page: str, *, url: str | None = None) -> Page:
    """:func:`read_page`, its libraries loaded or loading (kg.readers)."""
    import trafilatura

    html = _unclosed_tags_as_text(page)
    if "<html" not in html[:2000].lower():  # a fragment: trafilatura wants a document
        html = f"<html><body>{html}</body></html>"
    doc = _extract(html, url, _furniture())
    if doc is None or not (doc.text or "").strip():
        doc = _extract(html, url, None)
    text = _lines(doc.text if doc is not None and doc.text else trafilatura.html2txt(html))
    meta: dict[str, Any] = doc.as_dict() if doc is not None else {}
    found = detect(text)
    return Page(
        text=text,
        title=" ".join((meta.get("title") or "").split()),
        author=meta.get("author") or None,
        date=_iso(meta.get("date")),
        url=meta.get("url") or url,
        site=meta.get("sitename") or None,
        language=found[0] if found else None,
    )


def _lines(text: str) -> str:
    """``text`` one stripped, non-empty line a paragraph, ending in a newline."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    kept = "\n".join(line for line in lines if line)
    return kept + "\n" if kept else ""


def _iso(date: str | None) -> str | None:
    """htmldate's ``2025-01-13T08:00:00+0800`` as ISO 8601 (``...+08:00``); a date with no
    time and no zone (``...T00:00:00``) as the date alone."""
    if not date:
        return None
    try:
        moment = dt.datetime.strptime(date, _DATE_FORMAT)
    except ValueError:
        try:
            moment = dt.datetime.strptime(date, "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            return date
    if moment.tzinfo is None and moment.time() == dt.time(0, 0):
        return moment.date().isoformat()
    return moment.isoformat()


# --------------------------------------------------------------------------- front matter

#: The opening fence of front matter: ``---`` alone on the first line.
_FENCE = re.compile(r"---[ \t]*(?:\n|$)")


def front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split YAML front matter from ``text``: ``({key: value}, rest)``.

    The front matter is YAML (python-frontmatter, PyYAML's safe loader: no objects are
    built from tags), so folded (``>-``) and quoted strings, lists and dates read as YAML
    says; values keep YAML's types (a ``date`` may be a :class:`datetime.date`). Text that
    does not start with a ``---`` line, whose front matter is never closed or is not a
    mapping (a horizontal rule), is returned unchanged. Front matter that is not valid
    YAML is a ``ValueError`` naming the line.

    >>> front_matter('---\\ntitle: >-\\n  A folded\\n  title\\ndate: 2024-12-08\\n---\\n\\nBody')
    ({'title': 'A folded title', 'date': datetime.date(2024, 12, 8)}, 'Body')
    """
    if not _FENCE.match(text):
        return {}, text
    handler = frontmatter.YAMLHandler()
    try:
        head, rest = handler.split(text)
    except ValueError:  # no closing fence
        return {}, text
    try:
        meta = handler.load(head)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise ValueError(f"front matter is not valid YAML{where}: {problem}; quote the "
                         "value, or remove the --- lines if it is not front matter") from exc
    if not isinstance(meta, dict) or not meta:
        return {}, text
    return {str(k): v for k, v in meta.items() if v not in (None, "")}, rest.lstrip("\n")


# --------------------------------------------------------------------------- HTML

#: A tag opener (``<a``) whose tag the next opener starts before any ``>`` or quote ends it.
_UNCLOSED_TAG = re.compile(r"<(?=[A-Za-z][^<>\"']*<[A-Za-z])")


def _unclosed_tags_as_text(page: str) -> str:
    """``page`` with each tag opener that no ``>`` closes before the next opener written
    as text (``&lt;``).

    html.parser looked for the end of every such tag up to the end of the page, so a page
    of 30,000 of them (``'<a ' * 30000``, 90 KB) took 133 s: quadratic. lxml is not
    (0.3 s), but reads them as tags, so their text would vanish; written as text, it is
    read. A real tag is closed by its ``>`` before the next one opens, except for a ``<``
    inside a quoted attribute value, which this leaves alone (a quote stops the
    look-ahead). What remains slow is bounded by the per-article time budget
    (:mod:`kg.budget`).

    >>> _unclosed_tags_as_text('<a <a <p>x</p> <img alt="a<b">')
    '&lt;a &lt;a <p>x</p> <img alt="a<b">'
    """
    return _UNCLOSED_TAG.sub("&lt;", page)
