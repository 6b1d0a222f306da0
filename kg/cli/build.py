"""Commands that build the graph and check it: ``ingest``, ``export``, ``articles``,
``remove`` and ``eval``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from ..budget import DEFAULT_MEMORY_MB, DEFAULT_SECONDS, ArticleBudget
from ..errors import ArticleNotFound, InputError
from ..formats import GRAPH_TOOL_FORMATS, export_choices, graph_tool_format, listing_choices
from ..store import LocalStore, Store

if TYPE_CHECKING:  # pragma: no cover
    from ..ingest import IngestReport
    from ..timeline import DateWindow
from .app import (
    FORMAT_OPTION,
    WIDE_OPTION,
    cli,
    close_articles,
    echo,
    echo_size,
    echo_skipped,
    rate_bar,
    store_for,
)
from .options import date_window_options

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
  kg ingest --replace-source site-moved/index.html
  kg ingest --article-timeout 30 --workers 2 --article-memory 2048 crawl/
  kg ingest https://example.org/news/chip-deal https://example.org/news/fab
  kg ingest --feed https://example.org/news/rss.xml   # hourly from cron: only new items
"""
)
# readable=False: an unreadable source is that source's failure, reported with the others
@click.argument("paths", nargs=-1, type=click.Path(readable=False), metavar="PATHS...")
@click.option("--feed", "feeds", metavar="URL", multiple=True,
              help="An RSS, Atom or JSON Feed to follow: each new or updated item's page is "
                   "fetched and ingested; the store remembers what it has seen. Repeatable.")
@click.option("--allow-private", is_flag=True,
              help="Fetch from loopback and private network addresses too (refused by "
                   "default: a feed must not make kg reach into your network).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes that extract in parallel (each loads the language model); "
                   "this process stays the one writer.")
@click.option("--batch-size", type=click.IntRange(min=1), default=16, show_default=True,
              help="Articles per batch: each batch is committed as soon as it is extracted.")
@click.option("--shard", metavar="K/N", callback=_parse_shard,
              help="Take only shard K of N of the articles (by a hash of their id): N "
                   "machines reading one feed into one SPARQL server share it this way.")
@click.option("--replace-source", is_flag=True,
              help="A file whose name is that of an article stored from another path (a "
                   "moved or renamed file) replaces that article; without it, it is stored "
                   "beside it under an id of its own, with a warning.")
@click.option("--article-timeout", metavar="SECONDS", type=click.FloatRange(min=0),
              default=DEFAULT_SECONDS, show_default=True,
              help="CPU seconds one article may take to read, and again to extract; an "
                   "article over it is reported and skipped. 0: no limit.")
@click.option("--article-memory", metavar="MB", type=click.IntRange(min=0),
              default=DEFAULT_MEMORY_MB, show_default=True,
              help="Megabytes one article may take in a --workers process, beyond the "
                   "model; an article that needs more is reported and skipped. 0: no limit.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[str, ...], feeds: tuple[str, ...],
           allow_private: bool, workers: int, batch_size: int,
           shard: tuple[int, int] | None, replace_source: bool, article_timeout: float,
           article_memory: int) -> None:
    """Read articles into the store: files, folders, JSON Lines feeds, - for stdin, web
    pages (http:// and https:// URLs) and RSS, Atom or JSON feeds (--feed URL).

    \b
    Files: .txt .md .html (front matter gives title and date), up to 1,000,000
    characters of text each.
    JSON Lines (.jsonl, .ndjson, also .gz): one {"id", "title", "text", "date", "url"}
    object per line; only "text" is required.
    -: standard input, JSON Lines if it starts with "{", else one text article.
    URL: a web page, fetched politely (robots.txt, retries on 429/503, conditional
    requests) from public addresses only (--allow-private for others); its id comes
    from its canonical URL, so one story reached through two URLs is one article.

    Sources stream through in batches, each committed as it goes, with a progress bar
    showing articles/s. Unchanged articles are skipped; changed ones replace their earlier
    version. A source that cannot be read, or an article over its budget
    (--article-timeout, --article-memory), is reported and skipped; the exit status is
    then 1.

    An article is its source file: site2/index.html, when the store holds index from
    site1/index.html, is stored beside it as index-XXXXXXXX (with a warning naming both);
    --replace-source makes it replace index instead (when it is that file, moved).
    """
    from ..fetch import is_url
    from ..ingest import ingest as run_ingest

    if not paths and not feeds:
        paths_param = next(p for p in ctx.command.params if p.name == "paths")
        raise click.MissingParameter("Give the files, folders or URLs to ingest, or --feed "
                                     "URL.", ctx=ctx, param=paths_param)
    urls = [p for p in paths if is_url(p)]
    files = [p for p in paths if not is_url(p)]
    budget = ArticleBudget.of(article_timeout, article_memory)
    web_note = ""
    with store_for(ctx, create=True, write=True) as store, rate_bar("ingesting") as progress:
        options = dict(progress=progress, workers=workers, batch_size=batch_size,
                       shard=shard, replace_source=replace_source, budget=budget)
        if not urls and not feeds:
            report = run_ingest(store, files, **options)
        else:
            report, web_note = _ingest_web(store, files, urls, feeds, allow_private,
                                           options)
    for path, reason in report.failed:
        echo_skipped(path, reason)
    echo(report.summary() + web_note)
    if report.failed:
        raise InputError(f"{len(report.failed)} source(s) could not be ingested (see above)")


