"""An article is its source, not its file name: site1/index.html and site2/index.html are
two articles (kg.article_ids), through the real `kg ingest` command and the real model."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from pathlib import Path

import pytest

from kg.article_ids import SourceIds, source_key
from kg.cli import cli
from kg.sources import Article
from kg.store import LocalStore
from kg.vocab import article_iri

PAGE = ("<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        "<p>{text}</p></article></body></html>")
SITE1 = ("Nvidia ships to ByteDance", "ByteDance bought Nvidia's H20 chips in Beijing.")
SITE2 = ("Lisa Su in Taipei", "AMD CEO Lisa Su visited Taipei to meet TSMC.")


@pytest.fixture
def kg_cli(runner, nlp, monkeypatch, tmp_path, caplog):
    """``kg_cli(*args)``: the `kg` command in this process (the session's language model
    instead of a fresh load), run from ``tmp_path`` against the store ``tmp_path/store``;
    ``.warnings`` of the result are what it logged (``kg: MESSAGE`` on a terminal)."""
    import extract

    monkeypatch.setattr(extract, "load_pipeline", lambda *a, **k: nlp)
    monkeypatch.chdir(tmp_path)

    def run(*args: str):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            result = runner.invoke(cli, ["--store", "store", *args])
        result.warnings = "\n".join(r.getMessage() for r in caplog.records)
        return result

    return run


def _page(folder: Path, title: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "index.html"
    path.write_text(PAGE.format(title=title, text=text), encoding="utf-8")
    return path


def _articles(store: Path) -> dict[str, str]:
    with LocalStore(store, read_only=True) as s:
        return {a.id: a.source_path for a in s.articles()}


def _labels_in(store: Path, article_id: str) -> set[str]:
    with LocalStore(store, read_only=True) as s:
        return {row["l"].value for row in s.select(
            f"SELECT DISTINCT ?l WHERE {{ GRAPH <{article_iri(article_id)}> "
            "{ ?e rdfs:label ?l } }")}


def test_identity_two_files_of_one_name_in_two_folders_are_two_articles(kg_cli, tmp_path):
    """`kg ingest site1/index.html`, then `kg ingest site2/index.html`: both articles and
    their facts are stored (before: "0 added, 1 replaced", the first one gone), with a
    warning naming both paths; ingesting both again changes nothing (0 added, 2 unchanged),
    the second finding its own id again; `kg remove PATH` removes each one's own article."""
    one = _page(tmp_path / "site1", *SITE1)
    two = _page(tmp_path / "site2", *SITE2)
    first = kg_cli("ingest", "site1/index.html")
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("1 added, 0 replaced, 0 unchanged, 0 failed")

    second = kg_cli("ingest", "site2/index.html")
    assert second.exit_code == 0, second.output
    assert second.stdout.startswith("1 added, 0 replaced, 0 unchanged, 0 failed")
    articles = _articles(tmp_path / "store")
    second_id = f"index-{hashlib.sha256(str(two.resolve()).encode()).hexdigest()[:8]}"
    assert articles == {"index": "site1/index.html", second_id: "site2/index.html"}
    assert "site2/index.html: the article id 'index' belongs to site1/index.html, another " \
        f"source; stored as '{second_id}' beside it" in second.warnings
    assert "--replace-source" in second.warnings
    assert {"ByteDance", "Nvidia"} <= _labels_in(tmp_path / "store", "index")
    assert {"Lisa Su", "Taipei"} <= _labels_in(tmp_path / "store", second_id)
    shown = kg_cli("show", "ByteDance")
    assert shown.exit_code == 0 and "[index]" in shown.stdout

    again = kg_cli("ingest", "site1/index.html", "site2/index.html")
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("0 added, 0 replaced, 2 unchanged, 0 failed")
    assert "belongs to" not in again.warnings
    alone = kg_cli("ingest", str(two))  # an absolute path is the same source
    assert alone.stdout.startswith("0 added, 0 replaced, 1 unchanged")

    two.write_text(PAGE.format(title=SITE2[0], text=SITE2[1] + " Intel was not there."),
                   encoding="utf-8")
    changed = kg_cli("ingest", "site2/index.html")
    assert changed.stdout.startswith("0 added, 1 replaced, 0 unchanged"), changed.output
    assert set(_articles(tmp_path / "store")) == {"index", second_id}

    removed = kg_cli("remove", "site2/index.html")
    assert removed.exit_code == 0 and removed.stdout == f"removed {second_id}\n"
    assert _articles(tmp_path / "store") == {"index": "site1/index.html"}
    # a third file of the name, never ingested: not a way to remove site1's article
    _page(tmp_path / "site3", *SITE2)
    refused = kg_cli("remove", "site3/index.html")
    assert refused.exit_code == 1
    assert "no stored article came from site3/index.html" in refused.output
    assert "`kg remove index`" in refused.output
    assert _articles(tmp_path / "store") == {"index": "site1/index.html"}
    assert kg_cli("show", "Lisa Su").exit_code == 1  # only the second article named her
    removed = kg_cli("remove", str(one))
    assert removed.exit_code == 0 and removed.stdout == "removed index\n"
    assert _articles(tmp_path / "store") == {}


