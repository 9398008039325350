"""Run nodes through Hamilton: plan what the cache already has, execute the rest, record it."""

from __future__ import annotations

import linecache
import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from hamilton import driver, lifecycle
from hamilton.function_modifiers.base import get_node_decorators
from hamilton.graph import FunctionGraph
from hamilton.lifecycle.base import LifecycleAdapterSet
from hamilton.node import DependencyType

from hamilton_nb.engines import Engine, Events
from hamilton_nb.engines import engine as engine_named
from hamilton_nb.errors import (
    Location,
    MissingInputError,
    NodeExecutionError,
    RunRefusedError,
    UnknownNodeError,
)
from hamilton_nb.fingerprint import digest
from hamilton_nb.graph import DataflowGraph, NodeSpec
from hamilton_nb.names import NodeName
from hamilton_nb.remote import NodeFailed, Timed, frames, node_failed
from hamilton_nb.values import hash_value


class Progress(Protocol):
    """Told about each node as it runs (a notebook shows this for long runs)."""

    def start(self, total: int) -> None: ...

    def node_started(self, name: str) -> None: ...

    def node_finished(self, name: str) -> None: ...

    def done(self) -> None: ...


# where a traceback frame (file, function, line) is in the user's cells: its cell's filename
Locate = Callable[[str, str, int], str | None]


class Cache(Protocol):
    """What planning needs of the cache."""

    def among(self, keys: Iterable[str]) -> set[str]: ...

    def get(self, key: str) -> tuple[bool, Any]: ...


@dataclass
class Plan:
    """What a run will do.

    Attributes:
        keys: cache key of every node and input involved (None: not cacheable).
        compute: nodes to execute, in topological order.
        loaded: values taken from the cache for nodes the computed ones (or the caller) need.
        inputs: input values (inputs and config) the computed nodes need.
        given: input values the targets depend on, needed or not: a run answered by the cache
            was still a run with these inputs.
    """

    keys: dict[str, str | None]
    compute: list[NodeName]
    loaded: dict[str, Any]
    inputs: dict[str, Any]
    given: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """What an execution did: values and durations of the nodes that ran, and a failure."""

    results: dict[str, Any] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)
    error: NodeExecutionError | None = None


MISSING = "<missing>"  # the key of an input nobody gave


def node_keys(
    graph: DataflowGraph,
    targets: Iterable[str],
    value_key: Callable[[str], str | None],
    leaves: Mapping[str, str | None] | None = None,
) -> tuple[dict[str, str | None], list[NodeName]]:
    """Cache keys of ``targets`` and everything they need, and those nodes in dependency order.

    A node's key hashes its code fingerprint and the keys of what it reads; None means "not
    cacheable" (it reads a value that cannot be hashed, or a required input nobody gave).

    Args:
        graph: the graph.
        targets: node (or input) names.
        value_key: the key of an input's value, or ``MISSING``.
        leaves: names given a value by the caller (overrides): their keys; not walked through.
    """
    nodes = cast(Mapping[str, NodeSpec], graph.nodes())
    keys: dict[str, str | None] = dict(leaves or {})
    order: list[NodeName] = []
    expanded: set[str] = set()
    stack = list(targets)
    while stack:  # iterative post-order: deep chains are fine
        name = stack.pop()
        if name in keys:
            continue  # met again through another path: done already
        spec = nodes.get(name)
        if spec is None:
            keys[name] = value_key(name)
        elif name in expanded:  # met again above its dependencies: they all have keys now
            keys[name] = _key(spec, keys)
            order.append(spec.name)
        else:
            expanded.add(name)
            stack.append(name)
            stack += [dep for dep, _ in spec.inputs if dep not in keys]
    return keys, order


def _key(spec: NodeSpec, keys: Mapping[str, str | None]) -> str | None:
    parts = [spec.fingerprint]
    for dep, _ in spec.inputs:  # the parameters, in order (as Hamilton's ``input_types``)
        key = keys[dep]
        if key is None or key == MISSING:
            if key is None or spec.hamilton.input_types[dep][1] != DependencyType.OPTIONAL:
                return None
            key = "default"  # left out: the function's default is part of its code
        parts.append(f"{dep}={key}")
    return digest(*parts)


def value_key(value: Any, prefix: str = "input") -> str | None:
    """The key of a given value (input, config, override): its content hash."""
    h = hash_value(value)
    return digest(prefix, h) if h is not None else None


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
    nodes = cast(Mapping[str, NodeSpec], graph.nodes())
    unknown = [t for t in targets if t not in nodes and not graph.consumers(t)]
    if unknown:
        raise UnknownNodeError(f"no node named {', '.join(map(repr, unknown))}.")
    given = {**config, **inputs}

    def given_key(name: str) -> str | None:
        return value_key(given[name]) if name in given else MISSING

    leaves = {n: value_key(v, "override") for n, v in overrides.items()}
    keys, order = node_keys(graph, targets, given_key, leaves)
    stored = cache.among(k for n in order if (k := keys[n]) is not None)
    compute: list[NodeName] = []
    loaded: dict[str, Any] = {}
    needed: dict[str, Any] = {}
    missing: dict[str, list[str]] = {}
    wanted = set(targets)
    for name in reversed(order):  # every consumer of a node comes before it
        if name not in wanted:
            continue
        key = keys[name]
        if key in stored:
            found, value = cache.get(key)
            if found:
                loaded[name] = value
                continue
        compute.append(name)
        spec = nodes[name]
        for dep, _ in spec.inputs:
            if dep in nodes:
                wanted.add(dep)
            elif dep in given:
                needed[dep] = given[dep]
            elif dep not in overrides and spec.hamilton.requires(dep):
                missing.setdefault(dep, []).append(name)
    if missing:
        described = "; ".join(
            f"{m} (needed by {', '.join(sorted(n))})" for m, n in sorted(missing.items())
        )
        raise MissingInputError(
            f"missing inputs: {described}. Pass them with --inputs name=value"
            " (or inputs={...} in Python)."
        )
    involved = {n: given[n] for n in keys if n in given and n not in nodes}
    return Plan(keys, compute[::-1], loaded, needed, involved)


