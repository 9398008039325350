"""The package's shape: small modules, small classes and functions, Hamilton internals in one
place. (The layers themselves are checked by import-linter: see pyproject.toml.)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "hamilton_nb"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "labextension" not in p.parts)
MAX_FILE, MAX_CLASS, MAX_FUNCTION = 400, 300, 80

# Hamilton modules whose use is an internal entry point, not its public driver API
HAMILTON_INTERNALS = (
    "hamilton.graph",
    "hamilton.execution",
    "hamilton.lifecycle.base",
    "hamilton.function_modifiers.base",
    "hamilton.driver",
)
THE_ONE_MODULE = PACKAGE / "run" / "hamilton.py"


def _name(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def _imported(tree: ast.AST) -> set[str]:
    """Every module an import statement names, at any depth (function-level ones too)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_modules_classes_and_functions_stay_small(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_FILE, f"{_name(path)}: split it (over {MAX_FILE} lines)"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            size = (node.end_lineno or node.lineno) - node.lineno + 1
            limit = MAX_CLASS if isinstance(node, ast.ClassDef) else MAX_FUNCTION
            assert size <= limit, f"{_name(path)}: {node.name} is {size} lines (max {limit})"


def test_only_run_hamilton_touches_hamiltons_internals() -> None:
    offenders = {
        _name(path): sorted(
            m for m in _imported(ast.parse(path.read_text())) if m.startswith(HAMILTON_INTERNALS)
        )
        for path in MODULES
        if path != THE_ONE_MODULE
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert _imported(ast.parse(THE_ONE_MODULE.read_text())) & set(HAMILTON_INTERNALS)
