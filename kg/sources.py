"""Source files -> :class:`Article` records.

:func:`read_sources` walks files and folders and yields one :class:`Article` per readable
file, or a :class:`~kg.errors.SourceError` *value* for a file that cannot be used (missing,
empty, binary, unsupported type), so that one bad file never stops the others.

Formats:

* ``.txt``: the text as is; the title is the first non-empty line.
* ``.md``: the text as is; the title is the first heading (or first non-empty line).
* ``.html``/``.htm``: text of the page from the standard library's ``html.parser``, one
  line per paragraph or heading, without scripts, styles, navigation, headers, footers and
  asides; the title is ``<title>``, else the first ``<h1>``.
* Any text file that starts with a ``---`` line has YAML-style front matter up to the next
  ``---`` line: ``title`` and ``date`` (or ``page_date``) are read from it, and it is cut
  from the text the extractor sees.
* ``.jsonl``/``.ndjson`` (optionally ``.gz``): JSON Lines, one article per line as
  ``{"id", "title", "text", "date", "url"}`` (only ``text`` is required; see
  :func:`read_records`). A malformed line is one :class:`SourceError` named ``path:line``.
* ``-``: standard input, read as JSON Lines when it starts with ``{``, else as one text
  article.

Everything is lazy: sources are read one at a time as the caller iterates, so a feed of any
length streams through in constant memory.
"""

from __future__ import annotations

import gzip
import hashlib
import html.parser
import itertools
import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from .errors import SourceError
from .vocab import slug

__all__ = [
    "Article",
    "SourceError",
    "SUFFIXES",
    "RECORD_SUFFIXES",
    "STDIN",
    "read_sources",
    "read_article",
    "read_records",
    "count_sources",
    "article_id_for",
    "front_matter",
    "html_text",
]

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".html", ".htm")
#: JSON Lines feeds: one article per line (``.gz`` compressed too).
RECORD_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
#: The path that means standard input.
STDIN = "-"


@dataclass(frozen=True)
class Article:
    """One source article, ready for extraction.

    ``text`` is what the extractor reads; evidence offsets and ``sha256`` (hex digest of its
    UTF-8 bytes) refer to it. ``date`` is the raw date string from front matter, if any.
    """

    id: str
    title: str
    text: str
    source_path: str
    date: str | None
    sha256: str
    url: str | None = None


def read_sources(
    paths: Iterable[str | Path], *, stdin: IO[bytes] | None = None
) -> Iterator[Article | SourceError]:
    """Yield an :class:`Article` or a :class:`SourceError` for every source under ``paths``.

    Folders are walked recursively in sorted order, keeping ``.txt .md .html .htm`` files
    and JSON Lines feeds, and skipping hidden ones. A file named twice is read once. ``-``
    is standard input (``stdin``, default ``sys.stdin.buffer``). Article ids are the file
    stems, slugified (:func:`article_id_for`), or the records' ``id``; when two sources of
    one run share an id, the later one gets ``-`` and the first 8 hex digits of its SHA-256
    appended.
    """
    seen_files: set[Path] = set()
    seen_ids: set[str] = set()
    for path in _expand(paths):
        if isinstance(path, SourceError):
            yield path
            continue
        if path == STDIN:
            items: Iterable[Article | SourceError] = read_stream(
                stdin if stdin is not None else sys.stdin.buffer)
        else:
            key = path.resolve()
            if key in seen_files:
                continue
            seen_files.add(key)
            items = read_records(path) if _is_records(path) else (read_article(path),)
        for item in items:
            if isinstance(item, Article):
                if item.id in seen_ids:
                    item = replace(item, id=f"{item.id}-{item.sha256[:8]}")
                seen_ids.add(item.id)
            yield item


def count_sources(paths: Iterable[str | Path]) -> int | None:
    """How many items :func:`read_sources` will yield for ``paths`` (files, records and
    errors), without reading the articles; None when standard input is among them."""
    total = 0
    for path in _expand(paths):
        if path == STDIN:
            return None
        if isinstance(path, Path) and _is_records(path):
            try:
                with _open_records(path) as fh:
                    total += sum(1 for line in fh if line.strip())
            except (OSError, EOFError, gzip.BadGzipFile):
                total += 1
        else:
            total += 1
    return total


def _is_records(path: Path) -> bool:
    return path.name.lower().endswith(RECORD_SUFFIXES)


def _readable(path: Path) -> bool:
    name = path.name.lower()
    return path.suffix.lower() in SUFFIXES or name.endswith(RECORD_SUFFIXES)


def _expand(paths: Iterable[str | Path]) -> Iterator[Path | str | SourceError]:
    for raw in paths:
        if str(raw) == STDIN:
            yield STDIN
            continue
        path = Path(raw)
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and _readable(p)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            if _readable(path):
                yield path
            else:
                yield SourceError(
                    str(path),
                    f"unsupported file type {path.suffix or '(none)'!r}; "
                    f"kg reads {', '.join(SUFFIXES + RECORD_SUFFIXES)}",
                )
        elif path.exists():
            yield SourceError(str(path), "not a regular file or folder")
        else:
            yield SourceError(str(path), "no such file or folder")


# --------------------------------------------------------------------------- JSON Lines

_RECORD_FIELDS = ("id", "title", "text", "date", "url")


