"""The ``hamilton-nb`` console script as a new user meets it: the installed script, run in a
subprocess, and what it prints for ``--help``, ``--version`` and a call without a command."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).parent / "hamilton-nb"  # installed beside the interpreter


def hamilton_nb(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=120)


def test_help_says_what_the_tool_does_in_plain_words_with_examples() -> None:
    done = hamilton_nb("--help")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "``" not in text and "console script" not in text
    assert "Export or run the dataflows of a saved Jupyter notebook" in text
    assert "--version" in text
    examples = [line.strip() for line in text.splitlines() if line.startswith("  hamilton-nb ")]
    assert any(e.startswith("hamilton-nb export ") and "--tests" not in e for e in examples)
    assert any(e.startswith("hamilton-nb export ") and "--tests" in e for e in examples)


def test_version_is_the_installed_distributions() -> None:
    done = hamilton_nb("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"hamilton-nb {version('hamilton_nb')}"


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("export", "Write a saved notebook's dataflow as a plain Hamilton module"),
        ("execute", "Run every cell of a saved notebook in a fresh kernel"),
    ],
)
def test_each_command_describes_itself_and_its_notebook_argument(command: str, words: str) -> None:
    done = hamilton_nb(command, "--help")
    assert done.returncode == 0, done.stderr
    assert words in done.stdout and "``" not in done.stdout
    assert "the saved notebook (.ipynb)" in done.stdout


def test_without_a_command_the_help_is_shown_not_an_argparse_error() -> None:
    done = hamilton_nb()
    assert done.returncode == 2
    assert "the following arguments are required" not in done.stderr
    assert "Export or run the dataflows" in done.stderr and "hamilton-nb export " in done.stderr
