"""The ``kg`` command line: a thin click layer over the library.

Each command parses its options, calls one library function, and prints the result on
stdout (progress and messages on stderr). Library errors (:class:`kg.errors.KGError`) become
``click.ClickException`` in exactly one place, :meth:`_Group.invoke`. spaCy and pyvis are
imported only inside the commands that need them, so ``kg --help`` and ``kg query`` start
fast.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from . import __version__
from .errors import ArticleNotFound, InputError, KGError
from .exchange import GRAPH_FORMATS
from .remote import is_remote, open_store
from .store import DEFAULT_STORE, EXPORT_FORMATS, Store

__all__ = ["cli", "main"]


class _Group(click.Group):
    """The one place where library errors become click errors (exit status 1)."""

    def invoke(self, ctx: click.Context):  # noqa: ANN201 - click's signature
        try:
            return super().invoke(ctx)
        except KGError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(
    cls=_Group,
    epilog="""\b
Example:
  kg --store my-store ingest seeds/
  kg --store my-store query "SELECT ?o WHERE { ?c kg:owns ?o }"
""",
)
@click.option(
    "--store",
    "store_path",
    metavar="PATH|URL",
    envvar="KG_STORE",
    default=DEFAULT_STORE,
    show_default=True,
    help="Folder of the persistent store, or the URL of a SPARQL 1.1 server's query endpoint "
    "(http://host:7878/query; see docs/deployment.md). Also from $KG_STORE.",
)
@click.option(
    "--wait",
    is_flag=True,
    help="If another kg process holds the store, wait for it instead of failing.",
)
@click.version_option(__version__, prog_name="kg")
@click.pass_context
def cli(ctx: click.Context, store_path: str, wait: bool) -> None:
    """Build and explore a knowledge graph of the AI industry from news articles.

    Every statement in the graph keeps the sentence, article and extraction rule it came
    from.
    """
    ctx.obj = store_path.strip() if is_remote(store_path) else Path(store_path)
    ctx.meta["kg.wait"] = wait
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="kg: %(message)s", stream=sys.stderr)


def _wait(ctx: click.Context) -> bool:
    return bool(ctx.meta.get("kg.wait", False))


@contextmanager
def _store(ctx: click.Context, *, create: bool = False, write: bool = False) -> Iterator[Store]:
    """The store for a command: readers share it read-only; writers (``write``) hold it alone.

    A URL is a SPARQL server (:mod:`kg.remote`), which orders concurrent writers itself.
    """
    store = open_store(ctx.obj, create=create, read_only=not (write or create), wait=_wait(ctx))
    try:
        yield store
    finally:
        store.close()


# --------------------------------------------------------------------------- ingest


def _parse_shard(ctx: click.Context, param: click.Parameter, value: str | None
                 ) -> tuple[int, int] | None:
    if value is None:
        return None
    k, _, n = value.partition("/")
    if not (k.strip().isdigit() and n.strip().isdigit() and 1 <= int(k) <= int(n)):
        raise click.BadParameter(f"{value!r}: expected K/N with 1 <= K <= N, e.g. 2/4")
    return int(k), int(n)


@cli.command(
    epilog="""\b
Example:
  kg ingest seeds/ more/article.html
  kg ingest --workers 2 feed.jsonl
  curl -s https://example.org/feed.jsonl | kg ingest -
  kg --store http://db:7878/query ingest --shard 2/4 feed.jsonl
