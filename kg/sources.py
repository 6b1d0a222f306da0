"""Source files -> :class:`Article` records.

:func:`read_sources` walks files and folders and yields one :class:`Article` per readable
file, or a :class:`~kg.errors.SourceError` *value* for a file that cannot be used (missing,
empty, binary, unsupported type), so that one bad file never stops the others.

Formats:

* ``.txt``: the text as is; the title is the first non-empty line.
* ``.md``: the text as is; the title is the first heading (or first non-empty line).
* ``.html``/``.htm``: the article's main text and metadata, through trafilatura
  (:func:`kg.documents.read_page`): one line per paragraph or heading, without navigation,
  related-article boxes, captions, share bars, comments and cookie banners; the title, date
  and canonical URL from meta tags, Open Graph and JSON-LD.
* Any text file that starts with a ``---`` line has YAML front matter up to the next
  ``---`` line: ``title`` and ``date`` (or ``page_date``) are read from it, and it is cut
  from the text the extractor sees.

Dates are stored as ISO 8601 (:func:`kg.dates.iso_date`); one that cannot be read is named in
a warning and left out. An article whose text is not English (:func:`kg.language.not_english`)
is a :class:`SourceError`: kg's model reads English.
* ``.jsonl``/``.ndjson`` (optionally ``.gz``): JSON Lines, one article per line as
  ``{"id", "title", "text", "date", "url"}`` (only ``text`` is required; see
  :func:`read_records`). A malformed line is one :class:`SourceError` named ``path:line``.
* ``-``: standard input, read as JSON Lines when it starts with ``{``, else as one text
  article.

What cannot be used is a :class:`SourceError` with the path and the reason: a missing path,
an unreadable file or folder, an empty file, a binary one (NUL bytes, or the signature of an
image, archive or PDF), a file named on its own whose type kg does not read, a symbolic link
loop or a broken link in a folder, a source over the size limits (:data:`MAX_FILE_BYTES`
bytes read, :data:`MAX_TEXT_CHARS` characters of article text), a malformed JSON Lines
record. Files of other types found in a folder (images, archives, data files next to the
articles) are not read and not errors: each is named in a warning, with its kind when its
first bytes tell it. Text that is not valid UTF-8 is read as Windows-1252 (a superset of
Latin-1 in practice), with a warning naming the file.

Everything is lazy: sources are read one at a time as the caller iterates, so a feed of any
length streams through in constant memory.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import hashlib
import json
import logging
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from . import readers
from .budget import OverBudget, time_limit
from .dates import iso_date
from .documents import front_matter, read_page
from .errors import SourceError
from .language import not_english
from .vocab import slug

__all__ = [
    "Article",
    "SourceError",
    "SUFFIXES",
    "RECORD_SUFFIXES",
    "STDIN",
    "MAX_FILE_BYTES",
    "MAX_TEXT_CHARS",
    "read_sources",
    "read_article",
    "read_records",
    "count_sources",
    "article_id_for",
]

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".html", ".htm")
#: JSON Lines feeds: one article per line (``.gz`` compressed too).
RECORD_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
#: The path that means standard input.
STDIN = "-"
#: Characters of text one article may have. spaCy refuses more than 1,000,000 characters in
#: one piece (E088) and, although the extractor splits long texts, a 1,000,000-character
#: text already takes about a minute and 3 GB of memory; a news article has rarely more than
#: 50,000. A longer text is a collection of articles: split it (a JSON Lines feed).
MAX_TEXT_CHARS = 1_000_000
#: Bytes read from one file (or standard input) as one article: a bound on what is read
#: into memory, above :data:`MAX_TEXT_CHARS` for the markup of HTML pages and for UTF-8.
MAX_FILE_BYTES = 10_000_000

_SPLIT_IT = "split it into articles, e.g. a JSON Lines feed with one record per article"


@dataclass(frozen=True)
class Article:
    """One source article, ready for extraction.

    ``text`` is what the extractor reads; evidence offsets and ``sha256`` (hex digest of its
    UTF-8 bytes) refer to it. ``date`` is ISO 8601 (a date, or a date-time with its offset)
    from front matter, the page or the record, if any could be read.
    """

    id: str
    title: str
    text: str
    source_path: str
    date: str | None
    sha256: str
    url: str | None = None


def read_sources(
    paths: Iterable[str | Path], *, stdin: IO[bytes] | None = None,
    seconds: float | None = None,
) -> Iterator[Article | SourceError]:
    """Yield an :class:`Article` or a :class:`SourceError` for every source under ``paths``.

    Folders are walked recursively in sorted order, keeping ``.txt .md .html .htm`` files
    and JSON Lines feeds and skipping hidden ones. A binary file of another type (an image,
    an archive) is a :class:`SourceError`, as it is when named; another text file (a
    metadata ``.json``) is named in a warning (logger ``kg.sources``) and passed over. A file
    named twice is read once. ``-`` is standard input (``stdin``, default
    ``sys.stdin.buffer``). Article ids are the file stems, slugified
    (:func:`article_id_for`), or the records' ``id``; when two sources of one run share an
    id, the later one gets ``-`` and the first 8 hex digits of its SHA-256 appended.

    Reading one source (a file, or one line of a feed) may take up to ``seconds``
    (:func:`kg.budget.time_limit`; None: no limit); a source over it, or one whose reading
    fails in any way, is a :class:`SourceError` and the next one is read. The readers'
    libraries are loaded when a source first needs one, outside that budget
    (:mod:`kg.readers`).
    """
    seen_files: set[Path] = set()
    seen_ids: set[str] = set()
    for path in _expand(paths):
        if isinstance(path, _NotRead):
            log.warning("%s: not read: %s", path.path, path.reason)
            continue
        if isinstance(path, SourceError):
            yield path
            continue
        if path == STDIN:
            items: Iterable[Article | SourceError] = read_stream(
                stdin if stdin is not None else sys.stdin.buffer, seconds=seconds)
        else:
            key = path.resolve()
            if key in seen_files:
                continue
            seen_files.add(key)
            items = (read_records(path, seconds=seconds) if _is_records(path)
                     else (_guarded(str(path), seconds, read_article, path),))
        for item in items:
            if isinstance(item, Article):
                if item.id in seen_ids:
                    item = replace(item, id=f"{item.id}-{item.sha256[:8]}")
                seen_ids.add(item.id)
            yield item


def _guarded(where: str, seconds: float | None, read: Callable[..., Article | SourceError],
             *args: object) -> Article | SourceError:
    """``read(*args)`` within the time budget, any failure of it as a :class:`SourceError`
    named ``where``: one source that breaks a parser (or kg) is that source's failure, never
    the run's.

    A reader whose library is not loaded yet (:mod:`kg.readers`) stops the read; the library
    is loaded outside the budget and the source read again, the first attempt's log records
    dropped (each warning is given once)."""
    while True:
        with _held_back() as held:
            try:
                with readers.deferred(), time_limit(seconds):
                    return read(*args)
            except readers.ReaderNotLoaded as exc:
                held.drop()
                missing = exc.name
            except OverBudget:
                return SourceError(where, f"over the per-article time budget of {seconds:g} s "
                                          "of CPU (reading); raise it with --article-timeout, "
                                          "or split it")
            except MemoryError:
                return SourceError(where, "out of memory while reading it")
            except Exception as exc:  # noqa: BLE001 - whatever it is, it is this source's
                log.debug("reading %s failed", where, exc_info=True)
                return SourceError(where, f"cannot read: {_why(exc)}")
        readers.load(missing)


class _Held(logging.Filter):
    """Holds back the records of ``kg.sources`` while a source is read, until the read is
    kept (:meth:`release`) or dropped (:meth:`drop`: it is read again)."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def filter(self, record: logging.LogRecord) -> bool:
        self.records.append(record)
        return False

    def drop(self) -> None:
        self.records.clear()


