"""Commands that read the graph: ``query``, ``queries``, ``viz``, ``stats``, ``show``, the
analytics (``rank``, ``path``, ``neighbors``, ``communities``) and ``serve``."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import ArticleNotFound
from ..formats import listing_choices
from ..vocab import CLASSES, ID, short_name
from .app import (
    FORMAT_OPTION,
    WIDE_OPTION,
    cli,
    close_articles,
    echo,
    echo_size,
    store_for,
    waits,
)
from .options import date_window_options

if TYPE_CHECKING:  # pragma: no cover
    from ..show import Fact
    from ..timeline import DateWindow

# --------------------------------------------------------------------------- query


@cli.command(
    epilog="""\b
Example:
  kg query "SELECT ?who ?org WHERE { ?p kg:leads ?o .
            ?p rdfs:label ?who . ?o rdfs:label ?org }"
  kg query --format csv my-query.rq
  kg query --saved chips-bought --param firm=ByteDance
  generate-query.sh | kg query --format json -
  kg query --wide "SELECT ?s ?sentence WHERE { GRAPH ?g {
                   ?ev kg:sentence ?sentence ; rdf:subject ?s } }"
"""
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(listing_choices(sparql=True)),
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
@WIDE_OPTION
@click.argument("query_or_file", required=False)
@click.pass_context
def query(
    ctx: click.Context,
    fmt: str,
    saved: str | None,
    params: tuple[str, ...],
    wide: bool,
    query_or_file: str | None,
) -> None:
    """Run a read-only SPARQL query (text, a file, - for standard input, or a saved query)
    over all articles.

    Prefixes kg:, kgr:, rdf:, rdfs:, owl:, xsd:, skos:, prov:, dcterms: and schema: are
    predeclared, and one per entity class (company:, person:, chip:, place:, ...): names
    print as place:china and paste back. The default graph is the merge of all articles: a
    fact stated by several articles matches once; GRAPH ?g shows which article said it.
    Updates, SERVICE and LOAD are refused. A kg: term the ontology lacks is warned about.
    """
    from ..query import format_result, read_query, run_query, unknown_terms

    if (saved is None) == (query_or_file is None):
        raise click.UsageError("give either QUERY_OR_FILE or --saved NAME (not both)")
    if params and saved is None:
        raise click.UsageError("--param goes with --saved NAME")
    with store_for(ctx) as store:
        if saved is not None:
            from ..saved import run_saved, saved_query

            text = saved_query(saved).text
            result = run_saved(store, saved, _pairs(params))
        else:
            text = _stdin_query() if query_or_file == "-" else read_query(query_or_file)
            result = run_query(store, text)
    for warning in unknown_terms(text):
        echo(f"kg: warning: {warning}", err=True)
    from ..tables import terminal_width

    echo(format_result(result, fmt, width=terminal_width(wide=wide)), nl=False,
         exact=fmt != "table" or result.kind == "graph")
    if fmt == "table" and result.kind == "select":
        echo(f"({len(result)} row{'s' if len(result) != 1 else ''})", err=True)


def _stdin_query() -> str:
    """``kg query -``: the query on standard input (UTF-8), which must hold one."""
    stream = sys.stdin.buffer
    try:
        text = stream.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.UsageError(f"the query on standard input is not UTF-8: {exc}") from exc
    if not text.strip():
        raise click.UsageError("no query on standard input (kg query - reads it from there)")
    return text


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
  kg queries --format json
"""
)
@click.option("--show", metavar="NAME", help="Print the SPARQL text of the saved query NAME.")
@FORMAT_OPTION
def queries_command(show: str | None, fmt: str) -> None:
    """List the saved queries, each with its parameters and a one-line description.

    Run one with `kg query --saved NAME --param NAME=VALUE`. They live in kg/queries/*.rq.
    """
    from ..saved import saved_queries, saved_query
    from ..tables import queries_json

    if show is not None:
        if fmt == "json":
            echo(queries_json([saved_query(show)]), nl=False, exact=True)
        else:
            echo(saved_query(show).text, nl=False)
        return
    if fmt == "json":
        echo(queries_json(saved_queries()), nl=False, exact=True)
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
  kg viz --community 2 -o out/community-2.html
  kg viz --top 500 -o out/top500.html
  kg viz --since 2024-01-01 --until 2025-01-01 -o out/2024.html
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
@click.option("--community", type=click.IntRange(min=1), metavar="N",
              help="Only community N, as `kg communities` numbers it (found on the whole "
              "graph, with --seed).")
@click.option("--seed", type=int, default=42, show_default=True,
              help="The Louvain seed, as given to `kg communities`: of --community and of "
              "the page's colours by community.")
@click.option("--top", type=click.IntRange(min=0), default=None, metavar="N",
              help="Draw the N most important entities (PageRank) at first; the page's Top "
              "box changes it, a click on an entity shows its neighbours (default 250; 0 for "
              "all).")
