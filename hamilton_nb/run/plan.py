"""Plan a run: what the cache already has, and what must be computed, in dependency order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from hamilton_nb.cache.keys import Keys
from hamilton_nb.errors import (
    MissingInputError,
    RunRefusedError,
    UnknownNodeError,
    did_you_mean,
)
from hamilton_nb.graph.graph import DataflowGraph
from hamilton_nb.graph.model import NodeSpec
from hamilton_nb.graph.walks import post_order
from hamilton_nb.ids import NodeName
from hamilton_nb.run import blocks


class Cache(Protocol):
    """What planning needs of the cache."""

    def get(self, key: str) -> tuple[bool, Any]: ...


@dataclass
class Plan:
    """What a run will do.

    Attributes:
        keys: cache key of every node the run looked at (computed, or loaded: the walk up
            stops there) and of the inputs it read (None: not cacheable).
        compute: nodes to execute, in topological order.
        loaded: values taken from the cache for nodes the computed ones (or the caller) need.
        inputs: input values the computed nodes need (config values reach them as config,
            as in Hamilton, where a config value also satisfies an input of its name).
        given: input values the targets depend on, needed or not: a run answered by the cache
            was still a run with these inputs.
        block: nodes of ``compute`` in a ``Parallelizable[]`` block (``run.blocks``): never
            taken from the cache, their values not kept.
    """

    keys: dict[str, str | None]
    compute: list[NodeName]
    loaded: dict[str, Any]
    inputs: dict[str, Any]
    given: dict[str, Any] = field(default_factory=dict)
    block: frozenset[str] = frozenset()


def plan(
    graph: DataflowGraph,
    targets: list[str],
    inputs: Mapping[str, Any],
    config: Mapping[str, Any],
    overrides: Mapping[str, Any],
    cache: Cache,
) -> Plan:
    """Decide what to load from the cache and what to compute for ``targets``: walk up from
    the targets, stopping at every node the cache has.

    Raises:
        UnknownNodeError: a target is neither a node nor an input.
        MissingInputError: a node to compute needs an input nobody gave.
        RunRefusedError: a target runs once per item of a ``Parallelizable[]`` node.
    """
    nodes = cast(Mapping[str, NodeSpec], graph.nodes())
    unknown = [t for t in targets if t not in nodes and not graph.consumers(t)]
    if unknown:
        hint = did_you_mean(unknown[0], [*nodes, *graph.input_names()]) if len(unknown) == 1 else ""
        raise UnknownNodeError(f"no node named {', '.join(map(repr, unknown))}.{hint}")
    in_block = blocks.block_nodes(graph)
    _refuse_per_item(graph, [t for t in targets if t in in_block and t not in overrides])
    given = {**config, **inputs}
    ungiven = [t for t in targets if t not in nodes and t not in given and t not in overrides]
    if ungiven:
        raise MissingInputError(
            f"{', '.join(map(repr, ungiven))}: asked for, but an input nobody gave. Pass it"
            " with --inputs name=value (or inputs={...} in Python)."
        )

    keys = Keys.for_values(graph, given, overrides)
    to_compute: set[str] = set()
    loaded: dict[str, Any] = {}
    needed: dict[str, Any] = {}
    missing: dict[str, list[str]] = {}

    def expand(name: str) -> Sequence[str]:
        """What a node needs planned first: nothing for inputs, overrides and cache hits."""
        spec = nodes.get(name)
        if spec is None or name in overrides:
            return ()
        key = keys(name)
        if key is not None and name not in in_block:
            found, value = cache.get(key)
            if found:
                loaded[name] = value
                return ()
        to_compute.add(name)
        deps = []
        for dep, _ in spec.inputs:
            if dep in nodes:
                deps.append(dep)
            elif dep in inputs:
                needed[dep] = inputs[dep]
            elif dep in config:  # Hamilton's rule: a config value is also an input
                pass
            elif dep not in overrides and spec.hamilton.requires(dep):
                missing.setdefault(dep, []).append(name)
        return deps

    order = post_order(targets, expand)  # each node after what it depends on
    compute = cast(list[NodeName], [n for n in order if n in to_compute])
    if missing:
        described = "; ".join(
            f"{m} (needed by {', '.join(sorted(n))})" for m, n in sorted(missing.items())
        )
        raise MissingInputError(
            f"missing inputs: {described}. Pass them with --inputs name=value"
            " (or inputs={...} in Python)."
        )
    for target in targets:
        if target not in nodes:  # an input asked for: its key, as for the inputs read
            keys(target)
    # the inputs whose keys were needed: those the targets depend on, up to any override
    involved = {n: given[n] for n in keys.known if n in given and n not in nodes}
    return Plan(keys.known, compute, loaded, needed, involved, in_block.intersection(compute))


def _refuse_per_item(graph: DataflowGraph, targets: list[str]) -> None:
    """Targets that run once per item of a ``Parallelizable[]`` node have no value to give."""
    inside = blocks.per_item(graph, targets)
    if inside:
        gather = ", ".join(blocks.collectors(graph)) or "none yet"
        raise RunRefusedError(
            f"{', '.join(map(repr, sorted(inside)))}: run once per item of a Parallelizable[]"
            f" node, with no one value to return. Ask for the Collect[] node that gathers them"
            f" ({gather})."
        )