@contextlib.contextmanager
def _held_back() -> Iterator[_Held]:
    """The log records of the block, given out at its end unless dropped; nothing is held
    once every reader is loaded (no read can be started again)."""
    held = _Held()
    if readers.loaded() >= set(readers.READERS):
        yield held
        return
    log.addFilter(held)
    try:
        yield held
    finally:
        log.removeFilter(held)
        for record in held.records:
            log.handle(record)


def _why(exc: BaseException) -> str:
    """An exception as a reason: its message, or its type when it has none."""
    text = " ".join(str(exc).split())
    return text if text else type(exc).__name__


def count_sources(paths: Iterable[str | Path]) -> int | None:
    """How many items :func:`read_sources` will yield for ``paths`` (files, records and
    errors), without reading the articles; None when standard input is among them."""
    total = 0
    for path in _expand(paths):
        if path == STDIN:
            return None
        if isinstance(path, _NotRead):
            continue
        if isinstance(path, Path) and _is_records(path):
            try:
                with _open_records(path) as fh:
                    total += sum(1 for line in _lines(fh)
                                 if isinstance(line, int) or line.strip())
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


@dataclass(frozen=True)
class _NotRead:
    """A file of another type met in a folder: not read, named in a warning."""

    path: str
    reason: str


def _expand(paths: Iterable[str | Path]) -> Iterator[Path | str | SourceError | _NotRead]:
    for raw in paths:
        if str(raw) == STDIN:
            yield STDIN
            continue
        path = Path(raw)
        try:
            info = path.stat()
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                yield _bad_link(path)
            elif exc.errno in (errno.ENOENT, errno.ENOTDIR):
                yield (_bad_link(path) if os.path.lexists(path)
                       else SourceError(str(path), "no such file or folder"))
            else:  # a folder on the way that kg may not search (Permission denied)
                yield SourceError(str(path), f"cannot read: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(path)
        elif stat.S_ISREG(info.st_mode):
            yield path if _readable(path) else _unsupported(path)
        else:
            yield SourceError(str(path), "not a regular file or folder")


def _walk(folder: Path) -> list[Path | SourceError | _NotRead]:
    """Every file under ``folder``, sorted by path, hidden ones (``.name``) left out; files
    of other types as :class:`_NotRead`, unreadable folders and bad links as
    :class:`SourceError` values.

    A symbolic link to a folder is followed, unless its target is walked anyway (links are
    taken after the real folders, so a file is read under its own path) or it leads back to
    a folder it is in: a loop, reported and not followed.
    """
    found: list[Path | SourceError | _NotRead] = []
    root = folder.stat()
    walked = {(root.st_dev, root.st_ino)}
    # (folder, the (device, inode) of it and the folders above it)
    todo: list[tuple[Path, frozenset[tuple[int, int]]]] = [(folder, frozenset(walked))]
    links: list[tuple[Path, tuple[int, int], frozenset[tuple[int, int]]]] = []
    while todo or links:
        if todo:
            directory, above = todo.pop()
        else:
            directory, key, above = links.pop(0)
            if key in above:
                found.append(SourceError(str(directory), (
                    f"symbolic link loop: leads back to {os.path.realpath(directory)}, "
                    "a folder it is in; not followed")))
                continue
            if key in walked:  # its files are read under their own path
                continue
            walked.add(key)
            above = above | {key}
        try:
            with os.scandir(directory) as scan:
                entries = list(scan)
        except OSError as exc:
            found.append(SourceError(str(directory),
                                     f"cannot read folder: {exc.strerror or exc}"))
            continue
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name.startswith("."):
                continue
            path = directory / entry.name
            try:
                info = entry.stat()  # of the link's target, for a link
            except OSError as exc:
                found.append(_bad_link(path) if entry.is_symlink() else
                             SourceError(str(path), f"cannot read: {exc.strerror or exc}"))
                continue
            key = (info.st_dev, info.st_ino)
            if stat.S_ISDIR(info.st_mode):
                if entry.is_symlink():
                    links.append((path, key, above))
                elif key not in walked:
                    walked.add(key)
                    todo.append((path, above | {key}))
            elif stat.S_ISREG(info.st_mode):
                if _readable(path):
                    found.append(path)
                elif (kind := _sniff(path)) is not None:  # an image, an archive: a failure
                    found.append(_unsupported(path, kind))
                else:  # another text file (metadata .json, .csv): named in a warning
                    unsupported = _unsupported(path, None)
                    found.append(_NotRead(unsupported.path, unsupported.reason))
            else:
                found.append(SourceError(str(path), "not a regular file or folder"))
    return sorted(found, key=lambda item: item if isinstance(item, Path) else Path(item.path))


def _bad_link(path: Path) -> SourceError:
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return SourceError(str(path), "symbolic link loop: the link leads back to itself")
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    return SourceError(str(path), f"broken symbolic link: {target} does not exist")


def _sniff(path: Path) -> str | None:
    """What binary kind of file ``path`` is (``a PNG image``, ``a zip archive``...), or None
    for text or an unknown kind."""
    try:
        with path.open("rb") as fh:
            return _kind(fh.read(16))
    except OSError:
        return None


def _unsupported(path: Path, kind: str | None = "?") -> SourceError:
    if kind == "?":
        kind = _sniff(path)
    return SourceError(
        str(path),
        f"unsupported file type {path.suffix or '(none)'!r}"
        + (f" ({kind})" if kind else "")
        + f"; kg reads {', '.join(SUFFIXES + RECORD_SUFFIXES)}",
    )


# --------------------------------------------------------------------------- JSON Lines

_RECORD_FIELDS = ("id", "title", "text", "date", "url")


def _open_records(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return path.open("rb")


def read_records(path: str | Path, *, seconds: float | None = None
                 ) -> Iterator[Article | SourceError]:
    """The articles of a JSON Lines file, one per non-blank line, read lazily.

    Each line is an object with ``text`` (required, a string) and optional ``id``,
    ``title``, ``date`` and ``url`` (strings; other keys are ignored). The article's id is
    the slug of ``id`` (else ``record-`` and the start of the text's SHA-256); its text is
    ``title``, a blank line and ``text`` (the headline is news too), unless ``text`` already
    starts with the title. A line that is not such an object, or longer than
    :data:`MAX_FILE_BYTES`, yields a :class:`SourceError` named ``path:line`` and the next
    line is read; each line is read within ``seconds`` (:func:`read_sources`).
    """
    path = Path(path)
    try:
        fh = _open_records(path)
    except OSError as exc:
        yield SourceError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    with fh:
        yield from _records(fh, str(path), seconds=seconds)


def read_stream(stream: IO[bytes], name: str = "<stdin>", *, seconds: float | None = None
                ) -> Iterator[Article | SourceError]:
    """Articles from a byte stream: JSON Lines (read lazily) when its first non-blank line
    starts with ``{``, else the whole stream as one text article (id ``stdin-`` + the start
    of its SHA-256). No line or article over :data:`MAX_FILE_BYTES` is read into memory
    whole: it is a :class:`SourceError` like any other oversized article."""
    skipped: list[bytes] = []
    while True:
        first = stream.readline(MAX_FILE_BYTES + 1)
        if not first:
            yield SourceError(name, "empty input")
            return
        if first.strip():
            break
        skipped.append(first)
    if first.lstrip()[:1] == b"{":
        yield from _records(stream, name, head=[*skipped, first], seconds=seconds)
        return
    # leading blank lines dropped: front matter comes first
    raw = first + stream.read(max(MAX_FILE_BYTES + 1 - len(first), 0))
    if len(raw) > MAX_FILE_BYTES:
        yield SourceError(name, f"input too large for one article: over "
                                f"{MAX_FILE_BYTES / 1e6:.0f} MB; {_SPLIT_IT}")
        return
    yield _guarded(name, seconds, _stream_article, raw, name)


def _stream_article(raw: bytes, name: str = "<stdin>") -> Article | SourceError:
    """The article of standard input's bytes (at most :data:`MAX_FILE_BYTES`)."""
    binary = _binary(raw)
    if binary:
        return SourceError(name, f"binary input ({binary}), not an article")
    text = _decode(raw, Path(name)).removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body = front_matter(text)
    if not body.strip():
        return SourceError(name, "no article text (only front matter)")
    if len(body) > MAX_TEXT_CHARS:
        return SourceError(name, _too_long(len(body)))
    if reason := not_english(body):
        return SourceError(name, reason)
    sha = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return Article(
        id=f"stdin-{sha[:12]}",
        title=_meta_text(meta.get("title")) or _first_line(body, markdown=False),
        text=body,
        source_path=name,
        date=iso_date(meta.get("date") or meta.get("page_date"), name),
        sha256=sha,
    )


def _lines(stream: IO[bytes], head: Iterable[bytes] = ()) -> Iterator[bytes | int]:
    """The lines of ``stream`` after those of ``head``; a line over :data:`MAX_FILE_BYTES`
    is not kept but skipped to its end, and given as its length (an int)."""
    yield from head
    while line := stream.readline(MAX_FILE_BYTES + 1):
        if len(line) <= MAX_FILE_BYTES or line.endswith(b"\n"):
            yield line
            continue
        size = len(line)
        while line and not line.endswith(b"\n"):
            line = stream.readline(1 << 20)
            size += len(line)
        yield size


def _records(stream: IO[bytes], name: str, *, head: Iterable[bytes] = (),
             seconds: float | None = None) -> Iterator[Article | SourceError]:
    lineno = 0
    try:
        for lineno, line in enumerate(_lines(stream, head), 1):  # noqa: B007 - used below
            where = f"{name}:{lineno}"
            if isinstance(line, int):
                yield SourceError(where, (
                    f"line too long for one article: {line / 1e6:.1f} MB (kg reads lines of "
                    f"up to {MAX_FILE_BYTES / 1e6:.0f} MB and article texts of up to "
                    f"{MAX_TEXT_CHARS:,} characters); {_SPLIT_IT}"))
            elif line.strip():
                yield _guarded(where, seconds, _record, line, where)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        yield SourceError(f"{name}:{lineno + 1}", f"cannot read: {exc}")


#: JSON's names for the types ``json.loads`` gives.
_JSON_TYPES = {bool: "a boolean", int: "a number", float: "a number", list: "an array",
               dict: "an object", type(None): "null", str: "a string"}


def _record(line: bytes, where: str) -> Article | SourceError:
    try:
        record = json.loads(line)
    except UnicodeDecodeError:
        return SourceError(where, "not valid UTF-8 JSON")
    except json.JSONDecodeError as exc:
        return SourceError(where, f"not valid JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        return SourceError(where, "not valid JSON: nested too deeply")
    if not isinstance(record, dict):
        return SourceError(where, f"expected a JSON object, got {type(record).__name__}")
    if record.get("text") is None:
        return SourceError(where, "record has no 'text'")
    if not isinstance(record["text"], str):
        return SourceError(where, f"field 'text' must be a string, not "
                                  f"{_JSON_TYPES.get(type(record['text']), 'that')}")
    # other fields: a string, or a whole number (an id, a year); never a boolean
    bad = [k for k in _RECORD_FIELDS if record.get(k) is not None
           and (not isinstance(record[k], str | int) or isinstance(record[k], bool))]
    if bad:
        return SourceError(where, f"field {bad[0]!r} must be a string, not "
                                  f"{_JSON_TYPES.get(type(record[bad[0]]), 'that')}")
    text = record["text"].replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return SourceError(where, "record has no 'text'")
    if len(text) > MAX_TEXT_CHARS:
        return SourceError(where, _too_long(len(text)))
    if reason := not_english(text):
        return SourceError(where, reason)
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
        date=iso_date(record.get("date"), where),
        sha256=sha,
        url=str(record["url"]) if record.get("url") else None,
    )


def read_article(path: str | Path) -> Article | SourceError:
    """Read one file as an :class:`Article`, or return why it cannot be used."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_FILE_BYTES:
                return SourceError(str(path), (
                    f"file too large for one article: {size / 1e6:.1f} MB (kg reads files of "
                    f"up to {MAX_FILE_BYTES / 1e6:.0f} MB and article texts of up to "
                    f"{MAX_TEXT_CHARS:,} characters); {_SPLIT_IT}"))
            raw = fh.read()
    except OSError as exc:
        return SourceError(str(path), f"cannot read: {exc.strerror or exc}")
    binary = _binary(raw)
    if binary:
        return SourceError(str(path), f"binary file ({binary}), not an article")
    text = _decode(raw, path)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")

    meta, body = front_matter(text)
    page = None
    if path.suffix.lower() in (".html", ".htm"):
        try:
            page = read_page(body)
        except Exception as exc:  # noqa: BLE001 - whatever breaks the reader, this page's
            log.debug("reading %s as HTML failed", path, exc_info=True)
            return SourceError(str(path), f"cannot read as HTML: {_why(exc)}")
        page_title, body = page.title, page.text
    else:
        page_title = _first_line(body, markdown=path.suffix.lower() == ".md")
    if not body.strip():
        reason = "empty file" if not text.strip() else "no article text (only front matter)"
        return SourceError(str(path), reason)
    if len(body) > MAX_TEXT_CHARS:
        return SourceError(str(path), _too_long(len(body)))
    if reason := not_english(body):
        return SourceError(str(path), reason)

    title = _meta_text(meta.get("title")) or page_title or path.stem
    raw_date = meta.get("date") or meta.get("page_date") or (page.date if page else None)
    return Article(
        id=article_id_for(path),
        title=title,
        text=body,
        source_path=str(path),
        date=iso_date(raw_date, str(path)),
        sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
        url=page.url if page else None,
    )


def _meta_text(value: object) -> str:
    """A front-matter value as one line of text (YAML may give a list or a number)."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return " ".join(str(value).split())


def article_id_for(path: str | Path) -> str:
    """The article id of a source file: its stem, lower-cased, with ``[^a-z0-9_]`` runs as ``-``.

    >>> article_id_for("seeds/000_d224b8482df45905.txt")
    '000_d224b8482df45905'
    >>> article_id_for("News/Nvidia H20 ban (draft).md")
    'nvidia-h20-ban-draft'
    """
    return slug(Path(path).stem, keep="_")


def _too_long(chars: int) -> str:
    return (f"article text too long: {chars:,} characters (kg takes up to {MAX_TEXT_CHARS:,} "
            f"per article); {_SPLIT_IT}")


#: First bytes of binary formats a folder of articles is likely to hold, and their kind.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "a zip archive"),
    (b"\x1f\x8b", "gzip-compressed"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "a program"),
)


def _kind(head: bytes) -> str | None:
    """What binary format ``head`` (a file's first bytes) starts with, if a known one."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "a WebP image"
    return next((kind for magic, kind in _SIGNATURES if head.startswith(magic)), None)


def _binary(raw: bytes) -> str | None:
    """Why ``raw`` is not text (its kind, or that it holds NUL bytes), or None."""
    kind = _kind(raw[:16])
    if kind is None and b"\x00" in raw:
        kind = "contains NUL bytes"
    return kind


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        log.warning("%s: not valid UTF-8 (%s at byte %d); reading it as Windows-1252 "
                    "(Latin-1)", path, exc.reason, exc.start)
        return raw.decode("cp1252", errors="replace")


def _first_line(text: str, *, markdown: bool) -> str:
    for line in text.splitlines():
        line = line.strip()
        if markdown:
            line = line.lstrip("#").strip()
        if line:
            return line
    return ""
