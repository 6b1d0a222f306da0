"""The listings of the read commands (issue 12, part C): names that paste back into a query,
``--format json`` everywhere, tables that fit the terminal, ``kg query -``."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.cli import cli
from kg.store import LocalStore
from kg.vocab import ID, short_name

#: Said by the ``beijing`` article: three Chinese firms, their place (a hub) and a chip.
BEIJING = (
    "Huawei and Baidu, both based in China, compete. "
    "Huawei develops the Ascend 910B, which Baidu buys. "
    "Tencent, also based in China, buys the Ascend 910B too."
)


def _records(article_id: str, text: str, entities, relations, title: str | None = None):
    """An article and its extraction, from ``entities`` (label, class[, scope]) and
    ``relations`` (subject, predicate, object, surface): each found in the one sentence that
    holds its surface."""
    import hashlib

    from extract.records import Entity, Evidence, Extraction, Relation
    from kg.sources import Article

    def ev(surface: str, rule: str) -> Evidence:
        start = text.index(surface)
        s_start = text.rfind(". ", 0, start)
        s_start = 0 if s_start < 0 else s_start + 2
        s_end = text.find(". ", start)
        s_end = len(text) if s_end < 0 else s_end + 1
        return Evidence(sentence=text[s_start:s_end], sentence_start=s_start,
                        sentence_end=s_end, start=start, end=start + len(surface), rule=rule,
                        confidence=0.9, surface=surface)

    ents = tuple(Entity(label, label, cls, scope=scope,
                        mentions=(ev(label, "gazetteer"),))
                 for label, cls, scope in (e if len(e) == 3 else (*e, "global")
                                           for e in entities))
    rels = tuple(Relation(s, p, o, ev(surface, f"{p}.test")) for s, p, o, surface in relations)
    article = Article(id=article_id, title=title or f"The {article_id} story", text=text,
                      source_path=f"tests/data/{article_id}.txt", date="Dec 8, 2024",
                      sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    return article, Extraction(entities=ents, relations=rels)


@pytest.fixture
def listing_store(tmp_path, tiny):
    """A closed store: the ``tiny`` article (ByteDance, TikTok, Nvidia, H20 and an
    article-scoped "proposed rule") and ``beijing`` (Huawei, Baidu, Tencent, China, Ascend
    910B)."""
    from kg.build import article_quads

    path = tmp_path / "store"
    article, extraction = _records(
        "beijing", BEIJING,
        [("Huawei", "Company"), ("Baidu", "Company"), ("China", "Place"),
         ("Ascend 910B", "Chip"), ("Tencent", "Company")],
        [("Huawei", "headquarteredIn", "China", "Huawei and Baidu, both based in China"),
         ("Baidu", "headquarteredIn", "China", "Baidu, both based in China"),
         ("Huawei", "competesWith", "Baidu", "Huawei and Baidu"),
         ("Huawei", "develops", "Ascend 910B", "Huawei develops the Ascend 910B"),
         ("Baidu", "purchases", "Ascend 910B", "Ascend 910B, which Baidu buys"),
         ("Tencent", "headquarteredIn", "China", "Tencent, also based in China"),
         ("Tencent", "purchases", "Ascend 910B", "buys the Ascend 910B too")])
    with LocalStore(path) as store:
        store.replace_article("tiny", tiny.quads(1, "tiny"))
        store.replace_article("beijing", article_quads(
            article, extraction, ingested_at=datetime(2024, 12, 9, tzinfo=UTC),
            extractor_version="test-1"))
    return path


def _kg(runner, store: Path, *args: str, **kwargs):
    env = {"COLUMNS": None, **kwargs.pop("env", {})}
    return runner.invoke(cli, ["--store", str(store), *args], env=env, **kwargs)


# --------------------------------------------------------------------------- names


def test_cli_listings_short_names_are_class_prefixed_or_full_iris():
    assert short_name(f"{ID}place/china") == "place:china"
    assert short_name(f"{ID}governmentbody/bis") == "governmentbody:bis"
    assert short_name(f"{ID}datacenter/colossus") == "datacenter:colossus"
    # article-scoped entities and local names needing escapes are printed whole
    assert short_name(f"{ID}regulation/tiny/proposed-rule") == (
        f"<{ID}regulation/tiny/proposed-rule>")
    assert short_name(f"{ID}place/u.s.") == f"<{ID}place/u.s.>"
    assert short_name("https://w3id.org/aikg/article/000_d224b8482df45905") == (
        "kga:000_d224b8482df45905")
    assert short_name("http://www.wikidata.org/entity/Q42") == "wd:Q42"


def test_cli_listings_every_name_kg_query_prints_pastes_back(runner, listing_store):
    """Each IRI a `kg query` table prints, pasted into another query, is that IRI again
    (`kgr:place/china`, printed before, was a syntax error: "expected OPTIONAL")."""
    text = "SELECT DISTINCT ?x WHERE { { ?x ?p ?o } UNION { ?s ?p ?x } FILTER(isIRI(?x)) } " \
           "ORDER BY ?x"
    table = _kg(runner, listing_store, "query", text)
    data = _kg(runner, listing_store, "query", "--format", "json", text)
    assert table.exit_code == 0 and data.exit_code == 0, table.output + data.output
    printed = table.stdout.splitlines()[2:]
    iris = [b["x"]["value"] for b in json.loads(data.stdout)["results"]["bindings"]]
    assert len(printed) == len(iris) > 10
    assert "place:china" in printed and "company:nvidia" in printed
    assert f"<{ID}regulation/tiny/proposed-rule>" in printed
    for name, iri in zip(printed, iris, strict=True):
        for query in (f"SELECT ?x WHERE {{ VALUES ?x {{ {name} }} }}",
                      f"SELECT DISTINCT ?x WHERE {{ BIND({name} AS ?x) "
                      f"{{ {name} ?p ?o }} UNION {{ ?s ?p {name} }} }}"):
            back = _kg(runner, listing_store, "query", "--format", "json", query)
            assert back.exit_code == 0, (name, back.output)
            values = [b["x"]["value"] for b in json.loads(back.stdout)["results"]["bindings"]]
            assert values == [iri], name


def test_cli_listings_show_and_rank_print_names_that_paste_back(runner, listing_store):
    shown = _kg(runner, listing_store, "show", "china")
    assert shown.exit_code == 0, shown.output
    assert re.search(r"^  iri +place:china$", shown.stdout, re.M)
    ranked = _kg(runner, listing_store, "rank", "--type", "Place")
    assert ranked.exit_code == 0, ranked.output
    assert ranked.stdout.splitlines()[0].split()[-1] == "id"
    assert ranked.stdout.splitlines()[2].split()[-1] == "place:china"
    near = _kg(runner, listing_store, "neighbors", "China")
    assert near.exit_code == 0, near.output
    assert {line.split()[3] for line in near.stdout.splitlines()[2:]} == {
        "company:huawei", "company:baidu", "company:tencent"}


# --------------------------------------------------------------------------- --format json


def _json(runner, store, *args):
    result = _kg(runner, store, *args, "--format", "json")
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.stdout)


def test_cli_listings_every_listing_has_format_json(runner, listing_store):
    huawei, china = f"{ID}company/huawei", f"{ID}place/china"
    shown = _json(runner, listing_store, "show", "Huawei")
    assert (shown["iri"], shown["label"], shown["classes"]) == (huawei, "Huawei", ["Company"])
    out = {(r["direction"], r["predicate"], r["iri"]) for r in shown["relations"]}
    assert ("out", "headquarteredIn", china) in out and ("in", "competesWith", huawei) not in out
    develops = next(r for r in shown["relations"] if r["predicate"] == "develops")
    assert develops["basis"] == "text" and develops["evidence"][0]["article"] == "beijing"
    assert develops["evidence"][0]["sentence"].startswith("Huawei develops")

    stats = _json(runner, listing_store, "stats")
    assert stats["articles"] == 2 and stats["classes"]["Place"] == 1
    assert stats["properties"]["develops"] == 2 and len(stats["properties"]) == 22

    queries = _json(runner, listing_store, "queries")["queries"]
    assert {"chips-bought", "about"} <= {q["name"] for q in queries}
    assert all(q["text"].strip() and isinstance(q["params"], list) for q in queries)
    [one] = _json(runner, listing_store, "queries", "--show", "chips-bought")["queries"]
    assert one["name"] == "chips-bought"

    articles = _json(runner, listing_store, "articles")["articles"]
    assert [a["id"] for a in articles] == ["beijing", "tiny"]

    ranked = _json(runner, listing_store, "rank", "--type", "Place")
    assert [e["iri"] for e in ranked["entities"]] == [china]

    near = _json(runner, listing_store, "neighbors", "China")
    assert near["entity"] == china
    assert {n["iri"] for n in near["neighbors"]} == {
        huawei, f"{ID}company/baidu", f"{ID}company/tencent"}

    path = _json(runner, listing_store, "path", "Baidu", "Ascend 910B")
    assert path["length"] == 1 and path["paths"][0]["entities"][0]["iri"] == (
        f"{ID}company/baidu")

    found = _json(runner, listing_store, "communities", "--top", "0")["communities"]
    assert sorted(m["iri"] for c in found for m in c["members"]) == sorted(
        e["iri"] for e in _json(runner, listing_store, "rank", "--top", "0")["entities"])
    for c in found:
        assert c["name"] == " / ".join(m["label"] for m in c["members"][:3])


# --------------------------------------------------------------------------- widths

#: A title longer than any terminal.
LONG_TITLE = "Huawei and Baidu " + "and the long story of their chips " * 6 + "end"


@pytest.fixture
def long_store(tmp_path):
    """A closed store with one article whose title is :data:`LONG_TITLE` plus an escape."""
    from kg.build import article_quads

    path = tmp_path / "long"
    article, extraction = _records(
        "long-one", BEIJING, [("Huawei", "Company"), ("Baidu", "Company")],
        [("Huawei", "competesWith", "Baidu", "Huawei and Baidu")],
        title=LONG_TITLE + "\x1b]0;owned\x07")
    with LocalStore(path) as store:
        store.replace_article("long-one", article_quads(
            article, extraction, ingested_at=datetime(2024, 12, 9, tzinfo=UTC),
            extractor_version="test-1"))
    return path


def test_cli_listings_tables_fit_columns_and_cut_with_an_ellipsis(runner, long_store):
    cut = _kg(runner, long_store, "articles", env={"COLUMNS": "60"})
    assert cut.exit_code == 0, cut.output
    lines = cut.stdout.splitlines()
    assert all(len(line) <= 60 for line in lines), lines
    assert lines[2].startswith("long-one  ") and lines[2].endswith("…")
    assert LONG_TITLE[:20] in lines[2]
    # --wide keeps it whole, COLUMNS or not; so does output that is not a terminal
    for wide in (_kg(runner, long_store, "articles", "--wide", env={"COLUMNS": "60"}),
                 _kg(runner, long_store, "articles")):
        assert wide.exit_code == 0, wide.output
        assert LONG_TITLE in wide.stdout and "…" not in wide.stdout
        # the hostile title is still escaped, cut or not
        assert "\\x1b]0;owned\\x07" in wide.stdout and "\x1b" not in wide.stdout
    assert "\x1b" not in cut.stdout


def test_cli_listings_ids_and_numbers_are_never_cut(runner, listing_store):
    result = _kg(runner, listing_store, "neighbors", "H20", env={"COLUMNS": "50"})
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()[2:]
    ids = {row.split()[3] for row in rows}
    assert f"<{ID}regulation/tiny/proposed-rule>" in ids and "company:nvidia" in ids
    assert any(row.endswith("…") for row in rows)  # the relations are cut instead


def test_cli_listings_query_table_cuts_literals_not_iris(runner, listing_store):
    text = ("SELECT ?e ?sentence WHERE { GRAPH ?g { ?ev kg:sentence ?sentence ; "
            "rdf:subject ?e } } ORDER BY DESC(STRLEN(?sentence)) LIMIT 1")
    result = _kg(runner, listing_store, "query", text, env={"COLUMNS": "40"})
    assert result.exit_code == 0, result.output
    name, sentence = result.stdout.splitlines()[2].split("  ", 1)
    assert re.fullmatch(r"\w+:[\w-]+", name) and sentence.strip().endswith("…")
    whole = _kg(runner, listing_store, "query", "--wide", text, env={"COLUMNS": "40"})
    assert whole.stdout.splitlines()[2].strip().endswith(".")


# --------------------------------------------------------------------------- kg query -


def test_cli_listings_query_reads_standard_input(runner, listing_store):
    text = "SELECT ?c WHERE {\n  ?c kg:headquarteredIn place:china\n} ORDER BY ?c\n"
    result = _kg(runner, listing_store, "query", "--format", "csv", "-",
                 input=text.encode("utf-8"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "c", f"{ID}company/baidu", f"{ID}company/huawei", f"{ID}company/tencent"]
    empty = _kg(runner, listing_store, "query", "-", input=b"  \n")
    assert empty.exit_code == 2 and "no query on standard input" in empty.stderr
    latin = _kg(runner, listing_store, "query", "-", input="ASK { ?s ?p \"Caf\xe9\" }"
                .encode("latin-1"))
    assert latin.exit_code == 2 and "not UTF-8" in latin.stderr


# --------------------------------------------------------------------------- paths, communities


def _path_entities(data) -> list[list[str]]:
    return [[e["label"] for e in p["entities"]] for p in data["paths"]]


def test_cli_listings_path_exclude_type_avoids_the_hub(runner, listing_store):
    both = _json(runner, listing_store, "path", "Tencent", "Huawei")
    assert sorted(_path_entities(both)) == [["Tencent", "Ascend 910B", "Huawei"],
                                            ["Tencent", "China", "Huawei"]]
    avoiding = _json(runner, listing_store, "path", "Tencent", "Huawei",
                     "--exclude-type", "place")
    assert _path_entities(avoiding) == [["Tencent", "Ascend 910B", "Huawei"]]
    assert avoiding["exclude_types"] == ["Place"]
    table = _kg(runner, listing_store, "path", "Tencent", "Huawei", "--exclude-type", "Place")
    assert table.stdout.startswith("Tencent to Huawei, avoiding Place: 1 shortest path")
    # the ends may be of an excluded class
    ends = _json(runner, listing_store, "path", "China", "Ascend 910B", "--exclude-type", "Place")
    assert all(p[0] == "China" for p in _path_entities(ends))
    none = _kg(runner, listing_store, "path", "Tencent", "Baidu", "--exclude-type", "Place",
               "--exclude-type", "Chip")
    assert none.exit_code == 1
    assert "no path between 'Tencent' and 'Baidu' avoiding every Place, Chip" in none.stderr
    assert "leave out --exclude-type" in none.stderr
    bad = _kg(runner, listing_store, "path", "Tencent", "Baidu", "--exclude-type", "Plaec")
    assert bad.exit_code == 2 and "did you mean Place?" in bad.stderr


def test_cli_listings_path_via_goes_through_the_entity(runner, listing_store):
    direct = _json(runner, listing_store, "path", "Tencent", "Baidu")
    assert direct["length"] == 2
    through = _json(runner, listing_store, "path", "Tencent", "Baidu", "--via", "huawei")
    assert through["length"] == 3 and through["via"] == f"{ID}company/huawei"
    assert sorted(_path_entities(through)) == [
        ["Tencent", "Ascend 910B", "Huawei", "Baidu"], ["Tencent", "China", "Huawei", "Baidu"]]
    table = _kg(runner, listing_store, "path", "Tencent", "Baidu", "--via", "Huawei",
                "--exclude-type", "Place")
    assert table.exit_code == 0, table.output
    assert table.stdout.startswith("Tencent to Baidu via Huawei, avoiding Place: 1 shortest")
    assert "path 1: Tencent · Ascend 910B · Huawei · Baidu" in table.stdout
    # a path never passes an entity twice: China to Baidu through Tencent is China, Tencent,
    # China, Baidu or through the chip
    loop = _json(runner, listing_store, "path", "China", "Baidu", "--via", "Tencent")
    assert all(len(set(p)) == len(p) for p in _path_entities(loop))
    unknown = _kg(runner, listing_store, "path", "Tencent", "Baidu", "--via", "Huaweii")
    assert unknown.exit_code == 1 and "did you mean 'Huawei'" in unknown.stderr


def test_cli_listings_communities_by_class_keep_their_numbers_and_names(runner, listing_store):
    every = _json(runner, listing_store, "communities", "--top", "0")["communities"]
    places = _json(runner, listing_store, "communities", "--top", "0", "--type", "Place")
    [china] = places["communities"]
    assert [m["label"] for m in china["members"]] == ["China"]
    same = next(c for c in every if c["community"] == china["community"])
    assert (same["name"], same["size"]) == (china["name"], china["size"])
    table = _kg(runner, listing_store, "communities", "--type", "place")
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[0].split()[-3:] == ["Place", "(by", "degree)"]
    assert "communities with Place" in table.stderr


def test_cli_listings_viz_community_draws_that_community(runner, listing_store, tmp_path):
    every = _json(runner, listing_store, "communities", "--top", "0", "--seed", "7")
    for c in every["communities"]:
        out = tmp_path / f"c{c['community']}.html"
        result = _kg(runner, listing_store, "viz", "--community", str(c["community"]),
                     "--seed", "7", "-o", str(out))
        assert result.exit_code == 0, result.output
        assert f"kg: {c['size']} entities" in result.stderr
        page = out.read_text(encoding="utf-8")
        assert f"community {c['community']}: {c['name']}" in page
        for member in c["members"]:
            assert member["iri"] in page
    missing = _kg(runner, listing_store, "viz", "--community", "99", "-o",
                  str(tmp_path / "none.html"))
    assert missing.exit_code == 2 and "there is no community 99" in missing.stderr
    assert not (tmp_path / "none.html").exists()


# --------------------------------------------------------------------------- any IRI

_IRI_CHARS = "abcXYZ019-._~:/%éß中"


@settings(max_examples=300, deadline=None)
@given(local=st.text(alphabet=_IRI_CHARS, max_size=12),
       base=st.sampled_from([f"{ID}place/", f"{ID}", "https://w3id.org/aikg/ont#",
                             "https://w3id.org/aikg/article/", "http://example.org/x/"]))
def test_cli_listings_every_short_name_parses_back_to_its_iri(local, base):
    import pyoxigraph as ox

    from kg.vocab import PREFIXES

    local = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", local)  # a lone % is no IRI
    iri = base + local
    name = short_name(iri)
    found = ox.Store().query(f"SELECT ?x WHERE {{ VALUES ?x {{ {name} }} }}", prefixes=PREFIXES)
    assert [row["x"].value for row in found] == [iri], name
