"""A corpus of Hamilton's own published examples, each split into notebook cells.

Each directory holds one example:

- ``original.py``: the module as Hamilton publishes it (``original_<module>.py`` for a module it
  imports), with a comment saying where it comes from;
- ``cells.py``: the same code split into ``%%dataflow`` cells in the order a data scientist
  writes them, each cell starting at a ``# %% <label>`` line (``# %% [<module>] <label>`` for a
  cell of another module);
- ``case.py``: what to run it with (or ``SAME_CELLS_AS``, another directory whose cells to run
  with other inputs or config): ``INPUTS``, ``CONFIG``, small synthetic ``FILES``), the
  ``EDITS`` to make, and the known product bugs it shows (``XFAIL``).
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).parent
HEADER = re.compile(r"^# %%(?: \[(?P<module>\w+)\])?(?P<label>.*)$", re.MULTILINE)


class Edit(NamedTuple):
    """Replace ``old`` by ``new`` in cell ``cell`` (it must occur once): the nodes Hamilton
    makes from what changed are ``nodes``; they and their descendants must run again."""

    what: str
    cell: int
    old: str
    new: str
    nodes: tuple[str, ...]


class Cell(NamedTuple):
    module: str
    label: str
    source: str


@dataclass
class Case:
    """One example: its cells, the originals, and what to run it with."""

    name: str
    module: str
    cells: list[Cell]
    originals: dict[str, str]  # module name -> text, dependencies first
    inputs: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    edits: list[Edit] = field(default_factory=list)
    targets: list[str] | None = None  # default: every node
    unseeded: dict[str, str] = field(default_factory=dict)  # run, but not compared: why
    dynamic: bool = False
    xfail: dict[str, str] = field(default_factory=dict)  # phase -> the product bug

    def edited(self, edits: list[Edit]) -> list[Cell]:
        """The cells after ``edits``, made in order."""
        cells = list(self.cells)
        for e in edits:
            text = cells[e.cell].source
            assert text.count(e.old) == 1, f"{self.name}: {e.what}: {e.old!r} is not once in cell"
            cells[e.cell] = cells[e.cell]._replace(source=text.replace(e.old, e.new))
        return cells


def split_cells(text: str, default_module: str) -> list[Cell]:
    """The cells of a ``cells.py`` file (anything above the first header is a comment)."""
    heads = list(HEADER.finditer(text))
    cells = []
    for i, h in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = text[h.end() + 1 : end].strip("\n") + "\n"
        cells.append(Cell(h["module"] or default_module, h["label"].strip(), body))
    return cells


def load(directory: Path) -> Case:
    spec = importlib.util.spec_from_file_location(
        f"corpus_case_{directory.name}", directory / "case.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    module = getattr(mod, "MODULE", f"{directory.name}_flow")
    names = getattr(mod, "ORIGINALS", {module: "original.py"})
    name, directory = (
        directory.name,
        directory.parent / getattr(mod, "SAME_CELLS_AS", directory.name),
    )
    return Case(
        name=name,
        module=module,
        cells=split_cells((directory / "cells.py").read_text(), module),
        originals={m: (directory / f).read_text() for m, f in names.items()},
        inputs=getattr(mod, "INPUTS", {}),
        config=getattr(mod, "CONFIG", {}),
        files=getattr(mod, "FILES", {}),
        edits=getattr(mod, "EDITS", []),
        targets=getattr(mod, "TARGETS", None),
        unseeded=getattr(mod, "UNSEEDED", {}),
        dynamic=getattr(mod, "DYNAMIC", False),
        xfail=getattr(mod, "XFAIL", {}),
    )


def cases() -> list[Case]:
    return [load(d) for d in sorted(ROOT.iterdir()) if (d / "case.py").exists()]
