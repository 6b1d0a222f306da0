"""What the single-process ingest speed-ups (issue 14) must not change: the same output.

The speed itself is measured in bench/bench_ingest.py (docs/performance.md), never here.
"""

from __future__ import annotations

import doctest

import pytest

import kg.vocab
from kg.vocab import entity_iri, slug

NAMES = ["Moonshot AI", "Café Déjà-vu", "U.S.", "华为", "Ø", "***", "Nvidia", "nvidia",
         "000_d224b8482df45905"]


def test_cached_slug_gives_what_the_function_computes():
    """``slug`` is cached (kg.vocab): asked again, under either keyword, it gives what the
    uncached function gives, and the same text with another ``keep`` is not confused."""
    raw = slug.__wrapped__
    for _ in range(2):  # the second round answers from the cache
        for name in NAMES:
            assert slug(name) == raw(name)
            assert slug(name, keep="_") == raw(name, keep="_")
    assert slug("a_b") == "a-b" and slug("a_b", keep="_") == "a_b"


def test_cached_slug_still_refuses_a_bad_keep_each_time():
    for _ in range(2):  # an exception is never cached as an answer
        with pytest.raises(ValueError, match="can keep only"):
            slug("x", keep="/")


def test_entity_iris_unchanged_by_the_cache():
    class E:
        key, cls, scope = "Moonshot AI", "Company", "global"

    assert entity_iri(E, "a1") == entity_iri(E, "a1")
    assert entity_iri(E, "a1").endswith("/company/moonshot-ai")


def test_vocab_doctests_still_found_and_hold():
    """The cache wraps ``slug``: its examples must still run."""
    result = doctest.testmod(kg.vocab)
    assert result.failed == 0
    finder = doctest.DocTestFinder()
    assert any(t.name.endswith(".slug") and t.examples for t in finder.find(kg.vocab))
