"""Options that several commands share, as one decorator each, so that a command gains them
with one line (and parts of kg adding other options to the same commands merge cleanly).

:func:`date_window_options` adds ``--since`` and ``--until`` and hands the command one
``window`` argument, a :class:`kg.timeline.DateWindow` or None.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

__all__ = ["date_window_options"]


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An ISO day, or a click error naming the option and what it expects."""
    from ..timeline import parse_day

    if value is None:
        return None
    try:
        return parse_day(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def date_window_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--since DATE`` (inclusive) and ``--until DATE`` (exclusive) to ``command``,
    which receives them as ``window`` (:class:`kg.timeline.DateWindow`, or None when
    neither is given): only facts stated by articles dated in the window count (an
    article's date: its publication date, else the day it was ingested)."""

    @functools.wraps(command)
    def wrapper(*args: Any, since: str | None = None, until: str | None = None,
                **kwargs: Any) -> Any:
        from ..timeline import DateWindow

        try:
            window = DateWindow.of(since, until)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="'--until'") from None
        return command(*args, window=window, **kwargs)

    wrapper = click.option(
        "--until", metavar="DATE", callback=_day,
        help="Only facts stated by articles dated before this day (exclusive), e.g. "
        "--until 2025-01-01. An article's date is its publication date, else the day it "
        "was ingested.")(wrapper)
    return click.option(
        "--since", metavar="DATE", callback=_day,
        help="Only facts stated by articles dated on or after this day (YYYY-MM-DD, "
        "inclusive), e.g. --since 2024-07-01; a fact also stated outside keeps only its "
        "sentences from inside.")(wrapper)
