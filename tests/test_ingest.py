"""kg.ingest: sources -> store with the real pipeline (the seeds are the first corpus)."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

import extract
from kg.graph import statistics
from kg.ingest import ingest
from kg.store import LocalStore
from kg.vocab import CLASSES, KG

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
ARTICLES = ROOT / "tests" / "data" / "articles"


def test_ingest_seeds_adds_five_articles_without_failures(seeded_store):
    report = seeded_store.report
    assert len(report.added) == 5
    assert report.failed == () and report.replaced == () and report.unchanged == ()
    assert report.summary() == "5 added, 0 replaced, 0 unchanged, 0 failed"


def test_ingest_seeds_hold_every_class(seeded_store):
    with LocalStore(seeded_store.path, read_only=True) as store:
        stats = statistics(store)
    assert stats.articles == 5
    empty = [name for name, n in stats.classes if n == 0]
    assert not empty, f"no entity of class {empty} in the seeds"
    assert {name for name, _ in stats.classes} == set(CLASSES)
    assert stats.statements > 0 and stats.evidence > stats.statements


def test_ingest_again_reports_unchanged_and_changes_nothing(seeded_copy, nlp):
    with LocalStore(seeded_copy) as store:
        before = store.quads()
        report = ingest(store, [SEEDS], nlp=nlp)
        assert store.quads() == before
    assert len(report.unchanged) == 5
    assert report.added == report.replaced == report.failed == ()


def test_ingest_unchanged_articles_do_not_load_spacy(seeded_copy, run_python):
    code = (
        "import sys\n"
        "from kg.ingest import ingest\n"
        "from kg.store import LocalStore\n"
        "with LocalStore(sys.argv[1]) as store:\n"
        "    report = ingest(store, [sys.argv[2]])\n"
        "assert len(report.unchanged) == 5, report\n"
        "assert 'spacy' not in sys.modules, 'spacy was imported'\n"
    )
    result = run_python(code, str(seeded_copy), str(SEEDS))
    assert result.returncode == 0, result.stderr


def test_ingest_changed_article_replaces_its_graph(tmp_path, nlp):
    src = tmp_path / "src"
    shutil.copytree(ARTICLES, src)
    article = src / "nvidia-supplies.txt"
    with LocalStore(tmp_path / "store") as store:
        ingest(store, [src], nlp=nlp)
        old_sha = store.article_sha("nvidia-supplies")
        untouched = store.quads("front-matter")
        new_text = "Huawei supplies Ascend 910B chips to Baidu.\nBaidu is based in Beijing.\n"
        article.write_text(new_text, encoding="utf-8")
        report = ingest(store, [src], nlp=nlp)
        assert report.replaced == ("nvidia-supplies",)
        assert set(report.unchanged) == {"front-matter", "page"}
        assert store.article_sha("nvidia-supplies") not in (None, old_sha)
        sentences = [
            r["s"].value
            for r in store.query(
                "SELECT ?s WHERE { GRAPH kga:nvidia-supplies { ?ev kg:sentence ?s } }"
            )
        ]
        assert sentences and all(s in new_text for s in sentences)
        assert not list(store.query(
            "SELECT ?x WHERE { GRAPH kga:nvidia-supplies { ?x rdfs:label \"Jensen Huang\" } }"
        ))
        assert store.quads("front-matter") == untouched


def test_ingest_new_extractor_version_replaces_unchanged_text(tmp_path, nlp, monkeypatch):
    with LocalStore(tmp_path / "store") as store:
        ingest(store, [ARTICLES / "nvidia-supplies.txt"], nlp=nlp)
        monkeypatch.setattr(extract, "EXTRACTOR_VERSION", "999.0.0")
        report = ingest(store, [ARTICLES / "nvidia-supplies.txt"], nlp=nlp)
        assert report.replaced == ("nvidia-supplies",)
        assert store.article("nvidia-supplies").extractor_version == "999.0.0"


def test_ingest_bad_files_are_reported_and_the_rest_is_ingested(tmp_path, bad_sources, nlp):
    with LocalStore(tmp_path / "store") as store:
        report = ingest(store, [bad_sources.dir, tmp_path / "missing.txt"], nlp=nlp)
        assert report.added == ("good",)
        failed = {Path(p).name: reason for p, reason in report.failed}
        assert set(failed) == {"binary.txt", "blank.md", "empty.txt", "missing.txt"}
        assert "binary" in failed["binary.txt"] and "empty" in failed["empty.txt"]
        assert not report.ok
        assert [a.id for a in store.articles()] == ["good"]


def test_ingest_reports_progress_for_every_source(tmp_path, bad_sources, nlp):
    calls: list[tuple[int, int]] = []
    with LocalStore(tmp_path / "store") as store:
        ingest(store, [bad_sources.dir], nlp=nlp, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(i, 4) for i in range(1, 5)]


def test_ingest_html_and_markdown_articles(tmp_path, nlp):
    with LocalStore(tmp_path / "store") as store:
        report = ingest(store, [ARTICLES], nlp=nlp)
        assert sorted(report.added) == ["front-matter", "nvidia-supplies", "page"]
        info = store.article("front-matter")
        assert info.title == "Moonshot AI hires in San Francisco"
        assert info.date == "2024-11-20"
        labels = {r["l"].value for r in store.query(
            "SELECT ?l WHERE { GRAPH kga:page { ?e rdfs:label ?l } }")}
        assert "Baidu" in labels and "Tencent" not in labels


def test_ingest_article_the_extractor_fails_on_is_reported(tmp_path, nlp):
    """A text the pipeline cannot handle fails alone (spaCy refuses > nlp.max_length)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "fine.txt").write_text("Nvidia makes the H20 chip.\n", encoding="utf-8")
    # 750,000 characters: under kg.sources.MAX_TEXT_CHARS, over the nlp.max_length set here
    (src / "huge.txt").write_text("word " * 150_000, encoding="utf-8")
    old = nlp.max_length
    nlp.max_length = 100_000
    try:
        with LocalStore(tmp_path / "store") as store:
            report = ingest(store, [src], nlp=nlp, batch_size=2)
    finally:
        nlp.max_length = old
    if not report.failed:
        pytest.skip("the extractor splits long texts below nlp.max_length")
    assert report.added == ("fine",)
    [(path, reason)] = report.failed
    assert path.endswith("huge.txt") and reason.startswith("extraction failed")


