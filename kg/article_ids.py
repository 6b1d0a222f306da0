"""Which stored article a source file is: an article is its source, not its file name.

A file's article id is its stem (:func:`kg.sources.article_id_for`: ``site1/index.html``
is ``index``), so two files of the same name in different folders would share one id, and
the second ``kg ingest`` would replace the first article and drop every fact only it stated.
:class:`SourceIds` keeps them apart when ``kg ingest`` reads files, before anything is
extracted (:func:`kg.ingest.ingest_articles` passes every article through
:meth:`SourceIds.resolve`):

* a file the store already holds an article from (same source, compared as resolved
  absolute paths) keeps that article's id, whatever id its name would give: re-ingesting it
  is idempotent (unchanged: skipped; changed: replaced);
* a file whose id is free gets it (the first ``index.html`` is ``index``, as always, so
  existing stores and the evaluation gold keep their ids, and no migration is needed);
* a file whose id belongs to an article from *another* source is stored beside it under
  ``ID-XXXXXXXX`` (the first 8 hex digits of the SHA-256 of its resolved path, so the same
  file finds the same id on every run, from any folder), with a warning naming both paths;
  unless ``replace_source`` (``kg ingest --replace-source``: the file was moved or renamed),
  which replaces the stored article of that id instead;
* a file whose text is exactly the stored article's (same SHA-256) is that article, whatever
  its path: nothing is stored twice, nothing is lost.

Stored source paths are kept as they were given (``kg:sourcePath``), relative ones relative
to the folder ``kg ingest`` ran in, which the store does not record. A relative stored path
is resolved against the current folder: run from the same folder, the same file matches; run
from another, the stored path resolves elsewhere and the file counts as another source (its
article is stored beside the first, with the warning, unless its text is unchanged).

JSON Lines and standard-input records carry their own ids (or ids made from their text) and
are not files: they keep replacing the stored article of their id.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import SourceError
from .sources import SUFFIXES, Article
from .vocab import article_id_of

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

__all__ = ["SourceIds", "source_key", "is_file_source", "article_from_source"]

log = logging.getLogger(__name__)


def is_file_source(source_path: str | None) -> bool:
    """Whether an article's source is a file of its own (``.txt .md .html .htm``), not a
    JSON Lines record (``feed.jsonl:3``), standard input (``<stdin>``) nor a fetched web page
    (its URL: :mod:`kg.feeds` gives it the id of its canonical URL)."""
    return (bool(source_path) and "://" not in source_path  # type: ignore[operator]
            and Path(source_path).suffix.lower() in SUFFIXES)  # type: ignore[arg-type]


def source_key(source_path: str) -> str:
    """The resolved absolute path of a source file: what makes two sources the same. A
    relative path is resolved against the current folder (see the module docstring)."""
    return os.path.realpath(source_path)


def _path_id(article_id: str, key: str, extra: int = 0) -> str:
    digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()
    return f"{article_id}-{digest[: 8 + extra]}"


@dataclass
class SourceIds:
    """The stored articles' sources, to give each source file its own article id."""

    #: article id -> (stored source path, stored SHA-256)
    stored: dict[str, tuple[str | None, str | None]]
    replace_source: bool = False
    #: resolved source path -> article id, of the stored file articles
    by_source: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for article_id in sorted(self.stored):
            path = self.stored[article_id][0]
            if is_file_source(path):
                self.by_source.setdefault(source_key(path), article_id)  # type: ignore[arg-type]

    @classmethod
    def of(cls, store: Store, *, replace_source: bool = False) -> SourceIds:
        """The sources of every article in ``store`` (one query over the article records)."""
        rows = store.select(
            "SELECT ?g ?path ?sha WHERE { GRAPH ?g { ?g a kg:Article . "
            "OPTIONAL { ?g kg:sourcePath ?path } OPTIONAL { ?g kg:sha256 ?sha } } }",
            use_default_graph_as_union=False)
        stored = {article_id_of(row["g"].value): (
            row["path"].value if row["path"] is not None else None,
            row["sha"].value if row["sha"] is not None else None) for row in rows}
        return cls(stored, replace_source=replace_source)

    def resolved(self, items: Iterable[Article | SourceError]) -> Iterator[Article | SourceError]:
        """``items`` with each file article under the id of its source (:meth:`resolve`)."""
        for item in items:
            yield self.resolve(item) if isinstance(item, Article) else item

    def resolve(self, article: Article) -> Article:
        """``article`` under the id its source has in the store (see the module docstring);
        warns when it is stored beside, or replaces, an article from another source."""
        if not is_file_source(article.source_path):
            return article
        key = source_key(article.source_path)
        known = self.by_source.get(key)
        if known is not None:
            return article if known == article.id else replace(article, id=known)
        if article.id not in self.stored:
            return self._claim(article, key)
        other, sha = self.stored[article.id]
        if sha == article.sha256:  # the same text: the same article, wherever it lies now
            return article
        if self.replace_source:
            log.warning("%s replaces article %r, ingested from %s (--replace-source)",
                        article.source_path, article.id, other or "an unknown source")
            return self._claim(article, key)
        new_id = next(i for i in (_path_id(article.id, key, n) for n in range(0, 57, 8))
                      if i not in self.stored)
        log.warning("%s: the article id %r belongs to %s, another source; stored as %r beside "
                    "it (if this file is that one moved, `kg ingest --replace-source` replaces "
                    "it instead)", article.source_path, article.id, other or "another source",
                    new_id)
        return self._claim(replace(article, id=new_id), key)

    def _claim(self, article: Article, key: str) -> Article:
        """Record that ``article``'s source now has its id (later articles of the run see
        it)."""
        self.stored[article.id] = (article.source_path, article.sha256)
        self.by_source[key] = article.id
        return article


def article_from_source(store: Store, path: str) -> str | None:
    """The id of the stored article ingested from the file ``path`` (resolved paths
    compared), or None: what ``kg remove PATH`` removes."""
    if not is_file_source(path):
        return None
    return SourceIds.of(store).by_source.get(source_key(path))
