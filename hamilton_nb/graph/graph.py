"""The incremental graph: nodes and edges, a change applied as one validated step, and its diff."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Set
from typing import Any, Protocol, cast

from hamilton.node import Node

from hamilton_nb.analysis.typenames import type_name
from hamilton_nb.cache.keys import Lineage, lineage_of
from hamilton_nb.graph.model import GraphDiff, NodeSpec
from hamilton_nb.graph.validate import StagedGraph, input_type
from hamilton_nb.graph.walks import post_order, reachable
from hamilton_nb.ids import NodeName


class Mirror(Protocol):
    """Something kept in step with the graph, change by change (Hamilton's wired nodes)."""

    def update(self, removed: Iterable[str], upserted: Iterable[Node]) -> None:
        """``removed`` names left the graph; ``upserted`` nodes came or changed."""
        ...


class DataflowGraph:
    """Nodes keyed by name, and for every dependency name the nodes that consume it.

    Responsibilities: answer structure questions (nodes, inputs and their types, dependencies,
    descendants); apply a change (nodes upserted and removed) as one step that is validated
    first (duplicates, type mismatches, cycles) and leaves the graph untouched when rejected.
    Work per change is proportional to the changed nodes, their neighbours and descendants.
    Knows each node's lineage: a change forgets the lineages it makes wrong (of the nodes it
    touches and everything downstream of them), and ``lineage`` works out a forgotten one when
    asked, after those of the nodes it reads; so a run needs no hashing of code it did not
    change, and an edit hashes nothing. Tells each attached mirror of every change.
    """

    def __init__(self) -> None:
        self._nodes: dict[NodeName, NodeSpec] = {}
        self._consumers: dict[str, set[NodeName]] = {}
        # lineages worked out and still true; one held means those of its ancestors are too
        self._lineages: dict[str, Lineage] = {}
        self._mirrors: dict[str, Mirror] = {}
        self.changes = 0  # counts the changes applied: what is worked out from the graph is
        # true for as long as this stays the same
        self._inputs: tuple[int, frozenset[str]] = (-1, frozenset())

    def __contains__(self, name: object) -> bool:
        return name in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def node(self, name: str) -> NodeSpec | None:
        """The node called ``name``, or None (inputs are not nodes of the graph)."""
        return self._nodes.get(NodeName(name))

    def nodes(self) -> Mapping[NodeName, NodeSpec]:
        """All nodes, read-only."""
        return self._nodes

    def lineage(self, name: str) -> Lineage | None:
        """What node ``name``'s value depends on (None: not a node). Worked out on the first
        question after a change that made it wrong (with those of the nodes it reads), then
        kept (mutates that memo only)."""
        found = self._lineages.get(name)
        if found is None and name in self._nodes:
            found = self._trace(name)
        return found

    def consumers(self, name: str) -> frozenset[NodeName]:
        """Nodes that take ``name`` (a node or an input) as a dependency."""
        return frozenset(self._consumers.get(name, ()))

    def dependencies(self, name: str) -> tuple[str, ...]:
        """Dependency names of node ``name``, in parameter order."""
        return tuple(dep for dep, _ in self._nodes[NodeName(name)].inputs)

    def input_names(self) -> frozenset[str]:
        """The names of the inputs (dependencies no node produces), without their types
        (worked out once per change: a cell run asks before and after it)."""
        changes, names = self._inputs
        if changes != self.changes:
            names = frozenset(
                n for n, users in self._consumers.items() if users and n not in self._nodes
            )
            self._inputs = (self.changes, names)
        return names

    def inputs(self) -> dict[str, Any]:
        """Inputs (dependencies no node produces) and their types, as Hamilton types them."""
        return {
            name: input_type(name, self)
            for name, users in self._consumers.items()
            if users and name not in self._nodes
        }

    def input_type(self, name: str) -> Any:
        """The type Hamilton gives input ``name``."""
        return input_type(name, self)

    def structure(self) -> dict[str, tuple[str, str, tuple[str, ...]]]:
        """Every node and input as ``name -> (kind or cell, type, dependencies)``: two graphs
        with equal structures have the same nodes, owners, types and edges."""
        out = {
            str(n): (str(s.cell), type_name(s.type), tuple(d for d, _ in s.inputs))
            for n, s in self._nodes.items()
        }
        out.update({n: ("input", type_name(t), ()) for n, t in self.inputs().items()})
        return out

    def descendants(self, names: Iterable[str]) -> set[NodeName]:
        """Every node downstream of ``names`` (not including them, unless in a cycle)."""
        return cast(set[NodeName], reachable(names, self._consumers_of))

    def ancestors(self, names: Iterable[str]) -> set[str]:
        """Every node and input upstream of ``names`` (not including them)."""
        return reachable(names, self._dependencies_of)

    def dependencies_first(self, name: str, among: Callable[[str], bool]) -> list[str]:
        """``name`` and the nodes it reads through nodes for which ``among`` holds, each after
        those it reads."""
        return post_order([name], lambda n: [d for d in self._dependencies_of(n) if among(d)])

    def mirror(self, kind: str) -> Mirror | None:
        """The mirror attached as ``kind``, if any."""
        return self._mirrors.get(kind)

    def attach_mirror(self, kind: str, mirror: Mirror) -> None:
        """Keep ``mirror`` (built from the graph as it is now) in step with every later change
        (mutates the graph's list of mirrors)."""
        self._mirrors[kind] = mirror

    def apply(self, upsert: Iterable[NodeSpec], remove: Iterable[NodeName]) -> GraphDiff:
        """Validate, then apply, a change; mutates the graph only if the change is accepted.

        Args:
            upsert: nodes to add or replace.
            remove: names to remove (a name also in ``upsert`` is replaced, not removed).

        Raises:
            DuplicateNodeError: an upserted node is owned by another cell that keeps it.
            TypeMismatchError: a producer's type does not fit a consumer's annotation, or two
                consumers of one input want incompatible types.
            CycleError: the change closes a cycle.
        """
        staged = StagedGraph(self, {s.name: s for s in upsert}, set(remove))
        staged.validate()
        return self._commit(staged)

    def _consumers_of(self, name: str) -> Iterable[str]:
        return self._consumers.get(name, ())

    def _dependencies_of(self, name: str) -> Iterable[str]:
        spec = self._nodes.get(NodeName(name))
        return (dep for dep, _ in spec.inputs) if spec is not None else ()

    def _commit(self, staged: StagedGraph) -> GraphDiff:
        self.changes += 1
        old = {n: self._nodes[n] for n in staged.touched if n in self._nodes}
        for name, spec in old.items():
            for dep, _ in spec.inputs:
                self._consumers[dep].discard(name)
                if not self._consumers[dep]:
                    del self._consumers[dep]
            del self._nodes[name]
        for name, spec in staged.upsert.items():
            self._nodes[name] = spec
            for dep, _ in spec.inputs:
                self._consumers.setdefault(dep, set()).add(name)
        added = frozenset(n for n in staged.upsert if n not in old)
        removed = frozenset(n for n in old if n not in staged.upsert)
        if self._mirrors:
            rewired = [
                s.hamilton
                for n, s in staged.upsert.items()
                if n not in old or old[n].hamilton is not s.hamilton
            ]
            for mirror in self._mirrors.values():
                mirror.update(removed, rewired)
        changed = frozenset(
            n for n, s in staged.upsert.items() if n in old and old[n].fingerprint != s.fingerprint
        )
        rewritten = {
            n for n, s in staged.upsert.items() if n not in old or old[n].inputs != s.inputs
        }
        self._forget(changed | rewritten | removed)
        stale = (changed | self.descendants(added | changed | removed)) - added - removed
        return GraphDiff(added, changed, removed, frozenset(stale))

    def _forget(self, names: Set[str]) -> None:
        """Forget the lineages of ``names`` (nodes changed, added or removed) and of every node
        downstream of them. A node whose lineage is not held has none held downstream, so the
        walk stops there: after a run worked lineages out, an edit forgets what the run held;
        edits in a row forget little."""
        lineages = self._lineages
        todo = list(names)
        for name in names:
            lineages.pop(name, None)
        while todo:
            for consumer in self._consumers.get(todo.pop(), ()):
                if lineages.pop(consumer, None) is not None:
                    todo.append(consumer)

    def _trace(self, name: str) -> Lineage:
        """Work out node ``name``'s lineage, after those of the nodes it reads that are not held
        (producers before consumers), and keep them all."""
        lineages, nodes = self._lineages, self._nodes

        def missing(n: str) -> list[str]:
            return [d for d in self._dependencies_of(n) if d in nodes and d not in lineages]

        for current in post_order([name], missing):
            lineages[current] = lineage_of(nodes[NodeName(current)], lineages)
        return lineages[name]
