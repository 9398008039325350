"""What a cache key is made of, in one place.

A node's value is reused only when its key is unchanged. The key has three parts, each made
here:

1. the node's **fingerprint** (``node_fingerprint``): what the node calls, read from its
   callable (``callables``: the user's function without its decorators, with the code of every
   helper, constant and import it reads, and what Hamilton's decorators built around it for
   this node: a step's helper, a bound value, a validator; where a part cannot be read, the
   whole decorated function's code), the config its decorators read, and the node's own name,
   type, parameters and tags;
2. its **lineage** (``lineage_of``, kept by the graph for every node): the fingerprint hashed with
   the lineage keys of the nodes it reads and the names of the inputs it reads, so equal
   lineage keys mean equal code all the way upstream;
3. at run time (``Keys``), the lineage key hashed with the keys of the input values it reads
   (``value_key``: a content hash); below an override, the node's fingerprint with the keys of
   what it reads (what is above an override does not count).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple, Protocol

from hamilton.node import Node

from hamilton_nb.analysis.digest import digest
from hamilton_nb.analysis.typenames import type_name
from hamilton_nb.cache.hashing import hash_value

MISSING = "<missing>"  # the key of an input nobody gave


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


def function_fingerprint(code: str, config_read: Mapping[str, Any]) -> str:
    """A function's code fingerprint with the config values its decorators read."""
    return digest(code, repr(sorted((k, repr(v)) for k, v in config_read.items())))


def node_fingerprint(function_fp: str, n: Node) -> str:
    """One node's fingerprint: its function's, plus its name, type, parameters and tags."""
    inputs = ",".join(f"{p}:{type_name(t)}" for p, (t, _) in n.input_types.items())
    # Hamilton tags every node with its module's name: not part of what the node computes
    tags = repr(sorted((str(k), repr(v)) for k, v in n.tags.items() if k != "module"))
    return digest(function_fp, n.name, type_name(n.type), inputs, tags)


class _Spec(Protocol):
    """What a key needs of a graph's node."""

    @property
    def fingerprint(self) -> str: ...

    @property
    def inputs(self) -> tuple[tuple[str, Any], ...]: ...

    @property
    def hamilton(self) -> Node: ...


_NO_READS: tuple[str, ...] = ()
_NO_REQUIRES: frozenset[str] = frozenset()


def lineage_of(spec: _Spec, lineages: Mapping[str, Lineage]) -> Lineage:
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


def value_key(value: Any, prefix: str = "input") -> str | None:
    """The key of a given value (input, config, override): its content hash."""
    h = hash_value(value)
    return digest(prefix, h) if h is not None else None


class LineageView(Protocol):
    """What ``Keys`` needs of a graph."""

    def lineage(self, name: str) -> Lineage | None: ...

    def node(self, name: str) -> Any: ...

    def descendants(self, names: Iterable[str]) -> set[Any]: ...

    def dependencies_first(self, name: str, among: Callable[[str], bool]) -> list[str]: ...


class Keys:
    """Cache keys of nodes and inputs for one set of inputs and overrides, each found once.

    A node's key is its lineage's key hashed with the keys of the inputs it reads; a node that
    reads no input needs no hashing. None means "not cacheable": the node reads a value that
    cannot be hashed, or a required input nobody gave. Below an override, a node's key hashes
    its own fingerprint with the keys of what it reads.

    Build one with ``for_values`` (a run's given values) or ``for_keys`` (keys remembered from
    earlier runs); both give the same key for the same values.
    """

    def __init__(
        self,
        graph: LineageView,
        input_key: Callable[[str], str | None],
        overrides: Mapping[str, str | None] | None = None,
    ) -> None:
        self.graph = graph
        self.input_key = input_key
        self.known: dict[str, str | None] = dict(overrides or {})
        self.below = graph.descendants(n for n in self.known if graph.node(n) is not None)

    @classmethod
    def for_values(
        cls,
        graph: LineageView,
        given: Mapping[str, Any],
        overrides: Mapping[str, Any] | None = None,
    ) -> Keys:
        """Keys for a run given these input (and config) values and overrides."""

        def input_key(name: str) -> str | None:
            return value_key(given[name]) if name in given else MISSING

        known = {n: value_key(v, "override") for n, v in (overrides or {}).items()}
        return cls(graph, input_key, known)

    @classmethod
    def for_keys(cls, graph: LineageView, input_keys: Mapping[str, str | None]) -> Keys:
        """Keys under inputs whose keys are known (those of the latest runs)."""
        return cls(graph, lambda name: input_keys.get(name, MISSING))

    def __call__(self, name: str) -> str | None:
        """The key of node or input ``name``."""
        known = self.known
        if name in known:
            return known[name]
        lineage = self.graph.lineage(name)
        if lineage is None:
            key = self.input_key(name)
        elif name in self.below:
            key = self._below_override(name)
        elif lineage.reads:
            key = self._with_inputs(lineage)
        else:
            key = lineage.key
        known[name] = key
        return key

    def _with_inputs(self, lineage: Lineage) -> str | None:
        parts = [lineage.key]
        for name in lineage.reads:
            part = _part(name, self(name), name in lineage.requires)
            if part is None:
                return None
            parts.append(part)
        return digest(*parts)

    def _below_override(self, name: str) -> str | None:
        """Keys of ``name`` and of the nodes it reads below an override, dependencies first."""
        below, known = self.below, self.known
        for current in self.graph.dependencies_first(name, lambda n: n in below and n not in known):
            self.known[current] = self._from_dependencies(self.graph.node(current))
        return self.known[name]

    def _from_dependencies(self, spec: _Spec) -> str | None:
        parts = [spec.fingerprint]  # its own code: what is above an override does not count
        for dep, _ in spec.inputs:  # the parameters, in order (as Hamilton's ``input_types``)
            part = _part(dep, self(dep), spec.hamilton.requires(dep))
            if part is None:
                return None
            parts.append(part)
        return digest(*parts)


def _part(name: str, key: str | None, required: bool) -> str | None:
    """What a value read counts for in a node's key; None: the node cannot be cached (the
    value cannot be hashed, or it is a required input nobody gave)."""
    if key == MISSING:
        if required:
            return None
        key = "default"  # left out: the function's default is part of its code
    return None if key is None else f"{name}={key}"
