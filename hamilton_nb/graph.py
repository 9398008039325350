"""The incremental graph: nodes and edges, a change applied as one validated step, and its diff."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Set
from dataclasses import dataclass
from typing import Any, NamedTuple

from hamilton.htypes import types_match
from hamilton.node import Node

from hamilton_nb.errors import CycleError, DuplicateNodeError, Location, TypeMismatchError
from hamilton_nb.fingerprint import digest
from hamilton_nb.names import CellId, NodeName
from hamilton_nb.wiring import Wiring


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


class Lineage(NamedTuple):  # a tuple: one is made per node downstream of every change
    """What a node's value depends on, as far as the graph can tell: code, and inputs.

    Attributes:
        key: hash of the node's code fingerprint, the names of the inputs it reads and the
            keys of the nodes it reads: equal keys mean equal code all the way upstream.
        reads: the inputs it depends on, directly or through other nodes, sorted.
        requires: those of ``reads`` that a node on the way cannot do without (no default).
    """

    key: str
    reads: tuple[str, ...]
    requires: frozenset[str]


@dataclass(frozen=True)
class GraphDiff:
    """What one change did: nodes added, changed (code), removed, and made stale downstream."""

    added: frozenset[NodeName] = frozenset()
    changed: frozenset[NodeName] = frozenset()
    removed: frozenset[NodeName] = frozenset()
    stale: frozenset[NodeName] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


class _View:
    """Read access to a graph state: nodes by name and consumers by dependency name."""

    node: Callable[[str], NodeSpec | None]
    consumers: Callable[[str], Iterable[NodeName]]


class DataflowGraph(_View):
    """Nodes keyed by name, and for every dependency name the nodes that consume it.

    Responsibilities: answer structure questions (nodes, inputs and their types, dependencies,
    descendants); apply a change (nodes upserted and removed) as one step that is validated
    first (duplicates, type mismatches, cycles) and leaves the graph untouched when rejected.
    Work per change is proportional to the changed nodes, their neighbours and descendants.
    Keeps each node's lineage up to date, so that a run needs no hashing of code.
    """

    def __init__(self) -> None:
        self._nodes: dict[NodeName, NodeSpec] = {}
        self._consumers: dict[str, set[NodeName]] = {}
        self._lineages: dict[str, Lineage] = {}
        self._wiring = Wiring([], lambda name: _input_type(name, self))

    def hamilton_nodes(self) -> dict[str, Node]:
        """Hamilton's node objects for the whole graph, wired (inputs included), ready for
        ``hamilton.graph.FunctionGraph``; kept up to date with every change."""
        return self._wiring.nodes

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
        """What node ``name``'s value depends on (None: not a node)."""
        return self._lineages.get(name)

    def consumers(self, name: str) -> frozenset[NodeName]:
        """Nodes that take ``name`` (a node or an input) as a dependency."""
        return frozenset(self._consumers.get(name, ()))

    def dependencies(self, name: str) -> tuple[str, ...]:
        """Dependency names of node ``name``, in parameter order."""
        return tuple(dep for dep, _ in self._nodes[NodeName(name)].inputs)

    def inputs(self) -> dict[str, Any]:
        """Inputs (dependencies no node produces) and their types, as Hamilton types them."""
        return {
            name: _input_type(name, self)
            for name, users in self._consumers.items()
            if users and name not in self._nodes
        }

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
        """Every node downstream of ``names`` (not including them)."""
        return _descendants(names, self.consumers)

    def ancestors(self, names: Iterable[str]) -> set[str]:
        """Every node and input upstream of ``names`` (not including them)."""
        seen: set[str] = set()
        todo = list(names)
        while todo:
            spec = self._nodes.get(NodeName(todo.pop()))
            for dep, _ in spec.inputs if spec else ():
                if dep not in seen:
                    seen.add(dep)
                    todo.append(dep)
        return seen

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
        staged = _Staged(self, {s.name: s for s in upsert}, set(remove))
        staged.validate()
        return self._commit(staged)

    def _commit(self, staged: _Staged) -> GraphDiff:
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
        rewired = [
            s.hamilton
            for n, s in staged.upsert.items()
            if n not in old or old[n].hamilton is not s.hamilton
        ]
        self._wiring.update(removed, rewired)
        changed = frozenset(
            n for n, s in staged.upsert.items() if n in old and old[n].fingerprint != s.fingerprint
        )
        rewritten = {
            n for n, s in staged.upsert.items() if n not in old or old[n].inputs != s.inputs
        }
        self._trace(changed | rewritten | removed)
        stale = (changed | self.descendants(added | changed | removed)) - added - removed
        return GraphDiff(added, changed, removed, frozenset(stale))

    def _trace(self, names: Set[NodeName]) -> None:
        """Compute again the lineage of ``names`` (nodes changed, added or removed) and of
        everything downstream of them, producers before consumers."""
        lineages, nodes = self._lineages, self._nodes
        for gone in names - nodes.keys():
            lineages.pop(gone, None)
        for name in _downstream(names, lambda n: self._consumers.get(n, ())):
            spec = nodes.get(NodeName(name))
            if spec is not None:
                lineages[name] = _lineage(spec, lineages)


