"""The one place ontology terms and IRIs exist.

Terms are plain IRI strings looked up by attribute on closed namespaces, so a typo raises
instead of minting a new term::

    >>> KG.Company
    'https://w3id.org/aikg/ont#Company'
    >>> KG.owns
    'https://w3id.org/aikg/ont#owns'
    >>> KG.ownz  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AttributeError: kg:ownz is not a term of the kg vocabulary ... did you mean kg:owns?

The 8 classes and 22 relations come from :mod:`extract.schema` (the one source of the
annotation scheme); ``tests/test_vocab.py`` holds every term declared in ``ontology/kg.ttl``.
Entity, article, evidence and set-aside IRIs are minted only here (:func:`entity_iri`,
:func:`article_iri`, :func:`evidence_iri`, :func:`set_aside_iri`), and so is the lookup key of
a name (:func:`label_key`, the object of ``kg:labelKey``). :data:`SH` holds the SHACL terms
:mod:`kg.shapes` implements and :mod:`kg.validate` reads from pyshacl's reports.
:func:`is_background_rule` says which evidence is kg's own background knowledge
(``kg:BackgroundEvidence``, ``docs/decisions/0014-background-knowledge.md``).

Importing this module loads neither rdflib nor spaCy; :func:`nn` makes pyoxigraph terms.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Protocol

import pyoxigraph as ox

from extract.schema import CLASSES, PROPERTIES, SYMMETRIC

__all__ = [
    "ONT",
    "ID",
    "ARTICLE",
    "WIKIDATA",
    "KG",
    "RDF",
    "RDFS",
    "OWL",
    "XSD",
    "SKOS",
    "PROV",
    "DCTERMS",
    "SH",
    "SHAPES",
    "PREFIXES",
    "SERIALIZATION_PREFIXES",
    "CLASS_PREFIXES",
    "short_name",
    "is_prefixed_local",
    "CLASSES",
    "PROPERTIES",
    "SYMMETRIC",
    "Namespace",
    "ARTICLE_PROPERTIES",
    "EVIDENCE_PROPERTIES",
    "BACKGROUND_RULE_PREFIX",
    "BACKGROUND_MAX_CONFIDENCE",
    "is_background_rule",
    "nn",
    "slug",
    "label_key",
    "local_name",
    "entity_iri",
    "article_iri",
    "article_id_of",
    "evidence_iri",
    "is_evidence_iri",
    "set_aside_iri",
    "is_set_aside_iri",
    "wikidata_iri",
]

ONT = "https://w3id.org/aikg/ont#"
ID = "https://w3id.org/aikg/id/"
ARTICLE = "https://w3id.org/aikg/article/"
WIKIDATA = "http://www.wikidata.org/entity/"
#: The namespace of the shapes in ``ontology/shapes.ttl`` (``kgsh:``).
SHAPES = "https://w3id.org/aikg/shapes#"


class Namespace:
    """A closed namespace: ``ns.term`` or ``ns["term"]`` gives the IRI string of a known term.

    Unknown names raise :class:`AttributeError` (or :class:`KeyError` through ``[]``).
    """

    _prefix: str
    _base: str
    _terms: tuple[str, ...]

    def __init__(self, prefix: str, base: str, terms: Iterable[str]) -> None:
        # set through __dict__ so that __getattr__ only ever sees term lookups
        self.__dict__["_prefix"] = prefix
        self.__dict__["_base"] = base
        self.__dict__["_terms"] = tuple(dict.fromkeys(terms))

    @property
    def base(self) -> str:
        return self._base

    @property
    def prefix(self) -> str:
        return self._prefix

    @property
    def terms(self) -> tuple[str, ...]:
        """The local names of the namespace's terms, in declaration order."""
        return self._terms

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in self._terms:
            return self._base + name
        close = difflib.get_close_matches(name, self._terms, n=1)
        hint = f"; did you mean {self._prefix}:{close[0]}?" if close else ""
        raise AttributeError(
            f"{self._prefix}:{name} is not a term of the {self._prefix} vocabulary"
            f"{' (ontology/kg.ttl)' if self._prefix == 'kg' else ''}{hint}"
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{self._prefix} is read-only")

    def __getitem__(self, name: str) -> str:
        try:
            return self.__getattr__(name)
        except AttributeError as exc:
            raise KeyError(str(exc)) from None

    def __contains__(self, name: object) -> bool:
        return name in self._terms

    def __iter__(self) -> Iterator[str]:
        """Iterate over the full IRIs."""
        return (self._base + t for t in self._terms)

    def __len__(self) -> int:
        return len(self._terms)

    def __dir__(self) -> list[str]:
        return [*self._terms, "base", "prefix", "terms"]

    def __repr__(self) -> str:
        return f"Namespace({self._prefix!r}, {self._base!r}, {len(self._terms)} terms)"


#: Provenance properties of articles and evidence records.
ARTICLE_PROPERTIES = ("sourcePath", "sha256", "ingestedAt", "extractorVersion")
EVIDENCE_PROPERTIES = (
    "sentence",
    "sentenceStart",
    "sentenceEnd",
    "charStart",
    "charEnd",
    "rule",
    "confidence",
    "modality",
    "surface",
)

#: The rule ids of statements kg adds from its own gazetteer (a product's known maker, a
#: unit's parent: the ``maker=``/``parent=`` attributes of ``ontology/gazetteer/*.tsv``) when a
#: sentence merely mentions both entities: background knowledge, not what the sentence says
#: (``known-maker``, ``known-parent``; a maker named inside a known name, "Nvidia H800", is
#: ``name-maker``: stated). The extractor keeps to the prefix.
BACKGROUND_RULE_PREFIX = "known-"
#: The highest confidence background evidence is recorded with (:mod:`kg.build` caps it).
BACKGROUND_MAX_CONFIDENCE = 0.5


def is_background_rule(rule: str) -> bool:
    """True when evidence with the extraction rule ``rule`` is kg's background knowledge
    (``kg:BackgroundEvidence``), not a statement read in the sentence: the one test of it.

    >>> is_background_rule("known-maker"), is_background_rule("verb:develops")
    (True, False)
    """
    return rule.startswith(BACKGROUND_RULE_PREFIX)


KG = Namespace(
    "kg",
    ONT,
    (
        *CLASSES,
        *PROPERTIES,
        "Organization",
        "Entity",
        "Article",
        "Evidence",
        "BackgroundEvidence",
        "SetAside",
        "violation",
        "shape",
        "labelKey",
        *ARTICLE_PROPERTIES,
        *EVIDENCE_PROPERTIES,
    ),
)
RDF = Namespace(
    "rdf",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    ("type", "subject", "predicate", "object", "langString"),
)
RDFS = Namespace("rdfs", "http://www.w3.org/2000/01/rdf-schema#", ("label", "subClassOf"))
OWL = Namespace("owl", "http://www.w3.org/2002/07/owl#", ("sameAs",))
XSD = Namespace(
    "xsd",
    "http://www.w3.org/2001/XMLSchema#",
    ("string", "integer", "decimal", "date", "dateTime"),
)
SKOS = Namespace("skos", "http://www.w3.org/2004/02/skos/core#", ("altLabel",))
PROV = Namespace("prov", "http://www.w3.org/ns/prov#", ("wasDerivedFrom",))
DCTERMS = Namespace("dcterms", "http://purl.org/dc/terms/", ("title", "date", "source"))
#: SHACL: the shape and constraint terms :mod:`kg.shapes` implements (any other ``sh:`` term in
#: a shapes file is refused there), node kinds, and the validation report terms.
SH = Namespace(
    "sh",
    "http://www.w3.org/ns/shacl#",
    (
        "NodeShape", "PropertyShape", "targetClass", "targetSubjectsOf", "property", "path",
        "class", "datatype", "nodeKind", "minCount", "maxCount", "minInclusive",
        "maxInclusive", "pattern", "lessThanOrEquals", "or", "not", "message", "name",
        "description",
        "IRI", "Literal", "BlankNode", "BlankNodeOrIRI", "BlankNodeOrLiteral", "IRIOrLiteral",
        "ValidationReport", "ValidationResult", "conforms", "result", "focusNode", "resultPath",
        "value", "sourceShape", "sourceConstraintComponent", "resultMessage", "resultSeverity",
        "Violation", "Warning", "Info",
    ),
)

#: Prefixes predeclared in every query and used when serializing.
PREFIXES: dict[str, str] = {
    "kg": ONT,
    "kgr": ID,
    "kga": ARTICLE,
    "rdf": RDF.base,
    "rdfs": RDFS.base,
    "owl": OWL.base,
    "xsd": XSD.base,
    "skos": SKOS.base,
    "prov": PROV.base,
    "dcterms": DCTERMS.base,
    "schema": "http://schema.org/",
    "wd": WIKIDATA,
}

#: One prefix per entity class, named by the class's IRI path segment (``place:`` is
#: ``https://w3id.org/aikg/id/place/``), so that a global entity prints as ``place:china``, a
#: name that parses back in SPARQL (``kgr:place/china`` does not: ``/`` may not stand
#: unescaped in a prefixed name). See :func:`short_name`.
CLASS_PREFIXES: dict[str, str] = {cls.lower(): f"{ID}{cls.lower()}/" for cls in CLASSES}
PREFIXES.update(CLASS_PREFIXES)


#: Prefixes written into TriG/Turtle exports: not ``kgr``/``kga``, whose local names would
#: need ``\/`` escapes (valid Turtle 1.1, but unreadable and unknown to some parsers), nor the
#: class prefixes: pyoxigraph's writer escapes rather than falls back to ``<IRI>``, so an
#: article-scoped entity would come out as ``regulation:a1\/the-rule``
#: (``docs/decisions/0021-names-that-paste-back.md``).
SERIALIZATION_PREFIXES: dict[str, str] = {
    k: v for k, v in PREFIXES.items() if k not in ("kgr", "kga", *CLASS_PREFIXES)
}

# SPARQL 1.1 grammar [164]-[169]: PN_CHARS_BASE, PN_CHARS_U, PN_CHARS and PN_LOCAL, with
# PLX limited to PERCENT (%hh stands for itself in the IRI): a local name that needs a
# backslash escape is not short, and is printed as <IRI> instead.
_PN_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF"
            "\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF"
            "\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_PN_U = _PN_BASE + "_"
_PN = _PN_U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PCT = "%[0-9A-Fa-f]{2}"
_PN_LOCAL = re.compile(
    f"(?:[{_PN_U}:0-9]|{_PCT})(?:(?:[{_PN}.:]|{_PCT})*(?:[{_PN}:]|{_PCT}))?")


def is_prefixed_local(local: str) -> bool:
    """True when ``local`` may stand, unescaped, after ``prefix:`` in SPARQL and Turtle
    (the PN_LOCAL production without backslash escapes; the empty name too), and Oxigraph
    reads it back as written (one run of dots at most).

    >>> is_prefixed_local("china"), is_prefixed_local("u.s."), is_prefixed_local("a/b")
    (True, False, False)
    >>> is_prefixed_local("example.org_news"), is_prefixed_local("news.example.org")
    (True, False)
    """
    # Oxigraph 0.5 misreads a local name with two dots apart ("a.b.c" fails to parse,
    # "x.1.2" reads as x.1 and 0.2), so such names are printed whole, as <IRI>
    return local == "" or (_PN_LOCAL.fullmatch(local) is not None
                           and len(re.findall(r"\.+", local)) <= 1)


def short_name(iri: str) -> str:
    """The shortest name of ``iri`` that parses back in a kg query: ``prefix:local`` with a
    predeclared prefix (:data:`PREFIXES`, the longest that gives a valid local name), else
    ``<iri>``. Printed wherever kg shows an IRI to people, so it can be pasted into a query.

    >>> short_name(f"{ID}place/china"), short_name(KG.owns)
    ('place:china', 'kg:owns')
    >>> short_name(f"{ID}regulation/a1/the-proposed-rule")
    '<https://w3id.org/aikg/id/regulation/a1/the-proposed-rule>'
    >>> short_name("http://example.org/x")
    '<http://example.org/x>'
    """
    for prefix, base in _BY_LENGTH:
        if iri.startswith(base) and is_prefixed_local(iri[len(base):]):
            return f"{prefix}:{iri[len(base):]}"
    return f"<{iri}>"


#: The predeclared prefixes, longest namespace first (``place:`` before ``kgr:``).
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: (-len(item[1]), item[0]))