@date_window_options
@click.pass_context
def viz(
    ctx: click.Context,
    output: Path,
    article: str | None,
    focus: str | None,
    depth: int,
    classes: tuple[str, ...] | None,
    min_degree: int,
    community: int | None,
    seed: int,
    top: int | None,
    window: DateWindow | None,
) -> None:
    """Write an interactive HTML view of the graph (works offline).

    The filters apply in this order: --since/--until, --article, --community,
    --focus/--depth, --type, --min-degree; the focus entity always stays. A view with
    nothing left to draw is an error.
    """
    from ..graph import filter_graph, project, within
    from ..show import find_entity
    from ..view import render_html

    with store_for(ctx) as store:
        if article is not None and not store.has_article(article):
            raise ArticleNotFound(article, close_articles(store, article))
        iri = find_entity(store, focus) if focus is not None else None
        graph = project(store, article=article)
        whole = graph if article is None or community is None else project(store)
    windowed = within(graph, window, require=(iri,) if iri is not None else ())
    whole = windowed if whole is graph else within(whole, window)
    graph = windowed
    group = None
    if community is not None:
        from ..analytics import community as find_community

        try:
            group = find_community(whole, community, seed=seed)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="'--community'") from exc
        graph = graph.subgraph([m.iri for m in group.members if m.iri in graph]).copy()
        if graph.number_of_nodes() == 0:
            raise click.BadParameter(f"community {community} has nothing in article "
                                     f"{article}; leave out --article or --community",
                                     param_hint="'--community'")
    if iri is not None and iri not in graph:
        where, option = (f"community {community}", "--community") if group is not None \
            else (f"article {article}", "--article")
        raise click.BadParameter(
            f"{focus!r} is not in {where}; leave out {option} or --focus",
            param_hint="'--focus'",
        )
    graph = filter_graph(graph, focus=iri, depth=depth, classes=classes, min_degree=min_degree)
    parts = [f"article {article}"] if article else []
    if window is not None:
        parts.append(f"articles {window.describe()}")
    if group is not None:
        parts.append(f"community {group.number}: {group.name}")
    if iri is not None:
        hops = f"{depth} hop{'s' if depth != 1 else ''}"
        parts.append(f"{graph.nodes[iri]['label']} and {hops} around")
    if classes:
        parts.append(", ".join(classes))
    if min_degree:
        parts.append(f"degree \u2265 {min_degree}")
    title = "kg: " + " \u00b7 ".join(parts) if parts else "kg: AI industry knowledge graph"
    # the page's communities are kg communities' own: found on the graph before the filters
    path = render_html(graph, output, title=title, top=top, communities_of=whole, seed=seed)
    echo(str(path))
    echo_size(graph)


# --------------------------------------------------------------------------- stats


@cli.command(
    epilog="""\b
Example:
  kg stats
  kg stats --format json
"""
)
@FORMAT_OPTION
@click.pass_context
def stats(ctx: click.Context, fmt: str) -> None:
    """Count articles, entities by class and relations by property."""
    from ..graph import statistics
    from ..tables import stats_json
    from .admin import warn_if_incomplete

    with store_for(ctx) as store:
        warn_if_incomplete(store)
        s = statistics(store)
    if fmt == "json":
        echo(stats_json(s), nl=False, exact=True)
        return
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
  kg show "Zhang Yiming" --format json
  kg show Nvidia --since 2024-07-01 --until 2025-01-01
"""
)
@click.argument("entity")
@FORMAT_OPTION
@date_window_options
@click.pass_context
def show(ctx: click.Context, entity: str, fmt: str, window: DateWindow | None) -> None:
    """Show an entity's facts, with the sentences they came from.

    A fact only kg's gazetteer supports (a product's known maker, named in the same
    sentence) is marked as background knowledge, with the sentences that mention both.
    """
    from ..show import entity_facts, find_entity
    from ..timeline import seen_note

    with store_for(ctx) as store:
        facts = entity_facts(store, find_entity(store, entity), window=window)
    if fmt == "json":
        from ..tables import facts_json

        echo(facts_json(facts), nl=False, exact=True)
        return
    echo(f"{facts.label}  ({', '.join(facts.classes) or 'untyped'})")
    echo(f"  iri       {short_name(facts.iri)}")
    if facts.aliases:
        echo(f"  also      {'; '.join(facts.aliases)}")
    for same in facts.same_as:
        echo(f"  same as   {short_name(same)}")
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
            if fact.first_seen:
                echo(f"       {seen_note(fact.first_seen, fact.last_seen, fact.dated_by)}")
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
  kg rank --since 2024-01-01 --until 2025-01-01
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
@WIDE_OPTION
@date_window_options
@click.pass_context
def rank(
    ctx: click.Context,
    by: str,
    classes: tuple[str, ...] | None,
    top: int,
    samples: int | None,
    fmt: str,
    wide: bool,
    window: DateWindow | None,
) -> None:
    """Rank entities by degree, PageRank or betweenness centrality.

    The table shows each entity's rank, label, class, score and number of articles.
    """
    from ..analytics import betweenness_samples, format_rank
    from ..analytics import rank as run_rank
    from ..graph import project, within
    from ..tables import terminal_width

    with store_for(ctx) as store:
        graph = within(project(store), window)
    ranked = run_rank(graph, by, classes=classes, top=top, samples=samples)
    k = betweenness_samples(graph, samples) if by == "betweenness" else None
    if k is not None:
        echo(f"kg: betweenness estimated from {k} of {graph.number_of_nodes()} "
                   "entities (--samples 0 for the exact figures)", err=True)
    echo(format_rank(ranked, by, fmt, width=terminal_width(wide=wide)), nl=False,
         exact=fmt == "json")
    if fmt == "table":
        of = f" of class {', '.join(classes)}" if classes else ""
        echo(f"({len(ranked)} entit{'ies' if len(ranked) != 1 else 'y'}{of})", err=True)


@cli.command(
    epilog="""\b
