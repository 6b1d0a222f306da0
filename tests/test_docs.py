"""Every command has help with an example, and appears in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
COMMANDS = sorted(cli.commands)


def test_docs_the_commands_are_the_documented_ones():
    assert COMMANDS == [
        "articles", "backup", "changes", "communities", "eval", "export", "ingest", "neighbors",
        "path",
        "queries", "query", "rank", "remove", "repair", "restore", "serve", "show", "stats",
        "validate", "viz",
    ]


@pytest.mark.parametrize("name", COMMANDS)
def test_docs_every_command_has_help_and_an_example(runner, name):
    command = cli.commands[name]
    assert command.help and len(command.help.strip()) > 20, f"kg {name} has no help text"
    result = runner.invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout, f"kg {name} --help shows no example"
    assert f"kg {name}" in result.stdout.split("Example:", 1)[1]
    for param in command.params:
        if param.param_type_name == "option":
            assert param.help, f"option {param.opts} of kg {name} has no help"


def test_docs_top_level_help_lists_every_command(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\s+\S", result.stdout, re.M), f"{name} not in kg --help"
    assert "--store" in result.stdout and "KG_STORE" in result.stdout


def _readme_code() -> str:
    if not README.exists():
        pytest.fail("README.md is missing", pytrace=False)
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M)
    blocks += re.findall(r"^(?: {4}|\t)(.*)$", text, re.M)  # indented code
    return "\n".join(blocks)


@pytest.mark.parametrize("name", COMMANDS)
def test_docs_every_command_appears_in_a_readme_code_block(name):
    code = _readme_code()
    pattern = rf"\bkg\b(?:\s+--store[= ]\S+)?\s+{name}\b"
    assert re.search(pattern, code), f"README.md shows no example of `kg {name}` in a code block"
