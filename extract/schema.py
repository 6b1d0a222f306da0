"""The annotation scheme as data: the 8 classes, the 22 properties, their domains and ranges.

The one source of the scheme: ``kg.vocab``, ``kg.evaluate``, the view's colours and the CLI's
``--type`` help read it, and ``tests/test_scheme_source.py`` (with ``tests/test_schema.py``)
holds ``ontology/kg.ttl``, ``ontology/shapes.ttl``, the saved queries and the README equal to
it, so a class or property added here and not there fails the suite.
"""

from __future__ import annotations

__all__ = ["CLASSES", "PROPERTIES", "SYMMETRIC", "DOMAIN", "RANGE", "allowed"]

CLASSES: tuple[str, ...] = (
    "Company",
    "GovernmentBody",
    "Person",
    "Chip",
    "DataCenter",
    "Regulation",
    "Product",
    "Place",
)

_ORG = ("Company", "GovernmentBody")

# property -> (domain classes, range classes), as in ANNOTATION.md
_SIGNATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "owns": (("Company",), ("Company", "Product")),
    "develops": (("Company", "Person"), ("Product", "Chip")),
    "purchases": (("Company",), ("Chip", "Product")),
    "supplies": (("Company",), ("Company",)),
    "operates": (("Company",), ("DataCenter",)),
    "uses": (("Company",), ("DataCenter", "Chip", "Product")),
    "locatedIn": (("DataCenter", "Place"), ("Place",)),
    "headquarteredIn": (_ORG, ("Place",)),
    "operatesIn": (("Company",), ("Place",)),
    "basedIn": (("Person",), ("Place",)),
    "worksFor": (("Person",), _ORG),
    "leads": (("Person",), _ORG),
    "founded": (("Person",), ("Company",)),
    "formerlyWorkedFor": (("Person",), _ORG),
    "hiresFrom": (("Company",), ("Company",)),
    "investsIn": (("Company",), ("Company", "DataCenter", "Place", "Product")),
    "partnersWith": (("Company",), ("Company",)),
    "competesWith": (("Company", "Product"), ("Company", "Product")),
    "restricts": (("Regulation",), ("Chip", "Company", "Product")),
    "targets": (("Regulation",), ("Company", "Place")),
    "issuedBy": (("Regulation",), ("GovernmentBody", "Place", "Person")),
    "meetsWith": (("Person",), ("Person",)),
}

PROPERTIES: tuple[str, ...] = tuple(_SIGNATURES)
SYMMETRIC: frozenset[str] = frozenset({"partnersWith", "competesWith", "meetsWith"})
DOMAIN: dict[str, frozenset[str]] = {p: frozenset(d) for p, (d, _) in _SIGNATURES.items()}
RANGE: dict[str, frozenset[str]] = {p: frozenset(r) for p, (_, r) in _SIGNATURES.items()}


def allowed(subject_class: str, prop: str, object_class: str) -> bool:
    """True when ``subject_class prop object_class`` fits the property's domain and range.

    >>> allowed("Company", "owns", "Product")
    True
    >>> allowed("Person", "owns", "Place")
    False
    """
    return subject_class in DOMAIN[prop] and object_class in RANGE[prop]
