"""kg.readers: each reader's library is loaded when a source first needs it, outside the
source's time budget, and a source read again after a load gives its warnings once.

Each case runs in a fresh Python process, since what a process has loaded is the point."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kg import readers

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str, folder: Path) -> tuple[dict, str]:
    """Run ``code`` in a fresh interpreter in ``folder``; its last stdout line is JSON."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=folder, capture_output=True,
        text=True, timeout=300, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


_READ = """
    import json, logging, sys
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    from kg import readers
    from kg.sources import Article, read_sources
    items = list(read_sources(["."], seconds={seconds}))
    print(json.dumps({{
        "read": [[i.id, i.date] for i in items if isinstance(i, Article)],
        "failed": [i.reason for i in items if not isinstance(i, Article)],
        "loaded": sorted(readers.loaded()),
        "modules": sorted(m for m in ("trafilatura", "dateparser") if m in sys.modules),
    }}))
"""

_ENGLISH = ("Nvidia said on Monday that it would sell its H20 chips to cloud providers in "
            "the United States and in Europe, and that demand for them stayed strong. ") * 3


def test_readers_text_files_with_iso_dates_load_only_the_language_reader(tmp_path):
    (tmp_path / "a.txt").write_text(_ENGLISH, encoding="utf-8")
    (tmp_path / "b.md").write_text(f"---\ndate: 2025-01-13\n---\n# Chips\n\n{_ENGLISH}",
                                   encoding="utf-8")
    out, _ = _run(_READ.format(seconds=None), tmp_path)
    assert out["read"] == [["a", None], ["b", "2025-01-13"]]
    assert out["loaded"] == ["language"]
    assert out["modules"] == []  # neither trafilatura nor dateparser was imported


def test_readers_loaded_when_needed_and_outside_a_small_time_budget(tmp_path):
    """A newsroom date and a web page load dateparser and trafilatura (about 1 s of CPU
    together) under a budget of 0.2 s of CPU a source: the loads are not the article's."""
    (tmp_path / "a.md").write_text(f"---\ndate: Jan. 13, 2025\n---\n# Chips\n\n{_ENGLISH}",
                                   encoding="utf-8")
    (tmp_path / "b.html").write_text(
        f"<html><head><title>Chips</title></head><body><article><h1>Chips</h1><p>{_ENGLISH}"
        "</p></article></body></html>", encoding="utf-8")
    out, _ = _run(_READ.format(seconds=0.2), tmp_path)
    assert out["failed"] == []
    assert out["read"] == [["a", "2025-01-13"], ["b", None]]
    assert out["loaded"] == ["dates", "html", "language"]
    assert out["modules"] == ["dateparser", "trafilatura"]


def test_readers_a_source_read_again_gives_its_warning_once(tmp_path):
    """The first source is not UTF-8 (a warning) and has a date only dateparser reads: it is
    read, stopped for the date reader, and read again; the warning is given once."""
    text = f"---\ndate: Monday, 13 Jan 2025\n---\nCaf\u00e9 chips\n\n{_ENGLISH}"
    (tmp_path / "a.txt").write_bytes(text.encode("cp1252"))
    out, err = _run(_READ.format(seconds=None), tmp_path)
    assert out["read"] == [["a", "2025-01-13"]]
    assert err.count("not valid UTF-8") == 1, err


def test_readers_unknown_name_is_an_error_naming_the_known_ones():
    with pytest.raises(KeyError, match="no reader 'pdf'; known: language, dates, html"):
        readers.load("pdf")