# --------------------------------------------------------------------------- streaming


def _without_ingest_time(quads):
    return {q for q in quads if not q.predicate.value.endswith("#ingestedAt")}


def test_ingest_streams_sources_committing_each_batch_before_reading_far_ahead(kg_store, nlp):
    """The source iterable is consumed lazily: when the first batch is committed, only that
    batch (and no more) has been read; later batches are read after."""
    from kg.ingest import ingest_articles
    from kg.sources import read_sources

    sources = list(read_sources([SEEDS, ARTICLES]))
    pulled: list[int] = []
    committed_after: list[int] = []

    def feed():
        for n, item in enumerate(sources, 1):
            pulled.append(n)
            yield item

    original = kg_store.add_articles

    def add_articles(articles, **kwargs):
        committed_after.append(len(pulled))
        original(articles, **kwargs)

    kg_store.add_articles = add_articles
    report = ingest_articles(kg_store, feed(), nlp=nlp, batch_size=2)
    assert len(report.added) == len(sources)
    # batch of 2: the first commit happens after 2 reads, the next after 4, ...
    assert committed_after[0] == 2
    assert committed_after == sorted(committed_after)
    assert len(committed_after) == (len(sources) + 1) // 2


def test_ingest_with_two_workers_stores_the_same_graph_as_one(seeded_store, kg_store):
    report = ingest(kg_store, [SEEDS], workers=2, batch_size=2)
    assert sorted(report.added) == sorted(seeded_store.report.added)
    with LocalStore(seeded_store.path, read_only=True) as single:
        expected = _without_ingest_time(single.quads())
    assert _without_ingest_time(kg_store.quads()) == expected


