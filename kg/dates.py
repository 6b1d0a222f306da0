"""Article dates as ISO 8601, whatever form a newsroom printed them in.

Front matter, feeds and pages give dates as ``Jan. 13, 2025``, ``13 January 2025``,
``Monday, 13 Jan 2025`` or ``2025-01-13T08:00:00+08:00``. kg stores one form, ISO 8601 (a
date, or a date-time with its offset), so that dates compare and sort. ISO dates are kept as
given (today's behaviour); the other forms are read by ``dateparser``, a maintained library
that knows the newsroom forms (abbreviations with dots, weekdays, time-zone names), rather
than a list of ``strptime`` patterns that always misses the next one. A date that cannot be
read is never a failure: it is named in a warning and the article goes on without it.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import cache
from typing import Any

from . import readers

__all__ = ["iso_date", "warm_up"]

log = logging.getLogger("kg.sources")


@cache
def _parser() -> Any:
    """dateparser's parser for English dates, built once (importing dateparser takes a
    quarter of a second, so it is done only when a date needs it)."""
    from dateparser.date import DateDataParser

    # a date without a day ("2025", "December 2024") is not a publication date
    return DateDataParser(languages=["en"], settings={
        "REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DAY_OF_MONTH": "first"})


def warm_up() -> None:
    """Import dateparser and read one date (:mod:`kg.readers` calls this outside any
    article's time budget)."""
    _parser().get_date_data("Jan. 13, 2025")


def iso_date(raw: object, where: str) -> str | None:
    """``raw`` (a string, or a date YAML already read) as ISO 8601, or None when there is no
    date or it cannot be read; ``where`` names the source in the warning.

    >>> iso_date("Jan. 13, 2025", "a.md"), iso_date("2025-01-13T08:00:00+08:00", "a.md")
    ('2025-01-13', '2025-01-13T08:00:00+08:00')
    >>> iso_date("Jan. 13, 2025 8:00 AM EST", "a.md")
    '2025-01-13T08:00:00-05:00'
    """
    if raw is None or raw == "":
        return None
    if isinstance(raw, dt.datetime | dt.date):
        return raw.isoformat()
    text = " ".join(str(raw).split())
    if not text:
        return None
    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return text  # ISO already: kept as given
    except ValueError:
        pass
    readers.need("dates")  # dateparser, loaded on first use (outside a time budget)
    try:
        moment = _parser().get_date_data(text).date_obj
    except Exception:  # noqa: BLE001 - any failure of the library is an unreadable date
        log.debug("dateparser failed on %r", text, exc_info=True)
        moment = None
    if moment is None:
        log.warning("%s: cannot read the date %r; using the ingest time", where, text)
        return None
    if moment.tzinfo is None and moment.time() == dt.time(0, 0):
        return moment.date().isoformat()
    if moment.tzinfo is not None:  # dateparser's zones are fixed offsets: keep the offset
        offset = moment.utcoffset()
        moment = moment.replace(tzinfo=dt.timezone(offset) if offset is not None else None)
    return moment.isoformat()
