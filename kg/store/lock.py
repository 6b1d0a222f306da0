"""Who may open a store: one writer, or any number of readers.

Oxigraph (RocksDB) allows one read-write opener per directory, and a read-only opener is
only safe while nobody writes. kg makes that a rule with an advisory lock
(``fcntl.flock``) on ``<store>/kg.lock``:

* a **writer** (``kg ingest``, ``kg remove``) takes it exclusively;
* a **reader** (``kg query``, ``kg show``, ``kg stats``, ...) takes it shared and opens the
  store read-only, so readers never block each other.

``kg serve`` on a local store holds it only for a moment at start: it serves snapshots that
the writer publishes (:mod:`kg.snapshots`, decision 0029), so writers run while it serves. On
a store it may not write (a read-only mount) it is a plain reader.

A process that cannot get the lock fails at once with :class:`~kg.errors.StoreBusyError`,
which names the store and the processes holding it, or waits for it (``wait=True``).
Each holder also keeps ``<store>/kg-holders/<pid>.json`` locked while it lives, with its
command line and mode; a file whose lock is free belongs to a dead process and is ignored
(and removed). The kernel drops ``flock`` locks when a process dies, even by SIGKILL, so a
crash never leaves the store locked.

Readers need no write access. A store on a read-only mount, or one this user may read but
not write, is still readable: a reader opens ``kg.lock`` read-only (``flock`` takes a shared
lock on a read-only descriptor), and when it cannot register in ``kg-holders/`` it goes on
unregistered (a busy message then cannot name it). A reader of a store that has no
``kg.lock`` and cannot create one (a store made by another tool, on a read-only mount) reads
without a lock: nobody can write there either.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import StoreBusyError

__all__ = ["StoreLock", "holders", "LOCK_FILE"]

LOCK_FILE = "kg.lock"
_HOLDERS = "kg-holders"
#: errnos of a file this process may not create or write: the mount or the mode forbids it.
_NOT_WRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS)

log = logging.getLogger(__name__)


@dataclass
class StoreLock:
    """The lock this process holds on a store (release with :meth:`release`)."""

    path: Path
    exclusive: bool
    _fd: int
    _holder_fd: int | None
    _holder_path: Path | None

    @classmethod
    def acquire(cls, store: Path, *, exclusive: bool, wait: bool = False) -> StoreLock:
        """Lock ``store`` (a directory that exists) for writing or reading."""
        store = Path(store)
        fd = _open_lock_file(store, exclusive)
        if fd < 0:  # a reader where no lock file is and none can be made
            return cls(store, exclusive, -1, None, None)
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            if wait:
                fcntl.flock(fd, mode)
            else:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreBusyError(str(store), exclusive, holders(store)) from None
        holder_fd, holder_path = _register(store, exclusive)
        return cls(store, exclusive, fd, holder_fd, holder_path)

    def release(self) -> None:
        if self._holder_fd is not None:
            try:
                if self._holder_path is not None:
                    self._holder_path.unlink(missing_ok=True)
            finally:
                os.close(self._holder_fd)
                self._holder_fd = None
        if self._fd >= 0:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = -1


def _open_lock_file(store: Path, exclusive: bool) -> int:
    """A descriptor of ``store``'s lock file, or -1 for a reader that can neither open nor
    create it (then nobody can write the store either).

    A writer opens it read-write, creating it. A reader opens it read-only, so a store it may
    not write (read-only mount, another user's store) is still readable; only when the file
    is missing does it try to create it."""
    lock = store / LOCK_FILE
    if exclusive:
        return os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        return os.open(lock, os.O_RDONLY)
    except FileNotFoundError:
        pass
    try:
        return os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if exc.errno not in _NOT_WRITABLE:
            raise
        log.debug("%s: no %s and none can be made (%s); reading without a lock", store,
                  LOCK_FILE, exc.strerror)
        return -1


def _register(store: Path, exclusive: bool) -> tuple[int | None, Path | None]:
    """Write this process's holder record; best effort: a reader of a folder it may not
    write (a read-only mount, another user's store) goes unregistered."""
    if not exclusive and not os.access(store, os.W_OK):
        return None, None
    fd = -1
    draft: Path | None = None
    try:
        folder = store / _HOLDERS
        folder.mkdir(exist_ok=True)
        path = folder / f"{os.getpid()}-{time.monotonic_ns()}.json"
        draft = path.with_suffix(".tmp")  # locked before it gets the name others look for
        fd = os.open(draft, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        record = {
            "pid": os.getpid(),
            "mode": "writing" if exclusive else "reading",
            "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:200],
            "since": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        os.write(fd, json.dumps(record).encode("utf-8"))
        os.replace(draft, path)
        return fd, path
    except OSError:
        if fd >= 0:
            os.close(fd)
            if draft is not None:
                draft.unlink(missing_ok=True)
        return None, None


def holders(store: Path) -> list[dict]:
    """The live processes holding ``store``'s lock, as their holder records."""
    folder = Path(store) / _HOLDERS
    live: list[dict] = []
    try:
        paths = sorted(folder.glob("*.json"))
    except OSError:
        return live
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:  # its owner is alive and holds it
                try:
                    live.append(json.loads(path.read_text(encoding="utf-8") or "{}"))
                except (OSError, ValueError):
                    live.append({"pid": path.stem.split("-")[0]})
                continue
            path.unlink(missing_ok=True)  # a dead process's record
        finally:
            os.close(fd)
    return live