Example:
  kg path TikTok Nvidia
  kg path "Zhang Yiming" "1260H list" --max 5 --format json
  kg path Huawei Nvidia --exclude-type Place
  kg path ByteDance TSMC --via Nvidia
  kg path TikTok Nvidia --since 2024-01-01
"""
)
@click.argument("source")
@click.argument("target")
@click.option("--max", "max_paths", type=click.IntRange(min=1), default=3, show_default=True,
              help="At most this many shortest paths.")
@click.option("--exclude-type", "excluded", multiple=True, callback=_classes_option,
              metavar="CLASS",
              help=f"No entity of this class on the way (repeatable; any case; the two ends "
              f"may be one): {_CLASS_HELP}. E.g. Place, so that no path runs through China.")
@click.option("--via", metavar="ENTITY",
              help="Only paths through this entity (label or alias): the shortest to it, "
              "then the shortest from it.")
@FORMAT_OPTION
@date_window_options
@click.pass_context
def path(ctx: click.Context, source: str, target: str, max_paths: int,
         excluded: tuple[str, ...] | None, via: str | None, fmt: str,
         window: DateWindow | None) -> None:
    """Show the shortest paths between two entities, with the sources of every hop.

    Paths may follow relations either way; each hop shows its relation in its true
    direction (A --purchases--> B, or B <--supplies-- C) and the article and sentence of
    each source. Names are matched on labels and aliases, ignoring case. --exclude-type
    and --via keep a question from being answered through a hub.
    """
    from ..analytics import format_paths, paths
    from ..graph import project, within
    from ..show import find_entity

    with store_for(ctx) as store:
        start, end = find_entity(store, source), find_entity(store, target)
        through = find_entity(store, via) if via is not None else None
        graph = within(project(store), window,
                       require=(start, end, *((through,) if through else ())))
    found = paths(graph, start, end, max_paths=max_paths, exclude_classes=excluded,
                  via=through)
    echo(format_paths(found, fmt), nl=False, exact=fmt == "json")


@cli.command(
    epilog="""\b
Example:
  kg neighbors H20
  kg neighbors ByteDance --depth 2 --format json
  kg neighbors ByteDance --until 2025-01-01
"""
)
@click.argument("entity")
@click.option("--depth", type=click.IntRange(min=1), default=1, show_default=True,
              help="Hops away, whatever the relations' direction.")
@FORMAT_OPTION
@WIDE_OPTION
@date_window_options
@click.pass_context
def neighbors(ctx: click.Context, entity: str, depth: int, fmt: str, wide: bool,
              window: DateWindow | None) -> None:
    """List the entities within --depth hops of an entity, nearest first.

    Each comes with its distance, its class and the relations that link it to the
    entities one hop nearer, in their true direction.
    """
    from ..analytics import format_neighbors
    from ..analytics import neighbors as run_neighbors
    from ..graph import project, within
    from ..show import find_entity

    with store_for(ctx) as store:
        iri = find_entity(store, entity)
        graph = within(project(store), window, require=(iri,))
    found = run_neighbors(graph, iri, depth)
    from ..tables import terminal_width

    echo(format_neighbors(iri, found, fmt, width=terminal_width(wide=wide)), nl=False,
         exact=fmt == "json")
    if fmt == "table":
        label = graph.nodes[iri]["label"]
        echo(f"({len(found)} entit{'ies' if len(found) != 1 else 'y'} within {depth} "
                   f"hop{'s' if depth != 1 else ''} of {label})", err=True)


@cli.command(
    epilog="""\b
