"""``Parallelizable[]`` / ``Collect[]`` blocks: which nodes are not cached, and why.

A ``Parallelizable[]`` node yields items; the nodes below it, down to the ``Collect[]`` node that
gathers them, run once per item. That is a block: the ``Parallelizable[]`` node and the nodes
that run per item. Their values are not cached (there is one per item, and none stands for the
node; Hamilton cannot start a block from a given list of items): a block runs again, whole, when
the ``Collect[]`` node below it is not in the cache. The ``Collect[]`` node and every node outside
blocks are cached as usual.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable

from hamilton.node import NodeType

from hamilton_nb.graph.graph import DataflowGraph
from hamilton_nb.graph.walks import reachable

_DYNAMIC = (NodeType.EXPAND, NodeType.COLLECT)


_FOUND: weakref.WeakKeyDictionary[DataflowGraph, tuple[int, frozenset[str]]] = (
    weakref.WeakKeyDictionary()
)


def block_nodes(graph: DataflowGraph) -> frozenset[str]:
    """The nodes of the graph's blocks: each ``Parallelizable[]`` node and the nodes below it
    that run once per item (worked out once per change of the graph: every run asks)."""
    found = _FOUND.get(graph)
    if found is None or found[0] != graph.changes:
        found = _FOUND[graph] = (graph.changes, _block_nodes(graph))
    return found[1]


def _block_nodes(graph: DataflowGraph) -> frozenset[str]:
    heads = [n for n, spec in graph.nodes().items() if spec.hamilton.node_role == NodeType.EXPAND]
    if not heads:
        return frozenset()

    def below(name: str) -> list[str]:
        return [c for c in graph.consumers(name) if _role(graph, c) != NodeType.COLLECT]

    return frozenset(heads).union(reachable(heads, below))


def per_item(graph: DataflowGraph, names: Iterable[str]) -> frozenset[str]:
    """Those of ``names`` (block nodes) that run once per item: all but ``Parallelizable[]``."""
    return frozenset(n for n in names if _role(graph, n) != NodeType.EXPAND)


def dynamic(graph: DataflowGraph, names: Iterable[str]) -> bool:
    """Whether a run over ``names`` (computed, or given as values) needs Hamilton's dynamic
    execution: one of them is a ``Parallelizable[]`` or ``Collect[]`` node."""
    return any(_role(graph, n) in _DYNAMIC for n in names)


def collectors(graph: DataflowGraph) -> list[str]:
    """The ``Collect[]`` nodes, sorted: where a block's values can be asked for."""
    return sorted(n for n, s in graph.nodes().items() if s.hamilton.node_role == NodeType.COLLECT)


def _role(graph: DataflowGraph, name: str) -> NodeType | None:
    spec = graph.node(name)
    return None if spec is None else spec.hamilton.node_role