class _Staged(_View):
    """The graph as it would be after a change, for validation before anything is mutated."""

    def __init__(
        self, base: DataflowGraph, upsert: dict[NodeName, NodeSpec], remove: set[NodeName]
    ) -> None:
        self.base = base
        self.upsert = upsert
        self.remove = remove
        self.touched = set(upsert) | {n for n in remove if n in base}
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
        for spec in self.upsert.values():
            old = self.base.node(spec.name)
            if old is not None and old.cell != spec.cell and spec.name not in self.remove:
                raise DuplicateNodeError(
                    f"node '{spec.name}' is already defined in cell {old.cell}"
                    f" (line {old.line}). Edit that cell, or `%dataflow drop {spec.name}`.",
                    spec.where(),
                )
        self._check_types()
        cycle = _find_cycle(sorted(self.reshaped), self.consumers)
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
            _input_type(name, self, blame=self.upsert)


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


def _input_type(name: str, view: _View, blame: Container[str] = ()) -> Any:
    """Hamilton's type for an external input: the first consumer's annotation, tightened by the
    next ones in Hamilton's node order; raises when two annotations are incompatible, at the
    consumer in ``blame`` (the change being applied) if one of the two is there."""
    consumers = sorted(
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


_NO_READS: tuple[str, ...] = ()
_NO_REQUIRES: frozenset[str] = frozenset()


def _lineage(spec: NodeSpec, lineages: Mapping[str, Lineage]) -> Lineage:
    """A node's lineage from the lineages of the nodes it reads (an unknown name is an input).

    A node that reads no input itself, from nodes that all read the same inputs, shares their
    ``reads`` and ``requires``: a long chain below one input holds one tuple, not one a node.
    """
    parts = [spec.fingerprint]
    upstream: list[Lineage] = []
    direct: list[str] = []
    for dep, _ in spec.inputs:
        up = lineages.get(dep)
        if up is None:
            parts.append(dep)
            direct.append(dep)
        else:
            parts.append(f"{dep}={up.key}")
            upstream.append(up)
    key = digest(*parts)
    if not direct:
        if not upstream:
            return Lineage(key, _NO_READS, _NO_REQUIRES)
        first = upstream[0]
        if len(upstream) == 1 or all(u[1:] == first[1:] for u in upstream):
            return Lineage(key, first.reads, first.requires)
    reads = set(direct)
    requires = {d for d in direct if spec.hamilton.requires(d)}
    for up in upstream:
        reads.update(up.reads)
        requires.update(up.requires)
    return Lineage(key, tuple(sorted(reads)), frozenset(requires))


def _downstream(names: Iterable[str], consumers: Callable[[str], Iterable[str]]) -> list[str]:
    """``names`` and everything downstream of them, each after those it depends on (reverse
    post-order of a depth-first walk along consumers; iterative, so deep chains are fine)."""
    finished: list[str] = []
    seen: set[str] = set()
    for root in names:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(consumers(root)))]
        while stack:
            name, todo = stack[-1]
            nxt = next(todo, None)
            if nxt is None:
                stack.pop()
                finished.append(name)
            elif nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, iter(consumers(nxt))))
    finished.reverse()
    return finished


def _descendants(
    names: Iterable[str], consumers: Callable[[str], Iterable[NodeName]]
) -> set[NodeName]:
    seen: set[NodeName] = set()
    todo = list(names)
    while todo:
        for c in consumers(todo.pop()):
            if c not in seen:
                seen.add(c)
                todo.append(c)
    return seen


def _find_cycle(
    roots: Iterable[str], consumers: Callable[[str], Iterable[NodeName]]
) -> list[NodeName] | None:
    """A cycle reachable downstream from ``roots`` (iterative DFS, so deep graphs are fine)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        path = [NodeName(root)]
        stack: list[Iterator[NodeName]] = [iter(sorted(consumers(root)))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(consumers(nxt))))
    return None


def type_name(t: Any) -> str:
    """A readable name for a type annotation."""
    if isinstance(t, type):
        return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
    return repr(t).replace("typing.", "")