Example:
  kg communities --top 5
  kg communities --seed 7 --format json
  kg communities --type Chip --members 5
  kg communities --since 2024-07-01 --until 2025-01-01
"""
)
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True,
              help="How many communities to list, largest first (0: all).")
@click.option("--members", type=click.IntRange(min=0), default=8, show_default=True,
              help="Members shown per community in the table, highest degree first (0: all).")
@click.option("--seed", type=int, default=42, show_default=True,
              help="Random seed of the Louvain method: the same seed gives the same answer "
              "(give `kg viz --community N` the same).")
@click.option("--type", "classes", multiple=True, callback=_classes_option, metavar="CLASS",
              help=f"List only members of this class, and only the communities holding one "
              f"(repeatable; any case): {_CLASS_HELP}. Communities are still found, numbered "
              "and named on the whole graph.")
@FORMAT_OPTION
@WIDE_OPTION
@date_window_options
@click.pass_context
def communities(ctx: click.Context, top: int, members: int, seed: int,
                classes: tuple[str, ...] | None, fmt: str, wide: bool,
                window: DateWindow | None) -> None:
    """Find communities of closely related entities (Louvain method).

    Relations are taken as undirected links, one per related pair. Every entity belongs to
    exactly one community; one with no relations is a community of its own. Each is named
    by its three entities of highest degree ("Nvidia / TSMC / Huawei"); its number is the
    one `kg viz --community N` draws.
    """
    from ..analytics import communities as run_communities
    from ..analytics import format_communities, with_classes
    from ..graph import project, within
    from ..tables import terminal_width

    with store_for(ctx) as store:
        graph = within(project(store), window)
    found = with_classes(run_communities(graph, seed=seed), classes)
    shown = found[:top] if top else found
    echo(format_communities(shown, fmt, members=members, classes=classes,
                            width=terminal_width(wide=wide)), nl=False, exact=fmt == "json")
    if fmt == "table":
        of = f" with {', '.join(classes)}" if classes else ""
        echo(f"({len(shown)} of {len(found)} communities{of}, "
             f"{graph.number_of_nodes()} entities)", err=True)


# --------------------------------------------------------------------------- serve


def _iri_base(value: str) -> str:
    """``--iri-base``: an absolute http(s) IRI ending in ``/`` (REST is appended to it)."""
    if not value.startswith(("http://", "https://")) or not value.endswith("/"):
        raise click.BadParameter(f"{value!r} is not an http(s) IRI ending in '/'; e.g. "
                                 f"{ID}")
    return value


@cli.command(
    epilog="""\b
Example:
  kg serve
  kg --store my-store serve --port 8000 --timeout 10 --max-results 5000
  kg serve --host 0.0.0.0 --host-name kg.example.org --cors https://app.example.org
  kg serve --iri-base https://w3id.org/aikg/id/   # /id/company/nvidia -> its page or RDF
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
@click.option("--iri-base", default=ID, show_default=True, metavar="URL",
              callback=lambda ctx, param, value: _iri_base(value),
              help="The entity namespace answered for at /id/: GET /id/company/nvidia "
                   "redirects (303) to the page or RDF of URL + company/nvidia, e.g. "
                   "--iri-base https://kg.example.org/id/ for a store minted there.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, host_names: tuple[str, ...],
          timeout: float, max_results: int, max_body: int, workers: int, spare_workers: int,
          quick: float, cache: bool, cors: str | None, iri_base: str) -> None:
    """Serve the store read-only: a SPARQL 1.1 endpoint at /sparql, an explorer page at /.

    GET /sparql?query=..., or POST it as a form or an application/sparql-query body;
    results as JSON, XML, CSV or TSV (SELECT, ASK) or Turtle, N-Triples, JSON-LD or RDF/XML
    (CONSTRUCT, DESCRIBE) by the Accept header or format=. Saved queries: GET /queries and
    /saved/NAME?param=value. Entity pages: /entity?iri=IRI (HTML, or RDF by Accept), and
    /id/REST redirects (303) there for the IRI --iri-base + REST (linked data).
    Updates, SERVICE and LOAD are refused (403). `kg ingest` and `kg remove` run while it
    serves: each batch they commit is answered from the next query on (whole articles only;
    a running query keeps the state it started on). Ctrl-C stops it.
    """
    from ..server import ServerConfig
    from ..server import serve as serve_forever

    config = ServerConfig(store=ctx.obj, host=host, port=port, timeout=timeout,
                          max_results=max_results, max_body=max_body, workers=workers,
                          spare_workers=spare_workers, quick=quick, cors=cors,
                          host_names=host_names, cache=cache, wait=waits(ctx),
                          iri_base=iri_base)
    logging.getLogger("kg.server").setLevel(logging.INFO)  # one line per request

    from ..store import incomplete_message, incomplete_restore, is_remote

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