def test_ingest_with_workers_reports_failures_in_place_and_goes_on(kg_store, bad_sources):
    report = ingest(kg_store, [bad_sources.dir, SEEDS / "000_d224b8482df45905.txt"],
                    workers=2)
    assert sorted(report.added) == ["000_d224b8482df45905", "good"]
    bad = {bad_sources.empty, bad_sources.blank, bad_sources.binary}
    assert {path for path, _ in report.failed} == set(map(str, bad))


def test_ingest_progress_counts_to_the_total_or_to_none_for_a_stream(kg_store, nlp, tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "a", "text": "Nvidia sold chips to ByteDance."}\n'
                    '{"id": "b", "text": "Intel opened a fab in Ohio."}\n', encoding="utf-8")
    calls: list[tuple[int, int | None]] = []
    ingest(kg_store, [feed], nlp=nlp, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (2, 2)
    calls.clear()
    import io

    stream = io.BytesIO(b'{"id": "c", "text": "AMD bought Xilinx."}\n')
    ingest(kg_store, ["-"], nlp=nlp, stdin=stream,
           progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, None)]


def test_ingest_jsonl_feed_and_stdin_store_url_date_and_title(kg_store, nlp):
    import io

    feed = (b'{"id": "Feed 1", "title": "Nvidia ships to ByteDance", '
            b'"text": "Nvidia sold H20 chips to ByteDance.", "date": "2025-01-02", '
            b'"url": "https://example.org/news/1"}\n'
            b'{"id": 7, "text": "  "}\n')
    report = ingest(kg_store, ["-"], nlp=nlp, stdin=io.BytesIO(feed))
    assert report.added == ("feed-1",)
    assert report.failed == (("<stdin>:2", "record has no 'text'"),)
    [row] = kg_store.select(
        "SELECT ?title ?date ?url WHERE { GRAPH ?g { ?g dcterms:title ?title ; "
        "dcterms:date ?date ; dcterms:source ?url } }", use_default_graph_as_union=False)
    assert row["title"].value == "Nvidia ships to ByteDance"
    assert row["date"].value == "2025-01-02"
    assert row["url"].value == "https://example.org/news/1"
    # the headline is part of the text the extractor reads
    labels = {r["l"].value for r in kg_store.select("SELECT ?l WHERE { ?e rdfs:label ?l }")}
    assert {"Nvidia", "ByteDance"} <= labels


def test_ingest_shards_split_a_feed_without_overlap(seeded_store, kg_store, nlp):
    reports = [ingest(kg_store, [SEEDS], nlp=nlp, shard=(k, 3)) for k in (1, 2, 3)]
    added = [set(r.added) for r in reports]
    assert sum(map(len, added)) == 5 and set().union(*added) == set(seeded_store.report.added)
    assert [r.other_shards for r in reports] == [5 - len(a) for a in added]
    assert all(r.summary().endswith(f"{r.other_shards} left to other shards")
               for r in reports if r.other_shards)
    with LocalStore(seeded_store.path, read_only=True) as single:
        assert _without_ingest_time(kg_store.quads()) == _without_ingest_time(single.quads())


# --------------------------------------------------------------------------- one name, one node
# "Zentrova" after "a startup" is a Company, in "an office in Zentrova" a Place (the real
# extractor's reading of these sentences): one name, one node, the first class stored.
STARTUP = "Zentrova, a startup founded in 2021, raised $20 million from investors on Monday.\n"
OFFICE = "The company opened a new office in Zentrova last year, officials said.\n"
COMPANY_NODE = "https://w3id.org/aikg/id/company/zentrova"
PLACE_NODE = "https://w3id.org/aikg/id/place/zentrova"


def _zentrova_nodes(store: LocalStore) -> dict[str, set[str]]:
    """Node IRI -> the article graphs typing it, for every node named Zentrova."""
    rows = store.select('SELECT ?e ?g WHERE { GRAPH ?g { ?e kg:labelKey "zentrova" ; a ?c } }')
    nodes: dict[str, set[str]] = {}
    for row in rows:
        nodes.setdefault(row["e"].value, set()).add(row["g"].value.rsplit("/", 1)[-1])
    return nodes


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _without_run_stamps(store: LocalStore) -> set:
    stamps = {f"<{KG.ingestedAt}>", f"<{KG.extractorVersion}>"}
    return {q for q in store.quads() if str(q.predicate) not in stamps}