def nn(iri: str) -> ox.NamedNode:
    """The pyoxigraph ``NamedNode`` of an IRI string (``nn(KG.Company)``)."""
    return ox.NamedNode(iri)


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``#`` or ``/``.

    >>> local_name(KG.GovernmentBody)
    'GovernmentBody'
    """
    return re.split(r"[#/]", iri)[-1]


@functools.lru_cache(maxsize=1 << 16)
def slug(text: str, *, keep: str = "") -> str:
    """A deterministic IRI path segment for ``text``.

    Cached (a pure function of its arguments): ingest asks for the same names' slugs many
    times, each entity's under every class when its IRI is looked up (kg.identity), and the
    Unicode folding was 2% of a single-process ingest (docs/performance.md).

    NFKD-folded to ASCII, lower-cased, runs of other characters (except those in ``keep``,
    from ``_.``) turned into ``-``. When
    folding loses letters or digits (``"华为"``, ``"Ø"``), a short hash of the text is added, so
    that different names do not share a slug; an all-symbol text gets the hash alone.

    >>> slug("Moonshot AI")
    'moonshot-ai'
    >>> slug("Café Déjà-vu")
    'cafe-deja-vu'
    >>> slug("U.S.")
    'u-s'
    >>> slug("000_d224b8482df45905", keep="_")
    '000_d224b8482df45905'
    """
    if set(keep) - set("_."):
        raise ValueError(f"slug can keep only '_' and '.', not {keep!r}")
    folded = unicodedata.normalize("NFKD", text)
    ascii_text = folded.encode("ascii", "ignore").decode("ascii")
    base = re.sub(f"[^a-z0-9{re.escape(keep)}]+", "-", ascii_text.lower()).strip("-" + keep)
    lost = any(
        ch.isalnum() and not ch.isascii() and not unicodedata.combining(ch) for ch in folded
    )
    if base and not lost:
        return base
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return f"{base}-{digest}" if base else f"x-{digest}"


def label_key(text: str) -> str:
    """The lookup key of a label or alias: the object of ``kg:labelKey``.

    NFKC-normalised, case-folded (full Unicode folding, so "STRASSE" and "Straße" agree),
    whitespace runs collapsed to one space and trimmed. Names are found by looking up the
    key of what the user typed (an exact-literal pattern the store answers from its
    indexes), so this function is the whole definition of "the same name".

    >>> label_key("  Nvidia   CORP ")
    'nvidia corp'
    >>> label_key("Ｈ２０") == label_key("h20")
    True
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())


