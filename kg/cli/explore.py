"""Commands that read the graph: ``query``, ``queries``, ``viz``, ``stats``, ``show``, the
analytics (``rank``, ``path``, ``neighbors``, ``communities``) and ``serve``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import ArticleNotFound
from ..vocab import CLASSES
from .app import FORMAT_OPTION, cli, close_articles, echo, echo_size, store_for, waits

if TYPE_CHECKING:  # pragma: no cover
    from ..show import Fact

# --------------------------------------------------------------------------- query


@cli.command(
    epilog="""\b
Example:
  kg query "SELECT ?who ?org WHERE { ?p kg:leads ?o .
            ?p rdfs:label ?who . ?o rdfs:label ?org }"
  kg query --format csv my-query.rq
  kg query --saved chips-bought --param firm=ByteDance
"""
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "json", "csv", "tsv")),
    default="table",
    show_default=True,
    help="W3C SPARQL results json/csv/tsv; CONSTRUCT gives Turtle (table), JSON-LD, N-Triples.",
)
@click.option(
    "--saved",
    metavar="NAME",
    help="Run the saved query NAME (see `kg queries`) instead of QUERY_OR_FILE.",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter of the saved query (repeatable); entities by name or alias.",
)
@click.argument("query_or_file", required=False)
@click.pass_context
def query(
    ctx: click.Context,
    fmt: str,
    saved: str | None,
    params: tuple[str, ...],
    query_or_file: str | None,
) -> None:
    """Run a read-only SPARQL query (text, a file, or a saved query) over all articles.

    Prefixes kg:, kgr:, rdf:, rdfs:, owl:, xsd:, skos:, prov:, dcterms: and schema: are
    predeclared. The default graph is the merge of all articles: a fact stated by several
    articles matches once; GRAPH ?g shows which article said it. Updates, SERVICE and LOAD
    are refused.
    """
    from ..query import format_result, read_query, run_query

    if (saved is None) == (query_or_file is None):
        raise click.UsageError("give either QUERY_OR_FILE or --saved NAME (not both)")
    if params and saved is None:
        raise click.UsageError("--param goes with --saved NAME")
    with store_for(ctx) as store:
        if saved is not None:
            from ..saved import run_saved

            result = run_saved(store, saved, _pairs(params))
        else:
            result = run_query(store, read_query(query_or_file))
    echo(format_result(result, fmt), nl=False, exact=fmt != "table" or result.kind == "graph")
    if fmt == "table" and result.kind == "select":
        echo(f"({len(result)} row{'s' if len(result) != 1 else ''})", err=True)


def _pairs(params: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        if name.strip() in values:
            raise click.BadParameter(f"{name.strip()} given twice", param_hint="--param")
        values[name.strip()] = value
    return values


@cli.command(
    "queries",
    epilog="""\b
Example:
  kg queries
  kg queries --show chips-bought
