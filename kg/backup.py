"""Backup and restore: a store's article graphs as a standard RDF dump (N-Quads or TriG).

::

    with open_store("kg-store") as store:               # read-only
        backup(store, "kg.nq.gz")        # sorted, gzipped, written atomically
    with open_store("new-store", create=True, read_only=False, restoring=True) as store:
        restore(store, "kg.nq.gz")       # checked whole first, then written in batches

What a backup holds. Every article's named graph (``https://w3id.org/aikg/article/<id>``)
with all its quads, evidence nodes included: everything kg stores per article. The merged
default graph is *not* dumped: it is derived from the article graphs (docs/decisions/
0005-merged-default-graph.md), and :func:`restore` rebuilds it exactly as ingest does,
through :meth:`Store.add_articles <kg.store.base.Store.add_articles>`. Graphs outside the article
namespace (a remote writer's left-over ``urn:kg:staging:`` graph) are not kg's data and are
left out. ``kg export --format nquads|trig`` writes the same graphs, so its output restores
too.

Formats. From the file name: ``.nq``/``.nquads`` is N-Quads, ``.trig`` TriG, either one
gzipped with ``.gz`` after it (``kg.nq.gz``); ``fmt`` overrides the name. A stream (``-`` on
the command line) is N-Quads unless ``fmt`` says otherwise. :func:`restore` recognises gzip
by its magic bytes, whatever the name.

Deterministic. Graphs are written in the order of their IRIs and each graph's quads in the
order of their N-Quads lines (the gzip header carries no name and no time), so the backup of
a restored store is byte for byte the backup it was restored from, and two backups of an
unchanged store are identical (``cmp`` or a checksum tells whether anything changed).
Sorting costs one article's quads in memory at a time: the store is read one article graph
after another (an index look-up each), never as a whole.

Atomic. A backup to a path goes to a temporary file next to it, which is flushed, fsynced
and renamed over the path (and the folder fsynced): a crash or a full disk mid-backup leaves
the previous file, or none, under that name, never a truncated one. The temporary file
(``.NAME.XXXX.part``) is locked (``flock``) by the process writing it until it has its name;
a process killed mid-backup leaves it unlocked, and the next backup to the same path removes
every such ``.NAME.*.part`` it can lock, and only those: a backup still running keeps its own.

Restore checks the whole dump before it changes anything. A first pass parses it and checks
every quad: it must lie in an article graph, not in the default graph nor in another graph.
A parse error (reported with its line), a default-graph quad or a foreign graph (reported
with the quad's position and the graph) stops it there, with the store untouched. A second
pass then reads the articles one after another, holding one batch of them in memory. So the
dump is read twice: a file is simply read again; a stream that cannot seek (stdin from a
pipe) is first copied to a temporary file. Parsing is cheap next to writing (about 1 s per
million quads against 30 s to store them), and so a restore holds one batch of articles in
Python memory, whatever the size of the dump.

A dump from another tool may interleave its graphs (N-Quads allows any order; the first
pass notices). Its quads must then be grouped by graph before any article can be written
whole, so the second pass copies the dump into a temporary on-disk Oxigraph store (under
``$TMPDIR``) and reads it back graph by graph from its graph index. That groups them at
Rust speed in bounded memory, with a second copy on disk, where a Python dict of all quads
would hold the whole dump in Python memory and an external sort would be code of our own.
kg's own backups never take this path. (Not ``bulk_extend``: Oxigraph's bulk loader buffers
a million quads or so in memory, 0.9 GB measured.)

Memory. Both stores are flushed to disk every 100,000 quads (:meth:`kg.store.Store._wrote`
for the target): without that, RocksDB's buffers grow a process writing a million quads by
about 1 GB, with it by under 0.2 GB.

A dump must hold articles, each with its record. A dump with no article graph is refused
unless ``allow_empty`` (``--allow-empty``): a mistyped ``kg --store typo backup - > kg.nq``
leaves exactly such a file, and ``restore --replace`` of it would empty the store. Each article
graph must hold its article record (``<graph> a kg:Article``), which ingest looks articles up
by; a graph without one is named and the dump refused. After the last write the store is
checked the same way (every article graph has its record), from its graph index.

A restore that is killed leaves a store holding part of the dump, which looks like any other
store. So before its first write a restore into a local store writes a marker,
``<store>/kg-restore-incomplete`` (:attr:`Store.restore_marker
<kg.store.base.Store.restore_marker>`, :data:`kg.store.RESTORE_MARKER`: the dump, the time,
the process), and removes it only after its last write and the check. While it is there,
readers can tell (``kg stats``, ``kg serve`` and ``kg backup`` warn) and writers other
than ``kg restore`` refuse the store (:class:`kg.store.LocalStore`); running the restore again
to completion removes it.

Then the articles go to the store through its public API, :meth:`add_articles` in batches of
``batch_size`` (64) articles, so restore works on a local store and on a SPARQL server
(:class:`kg.store.remote.RemoteStore`) alike. A store that already holds articles is refused unless
``replace=True`` (``--replace``), which empties it first (:meth:`Store.clear
<kg.store.base.Store.clear>`): a local store is cleared whole
(it holds only kg's data), a remote one loses its article graphs one by one, and other graphs
a server holds are left alone. Each batch is one transaction on a local store, but the
restore as a whole is not: if it is interrupted, run it again with ``--replace`` (the marker
above says so). A local store is held under the exclusive lock meanwhile, so no reader sees
it half restored while the restore runs.
"""