def test_ingest_one_name_typed_two_ways_is_one_node_in_one_run(kg_store, nlp, tmp_path):
    src = tmp_path / "src"
    _write(src, "a-startup", STARTUP)
    _write(src, "b-office", OFFICE)
    report = ingest(kg_store, [src], nlp=nlp)
    assert set(report.added) == {"a-startup", "b-office"}
    assert _zentrova_nodes(kg_store) == {COMPANY_NODE: {"a-startup", "b-office"}}
    # the office article's mention supports the type the node has
    types = {r["c"].value for r in kg_store.select(
        f"SELECT ?c WHERE {{ GRAPH kga:b-office {{ ?ev rdf:subject <{COMPANY_NODE}> ; "
        "rdf:predicate rdf:type ; rdf:object ?c } }")}
    assert types == {"https://w3id.org/aikg/ont#Company"}


def test_ingest_one_name_typed_two_ways_is_one_node_across_runs(kg_store, nlp, tmp_path):
    ingest(kg_store, [_write(tmp_path / "one", "b-office", OFFICE)], nlp=nlp)
    ingest(kg_store, [_write(tmp_path / "two", "a-startup", STARTUP)], nlp=nlp)
    # the first class stored wins: here the office article's Place
    assert _zentrova_nodes(kg_store) == {PLACE_NODE: {"a-startup", "b-office"}}


def test_ingest_again_of_an_article_that_adopted_a_class_is_idempotent(
        kg_store, nlp, tmp_path, monkeypatch):
    src = tmp_path / "src"
    _write(src, "a-startup", STARTUP)
    _write(src, "b-office", OFFICE)
    ingest(kg_store, [src], nlp=nlp)
    before = _without_run_stamps(kg_store)
    monkeypatch.setattr(extract, "EXTRACTOR_VERSION", "999.0.0")
    report = ingest(kg_store, [src], nlp=nlp)
    assert set(report.replaced) == {"a-startup", "b-office"}
    after = _without_run_stamps(kg_store)
    assert after == before
    assert _zentrova_nodes(kg_store) == {COMPANY_NODE: {"a-startup", "b-office"}}


def test_remove_of_the_article_that_gave_the_class_keeps_the_node_until_reingest(
        kg_store, nlp, tmp_path, monkeypatch):
    # docs/decisions/0015: the remaining article keeps the node as it was written; the next
    # time it is built (changed text, new extractor version) it takes its own class again
    src = tmp_path / "src"
    _write(src, "a-startup", STARTUP)
    office = _write(src, "b-office", OFFICE)
    ingest(kg_store, [src], nlp=nlp)
    assert kg_store.remove_article("a-startup")
    assert _zentrova_nodes(kg_store) == {COMPANY_NODE: {"b-office"}}
    monkeypatch.setattr(extract, "EXTRACTOR_VERSION", "999.0.0")
    assert ingest(kg_store, [office], nlp=nlp).replaced == ("b-office",)
    assert _zentrova_nodes(kg_store) == {PLACE_NODE: {"b-office"}}
    merged = {r["c"].value for r in kg_store.select(
        f"SELECT ?c WHERE {{ VALUES ?e {{ <{COMPANY_NODE}> <{PLACE_NODE}> }} ?e a ?c }}")}
    assert merged == {"https://w3id.org/aikg/ont#Place"}


def test_ingest_the_cluster_path_uses_the_public_worker_api_only():
    """kg/cluster.py runs kg.ingest's worker API (``prepare_worker``, ``build_batch``,
    ``IngestRun``, ``BatchWriter``): no private name of kg.ingest, imported or reached."""
    root = Path(__file__).resolve().parents[1]
    tree = ast.parse((root / "kg" / "cluster.py").read_text(encoding="utf-8"))
    offenders = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("ingest"):
            offenders += [alias.name for alias in node.names if alias.name.startswith("_")]
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "ingest" and node.attr.startswith("_"):
            offenders.append(f"ingest.{node.attr}")
    assert not offenders
    import kg.ingest

    assert {"prepare_worker", "build_batch", "IngestRun", "BatchWriter"} <= set(kg.ingest.__all__)