"""
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes that extract in parallel (each loads the language model); "
                   "this process stays the one writer.")
@click.option("--batch-size", type=click.IntRange(min=1), default=16, show_default=True,
              help="Articles per batch: each batch is committed as soon as it is extracted.")
@click.option("--shard", metavar="K/N", callback=_parse_shard,
              help="Take only shard K of N of the articles (by a hash of their id): N "
                   "machines reading one feed into one SPARQL server share it this way.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], workers: int, batch_size: int,
           shard: tuple[int, int] | None) -> None:
    """Read articles into the store: files, folders, JSON Lines feeds, or - for stdin.

    \b
    Files: .txt .md .html (front matter gives title and date), up to 1,000,000
    characters of text each.
    JSON Lines (.jsonl, .ndjson, also .gz): one {"id", "title", "text", "date", "url"}
    object per line; only "text" is required.
    -: standard input, JSON Lines if it starts with "{", else one text article.

    Sources stream through in batches, each committed as it goes, with a progress bar
    showing articles/s. Unchanged articles are skipped; changed ones replace their earlier
    version. A source that cannot be read is reported and skipped; the exit status is then 1.
    """
    from .ingest import ingest as run_ingest

    with _store(ctx, create=True, write=True) as store, _rate_bar("ingesting") as progress:
        report = run_ingest(store, [str(p) for p in paths], progress=progress,
                            workers=workers, batch_size=batch_size, shard=shard)
    for path, reason in report.failed:
        click.echo(f"kg: skipped {path}: {reason}", err=True)
    click.echo(report.summary())
    if report.failed:
        raise InputError(f"{len(report.failed)} source(s) could not be ingested (see above)")


@contextmanager
def _rate_bar(label: str) -> Iterator[Callable[[int, int | None], None]]:
    """A ``progress(done, total)`` callback drawing a bar with articles/s on stderr when it
    is a terminal (``total`` None, a stream: a count and a rate without a bar); elsewhere
    (a log file) one closing line with the count and the rate."""
    from tqdm import tqdm

    bar = None
    started = time.perf_counter()
    count = 0

    def progress(done: int, total: int | None) -> None:
        nonlocal bar, count
        if bar is None:
            bar = tqdm(total=total, desc=label, unit=" articles", file=sys.stderr,
                       disable=None, dynamic_ncols=True, smoothing=0.1)
        bar.update(done - count)
        count = done

    try:
        yield progress
    finally:
        if bar is not None:
            drawn = not bar.disable  # close() disables the bar: ask before
            bar.close()
            if not drawn:
                secs = time.perf_counter() - started
                click.echo(f"{label}: {count} articles in {secs:.1f} s "
                           f"({count / max(secs, 1e-9):.1f} articles/s)", err=True)


# --------------------------------------------------------------------------- export


@cli.command(
    epilog="""\b
Example:
  kg export --format turtle -o graph.ttl
  kg export --format graphml -o graph.graphml
  kg export --format csv -o out/graph.csv   # out/graph-nodes.csv, out/graph-edges.csv
