"""What the single-process ingest speed-ups (issue 14) must not change: the same output,
and the per-article time budget held as before.

The speed itself is measured in bench/bench_ingest.py (docs/performance.md), never here.
"""

from __future__ import annotations

import doctest
import threading
import time

import pytest

import kg.vocab
from kg.budget import OverBudget, time_limit
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


# ------------------------------------------------------------------ the budget's watcher

def _spin(seconds: float) -> None:
    """Use about ``seconds`` of this thread's CPU time."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_time_limit_still_stops_a_body_over_its_budget():
    with pytest.raises(OverBudget), time_limit(0.1, poll=0.01):
        _spin(5)


def test_time_limit_watches_with_one_thread_however_many_bodies():
    """One watcher thread per process (kg.budget._Watcher), not one started and joined per
    article: the old code left a thread count that grew and shrank with every call."""
    def watchers() -> int:
        return sum(t.name == "kg-article-budget" for t in threading.enumerate())

    for _ in range(20):
        with time_limit(10, poll=0.01):
            pass
        assert watchers() == 1  # old code: 0 after each call (its watcher joined)
    with pytest.raises(OverBudget), time_limit(0.05, poll=0.01):
        _spin(5)
    with time_limit(10, poll=0.01):
        assert watchers() == 1


def test_time_limit_sends_nothing_after_its_body():
    """A body that ended under its budget is never signalled later (SIGALRM with the default
    handler back would kill the process)."""
    with time_limit(0.05, poll=0.01):
        pass
    _spin(0.3)  # past that deadline, outside any body: nothing raised, process alive


def test_time_limit_nested_bodies_keep_their_own_deadlines():
    with pytest.raises(OverBudget), time_limit(0.1, poll=0.01), time_limit(30, poll=0.01):
        _spin(5)  # the outer budget stops it though the inner one is far off
