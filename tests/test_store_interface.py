"""The one store interface (kg.store.base.Store): both stores implement all of it, as
siblings, callers never ask which one they hold, and the two give the same answers."""

from __future__ import annotations

import ast
import inspect
import io
from pathlib import Path

import pytest

from kg.errors import StoreError
from kg.store import LocalStore, RemoteStore, Store, open_store
from kg.vocab import ARTICLE

ROOT = Path(__file__).resolve().parents[1]
#: The store classes no module outside kg/store/ may test an object against.
STORE_CLASSES = {"Store", "LocalStore", "RemoteStore"}


def test_store_interface_both_stores_implement_every_abstract_member():
    abstract = Store.__abstractmethods__
    assert {"query", "quads", "dump", "replace_article", "add_articles", "remove_article",
            "close", "clear", "unchanging"} <= abstract
    for cls in (LocalStore, RemoteStore):
        assert not cls.__abstractmethods__, cls
        for name in abstract:
            assert getattr(cls, name) is not getattr(Store, name), (cls, name)


def test_store_interface_a_store_missing_a_member_cannot_be_instantiated():
    with pytest.raises(TypeError, match="abstract"):
        Store()  # type: ignore[abstract]
    members = {name: getattr(LocalStore, name) for name in Store.__abstractmethods__
               if name != "dump"}
    partial = type("Partial", (Store,), members)
    with pytest.raises(TypeError, match="dump"):
        partial()


def test_store_interface_the_stores_are_siblings():
    assert not issubclass(RemoteStore, LocalStore)
    assert not issubclass(LocalStore, RemoteStore)
    assert issubclass(LocalStore, Store) and issubclass(RemoteStore, Store)
    assert "oxigraph" not in dir(RemoteStore)
    assert LocalStore.exact_syntax_columns and not RemoteStore.exact_syntax_columns


def test_store_interface_every_public_member_is_documented():
    for name, member in vars(Store).items():
        if name.startswith("_") and name not in ("__len__", "_apply_update"):
            continue
        if callable(member) or isinstance(member, property):
            assert inspect.getdoc(member), f"Store.{name} has no docstring"


def _isinstance_on_a_store(tree: ast.AST) -> list[int]:
    """Lines of ``isinstance(x, C)`` (C a name, an attribute or a tuple/union of them)
    naming one of :data:`STORE_CLASSES`."""
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("isinstance", "issubclass") and len(node.args) == 2):
            names = {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)}
            names |= {n.attr for n in ast.walk(node.args[1]) if isinstance(n, ast.Attribute)}
            if names & STORE_CLASSES:
                found.append(node.lineno)
    return found


def test_store_interface_no_isinstance_on_a_store_in_kg():
    offenders = []
    for path in sorted((ROOT / "kg").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offenders += [f"{path.relative_to(ROOT)}:{line}" for line in _isinstance_on_a_store(tree)]
    assert not offenders, ("callers must use the interface (a member of kg.store.base.Store), "
                           f"not the store's class: {offenders}")
    # the check itself finds one
    assert _isinstance_on_a_store(ast.parse("isinstance(s, kg.store.RemoteStore)")) == [1]
    assert _isinstance_on_a_store(ast.parse("isinstance(s, str | LocalStore)")) == [1]


def test_store_interface_no_private_name_imported_across_store_modules():
    offenders = []
    for path in sorted((ROOT / "kg").rglob("*.py")):
        inside = path.parent.name == "store"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (
                    (inside and node.level > 0) or "store" in (node.module or "").split(".")):
                offenders += [f"{path.relative_to(ROOT)}: {alias.name}" for alias in node.names
                              if alias.name.startswith("_")]
    assert not offenders


def _scenario(store: Store, tiny) -> dict:
    """Add two articles, replace one, remove one: what the store says after each step,
    through the interface only."""
    seen: dict = {}
    store.add_articles({"one": list(tiny.quads(1, "one")), "two": list(tiny.quads(1, "two"))})
    seen["added"] = (len(store), [a.id for a in store.articles()], store.has_article("two"))
    store.replace_article("one", tiny.quads(2, "one"))
    seen["replaced"] = (len(store), store.article_sha("one"), store.quads("one"))
    assert store.remove_article("two") and not store.remove_article("two")
    assert not store.remove_article("no such article")
    seen["removed"] = (len(store), [a.id for a in store.articles()], store.has_article("two"))
    out = io.BytesIO()
    store.dump("nquads", out)
    seen["nquads"] = sorted(line for line in out.getvalue().decode().splitlines() if line)
    seen["merged"] = store.merged_triples()
    seen["articles"] = [(a.id, a.title, a.sha256, a.triples) for a in store.articles()]
    seen["graphs"] = [g.value for g in store.article_graphs()]
    seen["count"] = int(next(iter(store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)
    return seen


def test_store_interface_local_and_remote_give_the_same_answers(tmp_path, tiny,
                                                                 sparql_server):
    server = sparql_server()
    with open_store(tmp_path / "local", create=True, read_only=False) as local:
        assert isinstance(local, LocalStore) and local.unchanging is False
        local_seen = _scenario(local, tiny)
        assert local.restore_marker == tmp_path / "local" / "kg-restore-incomplete"
    with open_store(server.url, read_only=False) as remote:
        assert isinstance(remote, RemoteStore) and remote.unchanging is False
        remote_seen = _scenario(remote, tiny)
        assert remote.restore_marker is None
    assert remote_seen == local_seen
    assert local_seen["removed"][1] == ["one"] and not local_seen["removed"][2]
    assert local_seen["nquads"] and all(line.endswith(f"<{ARTICLE}one> .")
                                        for line in local_seen["nquads"])
    assert local_seen["merged"] and local_seen["count"] == len(local_seen["merged"])


def test_store_interface_clear_empties_both_stores(tmp_path, tiny, sparql_server):
    server = sparql_server()
    with open_store(tmp_path / "local", create=True, read_only=False) as local, \
            open_store(server.url, read_only=False) as remote:
        for store in (local, remote):
            store.add_articles({"one": list(tiny.quads(1, "one"))})
            store.clear()
            assert len(store) == 0 and not store.articles() and not store.merged_triples()
    with open_store(tmp_path / "local") as reader:
        assert reader.unchanging and reader.read_only
        with pytest.raises(StoreError, match="read-only"):
            reader.clear()
