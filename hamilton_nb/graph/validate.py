"""Validation of a graph change before it is applied: duplicates, type mismatches, cycles."""

from __future__ import annotations

from collections.abc import Container, Iterable
from typing import Any, Protocol

from hamilton.htypes import types_match

from hamilton_nb.analysis.typenames import type_name
from hamilton_nb.errors import CycleError, DuplicateNodeError, TypeMismatchError
from hamilton_nb.graph.model import NodeSpec
from hamilton_nb.graph.walks import find_cycle
from hamilton_nb.ids import NodeName


class GraphView(Protocol):
    """Read access to a graph state: nodes by name and consumers by dependency name."""

    def node(self, name: str) -> NodeSpec | None: ...

    def consumers(self, name: str) -> frozenset[NodeName]: ...


class StagedGraph:
    """The graph as it would be after a change, for validation before anything is mutated.

    Attributes:
        upsert: the nodes added or replaced.
        touched: names upserted, and removed names that exist.
    """

    def __init__(
        self, base: GraphView, upsert: dict[NodeName, NodeSpec], remove: set[NodeName]
    ) -> None:
        self.base = base
        self.upsert = upsert
        self.remove = remove
        self.touched = set(upsert) | {n for n in remove if base.node(n) is not None}
        self.plus: dict[str, set[NodeName]] = {}
        self.minus: dict[str, set[NodeName]] = {}
        for name in self.touched:
            old = base.node(name)
            for dep, _ in old.inputs if old else ():
                self.minus.setdefault(dep, set()).add(name)
        for name, spec in upsert.items():
            for dep, _ in spec.inputs:
                self.plus.setdefault(dep, set()).add(name)
        # a node that keeps its type and inputs cannot add a type mismatch or a cycle
        self.reshaped = {
            name: spec
            for name, spec in upsert.items()
            if (old := base.node(name)) is None
            or old.inputs != spec.inputs
            or old.type != spec.type
        }

    def node(self, name: str) -> NodeSpec | None:
        if name in self.upsert:
            return self.upsert[NodeName(name)]
        if name in self.touched:
            return None
        return self.base.node(name)

    def consumers(self, name: str) -> frozenset[NodeName]:
        current = self.base.consumers(name) - self.minus.get(name, set())
        return current | self.plus.get(name, set())

    def validate(self) -> None:
        """Raise the first problem the change would bring.

        Raises:
            DuplicateNodeError: an upserted node is owned by another cell that keeps it.
            TypeMismatchError: a producer's type does not fit a consumer's annotation, or two
                consumers of one input want incompatible types.
            CycleError: the change closes a cycle.
        """
        for spec in self.upsert.values():
            old = self.base.node(spec.name)
            if old is not None and old.cell != spec.cell and spec.name not in self.remove:
                raise DuplicateNodeError(
                    f"node '{spec.name}' is already defined in cell {old.cell}"
                    f" (line {old.line}). Edit that cell, or `%dataflow drop {spec.name}`.",
                    spec.where(),
                )
        self._check_types()
        cycle = find_cycle(sorted(self.reshaped), self.consumers)
        if cycle:
            ring = cycle[:-1]
            at = min((self.upsert[n] for n in ring if n in self.upsert), key=_source_order)
            start = ring.index(at.name)
            path = " -> ".join([*ring[start:], *ring[:start], at.name])
            raise CycleError(
                f"these functions would form a cycle: {path}. A node cannot depend on itself,"
                " directly or through others; rename a parameter or a function to break it.",
                at.where(),
            )

    def _check_types(self) -> None:
        external: set[str] = set()
        for spec in self.reshaped.values():
            for dep, wanted in spec.inputs:
                producer = self.node(dep)
                if producer is None:
                    external.add(dep)
                else:
                    _check_edge(producer, spec, wanted, blame=spec)
            for consumer_name in self.consumers(spec.name):
                consumer = self.node(consumer_name)
                assert consumer is not None
                _check_edge(spec, consumer, consumer.input_type(spec.name), blame=spec)
        external |= {n for n in self.touched - self.upsert.keys() if self.consumers(n)}
        for name in sorted(external):
            input_type(name, self, blame=self.upsert)


def _source_order(spec: NodeSpec) -> tuple[int, str]:
    return (spec.line or 0, spec.name)


def _check_edge(producer: NodeSpec, consumer: NodeSpec, wanted: Any, blame: NodeSpec) -> None:
    if not types_match(wanted, producer.type):
        raise TypeMismatchError(
            f"{consumer.name} (cell {consumer.cell}, line {consumer.line}) expects"
            f" {producer.name}: {type_name(wanted)}, but {producer.name} (cell {producer.cell},"
            f" line {producer.line}) returns {type_name(producer.type)}."
            " Make the annotations agree.",
            blame.where(),
        )


def input_type(name: str, view: GraphView, blame: Container[str] = ()) -> Any:
    """Hamilton's type for an external input: the first consumer's annotation, tightened by the
    next ones in Hamilton's node order; raises when two annotations are incompatible, at the
    consumer in ``blame`` (the change being applied) if one of the two is there.

    Raises:
        TypeMismatchError: two consumers want incompatible types.
    """
    consumers: Iterable[NodeSpec] = sorted(
        (s for s in (view.node(c) for c in view.consumers(name)) if s is not None),
        key=lambda s: s.order,
    )
    current: NodeSpec | None = None
    current_type: Any = None
    for spec in consumers:
        wanted = spec.input_type(name)
        if current is None:
            current, current_type = spec, wanted
        elif types_match(wanted, current_type):
            continue
        elif types_match(current_type, wanted):
            current, current_type = spec, wanted
        else:
            raise TypeMismatchError(
                f"input '{name}' is wanted as {type_name(current_type)} by {current.name}"
                f" (cell {current.cell}, line {current.line}) and as {type_name(wanted)} by"
                f" {spec.name} (cell {spec.cell}, line {spec.line}). Make the annotations agree.",
                (current if current.name in blame else spec).where(),
            )
    return current_type
