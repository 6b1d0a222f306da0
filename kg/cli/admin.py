"""Commands that keep the store: ``backup``, ``restore``, ``validate`` and ``repair``."""

from __future__ import annotations

import sys

import click

from ..formats import backup_formats
from ..store import Store, incomplete_message
from .app import FORMAT_OPTION, cli, echo, rate_bar, store_for, waits


def warn_if_incomplete(store: Store) -> None:
    """``kg: warning: the store at PATH is incomplete: ...`` on stderr when a restore into
    it did not finish (:func:`kg.store.incomplete_restore`)."""
    if store.incomplete is not None:
        echo(f"kg: warning: {incomplete_message(store.path, store.incomplete)}", err=True)


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
@click.option("--format", "fmt", type=click.Choice(backup_formats()),
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
    from ..backup import backup as run_backup

    with store_for(ctx) as store, rate_bar("backing up") as progress:
        warn_if_incomplete(store)
        if path == "-":
            report = run_backup(store, sys.stdout.buffer, fmt=fmt,
                                progress=progress)
        else:
            report = run_backup(store, path, fmt=fmt, progress=progress)
    echo(f"kg: {report.summary()}", err=True)


# --------------------------------------------------------------------------- restore


@cli.command(
    name="restore",
    epilog="""\b
Example:
  kg --store new-store restore kg-backup.nq.gz
  kg restore --replace kg.trig
  kg --store old backup - | kg --store new restore -
  kg restore --replace --allow-empty empty.nq   # empties the store
""",
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(backup_formats()),
              help="Default: from PATH's name (.nq, .nquads, .trig, each optionally .gz); "
                   "nquads for -. Gzip is recognised by its first bytes.")
@click.option("--replace", is_flag=True,
              help="Empty a store that holds articles first; without it such a store is "
                   "refused.")
@click.option("--allow-empty", is_flag=True,
              help="Accept a dump that holds no article (refused otherwise: an empty or "
                   "truncated file); with --replace this empties the store.")
@click.pass_context
def restore_command(ctx: click.Context, path: str, fmt: str | None, replace: bool,
                    allow_empty: bool) -> None:
    """Read a backup (from `kg backup` or `kg export`; - for stdin) into an empty store.

    The whole dump is checked before the store changes: a line that does not parse, a
    quad outside the article graphs, an article graph without its article record, or a dump
    with no article at all (unless --allow-empty), is reported with the file and the line or
    graph, and nothing is written. The merged default graph is rebuilt as ingest builds it.
    A restore that is interrupted leaves the store marked incomplete (stats, serve and
    backup warn, ingest and remove refuse it) until a restore runs to the end.
    """
    from ..backup import restore as run_restore
    from ..store import open_store

    store = open_store(ctx.obj, create=True, read_only=False, wait=waits(ctx), restoring=True)
    try:
        with rate_bar("restoring") as progress:
            source = sys.stdin.buffer if path == "-" else path
            report = run_restore(store, source, fmt=fmt, replace=replace,
                                 allow_empty=allow_empty, progress=progress)
    finally:
        store.close()
    echo(report.summary())


# --------------------------------------------------------------------------- validate


@cli.command(
    epilog="""\b
Example:
  kg validate
  kg --store http://db:7878/query validate --format json > report.json
"""
)
@FORMAT_OPTION
@click.pass_context
def validate(ctx: click.Context, fmt: str) -> None:
    """Check the store against the SHACL shapes of ontology/shapes.ttl (with pyshacl).

    One line per violation: the article(s) stating it, the entity, the property, the value
    and the shape's message. Statements that ingest set aside (they broke a shape, so they
    were kept out of the graph) follow, marked "set aside at ingest". Exit status 1 when the
    store breaks a shape, 0 otherwise; a summary goes to stderr.
    """
    from ..validate import format_report, validate_store

    with store_for(ctx) as store:
        report = validate_store(store)
    echo(format_report(report, fmt), nl=False, exact=fmt == "json")
    echo(f"kg validate: {report.summary()}", err=True)
    if not report.conforms:
        ctx.exit(1)


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
    Also loads ontology/kg.ttl into its graph (https://w3id.org/aikg/ont) when missing or
    changed, and says so on stderr.
    """
    import json

    with store_for(ctx, write=True) as store:
        found = store.repair()
        if store.ensure_ontology():
            echo("kg repair: loaded ontology/kg.ttl into the graph <https://w3id.org/aikg/ont>",
                 err=True)
    if as_json:
        echo(json.dumps(found, indent=2), exact=True)
        return
    echo(f"staging graphs dropped: {len(found['staging'])}")
    echo(f"merged statements fixed: {found['merge_fixed']}")
    echo(f"articles holding two versions: {len(found['mixed'])}"
               + "".join(f"\n  {article_id}" for article_id in found["mixed"]))
    if found["mixed"]:
        echo("re-ingest those articles' sources to replace them", err=True)
