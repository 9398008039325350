"""Execute a plan's nodes through Hamilton on an engine, and record what each did."""

from __future__ import annotations

import linecache
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from types import TracebackType
from typing import Any, Protocol

from hamilton.node import Node

from hamilton_nb.cache.values import copy_for_cache, private_copy
from hamilton_nb.errors import EngineError, Location, NodeExecutionError, RunRefusedError
from hamilton_nb.graph.graph import DataflowGraph
from hamilton_nb.ids import NodeName
from hamilton_nb.run import blocks, spark
from hamilton_nb.run.asyncrun import async_nodes, async_run
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
    """What an execution did: values and durations of the nodes that ran, and a failure.

    Nodes that ran once per item of a ``Parallelizable[]`` block, every item without error, are
    in ``per_item``, not in ``results`` (no one value stands for them); their duration is the
    sum over the items.
    """

    results: dict[str, Any] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)
    error: NodeExecutionError | None = None
    printed: dict[str, tuple[str, str]] = field(default_factory=dict)  # by nodes run elsewhere
    per_item: list[str] = field(default_factory=list)
    uncopied: set[str] = field(default_factory=set)  # results that are the nodes' own objects


class _Recorder(NodeExecutor):  # type: ignore[misc]
    """Hamilton lifecycle method that runs each node (through the engine, for engines whose
    nodes run in this process): records its result, duration and error.

    (One lifecycle call per node, where a before/after hook pair costs two; and Hamilton's base
    method itself, as ``NodeExecutionMethod`` wraps it in one more call.)
    """

    def __init__(
        self,
        outcome: Outcome,
        failures: dict[str, Exception],
        engine: Engine,
        events: Events,
        per_item: frozenset[str] = frozenset(),
    ):
        self.outcome = outcome
        self.failures = failures
        self.send = engine.send  # None: call the function here
        self.events = events if events.progress is not None else None
        self.per_item = per_item
        self.item_seconds: list[tuple[str, float]] = []  # appended to from the items' threads
        # each failure's traceback as it left the node: an asyncio task raising it again for
        # each task that awaited it leaves on the error only the frames of the last one
        self.tracebacks: dict[str, TracebackType | None] = {}

    def do_node_execute(
        self, *, run_id: str, node_: Node, kwargs: dict[str, Any], task_id: str | None = None
    ) -> Any:
        node_name = node_.name
        started = self.started(node_name)
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
            self.failed(node_name, e, started)
            raise
        finally:
            self.finished(node_name)
        return self.record(node_name, result, seconds)

    def started(self, name: str) -> float:
        """Tell that node ``name`` starts; when it did."""
        if self.events is not None:
            self.events.post("started", name)
        return time.perf_counter()

    def failed(self, name: str, error: Exception, started: float) -> None:
        self.failures[name] = error
        self.tracebacks[name] = error.__traceback__
        self.outcome.durations[name] = time.perf_counter() - started

    def finished(self, name: str) -> None:
        if self.events is not None:
            self.events.post("finished", name)

    def record(self, name: str, result: Any, seconds: float) -> Any:
        """Keep what node ``name`` returned (a copy, apart from what the nodes after it do with
        it) and how long it took; returns ``result``."""
        if name in self.per_item:  # one call per item: no one value, the time adds up
            self.item_seconds.append((name, seconds))
            return result
        self.outcome.durations[name] = seconds
        copied, kept = copy_for_cache(result)
        self.outcome.results[name] = kept
        if not copied:
            self.outcome.uncopied.add(name)
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
    spark.prepare()  # when the notebook uses Spark: live modules travel to its workers by value
    failures: dict[str, Exception] = {}
    given = {**{n: private_copy(v) for n, v in the_plan.loaded.items()}, **overrides}
    tasks = _tasks(graph, the_plan, given, engine)
    nodes = wired_nodes(graph)
    awaited = async_nodes(nodes, the_plan.compute, engine, tasks)
    events = Events(progress if tasks is None or progress is None else _OnceEach(progress))
    per_item = blocks.per_item(graph, the_plan.block)
    recorder = _Recorder(outcome, failures, engine, events, per_item)
    # an input given for the run wins over a config value of its name (Hamilton refuses both)
    config = {k: v for k, v in config.items() if k not in the_plan.inputs}
    wanted = [n for n in the_plan.compute if n not in per_item]
    if awaited:  # Hamilton's async driver, each node through the recorder
        chosen: list[Any] = [recorder]
        run = async_run(nodes, config, recorder, events.pump, wanted, given, the_plan.inputs)
    else:
        chosen = (engine.adapters if tasks is None else engine.item_adapters)(recorder, events)
        dr, _ = driver_for(nodes, config, chosen, tasks)
        run = partial(dr.execute, wanted, overrides=given, inputs=the_plan.inputs)
    if progress is not None:
        progress.start(len(the_plan.compute))
    try:
        with quiet_hamilton(), _deep_enough(len(the_plan.compute)):
            returned = run()
        if recorder not in chosen:  # the nodes ran elsewhere: their results came back
            _collect(returned, outcome, failures)
    except Exception as e:
        unsent = node_failed(e)  # a node that could not be sent to a worker
        if unsent is not None:
            failures.setdefault(unsent.node, unsent)
        elif not failures:  # Hamilton refused the run itself (an input of the wrong type, ...)
            raise RunRefusedError(f"Hamilton refused the run: {e}") from e
    finally:
        events.pump()  # what threads of a block's items told
        if progress is not None:
            progress.done()
    _sum_items(outcome, recorder, failures)
    for name in the_plan.compute:  # here, in the kernel's main thread: to the notebook
        if name in outcome.printed:
            out, err = outcome.printed[name]
            sys.stdout.write(out)
            sys.stderr.write(err)
    failed = [n for n in the_plan.compute if n in failures]
    if failed:
        name = failed[0]  # the first in dependency order: what its descendants failed from
        tb = recorder.tracebacks.get(name, failures[name].__traceback__)
        outcome.error = _node_error(graph, name, failures[name], tb, locate)
    return outcome


