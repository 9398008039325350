"""What the graph holds: nodes (``NodeSpec``), their lineages, and the diff of a change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hamilton.node import Node

from hamilton_nb.errors import Location
from hamilton_nb.ids import CellId, NodeName


@dataclass(frozen=True, eq=False)
class NodeSpec:
    """One node the graph holds: Hamilton's resolved node plus where it came from.

    Attributes:
        name: the node's name.
        cell: the cell that owns the function it comes from.
        function: the module attribute name of that function.
        index: its position among the nodes Hamilton resolved from that function; with
            ``function`` this is Hamilton's own node order, which decides input types.
        type: the type the node produces.
        inputs: (dependency name, annotated type) pairs, in parameter order.
        fingerprint: hash of its code and everything the code reads; a change means "edited".
        line: the line of its function in the cell.
        hamilton: the node as ``hamilton.function_modifiers.base.resolve_nodes`` built it.
    """

    name: NodeName
    cell: CellId
    function: str
    index: int
    type: Any
    inputs: tuple[tuple[str, Any], ...]
    fingerprint: str
    line: int | None
    hamilton: Node

    @property
    def order(self) -> tuple[str, int]:
        """Hamilton's creation order (functions by name, then resolution order)."""
        return (self.function, self.index)

    def input_type(self, name: str) -> Any:
        """The annotated type of dependency ``name``."""
        return dict(self.inputs)[name]

    def where(self) -> Location:
        """Where the node is defined."""
        return Location(self.cell, self.line)


@dataclass(frozen=True)
class GraphDiff:
    """What one change did: nodes added, changed (code), removed, and made stale downstream."""

    added: frozenset[NodeName] = frozenset()
    changed: frozenset[NodeName] = frozenset()
    removed: frozenset[NodeName] = frozenset()
    stale: frozenset[NodeName] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)