def _ingest_web(store: Store, files: list[str], urls: list[str], feeds: tuple[str, ...],
                allow_private: bool, options: dict) -> tuple[IngestReport, str]:
    """``kg ingest`` with URLs or feeds: the files first, then the pages, fetched lazily
    (:class:`kg.feeds.WebSources`); what was fetched is remembered once it is stored."""
    from itertools import chain

    from ..feeds import WebSources
    from ..fetch import Fetcher, Policy
    from ..ingest import ingest_articles
    from ..sources import read_sources

    budget = options["budget"]
    with Fetcher(Policy(allow_private=allow_private)) as fetcher:
        web = WebSources(store, fetcher, seconds=budget.seconds)
        items = chain(read_sources(files, seconds=budget.seconds) if files else (),
                      web.items(urls, feeds))
        report = ingest_articles(store, items, **options)
        web.remember()
    notes = [f"{n} {what}" for n, what in ((web.not_modified, "not modified"),
                                            (web.seen_items, "feed items seen before"))
             if n]
    return report, f" ({', '.join(notes)})" if notes else ""


# --------------------------------------------------------------------------- export


@cli.command(
    epilog="""\b
Example:
  kg export --format turtle -o graph.ttl
  kg export --format graphml -o graph.graphml
  kg export --format csv -o out/graph.csv   # out/graph-nodes.csv, out/graph-edges.csv
  kg export --format trig --since 2024-01-01 --until 2025-01-01 -o graph-2024.trig
"""
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(export_choices()),
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
@date_window_options
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path | None,
           window: DateWindow | None) -> None:
    """Write the whole graph, with its provenance as RDF, or for graph tools.

    graphml and gexf hold the entities (IRI, label, class, articles) and their relations
    (predicate, number of sentences, articles, first sentence), coloured by class for Gephi.
    With --since/--until, RDF holds the graphs of the articles dated in the window, and the
    graph formats what those articles state.
    """
    if fmt in GRAPH_TOOL_FORMATS:
        _export_graph(ctx, fmt, output, window)
        return
    if output is not None and output.is_dir():
        raise click.BadParameter(f"{output} is a folder; give a file", param_hint="'-o'")
    from ..exchange import dump_window

    def dump(store: Store, out: IO[bytes]) -> None:
        if window is None:
            store.dump(fmt, out)
        else:
            dump_window(store, fmt, out, window)

    with store_for(ctx) as store:
        if output is None:
            sys.stdout.flush()
            dump(store, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            with output.open("wb") as out:
                dump(store, out)
            echo(f"kg: wrote {output}", err=True)


def _export_graph(ctx: click.Context, fmt: str, output: Path | None,
                  window: DateWindow | None = None) -> None:
    """``kg export`` in one of :data:`kg.formats.GRAPH_TOOL_FORMATS`, from the projection."""
    from ..exchange import csv_paths
    from ..graph import project, within

    form = graph_tool_format(fmt)
    if form.files:
        if output is None:
            raise click.UsageError(
                f"--format {fmt} writes two files (nodes and edges): give -o FILE{form.suffix} "
                "or -o FOLDER", ctx
            )
        for path in csv_paths(output):
            if path.is_dir():
                raise click.BadParameter(f"{path} is a folder", param_hint="'-o'")
    elif output is not None and output.is_dir():
        raise click.BadParameter(f"{output} is a folder; give a file", param_hint="'-o'")
    with store_for(ctx) as store:
        graph = within(project(store), window)
    if form.files:
        assert output is not None
        nodes, edges = form.write(graph, output)
        echo(f"kg: wrote {nodes} and {edges}", err=True)
    elif output is None:
        sys.stdout.flush()
        form.write(graph, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("wb") as out:
            form.write(graph, out)
        echo(f"kg: wrote {output}", err=True)
    echo_size(graph)


# --------------------------------------------------------------------------- remove


@cli.command(
    epilog="""\b
Example:
  kg articles
  kg articles --format json
  kg articles --wide
"""
)
@FORMAT_OPTION
@WIDE_OPTION
@click.pass_context
def articles(ctx: click.Context, fmt: str, wide: bool) -> None:
    """List the stored articles: id, date, number of triples and title.

    The ids are what `kg remove` takes and what the graphs are named after
    (https://w3id.org/aikg/article/ID); json adds the source, SHA-256, time ingested and
    extractor version of each.
    """
    from ..tables import format_articles, terminal_width

    with store_for(ctx) as store:
        found = store.articles()
    echo(format_articles(found, fmt, width=terminal_width(wide=wide)), nl=False,
         exact=fmt == "json")
    if fmt == "table":
        echo(f"({len(found)} article{'s' if len(found) != 1 else ''})", err=True)


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
    lists it); a path to the source file works too, and removes the article ingested from
    that file, as does the URL of a fetched page.
    """
    from datetime import UTC, datetime

    from ..article_ids import article_from_source, is_file_source
    from ..errors import InputError
    from ..feeds import canonical_url, url_article_id
    from ..fetch import is_url
    from ..sources import article_id_for

    with store_for(ctx, write=True) as store:
        if is_url(article):  # the article of a fetched page: the id of its canonical URL
            article = url_article_id(canonical_url(article))
        if not is_file_source(article):
            if store.remove_article(article, changed_at=datetime.now(UTC)):
                echo(f"removed {article}")
                return
            raise ArticleNotFound(article, close_articles(store, article))
        found = article_from_source(store, article)
        if found is not None and store.remove_article(found, changed_at=datetime.now(UTC)):
            echo(f"removed {found}")
            return
        # a path no stored article came from: never fall back to another file's article of
        # the same name (site2/index.html is not site1/index.html)
        stem = article_id_for(article)
        same_name = [a for a in store.articles() if a.id == stem]
        if same_name:
            raise InputError(
                f"no stored article came from {article}; the article {stem!r} came from "
                f"{same_name[0].source_path}: to remove it, give its id (`kg remove {stem}`)")
        raise ArticleNotFound(article, close_articles(store, article))


@cli.command(
    epilog="""\b
Example:
  kg changes --since 2026-11-01
  kg changes --since 2026-11-01T08:00:00Z --until 2026-11-02 --format csv
"""
)
@click.option("--since", required=True, metavar="DATE",
              help="Start of the window, inclusive: 2026-11-01 or 2026-11-01T08:00:00Z (UTC).")
@click.option("--until", default="any", metavar="DATE",
              help="End of the window, exclusive (default: now), e.g. --until 2026-11-02.")
@click.option("--format", "fmt", type=click.Choice(listing_choices(sparql=True)),
              default="table", show_default=True,
              help="A table, or W3C SPARQL results json/csv/tsv, e.g. --format csv.")
@click.pass_context
def changes(ctx: click.Context, since: str, until: str, fmt: str) -> None:
    """What changed in the store between two times: relation statements added and
    retracted, articles added, replaced and removed, each with its article and time.

    The same as `kg query --saved changes --param since=DATE`, read from the change log
    that `kg ingest` and `kg remove` write: a re-ingested article lists only what its new
    version adds or drops, never its unchanged statements.
    """
    from ..query import format_result
    from ..saved import run_saved

    with store_for(ctx) as store:
        result = run_saved(store, "changes", {"since": since, "until": until})
    echo(format_result(result, fmt), nl=False, exact=fmt != "table")
    if fmt == "table":
        echo(f"({len(result)} change{'s' if len(result) != 1 else ''})", err=True)


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

    from ..evaluate import evaluate, read_gold

    gold_data = read_gold(gold)  # a bad gold file fails before any model is loaded
    for warning in gold_data.warnings:
        echo(f"kg: warning: {gold}: {warning}", err=True)
    failed: tuple[tuple[str, str], ...] = ()
    if articles:
        from ..ingest import ingest as run_ingest

        with (
            tempfile.TemporaryDirectory(prefix="kg-eval-") as tmp,
            LocalStore(Path(tmp) / "store") as store,
        ):
            with rate_bar("ingesting") as progress:
                ingested = run_ingest(store, articles, progress=progress)
            for path, reason in ingested.failed:
                echo_skipped(path, reason)
            echo(f"kg: {ingested.summary()} (temporary store)", err=True)
            failed = ingested.failed
            report = evaluate(store, gold_data, relaxed=relaxed)
    else:
        with store_for(ctx) as store:
            report = evaluate(store, gold_data, relaxed=relaxed)
    echo(report.text(errors=errors), nl=False)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(report.to_json(), encoding="utf-8")
        echo(f"kg: wrote {json_path}", err=True)
    if failed:
        raise InputError(
            f"{len(failed)} file(s) could not be ingested and were not scored (see above)"
        )