from __future__ import annotations

import errno
import fcntl
import gc
import gzip
import itertools
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from .errors import InputError, StoreError
from .formats import RDF_FORMATS, backup_formats
from .store import FLUSH_QUADS, Store
from .store.base import is_article_graph
from .vocab import ARTICLE, KG, RDF, article_id_of, nn

__all__ = ["backup", "restore", "dump_format", "article_graphs", "BackupReport",
           "RestoreReport", "BACKUP_FORMATS", "BATCH_SIZE"]

log = logging.getLogger(__name__)

#: The formats of a backup: the :data:`kg.formats.RDF_FORMATS` marked ``backup``.
BACKUP_FORMATS = backup_formats()
#: Articles per :meth:`Store.add_articles` call of a restore.
BATCH_SIZE = 64

_SUFFIXES = {suffix: name for name in BACKUP_FORMATS for suffix in RDF_FORMATS[name].suffixes}
_GZIP_MAGIC = b"\x1f\x8b"
_STDIN = "<stdin>"
_NOTHING = "nothing was restored"
_RDF_TYPE = nn(RDF.type)
_ARTICLE_CLASS = nn(KG.Article)
#: Said of an error in the second reading of a dump (it changed since the first).
_PART = "the store may hold part of it: run the restore again with --replace"

Progress = Callable[[int, int | None], None]
Target = str | os.PathLike[str] | IO[bytes]


@dataclass(frozen=True)
class BackupReport:
    """What :func:`backup` wrote: ``articles`` graphs holding ``quads`` quads, to ``target``
    (a path, or ``<stdout>``) in ``format``, gzipped or not."""

    articles: int
    quads: int
    target: str
    format: str
    compressed: bool

    def summary(self) -> str:
        gz = ", gzipped" if self.compressed else ""
        return (f"backed up {self.articles} article{'s' if self.articles != 1 else ''} "
                f"({self.quads} quads) to {self.target} ({self.format}{gz})")


@dataclass(frozen=True)
class RestoreReport:
    """What :func:`restore` did: ``articles`` graphs holding ``quads`` quads read from
    ``source`` into the store, after removing the ``replaced`` articles it held."""

    articles: int
    quads: int
    source: str
    replaced: int = 0

    def summary(self) -> str:
        text = (f"restored {self.articles} article{'s' if self.articles != 1 else ''} "
                f"({self.quads} quads) from {self.source}")
        if self.replaced:
            text += (f", after removing the {self.replaced} article"
                     f"{'s' if self.replaced != 1 else ''} the store held")
        return text


# --------------------------------------------------------------------------- formats


