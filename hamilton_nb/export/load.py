"""A Hamilton module file loaded into a session for editing, one pseudo-cell per function."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path

from hamilton_nb.analysis.cells import first_line
from hamilton_nb.errors import ExportError
from hamilton_nb.sessions.view import SessionView


def module_cells(source: str) -> list[str]:
    """Split a module into cells, one public function per cell (with the helpers, constants
    and comments that follow it until the next one); imports go to the first cell, the module
    docstring and a hamilton_nb header are left out (export writes them anew)."""
    tree = ast.parse(source)
    lines = source.splitlines()
    statements = list(tree.body)
    if (
        statements
        and isinstance(statements[0], ast.Expr)
        and isinstance(getattr(statements[0], "value", None), ast.Constant)
    ):
        statements = statements[1:]  # the module docstring
    imports = [s for s in statements if isinstance(s, ast.Import | ast.ImportFrom)]
    groups: list[list[ast.stmt]] = [[]]
    for stmt in statements:
        if stmt in imports:
            continue
        if _is_public_function(stmt) and any(map(_is_public_function, groups[-1])):
            groups.append([])
        groups[-1].append(stmt)

    def text(stmts: Sequence[ast.stmt]) -> str:
        return "\n".join("\n".join(lines[first_line(s) - 1 : s.end_lineno]) for s in stmts)

    cells = [text(g) for g in groups if g]
    if imports:
        cells = [text(imports) + ("\n\n\n" + cells[0] if cells else ""), *cells[1:]]
    return cells


def _first_function(cell: str) -> str | None:
    """The name of a pseudo-cell's first public function (what its id says)."""
    found = next((s for s in ast.parse(cell).body if _is_public_function(s)), None)
    return found.name if isinstance(found, ast.FunctionDef | ast.AsyncFunctionDef) else None


def _is_public_function(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and not stmt.name.startswith(
        "_"
    )


def load_module(session: SessionView, path: Path) -> list[str]:
    """Load a Hamilton module file into the session, one pseudo-cell per function group
    (ids ``<file>:<its first public function>``). Returns the cell ids.

    Raises:
        ExportError: the file cannot be read or parsed.
        DataflowError: a group is rejected (as a cell would be).
    """
    try:
        source = path.read_text(encoding="utf-8")
        cells = module_cells(source)
    except (OSError, SyntaxError) as e:
        raise ExportError(f"cannot load {path}: {e}") from e
    ids = [f"{path.name}:{_first_function(cell) or i}" for i, cell in enumerate(cells, 1)]
    for cell_id, cell in zip(ids, cells, strict=True):
        session.apply_cell(cell, cell_id)
    return ids
