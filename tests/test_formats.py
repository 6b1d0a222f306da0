"""kg.formats: one registry per kind of output, read by every CLI choice and dispatch.

Per registry: every name is offered by the commands that use it and writes something
parseable of its kind; an unknown name is refused naming the known ones; and an entry cannot
be registered without its writer (the ``dot`` regression of issue 14: a name added to the
graph-tool table only made ``kg export --format dot`` exit 0 and write GEXF).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import click
import networkx as nx
import pytest
import rdflib

from kg.cli import cli
from kg.formats import (
    GRAPH_TOOL_FORMATS,
    LISTING_FORMATS,
    RDF_FORMATS,
    GraphToolFormat,
    ListingFormat,
    RdfFormat,
    backup_formats,
    export_choices,
    graph_tool_format,
    listing_choices,
    listing_format,
    rdf_format,
)

# How a test reads each format back; a registry entry without a reader here fails
# test_*_readers_cover_the_registry, so a new format comes with its round trip.
RDF_READERS = {"trig": "trig", "nquads": "nquads", "turtle": "turtle", "jsonld": "json-ld"}
GRAPH_READERS = {
    "graphml": lambda path: nx.read_graphml(path),
    "gexf": lambda path: nx.read_gexf(path),
    "csv": lambda path: list(csv.DictReader(
        path.with_name(path.stem + "-edges.csv").open(encoding="utf-8"))),
}
LISTING_READERS = {
    "table": lambda text: text.splitlines(),
    "json": json.loads,
    "csv": lambda text: list(csv.reader(io.StringIO(text))),
    "tsv": lambda text: [line.split("\t") for line in text.splitlines()],
}


@pytest.fixture
def store_path(tmp_path, tiny):
    """A closed on-disk store holding the two tiny articles."""
    from kg.store import LocalStore

    path = tmp_path / "store"
    with LocalStore(path) as store:
        store.replace_article("tiny", tiny.quads(1, "tiny"))
        store.replace_article("tiny-two", tiny.quads(2, "tiny-two"))
    return path


def _kg(runner, store, *args):
    return runner.invoke(cli, ["--store", str(store), *args])


def _choices(command: str, option: str = "fmt") -> tuple[str, ...]:
    cmd = cli.commands[command]
    param = next(p for p in cmd.params if p.name == option)
    assert isinstance(param.type, click.Choice)
    return tuple(param.type.choices)


# --------------------------------------------------------------------------- registry shape


def test_formats_readers_cover_the_registries():
    assert set(RDF_READERS) == set(RDF_FORMATS)
    assert set(GRAPH_READERS) == set(GRAPH_TOOL_FORMATS)
    assert set(LISTING_READERS) == set(LISTING_FORMATS)


@pytest.mark.parametrize("record", [RdfFormat, GraphToolFormat])
def test_formats_an_entry_needs_its_writer(record):
    """The dot regression: a record type without a writer cannot be built."""
    write = next(f for f in dataclasses.fields(record) if f.name == "write")
    assert write.default is dataclasses.MISSING and write.default_factory is dataclasses.MISSING
    with pytest.raises(TypeError, match="write"):
        record("dot", "Graphviz", "text/vnd.graphviz", ".dot")


def test_formats_every_entry_is_complete():
    for name, form in RDF_FORMATS.items():
        assert form.name == name and callable(form.write) and form.media_type
        assert not form.backup or form.parse is not None  # restore must read it back
    for name, form in GRAPH_TOOL_FORMATS.items():
        assert form.name == name and callable(form.write) and form.suffix.startswith(".")
    for name, form in LISTING_FORMATS.items():
        assert isinstance(form, ListingFormat) and form.name == name
    assert not set(RDF_FORMATS) & set(GRAPH_TOOL_FORMATS)


# --------------------------------------------------------------------------- offered


def test_formats_commands_offer_exactly_the_registries():
    assert _choices("export") == export_choices() == tuple(RDF_FORMATS) + tuple(GRAPH_TOOL_FORMATS)
    assert _choices("backup") == _choices("restore") == backup_formats()
    assert set(backup_formats()) == {"nquads", "trig"}
    assert _choices("query") == _choices("changes") == tuple(LISTING_FORMATS)
    for command in ("articles", "stats", "rank", "validate"):
        assert _choices(command) == listing_choices() == ("table", "json")


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("name", list(RDF_FORMATS))
def test_formats_rdf_export_round_trips(runner, store_path, tmp_path, name):
    out = tmp_path / f"graph{RDF_FORMATS[name].suffixes[0]}"
    result = _kg(runner, store_path, "export", "--format", name, "-o", str(out))
    assert result.exit_code == 0, result.output
    data = rdflib.Dataset()
    data.parse(out, format=RDF_READERS[name])
    assert len(data) > 0 or sum(len(g) for g in data.graphs()) > 0
    if not RDF_FORMATS[name].merged:
        graphs = {str(g.identifier) for g in data.graphs() if len(g)}
        assert any(g.endswith("tiny") for g in graphs) and any("tiny-two" in g for g in graphs)


@pytest.mark.parametrize("name", backup_formats())
def test_formats_backup_formats_round_trip(runner, store_path, tmp_path, name):
    from kg.store import LocalStore

    dump = tmp_path / f"kg{RDF_FORMATS[name].suffixes[0]}"
    assert _kg(runner, store_path, "backup", str(dump)).exit_code == 0
    fresh = tmp_path / "fresh"
    result = _kg(runner, fresh, "restore", "--format", name, str(dump))
    assert result.exit_code == 0, result.output
    with LocalStore(store_path) as old, LocalStore(fresh) as new:
        assert len(new) == len(old) > 0


@pytest.mark.parametrize("name", list(GRAPH_TOOL_FORMATS))
def test_formats_graph_tool_export_round_trips(runner, store_path, tmp_path, name):
    out = tmp_path / f"graph{GRAPH_TOOL_FORMATS[name].suffix}"
    result = _kg(runner, store_path, "export", "--format", name, "-o", str(out))
    assert result.exit_code == 0, result.output
    read = GRAPH_READERS[name](out)
    assert len(read) > 0 if isinstance(read, list) else read.number_of_nodes() > 0


@pytest.mark.parametrize("name", list(LISTING_FORMATS))
def test_formats_listing_round_trips(runner, store_path, name):
    result = _kg(runner, store_path, "query", "--format", name,
                 "SELECT ?a WHERE { ?a a kg:Article }")
    assert result.exit_code == 0, result.output
    assert LISTING_READERS[name](result.stdout)
    if name in listing_choices():
        result = _kg(runner, store_path, "articles", "--format", name)
        assert result.exit_code == 0, result.output
        assert "tiny-two" in result.stdout
        assert LISTING_READERS[name](result.stdout)


# --------------------------------------------------------------------------- refused


@pytest.mark.parametrize("command", [
    ["export", "--format", "dot"],
    ["backup", "--format", "dot"],
    ["query", "--format", "dot", "ASK {}"],
    ["articles", "--format", "dot"],
])
def test_formats_cli_refuses_an_unknown_name_listing_the_known(runner, store_path, tmp_path,
                                                               command):
    out = tmp_path / "out.dot"
    args = [*command, str(out)] if command[0] == "backup" else [*command, "-o", str(out)] \
        if command[0] == "export" else command
    result = _kg(runner, store_path, *args)
    assert result.exit_code == 2
    assert "'dot' is not one of" in result.stderr
    known = {"export": export_choices(), "backup": backup_formats(),
             "query": tuple(LISTING_FORMATS), "articles": listing_choices()}[command[0]]
    assert all(repr(name) in result.stderr for name in known)
    assert not out.exists()


@pytest.mark.parametrize(("lookup", "known"), [
    (rdf_format, RDF_FORMATS),
    (graph_tool_format, GRAPH_TOOL_FORMATS),
    (listing_format, listing_choices()),
])
def test_formats_lookup_refuses_an_unknown_name_listing_the_known(lookup, known):
    with pytest.raises(ValueError, match="unknown .*format 'dot'; expected one of") as caught:
        lookup("dot")
    assert all(name in str(caught.value) for name in known)


def test_formats_listing_csv_only_for_sparql_results():
    assert listing_format("csv", sparql=True).name == "csv"
    with pytest.raises(ValueError, match="expected one of table, json$"):
        listing_format("csv")


def test_formats_store_dump_refuses_dot_and_writes_nothing(store_path):
    from kg.store import LocalStore

    out = io.BytesIO()
    with LocalStore(store_path) as store, pytest.raises(ValueError, match="expected one of trig"):
        store.dump("dot", out)
    assert out.getvalue() == b""


# --------------------------------------------------------------------------- SPARQL endpoint


def test_formats_negotiated_entries_need_their_serializer():
    from kg.formats import NegotiatedFormat

    with pytest.raises(TypeError, match="serializer"):
        NegotiatedFormat("dot", "text/vnd.graphviz")  # type: ignore[call-arg]


@pytest.mark.parametrize(("kind", "registry"), [("select", "SPARQL_RESULT_FORMATS"),
                                                ("graph", "NEGOTIATED_RDF_FORMATS")])
def test_formats_endpoint_offers_and_writes_each_negotiated_format(kind, registry):
    import pyoxigraph as ox

    import kg.formats
    from kg.endpoint import graph_body, negotiate

    triple = ox.Triple(ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/p"),
                       ox.Literal("b"))
    for form in getattr(kg.formats, registry):
        assert negotiate(kind, None, [form.name]) is form
        assert negotiate(kind, form.media_type) is form
        assert form.w3c
        if kind == "graph":
            body = graph_body([triple], form)
            assert [q.triple for q in ox.parse(body, format=form.serializer)] == [triple]
        else:
            solutions = ox.Store().query("SELECT ?x WHERE { BIND(1 AS ?x) }")
            body = solutions.serialize(format=form.serializer)
            if form.serializer == ox.QueryResultsFormat.CSV:  # lossy: pyoxigraph won't read it
                assert list(csv.reader(io.StringIO(body.decode()))) == [["x"], ["1"]]
            else:
                assert len(list(ox.parse_query_results(body, format=form.serializer))) == 1


def test_formats_endpoint_refuses_an_unknown_name_listing_the_known():
    from kg.endpoint import negotiate
    from kg.errors import ProtocolError

    with pytest.raises(ProtocolError, match="unknown format 'dot'.*turtle, ntriples, jsonld"):
        negotiate("graph", None, ["dot"])


@pytest.fixture(scope="module")
def restored_servers():
    """Server kind -> URL of a server the tiny articles were restored into, shared by the
    formats of one kind (each server started once, not once per format)."""
    return {}


@pytest.mark.parametrize("name", list(RDF_FORMATS))
def test_formats_remote_store_writes_each_rdf_format_as_the_local(runner, store_path, tmp_path,
                                                                 sparql_server, name,
                                                                 restored_servers):
    """RemoteStore.dump dispatches on the same registry: same statements as LocalStore.dump."""
    url = restored_servers.get(sparql_server.kind)
    if url is None:
        url = sparql_server().url
        dump = tmp_path / "kg.nq"
        assert _kg(runner, store_path, "backup", str(dump)).exit_code == 0
        restored = _kg(runner, url, "restore", str(dump))
        assert restored.exit_code == 0, restored.output
        restored_servers[sparql_server.kind] = url
    counts = []
    for store in (store_path, url):
        result = _kg(runner, store, "export", "--format", name)
        assert result.exit_code == 0, result.output
        data = rdflib.Dataset()
        data.parse(data=result.stdout, format=RDF_READERS[name])
        counts.append(sorted(len(g) for g in data.graphs() if len(g)))
    assert counts[0] == counts[1] and counts[0]
