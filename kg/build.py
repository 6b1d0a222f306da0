"""Extraction records -> RDF quads, one named graph per article.

:func:`article_quads` is pure: the same article and extraction give the same quads, except
for the ``kg:ingestedAt`` timestamp passed in. The graph it builds (named by the article's
IRI, see ``docs/decisions/0002-evidence-nodes.md``)::

    <article/A> a kg:Article ; dcterms:title ; kg:sourcePath ; kg:sha256 ; dcterms:date ;
                dcterms:source <url> (feeds) ;
                kg:ingestedAt ; kg:extractorVersion .
    <id/company/alibaba> a kg:Company ; rdfs:label "Alibaba" ; skos:altLabel ... ;
                         kg:labelKey "alibaba" , ... ;   # one per label and alias
                         owl:sameAs <http://www.wikidata.org/entity/Q...> .
    <s> kg:owns <o> .                                   # the plain statement
    <article/A/ev/0123abcd...> a kg:Evidence ;          # one per (statement, evidence)
        rdf:subject <s> ; rdf:predicate kg:owns ; rdf:object <o> ;
        kg:sentence "..." ; kg:sentenceStart 10 ; kg:sentenceEnd 80 ;
        kg:charStart 12 ; kg:charEnd 30 ; kg:rule "..." ; kg:confidence 0.9 ;
        kg:modality "asserted" ; kg:surface "..." ; prov:wasDerivedFrom <article/A> .

Evidence whose rule is kg's background knowledge (:func:`kg.vocab.is_background_rule`: a
``known-`` rule, a statement from kg's gazetteer that the sentence only co-mentions) is typed
``kg:BackgroundEvidence`` as well, with its confidence capped at 0.5
(``docs/decisions/0014-background-knowledge.md``).

Entity mentions get evidence nodes too, with ``rdf:predicate rdf:type`` and the class as
``rdf:object``. ``kg:labelKey`` holds :func:`kg.vocab.label_key` of each name, the index
:func:`kg.show.find_entity` looks names up in.

Last, the graph is checked against ``ontology/shapes.ttl`` (:func:`kg.validate.set_aside`):
a statement that breaks a shape is left out and recorded instead, last in the list, as
``<article/A/ev/aside-...> a kg:SetAside ; rdf:subject ; rdf:predicate ; rdf:object ;
kg:violation "..." ; kg:shape ... ; prov:wasDerivedFrom <its evidence>``. The extractor
keeps to the ontology, so on real articles there are none.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .sources import Article
from .validate import set_aside
from .vocab import (
    BACKGROUND_MAX_CONFIDENCE,
    DCTERMS,
    KG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SKOS,
    XSD,
    article_iri,
    entity_iri,
    evidence_iri,
    is_background_rule,
    label_key,
    nn,
    wikidata_iri,
)

if TYPE_CHECKING:  # pragma: no cover
    from extract.records import Entity, Evidence, Extraction

__all__ = ["article_quads", "parse_date", "datetime_literal"]

log = logging.getLogger(__name__)

_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%d.%m.%Y",
    "%d-%b-%Y",
    "%d-%B-%Y",
    "%a, %d %b %Y",
)
#: A time after a date ("26-FEB-1987 22:50:01.31", "Mon, 08 Dec 2024 09:30:00 GMT"): the
#: day is kept, the time (with its zone, if any) is dropped.
_TRAILING_TIME = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(\s*([A-Z]{1,5}|[+-]\d{4}))?$")


_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def parse_date(text: str) -> ox.Literal | None:
    """An ``xsd:date`` (or ``xsd:dateTime``) literal of a front-matter date, or None.

    >>> parse_date("Dec 8, 2024").value
    '2024-12-08'
    >>> parse_date("2024-12-08T09:30:00Z").datatype.value
    'http://www.w3.org/2001/XMLSchema#dateTime'
    >>> parse_date("sometime in December") is None
    True
    """
    text = " ".join(text.split())
    if _DATETIME.fullmatch(text):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return datetime_literal(moment)
    day_only = _TRAILING_TIME.sub("", text)
    for fmt in _DATE_FORMATS:
        try:
            day = datetime.strptime(day_only, fmt).date()
        except ValueError:
            continue
        return ox.Literal(day.isoformat(), datatype=nn(XSD.date))
    return None


def datetime_literal(moment: datetime) -> ox.Literal:
    """An ``xsd:dateTime`` literal, in UTC when ``moment`` has a time zone, to the second."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
        text = moment.replace(microsecond=0, tzinfo=None).isoformat() + "Z"
    else:
        text = moment.replace(microsecond=0).isoformat()
    return ox.Literal(text, datatype=nn(XSD.dateTime))


def _decimal(value: float) -> ox.Literal:
    """``xsd:decimal`` rounded to 3 places, in the canonical form Oxigraph stores ("0.9")."""
    rounded = Decimal(str(value)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    return ox.Literal(format(rounded.normalize(), "f"), datatype=nn(XSD.decimal))


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(int(value)), datatype=nn(XSD.integer))