"""
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS + GRAPH_FORMATS),
    default="trig",
    show_default=True,
    help="RDF: trig/nquads keep one named graph per article; turtle merges them; jsonld. "
    "Graph tools (Gephi...): graphml, gexf; csv writes two tables, nodes and edges.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="File to write (default stdout). Required for csv: FILE.csv writes FILE-nodes.csv "
    "and FILE-edges.csv; any other path is a folder that gets nodes.csv and edges.csv.",
)
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Write the whole graph, with its provenance as RDF, or for graph tools.

    graphml and gexf hold the entities (IRI, label, class, articles) and their relations
    (predicate, number of sentences, articles, first sentence), coloured by class for Gephi.
    """
    if fmt in GRAPH_FORMATS:
        _export_graph(ctx, fmt, output)
        return
    if output is not None and output.is_dir():
        raise click.BadParameter(f"{output} is a folder; give a file", param_hint="'-o'")
    with _store(ctx) as store:
        if output is None:
            sys.stdout.flush()
            store.dump(fmt, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            with output.open("wb") as out:
                store.dump(fmt, out)
            click.echo(f"kg: wrote {output}", err=True)


def _export_graph(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """``kg export`` in one of :data:`kg.exchange.GRAPH_FORMATS`, from the projection."""
    from .exchange import csv_paths, write_csv, write_gexf, write_graphml
    from .graph import project

    if fmt == "csv":
        if output is None:
            raise click.UsageError(
                "--format csv writes two files (nodes and edges): give -o FILE.csv or "
                "-o FOLDER", ctx
            )
        for path in csv_paths(output):
            if path.is_dir():
                raise click.BadParameter(f"{path} is a folder", param_hint="'-o'")
    elif output is not None and output.is_dir():
        raise click.BadParameter(f"{output} is a folder; give a file", param_hint="'-o'")
    with _store(ctx) as store:
        graph = project(store)
    if fmt == "csv":
        assert output is not None
        nodes, edges = write_csv(graph, output)
        click.echo(f"kg: wrote {nodes} and {edges}", err=True)
    elif output is None:
        sys.stdout.flush()
        (write_graphml if fmt == "graphml" else write_gexf)(graph, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("wb") as out:
            (write_graphml if fmt == "graphml" else write_gexf)(graph, out)
        click.echo(f"kg: wrote {output}", err=True)
    click.echo(
        f"kg: {graph.number_of_nodes()} entities, {graph.number_of_edges()} relations", err=True
    )


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
    from .query import format_result, read_query, run_query

    if (saved is None) == (query_or_file is None):
        raise click.UsageError("give either QUERY_OR_FILE or --saved NAME (not both)")
    if params and saved is None:
        raise click.UsageError("--param goes with --saved NAME")
    with _store(ctx) as store:
        if saved is not None:
            from .saved import run_saved

            result = run_saved(store, saved, _pairs(params))
        else:
            result = run_query(store, read_query(query_or_file))
    click.echo(format_result(result, fmt), nl=False)
    if fmt == "table" and result.kind == "select":
        click.echo(f"({len(result)} row{'s' if len(result) != 1 else ''})", err=True)


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
    from .saved import saved_queries, saved_query

    if show is not None:
        click.echo(saved_query(show).text, nl=False)
        return
    for saved in saved_queries():
        click.echo(f"{saved.name}  {saved.description}")
        for param in saved.params:
            default = "" if param.default is None else f" (default {param.default})"
            click.echo(f"    {param.name}: {param.kind}{default}  {param.description}")


# --------------------------------------------------------------------------- viz


def _classes_option(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...] | str | None
) -> tuple[str, ...] | None:
    """``--type`` values as ontology class names, whatever their case (None when absent)."""
    from .graph import resolve_class

    if values is None or values == ():
        return None
    try:
        if isinstance(values, str):
            return (resolve_class(values),)
        return tuple(dict.fromkeys(resolve_class(v) for v in values))
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from exc


_CLASS_HELP = "Company, GovernmentBody, Person, Chip, DataCenter, Regulation, Product, Place"


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
    from .graph import filter_graph, project
    from .show import find_entity
    from .view import render_html

    with _store(ctx) as store:
        if article is not None and not store.has_article(article):
            raise ArticleNotFound(article, _close_articles(store, article))
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
    click.echo(str(path))
    click.echo(
        f"kg: {graph.number_of_nodes()} entities, {graph.number_of_edges()} relations", err=True
    )


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
    from .graph import statistics

    with _store(ctx) as store:
        s = statistics(store)
    click.echo(f"articles    {s.articles}")
    click.echo(f"entities    {s.entities}")
    click.echo(f"relations   {s.statements}")
    click.echo(f"evidence    {s.evidence}")
    click.echo("\nentities by class")
    width = max(len(name) for name, _ in (*s.classes, *s.properties))
    for name, n in s.classes:
        click.echo(f"  {name.ljust(width)}  {n:>6}")
    click.echo("\nrelations by property")
    for name, n in s.properties:
        click.echo(f"  {name.ljust(width)}  {n:>6}")


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
    """Show an entity's facts, with the sentences they came from."""
    from .show import entity_facts, find_entity

    with _store(ctx) as store:
        facts = entity_facts(store, find_entity(store, entity))
    click.echo(f"{facts.label}  ({', '.join(facts.classes) or 'untyped'})")
    click.echo(f"  iri       {facts.iri}")
    if facts.aliases:
        click.echo(f"  also      {'; '.join(facts.aliases)}")
    for same in facts.same_as:
        click.echo(f"  same as   {same}")
    click.echo(f"  articles  {', '.join(facts.articles)}")
    for title, items, arrow in (
        ("relations", facts.outgoing, "->"),
        ("inverse relations", facts.incoming, "<-"),
    ):
        if not items:
            continue
        click.echo(f"\n{title}")
        for fact in items:
            cls = f" ({fact.other_class})" if fact.other_class else ""
            click.echo(f"  {arrow} {fact.predicate} {fact.other_label}{cls}")
            for ev in fact.evidence:
                modality = "" if ev.modality == "asserted" else f", {ev.modality}"
                click.echo(f"       [{ev.article}] {ev.sentence.strip()}")
                click.echo(f"         rule {ev.rule}, confidence {ev.confidence:.2f}{modality}")
    if facts.mentions:
        click.echo("\nseen in")
        for mention in facts.mentions:
            click.echo(f"  [{mention.article}] {mention.sentence.strip()}")


# --------------------------------------------------------------------------- analytics

_FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "json")),
    default="table",
    show_default=True,
    help="table for reading; json (with IRIs) for programs.",
)


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
@_FORMAT_OPTION
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
    from .analytics import betweenness_samples, format_rank
    from .analytics import rank as run_rank
    from .graph import project

    with _store(ctx) as store:
        graph = project(store)
    ranked = run_rank(graph, by, classes=classes, top=top, samples=samples)
    k = betweenness_samples(graph, samples) if by == "betweenness" else None
    if k is not None:
        click.echo(f"kg: betweenness estimated from {k} of {graph.number_of_nodes()} "
                   "entities (--samples 0 for the exact figures)", err=True)
    click.echo(format_rank(ranked, by, fmt), nl=False)
    if fmt == "table":
        of = f" of class {', '.join(classes)}" if classes else ""
        click.echo(f"({len(ranked)} entit{'ies' if len(ranked) != 1 else 'y'}{of})", err=True)


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
@_FORMAT_OPTION
@click.pass_context
def path(ctx: click.Context, source: str, target: str, max_paths: int, fmt: str) -> None:
    """Show the shortest paths between two entities, with the sources of every hop.

    Paths may follow relations either way; each hop shows its relation in its true
    direction (A --purchases--> B, or B <--supplies-- C) and the article and sentence of
    each source. Names are matched on labels and aliases, ignoring case.
    """
    from .analytics import format_paths, paths
    from .graph import project
    from .show import find_entity

    with _store(ctx) as store:
        start, end = find_entity(store, source), find_entity(store, target)
        graph = project(store)
    click.echo(format_paths(paths(graph, start, end, max_paths=max_paths), fmt), nl=False)


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
@_FORMAT_OPTION
@click.pass_context
def neighbors(ctx: click.Context, entity: str, depth: int, fmt: str) -> None:
    """List the entities within --depth hops of an entity, nearest first.

    Each comes with its distance, its class and the relations that link it to the
    entities one hop nearer, in their true direction.
    """
    from .analytics import format_neighbors
    from .analytics import neighbors as run_neighbors
    from .graph import project
    from .show import find_entity

    with _store(ctx) as store:
        iri = find_entity(store, entity)
        graph = project(store)
    found = run_neighbors(graph, iri, depth)
    click.echo(format_neighbors(iri, found, fmt), nl=False)
    if fmt == "table":
        label = graph.nodes[iri]["label"]
        click.echo(f"({len(found)} entit{'ies' if len(found) != 1 else 'y'} within {depth} "
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
@_FORMAT_OPTION
@click.pass_context
def communities(ctx: click.Context, top: int, members: int, seed: int, fmt: str) -> None:
    """Find communities of closely related entities (Louvain method).

    Relations are taken as undirected links, one per related pair. Every entity belongs to
    exactly one community; one with no relations is a community of its own.
    """
    from .analytics import communities as run_communities
    from .analytics import format_communities
    from .graph import project

    with _store(ctx) as store:
        graph = project(store)
    found = run_communities(graph, seed=seed)
    shown = found[:top] if top else found
    click.echo(format_communities(shown, fmt, members=members), nl=False)
    if fmt == "table":
        click.echo(f"({len(shown)} of {len(found)} communities, "
                   f"{graph.number_of_nodes()} entities)", err=True)


# --------------------------------------------------------------------------- backup


@cli.command(
    name="backup",
    epilog="""\b
Example:
  kg backup kg-backup.nq.gz
  kg --store http://db:7878/query backup kg.trig
  kg backup - | gzip > kg.nq.gz
""",
)
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(("nquads", "trig")),
              help="Default: from PATH's name (.nq, .nquads, .trig, each optionally .gz); "
                   "nquads for -.")
