"""What the benchmarks share: writing a section of docs/performance.md, the machine line."""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def machine_line() -> str:
    """``- machine: ...; date ...`` for the top of a section."""
    return (
        f"- machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()}; "
        f"date {datetime.now(UTC).date().isoformat()}"
    )


def write_section(name: str, body: str, doc: str = "performance.md") -> None:
    """Replace the text between ``<!-- name -->`` and ``<!-- /name -->`` of docs/``doc``
    (or append it)."""
    path = ROOT / "docs" / doc
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = f"{start}\n{body}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + f"\n\n{block}\n"
    path.write_text(text, encoding="utf-8")
