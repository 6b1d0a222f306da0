"""The per-article budget: what one article may cost in time and memory, and how it is held.

One article comes from the open web, and a hostile or broken one (a page of 30,000 unclosed
tags, a 1,000,000-character text) could otherwise cost minutes and gigabytes and stall the
whole run. Each article therefore gets a budget; an article over it is that article's
failure, reported like any other source that cannot be used, and the run goes on
(``docs/decisions/0017-article-budget.md``).

* **Time** (:func:`time_limit`): CPU seconds of the thread that reads a source, and again
  of the thread that extracts its article. A watcher thread reads that thread's CPU clock
  and, once it is over, sends it ``SIGALRM``, whose handler raises :class:`OverBudget`
  between two Python steps, which html.parser and spaCy's pipeline reach many times a
  second. Signals are delivered to the main thread only, which ``kg ingest`` and its
  ``--workers`` processes extract in; in another thread (a Dask worker runs its tasks in
  one, :mod:`kg.cluster`) the watcher raises :class:`OverBudget` in that thread instead
  (``PyThreadState_SetAsyncExc``), at the same kind of step.
* **Memory** (:func:`limit_memory`): in ``--workers`` processes, ``RLIMIT_DATA`` (Linux:
  heap and private mappings) caps what one worker may allocate beyond what it holds once
  its model is loaded, so an article that needs more fails with ``MemoryError`` (or its
  worker dies and is replaced) instead of taking the machine's memory. The one-process
  path shares its memory with the store's writer (RocksDB would abort, not raise), so
  there the cap on characters per article (:data:`kg.sources.MAX_TEXT_CHARS`) is the bound.
* **Workers die with their parent** (:func:`die_with_parent`): a worker that outlived a
  killed ``kg ingest`` would hold ~200 MB and the parent's stdout (so ``kg ingest | tee``
  never ends).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = [
    "ArticleBudget",
    "OverBudget",
    "DEFAULT_SECONDS",
    "DEFAULT_MEMORY_MB",
    "time_limit",
    "limit_memory",
    "die_with_parent",
]

log = logging.getLogger(__name__)

#: CPU seconds one article may take to read and, again, to extract. A news article of
#: 50,000 characters takes a few seconds; the largest one kg takes (1,000,000 characters)
#: about 60.
DEFAULT_SECONDS = 180.0
#: Megabytes one article may allocate in a ``--workers`` process, beyond the loaded model
#: (RLIMIT_DATA): a 1,000,000-character article takes about 1 GB.
DEFAULT_MEMORY_MB = 2048


class OverBudget(BaseException):  # noqa: N818 - not an error of kg's: the article's
    """Raised by :func:`time_limit` when an article's time is up.

    A ``BaseException``, like ``KeyboardInterrupt``: code that catches ``Exception`` on the
    way (a parser's fallback, a pipeline component) must not swallow it.
    """


@dataclass(frozen=True)
class ArticleBudget:
    """What one article may cost: ``seconds`` of CPU time (reading, then extraction, each)
    and ``memory_mb`` beyond the loaded model (in worker processes); None for no limit."""

    seconds: float | None = DEFAULT_SECONDS
    memory_mb: int | None = DEFAULT_MEMORY_MB

    @classmethod
    def of(cls, seconds: float | None, memory_mb: int | None) -> ArticleBudget:
        """From command-line values, where 0 means no limit."""
        return cls(seconds=seconds or None, memory_mb=memory_mb or None)

    def time_reason(self, stage: str) -> str:
        """Why an article over the time budget was skipped, e.g. ``over the per-article
        time budget of 180 s of CPU (extraction); ...``."""
        return (f"over the per-article time budget of {self.seconds:g} s of CPU ({stage}); "
                "raise it with --article-timeout, or split the article")

    def memory_reason(self) -> str:
        return (f"over the per-article memory budget of {self.memory_mb:,} MB (extraction); "
                "raise it with --article-memory, or split the article")


NO_BUDGET = ArticleBudget(seconds=None, memory_mb=None)


@contextlib.contextmanager
def time_limit(seconds: float | None, *, poll: float = 0.05) -> Iterator[None]:
    """Raise :class:`OverBudget` in the body once it has used ``seconds`` of CPU time in
    this thread (None: never).

    CPU time, not wall-clock time: what the article costs, the same on an idle machine and
    on a busy one (where a 1,000,000-character article got a third of a CPU and took three
    times as long). A watcher thread reads this thread's CPU clock every ``poll`` seconds
    and, once over, sends it SIGALRM, whose handler raises; in a thread other than the main
    one (which alone gets signals) it raises there asynchronously instead. Either way
    nothing is raised after the body ends. Where threads have no CPU clock, wall-clock
    time is counted instead.

    The watcher is one thread per process, started on first use and kept (:class:`_Watcher`):
    starting and joining a thread for every article cost about 2 ms each while the store's
    writer thread held the GIL, 4% of a single-process ingest (docs/performance.md).
    """
    if not seconds:
        yield
        return
    target = threading.get_ident()
    clock = _thread_clock(target)
    if threading.current_thread() is not threading.main_thread():
        with _raised_in_thread(target, clock, seconds, poll):
            yield
        return
    state = {"armed": True}

    def expire(signum: int, frame: object) -> None:
        if state["armed"]:
            state["armed"] = False
            raise OverBudget(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    watcher, body = _Watcher.here(), _Watch(target, clock, clock() + seconds, poll)
    watcher.watch(body)
    try:
        yield
    finally:
        state["armed"] = False
        watcher.stop(body)  # after this, the watcher sends no signal for this body
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


@contextlib.contextmanager
def _raised_in_thread(target: int, clock: Callable[[], float], seconds: float,
                      poll: float) -> Iterator[None]:
    """:func:`time_limit` in a thread other than the main one: the watcher sets
    :class:`OverBudget` as the thread's pending asynchronous exception, which Python raises
    at its next step. It is set only while the body is watched, and one set but not yet
    raised when the body ends is cleared, so it is raised inside the ``with`` or never."""
    body = _Watch(target, clock, clock() + seconds, poll, deliver=_set_async_exc)
    watcher = _Watcher.here()
    watcher.watch(body)
    try:
        yield
    finally:
        watcher.stop(body)
        if body.fired:
            _set_async_exc(target, clear=True)


def _set_async_exc(target: int, *, clear: bool = False) -> None:
    """Make thread ``target`` raise :class:`OverBudget` at its next Python step (or, with
    ``clear``, forget one set and not raised yet)."""
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(target), None if clear else ctypes.py_object(OverBudget))


def _send_sigalrm(target: int) -> None:
    signal.pthread_kill(target, signal.SIGALRM)


@dataclass(eq=False)  # each body is itself: two with equal fields are not the same
class _Watch:
    """One body under :func:`time_limit`: the thread, its CPU clock, when it is over, how
    it is told (SIGALRM to the main thread; elsewhere an asynchronous exception) and
    whether it was."""

    target: int
    clock: Callable[[], float]
    deadline: float
    poll: float
    deliver: Callable[[int], None] = _send_sigalrm
    fired: bool = False


class _Watcher:
    """The watcher thread of this process: watches the bodies under :func:`time_limit`
    (one at a time in ``kg ingest``; nested ones each keep their own deadline), sleeping
    while there are none."""

    _mine: _Watcher | None = None

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.lock = threading.Condition()
        self.bodies: list[_Watch] = []
        threading.Thread(target=self._run, name="kg-article-budget", daemon=True).start()

    @classmethod
    def here(cls) -> _Watcher:
        """This process's watcher (a forked child starts its own: threads do not fork)."""
        if cls._mine is None or cls._mine.pid != os.getpid():
            cls._mine = cls()
        return cls._mine

    def watch(self, body: _Watch) -> None:
        with self.lock:
            self.bodies.append(body)
            self.lock.notify()

    def stop(self, body: _Watch) -> None:
        with self.lock:
            if body in self.bodies:
                self.bodies.remove(body)

    def _run(self) -> None:
        with self.lock:
            while True:
                if not self.bodies:
                    self.lock.wait()
                    continue
                self.lock.wait(min(b.poll for b in self.bodies))
                for body in [b for b in self.bodies if b.clock() >= b.deadline]:
                    self.bodies.remove(body)
                    body.fired = True
                    body.deliver(body.target)


def _thread_clock(ident: int) -> Callable[[], float]:
    """A function giving thread ``ident``'s CPU time in seconds, from any thread (the
    monotonic clock where threads have no CPU clock)."""
    import time

    try:
        clock_id = time.pthread_getcpuclockid(ident)
        time.clock_gettime(clock_id)
    except (AttributeError, OSError):  # pragma: no cover - platforms without thread clocks
        return time.monotonic
    return lambda: time.clock_gettime(clock_id)


def limit_memory(megabytes: int | None) -> bool:
    """Cap this process's data segment (``RLIMIT_DATA``: heap and private anonymous
    mappings) at what it holds now plus ``megabytes``; False where the platform has no
    such limit. Called once the model is loaded: the budget is the article's, whatever the
    model's size."""
    if not megabytes:
        return False
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return False
    limit = _data_bytes() + megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    return True


def _data_bytes() -> int:
    """This process's data segment now (``VmData``), or its peak resident size where
    ``/proc`` is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


#: glibc's ``mallopt`` parameters (malloc.h) and the values :func:`steady_malloc` sets:
#: the ceilings glibc's own dynamic thresholds reach on a 64-bit machine.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD = 32 * 1024 * 1024
_TRIM_THRESHOLD = 2 * _MMAP_THRESHOLD


def steady_malloc() -> bool:
    """Let this (worker) process keep the memory it frees for its next article, as glibc
    does by itself once warm; False where the C library is not glibc.

    Dask's nanny starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536``
    (``distributed.nanny.pre-spawn-environ``), and so does any process spawned by one that
    ran a ``LocalCluster`` (the nanny sets it in its own environment). Setting it turns
    off glibc's dynamic thresholds: every buffer over 128 KiB (spaCy's arrays) is then
    mapped and unmapped afresh, and freed memory goes back to the system at once. Measured
    on 200 articles: 11 times the page faults and about 2 s more system CPU (+15%). This
    sets the thresholds to the ceilings the dynamic ones reach (32 MiB mapped, 64 MiB kept),
    which undoes it whatever the environment said (docs/performance.md).
    """
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.gnu_get_libc_version  # noqa: B018 - glibc only: mallopt's numbers are its own
    except (OSError, AttributeError):
        return False
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
                and libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int, *, poll: float = 0.5) -> None:
    """End this (worker) process when ``parent`` dies, however it dies (SIGKILL included).

    On Linux, the kernel sends SIGKILL at the parent's death (``PR_SET_PDEATHSIG``; it fires
    when the parent's thread that started this process ends: ``ProcessPoolExecutor`` starts
    workers from the thread that submits, the parent's main thread). Everywhere, a daemon
    thread also checks every ``poll`` seconds that the parent is still ours (a dead
    parent's children are adopted: ``os.getppid()`` changes) and ends the process if not.
    """
    with contextlib.suppress(OSError, AttributeError):
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it died before the line above: no signal will come
        os._exit(1)

    def watch() -> None:
        import time

        while os.getppid() == parent:
            time.sleep(poll)
        os._exit(1)

    threading.Thread(target=watch, name="kg-parent-watch", daemon=True).start()