@click.pass_context
def backup_command(ctx: click.Context, path: str, fmt: str | None) -> None:
    """Write every article graph to PATH (N-Quads or TriG; - for stdout), for `kg restore`.

    The backup holds everything kg stores per article, evidence included; the merged default
    graph is derived from the articles and `kg restore` rebuilds it. A file is written
    atomically (a temporary file renamed once whole, so a crash never leaves a truncated
    backup) and sorted, so backups of the same store are identical byte for byte.
    """
    from .backup import backup as run_backup

    with _store(ctx) as store, _rate_bar("backing up") as progress:
        if path == "-":
            report = run_backup(store, sys.stdout.buffer, fmt=fmt,
                                progress=progress)
        else:
            report = run_backup(store, path, fmt=fmt, progress=progress)
    click.echo(f"kg: {report.summary()}", err=True)


# --------------------------------------------------------------------------- restore


@cli.command(
    name="restore",
    epilog="""\b
Example:
  kg --store new-store restore kg-backup.nq.gz
  kg restore --replace kg.trig
  kg --store old backup - | kg --store new restore -
""",
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(("nquads", "trig")),
              help="Default: from PATH's name (.nq, .nquads, .trig, each optionally .gz); "
                   "nquads for -. Gzip is recognised by its first bytes.")
