"""The commands' listings: a plain-text table for reading or JSON for programs.

:func:`table` lays columns out with rich and fits them to a width (cutting free-text cells
with "…", never ids or numbers), :func:`terminal_width` is the width the commands fit
(``$COLUMNS``, else the terminal's, else none: piped output keeps its cells whole; ``--wide``
never cuts), :func:`as_json` is indented UTF-8 JSON with a final newline, and
:func:`check_format` refuses anything but :data:`FORMATS`. The analytics commands (``rank``,
``path``, ``neighbors``, ``communities``) format their records with them;
:func:`format_articles` is ``kg articles``, and :func:`facts_json`, :func:`stats_json` and
:func:`queries_json` are the ``--format json`` of ``show``, ``stats`` and ``queries``.
:func:`background_note` and its companions word a fact that is kg's background knowledge
rather than stated by a sentence.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .formats import listing_choices, listing_format
from .terminal import safe_field

if TYPE_CHECKING:
    from .graph import GraphStats
    from .saved import SavedQuery
    from .show import EntityFacts, Fact, Support
    from .store import ArticleInfo

__all__ = ["FORMATS", "table", "terminal_width", "MIN_CUT", "as_json", "check_format",
           "one_line", "format_articles", "facts_json", "stats_json", "queries_json",
           "background_note", "MENTIONED_TOGETHER", "ALSO_BACKGROUND"]

#: The listing formats of :data:`kg.formats.LISTING_FORMATS` that every listing offers.
FORMATS = listing_choices()


def table(header: list[str], rows: list[list[str]], right: Iterable[int] = (), *,
          width: int | None = None, keep: Iterable[int] = ()) -> str:
    """Columns two spaces apart under a header and a rule; ``right`` holds the right-aligned
    columns. Cells are measured and cut with rich's cell functions, so a wide (CJK)
    character takes its two cells (rich's own ``Table`` takes 1.6 ms a row: 16 s for
    ``kg rank --top 0`` of 10,000 entities; ``docs/performance.md``).

    ``width`` (None: no limit) is the width to fit: the widest columns not in ``keep`` nor
    ``right`` (free text: labels, titles, relations) are narrowed, one cell at a time, down
    to :data:`MIN_CUT` cells, their cells cut with "…"; ``keep`` and ``right`` columns (ids,
    numbers) are never cut, since a cut name does not paste back. See
    :func:`terminal_width` for the width the commands give.

    Cells are escaped for a terminal (:func:`kg.terminal.safe_field`): a label or title
    holding a newline or an escape sequence stays in its cell.

    >>> print(table(["n", "name"], [["1", "H20"], ["12", "Ascend 910B"]], right=(0,)), end="")
     n  name
    --  -----------
     1  H20
    12  Ascend 910B
    >>> print(table(["n", "name"], [["1", "H20"], ["12", "Ascend 910B"]], right=(0,),
    ...             width=12), end="")
     n  name
    --  --------
     1  H20
    12  Ascend…
    """
    from rich.cells import cell_len

    header = [safe_field(h) for h in header]
    rows = [[safe_field(c) for c in r] for r in rows]
    right = set(right)
    fixed = right | set(keep)
    widths = [max([cell_len(h)] + [cell_len(r[i]) for r in rows])
              for i, h in enumerate(header)]
    if width is not None:
        widths = _fit(widths, width - 2 * (len(widths) - 1),
                      [i not in fixed for i in range(len(widths))],
                      [cell_len(h) for h in header])
    aligned = [i in right for i in range(len(widths))]

    def line(cells: list[str]) -> str:
        return "  ".join(_cell(c, w, r) for c, w, r in zip(cells, widths, aligned,
                                                            strict=True)).rstrip() + "\n"

    return "".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def _cell(text: str, width: int, right: bool) -> str:
    """``text`` in ``width`` terminal cells (rich's measure: a CJK character takes two),
    cut with "…" when longer, padded on the left (``right``) or the right."""
    from rich.cells import cell_len, set_cell_size

    size = cell_len(text)
    if size > width:
        text = set_cell_size(text, width - 1).rstrip() + "…"
        size = cell_len(text)
    pad = " " * (width - size)
    return pad + text if right else text + pad


#: The fewest cells a cut column keeps (its header's, if longer).
MIN_CUT = 8


def _fit(widths: list[int], room: int, cuttable: list[bool], least: list[int]) -> list[int]:
    """``widths`` narrowed to add up to ``room`` if they can: the widest cuttable column
    loses a cell at a time, none below ``max(MIN_CUT, least[i])`` (nor below its own width)."""
    widths = list(widths)
    floor = [min(w, max(MIN_CUT, n)) for w, n in zip(widths, least, strict=True)]
    excess = sum(widths) - room
    while excess > 0:
        candidates = [i for i, c in enumerate(cuttable) if c and widths[i] > floor[i]]
        if not candidates:
            break
        i = max(candidates, key=lambda j: (widths[j], -j))
        widths[i] -= 1
        excess -= 1
    return widths


def terminal_width(*, wide: bool = False) -> int | None:
    """The width tables are fitted to (None: cells are never cut).

    ``$COLUMNS`` when set (a number), else the terminal's width when standard output is a
    terminal, else None: a listing piped to a file or another program keeps its cells whole
    unless ``$COLUMNS`` asks otherwise. ``wide`` (``--wide``) is always None.
    """
    import os
    import shutil
    import sys

    if wide:
        return None
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if sys.stdout.isatty():
            return shutil.get_terminal_size().columns
    except (AttributeError, ValueError, OSError):
        pass
    return None


def as_json(data: object) -> str:
    """``data`` as indented JSON (non-ASCII kept) and a final newline."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def check_format(fmt: str) -> None:
    """ValueError (naming :data:`FORMATS`) unless ``fmt`` is one of them."""
    listing_format(fmt)


def one_line(text: str) -> str:
    """``text`` with every run of white space (newlines too) made one space."""
    return " ".join(text.split())


#: Before each sentence of a fact only kg's gazetteer supports: it names both, states nothing.
MENTIONED_TOGETHER = "mentioned together in"
#: After the sentences stating a fact that kg's gazetteer holds too.
ALSO_BACKGROUND = "also background knowledge: kg's gazetteer says so too"


def background_note(subject: str, predicate: str, obj: str) -> str:
    """The line that introduces a fact only kg's gazetteer supports (``kg show``, ``kg path``).

    >>> background_note("OpenAI", "develops", "ChatGPT")
    "background: kg's gazetteer says OpenAI develops ChatGPT; no sentence states it"
    """
    return f"background: kg's gazetteer says {subject} {predicate} {obj}; no sentence states it"


def format_articles(articles: Sequence[ArticleInfo], fmt: str = "table", *,
                    width: int | None = None) -> str:
    """The stored articles as a table (id, date, triples, title; titles cut to ``width``)
    or JSON (every field)."""
    check_format(fmt)
    if fmt == "json":
        return as_json({"articles": [
            {"id": a.id, "iri": a.iri, "title": a.title, "date": a.date,
             "source": a.source_path, "sha256": a.sha256, "ingested_at": a.ingested_at,
             "extractor_version": a.extractor_version, "triples": a.triples}
            for a in articles]})
    rows = [[a.id, (a.date or "")[:10], str(a.triples), one_line(a.title or "")]
            for a in articles]
    return table(["article", "date", "triples", "title"], rows, right=(2,), width=width,
                 keep=(0, 1))


def facts_json(facts: EntityFacts) -> str:
    """``kg show --format json``: the entity and each relation with its sources.

    Relations are one list, ``direction`` ``"out"`` (the entity is the subject) or ``"in"``;
    ``basis`` is ``"text"`` or ``"background"`` (decision 0014) as in ``kg path``.
    """
    def relation(fact: Fact, direction: str) -> dict:
        return {
            "direction": direction, "predicate": fact.predicate, "iri": fact.other,
            "label": fact.other_label, "class": fact.other_class or None,
            "basis": "background" if fact.is_background else "text",
            "evidence": [_support(e) for e in fact.stated],
            "background": [_support(e) for e in fact.background],
            "articles": list(fact.articles), "first_seen": fact.first_seen,
            "last_seen": fact.last_seen, "dated_by": fact.dated_by,
        }

    return as_json({
        "iri": facts.iri, "label": facts.label, "classes": list(facts.classes),
        "aliases": list(facts.aliases), "same_as": list(facts.same_as),
        "articles": list(facts.articles),
        "relations": [relation(f, "out") for f in facts.outgoing]
        + [relation(f, "in") for f in facts.incoming],
        "mentions": [{"article": m.article, "sentence": m.sentence} for m in facts.mentions],
    })


def _support(e: Support) -> dict:
    return {"article": e.article, "sentence": e.sentence, "rule": e.rule,
            "confidence": e.confidence, "modality": e.modality}


def stats_json(stats: GraphStats) -> str:
    """``kg stats --format json``: the totals, and counts by class and by property."""
    return as_json({"articles": stats.articles, "entities": stats.entities,
                    "relations": stats.statements, "evidence": stats.evidence,
                    "classes": dict(stats.classes), "properties": dict(stats.properties)})


def queries_json(saved: Sequence[SavedQuery]) -> str:
    """``kg queries --format json``: each saved query with its parameters and text (the
    fields of ``kg serve``'s ``/queries``, under ``"queries"``)."""
    return as_json({"queries": [
        {"name": q.name, "description": q.description,
         "params": [{"name": p.name, "kind": p.kind, "description": p.description,
                     "default": p.default} for p in q.params],
         "text": q.text}
        for q in saved]})
