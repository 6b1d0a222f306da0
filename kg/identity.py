"""One name, one node: the class a global entity takes when the store already knows its key.

The IRI of a global entity is ``id/<class>/<slug(key)>`` (:func:`kg.vocab.entity_iri`), so a
name the extractor types as a Company in one article and as a Place in another would become
two nodes. Before an article is written, :func:`adopted_classes` looks up, for each of its
global entities that is not in the gazetteer, the nodes ``id/<other class>/<slug(key)>``
already in the store; when the entity's own node is not there but another class's is, the
entity takes that class, and so that node (``docs/decisions/0015-one-node-per-name.md``).
The first class stored wins; among several (a store written before this rule), the one
named in the most articles, then the smallest IRI.

The lookup is one SELECT on the article graphs (``GRAPH ?g``), so it works on a local and a
remote store alike, and it leaves out the graph of the article being written: re-ingesting
an article gives the same graph, and one whose class came from an article since removed
gets its own again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from extract.gazetteer import load_gazetteer

from .vocab import ARTICLE, CLASSES, article_iri, entity_iri

if TYPE_CHECKING:  # pragma: no cover
    from extract.records import Entity

__all__ = ["adopted_classes", "candidates"]


def candidates(entities: Iterable[Entity]) -> list[Entity]:
    """The entities whose class may be adopted: global, and not known to the gazetteer
    (whose classes are fixed: a known name never changes class)."""
    known = load_gazetteer().by_label
    return [e for e in entities if e.scope == "global" and e.cls in CLASSES
            and not (e.key in known and known[e.key].cls == e.cls)]


def _iri(entity: Entity, cls: str) -> str:
    """The global IRI ``entity``'s key has under class ``cls``."""
    return entity_iri(SimpleNamespace(key=entity.key, cls=cls, scope="global"), "-")


def adopted_classes(store: Any, article_id: str, entities: Iterable[Entity],
                    claimed: Mapping[str, str] | None = None) -> dict[str, str]:
    """Entity key -> the class it takes instead of its own, for the entities of
    ``article_id`` whose key already names a global node of another class.

    ``claimed`` maps the global IRIs written earlier in the same run but perhaps not yet
    committed (a batch is written in one transaction) to their class; they count as stored.
    """
    claimed = claimed or {}
    todo = candidates(entities)
    if not todo:
        return {}
    iris = {_iri(e, c): c for e in todo for c in CLASSES}
    found = {iri: 0 for iri in iris if iri in claimed}
    values = " ".join(f"<{iri}>" for iri in iris)
    rows = store.select(
        f"SELECT ?e (COUNT(DISTINCT ?g) AS ?n) WHERE {{ VALUES ?e {{ {values} }} "
        f"GRAPH ?g {{ ?e a ?c }} FILTER(?g != <{article_iri(article_id)}> "
        f'&& STRSTARTS(STR(?g), "{ARTICLE}")) }} GROUP BY ?e')
    for row in rows:
        found[row["e"].value] = found.get(row["e"].value, 0) + int(row["n"].value)
    out: dict[str, str] = {}
    for entity in todo:
        if _iri(entity, entity.cls) in found:
            continue  # its own node exists: nothing to adopt (stores split before stay so)
        others = [(-found[_iri(entity, c)], _iri(entity, c), c) for c in CLASSES
                  if c != entity.cls and _iri(entity, c) in found]
        if others:
            out[entity.key] = min(others)[2]
    return out