@click.option("--replace", is_flag=True,
              help="Empty a store that holds articles first; without it such a store is "
                   "refused.")
@click.pass_context
def restore_command(ctx: click.Context, path: str, fmt: str | None, replace: bool) -> None:
    """Read a backup (from `kg backup` or `kg export`; - for stdin) into an empty store.

    The whole dump is checked before the store changes: a line that does not parse, or a
    quad outside the article graphs, is reported with the file and the line or graph, and
    nothing is written. The merged default graph is rebuilt as ingest builds it.
    """
    from .backup import restore as run_restore

    with _store(ctx, create=True, write=True) as store, _rate_bar("restoring") as progress:
        source = sys.stdin.buffer if path == "-" else path
        report = run_restore(store, source, fmt=fmt, replace=replace, progress=progress)
    click.echo(report.summary())


# --------------------------------------------------------------------------- validate


@cli.command(
    epilog="""\b
Example:
  kg validate
  kg --store http://db:7878/query validate --format json > report.json
"""
)
@_FORMAT_OPTION
@click.pass_context
def validate(ctx: click.Context, fmt: str) -> None:
    """Check the store against the SHACL shapes of ontology/shapes.ttl (with pyshacl).

    One line per violation: the article(s) stating it, the entity, the property, the value
    and the shape's message. Statements that ingest set aside (they broke a shape, so they
    were kept out of the graph) follow, marked "set aside at ingest". Exit status 1 when the
    store breaks a shape, 0 otherwise; a summary goes to stderr.
    """
    from .validate import format_report, validate_store

    with _store(ctx) as store:
        report = validate_store(store)
    click.echo(format_report(report, fmt), nl=False)
    click.echo(f"kg validate: {report.summary()}", err=True)
    if not report.conforms:
        ctx.exit(1)


# --------------------------------------------------------------------------- remove


