"""The kg store: one interface, two stores, the merge rule and the lock beside them.

* :mod:`kg.store.base`: :class:`Store`, the abstract interface every caller types against,
  its concrete members written once in SPARQL, the system graphs, :class:`ArticleInfo`;
* :mod:`kg.store.local`: :class:`LocalStore`, Oxigraph on disk (one writer or many readers);
* :mod:`kg.store.remote`: :class:`RemoteStore`, any SPARQL 1.1 server (many writers), with
  the SPARQL text it sends in :mod:`kg.store.sparql`;
* :mod:`kg.store.merge`: the merged default graph's rule (what is merged, the SPARQL that
  keeps it);
* :mod:`kg.store.lock`: who may open a local store.

Open a store with :func:`open_store` (a ``--store`` value: a folder or a URL)::

    with open_store("kg-store") as store:                      # read-only by default
        store.select("SELECT ?o WHERE { ?s kg:owns ?o }")
    with open_store("http://127.0.0.1:7878/query", read_only=False) as store:
        store.replace_article("000_d224", quads)

The two stores are siblings; nothing asks which one it holds (decision
docs/decisions/0033-store-package.md).
"""

from __future__ import annotations

from pathlib import Path

from .base import (
    CHANGES_GRAPH,
    FETCHED_GRAPH,
    ONTOLOGY_GRAPH,
    SYSTEM,
    SYSTEM_GRAPHS,
    ArticleInfo,
    Store,
    graph_of,
    ontology_quads,
)
from .local import (
    DEFAULT_STORE,
    EXPORT_FORMATS,
    FLUSH_QUADS,
    RESTORE_MARKER,
    LocalStore,
    default_store_path,
    incomplete_message,
    incomplete_restore,
    is_store,
)
from .remote import RemoteStore, is_remote

__all__ = ["Store", "LocalStore", "RemoteStore", "open_store", "is_remote", "ArticleInfo",
           "DEFAULT_STORE", "default_store_path", "EXPORT_FORMATS", "FLUSH_QUADS", "is_store",
           "incomplete_restore", "incomplete_message", "RESTORE_MARKER", "FETCHED_GRAPH",
           "CHANGES_GRAPH", "SYSTEM", "SYSTEM_GRAPHS", "ONTOLOGY_GRAPH", "ontology_quads",
           "graph_of"]


def open_store(spec: str | Path | None, *, create: bool = False, read_only: bool = True,
               wait: bool = False, restoring: bool = False) -> Store:
    """The store a ``--store`` value names: a :class:`RemoteStore` for an http(s) URL
    (:func:`is_remote`), else the :class:`LocalStore` at that path (None: the default,
    :func:`default_store_path`), with ``create``, ``wait`` and ``restoring`` as there.

    A remote store has no lock to wait for (the server orders concurrent writes) and no
    folder to mark an unfinished restore in: ``wait``, ``create`` and ``restoring`` do not
    apply to it.
    """
    if is_remote(spec):
        assert isinstance(spec, str)
        return RemoteStore(spec.strip(), read_only=read_only)
    return LocalStore(spec, create=create, read_only=read_only, wait=wait, restoring=restoring)
