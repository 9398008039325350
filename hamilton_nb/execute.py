"""Run nodes through Hamilton: plan what the cache already has, execute the rest, record it."""

from __future__ import annotations

import linecache
import logging
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from hamilton import driver
from hamilton.function_modifiers.base import get_node_decorators
from hamilton.graph import FunctionGraph
from hamilton.lifecycle.base import BaseDoNodeExecute, LifecycleAdapterSet
from hamilton.node import Node

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
from hamilton_nb.graph import DataflowGraph, Lineage, NodeSpec
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

    def get(self, key: str) -> tuple[bool, Any]: ...


@dataclass
class Plan:
    """What a run will do.

    Attributes:
        keys: cache key of every node the run looked at (computed, or loaded: the walk up
            stops there) and of the inputs it read (None: not cacheable).
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
    printed: dict[str, tuple[str, str]] = field(default_factory=dict)  # by nodes run elsewhere


MISSING = "<missing>"  # the key of an input nobody gave


class Keys:
    """Cache keys of nodes and inputs for one set of inputs and overrides, each found once.

    A node's key is its lineage's key (its code and everything upstream, kept by the graph)
    hashed with the keys of the inputs it reads; a node that reads no input needs no hashing.
    None means "not cacheable": the node reads a value that cannot be hashed, or a required
    input nobody gave. Below an override, a node's key hashes its own code fingerprint with
    the keys of what it reads.

    Args:
        graph: the graph.
        value_key: the key of an input's value, or ``MISSING``.
        overrides: names given a value by the caller, and the keys of those values.
    """

    def __init__(
        self,
        graph: DataflowGraph,
        value_key: Callable[[str], str | None],
        overrides: Mapping[str, str | None] | None = None,
    ) -> None:
        self.graph = graph
        self.value_key = value_key
        self.known: dict[str, str | None] = dict(overrides or {})
        self.below = graph.descendants(n for n in self.known if n in graph)

    def __call__(self, name: str) -> str | None:
        """The key of node or input ``name``."""
        known = self.known
        if name in known:
            return known[name]
        lineage = self.graph.lineage(name)
        if lineage is None:
            key = self.value_key(name)
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
        nodes = self.graph.nodes()
        stack = [name]
        while stack:
            current = stack[-1]
            spec = nodes[NodeName(current)]
            deps = [d for d, _ in spec.inputs if d in self.below and d not in self.known]
            if deps:
                stack += deps
                continue
            stack.pop()
            if current not in self.known:
                self.known[current] = self._from_dependencies(spec)
        return self.known[name]

    def _from_dependencies(self, spec: NodeSpec) -> str | None:
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
    """Decide what to load from the cache and what to compute for ``targets``: walk up from
    the targets, stopping at every node the cache has.

    Raises:
        UnknownNodeError: a target is neither a node nor an input.
        MissingInputError: a node to compute needs an input nobody gave.
    """
    nodes = cast(Mapping[str, NodeSpec], graph.nodes())
    unknown = [t for t in targets if t not in nodes and not graph.consumers(t)]
    if unknown:
        raise UnknownNodeError(f"no node named {', '.join(map(repr, unknown))}.")
    given = {**config, **inputs}
    ungiven = [t for t in targets if t not in nodes and t not in given and t not in overrides]
    if ungiven:
        raise MissingInputError(
            f"{', '.join(map(repr, ungiven))}: asked for, but an input nobody gave. Pass it"
            " with --inputs name=value (or inputs={...} in Python)."
        )

    def given_key(name: str) -> str | None:
        return value_key(given[name]) if name in given else MISSING

    keys = Keys(graph, given_key, {n: value_key(v, "override") for n, v in overrides.items()})
    compute: list[NodeName] = []
    loaded: dict[str, Any] = {}
    needed: dict[str, Any] = {}
    missing: dict[str, list[str]] = {}
    done: set[str] = set()
    stack: list[str | NodeSpec] = list(targets)
    while stack:  # iterative post-order: deep chains are fine
        name = stack.pop()
        if isinstance(name, NodeSpec):  # back above its dependencies: they are all planned
            compute.append(name.name)
            done.add(name.name)
            continue
        if name in done:
            continue  # met again through another path
        spec = nodes.get(name)
        if spec is None or name in overrides:
            done.add(name)
            continue
        key = keys(name)
        found, value = cache.get(key) if key is not None else (False, None)
        if found:
            loaded[name] = value
            done.add(name)
            continue
        stack.append(spec)
        for dep, _ in spec.inputs:
            if dep in nodes:
                if dep not in done:
                    stack.append(dep)
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
    for target in targets:
        if target not in nodes:  # an input asked for: its key, as for the inputs read
            keys(target)
    # the inputs whose keys were needed: those the targets depend on, up to any override
    involved = {n: given[n] for n in keys.known if n in given and n not in nodes}
    return Plan(keys.known, compute, loaded, needed, involved)


class _Recorder(BaseDoNodeExecute):  # type: ignore[misc]
    """Hamilton lifecycle method that runs each node (through the engine, for engines whose
    nodes run in this process): records its result, duration and error.

    (One lifecycle call per node, where a before/after hook pair costs two; and Hamilton's base
    method itself, as ``NodeExecutionMethod`` wraps it in one more call.)
    """

    def __init__(
        self, outcome: Outcome, failures: dict[str, Exception], engine: Engine, events: Events
    ):
        self.outcome = outcome
        self.failures = failures
        self.send = engine.send  # None: call the function here
        self.events = events if events.progress is not None else None

    def do_node_execute(
        self, *, run_id: str, node_: Node, kwargs: dict[str, Any], task_id: str | None = None
    ) -> Any:
        node_name = node_.name
        if self.events is not None:
            self.events.post("started", node_name)
        started = time.perf_counter()
        try:
            if self.send is None:
                result = node_.callable(**kwargs)
                seconds = time.perf_counter() - started
            else:  # computed in another process, and timed there
                timed = self.send(node_name, node_.callable, kwargs)
                result, seconds = timed.value, timed.seconds
                _keep_printed(self.outcome, node_name, timed)
        except Exception as e:
            if isinstance(e, NodeFailed):
                _keep_printed(self.outcome, node_name, e)
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
    chosen = engine.adapters(recorder, events)
    adapters = LifecycleAdapterSet(*chosen)
    given = {**the_plan.loaded, **overrides}
    fn_graph = FunctionGraph(graph.hamilton_nodes(), dict(config), adapters)
    dr = driver.Driver(dict(config), adapter=adapters, _use_legacy_adapter=False)
    dr.graph = fn_graph
    if progress is not None:
        progress.start(len(the_plan.compute))
    try:
        with quiet_hamilton(), _deep_enough(len(the_plan.compute)):
            returned = dr.execute(the_plan.compute, overrides=given, inputs=the_plan.inputs)
        if recorder not in chosen:  # the nodes ran elsewhere: their results came back
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
    for name in the_plan.compute:  # here, in the kernel's main thread: to the notebook
        if name in outcome.printed:
            out, err = outcome.printed[name]
            sys.stdout.write(out)
            sys.stderr.write(err)
    failed = [n for n in the_plan.compute if n in failures]
    if failed:
        name = failed[0]  # the first in dependency order: what its descendants failed from
        outcome.error = _node_error(graph, name, failures[name], locate)
    return outcome


def _collect(returned: Mapping[str, Any], outcome: Outcome, failures: dict[str, Exception]) -> None:
    """Take the values and failures an engine returned for nodes run in other processes."""
    for name, value in returned.items():
        if isinstance(value, Timed):
            outcome.results[name], outcome.durations[name] = value.value, value.seconds
            _keep_printed(outcome, name, value)
        elif isinstance(value, NodeFailed):
            failures.setdefault(value.node, value)
            _keep_printed(outcome, value.node, value)


def _keep_printed(outcome: Outcome, name: str, sent: Timed | NodeFailed) -> None:
    if sent.stdout or sent.stderr:
        outcome.printed[name] = (sent.stdout, sent.stderr)


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
