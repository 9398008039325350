"""What runs did: per node, the last key, duration, size and failure; and each node's state."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from hamilton_nb.cache.keys import Keys, value_key
from hamilton_nb.cache.values import sizeof
from hamilton_nb.graph.graph import DataflowGraph
from hamilton_nb.run import blocks
from hamilton_nb.run.execute import Outcome
from hamilton_nb.run.plan import Plan

FRESH, CACHED, STALE, FAILED, INPUT, NEVER = (
    "fresh",
    "cached",
    "stale",
    "failed",
    "input",
    "never run",
)
NOT_CACHED = "not cached (parallel block)"  # see ``run.blocks``


class NodeRun(NamedTuple):  # a tuple: one is made per node per run, so it must be cheap
    """The last time a node was computed, failed, or had its value taken from the cache."""

    key: str | None
    duration: float | None
    size: int | None
    failed: bool = False


@dataclass(frozen=True)
class RunReport:
    """What one ``run`` did.

    Attributes:
        requested: the nodes asked for.
        computed: nodes executed, in order.
        from_cache: nodes whose cached value was used (loaded, not computed).
        failed: the node that raised, if one did.
        not_stored: nodes whose value cannot be stored on disk, with the reason.
        not_cached: nodes of ``computed`` in a ``Parallelizable[]`` block: their values are not
            cached (the block runs again, whole, when its ``Collect[]`` node is not cached).
        changed: nodes of ``computed`` whose value differs from the one computed before, with
            the gist of the difference (``run.changes``); unchanged ones are not in it.
    """

    requested: tuple[str, ...]
    computed: tuple[str, ...]
    from_cache: tuple[str, ...]
    failed: str | None = None
    not_stored: Mapping[str, str] = field(default_factory=dict)
    not_cached: tuple[str, ...] = ()
    changed: Mapping[str, str] = field(default_factory=dict)


class _Computed(NamedTuple):
    """The nodes a run computed, with what their records are made of."""

    names: list[str]
    keys: Mapping[str, str | None]
    durations: Mapping[str, float]
    sizes: Mapping[str, int | None]


class RunBook:
    """Per-session memory of runs.

    Responsibilities: remember each node's last computation (key, duration, size, failure) and
    the inputs and config of the last run, so a node's state can be told at any time: fresh
    (computed by the last run), cached (its current value is in the cache), stale (computed
    before, but what it depends on changed since), failed, input or never run; or not cached,
    for a node of a ``Parallelizable[]`` block (``run.blocks``).
    """

    def __init__(self) -> None:
        self._nodes: dict[str, NodeRun] = {}
        self._unread: _Computed | None = None
        self.input_keys: dict[str, str | None] = {}  # of the latest runs, for states
        self.inputs: dict[str, Any] = {}  # values of the latest runs, for regression tests
        self.config: dict[str, Any] = {}
        self.last: RunReport | None = None
        self._fresh: set[str] = set()
        self._remembered: tuple[tuple[tuple[str, str | None], ...], ...] | None = None

    def loaded_sizes(self, plan: Plan) -> dict[str, int]:
        """The sizes of the values a run took from the cache: as recorded when the same key was
        last seen (measuring a DataFrame of strings on every warm run would cost more than the
        run), else measured."""
        nodes, keys = self.nodes, plan.keys
        sizes = {}
        for name, value in plan.loaded.items():
            known = nodes.get(name)
            if known is not None and known.key == keys.get(name) and known.size is not None:
                sizes[name] = known.size
            else:
                sizes[name] = sizeof(value)
        return sizes

    def to_remember(self, config: Mapping[str, Any]) -> dict[str, Any] | None:
        """The record of the latest inputs and config to keep for an export's regression tests,
        or None when it is the one kept last time (same content hashes): pickling a DataFrame
        of millions of rows on every run would cost more than a warm run."""
        inputs = tuple(sorted(self.input_keys.items()))
        parts = (inputs, tuple(sorted((k, value_key(v)) for k, v in config.items())))
        if parts == self._remembered:
            return None
        hashed = all(key is not None for part in parts for _, key in part)
        self._remembered = parts if hashed else None  # a value without a hash: every time
        return {"inputs": self.inputs, "config": dict(config)}

    def record(
        self,
        requested: list[str],
        plan: Plan,
        outcome: Outcome,
        sizes: Mapping[str, int | None],
        not_stored: Mapping[str, str],
        changed: Mapping[str, str] | None = None,
    ) -> RunReport:
        """Remember a run's plan and outcome; returns its report."""
        self.input_keys.update({k: plan.keys.get(k) for k in plan.given})
        self.inputs.update(plan.given)
        nodes = self.nodes  # the previous run's records, before this run's
        for name in plan.loaded:
            known = nodes.get(name)
            duration = known.duration if known and known.key == plan.keys.get(name) else None
            nodes[name] = NodeRun(plan.keys.get(name), duration, sizes.get(name))
        names = [*outcome.results, *outcome.per_item]
        self._unread = _Computed(names, plan.keys, outcome.durations, sizes)
        failed = outcome.error.node if outcome.error else None
        if failed is not None:
            self.nodes[failed] = NodeRun(
                plan.keys.get(failed), outcome.durations.get(failed, 0.0), None, failed=True
            )
        self._fresh = set(outcome.results)
        ran = set(outcome.per_item)
        computed = tuple(n for n in plan.compute if n in outcome.results or n in ran)
        not_cached = tuple(n for n in computed if n in plan.block)
        self.last = RunReport(
            tuple(requested),
            computed,
            tuple(plan.loaded),
            failed,
            dict(not_stored),
            not_cached,
            dict(changed or {}),
        )
        return self.last

    @property
    def nodes(self) -> dict[str, NodeRun]:
        """Each node's last run. The records of the nodes the latest run computed are made
        when first asked for: a cold run computes every node, and nothing may ask."""
        if self._unread is not None:
            names, keys, durations, sizes = self._unread
            self._unread = None
            self._nodes.update({n: NodeRun(keys[n], durations[n], sizes.get(n)) for n in names})
        return self._nodes

    def states(self, graph: DataflowGraph, in_cache: Callable[[str], bool]) -> dict[str, str]:
        """Every node's and input's state, against the inputs of the latest runs."""
        keys = self.keys(graph)
        states = dict.fromkeys(graph.inputs(), INPUT)
        runs = self.nodes
        in_block = blocks.block_nodes(graph)
        for name in graph.nodes():
            run = runs.get(name)
            key = keys(name)
            if run is not None and run.failed and run.key == key:
                states[name] = FAILED
            elif name in in_block:
                states[name] = NOT_CACHED
            elif key is not None and in_cache(key):
                fresh = name in self._fresh and run is not None and run.key == key
                states[name] = FRESH if fresh else CACHED
            else:
                states[name] = NEVER if run is None else STALE
        return states

    def restore(self, inputs: Mapping[str, Any], config: Mapping[str, Any]) -> None:
        """Take up the inputs and config of runs made elsewhere (recorded by the notebook's
        kernel), so keys and states are those of those runs (mutates the book)."""
        self.inputs.update(inputs)
        self.input_keys.update({name: value_key(v) for name, v in inputs.items()})
        self.config = dict(config)

    def keys(self, graph: DataflowGraph) -> Keys:
        """Cache keys under the inputs of the latest runs."""
        return Keys.for_keys(graph, self.input_keys)

    def forget(self, names: Any) -> None:
        """Drop what is known of nodes that left the graph."""
        nodes = self.nodes
        for name in names:
            nodes.pop(name, None)
            self._fresh.discard(name)
