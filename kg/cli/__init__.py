"""The ``kg`` command line: a thin click layer over the library.

Each command parses its options, calls one library function, and prints the result on
stdout (progress and messages on stderr). Library errors (:class:`kg.errors.KGError`) become
``click.ClickException`` in exactly one place, :meth:`kg.cli.app._Group.invoke`. spaCy and
pyvis are imported only inside the commands that need them, so ``kg --help`` and ``kg query``
start fast.

The commands live by what they do to the graph: :mod:`kg.cli.build` (ingest, export,
articles, remove, eval), :mod:`kg.cli.explore` (query, queries, viz, stats, show, rank,
path, neighbors, communities, serve) and :mod:`kg.cli.admin` (backup, restore, validate,
repair); :mod:`kg.cli.app` holds the group and what they share. Importing a module adds its
commands to the group.
"""

from __future__ import annotations

from . import admin, build, explore  # noqa: F401 - each adds its commands to `cli`
from .app import cli

__all__ = ["cli", "main"]


def main() -> None:
    """Entry point of the ``kg`` script."""
    cli(prog_name="kg")
