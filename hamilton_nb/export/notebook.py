"""Read a saved notebook: its dataflow cells (by module) and the imports of its ordinary cells."""

from __future__ import annotations

import ast
import json
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hamilton_nb.analysis.cells import single_imports
from hamilton_nb.errors import ExportError

MAGIC = "%%dataflow"


@dataclass(frozen=True)
class DataflowCell:
    """A ``%%dataflow`` cell of a saved notebook."""

    index: int  # position among the notebook's cells, from 0
    id: str  # the cell id nbformat 4.5 stores; else a label from the position
    module: str
    body: str


@dataclass(frozen=True)
class LineMagic:
    """A ``%dataflow drop NODE`` or ``%dataflow reset`` line of an ordinary cell."""

    index: int
    module: str
    command: str  # "drop" or "reset"
    node: str | None = None


@dataclass(frozen=True)
class SavedNotebook:
    """What export needs from a notebook file.

    Attributes:
        path: the file.
        cells: its dataflow cells, in order.
        steps: dataflow cells and the drop / reset lines between them, in order: replaying
            them gives what running the notebook top to bottom gives.
        imports: ``name -> import statement`` from ordinary cells.
    """

    path: Path
    cells: tuple[DataflowCell, ...]
    steps: tuple[DataflowCell | LineMagic, ...]
    imports: dict[str, str]

    @property
    def modules(self) -> list[str]:
        """Module names, in order of first appearance."""
        return list(dict.fromkeys(c.module for c in self.cells))


def read_notebook(path: Path) -> SavedNotebook:
    """Read a saved notebook.

    Raises:
        ExportError: the file is not a readable notebook.
    """
    steps: list[DataflowCell | LineMagic] = []
    imports: dict[str, str] = {}
    for index, cell in enumerate(_cells(path)):
        if cell.get("cell_type") != "code":
            continue
        source = cell["source"]
        source = "".join(source) if isinstance(source, list) else str(source)
        first, _, body = source.partition("\n")
        if first.strip().startswith(MAGIC):
            module = _module_of(first.strip()[len(MAGIC) :], index)
            cell_id = str(cell.get("id") or f"cell-{index + 1}")
            steps.append(DataflowCell(index, cell_id, module, body))
        else:
            imports.update(imports_of(source))
            steps.extend(_line_magics(source, index))
    cells = tuple(s for s in steps if isinstance(s, DataflowCell))
    return SavedNotebook(path, cells, tuple(steps), imports)


def _cells(path: Path) -> list[dict[str, Any]]:
    """The notebook's cells. Version 4 files are plain JSON, read as such: importing nbformat
    costs about a second (its schema validator), most of a command-line export. Older
    versions go through nbformat's converter."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("nbformat") == 4 and isinstance(data.get("cells"), list):
            return list(data["cells"])
        import nbformat

        return list(nbformat.reads(json.dumps(data), as_version=4).cells)
    except Exception as e:
        raise ExportError(f"cannot read {path.name} as a notebook: {e}") from e


def _module_of(arguments: str, index: int) -> str:
    words = [w for w in shlex.split(arguments, comments=True) if not w.startswith("-")]
    module = words[0] if words else "dataflow"
    if not module.isidentifier():
        raise ExportError(f"cell {index + 1}: '{module}' is not a valid module name.")
    return module


_LINE = re.compile(r"^\s*%dataflow\s+(drop|reset)\b(.*)$", re.MULTILINE)


def _line_magics(source: str, index: int) -> Iterable[LineMagic]:
    for match in _LINE.finditer(source):
        words = shlex.split(match.group(2), comments=True)
        module, rest = "dataflow", []
        while words:
            word = words.pop(0)
            if word in ("--module", "-m") and words:
                module = words.pop(0)
            else:
                rest.append(word)
        yield LineMagic(index, module, match.group(1), rest[0] if rest else None)


def imports_of(source: str) -> dict[str, str]:
    """``name -> import statement`` for the top-level imports of an ordinary cell (IPython
    syntax such as magics is translated first; a cell that does not parse has none)."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return {}
    return {
        name: statement
        for stmt in tree.body
        if isinstance(stmt, ast.Import | ast.ImportFrom)
        for name, statement in single_imports(stmt)
    }
