"""Run nodes through Hamilton: plan what the cache already has, execute the rest, record it."""

from __future__ import annotations

import logging
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from hamilton import base, driver, lifecycle
from hamilton.function_modifiers.base import get_node_decorators
from hamilton.graph import FunctionGraph, update_dependencies
from hamilton.lifecycle.base import LifecycleAdapterSet
from hamilton.node import DependencyType, Node

from hamilton_nb.errors import Location, MissingInputError, NodeExecutionError, UnknownNodeError
from hamilton_nb.fingerprint import digest
from hamilton_nb.graph import DataflowGraph
from hamilton_nb.names import NodeName
from hamilton_nb.values import hash_value


class Progress(Protocol):
    """Told about each node as it runs (a notebook shows this for long runs)."""

    def start(self, total: int) -> None: ...

    def node_started(self, name: str) -> None: ...

    def node_finished(self, name: str) -> None: ...

    def done(self) -> None: ...


class Cache(Protocol):
    """What planning needs of the cache."""

    def get(self, key: str) -> tuple[bool, Any]: ...


@dataclass
class Plan:
    """What a run will do.

    Attributes:
        keys: cache key of every node and input involved (None: not cacheable).
        compute: nodes to execute, in topological order.
        loaded: values taken from the cache for nodes the computed ones (or the caller) need.
        inputs: input values (inputs and config) the computed nodes need.
    """

    keys: dict[str, str | None]
    compute: list[NodeName]
    loaded: dict[str, Any]
    inputs: dict[str, Any]


@dataclass
class Outcome:
    """What an execution did: values and durations of the nodes that ran, and a failure."""

    results: dict[str, Any] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)
    error: NodeExecutionError | None = None


def topological(graph: DataflowGraph, targets: list[str]) -> list[NodeName]:
    """Nodes that ``targets`` need (themselves included), dependencies first; iterative."""
    order: list[NodeName] = []
    state: dict[str, int] = {}
    for root in targets:
        if root in state or root not in graph:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(graph.dependencies(root)))]
        state[root] = 1
        while stack:
            name, deps = stack[-1]
            dep = next(deps, None)
            if dep is None:
                stack.pop()
                state[name] = 2
                order.append(NodeName(name))
            elif dep not in state and dep in graph:
                state[dep] = 1
                stack.append((dep, iter(graph.dependencies(dep))))
    return order


def node_keys(
    graph: DataflowGraph, order: list[NodeName], input_keys: Mapping[str, str | None]
) -> dict[str, str | None]:
    """Cache keys: a node's key hashes its code fingerprint and the keys of what it reads."""
    keys: dict[str, str | None] = dict(input_keys)
    for name in order:
        if name in keys:  # overridden by the caller
            continue
        spec = graph.nodes()[name]
        parts = [spec.fingerprint]
        for dep, _ in spec.inputs:
            key = keys.get(dep, "default")  # an optional input left out: the default is code
            if key is None:
                break
            parts.append(f"{dep}={key}")
        else:
            keys[name] = digest(*parts)
            continue
        keys[name] = None
    return keys


def input_keys(values: Mapping[str, Any], prefix: str = "input") -> dict[str, str | None]:
    """Keys of given values (inputs, config, overrides): their content hashes."""
    keys: dict[str, str | None] = {}
    for name, value in values.items():
        h = hash_value(value)
        keys[name] = digest(prefix, h) if h is not None else None
    return keys


def plan(
    graph: DataflowGraph,
    targets: list[str],
    inputs: Mapping[str, Any],
    config: Mapping[str, Any],
    overrides: Mapping[str, Any],
    cache: Cache,
) -> Plan:
    """Decide what to load from the cache and what to compute for ``targets``.

    Raises:
        UnknownNodeError: a target is neither a node nor an input.
        MissingInputError: a node to compute needs an input nobody gave.
    """
    known = graph.nodes().keys() | graph.inputs().keys()
    unknown = [t for t in targets if t not in known]
    if unknown:
        raise UnknownNodeError(f"no node named {', '.join(map(repr, unknown))}.")
    given = {**config, **inputs}
    order = topological(graph, targets)
    keys = node_keys(graph, order, {**input_keys(given), **input_keys(overrides, "override")})
    compute: set[str] = set()
    loaded: dict[str, Any] = {}
    todo = [t for t in targets if t in graph]
    while todo:
        name = todo.pop()
        if name in compute or name in loaded or name in overrides:
            continue
        key = keys.get(name)
        if key is not None:
            found, value = cache.get(key)
            if found:
                loaded[name] = value
                continue
        compute.add(name)
        todo.extend(d for d in graph.dependencies(name) if d in graph)
    needed_inputs = _needed_inputs(graph, compute, given, overrides)
    return Plan(keys, [n for n in order if n in compute], loaded, needed_inputs)