def dump_format(target: str | os.PathLike[str] | None, fmt: str | None = None
                ) -> tuple[str, bool]:
    """``(format, gzipped)`` of a dump: ``fmt`` if given, else from the file name of
    ``target``; a stream (``None`` or ``-``) is N-Quads, not gzipped.

    >>> dump_format("kg.nq.gz")
    ('nquads', True)
    >>> dump_format("kg.trig")
    ('trig', False)
    >>> dump_format("-", "trig")
    ('trig', False)
    """
    if fmt is not None and fmt not in BACKUP_FORMATS:
        raise InputError(f"unknown backup format {fmt!r}; expected one of "
                         f"{', '.join(BACKUP_FORMATS)}")
    if target is None or str(target) == "-":
        return fmt or "nquads", False
    name = Path(target).name.lower()
    gzipped = name.endswith(".gz")
    if gzipped:
        name = name[: -len(".gz")]
    found = _SUFFIXES.get(Path(name).suffix)
    if fmt is None and found is None:
        raise InputError(f"{target}: cannot tell the format from the name; name it "
                         f"{', '.join(_SUFFIXES)} (with .gz after it to compress), or pass "
                         f"--format {'|'.join(BACKUP_FORMATS)}")
    return fmt or found or "nquads", gzipped


def article_graphs(store: Store) -> list[ox.NamedNode]:
    """The article graphs of ``store``, sorted by IRI (:meth:`Store.article_graphs
    <kg.store.base.Store.article_graphs>`)."""
    return store.article_graphs()


# --------------------------------------------------------------------------- backup


def backup(store: Store, target: Target, *, fmt: str | None = None,
           progress: Progress | None = None) -> BackupReport:
    """Write every article graph of ``store`` to ``target`` (a path, or a binary stream).

    The format comes from the path's name unless ``fmt`` (``nquads`` or ``trig``) is
    given; ``.gz`` after the name compresses. A path is written atomically (a temporary
    file, fsync, rename). ``progress(done, total)`` is called after each article. The
    merged default graph is not written: :func:`restore` rebuilds it (see the module
    docstring). Raises :class:`~kg.errors.InputError` for a target that cannot be written.
    """
    stream = not isinstance(target, str | os.PathLike)
    if stream:
        fmt, gzipped = dump_format(None, fmt)
        shown = getattr(target, "name", None)
        shown = shown if isinstance(shown, str) else "<stdout>"
    else:
        path = Path(target)  # type: ignore[arg-type]
        fmt, gzipped = dump_format(path, fmt)
        shown = str(path)
        if path.is_dir():
            raise InputError(f"{path} is a folder; give the backup a file name such as "
                             f"{path / 'kg.nq.gz'}")
    graphs = article_graphs(store)
    counts = {"articles": 0, "quads": 0}

    def quads() -> Iterator[ox.Quad]:
        for done, graph in enumerate(graphs, 1):
            found = sorted(store.quads(article_id_of(graph.value)), key=str)
            if found:
                counts["articles"] += 1
                counts["quads"] += len(found)
                yield from found
            if progress is not None:
                progress(done, len(graphs))

    def write(out: IO[bytes]) -> None:
        if gzipped:  # no file name, no time in the header: the same dump, the same bytes
            with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as zipped:
                _serialize(quads(), zipped, fmt)
        else:
            _serialize(quads(), out, fmt)

    if stream:
        write(target)  # type: ignore[arg-type]
        target.flush()  # type: ignore[union-attr]
    else:
        try:
            with _atomic(path) as out:
                write(out)
        except OSError as exc:
            raise InputError(f"cannot write the backup {path}: {exc.strerror or exc}") \
                from exc
    return BackupReport(articles=counts["articles"], quads=counts["quads"], target=shown,
                        format=fmt, compressed=gzipped)


def _serialize(quads: Iterator[ox.Quad], out: IO[bytes], fmt: str) -> None:
    RDF_FORMATS[fmt].write(quads, out)


