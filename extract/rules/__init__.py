"""The relation rules, registered by id in :data:`REGISTRY` (see ``extract.rules.registry``).

Importing this package registers every rule; their run order is their registration order:
the modules below in this order, and each module's rules in the order they are defined.
``docs/extraction.md`` has one table row per rule id (``tests/test_rules.py`` holds them equal).
"""

from __future__ import annotations

import importlib

from .registry import REGISTRY, OnDocument, OnSentence, OnToken, Rule, get, rule, run

#: The rule modules, in run order.
MODULES = ("people", "verbs", "business", "supply", "products", "money", "places",
           "regulations")
for _module in MODULES:
    importlib.import_module(f"{__name__}.{_module}")

__all__ = ["MODULES", "REGISTRY", "Rule", "OnToken", "OnSentence", "OnDocument", "get", "rule",
           "run"]