def _tasks(
    graph: DataflowGraph, the_plan: Plan, given: Mapping[str, Any], engine: Engine
) -> int | None:
    """None for Hamilton's default executor; for a run over ``Parallelizable[]`` /
    ``Collect[]`` nodes, the threads its dynamic execution runs a block's items on.

    Raises:
        EngineError: the engine cannot run such nodes.
    """
    if not blocks.dynamic(graph, [*the_plan.compute, *given]):
        return None
    if engine.items is None:
        raise EngineError(
            f"the {engine.name} engine cannot run Parallelizable[]/Collect[] nodes (Hamilton's"
            " dynamic execution sends tasks, not nodes, to its own executors): use --engine"
            " local, threads or processes for this run."
        )
    return engine.items


def _sum_items(outcome: Outcome, recorder: _Recorder, failures: Mapping[str, Exception]) -> None:
    """Per-item nodes: their time over all items, and which ran without error."""
    ran: dict[str, float] = {}
    for name, seconds in recorder.item_seconds:
        ran[name] = ran.get(name, 0.0) + seconds
    outcome.durations.update(ran)
    outcome.per_item = [n for n in ran if n not in failures]


class _OnceEach:
    """A run's progress, told of each node once however many items it runs for."""

    def __init__(self, inner: Progress) -> None:
        self.inner, self.started, self.finished = inner, set[str](), set[str]()

    def start(self, total: int) -> None:
        self.inner.start(total)

    def node_started(self, name: str) -> None:
        if name not in self.started:
            self.started.add(name)
            self.inner.node_started(name)

    def node_finished(self, name: str) -> None:
        if name not in self.finished:
            self.finished.add(name)
            self.inner.node_finished(name)

    def done(self) -> None:
        self.inner.done()


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
    graph: DataflowGraph, name: str, error: Exception, tb_at: TracebackType | None, locate: Locate
) -> NodeExecutionError:
    spec = graph.nodes()[NodeName(name)]
    if isinstance(error, NodeFailed):  # raised in another process: its frames came with it
        message, tb = str(error), error.frames
    else:
        message = f"node '{name}' raised {type(error).__name__}: {error}"
        tb = frames(tb_at)
    located = ((locate(file, fn, line), line, fn) for file, line, fn in tb)
    mine = [(f, line, fn, linecache.getline(f, line).strip()) for f, line, fn in located if f]
    last = mine[-1] if mine else None
    where = Location(spec.cell, last[1] if last else spec.line, last[3] if last else None)
    shown = [f"  {file}, line {line}, in {fn}: {code}" for file, line, fn, code in mine]
    failed = NodeExecutionError(message, where, name, shown)
    failed.__cause__ = error  # what the node raised, for callers that tell errors apart
    return failed


@contextmanager
def _deep_enough(depth: int) -> Iterator[None]:
    """Hamilton walks dependencies recursively: a 5,000-node chain needs a deeper stack."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * depth + 1000))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)
