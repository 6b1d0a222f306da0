"""Errors that ``kg`` raises, all under one base class.

The library never prints or exits: it raises one of these, and ``kg.cli`` turns any
:class:`KGError` into a ``click.ClickException`` in exactly one place. Every message says what
failed, the offending value, and what to do next.

Hierarchy::

    KGError
     ├── StoreError                 the store cannot be opened, read or written
     │    └── StoreLockedError      another kg process holds the store
     │         └── StoreBusyError   ... named: the holders' pids, modes, commands
     ├── InputError                 a source file cannot be used
     │    ├── SourceError           one file: ``path`` and ``reason``; ``read_sources``
     │    │                         yields these as values so the other files go on
     │    └── GoldError             a gold annotation file (``kg eval``) that cannot be
     │                              read or breaks the annotation scheme
     ├── QueryError                 a SPARQL query is malformed or refused
     ├── EmptyGraphError            view filters that leave nothing to show
     ├── NoPathError                two entities no chain of relations connects
     ├── ServerError                ``kg serve`` cannot start (address taken, worker failed)
     ├── ClusterError               ``kg ingest --cluster``: no scheduler, no workers, no model
     ├── ProtocolError              one HTTP request the endpoint refuses (``status``)
     └── NotFoundError              a name given on the command line matches nothing;
          ├── EntityNotFound        carries "did you mean" ``suggestions``
          └── ArticleNotFound
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "KGError",
    "StoreError",
    "StoreLockedError",
    "StoreBusyError",
    "InputError",
    "SourceError",
    "GoldError",
    "QueryError",
    "EmptyGraphError",
    "NoPathError",
    "ServerError",
    "ClusterError",
    "ProtocolError",
    "NotFoundError",
    "EntityNotFound",
    "ArticleNotFound",
]


class KGError(Exception):
    """Base class of every error ``kg`` raises on purpose."""


class StoreError(KGError):
    """The store cannot be opened, read or written."""


class StoreLockedError(StoreError):
    """Another process holds the store's lock (RocksDB allows one writer per directory)."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(
            f"the store at {path} is locked: another kg process holds it. Wait for that "
            "process to finish, or use another store with --store PATH"
        )


class StoreBusyError(StoreLockedError):
    """Another kg process holds the store: a writer (when reading) or anyone (when writing)."""

    def __init__(self, path: str, writing: bool, holders: list[dict]) -> None:
        self.path = path
        self.holders = holders
        who = "; ".join(
            f"pid {h.get('pid', '?')} {h.get('mode', 'holding it')}"
            + (f" ({h['command']}, since {h.get('since', '?')})" if h.get("command") else "")
            for h in holders
        ) or "another kg process"
        want = "write to" if writing else "read"
        StoreError.__init__(
            self,
            f"cannot {want} the store at {path}: it is in use by {who}. Wait for it to "
            "finish (or pass --wait), or use another store with --store PATH",
        )


class InputError(KGError):
    """A source file, or a set of them, cannot be used."""


class SourceError(InputError):
    """One source file that cannot be read as an article.

    :func:`kg.sources.read_sources` *yields* these (it does not raise them), so that one bad
    file is reported and skipped while the others go on.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SourceError):
            return NotImplemented
        return (self.path, self.reason) == (other.path, other.reason)

    def __hash__(self) -> int:
        return hash((self.path, self.reason))

    def __repr__(self) -> str:
        return f"SourceError(path={self.path!r}, reason={self.reason!r})"


class GoldError(InputError):
    """A gold annotation file for ``kg eval`` that cannot be read or breaks the scheme.

    ``reason`` says what is wrong and what to do about it.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"gold file {self.path}: {reason}")


class QueryError(KGError):
    """A SPARQL query that is malformed, or refused (updates, SERVICE, LOAD)."""


class QueryTooDeep(QueryError):
    """A query whose brackets nest deeper than :data:`kg.query.MAX_NESTING`: a malformed
    request (the endpoint answers 400), where other refusals are forbidden ones (403)."""


class EmptyGraphError(KGError):
    """Filters that leave no entity to show; the message says which one and what to try."""


class NoPathError(KGError):
    """Two entities that no chain of relations connects, whatever their direction."""


class ServerError(KGError):
    """The server cannot start: the address is taken, or a query worker fails to start."""


class ClusterError(KGError):
    """The Dask cluster of ``kg ingest --cluster`` cannot be used: ``distributed`` is not
    installed, the scheduler cannot be reached, no worker joins, or workers cannot load
    the model (:mod:`kg.cluster`)."""


class ProtocolError(KGError):
    """A request the endpoint refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str, *headers: tuple[str, str]) -> None:
        self.status = status
        self.headers = headers
        super().__init__(message)


class NotFoundError(KGError):
    """A name matches nothing in the store; ``suggestions`` are the closest known names."""

    kind = "item"
    hint = ""

    def __init__(self, name: str, suggestions: Sequence[str] = ()) -> None:
        self.name = name
        self.suggestions = tuple(suggestions)
        message = f"no {self.kind} named {name!r} in the store"
        if self.suggestions:
            message += "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        elif self.hint:
            message += f"; {self.hint}"
        super().__init__(message)


class EntityNotFound(NotFoundError):
    """No entity has this name as its ``rdfs:label`` or a ``skos:altLabel``."""

    kind = "entity"
    hint = "run `kg stats` or `kg query` to see what the store holds"


class ArticleNotFound(NotFoundError):
    """No article graph has this id."""

    kind = "article"
    hint = "article ids are the source file names without extension"
