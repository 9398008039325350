"""Hamilton's own node objects, wired with their edges, kept in step with the graph."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from hamilton.graph import update_dependencies
from hamilton.lifecycle.base import LifecycleAdapterSet
from hamilton.node import Node, NodeType


class Wiring:
    """The ``name -> hamilton.node.Node`` dict Hamilton's ``FunctionGraph`` executes, with
    ``dependencies`` / ``depended_on_by`` set and an external node per input.

    It starts from nodes wired by Hamilton's own ``update_dependencies``, then is updated per
    graph change in time proportional to the nodes changed and their neighbours, so a run
    does not copy and re-wire the whole graph.
    """

    def __init__(self, nodes: Iterable[Node], input_type: Callable[[str], Any]) -> None:
        self._input_type = input_type
        copies = {n.name: n.copy(include_refs=False) for n in nodes}
        self.nodes: dict[str, Node] = update_dependencies(
            copies, LifecycleAdapterSet(), reset_dependencies=False
        )
        for name, n in self.nodes.items():  # Hamilton types inputs by its own node order
            if n.user_defined:
                n.set_type(input_type(name))

    def update(self, removed: Iterable[str], upserted: Iterable[Node]) -> None:
        """Mirror a graph change: ``removed`` names left, ``upserted`` nodes came or changed."""
        fresh = [n.copy(include_refs=False) for n in upserted]
        gone = [self.nodes.pop(name) for name in removed]
        replaced = [old for n in fresh if (old := self.nodes.get(n.name)) is not None]
        inputs: set[str] = set()
        for old in gone + replaced:  # first detach every leaving node from what it reads
            inputs |= self._unlink(old)
        for old in gone:
            if old.depended_on_by:  # still read: it becomes an input
                self.nodes[old.name] = self._external(old.name)
                self._relink(old, self.nodes[old.name])
                inputs.add(old.name)
        for new in fresh:
            old = self.nodes.get(new.name)
            if old is not None:
                self._relink(old, new)
            self.nodes[new.name] = new
            for dep in new.input_types:
                target = self.nodes.get(dep)
                if target is None:
                    target = self.nodes[dep] = self._external(dep)
                new.dependencies.append(target)
                target.depended_on_by.append(new)
                if target.user_defined:
                    inputs.add(dep)
        for name in inputs:
            n = self.nodes.get(name)
            if n is not None and n.user_defined:
                n.set_type(self._input_type(name))

    def _unlink(self, old: Node) -> set[str]:
        """Detach ``old`` from what it depends on; drop inputs nobody reads any more."""
        touched = set()
        deps: list[Node] = old.dependencies
        for dep in deps:
            dep.depended_on_by.remove(old)
            name: str = dep.name
            if dep.user_defined:
                touched.add(name)
                if not dep.depended_on_by and self.nodes.get(name) is dep:
                    del self.nodes[name]
        return touched

    @staticmethod
    def _relink(old: Node, new: Node) -> None:
        """Point every consumer of ``old`` at ``new``."""
        for consumer in old.depended_on_by:
            consumer.dependencies[:] = [new if d is old else d for d in consumer.dependencies]
            new.depended_on_by.append(consumer)

    def _external(self, name: str) -> Node:
        return Node(name, self._input_type(name), node_source=NodeType.EXTERNAL)
