"""Shared fixtures: a real IPython shell with the extension loaded, and a clean session table."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.testing.globalipapp import start_ipython

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.jupyter.registry import REGISTRY

ANSI = re.compile(r"\x1b\[[0-9;]*m")

# tests/spark runs in the Spark environment (pandas 2 and pyspark), which scripts/test.sh makes
collect_ignore = [] if importlib.util.find_spec("pyspark") else ["spark"]


@pytest.fixture(autouse=True)
def _clean_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with no session and an empty cache, and runs in its own directory."""
    monkeypatch.chdir(tmp_path)
    REGISTRY.set_cache(NodeCache(tmp_path / ".hamilton_nb" / "cache"))
    yield
    for s in list(REGISTRY.sessions.values()):
        s.close()
    REGISTRY.sessions.clear()
    REGISTRY.current = None
    REGISTRY.cache.flush()


@pytest.fixture(scope="session")
def _ipython() -> InteractiveShell:
    shell = start_ipython()
    assert shell is not None
    shell.run_cell("%load_ext hamilton_nb", store_history=True)
    return shell


@pytest.fixture
def shell(_ipython: InteractiveShell) -> Iterator[Shell]:
    """A real InteractiveShell (one per test run), with a fresh user namespace per test."""
    _ipython.reset(new_session=False)
    yield Shell(_ipython)


class Shell:
    """Runs cells the way a frontend does (with a cell id, stored in history)."""

    def __init__(self, ip: InteractiveShell) -> None:
        self.ip = ip

    def run(self, source: str, cell_id: str | None = None) -> Any:
        """Run a cell; returns IPython's ExecutionResult."""
        return self.ip.run_cell(source, store_history=True, cell_id=cell_id)

    def ok(self, source: str, cell_id: str | None = None) -> Any:
        """Run a cell that must succeed; returns its result value."""
        result = self.run(source, cell_id)
        assert result.success, f"cell failed: {result.error_before_exec or result.error_in_exec!r}"
        return result.result

    def fails(self, source: str, cell_id: str | None = None) -> BaseException:
        """Run a cell that must fail; returns the exception it raised."""
        result = self.run(source, cell_id)
        assert not result.success, "cell was expected to fail"
        error = result.error_before_exec or result.error_in_exec
        assert error is not None
        return error

    def module(self, name: str = "dataflow") -> Any:
        return sys.modules[name]


def plain(text: str) -> str:
    """Text without ANSI colour codes."""
    return ANSI.sub("", text)