def article_quads(
    article: Article,
    extraction: Extraction,
    *,
    ingested_at: datetime | date | str,
    extractor_version: str,
    classes: Mapping[str, str] | None = None,
) -> list[ox.Quad]:
    """All quads of one article's named graph: article node, entities, relations, evidence.

    Relations whose subject or object key names no entity of the extraction are skipped with
    a warning (the extractor should never produce them). Duplicate statements and evidence
    nodes are emitted once; when two evidence records share an evidence IRI (same
    statement, same span), the one with the highest confidence is kept, evidence read in
    the text before background knowledge whatever their confidences. Statements that
    break ``ontology/shapes.ttl`` are set aside (:func:`kg.validate.set_aside`: records
    last); a violation by the article's own record raises :class:`~kg.errors.KGError`.

    ``classes`` maps entity keys to the class they take instead of the extractor's (one
    name, one node: :func:`kg.identity.adopted_classes`); their IRIs and type evidence follow.
    """
    g = nn(article_iri(article.id))
    art = g
    out: dict[ox.Quad, None] = {}  # ordered set

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        out[ox.Quad(s, nn(p), o, g)] = None

    add(art, RDF.type, nn(KG.Article))
    add(art, DCTERMS.title, ox.Literal(article.title))
    add(art, KG.sourcePath, ox.Literal(article.source_path))
    add(art, KG.sha256, ox.Literal(article.sha256))
    if article.url:
        try:
            add(art, DCTERMS.source, nn(article.url))
        except ValueError:
            log.warning("%s: %r is not an IRI; its url is left out", article.id, article.url)
    if article.date:
        day = parse_date(article.date)
        if day is None:
            log.warning("%s: cannot read date %r; dcterms:date left out", article.id, article.date)
        else:
            add(art, DCTERMS.date, day)
    if isinstance(ingested_at, datetime):
        add(art, KG.ingestedAt, datetime_literal(ingested_at))
    elif isinstance(ingested_at, date):
        midnight = datetime(ingested_at.year, ingested_at.month, ingested_at.day, tzinfo=UTC)
        add(art, KG.ingestedAt, datetime_literal(midnight))
    else:
        add(art, KG.ingestedAt, ox.Literal(ingested_at, datatype=nn(XSD.dateTime)))
    add(art, KG.extractorVersion, ox.Literal(extractor_version))

    # evidence IRI -> (strength, quads) so that colliding records keep the strongest
    evidence: dict[str, tuple[tuple[bool, float], list[tuple[str, ox.NamedNode | ox.Literal]]]] = {}

    def support(s: str, p: str, o: str, ev: Evidence) -> None:
        iri = evidence_iri(article.id, s, p, o, ev.start, ev.end)
        background = is_background_rule(ev.rule)
        confidence = min(ev.confidence, BACKGROUND_MAX_CONFIDENCE) if background \
            else ev.confidence
        strength = (not background, confidence)  # what the text says beats background
        if iri in evidence and evidence[iri][0] >= strength:
            return
        props: list[tuple[str, ox.NamedNode | ox.Literal]] = [(RDF.type, nn(KG.Evidence))]
        if background:
            props.append((RDF.type, nn(KG.BackgroundEvidence)))
        props += [
            (RDF.subject, nn(s)),
            (RDF.predicate, nn(p)),
            (RDF.object, nn(o)),
            (KG.sentence, ox.Literal(ev.sentence)),
            (KG.sentenceStart, _integer(ev.sentence_start)),
            (KG.sentenceEnd, _integer(ev.sentence_end)),
            (KG.charStart, _integer(ev.start)),
            (KG.charEnd, _integer(ev.end)),
            (KG.rule, ox.Literal(ev.rule)),
            (KG.confidence, _decimal(confidence)),
            (KG.modality, ox.Literal(ev.modality)),
        ]
        if ev.surface:
            props.append((KG.surface, ox.Literal(ev.surface)))
        props.append((PROV.wasDerivedFrom, art))
        evidence[iri] = (strength, props)

    iris: dict[str, str] = {}
    for entity in extraction.entities:
        if classes and entity.key in classes:
            entity = replace(entity, cls=classes[entity.key])
        iri = entity_iri(entity, article.id)
        iris[entity.key] = iri
        _entity_quads(entity, iri, add)
        for mention in entity.mentions:
            support(iri, RDF.type, KG[entity.cls], mention)

    for rel in extraction.relations:
        if rel.subject not in iris or rel.object not in iris:
            missing = rel.subject if rel.subject not in iris else rel.object
            log.warning(
                "%s: relation %s %s %s names no extracted entity %r; skipped",
                article.id, rel.subject, rel.predicate, rel.object, missing,
            )
            continue
        s, p, o = iris[rel.subject], KG[rel.predicate], iris[rel.object]
        add(nn(s), p, nn(o))
        support(s, p, o, rel.evidence)

    for iri, (_, props) in sorted(evidence.items()):
        for prop, value in props:
            add(nn(iri), prop, value)
    return set_aside(list(out), article.id)


def _entity_quads(entity: Entity, iri: str, add) -> None:  # noqa: ANN001 - local callback
    node = nn(iri)
    add(node, RDF.type, nn(KG[entity.cls]))
    add(node, RDFS.label, ox.Literal(entity.label))
    aliases = _aliases(entity.label, entity.aliases)
    for alias in aliases:
        add(node, SKOS.altLabel, ox.Literal(alias))
    for key in sorted({label_key(name) for name in (entity.label, *aliases)} - {""}):
        add(node, KG.labelKey, ox.Literal(key))
    if entity.wikidata:
        try:
            add(node, OWL.sameAs, nn(wikidata_iri(entity.wikidata)))
        except ValueError:
            log.warning("%s: bad Wikidata id %r; sameAs left out", entity.key, entity.wikidata)


def _aliases(label: str, aliases: Iterable[str]) -> list[str]:
    return sorted({a for a in aliases if a and a != label})