class _EntityLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def cls(self) -> str: ...
    @property
    def scope(self) -> str: ...


def entity_iri(entity: _EntityLike, article_id: str) -> str:
    """The IRI of an extracted entity.

    Global entities (named things) get one IRI across articles,
    ``id/<class>/<slug(key)>``; article-scoped ones (descriptions such as "the proposed
    rule") get ``id/<class>/<article_id>/<slug(key)>``, so that they never merge across
    articles.
    """
    if entity.cls not in CLASSES:
        raise ValueError(f"unknown entity class {entity.cls!r}; expected one of {CLASSES}")
    cls = entity.cls.lower()
    if entity.scope == "global":
        return f"{ID}{cls}/{slug(entity.key)}"
    if entity.scope == "article":
        return f"{ID}{cls}/{article_id}/{slug(entity.key)}"
    raise ValueError(f"unknown entity scope {entity.scope!r} (expected 'global' or 'article')")


def article_iri(article_id: str) -> str:
    """The IRI of an article node, also the name of the graph holding its statements."""
    if not article_id or "/" in article_id or article_id != article_id.strip():
        raise ValueError(f"bad article id {article_id!r}")
    return ARTICLE + article_id


def article_id_of(iri: str) -> str:
    """Inverse of :func:`article_iri`."""
    if not iri.startswith(ARTICLE):
        raise ValueError(f"{iri} is not an article IRI")
    return iri[len(ARTICLE) :].split("/", 1)[0]


