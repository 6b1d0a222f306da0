"""What is inside a text file besides the article: Markdown front matter and HTML.

:func:`front_matter` splits YAML-style front matter (``title``, ``date``...) from the text;
:func:`html_text` takes the title and the readable text of an HTML page, one line per
paragraph or heading, without scripts, styles, navigation, headers, footers and asides
(standard library ``html.parser``, no network, no third-party parser). :mod:`kg.sources`
calls them for ``.md`` and ``.html`` files and for any text that starts with ``---``.
"""

from __future__ import annotations

import html.parser
import re
from dataclasses import dataclass

__all__ = ["front_matter", "html_text", "Page", "read_page"]


@dataclass(frozen=True)
class Page:
    """The article a web page holds: its main text (what the extractor reads, and what
    evidence offsets refer to) and its metadata, each ``None`` where the page does not say."""

    text: str
    title: str = ""
    author: str | None = None
    date: str | None = None  # as the page gives it; kg.sources reads it
    url: str | None = None  # the canonical URL
    site: str | None = None
    language: str | None = None


def read_page(page: str, *, url: str | None = None) -> Page:
    """The article of an HTML page (a saved file or a fetched one); ``url`` is where it
    came from, if known (a relative canonical link is resolved against it)."""
    title, text = html_text(page)
    return Page(text=text, title=title, url=url)


# --------------------------------------------------------------------------- front matter

_FENCE = re.compile(r"---[ \t]*")
_KEY = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*:(?:\s+(.*?))?\s*$")


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split YAML-style front matter from ``text``: ``({key: value}, rest)``.

    Only simple ``key: value`` lines are understood (indentation and quotes tolerated; a key
    with no value takes the indented lines below it); nested structure is flattened. Text
    that does not start with a ``---`` line, or whose front matter is never closed, is
    returned unchanged.

    >>> front_matter('---\\n  title: "A \\\\"quoted\\\\" one"\\ndate: 2024-12-08\\n---\\n\\nBody')
    ({'title': 'A "quoted" one', 'date': '2024-12-08'}, 'Body')
    """
    lines = text.split("\n")
    if not lines or not _FENCE.fullmatch(lines[0]):
        return {}, text
    for end in range(1, len(lines)):
        if _FENCE.fullmatch(lines[end]) or lines[end].rstrip() == "...":
            break
    else:
        return {}, text
    meta: dict[str, str] = {}
    current: str | None = None
    for line in lines[1:end]:
        match = _KEY.match(line)
        if match and not line.lstrip().startswith(("'", '"')):
            current = match.group(1)
            meta[current] = match.group(2) or ""
        elif current is not None and line.strip():
            meta[current] = (meta[current] + " " + line.strip()).strip()
    if not meta:  # a horizontal rule, not front matter
        return {}, text
    values = {k: _unquote(v) for k, v in meta.items()}
    rest = "\n".join(lines[end + 1 :]).lstrip("\n")
    return {k: v for k, v in values.items() if v}, rest


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r'\\(["\\])', r"\1", value[1:-1])
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


# --------------------------------------------------------------------------- HTML

_SKIP = {"script", "style", "nav", "header", "footer", "aside", "noscript", "template", "svg",
         "head", "form", "iframe", "button", "select"}
_BLOCK = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "div", "section", "article", "main",
          "blockquote", "pre", "tr", "td", "th", "dt", "dd", "figcaption", "br", "hr", "ul",
          "ol", "table", "body", "title", "address"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "source", "wbr", "area", "base", "col",
         "embed", "param", "track"}


class _TextParser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._buf: list[str] = []
        self._skip: list[str] = []
        self.title = ""
        self.h1 = ""
        self._in: str | None = None  # "title" or "h1" while collecting it
        self._cap: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag in _BLOCK and not self._skip:
                self._flush()
            return
        if tag == "title" or (tag == "h1" and not self.h1 and not self._skip):
            self._in, self._cap = tag, []
        if tag in _SKIP:
            self._skip.append(tag)
        elif tag in _BLOCK and not self._skip:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            text = " ".join("".join(self._cap).split())
            if tag == "title" and not self.title:
                self.title = text
            elif tag == "h1" and not self.h1:
                self.h1 = text
            self._in = None
        if self._skip and tag in _SKIP:
            # close up to the matching open element (tolerates unclosed children)
            while self._skip:
                if self._skip.pop() == tag:
                    break
        elif tag in _BLOCK and not self._skip:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in:
            self._cap.append(data)
        if not self._skip:
            self._buf.append(data)

    def _flush(self) -> None:
        line = " ".join("".join(self._buf).split())
        if line:
            self.lines.append(line)
        self._buf = []

    def close(self) -> None:
        super().close()
        self._flush()


#: A tag opener (``<a``) whose tag the next opener starts before any ``>`` or quote ends it.
_UNCLOSED_TAG = re.compile(r"<(?=[A-Za-z][^<>\"']*<[A-Za-z])")


def _unclosed_tags_as_text(page: str) -> str:
    """``page`` with each tag opener that no ``>`` closes before the next opener written
    as text (``&lt;``).

    html.parser looks for the end of every such tag up to the end of the page, so a page
    of 30,000 of them (``'<a ' * 30000``, 90 KB) took 133 s: quadratic. A real tag is
    closed by its ``>`` before the next one opens, except for a ``<`` inside a quoted
    attribute value, which this leaves alone (a quote stops the look-ahead). What
    remains slow is bounded by the per-article time budget (:mod:`kg.budget`).

    >>> _unclosed_tags_as_text('<a <a <p>x</p> <img alt="a<b">')
    '&lt;a &lt;a <p>x</p> <img alt="a<b">'
    """
    return _UNCLOSED_TAG.sub("&lt;", page)


def html_text(page: str) -> tuple[str, str]:
    """``(title, text)`` of an HTML page: one line per paragraph, heading or list item.

    >>> html_text("<html><head><title>T</title><script>x()</script></head>"
    ...           "<body><nav>Menu</nav><h1>Head</h1><p>One <b>two</b>.</p></body></html>")
    ('T', 'Head\\nOne two.\\n')
    """
    parser = _TextParser()
    parser.feed(_unclosed_tags_as_text(page))
    parser.close()
    text = "\n".join(parser.lines)
    return parser.title or parser.h1, (text + "\n" if text else "")
