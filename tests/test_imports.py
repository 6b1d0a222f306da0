"""Import discipline: light commands load no model, and dependencies run one way."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("spacy", "pyvis")


def _assert_not_loaded(code: str) -> str:
    return code + (
        "\nimport sys\n"
        f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "assert not loaded, f'imported: {loaded}'\n"
    )


def test_imports_kg_cli_loads_no_model(run_python):
    result = run_python(_assert_not_loaded("import kg.cli"))
    assert result.returncode == 0, result.stderr


def test_imports_help_loads_no_model(run_python):
    code = _assert_not_loaded(
        "from click.testing import CliRunner\n"
        "from kg.cli import cli\n"
        "result = CliRunner().invoke(cli, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "for name in ('ingest', 'export', 'query', 'viz', 'stats', 'show', 'remove'):\n"
        "    assert CliRunner().invoke(cli, [name, '--help']).exit_code == 0\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr


def test_imports_query_loads_no_model(run_python, seeded_store):
    code = _assert_not_loaded(
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from kg.cli import cli\n"
        "result = CliRunner().invoke(cli, ['--store', sys.argv[1], 'query',\n"
        "    'SELECT (COUNT(*) AS ?n) WHERE { ?s kg:owns ?o }'])\n"
        "assert result.exit_code == 0, result.output\n"
    )
    result = run_python(code, str(seeded_store.path))
    assert result.returncode == 0, result.stderr


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the package
                package = path.parent.name
                found.add(f"{package}.{node.module}" if node.module else package)
            elif node.module:
                found.add(node.module)
    return found


def _top_level_imports(path: Path) -> set[str]:
    """Imports executed when the module is imported (module level, outside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If):  # `if TYPE_CHECKING:` blocks are never run
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                break
            if isinstance(sub, ast.Import):
                found.update(alias.name for alias in sub.names)
            elif isinstance(sub, ast.ImportFrom) and sub.module and not sub.level:
                found.add(sub.module)
    return found


def test_imports_extract_never_imports_kg():
    for path in sorted((ROOT / "extract").glob("*.py")):
        bad = {m for m in _imports(path) if m == "kg" or m.startswith("kg.")}
        assert not bad, f"{path.name} imports {bad}: extract must not depend on kg"


def test_imports_only_the_cli_imports_click():
    for path in sorted((ROOT / "kg").rglob("*.py")):
        if path.parent.name == "cli" or path.name == "__main__.py":
            continue
        assert "click" not in _imports(path), f"kg/{path.name} imports click"
        assert "kg.cli" not in _imports(path), f"kg/{path.name} imports kg.cli"


def test_imports_library_modules_do_not_import_spacy_or_pyvis_at_import_time():
    for path in sorted((ROOT / "kg").rglob("*.py")):  # the command line's modules too
        heavy = {m for m in _top_level_imports(path) if m.split(".")[0] in HEAVY}
        assert not heavy, f"kg/{path.name} imports {heavy} at module level"
