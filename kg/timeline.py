"""When a fact was seen: article dates, the dates of a fact, and a window of dates.

A fact (a relation statement) is dated by the articles stating it: each article by its
publication date (``dcterms:date``, from front matter, a page or a feed), else by the day
it was ingested (``kg:ingestedAt``, UTC). :func:`article_dates` reads every article's date
in one SELECT; :func:`seen` gives a fact's first and last date and which kind of dates they
are (``dated_by``: ``published``, ``ingested`` or ``mixed``), the contract the projection
(:func:`kg.graph.project`), ``kg show`` and the HTML view share.

A :class:`DateWindow` (``--since``/``--until``: since inclusive, until exclusive, both ISO
days) keeps what articles dated inside it state: :func:`kg.graph.within` on the projection,
:func:`kg.show.entity_facts` for ``kg show``, :func:`kg.exchange.dump_window` for RDF export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .vocab import ARTICLE, article_id_of, article_iri

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

__all__ = ["DateWindow", "parse_day", "article_dates", "seen", "seen_note", "DATED_BY"]

#: How each ``dated_by`` reads in a sentence ("first seen ..., last seen ... (publication
#: dates)").
DATED_BY = {
    "published": "publication dates",
    "ingested": "ingest dates: the articles have no publication date",
    "mixed": "publication dates, ingest dates for articles without one",
}


def parse_day(text: str) -> str:
    """``text`` as an ISO day ``YYYY-MM-DD``; :class:`ValueError` saying what is expected.

    >>> parse_day(" 2024-03-01 ")
    '2024-03-01'
    >>> parse_day("March 2024")
    Traceback (most recent call last):
    ValueError: 'March 2024' is not a date: give an ISO date, YYYY-MM-DD (e.g. 2024-03-01)
    """
    value = text.strip()
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"{text!r} is not a date: give an ISO date, YYYY-MM-DD "
                         "(e.g. 2024-03-01)") from None


@dataclass(frozen=True)
class DateWindow:
    """Days from ``since`` (inclusive) to ``until`` (exclusive); either may be open (None).

    >>> w = DateWindow("2024-01-01", "2024-07-01")
    >>> "2024-01-01" in w, "2024-06-30" in w, "2024-07-01" in w
    (True, True, False)
    >>> w.describe()
    'dated 2024-01-01 to 2024-06-30'
    """

    since: str | None = None
    until: str | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.until <= self.since:
            raise ValueError(f"--until {self.until} is not after --since {self.since}: the "
                             "window would be empty (since is inclusive, until exclusive)")

    @classmethod
    def of(cls, since: str | None, until: str | None) -> DateWindow | None:
        """The window of two option values (ISO days or None), or None when both are."""
        if since is None and until is None:
            return None
        return cls(parse_day(since) if since is not None else None,
                   parse_day(until) if until is not None else None)

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, str) or not day:
            return False
        return (self.since is None or day >= self.since) and \
            (self.until is None or day < self.until)

    def describe(self) -> str:
        """The window in words, with the last day it includes."""
        last = (dt.date.fromisoformat(self.until) - dt.timedelta(days=1)).isoformat() \
            if self.until else None
        if self.since and last:
            return f"dated {self.since} to {last}"
        return f"dated {self.since} or later" if self.since else f"dated {last} or earlier"


def _day(value: str | None) -> str | None:
    """The ISO day of an ``xsd:date`` or ``xsd:dateTime`` value (dates kg stores in UTC)."""
    return value[:10] if value and len(value) >= 10 else None


def article_records(store: Store, articles: str | Iterable[str] | None = None
                    ) -> dict[str, dict[str, Any]]:
    """Every article (or the one or several named) -> ``{"title", "date", "dated_by", "url",
    "path"}``, in id order. The one place the date of an article is decided: ``date``
    (``YYYY-MM-DD``) is the publication date (``dated_by`` ``published``), else the day it
    was ingested (``ingested``). ``url`` is where it was fetched from, ``path`` the file it
    was read from (either may be None)."""
    if articles is None:
        values = ""
    else:
        ids = [articles] if isinstance(articles, str) else sorted(set(articles))
        if not ids:
            return {}
        values = "VALUES ?g { " + " ".join(f"<{article_iri(i)}>" for i in ids) + " }"
    rows = store.select(
        f"""SELECT ?g ?title ?date ?at ?url ?path WHERE {{ {values}
              GRAPH ?g {{ ?g a kg:Article .
                OPTIONAL {{ ?g dcterms:title ?title }} OPTIONAL {{ ?g dcterms:date ?date }}
                OPTIONAL {{ ?g kg:ingestedAt ?at }} OPTIONAL {{ ?g dcterms:source ?url }}
                OPTIONAL {{ ?g kg:sourcePath ?path }} }}
              FILTER(STRSTARTS(STR(?g), "{ARTICLE}")) }}""")

    def val(row: Any, name: str) -> str | None:
        return row[name].value if row[name] is not None else None

    found: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: tuple(str(r[n]) for n in ("g", "date", "at"))):
        published = _day(val(row, "date"))
        found.setdefault(article_id_of(row["g"].value), {
            "title": val(row, "title"),
            "date": published or _day(val(row, "at")),
            "dated_by": "published" if published else "ingested",
            "url": val(row, "url"),
            "path": val(row, "path"),
        })
    return dict(sorted(found.items()))


def article_dates(store: Store, article: str | None = None) -> dict[str, dict[str, Any]]:
    """Every article (or one) -> ``{"title", "date", "dated_by", "source"}``, dated as
    :func:`article_records` says; ``source`` is the URL it came from, else its source path."""
    return {aid: {"title": r["title"], "date": r["date"], "dated_by": r["dated_by"],
                  "source": r["url"] or r["path"]}
            for aid, r in article_records(store, article).items()}


def seen(article_ids: Iterable[str], articles: Mapping[str, Mapping[str, Any]]
         ) -> tuple[str | None, str | None, str | None]:
    """``(first_seen, last_seen, dated_by)`` of a fact stated by ``article_ids``, from
    :func:`article_dates`: the earliest and latest article date, and ``published``,
    ``ingested`` or ``mixed`` (None, None, None when no article has a date).

    >>> arts = {"a": {"date": "2024-03-01", "dated_by": "published"},
    ...         "b": {"date": "2025-01-10", "dated_by": "ingested"}}
    >>> seen(["b", "a"], arts)
    ('2024-03-01', '2025-01-10', 'mixed')
    """
    dated = [articles[a] for a in article_ids if a in articles and articles[a].get("date")]
    if not dated:
        return None, None, None
    days = sorted(a["date"] for a in dated)
    kinds = {a["dated_by"] for a in dated}
    return days[0], days[-1], kinds.pop() if len(kinds) == 1 else "mixed"


def seen_note(first: str | None, last: str | None, dated_by: str | None) -> str:
    """The dates of a fact in words, as ``kg show`` prints them.

    >>> seen_note("2024-03-01", "2025-01-10", "published")
    'first seen 2024-03-01, last seen 2025-01-10 (publication dates)'
    >>> seen_note(None, None, None)
    'no date'
    """
    if not first:
        return "no date"
    return f"first seen {first}, last seen {last} ({DATED_BY.get(dated_by or '', dated_by)})"