def evidence_iri(article_id: str, s: str, p: str, o: str, start: int, end: int) -> str:
    """The IRI of the evidence node for statement ``s p o`` at ``start..end`` of an article.

    Deterministic: the same statement at the same place gets the same IRI on every run.
    """
    key = "\x1f".join((s, p, o, str(start), str(end)))
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
    return f"{article_iri(article_id)}/ev/{digest}"


def is_evidence_iri(iri: str) -> bool:
    """True for the IRI of an evidence node (``article/<id>/ev/<hash>``), set-aside records
    (``article/<id>/ev/aside-<hash>``) included: both stay in their article's graph."""
    return iri.startswith(ARTICLE) and "/ev/" in iri


def sparql_is_evidence(var: str = "?s") -> str:
    """:func:`is_evidence_iri` as a SPARQL expression on ``var`` (for FILTERs).

    >>> sparql_is_evidence("?x").startswith("(isIRI(?x) && STRSTARTS(STR(?x)")
    True
    """
    return (f'(isIRI({var}) && STRSTARTS(STR({var}), "{ARTICLE}") '
            f'&& CONTAINS(STR({var}), "/ev/"))')


def set_aside_iri(article_id: str, s: str, p: str, o: str) -> str:
    """The IRI of the record of statement ``s p o`` (each in N-Triples syntax, as ``str()`` of
    a pyoxigraph term gives it) set aside in an article.

    Under the article's ``/ev/`` path, so that it stays in the article's graph, out of the
    merged default graph, as evidence nodes do (:func:`is_evidence_iri`). Deterministic, as
    :func:`evidence_iri` is.

    >>> set_aside_iri("a1", "<urn:x>", "<urn:p>", '"7"^^<http://www.w3.org/2001/XMLSchema#integer>')
    'https://w3id.org/aikg/article/a1/ev/aside-a0b958f40f20c236'
    """
    key = "\x1f".join((s, p, o))
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
    return f"{article_iri(article_id)}/ev/aside-{digest}"


def is_set_aside_iri(iri: str) -> bool:
    """True for the IRI of a set-aside record (:func:`set_aside_iri`)."""
    return iri.startswith(ARTICLE) and "/ev/aside-" in iri


def wikidata_iri(qid: str) -> str:
    """``Q42`` (or a full Wikidata IRI) -> ``http://www.wikidata.org/entity/Q42``."""
    qid = qid.strip()
    if qid.startswith(("http://", "https://")):
        qid = local_name(qid)
    if not re.fullmatch(r"Q[1-9][0-9]*", qid):
        raise ValueError(f"bad Wikidata id {qid!r}")
    return WIKIDATA + qid
