"""The ``kg`` group and what its commands share: the one place where library errors become
click errors, the store a command opens (one writer or many readers), the progress bar in
articles/s, the ``--format table|json`` and ``--wide`` options and "did you mean" for article
ids."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..errors import KGError
from ..formats import listing_choices
from ..store import DEFAULT_STORE, Store, is_remote, open_store
from ..terminal import SafeFormatter, safe_field, safe_text

__all__ = ["cli", "store_for", "waits", "rate_bar", "FORMAT_OPTION", "WIDE_OPTION",
           "close_articles",
           "echo_size", "echo", "echo_skipped"]


class _Group(click.Group):
    """The one place where library errors become click errors (exit status 1), and where a
    closed output pipe ends the process as it ends other Unix tools."""

    def invoke(self, ctx: click.Context):  # noqa: ANN201 - click's signature
        try:
            return super().invoke(ctx)
        except KGError as exc:
            raise click.ClickException(safe_text(str(exc))) from exc
        except BrokenPipeError:
            _end_by_sigpipe()


def _end_by_sigpipe() -> None:
    """The reader of standard output went away (``kg export | head``): end quietly, killed by
    SIGPIPE as ``cat`` or ``grep`` would be, so a shell sees status 141 and prints nothing.

    Python ignores SIGPIPE (writes raise ``BrokenPipeError`` instead), and click would exit 1;
    by the time the error reaches here every ``with`` block of the command has closed (the
    store is released). Standard output is pointed at /dev/null first so that nothing is
    flushed into the dead pipe on the way out.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.stderr.flush()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGPIPE)
    raise SystemExit(128 + signal.SIGPIPE)  # not reached where SIGPIPE exists


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
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(SafeFormatter("kg: %(message)s"))
        logging.basicConfig(level=logging.WARNING, handlers=[handler])


#: Output is written in pieces of this size, so that a reader that went away is noticed
#: (a single large write to a closed pipe can come back short without an error).
_CHUNK = 1 << 16


def echo(text: str, *, err: bool = False, nl: bool = True, exact: bool = False) -> None:
    """Print ``text`` for people: control and bidirectional characters from the data
    (article text, titles, labels, file names) are escaped (:mod:`kg.terminal`).

    ``exact=True`` is for machine formats (JSON, CSV, RDF), which carry the data as it is.
    """
    if not exact:
        text = safe_text(text)
    if nl:
        text += "\n"
    stream = sys.stderr if err else sys.stdout
    for start in range(0, len(text), _CHUNK):
        stream.write(text[start:start + _CHUNK])
    stream.flush()


def echo_skipped(path: object, reason: object) -> None:
    """``kg: skipped PATH: REASON`` on stderr, each part on the one line whatever it holds."""
    echo(f"kg: skipped {safe_field(path)}: {safe_field(reason)}", err=True)


def waits(ctx: click.Context) -> bool:
    return bool(ctx.meta.get("kg.wait", False))


@contextmanager
def store_for(ctx: click.Context, *, create: bool = False, write: bool = False) -> Iterator[Store]:
    """The store for a command: readers share it read-only; writers (``write``) hold it alone.

    A URL is a SPARQL server (:mod:`kg.store.remote`), which orders concurrent writers itself.
    """
    store = open_store(ctx.obj, create=create, read_only=not (write or create), wait=waits(ctx))
    try:
        yield store
    finally:
        store.close()


@contextmanager
def rate_bar(label: str) -> Iterator[Callable[[int, int | None], None]]:
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


FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(listing_choices()),
    default="table",
    show_default=True,
    help="table for reading; json (with IRIs) for programs.",
)


WIDE_OPTION = click.option(
    "--wide",
    is_flag=True,
    help="Keep long cells whole. Otherwise a table is fitted to $COLUMNS or the terminal's "
    "width, cutting long text with …; piped output is never cut unless $COLUMNS is set.",
)


def close_articles(store: Store, article: str) -> list[str]:
    import difflib

    ids = [info.id for info in store.articles()]
    return difflib.get_close_matches(article, ids, n=3, cutoff=0.5)


def echo_size(graph: Any) -> None:
    """Print "kg: 81 entities, 107 relations" on stderr, for a networkx projection."""
    click.echo(f"kg: {graph.number_of_nodes()} entities, {graph.number_of_edges()} relations",
               err=True)