def _needed_inputs(
    graph: DataflowGraph, compute: set[str], given: Mapping[str, Any], overrides: Mapping[str, Any]
) -> dict[str, Any]:
    needed: dict[str, Any] = {}
    missing: dict[str, list[str]] = {}
    for name in sorted(compute):
        spec = graph.nodes()[NodeName(name)]
        for dep, (_, kind) in spec.hamilton.input_types.items():
            if dep in graph or dep in overrides:
                continue
            if dep in given:
                needed[dep] = given[dep]
            elif kind == DependencyType.REQUIRED:
                missing.setdefault(dep, []).append(name)
    if missing:
        described = "; ".join(f"{m} (needed by {', '.join(n)})" for m, n in sorted(missing.items()))
        raise MissingInputError(
            f"missing inputs: {described}. Pass them with --inputs name=value"
            " (or inputs={...} in Python)."
        )
    return needed


class _Recorder(lifecycle.NodeExecutionHook):  # type: ignore[misc]
    """Hamilton lifecycle hook: each node's result, duration and error, as it happens."""

    def __init__(self, outcome: Outcome, failures: dict[str, Exception], progress: Progress | None):
        self.outcome = outcome
        self.failures = failures
        self.progress = progress
        self._started: dict[str, float] = {}

    def run_before_node_execution(self, *, node_name: str, **_: Any) -> None:
        self._started[node_name] = time.perf_counter()
        if self.progress is not None:
            self.progress.node_started(node_name)

    def run_after_node_execution(
        self, *, node_name: str, result: Any, error: Exception | None, success: bool, **_: Any
    ) -> None:
        self.outcome.durations[node_name] = time.perf_counter() - self._started[node_name]
        if success:
            self.outcome.results[node_name] = result
        elif error is not None:
            self.failures[node_name] = error
        if self.progress is not None:
            self.progress.node_finished(node_name)


def execute(
    graph: DataflowGraph,
    the_plan: Plan,
    config: Mapping[str, Any],
    overrides: Mapping[str, Any],
    is_user_file: Callable[[str], bool],
    progress: Progress | None = None,
) -> Outcome:
    """Execute the plan's nodes with Hamilton's driver; cached values go in as overrides.

    Never raises for a failing node: the outcome holds what ran and the error.
    """
    outcome = Outcome()
    if not the_plan.compute:
        return outcome
    failures: dict[str, Exception] = {}
    recorder = _Recorder(outcome, failures, progress)
    adapters = LifecycleAdapterSet(base.DictResult(), recorder)
    given = {**the_plan.loaded, **overrides}
    nodes: dict[str, Node] = {
        n: graph.nodes()[NodeName(n)].hamilton.copy(include_refs=False)
        for n in [*the_plan.compute, *(g for g in given if g in graph)]
    }
    fn_graph = FunctionGraph(
        update_dependencies(nodes, adapters, reset_dependencies=False), dict(config), adapters
    )
    dr = driver.Driver(dict(config), adapter=adapters, _use_legacy_adapter=False)
    dr.graph = fn_graph
    if progress is not None:
        progress.start(len(the_plan.compute))
    try:
        with quiet_hamilton(), _deep_enough(len(the_plan.compute)):
            dr.execute(the_plan.compute, overrides=given, inputs=the_plan.inputs)
    except Exception:
        name = next(iter(failures), None)
        if name is None:
            raise
        outcome.error = _node_error(graph, name, failures[name], is_user_file)
    finally:
        if progress is not None:
            progress.done()
    return outcome


def _node_error(
    graph: DataflowGraph, name: str, error: Exception, is_user_file: Callable[[str], bool]
) -> NodeExecutionError:
    spec = graph.nodes()[NodeName(name)]
    frames = [f for f in traceback.extract_tb(error.__traceback__) if is_user_file(f.filename)]
    last = frames[-1] if frames else None
    where = Location(spec.cell, last.lineno if last else spec.line, last.line if last else None)
    shown = [f"  {f.filename}, line {f.lineno}, in {f.name}: {f.line}" for f in frames]
    return NodeExecutionError(
        f"node '{name}' raised {type(error).__name__}: {error}", where, name, shown
    )


def config_read(fn: Callable[..., Any], config: Mapping[str, Any]) -> dict[str, Any]:
    """The config values a function's Hamilton decorators read (all of it if one says None)."""
    keys: set[str] = set()
    for decorators in get_node_decorators(fn, dict(config)).values():
        for decorator in decorators:
            required = decorator.required_config()
            if required is None:
                return dict(config)
            keys |= set(required) | set(decorator.optional_config() or {})
    return {k: config[k] for k in sorted(keys) if k in config}


@contextmanager
def quiet_hamilton() -> Iterator[None]:
    """Hamilton logs failures at ERROR level before re-raising; we report them ourselves."""
    log = logging.getLogger("hamilton")
    level = log.level
    log.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        log.setLevel(level)


@contextmanager
def _deep_enough(depth: int) -> Iterator[None]:
    """Hamilton walks dependencies recursively: a 5,000-node chain needs a deeper stack."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * depth + 1000))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)
