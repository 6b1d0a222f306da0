"""What the change log and the dates of facts cost (issue 12, part B).

    .venv/bin/python bench/bench_time.py [--copies 100] [--rounds 3] [--write]

The five seed articles are ingested once (real spaCy model), then copied ``--copies`` times
under new article ids (entities shared, as in a feed that repeats the same firms), so the
timings are of storage and queries only. Measured side by side, alternating, in one run:

1. **Writing articles**: ``LocalStore.add_articles`` in batches of 16 with the change log
   (``changed_at``) against without it.
2. **Replacing 100 articles** with a version that drops one relation statement:
   ``LocalStore.replace_article`` with the log against without it.
3. **The projection**: ``kg.graph.project`` (now with each fact's articles and dates)
   against the same three queries without dates (the projection before issue 12), and
   ``kg.graph.within`` of a one-year window on it.
4. **The saved query ``changes``** over the whole log.

With ``--write`` the figures go to docs/performance.md between the ``bench_time`` markers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from _report import ROOT, machine_line, write_section

sys.path.insert(0, str(ROOT))

from kg.graph import _PROPERTY_VALUES, project, within  # noqa: E402
from kg.ingest import ingest  # noqa: E402
from kg.saved import run_saved  # noqa: E402
from kg.store import LocalStore  # noqa: E402
from kg.timeline import DateWindow, article_dates  # noqa: E402
from kg.vocab import ARTICLE, KG, PROPERTIES  # noqa: E402

RELATIONS = {KG[p] for p in PROPERTIES}


def _copies(seeds: dict[str, list[ox.Quad]], copies: int) -> dict[str, list[ox.Quad]]:
    """The seed articles under ids ``ID-k``: every IRI under the article's own IRI renamed."""
    out: dict[str, list[ox.Quad]] = {}
    for k in range(copies):
        for article, quads in seeds.items():
            old, new = f"{ARTICLE}{article}", f"{ARTICLE}{article}-{k}"

            def term(t, old=old, new=new):  # noqa: ANN001, ANN202
                if isinstance(t, ox.NamedNode) and t.value.startswith(old):
                    return ox.NamedNode(new + t.value[len(old):])
                return t

            out[f"{article}-{k}"] = [ox.Quad(term(q.subject), q.predicate, term(q.object),
                                             ox.NamedNode(new)) for q in quads]
    return out


def _clock(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _old_projection(store: LocalStore) -> None:
    """The statement query of the projection before dates: one row per distinct statement."""
    list(store.select(f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {_PROPERTY_VALUES} }} "
                      "GRAPH ?g { ?s ?p ?o } }"))


def _new_projection(store: LocalStore) -> None:
    """The statement query of the projection with dates: one row per statement and article."""
    list(store.select(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?p {{ {_PROPERTY_VALUES} }} "
                      "GRAPH ?g { ?s ?p ?o } }"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)

    import extract

    work = Path(tempfile.mkdtemp(prefix="kg-bench-time-"))
    with LocalStore(work / "seeds") as store:
        ingest(store, [ROOT / "seeds"], nlp=extract.load_pipeline())
        seeds = {a.id: sorted(store.quads(a.id), key=str) for a in store.articles()}
    articles = _copies(seeds, args.copies)
    ids = list(articles)
    quads = sum(len(q) for q in articles.values())
    print(f"{len(ids)} articles, {quads:,} quads", file=sys.stderr)

    write: dict[str, list[float]] = {"log": [], "plain": []}
    for r in range(args.rounds):
        for kind in (("log", "plain") if r % 2 == 0 else ("plain", "log")):
            with LocalStore(work / f"w-{kind}-{r}") as store:
                at = datetime.now(UTC) if kind == "log" else None

                def run(store: LocalStore = store, at: datetime | None = at) -> None:
                    for i in range(0, len(ids), 16):
                        store.add_articles({a: articles[a] for a in ids[i:i + 16]},
                                           changed_at=at)

                write[kind].append(_clock(run) / len(ids) * 1000)

    replaced = ids[:100]
    edited = {}
    for a in replaced:
        dropped = next(q for q in articles[a] if q.predicate.value in RELATIONS)
        edited[a] = [q for q in articles[a] if q != dropped]
    replace: dict[str, list[float]] = {"log": [], "plain": []}
    for r in range(args.rounds):
        for kind in (("log", "plain") if r % 2 == 0 else ("plain", "log")):
            with LocalStore(work / f"w-{kind}-{r}") as store:
                at = datetime.now(UTC) if kind == "log" else None

                def run(store: LocalStore = store, at: datetime | None = at) -> None:
                    for a in replaced:
                        store.replace_article(a, edited[a], changed_at=at)

                replace[kind].append(_clock(run) / len(replaced) * 1000)

    reads: dict[str, list[float]] = {"project": [], "old": [], "new": [], "dates": [],
                                     "within": [], "changes": []}
    with LocalStore(work / "w-log-0", read_only=True) as store:
        rows = len(run_saved(store, "changes", {"since": "2000-01-01"}))
        graph = project(store)
        year = DateWindow("2024-01-01", "2025-01-01")
        for _ in range(args.rounds):
            reads["project"].append(_clock(lambda: project(store)) * 1000)
            reads["old"].append(_clock(lambda: _old_projection(store)) * 1000)
            reads["new"].append(_clock(lambda: _new_projection(store)) * 1000)
            reads["dates"].append(_clock(lambda: article_dates(store)) * 1000)
            reads["within"].append(_clock(lambda: within(graph, year)) * 1000)
            reads["changes"].append(_clock(lambda: run_saved(
                store, "changes", {"since": "2000-01-01"})) * 1000)
        edges = graph.number_of_edges()

    def med(xs: list[float]) -> float:
        return statistics.median(xs)

    lines = [
        machine_line(),
        f"- store: the 5 seeds ingested, copied {args.copies} times under new ids: "
        f"{len(ids):,} articles, {quads:,} quads; {edges:,} edges in the projection; median of "
        f"{args.rounds} alternating rounds",
        f"- add_articles, batches of 16: {med(write['log']):.2f} ms per article with the "
        f"change log, {med(write['plain']):.2f} ms without: "
        f"**{med(write['log']) / med(write['plain']):.2f}x**",
        f"- replace_article (one relation dropped): {med(replace['log']):.2f} ms "
        f"with the log, {med(replace['plain']):.2f} ms without: "
        f"**{med(replace['log']) / med(replace['plain']):.2f}x**",
        f"- kg.graph.project with dates: {med(reads['project']):.0f} ms, of which the dates "
        f"cost: the article records (article_dates) {med(reads['dates']):.1f} ms, and the "
        f"statement query by article {med(reads['new']):.1f} ms against "
        f"{med(reads['old']):.1f} ms for distinct statements (before dates)",
        f"- kg.graph.within, a one-year window: {med(reads['within']):.0f} ms",
        f"- saved query changes over the whole log ({rows:,} rows): "
        f"{med(reads['changes']):.0f} ms",
    ]
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section("bench_time", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
