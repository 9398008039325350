"""What a session keeps of each cell and what it reports: records, results, status rows, and
the protocols of what it talks to (the notebook, listeners such as the widget)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from hamilton_nb.analysis.cells import CellAnalysis
from hamilton_nb.graph.model import GraphDiff
from hamilton_nb.ids import CellId, NodeName


class Notebook(Protocol):
    """What a session may ask of the notebook around it (IPython's user namespace)."""

    def lookup(self, name: str) -> tuple[bool, Any]:
        """(found, value) of a name the notebook defines."""
        ...

    def import_statement(self, name: str) -> str | None:
        """The import statement that bound ``name`` in an ordinary cell, if one did."""
        ...


@dataclass(frozen=True)
class CellRecord:
    """What one accepted cell owns.

    Attributes:
        id: the frontend's cell id, or a label such as ``In[3]`` when there is none.
        source: the cell body as run.
        line_offset: lines above the body in the visible cell.
        analysis: its analysed and compiled code.
        names: the top-level names it owns (everything it binds except imports).
        imports: the names its import statements bind (shared with other cells).
        functions: the public functions Hamilton turned into nodes, in source order.
        nodes: node names per function.
        borrowed: notebook names it uses, with the ordinary-cell import that bound them.
        objects: the functions it bound, as bound (to tell whether they are still there).
    """

    id: CellId
    source: str
    line_offset: int
    analysis: CellAnalysis
    names: frozenset[str]
    imports: frozenset[str]
    functions: tuple[str, ...]
    nodes: Mapping[str, tuple[NodeName, ...]]
    borrowed: Mapping[str, str | None]
    objects: Mapping[str, object]

    @property
    def node_names(self) -> tuple[NodeName, ...]:
        """Every node the cell's functions produce."""
        return tuple(n for f in self.functions for n in self.nodes[f])


@dataclass(frozen=True)
class CellResult:
    """The outcome of an accepted cell run."""

    module: str
    cell: CellId
    diff: GraphDiff
    replaced: tuple[CellId, ...] = ()
    node_count: int = 0
    ran_again: tuple[CellId, ...] = ()  # other cells run again: they read what it changed
    followed: tuple[str, ...] = ()  # what other live modules using this one did
    new_inputs: tuple[tuple[str, str | None], ...] = ()  # (input, a node name it looks like)
    code_changed: bool = True  # the code of some module-level name changed (its version did)

    def summary(self) -> str:
        """One line, e.g. ``sales: +2 nodes, ~1 changed, 3 stale; new input path``."""
        d = self.diff
        parts = [f"+{_count(len(d.added), 'node')}"] if d.added else []
        parts += [f"~{len(d.changed)} changed"] if d.changed else []
        parts += [f"-{len(d.removed)} removed"] if d.removed else []
        again = ""
        if self.ran_again:
            n = len(self.ran_again)
            again = f"; ran {n} other cell{'s' if n > 1 else ''} again (they read what changed)"
        if self.new_inputs:
            named = [f"{i} (did you mean {s}?)" if s else i for i, s in self.new_inputs]
            again += f"; new input{'s' if len(named) > 1 else ''} {', '.join(named)}"
        if not parts:
            return f"{self.module}: no change ({_count(self.node_count, 'node')}){again}"
        lines = [f"{self.module}: {', '.join(parts)}, {len(d.stale)} stale{again}"]
        return "\n".join([*lines, *self.followed])


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class StatusRow:
    """One line of ``%dataflow status``."""

    node: str
    cell: str
    type: str
    dependencies: tuple[str, ...]
    state: str
    duration: float | None = None
    size: int | None = None


class Listener(Protocol):
    """Told when the graph changes or a run goes on (a displayed widget, for instance)."""

    def session_changed(self, event: str, node: str | None) -> None:
        """``event``: graph, run, node-started, node-finished."""
        ...