"""
)
@click.option("--show", metavar="NAME", help="Print the SPARQL text of the saved query NAME.")
def queries_command(show: str | None) -> None:
    """List the saved queries, each with its parameters and a one-line description.

    Run one with `kg query --saved NAME --param NAME=VALUE`. They live in kg/queries/*.rq.
    """
    from ..saved import saved_queries, saved_query

    if show is not None:
        echo(saved_query(show).text, nl=False)
        return
    for saved in saved_queries():
        echo(f"{saved.name}  {saved.description}")
        for param in saved.params:
            default = "" if param.default is None else f" (default {param.default})"
            echo(f"    {param.name}: {param.kind}{default}  {param.description}")


# --------------------------------------------------------------------------- viz


def _classes_option(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...] | str | None
) -> tuple[str, ...] | None:
    """``--type`` values as ontology class names, whatever their case (None when absent)."""
    from ..graph import resolve_class

    if values is None or values == ():
        return None
    try:
        if isinstance(values, str):
            return (resolve_class(values),)
        return tuple(dict.fromkeys(resolve_class(v) for v in values))
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from exc


#: The classes ``--type`` takes, as its help lists them (from extract/schema.py).
_CLASS_HELP = ", ".join(CLASSES)


@cli.command(
    epilog="""\b
Example:
  kg viz -o out/graph.html
  kg viz --focus ByteDance --depth 2 -o out/bytedance.html
  kg viz --type Company --type Chip --min-degree 2
"""
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("out/graph.html"),
    show_default=True,
    help="HTML file to write.",
)
@click.option("--article", help="Only the entities and relations of this article id.")
@click.option("--focus", metavar="ENTITY",
              help="Only this entity and those within --depth hops of it (label or alias).")
@click.option("--depth", type=click.IntRange(min=1), default=1, show_default=True,
              help="Hops around --focus, whatever the relations' direction.")
@click.option("--type", "classes", multiple=True, callback=_classes_option, metavar="CLASS",
              help=f"Only entities of this class (repeatable; any case): {_CLASS_HELP}.")
@click.option("--min-degree", type=click.IntRange(min=0), default=0, show_default=True,
              help="Drop entities with fewer relations than this, counted after the other "
              "filters and again until all that are left have as many.")
@click.pass_context
def viz(
    ctx: click.Context,
    output: Path,
    article: str | None,
    focus: str | None,
    depth: int,
    classes: tuple[str, ...] | None,
    min_degree: int,
) -> None:
    """Write an interactive HTML view of the graph (works offline).

    The filters apply in this order: --article, --focus/--depth, --type, --min-degree; the
    focus entity always stays. A view with nothing left to draw is an error.
    """
    from ..graph import filter_graph, project
    from ..show import find_entity
    from ..view import render_html

    with store_for(ctx) as store:
        if article is not None and not store.has_article(article):
            raise ArticleNotFound(article, close_articles(store, article))
        iri = find_entity(store, focus) if focus is not None else None
        graph = project(store, article=article)
    if iri is not None and iri not in graph:
        raise click.BadParameter(
            f"{focus!r} is not in article {article}; leave out --article or --focus",
            param_hint="'--focus'",
        )
    graph = filter_graph(graph, focus=iri, depth=depth, classes=classes, min_degree=min_degree)
    parts = [f"article {article}"] if article else []
    if iri is not None:
        hops = f"{depth} hop{'s' if depth != 1 else ''}"
        parts.append(f"{graph.nodes[iri]['label']} and {hops} around")
    if classes:
        parts.append(", ".join(classes))
    if min_degree:
        parts.append(f"degree \u2265 {min_degree}")
    title = "kg: " + " \u00b7 ".join(parts) if parts else "kg: AI industry knowledge graph"
    path = render_html(graph, output, title=title)
    echo(str(path))
    echo_size(graph)


# --------------------------------------------------------------------------- stats


@cli.command(
    epilog="""\b
Example:
  kg stats
"""
)
@click.pass_context
def stats(ctx: click.Context) -> None:
    """Count articles, entities by class and relations by property."""
    from ..graph import statistics
    from .admin import warn_if_incomplete

    with store_for(ctx) as store:
        warn_if_incomplete(store)
        s = statistics(store)
    echo(f"articles    {s.articles}")
    echo(f"entities    {s.entities}")
    echo(f"relations   {s.statements}")
    echo(f"evidence    {s.evidence}")
    echo("\nentities by class")
    width = max(len(name) for name, _ in (*s.classes, *s.properties))
    for name, n in s.classes:
        echo(f"  {name.ljust(width)}  {n:>6}")
    echo("\nrelations by property")
    for name, n in s.properties:
        echo(f"  {name.ljust(width)}  {n:>6}")


# --------------------------------------------------------------------------- show


@cli.command(
    epilog="""\b
Example:
  kg show ByteDance
  kg show "Zhang Yiming"
"""
)
@click.argument("entity")
@click.pass_context
def show(ctx: click.Context, entity: str) -> None:
    """Show an entity's facts, with the sentences they came from.

    A fact only kg's gazetteer supports (a product's known maker, named in the same
    sentence) is marked as background knowledge, with the sentences that mention both.
    """
    from ..show import entity_facts, find_entity

    with store_for(ctx) as store:
        facts = entity_facts(store, find_entity(store, entity))
    echo(f"{facts.label}  ({', '.join(facts.classes) or 'untyped'})")
    echo(f"  iri       {facts.iri}")
    if facts.aliases:
        echo(f"  also      {'; '.join(facts.aliases)}")
    for same in facts.same_as:
        echo(f"  same as   {same}")
    echo(f"  articles  {', '.join(facts.articles)}")
    for title, items, arrow in (
        ("relations", facts.outgoing, "->"),
        ("inverse relations", facts.incoming, "<-"),
    ):
        if not items:
            continue
        echo(f"\n{title}")
        for fact in items:
            cls = f" ({fact.other_class})" if fact.other_class else ""
            echo(f"  {arrow} {fact.predicate} {fact.other_label}{cls}")
            ends = (facts.label, fact.other_label) if arrow == "->" \
                else (fact.other_label, facts.label)
            _echo_support(fact, *ends)
    if facts.mentions:
        echo("\nseen in")
        for mention in facts.mentions:
            echo(f"  [{mention.article}] {mention.sentence.strip()}")


def _echo_support(fact: Fact, subject: str, obj: str) -> None:
    """The sentences stating ``fact``; for a fact only kg's gazetteer supports, that it is
    background knowledge and the sentences that merely mention both (decision 0014)."""
    from ..tables import ALSO_BACKGROUND, MENTIONED_TOGETHER, background_note

    if fact.is_background:
        echo(f"       {background_note(subject, fact.predicate, obj)}")
    for ev in fact.stated or fact.background:
        modality = "" if ev.modality == "asserted" else f", {ev.modality}"
        where = f"{MENTIONED_TOGETHER} " if ev.background else ""
        echo(f"       {where}[{ev.article}] {ev.sentence.strip()}")
        echo(f"         rule {ev.rule}, confidence {ev.confidence:.2f}{modality}")
    if fact.stated and fact.background:
        echo(f"       {ALSO_BACKGROUND}")


# --------------------------------------------------------------------------- analytics

@cli.command(
    epilog="""\b
Example:
  kg rank --by pagerank --top 10
  kg rank --by betweenness --type Chip --format json
"""
)
@click.option(
    "--by",
    type=click.Choice(("degree", "pagerank", "betweenness")),
    default="degree",
    show_default=True,
    help="degree: number of relations; pagerank: along the relations' direction; "
    "betweenness: on shortest paths, direction ignored.",
)
@click.option("--type", "classes", multiple=True, callback=_classes_option, metavar="CLASS",
              help=f"List only entities of this class (repeatable; any case): {_CLASS_HELP}. "
              "Scores still count the whole graph.")
@click.option("--top", type=click.IntRange(min=0), default=20, show_default=True,
              help="How many entities to list (0: all).")
@click.option("--samples", type=click.IntRange(min=0), default=None,
              help="betweenness only: estimate it from this many source entities (fixed "
              "seed); 0: exact. Default: exact up to 2,000 entities, 500 samples above.")
@FORMAT_OPTION
@click.pass_context
def rank(
    ctx: click.Context,
    by: str,
    classes: tuple[str, ...] | None,
    top: int,
    samples: int | None,
    fmt: str,
) -> None:
    """Rank entities by degree, PageRank or betweenness centrality.

    The table shows each entity's rank, label, class, score and number of articles.
    """
    from ..analytics import betweenness_samples, format_rank
    from ..analytics import rank as run_rank
    from ..graph import project

    with store_for(ctx) as store:
        graph = project(store)
    ranked = run_rank(graph, by, classes=classes, top=top, samples=samples)
    k = betweenness_samples(graph, samples) if by == "betweenness" else None
    if k is not None:
        echo(f"kg: betweenness estimated from {k} of {graph.number_of_nodes()} "
                   "entities (--samples 0 for the exact figures)", err=True)
    echo(format_rank(ranked, by, fmt), nl=False, exact=fmt == "json")
    if fmt == "table":
        of = f" of class {', '.join(classes)}" if classes else ""
        echo(f"({len(ranked)} entit{'ies' if len(ranked) != 1 else 'y'}{of})", err=True)


@cli.command(
    epilog="""\b
Example:
  kg path TikTok Nvidia
  kg path "Zhang Yiming" "1260H list" --max 5 --format json
"""
)
@click.argument("source")
@click.argument("target")
@click.option("--max", "max_paths", type=click.IntRange(min=1), default=3, show_default=True,
              help="At most this many shortest paths.")
@FORMAT_OPTION
@click.pass_context
def path(ctx: click.Context, source: str, target: str, max_paths: int, fmt: str) -> None:
    """Show the shortest paths between two entities, with the sources of every hop.

    Paths may follow relations either way; each hop shows its relation in its true
    direction (A --purchases--> B, or B <--supplies-- C) and the article and sentence of
    each source. Names are matched on labels and aliases, ignoring case.
    """
    from ..analytics import format_paths, paths
    from ..graph import project
    from ..show import find_entity

    with store_for(ctx) as store:
        start, end = find_entity(store, source), find_entity(store, target)
        graph = project(store)
    echo(format_paths(paths(graph, start, end, max_paths=max_paths), fmt), nl=False,
         exact=fmt == "json")


@cli.command(
    epilog="""\b
Example:
  kg neighbors H20
  kg neighbors ByteDance --depth 2 --format json
"""
)
@click.argument("entity")
@click.option("--depth", type=click.IntRange(min=1), default=1, show_default=True,
              help="Hops away, whatever the relations' direction.")
@FORMAT_OPTION
@click.pass_context
def neighbors(ctx: click.Context, entity: str, depth: int, fmt: str) -> None:
    """List the entities within --depth hops of an entity, nearest first.

    Each comes with its distance, its class and the relations that link it to the
    entities one hop nearer, in their true direction.
    """
    from ..analytics import format_neighbors
    from ..analytics import neighbors as run_neighbors
    from ..graph import project
    from ..show import find_entity

    with store_for(ctx) as store:
        iri = find_entity(store, entity)
        graph = project(store)
    found = run_neighbors(graph, iri, depth)
    echo(format_neighbors(iri, found, fmt), nl=False, exact=fmt == "json")
    if fmt == "table":
        label = graph.nodes[iri]["label"]
        echo(f"({len(found)} entit{'ies' if len(found) != 1 else 'y'} within {depth} "
                   f"hop{'s' if depth != 1 else ''} of {label})", err=True)


@cli.command(
    epilog="""\b
Example:
  kg communities --top 5
  kg communities --seed 7 --format json
"""
)
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True,
              help="How many communities to list, largest first (0: all).")
@click.option("--members", type=click.IntRange(min=0), default=8, show_default=True,
              help="Members shown per community in the table, highest degree first (0: all).")
@click.option("--seed", type=int, default=42, show_default=True,
              help="Random seed of the Louvain method: the same seed gives the same answer.")
@FORMAT_OPTION
@click.pass_context
def communities(ctx: click.Context, top: int, members: int, seed: int, fmt: str) -> None:
    """Find communities of closely related entities (Louvain method).

    Relations are taken as undirected links, one per related pair. Every entity belongs to
    exactly one community; one with no relations is a community of its own.
    """
    from ..analytics import communities as run_communities
    from ..analytics import format_communities
    from ..graph import project

    with store_for(ctx) as store:
        graph = project(store)
    found = run_communities(graph, seed=seed)
    shown = found[:top] if top else found
    echo(format_communities(shown, fmt, members=members), nl=False, exact=fmt == "json")
    if fmt == "table":
        echo(f"({len(shown)} of {len(found)} communities, "
                   f"{graph.number_of_nodes()} entities)", err=True)


# --------------------------------------------------------------------------- serve


@cli.command(
    epilog="""\b
Example:
  kg serve
  kg --store my-store serve --port 8000 --timeout 10 --max-results 5000
  kg serve --host 0.0.0.0 --host-name kg.example.org --cors https://app.example.org
  kg --store my-store serve &  kg --store my-store ingest feed.jsonl   # served live
  curl -H 'Accept: text/csv' http://127.0.0.1:7878/sparql \\
       --data-urlencode 'query=SELECT ?o WHERE { ?c kg:owns ?o }'
"""
)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 opens the store to other machines.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="Port to listen on (0 picks a free one).")
@click.option("--host-name", "host_names", multiple=True, metavar="NAME",
              help="A name clients reach the server by (repeatable); requests whose Host "
                   "header is neither this, the --host address nor (on loopback) localhost "
                   "are refused (400). * allows any.")
@click.option("--timeout", type=click.FloatRange(0, min_open=True), default=30.0,
              show_default=True, help="Seconds a query may run; longer ones are stopped (503).")
@click.option("--max-results", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Most rows or triples in a result; more is refused (507).")
@click.option("--max-body", type=click.IntRange(min=1), default=1_000_000, show_default=True,
              help="Largest request body in bytes; larger is refused (413).")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Query worker processes: how many queries may run long at once.")
@click.option("--spare-workers", type=click.IntRange(min=0), default=1, show_default=True,
              help="Further workers kept for quick queries: a query that runs past --quick "
                   "while --workers long ones run is stopped (503) instead of taking them.")
@click.option("--quick", type=click.FloatRange(0, min_open=True), default=1.0,
              show_default=True, help="Seconds after which a running query counts as long.")
@click.option("--cache/--no-cache", default=True, show_default=True,
              help="Answer a repeated query from memory (up to 32 MB of answers, kept until the "
                   "next commit of a writer). Never for --store URL.")
@click.option("--cors", metavar="ORIGIN",
              help="Let pages from ORIGIN (or *) call the endpoint (CORS) and POST to it; "
                   "off by default (cross-origin POSTs are refused, 403).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, host_names: tuple[str, ...],
          timeout: float, max_results: int, max_body: int, workers: int, spare_workers: int,
          quick: float, cache: bool, cors: str | None) -> None:
    """Serve the store read-only: a SPARQL 1.1 endpoint at /sparql, an explorer page at /.

    GET /sparql?query=..., or POST it as a form or an application/sparql-query body;
    results as JSON, XML, CSV or TSV (SELECT, ASK) or Turtle, N-Triples, JSON-LD or RDF/XML
    (CONSTRUCT, DESCRIBE) by the Accept header or format=. Saved queries: GET /queries and
    /saved/NAME?param=value. Updates, SERVICE and LOAD are refused (403). `kg ingest` and
    `kg remove` run while it serves: each batch they commit is answered from the next query
    on (whole articles only; a running query keeps the state it started on). Ctrl-C stops it.
    """
    from ..server import ServerConfig
    from ..server import serve as serve_forever

    config = ServerConfig(store=ctx.obj, host=host, port=port, timeout=timeout,
                          max_results=max_results, max_body=max_body, workers=workers,
                          spare_workers=spare_workers, quick=quick, cors=cors,
                          host_names=host_names, cache=cache, wait=waits(ctx))
    logging.getLogger("kg.server").setLevel(logging.INFO)  # one line per request

    from ..remote import is_remote
    from ..store import incomplete_message, incomplete_restore

    unfinished = None if is_remote(ctx.obj) else incomplete_restore(ctx.obj)

    def ready(url: str) -> None:
        echo(f"kg: serving {ctx.obj} at {url} (SPARQL endpoint {url}sparql); "
                   "Ctrl-C stops", err=True)
        if unfinished is not None:
            echo(f"kg: warning: {incomplete_message(ctx.obj, unfinished)}", err=True)
        if host not in ("127.0.0.1", "localhost", "::1"):
            echo(f"kg: warning: listening on {host}: other machines can query the store",
                       err=True)

    serve_forever(config, ready=ready)
    echo("kg: stopped", err=True)