def test_identity_a_moved_file_replaces_its_article_only_when_told(kg_cli, tmp_path):
    """site1/ moved to site3/ and the page edited: without --replace-source it is another
    source, stored beside the old article; with it, it replaces the old article, whose
    source becomes the new path, and a rerun finds it (unchanged)."""
    _page(tmp_path / "site1", *SITE1)
    assert kg_cli("ingest", "site1/index.html").exit_code == 0
    shutil.move(tmp_path / "site1", tmp_path / "site3")
    moved = tmp_path / "site3" / "index.html"
    moved.write_text(PAGE.format(title=SITE1[0], text=SITE1[1] + " Tencent did too."),
                     encoding="utf-8")
    shutil.copytree(tmp_path / "store", tmp_path / "copy")

    told = kg_cli("ingest", "--replace-source", "site3/index.html")
    assert told.exit_code == 0, told.output
    assert told.stdout.startswith("0 added, 1 replaced, 0 unchanged")
    assert "site3/index.html replaces article 'index', ingested from site1/index.html " \
        "(--replace-source)" in told.warnings
    assert _articles(tmp_path / "store") == {"index": "site3/index.html"}
    assert "Tencent" in _labels_in(tmp_path / "store", "index")
    rerun = kg_cli("ingest", "site3/index.html")
    assert rerun.stdout.startswith("0 added, 0 replaced, 1 unchanged"), rerun.output

    os.replace(tmp_path / "store", tmp_path / "told")
    os.replace(tmp_path / "copy", tmp_path / "store")
    untold = kg_cli("ingest", "site3/index.html")
    assert untold.stdout.startswith("1 added, 0 replaced, 0 unchanged"), untold.output
    assert "belongs to site1/index.html" in untold.warnings
    assert sorted(_articles(tmp_path / "store").values()) == ["site1/index.html",
                                                              "site3/index.html"]


def _article(article_id: str, path: str, text: str = "Nvidia sells chips.") -> Article:
    return Article(id=article_id, title="t", text=text, source_path=path, date=None,
                   sha256=hashlib.sha256(text.encode()).hexdigest())


def test_identity_records_keep_their_ids_and_unchanged_text_is_the_same_article(tmp_path,
                                                                              monkeypatch):
    """JSON Lines and stdin records are not files: they keep their ids (and replace the
    stored article of that id, as before). A file whose text is the stored article's is that
    article wherever it now lies (run from another folder, a relative stored path resolves
    elsewhere): nothing is stored twice."""
    monkeypatch.chdir(tmp_path)
    ids = SourceIds({"index": ("site1/index.html", _article("x", "y").sha256),
                     "r1": ("feed.jsonl:1", "0" * 64)})
    assert ids.by_source == {source_key("site1/index.html"): "index"}
    record = _article("r1", "other.jsonl:7", "AMD sells chips.")
    assert ids.resolve(record) is record
    assert ids.resolve(_article("r1", "<stdin>", "AMD sells chips.")).id == "r1"
    same_text = _article("index", "elsewhere/index.html")
    assert ids.resolve(same_text).id == "index"
    other = ids.resolve(_article("index", "elsewhere/index.html", "AMD sells chips."))
    assert other.id.startswith("index-") and len(other.id) == len("index-") + 8
    assert ids.resolve(_article("index", "elsewhere/index.html", "Edited.")).id == other.id
