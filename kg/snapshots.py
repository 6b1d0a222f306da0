"""Snapshots of a local store for live readers: ``kg ingest`` while ``kg serve`` serves.

Oxigraph (RocksDB) cannot be read by one process while another writes it (a read-only
opener of a changing folder may fail or read garbage), and pyoxigraph has no secondary
mode. So a server does not read the store itself: it reads **checkpoints** of it.
``pyoxigraph.Store.backup(dir)`` makes a RocksDB checkpoint (hard links to the immutable
table files, a copy of the small rest) that nobody ever writes, so any number of
processes may open it read-only while the store goes on changing. The layout, inside the
store's folder::

    kg-snapshots/
      live.lock            a live reader (``kg serve``) holds a shared flock on it while it runs
      current              the name of the newest snapshot (replaced atomically, by rename)
      <name>/              a checkpoint, never written once it has its name
      <name>.lock          readers of <name> hold a shared flock on it while they use it
      .<name>.part/        a checkpoint being made (a publisher killed midway leaves it)

The rules (decision 0029):

* A **writer** (``kg ingest``, ``remove``, ``restore``, ``repair``: anything that opens a
  :class:`~kg.store.LocalStore` for writing) calls :func:`after_commit` at each point where the
  store holds whole articles only: after each batch of ``kg ingest``, and when it closes.
  If a live reader is registered it **publishes** a snapshot (checkpoint, then switch
  ``current``), otherwise it removes any snapshots left over, so no stale one stays.
* A **server** (:class:`LiveServe`) registers as live reader, then publishes a snapshot of
  the store as it is, under the exclusive store lock for that moment only (a checkpoint
  of a read-only opener would miss what is still in the write-ahead log); if a writer holds
  the lock it waits for that writer's next publication instead (the writer sees the
  registration). It never holds the store lock while serving, so writers run freely.
* Each query process (:class:`LiveView`) opens the snapshot ``current`` names, read-only,
  and before each query checks it (one ``stat``) and, when a newer one was published,
  opens that one and lets the old one go: between queries, so a running query keeps its
  snapshot to the end, and every answer is of a state with whole articles only.
* Old snapshots are deleted by whoever publishes next (or by the last server to stop),
  and only those whose lock file it can lock exclusively: none that a reader still holds.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import StoreBusyError, StoreError
from .store.lock import StoreLock

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph as ox

    from .store import Store

__all__ = ["FOLDER", "LiveServe", "LiveView", "after_commit", "live_reader_registered",
           "publish", "prune", "snapshots"]

log = logging.getLogger(__name__)

#: The folder of the snapshots, inside the store's folder.
FOLDER = "kg-snapshots"
_CURRENT = "current"
_LIVE = "live.lock"
_PART = ".part"
#: errnos of a folder this process may not write: then a server reads the store itself.
_NOT_WRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS)
#: Seconds a server waits, without ``--wait``, for a writer that holds the store to publish.
START_WAIT = 120.0
#: Seconds between two looks at the lock and the pointer while a server waits at start.
_POLL = 0.1


def _folder(store: Path) -> Path:
    return Path(store) / FOLDER


def snapshots(store: Path) -> list[str]:
    """The names of the snapshots in ``store``'s folder (finished ones, oldest first)."""
    try:
        return sorted(p.name for p in _folder(store).iterdir()
                      if p.is_dir() and not p.name.startswith("."))
    except FileNotFoundError:
        return []


def current(store: Path) -> str | None:
    """The name of ``store``'s newest snapshot, or None when there is none."""
    try:
        return (_folder(store) / _CURRENT).read_text(encoding="ascii").strip() or None
    except FileNotFoundError:
        return None


