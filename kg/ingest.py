"""Source files -> the store: read, extract, build and write each article atomically.

:func:`ingest` is the library call behind ``kg ingest``. An article whose text (SHA-256)
and extractor version are unchanged since it was stored is skipped without running spaCy;
the others go through :func:`extract.extract_texts` in batches, and each is written with
:meth:`kg.store.Store.replace_article` (one transaction per article). Files that cannot be
read, and articles the extractor fails on, are reported in :attr:`IngestReport.failed` and
never stop the others.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .build import article_quads
from .errors import SourceError
from .sources import Article, read_sources
from .store import Store

if TYPE_CHECKING:  # pragma: no cover
    from extract.records import Extraction

__all__ = ["ingest", "IngestReport", "Progress", "BATCH_SIZE"]

log = logging.getLogger(__name__)

BATCH_SIZE = 16

#: ``progress(done, total)`` after each source is handled (stored, skipped or failed).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class IngestReport:
    """What one :func:`ingest` run did: article ids per outcome, and failures by path."""

    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        """One line, e.g. ``5 added, 0 replaced, 0 unchanged, 0 failed``."""
        return (
            f"{len(self.added)} added, {len(self.replaced)} replaced, "
            f"{len(self.unchanged)} unchanged, {len(self.failed)} failed"
        )


def ingest(
    store: Store,
    paths: Iterable[str | Path],
    *,
    nlp: Any = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> IngestReport:
    """Read the sources under ``paths`` into ``store``; return what happened to each.

    ``nlp`` is the spaCy pipeline from :func:`extract.load_pipeline`, loaded on first need
    when None (so a run where nothing changed never loads a model).
    """
    import extract  # light: extract loads spaCy only inside its functions

    version = extract.EXTRACTOR_VERSION
    items = list(read_sources(paths))
    total = len(items)
    done = 0
    added: list[str] = []
    replaced: list[str] = []
    unchanged: list[str] = []
    failed: list[tuple[str, str]] = []

    def tick(n: int = 1) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    stored = {info.id: info for info in store.articles()}
    pending: list[Article] = []
    for item in items:
        if isinstance(item, SourceError):
            failed.append((item.path, item.reason))
            tick()
            continue
        info = stored.get(item.id)
        if info is not None and info.sha256 == item.sha256 and info.extractor_version == version:
            unchanged.append(item.id)
            tick()
            continue
        pending.append(item)

    if pending and nlp is None:
        nlp = extract.load_pipeline()
    # The model's objects live as long as the run: keep the cyclic GC from rescanning them
    # after every few thousand allocations (a few percent of the run).
    gc.collect()
    gc.freeze()
    try:
        _run(store, pending, stored, extract, nlp, version, batch_size, tick,
             added, replaced, failed)
    finally:
        gc.unfreeze()
    return IngestReport(
        added=tuple(added),
        replaced=tuple(replaced),
        unchanged=tuple(unchanged),
        failed=tuple(failed),
    )


def _run(store: Store, pending: list[Article], stored: dict, extract: Any, nlp: Any,
         version: str, batch_size: int, tick: Callable[..., None], added: list[str],
         replaced: list[str], failed: list[tuple[str, str]]) -> None:
    ingested_at = datetime.now(UTC)
    for batch in _batches(pending, batch_size):
        new: dict[str, list] = {}
        for article, result in zip(batch, _extract(extract, nlp, batch, batch_size), strict=True):
            if isinstance(result, Exception):
                failed.append((article.source_path, f"extraction failed: {result}"))
                tick()
                continue
            quads = article_quads(
                article, result, ingested_at=ingested_at, extractor_version=version
            )
            if article.id in stored:
                store.replace_article(article.id, quads)
                replaced.append(article.id)
                tick()
            else:
                new[article.id] = quads
        if new:
            store.add_articles(new)  # one transaction for the batch's new articles
            added.extend(new)
            tick(len(new))


def _batches(items: Sequence[Article], size: int) -> Iterable[Sequence[Article]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _extract(
    extract: Any, nlp: Any, batch: Sequence[Article], batch_size: int
) -> list[Extraction | Exception]:
    """Extractions of a batch; if the batch fails, each article alone, so one bad text
    fails only itself."""
    try:
        results = list(extract.extract_texts(nlp, [a.text for a in batch], batch_size=batch_size))
        if len(results) != len(batch):
            raise RuntimeError(f"extractor returned {len(results)} results for {len(batch)} texts")
        return results
    except Exception as exc:  # noqa: BLE001 - isolate the failing text below
        if len(batch) == 1:
            log.debug("extraction of %s failed", batch[0].source_path, exc_info=True)
            return [exc]
    out: list[Extraction | Exception] = []
    for article in batch:
        out.extend(_extract(extract, nlp, [article], batch_size))
    return out