class _Recorder(lifecycle.NodeExecutionMethod):  # type: ignore[misc]
    """Hamilton lifecycle method that runs each node (through the engine, for engines whose
    nodes run in this process): records its result, duration and error.

    (One lifecycle call per node, where a before/after hook pair costs two.)
    """

    def __init__(
        self, outcome: Outcome, failures: dict[str, Exception], engine: Engine, events: Events
    ):
        self.outcome = outcome
        self.failures = failures
        self.send = engine.send  # None: call the function here
        self.events = events if events.progress is not None else None

    def run_to_execute_node(
        self, *, node_name: str, node_callable: Any, node_kwargs: dict[str, Any], **_: Any
    ) -> Any:
        if self.events is not None:
            self.events.post("started", node_name)
        started = time.perf_counter()
        try:
            if self.send is None:
                result = node_callable(**node_kwargs)
                seconds = time.perf_counter() - started
            else:  # computed in another process, and timed there
                result, seconds = self.send(node_name, node_callable, node_kwargs)
        except Exception as e:
            self.failures[node_name] = e
            self.outcome.durations[node_name] = time.perf_counter() - started
            raise
        finally:
            if self.events is not None:
                self.events.post("finished", node_name)
        self.outcome.durations[node_name] = seconds
        self.outcome.results[node_name] = result
        return result


def execute(
    graph: DataflowGraph,
    the_plan: Plan,
    config: Mapping[str, Any],
    overrides: Mapping[str, Any],
    locate: Locate,
    progress: Progress | None = None,
    engine: Engine | None = None,
) -> Outcome:
    """Execute the plan's nodes with Hamilton's driver on ``engine`` (default: in the kernel);
    cached values go in as overrides.

    Never raises for a failing node: the outcome holds what ran and the error.
    """
    outcome = Outcome()
    if not the_plan.compute:
        return outcome
    engine = engine or engine_named("local")
    failures: dict[str, Exception] = {}
    events = Events(progress)
    recorder = _Recorder(outcome, failures, engine, events)
    adapters = LifecycleAdapterSet(*engine.adapters(recorder, events))
    given = {**the_plan.loaded, **overrides}
    fn_graph = FunctionGraph(graph.hamilton_nodes(), dict(config), adapters)
    dr = driver.Driver(dict(config), adapter=adapters, _use_legacy_adapter=False)
    dr.graph = fn_graph
    if progress is not None:
        progress.start(len(the_plan.compute))
    try:
        with quiet_hamilton(), _deep_enough(len(the_plan.compute)):
            returned = dr.execute(the_plan.compute, overrides=given, inputs=the_plan.inputs)
        _collect(returned, outcome, failures)
    except Exception as e:
        unsent = node_failed(e)  # a node that could not be sent to a worker
        if unsent is not None:
            failures.setdefault(unsent.node, unsent)
        elif not failures:  # Hamilton refused the run itself (an input of the wrong type, ...)
            raise RunRefusedError(f"Hamilton refused the run: {e}") from e
    finally:
        if progress is not None:
            progress.done()
    failed = [n for n in the_plan.compute if n in failures]
    if failed:
        name = failed[0]  # the first in dependency order: what its descendants failed from
        outcome.error = _node_error(graph, name, failures[name], locate)
    return outcome


def _collect(returned: Mapping[str, Any], outcome: Outcome, failures: dict[str, Exception]) -> None:
    """Take the values and failures an engine returned for nodes run in other processes."""
    for name, value in returned.items():
        if isinstance(value, Timed):
            outcome.results[name], outcome.durations[name] = value
        elif isinstance(value, NodeFailed):
            failures.setdefault(value.node, value)


def _node_error(
    graph: DataflowGraph, name: str, error: Exception, locate: Locate
) -> NodeExecutionError:
    spec = graph.nodes()[NodeName(name)]
    if isinstance(error, NodeFailed):  # raised in another process: its frames came with it
        message, tb = str(error), error.frames
    else:
        message = f"node '{name}' raised {type(error).__name__}: {error}"
        tb = frames(error.__traceback__)
    located = ((locate(file, fn, line), line, fn) for file, line, fn in tb)
    mine = [(f, line, fn, linecache.getline(f, line).strip()) for f, line, fn in located if f]
    last = mine[-1] if mine else None
    where = Location(spec.cell, last[1] if last else spec.line, last[3] if last else None)
    shown = [f"  {file}, line {line}, in {fn}: {code}" for file, line, fn, code in mine]
    return NodeExecutionError(message, where, name, shown)


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
