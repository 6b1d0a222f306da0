"""Entity pages, linked data and the service description of ``kg serve``, as library calls.

    .venv/bin/python bench/bench_entity.py [--store PATH] [--rounds 7] [--write]

The store: ``--store`` (read only), else the seed articles ingested into a temporary one.
The entity is the hub (the most relations, in and out). Measured, median of ``--rounds``,
each what one request costs a query worker (:mod:`kg.entity_page`,
:mod:`kg.service_description`), HTTP and the pipe to the serving process left out:

- the page: :func:`~kg.entity_page.entity_page` + :func:`~kg.entity_page.neighbours` +
  :func:`~kg.entity_page.render_page` (the HTML with vis-network inlined), and its size;
- ``/neighbours`` (the JSON of one click);
- the description (``/id/...`` with ``Accept: text/turtle`` or JSON-LD): queries and writer;
- the service description (``GET /sparql``);
- :meth:`kg.store.Store.ensure_ontology` on an empty store: the first load, and the check
  that finds it unchanged (what every ``kg ingest`` pays).

With ``--write`` the figures go to docs/performance.md between the ``bench_entity``
markers. Benchmarks are not tests: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._report import ROOT, machine_line, write_section  # noqa: E402
from kg.entity_page import DOCUMENT_FORMATS, describe, entity_page, neighbours, render_page  # noqa: E402
from kg.service_description import service_description  # noqa: E402
from kg.store import LocalStore  # noqa: E402
from kg.vocab import KG, PROPERTIES  # noqa: E402


def _median_ms(call: Callable[[], object], rounds: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def _hub(store: LocalStore) -> tuple[str, int]:
    values = " ".join(f"<{KG[p]}>" for p in PROPERTIES)
    rows = list(store.select(
        f"SELECT ?e (COUNT(*) AS ?n) WHERE {{ VALUES ?p {{ {values} }} "
        "{ ?e ?p ?x } UNION { ?x ?p ?e } } GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT 1"))
    return rows[0]["e"].value, int(rows[0]["n"].value)


def run(store_path: Path, rounds: int) -> tuple[str, list[tuple[str, float, str]]]:
    rows: list[tuple[str, float, str]] = []
    with LocalStore(store_path, read_only=True) as store:
        hub, degree = _hub(store)
        articles = len(store.articles())
        quads = len(store)

        def page() -> str:
            found = entity_page(store, hub)
            assert found is not None
            return render_page(found, neighbours(store, hub) or {"nodes": [], "edges": []})[0]

        ms, html = _median_ms(page, rounds)
        rows.append(("entity page (queries + HTML)", ms, f"{len(str(html).encode()):,} bytes"))
        ms, found = _median_ms(lambda: neighbours(store, hub), rounds)
        rows.append(("/neighbours (one click)", ms, f"{len(found['nodes'])} nodes"))  # type: ignore[index]

        def document(fmt: str) -> Callable[[], bytes]:
            def build() -> bytes:
                triples = describe(store, hub)
                assert triples is not None
                return DOCUMENT_FORMATS[fmt].write(triples)  # type: ignore[misc]

            return build

        for fmt, name in (("turtle", "Turtle (pyoxigraph)"), ("jsonld", "JSON-LD (rdflib)")):
            ms, body = _median_ms(document(fmt), rounds)
            rows.append((f"description as {name}", ms, f"{len(body):,} bytes"))  # type: ignore[arg-type]
        ms, triples = _median_ms(lambda: service_description(store, "http://x/sparql"), rounds)
        rows.append(("service description", ms, f"{len(triples)} triples"))  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as folder, LocalStore(Path(folder) / "s") as empty:
        started = time.perf_counter()
        empty.ensure_ontology()
        rows.append(("ontology graph: first load", (time.perf_counter() - started) * 1000, ""))
        ms, _ = _median_ms(empty.ensure_ontology, rounds)
        rows.append(("ontology graph: unchanged check", ms, ""))
    return f"{articles} articles, {quads:,} quads; hub {hub} ({degree} facts in and out)", rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="a store to read (default: the seeds)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--write", action="store_true", help="write docs/performance.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.store
        if path is None:
            from kg.ingest import ingest

            path = Path(folder) / "seeds"
            with LocalStore(path) as store:
                ingest(store, [ROOT / "seeds"])
        what, rows = run(path, args.rounds)
    lines = [machine_line(), f"- store: {what}; median of {args.rounds} rounds", "",
             "| what one request costs a worker | ms | size |", "|---|---:|---|"]
    lines += [f"| {name} | {ms:.1f} | {size} |" for name, ms, size in rows]
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section("bench_entity", body)


if __name__ == "__main__":
    main()
