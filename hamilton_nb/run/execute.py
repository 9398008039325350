"""Execute a plan's nodes through Hamilton on an engine, and record what each did."""

from __future__ import annotations

import linecache
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from hamilton.node import Node

from hamilton_nb.cache.values import private_copy
from hamilton_nb.errors import Location, NodeExecutionError, RunRefusedError
from hamilton_nb.graph.graph import DataflowGraph
from hamilton_nb.ids import NodeName
from hamilton_nb.run.engines import Engine, Events
from hamilton_nb.run.engines import engine as engine_named
from hamilton_nb.run.hamilton import NodeExecutor, driver_for, quiet_hamilton, wired_nodes
from hamilton_nb.run.plan import Plan
from hamilton_nb.run.remote import NodeFailed, Timed, frames, node_failed


class Progress(Protocol):
    """Told about each node as it runs (a notebook shows this for long runs)."""

    def start(self, total: int) -> None: ...

    def node_started(self, name: str) -> None: ...

    def node_finished(self, name: str) -> None: ...

    def done(self) -> None: ...


# where a traceback frame (file, function, line) is in the user's cells: its cell's filename
Locate = Callable[[str, str, int], str | None]


@dataclass
class Outcome:
    """What an execution did: values and durations of the nodes that ran, and a failure."""

    results: dict[str, Any] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)
    error: NodeExecutionError | None = None
    printed: dict[str, tuple[str, str]] = field(default_factory=dict)  # by nodes run elsewhere


class _Recorder(NodeExecutor):  # type: ignore[misc]
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
        self.outcome.results[node_name] = private_copy(result)  # what nodes after it change
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
    given = {**{n: private_copy(v) for n, v in the_plan.loaded.items()}, **overrides}
    dr, _ = driver_for(wired_nodes(graph), config, chosen)
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


@contextmanager
def _deep_enough(depth: int) -> Iterator[None]:
    """Hamilton walks dependencies recursively: a 5,000-node chain needs a deeper stack."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * depth + 1000))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)
