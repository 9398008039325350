"""A session's cells as the text of a plain Hamilton module."""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator

from hamilton_nb.analysis.cells import analyse, first_line
from hamilton_nb.errors import ExportError
from hamilton_nb.export.files import format_code, generated
from hamilton_nb.run.hamilton import is_async
from hamilton_nb.sessions.livemodule import is_dunder
from hamilton_nb.sessions.records import CellRecord
from hamilton_nb.sessions.view import SessionView


def render(session: SessionView, source: str, name: str | None = None) -> str:
    """The session's cells as a formatted Hamilton module (deterministic).

    Args:
        session: the session whose cells (in their order) make the module.
        source: the notebook's file name, for the header.
        name: the module's name, for the header (default: the session's).

    Raises:
        ExportError: a cell uses a notebook variable that is not an import, or a name that
            nothing defines.
    """
    records = list(session.cells.values())
    notebook_imports = _notebook_imports(records)
    body = "\n\n\n".join(b for r in records if (b := _exported_code(r)))
    imports = [*notebook_imports, *(s for r in records for s in _cell_imports(r))]
    used = _used_names(records)
    kept = [s for s in dict.fromkeys(imports) if _binds(s) & used]
    defined = {n for r in records for n in r.names | r.analysis.binds}
    defined |= {n for s in kept for n in _binds(s)}
    undefined = {n for n in used - defined if not is_dunder(n)}
    if undefined:
        raise ExportError(
            f"the module would use {', '.join(sorted(undefined))} without defining or importing"
            f" it. Define it in a %%dataflow cell of '{session.name}', or import it there."
        )
    kept.sort(key=lambda s: not s.startswith("from __future__"))
    name = name or session.name
    doc = (
        f'"""Hamilton dataflow ``{name}``, exported from {source}.\n\n'
        f"{_build_it(session, name)}\n"
        '"""\n'
    )
    text = format_code(doc + "\n" + "\n".join(kept) + "\n\n\n" + body + "\n")
    return generated(text, source)


def _build_it(session: SessionView, name: str) -> str:
    """How the header says to run the module: Hamilton's async driver when it has async nodes."""
    if any(is_async(spec.hamilton) for spec in session.graph.nodes().values()):
        return (
            "It has async def nodes: build it with\n"
            f"``await async_driver.Builder().with_modules({name}).build()``."
        )
    return f"Build it with ``driver.Builder().with_modules({name}).build()``."


def _notebook_imports(records: list[CellRecord]) -> list[str]:
    statements: list[str] = []
    for record in records:
        for name, statement in record.borrowed.items():
            if statement is None:
                raise ExportError(
                    f"cell {record.id} uses the notebook variable '{name}', which is not an"
                    " import: a module cannot see it. Define it in a %%dataflow cell, or make"
                    " it an input (a parameter of the functions that need it)."
                )
            statements.append(statement)
    return statements


def _cell_imports(record: CellRecord) -> Iterator[str]:
    for d in record.analysis.definitions:
        if d.kind == "import":
            yield d.source


def _exported_code(record: CellRecord) -> str:
    """The cell's code without its imports (they go on top) and without the functions that
    were dropped since it ran."""
    tree = ast.parse(record.source)
    drop = {
        line
        for stmt in tree.body
        if isinstance(stmt, ast.Import | ast.ImportFrom)
        or (
            isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef)
            and stmt.name not in record.names
        )
        for line in range(first_line(stmt), (stmt.end_lineno or stmt.lineno) + 1)
    }
    lines = [line for i, line in enumerate(record.source.splitlines(), 1) if i not in drop]
    return "\n".join(lines).strip("\n")


_BUILTINS = frozenset(dir(builtins))


def _binds(statement: str) -> set[str]:
    return {d.name for d in analyse(statement, "import").definitions}


def _used_names(records: list[CellRecord]) -> set[str]:
    """Module-level names the exported code reads (the cells' analyses already know), less
    the builtins the module does not define itself."""
    used: set[str] = set()
    defined: set[str] = set()
    for record in records:
        used |= record.analysis.free_names
        defined |= record.analysis.names
        for d in record.analysis.definitions:
            if d.name in record.names:
                used |= d.reads
    return used - (_BUILTINS - defined)