def live_reader_registered(store: Path) -> bool:
    """Whether a live reader (a ``kg serve``) holds ``store``'s registration: one failed
    non-blocking lock attempt, nothing when no server ever ran there."""
    try:
        fd = os.open(_folder(store) / _LIVE, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # drops the lock, if it was taken
    return False


def publish(oxigraph: ox.Store, store: Path) -> str:
    """Checkpoint the read-write ``oxigraph`` of the store at ``store`` into a new snapshot,
    make it ``current`` and delete the older ones no reader holds; returns its name.

    The caller holds the store's exclusive lock (it is the one writer), so publications
    never interleave. The name grows with time, so ``current`` only moves forward."""
    folder = _folder(store)
    folder.mkdir(exist_ok=True)
    name = f"{time.time_ns():020d}"
    part = folder / f".{name}{_PART}"
    oxigraph.backup(str(part))
    (folder / f"{name}.lock").touch()  # before the name: a reader finds its lock file
    os.rename(part, folder / name)
    draft = folder / f".{_CURRENT}{_PART}"
    draft.write_text(name + "\n", encoding="ascii")
    os.replace(draft, folder / _CURRENT)
    prune(store, keep=name, parts=True)
    return name


def prune(store: Path, *, keep: str | None, parts: bool = False) -> list[str]:
    """Delete ``store``'s snapshots other than ``keep`` that no reader holds, and their lock
    files; ``keep=None`` deletes the pointer too (no live reader needs it). ``parts`` also
    deletes unfinished ones (``.NAME.part``: only the one writer may, it alone makes them).
    Returns the names deleted."""
    folder = _folder(store)
    if not folder.is_dir():
        return []
    if keep is None:
        (folder / _CURRENT).unlink(missing_ok=True)
    gone = []
    for entry in sorted(folder.iterdir()):
        name = entry.name
        if name.startswith("."):
            if parts and name.endswith(_PART):
                _remove(entry)
            continue
        if name == keep or not entry.is_dir():
            continue
        lock = folder / f"{name}.lock"
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            log.debug("cannot lock %s: %s", lock, exc)
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a reader still uses it
            _remove(entry)
            lock.unlink(missing_ok=True)
            gone.append(name)
        finally:
            os.close(fd)
    for lock in folder.glob("*.lock"):  # lock files of snapshots already gone
        if lock.name != _LIVE and not (folder / lock.stem).exists():
            lock.unlink(missing_ok=True)
    return gone


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def after_commit(oxigraph: ox.Store, store: Path) -> None:
    """What the one writer of ``store`` does at a point where it holds whole articles only:
    publish a snapshot for the live readers, or, with none registered, drop the snapshots
    left over (they would be stale). Costs one ``stat`` when no server ever ran there."""
    if live_reader_registered(store):
        publish(oxigraph, store)
    elif _folder(store).is_dir():
        prune(store, keep=None, parts=True)


class LiveView:
    """The newest snapshot of a store, open read-only in this process (a query worker).

    :attr:`store` is a read-only :class:`~kg.store.LocalStore` over it; :meth:`refresh` (call it
    between queries) moves to a newer snapshot when one was published. While this process
    uses a snapshot it holds a shared lock on its lock file, so no publisher deletes it."""

    def __init__(self, store_path: Path) -> None:
        self.path = Path(store_path)
        self.name: str | None = None
        self.store: Store | None = None
        self._fd = -1
        self._seen: tuple[int, int] | None = None
        self.refresh()
        if self.store is None:
            raise StoreError(f"the store at {self.path} has no snapshot to serve "
                             f"({FOLDER}/{_CURRENT} is missing); restart `kg serve`")

    def _pointer(self) -> tuple[int, int] | None:
        try:
            st = os.stat(_folder(self.path) / _CURRENT)
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns

    def refresh(self) -> bool:
        """Open the newest snapshot if it is not the one open; True when it moved. Cheap when
        nothing changed (one ``stat`` of the pointer)."""
        seen = self._pointer()
        if seen is None or seen == self._seen:
            return False
        for _ in range(50):  # a snapshot deleted between reading its name and locking it
            name = current(self.path)
            if name is None:
                return False
            if name == self.name:
                self._seen = seen
                return False
            fd = _hold(self.path, name)
            if fd >= 0:
                break
            time.sleep(0.01)
            seen = self._pointer()
        else:  # the pointer names a deleted snapshot: a writer raced a stopping server
            if self.store is not None:
                log.warning("%s: %s names no snapshot; still serving %s", self.path,
                            f"{FOLDER}/{_CURRENT}", self.name)
                return False
            raise StoreError(f"cannot open a snapshot of the store at {self.path}: "
                             f"{FOLDER}/{_CURRENT} names none; restart `kg serve`")
        from .store import LocalStore

        try:
            opened = LocalStore.over_snapshot(self.path, _folder(self.path) / name)
        except BaseException:
            os.close(fd)
            raise
        self._let_go()
        self.store, self.name, self._fd, self._seen = opened, name, fd, seen
        return True

    def _let_go(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
        if self._fd >= 0:
            os.close(self._fd)  # the publisher may delete it now
            self._fd = -1

    def close(self) -> None:
        self._let_go()


def _hold(store: Path, name: str) -> int:
    """A descriptor of snapshot ``name``'s lock file under a shared lock, or -1 when the
    snapshot was deleted meanwhile (a pruner holds the exclusive lock while it deletes, and
    removes the lock file before letting go)."""
    lock = _folder(store) / f"{name}.lock"
    try:
        fd = os.open(lock, os.O_RDONLY)
    except FileNotFoundError:
        return -1
    fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while a pruner deletes it
    try:
        alive = (os.fstat(fd).st_ino == os.stat(lock).st_ino
                 and (_folder(store) / name / "CURRENT").is_file())
    except FileNotFoundError:
        alive = False
    if not alive:
        os.close(fd)
        return -1
    return fd


class LiveServe:
    """A server's hold on a store: registered as live reader, with a current snapshot.

    :meth:`open` returns None for a store whose folder this process may not write (a
    read-only mount): nobody can write it either, so the server reads it directly under
    the shared store lock, as before. :meth:`generation` names the current snapshot (one
    ``stat``): the reply cache keys its answers by it. :meth:`close` lets go and, when no
    other server is registered, deletes the snapshots (only ``kg-snapshots/live.lock``
    stays, an empty file)."""

    def __init__(self, store_path: Path, fd: int) -> None:
        self.path = Path(store_path)
        self._fd = fd
        self._seen: tuple[int, int] | None = None
        self._name: str | None = None

    @classmethod
    def open(cls, store_path: Path, *, wait: bool = False,
             start_wait: float = START_WAIT) -> LiveServe | None:
        path = Path(store_path)
        from .store import LocalStore, is_store

        if not path.is_dir() or not is_store(path):
            LocalStore(path, read_only=True)  # raises the reader's error, touching nothing
        if not os.access(path, os.W_OK):
            return None
        try:
            _folder(path).mkdir(exist_ok=True)
            fd = os.open(_folder(path) / _LIVE, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            if exc.errno in _NOT_WRITABLE:
                return None
            raise StoreError(f"cannot serve the store at {path}: {exc}") from exc
        fcntl.flock(fd, fcntl.LOCK_SH)  # from now on every writer publishes
        served = cls(path, fd)
        try:
            served._first_snapshot(wait, start_wait)
        except BaseException:
            served.close()
            raise
        return served

    def _first_snapshot(self, wait: bool, start_wait: float) -> None:
        """Publish a snapshot of the store as it is now, or wait for the writer holding it to
        publish one (it sees the registration at its next commit)."""
        import pyoxigraph as ox

        before = current(self.path)
        told = False
        deadline = time.monotonic() + start_wait
        while True:
            try:
                lock = StoreLock.acquire(self.path, exclusive=True)
            except StoreBusyError as busy:
                if not told:
                    told = True
                    users = ", ".join(f"pid {h.get('pid')} {h.get('mode', 'using it')} "
                                      f"({h.get('command', '?')})" for h in busy.holders)
                    log.warning("the store is in use by %s; the server starts once a "
                                "writer commits its next batch or the store is free",
                                users or "another process")
                now = current(self.path)
                if now is not None and now != before \
                        and (_folder(self.path) / now / "CURRENT").is_file():
                    return  # the writer published after we registered
                if not wait and time.monotonic() > deadline:
                    raise
                time.sleep(_POLL)
                continue
            try:
                held = ox.Store(str(self.path))
                try:
                    publish(held, self.path)
                finally:
                    del held
            except OSError as exc:
                raise StoreError(f"cannot make a snapshot of the store at {self.path}: "
                                 f"{exc}") from exc
            finally:
                lock.release()
            return

    def generation(self) -> str | None:
        """The name of the current snapshot (what a query sent now is answered from, or a
        newer one)."""
        try:
            st = os.stat(_folder(self.path) / _CURRENT)
        except FileNotFoundError:
            return None
        seen = (st.st_ino, st.st_mtime_ns)
        if seen != self._seen:
            self._name, self._seen = current(self.path), seen
        return self._name

    def close(self) -> None:
        if self._fd < 0:
            return
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # another server still serves this store
        else:
            prune(self.path, keep=None)
        finally:
            os.close(self._fd)
            self._fd = -1