def _open_records(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return path.open("rb")


def read_records(path: str | Path) -> Iterator[Article | SourceError]:
    """The articles of a JSON Lines file, one per non-blank line, read lazily.

    Each line is an object with ``text`` (required) and optional ``id``, ``title``,
    ``date`` and ``url`` (strings; other keys are ignored). The article's id is the slug of
    ``id`` (else ``record-`` and the start of the text's SHA-256); its text is ``title``,
    a blank line and ``text`` (the headline is news too), unless ``text`` already starts
    with the title. A line that is not such an object yields a :class:`SourceError` named
    ``path:line`` and the next line is read.
    """
    path = Path(path)
    try:
        fh = _open_records(path)
    except OSError as exc:
        yield SourceError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    with fh:
        yield from _records(fh, str(path))


def read_stream(stream: IO[bytes], name: str = "<stdin>") -> Iterator[Article | SourceError]:
    """Articles from a byte stream: JSON Lines (read lazily) when its first non-blank line
    starts with ``{``, else the whole stream as one text article (id ``stdin-`` + the start
    of its SHA-256)."""
    skipped: list[bytes] = []
    for first in stream:
        if first.strip():
            break
        skipped.append(first)
    else:
        yield SourceError(name, "empty input")
        return
    if first.lstrip()[:1] == b"{":
        yield from _records(itertools.chain(skipped, [first], stream), name)
        return
    raw = first + stream.read()  # leading blank lines dropped: front matter comes first
    if b"\x00" in raw:
        yield SourceError(name, "binary input (contains NUL bytes), not an article")
        return
    text = _decode(raw, Path(name)).removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body = front_matter(text)
    if not body.strip():
        yield SourceError(name, "no article text (only front matter)")
        return
    sha = hashlib.sha256(body.encode("utf-8")).hexdigest()
    yield Article(
        id=f"stdin-{sha[:12]}",
        title=meta.get("title") or _first_line(body, markdown=False),
        text=body,
        source_path=name,
        date=meta.get("date") or meta.get("page_date") or None,
        sha256=sha,
    )


def _records(lines: Iterable[bytes], name: str) -> Iterator[Article | SourceError]:
    lineno = 0
    try:
        for lineno, line in enumerate(lines, 1):  # noqa: B007 - lineno is used after the loop
            if line.strip():
                yield _record(line, f"{name}:{lineno}")
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        yield SourceError(f"{name}:{lineno + 1}", f"cannot read: {exc}")


def _record(line: bytes, where: str) -> Article | SourceError:
    try:
        record = json.loads(line)
    except UnicodeDecodeError:
        return SourceError(where, "not valid UTF-8 JSON")
    except json.JSONDecodeError as exc:
        return SourceError(where, f"not valid JSON: {exc.msg} at column {exc.colno}")
    if not isinstance(record, dict):
        return SourceError(where, f"expected a JSON object, got {type(record).__name__}")
    bad = [k for k in _RECORD_FIELDS if record.get(k) is not None
           and not isinstance(record[k], str | int)]
    if bad:
        return SourceError(where, f"field {bad[0]!r} must be a string")
    text = str(record.get("text") or "").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return SourceError(where, "record has no 'text'")
    title = " ".join(str(record.get("title") or "").split())
    if title and not text.lstrip().startswith(title):
        text = f"{title}\n\n{text}"
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    ident = slug(str(record["id"]), keep="_") if record.get("id") not in (None, "") else ""
    return Article(
        id=ident or f"record-{sha[:12]}",
        title=title or _first_line(text, markdown=False),
        text=text,
        source_path=where,
        date=str(record["date"]) if record.get("date") else None,
        sha256=sha,
        url=str(record["url"]) if record.get("url") else None,
    )


def read_article(path: str | Path) -> Article | SourceError:
    """Read one file as an :class:`Article`, or return why it cannot be used."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return SourceError(str(path), f"cannot read: {exc.strerror or exc}")
    if b"\x00" in raw:
        return SourceError(str(path), "binary file (contains NUL bytes), not an article")
    text = _decode(raw, path)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")

    meta, body = front_matter(text)
    if path.suffix.lower() in (".html", ".htm"):
        page_title, body = html_text(body)
    else:
        page_title = _first_line(body, markdown=path.suffix.lower() == ".md")
    if not body.strip():
        reason = "empty file" if not text.strip() else "no article text (only front matter)"
        return SourceError(str(path), reason)

    title = meta.get("title") or page_title or path.stem
    date = meta.get("date") or meta.get("page_date") or None
    return Article(
        id=article_id_for(path),
        title=title,
        text=body,
        source_path=str(path),
        date=date,
        sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
    )


def article_id_for(path: str | Path) -> str:
    """The article id of a source file: its stem, lower-cased, with ``[^a-z0-9_]`` runs as ``-``.

    >>> article_id_for("seeds/000_d224b8482df45905.txt")
    '000_d224b8482df45905'
    >>> article_id_for("News/Nvidia H20 ban (draft).md")
    'nvidia-h20-ban-draft'
    """
    return slug(Path(path).stem, keep="_")


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        log.warning("%s: not valid UTF-8 (%s); decoding it as cp1252", path, exc.reason)
        return raw.decode("cp1252", errors="replace")


def _first_line(text: str, *, markdown: bool) -> str:
    for line in text.splitlines():
        line = line.strip()
        if markdown:
            line = line.lstrip("#").strip()
        if line:
            return line
    return ""


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


def html_text(page: str) -> tuple[str, str]:
    """``(title, text)`` of an HTML page: one line per paragraph, heading or list item.

    >>> html_text("<html><head><title>T</title><script>x()</script></head>"
    ...           "<body><nav>Menu</nav><h1>Head</h1><p>One <b>two</b>.</p></body></html>")
    ('T', 'Head\\nOne two.\\n')
    """
    parser = _TextParser()
    parser.feed(page)
    parser.close()
    text = "\n".join(parser.lines)
    return parser.title or parser.h1, (text + "\n" if text else "")
