"""The commands' listings: a plain-text table for reading or JSON for programs.

:func:`table` pads columns to their widest cell, :func:`as_json` is indented UTF-8 JSON
with a final newline, and :func:`check_format` refuses anything but :data:`FORMATS`. The
analytics commands (``rank``, ``path``, ``neighbors``, ``communities``) format their records
with them, and :func:`format_articles` is ``kg articles``. :func:`background_note` and its
companions word a fact that is kg's background knowledge rather than stated by a sentence.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .terminal import safe_field

if TYPE_CHECKING:
    from .store import ArticleInfo

__all__ = ["FORMATS", "table", "as_json", "check_format", "one_line", "format_articles",
           "background_note", "MENTIONED_TOGETHER", "ALSO_BACKGROUND"]

FORMATS = ("table", "json")
#: Titles longer than this are cut (with "…") in the table; JSON keeps them whole.
TITLE_WIDTH = 72


def table(header: list[str], rows: list[list[str]], right: Iterable[int] = ()) -> str:
    """Columns padded to their widest cell; ``right`` holds the right-aligned columns.

    Cells are escaped for a terminal (:func:`kg.terminal.safe_field`): a label or title
    holding a newline or an escape sequence stays in its cell.

    >>> print(table(["n", "name"], [["1", "H20"], ["12", "Ascend 910B"]], right=(0,)), end="")
     n  name
    --  -----------
     1  H20
    12  Ascend 910B
    """
    header = [safe_field(h) for h in header]
    rows = [[safe_field(c) for c in r] for r in rows]
    right = set(right)
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]) \
        + "\n"


def as_json(data: object) -> str:
    """``data`` as indented JSON (non-ASCII kept) and a final newline."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def check_format(fmt: str) -> None:
    """ValueError unless ``fmt`` is one of :data:`FORMATS`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


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


def format_articles(articles: Sequence[ArticleInfo], fmt: str = "table") -> str:
    """The stored articles as a table (id, date, triples, title) or JSON (every field)."""
    check_format(fmt)
    if fmt == "json":
        return as_json({"articles": [
            {"id": a.id, "iri": a.iri, "title": a.title, "date": a.date,
             "source": a.source_path, "sha256": a.sha256, "ingested_at": a.ingested_at,
             "extractor_version": a.extractor_version, "triples": a.triples}
            for a in articles]})
    rows = [[a.id, (a.date or "")[:10], str(a.triples), _cut(one_line(a.title or ""))]
            for a in articles]
    return table(["article", "date", "triples", "title"], rows, right=(2,))


def _cut(text: str, width: int = TITLE_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
