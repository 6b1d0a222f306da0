"""Text printed for people is escaped: control and bidirectional characters from articles,
titles, labels and file names never reach the terminal raw (kg.terminal)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kg.terminal import safe_field, safe_text

ESC = "\x1b"
#: An OSC window-title change, a screen clear, a colour code, a right-to-left override.
TITLE = f"Nvidia{ESC}]0;pwned\x07 news \u202e reversed"
SENTENCE = f"Nvidia sells H20 chips to ByteDance{ESC}[2J. Jensen Huang leads Nvidia. {ESC}[31m"
RAW = (ESC, "\x07", "\u202e", "\x9b")


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x9b", "\u202e", "\u2066",
                                  "\u200f", "\u2028", "\r"])
def test_terminal_every_control_is_escaped_visibly(char):
    assert char not in safe_field(f"a{char}b") and safe_field(f"a{char}b").startswith("a\\")
    assert char not in safe_text(f"a{char}b")


def test_terminal_text_keeps_its_lines_a_field_does_not():
    assert safe_text("one\n\ttwo") == "one\n\ttwo"
    assert safe_field("one\n\ttwo") == "one\\n\\ttwo"
    assert safe_field("Zürich · 北京 — “quoted”") == "Zürich · 北京 — “quoted”"


def _kg(store, *args: str) -> subprocess.CompletedProcess:
    from conftest import kg_env

    return subprocess.run([sys.executable, "-m", "kg", "--store", str(store), *args],
                          env=kg_env(), capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    """A store from an article whose title and sentences hold terminal controls, ingested
    next to an empty file whose name holds a newline and a forged kg line."""
    root = tmp_path_factory.mktemp("hostile-terminal")
    sources = root / "inbox"
    sources.mkdir()
    (sources / "a.txt").write_text(f"{TITLE}\n\n{SENTENCE}\n", encoding="utf-8")
    (sources / f"bad\nkg: all good{ESC}[2J.txt").write_text("", encoding="utf-8")
    done = _kg(root / "store", "ingest", str(sources))
    return root / "store", done


def _clean(text: str) -> None:
    for char in RAW:
        assert char not in text, (char, text)


def test_terminal_skipped_file_names_cannot_forge_lines(hostile_store):
    _, done = hostile_store
    assert done.returncode == 1
    _clean(done.stderr)
    [skipped] = [line for line in done.stderr.splitlines() if "skipped" in line]
    assert skipped.endswith("bad\\nkg: all good\\x1b[2J.txt: empty file")
    assert not any(line.startswith("kg: all good") for line in done.stderr.splitlines())


@pytest.mark.parametrize("command", [
    ("articles",),
    ("show", "Nvidia"),
    ("query", "SELECT ?s ?o WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'pwned')) }"),
    ("path", "Jensen Huang", "Nvidia"),
    ("show", f"No{ESC}]0;such\x07 entity"),
])
def test_terminal_listings_for_people_are_escaped(hostile_store, command):
    store, _ = hostile_store
    done = _kg(store, *command)
    _clean(done.stdout)
    _clean(done.stderr)
    assert "\\x1b" in done.stdout + done.stderr  # shown, visibly, not dropped


def test_terminal_json_carries_the_data_exactly(hostile_store):
    store, _ = hostile_store
    done = _kg(store, "articles", "--format", "json")
    assert done.returncode == 0, done.stderr
    [article] = json.loads(done.stdout)["articles"]
    assert article["title"] == TITLE