@contextmanager
def _atomic(path: Path) -> Iterator[IO[bytes]]:
    """A binary file that becomes ``path`` only once it is whole and on disk.

    It is written as ``.NAME.XXXX.part`` beside ``path``, locked until renamed; the stale
    ones of killed writers are removed first (:func:`_remove_stale_parts`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_parts(path)
    fd, tmp = _locked_part(path)
    held = os.dup(fd)  # the lock lives on this one until the rename, after the file closes
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        os.close(held)
    _sync_folder(path.parent)


def _locked_part(path: Path) -> tuple[int, str]:
    """A new ``.NAME.XXXX.part`` beside ``path``, open and locked. Another backup's
    clean-up may remove it between its creation and the lock; then take another."""
    while True:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        fcntl.flock(fd, fcntl.LOCK_EX)
        if os.fstat(fd).st_nlink > 0:
            return fd, tmp
        os.close(fd)


def _remove_stale_parts(path: Path) -> None:
    """Remove the ``.NAME.*.part`` files beside ``path`` that no live process holds: those
    of backups killed mid-write (a running backup keeps its own locked)."""
    prefix = f".{path.name}."
    try:
        names = [e.name for e in os.scandir(path.parent)
                 if e.name.startswith(prefix) and e.name.endswith(".part") and e.is_file()]
    except OSError:
        return
    for name in names:
        stale = path.parent / name
        try:
            fd = os.open(stale, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                log.debug("cannot lock %s: %s", stale, exc)
            os.close(fd)
            continue
        try:
            size = os.fstat(fd).st_size
            stale.unlink()
            log.warning("removed %s (%s bytes), left by an interrupted backup", stale,
                        f"{size:,}")
        except OSError as exc:
            log.warning("cannot remove %s, left by an interrupted backup: %s", stale,
                        exc.strerror or exc)
        finally:
            os.close(fd)  # the rename itself survives a crash once the folder is synced


def _sync_folder(folder: Path) -> None:
    """fsync a folder, so that a rename or removal in it survives a crash (best effort)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the data is synced already
    finally:
        os.close(fd)