@cli.command(
    epilog="""\b
Example:
  kg articles
  kg articles --format json
"""
)
@_FORMAT_OPTION
@click.pass_context
def articles(ctx: click.Context, fmt: str) -> None:
    """List the stored articles: id, date, number of triples and title.

    The ids are what `kg remove` takes and what the graphs are named after
    (https://w3id.org/aikg/article/ID); json adds the source, SHA-256, time ingested and
    extractor version of each.
    """
    from .tables import format_articles

    with _store(ctx) as store:
        found = store.articles()
    click.echo(format_articles(found, fmt), nl=False)
    if fmt == "table":
        click.echo(f"({len(found)} article{'s' if len(found) != 1 else ''})", err=True)


@cli.command(
    epilog="""\b
Example:
  kg remove 000_d224b8482df45905
"""
)
@click.argument("article")
@click.pass_context
def remove(ctx: click.Context, article: str) -> None:
    """Retract one article: drop its graph, and every statement only it supported.

    ARTICLE is the article id (the source file name without extension, as `kg articles`
    lists it); a path to the source file works too.
    """
    from .sources import article_id_for

    with _store(ctx, write=True) as store:
        candidates = [article, article_id_for(article)]
        for article_id in dict.fromkeys(candidates):
            if store.remove_article(article_id):
                click.echo(f"removed {article_id}")
                return
        raise ArticleNotFound(article, _close_articles(store, article))


# --------------------------------------------------------------------------- repair


@cli.command(
    epilog="""\b
Example:
  kg --store http://db:7878/query repair
  kg repair --json
"""
)
@click.option("--json", "as_json", is_flag=True, help="Print what was found as JSON.")
@click.pass_context
def repair(ctx: click.Context, as_json: bool) -> None:
    """Check the store's invariants and restore them (run it while no ingest runs).

    Drops staging graphs left by a writer that died mid-article, makes the merged default
    graph the merge of the article graphs again, and lists articles whose graph holds two
    versions (re-ingest those). Useful after ingest machines crashed while writing to a
    SPARQL server; a local store commits each article atomically and should need nothing.
    """
    import json

    with _store(ctx, write=True) as store:
        found = store.repair()
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    click.echo(f"staging graphs dropped: {len(found['staging'])}")
    click.echo(f"merged statements fixed: {found['merge_fixed']}")
    click.echo(f"articles holding two versions: {len(found['mixed'])}"
               + "".join(f"\n  {article_id}" for article_id in found["mixed"]))
    if found["mixed"]:
        click.echo("re-ingest those articles' sources to replace them", err=True)


# --------------------------------------------------------------------------- serve


@cli.command(
    epilog="""\b
Example:
  kg serve
  kg --store my-store serve --port 8000 --timeout 10 --max-results 5000
  curl -H 'Accept: text/csv' http://127.0.0.1:7878/sparql \\
       --data-urlencode 'query=SELECT ?o WHERE { ?c kg:owns ?o }'
"""
)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 opens the store to other machines.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="Port to listen on (0 picks a free one).")
@click.option("--timeout", type=click.FloatRange(0, min_open=True), default=30.0,
              show_default=True, help="Seconds a query may run; longer ones are stopped (503).")
