"""The readers' libraries, each loaded when a source first needs it and never inside a
source's time budget.

Reading sources leans on three libraries whose first use costs far more than any later one:
langid's model (``language``, about 0.4 s), dateparser's tables (``dates``, about 0.5 s) and
trafilatura with htmldate (``html``, about 0.35 s). Loading all three before the first
source (as kg did) cost about 1 s of every ``kg ingest``, also for a folder of ``.txt``
files with ISO dates, which needs only langid. So each is loaded on first use
(:data:`READERS`), and that first use must not count against the article's time budget
(:mod:`kg.budget`): a budget of a few seconds would otherwise refuse the first article
for a cost that is not its own (``docs/decisions/0034-extraction-and-reader-overhead.md``).

:func:`kg.sources.read_sources` reads each source within its budget inside
:func:`deferred`. A reader that is needed there and not yet loaded calls :func:`need`, which
raises :class:`ReaderNotLoaded`; the source's read is abandoned (reading has no side
effects but log records, which :mod:`kg.sources` holds back until the read succeeds), the
reader is loaded outside the budget (:func:`load`), and the source is read again. Outside
:func:`deferred` (a test, a page read on its own), :func:`need` loads the reader in place.

    >>> from kg import readers
    >>> readers.load("dates")       # doctest: +SKIP
    >>> readers.loaded()            # doctest: +SKIP
    frozenset({'dates'})
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Callable, Iterator

__all__ = ["READERS", "ReaderNotLoaded", "deferred", "load", "loaded", "need"]


def _warm_up(module: str) -> Callable[[], None]:
    """The ``warm_up`` of ``kg.<module>``, imported only when called."""

    def warm_up() -> None:
        importlib.import_module(f"{__package__}.{module}").warm_up()

    return warm_up


#: name -> what loads it (and runs it once, so that its first-call set-up is done too):
#: each reader's module has a ``warm_up()``.
READERS: dict[str, Callable[[], None]] = {
    "language": _warm_up("language"),  # kg.language: langid's model
    "dates": _warm_up("dates"),  # kg.dates: dateparser, for dates that are not ISO 8601
    "html": _warm_up("documents"),  # kg.documents.read_page: trafilatura and htmldate
}

_loaded: set[str] = set()
_lock = threading.RLock()  # a reader's set-up may load another (html reads the language)
_state = threading.local()


class ReaderNotLoaded(BaseException):  # noqa: N818 - a signal to the caller, not an error
    """Raised by :func:`need` inside :func:`deferred` for a reader not loaded yet: the
    caller loads it outside the time budget and reads the source again. A BaseException,
    so that a reader's own ``except Exception`` does not take it for the source's failure."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def load(*names: str) -> None:
    """Load the readers ``names`` (all of :data:`READERS` when none is given); each once per
    process. An unknown name is an error naming the known ones."""
    for name in names or tuple(READERS):
        if name in _loaded:
            continue
        try:
            setup = READERS[name]
        except KeyError:
            raise KeyError(f"no reader {name!r}; known: {', '.join(READERS)}") from None
        with _lock:
            if name not in _loaded:
                setup()
                _loaded.add(name)


def loaded() -> frozenset[str]:
    """The readers loaded so far in this process."""
    return frozenset(_loaded)


def need(name: str) -> None:
    """Say that reader ``name`` is about to be used: nothing if it is loaded; inside
    :func:`deferred`, :class:`ReaderNotLoaded`; elsewhere, load it now."""
    if name in _loaded:
        return
    if getattr(_state, "deferred", False):
        if name not in READERS:
            raise KeyError(f"no reader {name!r}; known: {', '.join(READERS)}")
        raise ReaderNotLoaded(name)
    load(name)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Within this block (of this thread), a reader not loaded yet raises
    :class:`ReaderNotLoaded` instead of loading: the block runs within a time budget."""
    before = getattr(_state, "deferred", False)
    _state.deferred = True
    try:
        yield
    finally:
        _state.deferred = before