def _file_mode(path: Path) -> int:
    """The mode ``open()`` would give a new file (mkstemp's is 0600), or the old file's."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# --------------------------------------------------------------------------- restore


def restore(store: Store, source: Target, *, fmt: str | None = None, replace: bool = False,
            allow_empty: bool = False, progress: Progress | None = None,
            batch_size: int = BATCH_SIZE) -> RestoreReport:
    """Read a dump (a path, or a binary stream) into ``store``, rebuilding its merged
    default graph.

    The store must hold no article unless ``replace`` (then it is emptied first). The whole
    dump is checked before the store changes (see the module docstring): a dump that does
    not parse, holds a quad outside the article graphs, an article graph without its
    article record, or no article at all (unless ``allow_empty``), raises
    :class:`~kg.errors.InputError` naming the file and the line, or the quad and its graph,
    and leaves the store as it was. ``progress(done, total)`` is called after each batch of
    ``batch_size`` articles written. A local store is marked incomplete from the first write
    to the last (:data:`kg.store.RESTORE_MARKER`). Raises :class:`~kg.errors.StoreError`
    for a store that holds articles (without ``replace``) or cannot be written.
    """
    if store.read_only:
        raise StoreError(f"the store at {store.path} is open read-only; cannot restore into it")
    existing = article_graphs(store)
    if existing and not replace:
        unfinished = (" left by a restore that did not finish" if store.incomplete else "")
        raise StoreError(
            f"the store at {store.path} already holds {len(existing)} article"
            f"{'s' if len(existing) != 1 else ''}{unfinished}; restore into an empty store "
            "(another --store), or pass --replace to empty it first")
    with _readable(source, fmt) as dump, ExitStack() as stack:
        total, grouped = _scan(dump)
        if total == 0 and not allow_empty:
            raise InputError(
                f"{dump.shown} holds no articles: an empty or truncated dump (`kg --store "
                "WRONG-PATH backup - > FILE` writes such a file); nothing was restored; pass "
                "--allow-empty to restore it anyway"
                + (" (with --replace, that empties the store)" if replace else ""))
        marker = _mark_incomplete(store, dump.shown if dump.shown == _STDIN
                                  else os.path.abspath(dump.shown))
        if grouped:
            articles = _grouped(dump)  # read again while the store is written
        else:
            articles = stack.enter_context(_staged(dump))
        if existing:
            store.clear()
        done = quads = 0
        batch: dict[str, list[ox.Quad]] = {}
        for graph, found in articles:
            batch[article_id_of(graph.value)] = found
            done += 1
            quads += len(found)
            if len(batch) >= batch_size or done == total:
                store.add_articles(batch)  # a local store flushes itself every 100,000 quads
                batch = {}
                if progress is not None:
                    progress(done, total)
        if done:  # a dump holds no ontology graph: load it, as ingest does
            store.ensure_ontology()
        _check_records(store, done)
        _unmark(marker)
    return RestoreReport(articles=done, quads=quads, source=dump.shown,
                         replaced=len(existing))


def _mark_incomplete(store: Store, source: str) -> Path | None:
    """Write the marker of an unfinished restore into a local store's folder (whole and
    on disk before the first write); None for a store that keeps none (a server, which has
    no folder: :attr:`Store.restore_marker <kg.store.base.Store.restore_marker>`)."""
    marker = store.restore_marker
    if marker is None:
        return None
    record = {"source": source, "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
              "pid": os.getpid(),
              "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:200]}
    try:
        with _atomic(marker) as out:
            out.write(json.dumps(record).encode("utf-8"))
    except OSError as exc:
        raise StoreError(f"cannot write {marker}: {exc.strerror or exc}; {_NOTHING}") from exc
    return marker


def _unmark(marker: Path | None) -> None:
    """Remove the marker once the restore is whole (and make the removal durable)."""
    if marker is None:
        return
    marker.unlink(missing_ok=True)
    _sync_folder(marker.parent)


def _check_records(store: Store, restored: int) -> None:
    """After the last write: the store holds ``restored`` article graphs, each with its
    article record. StoreError otherwise (the marker stays: the store is not whole)."""
    graphs = article_graphs(store)
    missing = store.graphs_without_record(graphs)
    if missing or len(graphs) != restored:
        found = (f"{len(missing)} article graph(s) without their record ({missing[0]}"
                 f"{', ...' if len(missing) > 1 else ''})" if missing
                 else f"{len(graphs)} article graphs where {restored} were restored")
        raise StoreError(f"the store at {store.path} is not whole after the restore: it holds "
                         f"{found}; {_PART}")


@dataclass(frozen=True)
class _Dump:
    """A dump that can be read more than once: a seekable binary ``file`` whose dump starts
    at ``start``, its RDF ``format`` and its name for messages."""

    file: IO[bytes]
    start: int
    format: str
    shown: str

    def quads(self, then: str = _NOTHING) -> Iterator[ox.Quad]:
        """Its quads, from the start (gunzipped when it begins with gzip's magic bytes);
        InputError at a syntax error or a file that cannot be read, saying ``then``
        what became of the store."""
        try:
            self.file.seek(self.start)
            magic = self.file.read(2)
            self.file.seek(self.start)
            stream: IO[bytes] = self.file
            if magic == _GZIP_MAGIC:
                stream = gzip.GzipFile(fileobj=self.file, mode="rb")
            yield from ox.parse(input=stream, format=RDF_FORMATS[self.format].parse)
        except SyntaxError as exc:
            line = f":{exc.lineno}" if exc.lineno else ""
            raise InputError(f"{self.shown}{line}: not valid {RDF_FORMATS[self.format].label}: "
                             f"{exc.msg}; {then}") from exc
        except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
            raise InputError(f"cannot read {self.shown}: {exc}; {then}") from exc




@contextmanager
def _readable(source: Target, fmt: str | None) -> Iterator[_Dump]:
    """The dump at ``source`` as a :class:`_Dump`; a stream that cannot seek (a pipe) is
    first copied to a temporary file (bounded memory, one copy on disk)."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        fmt, _ = dump_format(path, fmt)
        try:
            file: IO[bytes] = path.open("rb")
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
        shown = str(path)
    else:
        fmt, _ = dump_format(None, fmt)
        file = source
        name = getattr(source, "name", None)
        shown = name if isinstance(name, str) else _STDIN
    try:
        if file.seekable():
            yield _Dump(file, file.tell(), fmt, shown)
            return
        with tempfile.TemporaryFile(prefix="kg-restore-") as spool:
            try:
                shutil.copyfileobj(file, spool, 1 << 20)
            except OSError as exc:
                raise InputError(f"cannot read {shown}: {exc}; nothing was restored") \
                    from exc
            yield _Dump(spool, 0, fmt, shown)  # type: ignore[arg-type]
    finally:
        if file is not source:
            file.close()


def _scan(dump: _Dump) -> tuple[int, bool]:
    """Read the whole dump once and check every quad; ``(number of article graphs, whether
    each graph's quads are all together)``. InputError at the first fault, or when an
    article graph lacks its article record."""
    seen: set[object] = set()
    recorded: set[object] = set()
    last: object = None
    grouped = True
    for number, quad in enumerate(dump.quads(), 1):
        graph = quad.graph_name
        if quad.object == _ARTICLE_CLASS and quad.predicate == _RDF_TYPE \
                and quad.subject == graph:
            recorded.add(graph)
        if graph == last:
            continue
        if isinstance(graph, ox.DefaultGraph):
            raise InputError(
                f"{dump.shown}: quad {number} ({quad}) is in the default graph; a kg backup "
                "holds only article graphs (the merged default graph is rebuilt from them), "
                f"so this is not a kg backup; {_NOTHING}")
        if not is_article_graph(graph):
            raise InputError(
                f"{dump.shown}: quad {number} is in the graph {graph}, which is not an article "
                f"graph (<{ARTICLE}ID>), so this is not a kg backup; {_NOTHING}")
        if graph in seen:
            grouped = False
        seen.add(graph)
        last = graph
    unrecorded = sorted((g for g in seen - recorded), key=str)
    if unrecorded:
        more = f" and {len(unrecorded) - 1} more" if len(unrecorded) > 1 else ""
        raise InputError(
            f"{dump.shown}: the article graph {unrecorded[0]}{more} has no article record "
            f"(`{unrecorded[0]} a kg:Article`), which kg finds articles by: the dump is cut "
            f"short or not a kg backup; {_NOTHING}")
    return len(seen), grouped


def _grouped(dump: _Dump) -> Iterator[tuple[ox.NamedNode, list[ox.Quad]]]:
    """The articles of a dump whose graphs come one after another, read a second time, one
    article at a time."""
    graph: object = None
    quads: list[ox.Quad] = []
    for quad in dump.quads(_PART):
        if quad.graph_name != graph:
            if quads:
                yield graph, list(dict.fromkeys(quads))  # type: ignore[misc]
            graph, quads = quad.graph_name, []
        quads.append(quad)
    if quads:
        yield graph, list(dict.fromkeys(quads))  # type: ignore[misc]


@contextmanager
def _staged(dump: _Dump) -> Iterator[Iterator[tuple[ox.NamedNode, list[ox.Quad]]]]:
    """The articles of a dump whose graphs interleave, grouped by a temporary on-disk
    Oxigraph store (its graph index), one article at a time in the order of their IRIs."""
    with tempfile.TemporaryDirectory(prefix="kg-restore-") as folder:
        held = [ox.Store(folder)]

        def articles() -> Iterator[tuple[ox.NamedNode, list[ox.Quad]]]:
            graphs = sorted(held[0].named_graphs(), key=lambda g: g.value)
            for graph in graphs:
                yield graph, list(held[0].quads_for_pattern(None, None, None, graph))

        try:
            quads, unflushed = dump.quads(), 0
            while chunk := list(itertools.islice(quads, 10_000)):
                held[0].extend(chunk)
                unflushed += len(chunk)
                if unflushed >= FLUSH_QUADS:
                    held[0].flush()  # bounded memory, as in restore()
                    unflushed = 0
            yield articles()
        finally:
            held.clear()  # the staging store closes its files before their folder goes
            gc.collect()