@click.option("--max-results", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Most rows or triples in a result; more is refused (507).")
@click.option("--max-body", type=click.IntRange(min=1), default=1_000_000, show_default=True,
              help="Largest request body in bytes; larger is refused (413).")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Query worker processes: how many queries run at once.")
@click.option("--cors", metavar="ORIGIN",
              help="Let pages from ORIGIN (or *) call the endpoint (CORS); off by default.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, timeout: float, max_results: int,
          max_body: int, workers: int, cors: str | None) -> None:
    """Serve the store read-only: a SPARQL 1.1 endpoint at /sparql, an explorer page at /.

    GET /sparql?query=..., or POST it as a form or an application/sparql-query body;
    results as JSON, XML, CSV or TSV (SELECT, ASK) or Turtle, N-Triples, JSON-LD or RDF/XML
    (CONSTRUCT, DESCRIBE) by the Accept header or format=. Saved queries: GET /queries and
    /saved/NAME?param=value. Updates, SERVICE and LOAD are refused (403); while the server
    runs, `kg ingest` and `kg remove` are refused. Ctrl-C stops it.
    """
    from .server import ServerConfig
    from .server import serve as serve_forever

    config = ServerConfig(store=ctx.obj, host=host, port=port, timeout=timeout,
                          max_results=max_results, max_body=max_body, workers=workers,
                          cors=cors, wait=_wait(ctx))
    logging.getLogger("kg.server").setLevel(logging.INFO)  # one line per request

    def ready(url: str) -> None:
        click.echo(f"kg: serving {ctx.obj} at {url} (SPARQL endpoint {url}sparql); "
                   "Ctrl-C stops", err=True)
        if host not in ("127.0.0.1", "localhost", "::1"):
            click.echo(f"kg: warning: listening on {host}: other machines can query the store",
                       err=True)

    serve_forever(config, ready=ready)
    click.echo("kg: stopped", err=True)


# --------------------------------------------------------------------------- eval


@cli.command(
    name="eval",
    epilog="""\b
Example:
  kg eval ../shared/eval/gold/seeds.json seeds/
  kg --store my-store eval gold.json --errors --json report.json
""",
)
@click.argument("gold", type=click.Path(path_type=Path))
@click.argument("articles", nargs=-1, type=click.Path(path_type=Path))
@click.option("--errors", is_flag=True, help="Also list missed and false entities and relations.")
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the full report to this file (the JSON of score.py --json).",
)
@click.option(
    "--relaxed", is_flag=True, help="Also match labels by token overlap (Jaccard >= 0.5)."
)
@click.pass_context
def evaluate_command(
    ctx: click.Context,
    gold: Path,
    articles: tuple[Path, ...],
    errors: bool,
    json_path: Path | None,
    relaxed: bool,
) -> None:
    """Score the graph against gold annotations: precision, recall and F1.

    Per class, per property and for unlabelled pairs, exactly as the shared scorer
    (../shared/eval/score.py) computes them. GOLD is a JSON file of annotated articles.
    With ARTICLES (files or folders), they are ingested into a fresh temporary store and
    that is scored (--store is left alone); without, the store given by --store is scored.
    """
    import tempfile

    from .evaluate import evaluate, read_gold

    gold_data = read_gold(gold)  # a bad gold file fails before any model is loaded
    for warning in gold_data.warnings:
        click.echo(f"kg: warning: {gold}: {warning}", err=True)
    failed: tuple[tuple[str, str], ...] = ()
    if articles:
        from .ingest import ingest as run_ingest

        with (
            tempfile.TemporaryDirectory(prefix="kg-eval-") as tmp,
            Store(Path(tmp) / "store") as store,
        ):
            with _rate_bar("ingesting") as progress:
                ingested = run_ingest(store, articles, progress=progress)
            for path, reason in ingested.failed:
                click.echo(f"kg: skipped {path}: {reason}", err=True)
            click.echo(f"kg: {ingested.summary()} (temporary store)", err=True)
            failed = ingested.failed
            report = evaluate(store, gold_data, relaxed=relaxed)
    else:
        with _store(ctx) as store:
            report = evaluate(store, gold_data, relaxed=relaxed)
    click.echo(report.text(errors=errors), nl=False)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(report.to_json(), encoding="utf-8")
        click.echo(f"kg: wrote {json_path}", err=True)
    if failed:
        raise InputError(
            f"{len(failed)} file(s) could not be ingested and were not scored (see above)"
        )


def _close_articles(store: Store, article: str) -> list[str]:
    import difflib

    ids = [info.id for info in store.articles()]
    return difflib.get_close_matches(article, ids, n=3, cutoff=0.5)


def main() -> None:
    """Entry point of the ``kg`` script."""
    cli(prog_name="kg")
