"""How long a listing's table takes to lay out, by number of rows (``kg rank --top 0``,
``kg query`` of many rows).

    .venv/bin/python bench/bench_tables.py [--rows 1000,10000] [--write]

Rows shaped like ``kg rank``'s (rank, label, class, score, articles, id; one label in ten
holding CJK characters). It times, side by side in one run, :func:`kg.tables.table` with no
width (piped output) and fitted to 80 columns, against two references: plain ``str.ljust``
padding (kg's table before issue 12, which measured characters, not terminal cells) and
rich's own ``Table`` (which kg does not use: see the ratio). With ``--write`` the figures go
to docs/performance.md (``bench_tables``).
"""

from __future__ import annotations

import argparse
import io
import sys
import time

from _report import ROOT, machine_line, write_section  # bench/ is on sys.path as a script

sys.path.insert(0, str(ROOT))

from kg.tables import table  # noqa: E402

HEADER = ["rank", "entity", "class", "pagerank", "articles", "id"]


def rows(n: int) -> list[list[str]]:
    return [[str(i), (f"華為 unit {i}" if i % 10 == 0 else f"Entity number {i} of a long name"),
             "Company", f"{1 / (i + 1):.4f}", str(i % 7), f"company:entity-{i}"]
            for i in range(1, n + 1)]


def plain(header: list[str], body: list[list[str]]) -> str:
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(header)]
    return "".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n"
                   for r in [header, ["-" * w for w in widths], *body])


def rich_table(header: list[str], body: list[list[str]]) -> str:
    from rich.console import Console
    from rich.table import Table

    grid = Table.grid(padding=(0, 2, 0, 0))
    for _ in header:
        grid.add_column(no_wrap=True, overflow="ellipsis")
    for r in [header, *body]:
        grid.add_row(*r)
    out = io.StringIO()
    Console(file=out, width=200, color_system=None, markup=False, highlight=False).print(grid)
    return out.getvalue()


def timed(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000,10000")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    lines = [machine_line(), "",
             "| rows | kg, whole | kg, 80 columns | str.ljust | rich Table | kg / ljust | "
             "rich / kg |", "|---:|---:|---:|---:|---:|---:|---:|"]
    for n in (int(x) for x in args.rows.split(",")):
        body = rows(n)
        whole = timed(table, HEADER, body, right=(0, 3, 4))
        fitted = timed(table, HEADER, body, right=(0, 3, 4), width=80, keep=(2, 5))
        ljust = timed(plain, HEADER, body)
        rich = timed(rich_table, HEADER, body)
        lines.append(f"| {n:,} | {whole * 1000:.0f} ms | {fitted * 1000:.0f} ms | "
                     f"{ljust * 1000:.0f} ms | {rich * 1000:.0f} ms | {whole / ljust:.1f} | "
                     f"{rich / whole:.0f} |")
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("bench_tables", text)


if __name__ == "__main__":
    main()
