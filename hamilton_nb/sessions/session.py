"""Session: the coordinator of one live module, its graph, its runs and the cache."""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from hamilton_nb.cache.node_cache import NodeCache, default_cache_dir
from hamilton_nb.cache.values import private_copy
from hamilton_nb.errors import DataflowError, RunRefusedError
from hamilton_nb.graph.code_index import CodeIndex
from hamilton_nb.graph.graph import DataflowGraph
from hamilton_nb.graph.model import GraphDiff
from hamilton_nb.ids import CellId
from hamilton_nb.run.engines import check as check_engine
from hamilton_nb.run.engines import engine as engine_named
from hamilton_nb.run.execute import Outcome, Progress, execute
from hamilton_nb.run.plan import Plan, plan
from hamilton_nb.run.runbook import RunBook, RunReport
from hamilton_nb.sessions import report
from hamilton_nb.sessions.keeping import keep_run
from hamilton_nb.sessions.livemodule import LiveModule, publish
from hamilton_nb.sessions.records import CellRecord, CellResult, Listener, Notebook, StatusRow
from hamilton_nb.sessions.state import ModuleState, wired_graph
from hamilton_nb.sessions.transaction import apply_cell, follow_module, reconfigure


class Session:
    """One live module, its incremental graph, its runs and the cache they share.

    Responsibilities: hand a cell to the cell transaction; run nodes (plan against the cache,
    execute, keep the results); drop a function, reset, close; report status; tell listeners
    (a displayed widget) of every change. The state it coordinates is a ``ModuleState``.
    """

    def __init__(
        self,
        name: str = "dataflow",
        notebook: Notebook | None = None,
        cache: NodeCache | None = None,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.cache = cache if cache is not None else NodeCache(default_cache_dir())
        self.progress: Callable[[], Progress] | None = None
        self.notify: Callable[[str], None] = lambda message: print(message, file=sys.stderr)
        self.listeners: weakref.WeakSet[Listener] = weakref.WeakSet()
        self._state = ModuleState(LiveModule(name), dict(config or {}), notebook)
        publish(self._state.live.module, lambda: self._state.index)
        self._outdated: dict[str, str] = {}  # modules it reads that changed, and why it fails
        _OPEN.add(self)

    @property
    def module(self) -> Any:
        """The live module (``import <name>`` gives the same object)."""
        return self._state.live.module

    @property
    def graph(self) -> DataflowGraph:
        """The incremental graph, resolved with ``config``."""
        return self._state.graph

    @property
    def config(self) -> Mapping[str, Any]:
        """The Hamilton config the graph is resolved with (read-only: see ``configure``)."""
        return MappingProxyType(self._state.config)

    @property
    def notebook(self) -> Notebook | None:
        """Where cells borrow notebook names from (imports, constants)."""
        return self._state.notebook

    @notebook.setter
    def notebook(self, notebook: Notebook | None) -> None:
        self._state.notebook = notebook

    @property
    def runs(self) -> RunBook:
        """What the runs did, node by node."""
        return self._state.runs

    @property
    def last_diff(self) -> GraphDiff:
        """What the latest cell run, drop or reset did to the graph."""
        return self._state.last_diff

    @property
    def cells(self) -> Mapping[CellId, CellRecord]:
        """Accepted cells in notebook order."""
        return self._state.book.cells

    @property
    def cell_prompts(self) -> Mapping[CellId, str]:
        """The prompt (``In[3]``) each cell last ran under, when the notebook said."""
        return MappingProxyType(self._state.book.prompts)

    def owner(self, name: str) -> CellId | None:
        """The cell that defines a module-level name (imports excluded)."""
        return self._state.book.owners.get(name)

    def configure(self, config: Mapping[str, Any]) -> None:
        """Resolve the graph with another config from now on (every function is resolved
        again; nothing changes if that fails).

        Raises:
            DataflowError: a function cannot be resolved under ``config``, or the graph would
                be invalid.
        """
        reconfigure(self._state, config)
        self.tell("graph")

    def apply_cell(
        self,
        source: str,
        cell_id: str | None = None,
        *,
        label: str | None = None,
        line_offset: int = 0,
    ) -> CellResult:
        """Run a dataflow cell: define its names in the module and update the graph.

        Args:
            source: the cell body.
            cell_id: the frontend's id for the cell; a re-run with the same id replaces what
                the cell owned. Without one, a cell redefining names owned by earlier cells
                takes those cells over.
            label: how to name an id-less cell in messages (e.g. ``In[3]``).
            line_offset: lines above the body in the visible cell (1 for a magic line).

        Raises:
            DataflowError: the cell was rejected; module, graph and index are unchanged.
        """
        state = self._state
        inputs = state.graph.input_names()
        result = apply_cell(state, source, cell_id, label, line_offset)
        result = report.for_user(result, state.graph, inputs, state.runs.nodes)
        self.tell("graph")
        if len(_OPEN) > 1 and result.code_changed:  # modules using it follow
            result = replace(result, followed=self._tell_readers())
        return result

    def follow(self, module: str, seen: frozenset[str] = frozenset()) -> str | None:
        """Take in a change of live module ``module``: the cells using it run again (see
        ``transaction.follow_module``), and the modules using this one follow in turn
        (``seen``: the modules that already did). Returns what to show (None: it does not use
        ``module``); when a cell fails, runs are refused until it is fixed or ``module``
        changes again."""
        try:
            result = follow_module(self._state, module)
        except Exception as e:  # this module's cells; the change of the other one stands
            message = e.message if isinstance(e, DataflowError) else f"{type(e).__name__}: {e}"
            self._outdated[module] = message
            return f"{self.name}: uses {module}, and now fails: {message}"
        self._outdated.pop(module, None)
        if result is None:
            return None
        self.tell("graph")
        further = self._tell_readers(seen | {module}) if result.code_changed else ()
        return "\n".join([result.summary(), *further])

    def _tell_readers(self, seen: frozenset[str] = frozenset()) -> tuple[str, ...]:
        """Let every other live module follow this one's change."""
        seen = seen | {self.name}
        others = [s for s in list(_OPEN) if s.name not in seen]
        return tuple(line for s in others if (line := s.follow(self.name, seen)))

    @property
    def last_run(self) -> RunReport | None:
        """What the latest ``run`` computed, and what it took from the cache."""
        return self._state.runs.last

    def run(
        self,
        nodes: str | Sequence[str],
        inputs: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        overrides: Mapping[str, Any] | None = None,
        *,
        engine: str = "local",
        workers: int | None = None,
        address: str | None = None,
        progress: Progress | None = None,
    ) -> Any:
        """Compute nodes, re-using every cached value whose inputs and code did not change.

        Args:
            nodes: one node name (its value is returned) or several (a dict is returned).
            inputs: values of the graph's inputs.
            config: Hamilton config, on top of the session's ``config``; the result becomes
                the session's config (``configure``), so status, the widget and the cells run
                next follow the config of the last run. A config value is also an input of
                its name, as in Hamilton.
            overrides: values to use for nodes instead of computing them.
            engine: where the nodes to compute run: "local" (in the kernel), "threads",
                "processes", "dask" or "ray" (see ``hamilton_nb.run.engines``). The cache is the
                same for all: cached nodes are not sent anywhere, results come back to it.
                A run that computes an ``async def`` node needs "local" (``run.asyncrun``).
            workers: the engine's number of workers (default: one per core).
            address: a Dask scheduler's or Ray cluster's address (default: a local one).
            progress: told about each node as it runs (default: the notebook's progress bar).

        Raises:
            EngineError: the engine cannot be used (unknown, its extra missing, bad options).
            UnknownNodeError, MissingInputError: the request cannot be planned.
            NodeExecutionError: a node raised; what ran before it is cached.
        """
        check_engine(engine, workers, address)  # before anything runs; started only if needed
        _refuse_if_outdated(self, self._outdated)
        names = [nodes] if isinstance(nodes, str) else list(nodes)
        inputs, overrides = dict(inputs or {}), dict(overrides or {})
        merged = {**self.config, **(config or {})}
        if not _same_config(merged, self.config):  # status and later cells follow this run
            self.configure(merged)
        graph = self.graph
        the_plan = plan(graph, names, inputs, merged, overrides, self.cache)
        if progress is None and self.progress is not None and the_plan.compute:
            progress = self.progress()
        shown = _Broadcast(self, progress) if self.listeners else progress
        where = engine_named(engine, workers, address) if the_plan.compute else None
        outcome = execute(graph, the_plan, merged, overrides, self._state.live.locate, shown, where)
        with self.cache.writes_after():  # the writer starts once the bookkeeping is done
            self._keep(names, the_plan, outcome, merged)
        if outcome.error is not None:
            raise outcome.error
        sources = (outcome.results, the_plan.loaded, overrides, inputs, merged)
        values = {n: _value(n, *sources) for n in names}
        return values[names[0]] if isinstance(nodes, str) else values

    def _keep(
        self, names: list[str], the_plan: Plan, outcome: Outcome, config: dict[str, Any]
    ) -> None:
        """Cache what a run computed and remember what it did."""
        runs = self._state.runs
        for line in keep_run(self.name, self.cache, runs, names, the_plan, outcome, config):
            self.notify(line)
        self.tell("run")

    def graph_for(self, config: Mapping[str, Any]) -> DataflowGraph:
        """The graph resolved with ``config``: the session's own, or one built for that config
        (every function resolved again; kept until the next change of the cells)."""
        state = self._state
        if config == state.config:
            return state.graph
        return state.resolver.graph_for(
            config, state.book.cells.values(), state.index.stage({}, ())
        )

    def drop(self, node: str) -> GraphDiff:
        """Remove the function that defines ``node`` (and every node it produces).

        Raises:
            UnknownNodeError: no cell defines ``node``.
        """
        state = self._state
        spec = state.graph.node(node)
        if spec is None:
            raise report.unknown_node(node, state.graph)
        record = state.book.cells[spec.cell]
        fn = spec.function
        diff = state.graph.apply([], record.nodes[fn])
        state.index.commit(state.index.stage({}, [fn]))
        state.resolver.forget_derived()
        state.runs.forget(diff.removed)
        state.live.namespace.pop(fn, None)
        state.book.drop_function(record, fn)
        state.last_diff = diff
        self.tell("graph")
        for line in self._tell_readers():
            self.notify(line)
        return diff

    def reset(self) -> None:
        """Forget every cell: the module is emptied (the module object stays) and the graph too."""
        state = self._state
        state.live.clear()
        state.graph = wired_graph()
        state.resolver.forget_derived()
        state.runs = RunBook()
        state.index = CodeIndex()
        state.book.clear()
        state.chunks.clear()
        state.last_diff = GraphDiff()
        self.tell("graph")

    def close(self) -> None:
        """Finish pending cache writes, reset, and remove the module from ``sys.modules``."""
        self.cache.flush()
        self.reset()
        self._state.live.unregister()
        _OPEN.discard(self)

    def cached_value(self, node: str) -> tuple[bool, Any]:
        """(found, value) of a node in the cache, under the inputs of the latest runs."""
        key = self._state.runs.keys(self.graph)(node)
        return self.cache.get(key) if key is not None else (False, None)

    def states(self) -> dict[str, str]:
        """Every node's and input's state: fresh, cached, stale, failed, input or never run."""
        return self._state.runs.states(self.graph, self.cache.contains)

    def status(self) -> list[StatusRow]:
        """One row per node (in cell order) and per input."""
        return report.status(self.graph, self.cells.values(), self.runs, self.states())

    def describe(self) -> str:
        """A short text picture of the graph: one line per node with its inputs and cell."""
        return report.describe(self.name, self.graph, self.cells.values())

    def notebook_imports(self) -> dict[str, str]:
        """Import statements from ordinary cells that the dataflow cells use, by name."""
        return {name: stmt for name, stmt in self._state.book.borrowed.items() if stmt}

    def tell(self, event: str, node: str | None = None) -> None:
        """Tell every listener of ``event`` (graph, run, node-started, node-finished)."""
        for listener in list(self.listeners):
            listener.session_changed(event, node)


class _Broadcast:
    """Progress of a run, passed on to the listeners (and to the notebook's progress)."""

    def __init__(self, session: Session, inner: Progress | None) -> None:
        self.session, self.inner = session, inner

    def start(self, total: int) -> None:
        if self.inner is not None:
            self.inner.start(total)

    def node_started(self, name: str) -> None:
        self.session.tell("node-started", name)
        if self.inner is not None:
            self.inner.node_started(name)

    def node_finished(self, name: str) -> None:
        self.session.tell("node-finished", name)
        if self.inner is not None:
            self.inner.node_finished(name)

    def done(self) -> None:
        if self.inner is not None:
            self.inner.done()


def _value(name: str, *sources: Mapping[str, Any]) -> Any:
    """A run's value of ``name`` from the first of ``sources`` holding it; the first two are
    what the cache holds (computed, loaded): the caller gets a copy it may change."""
    for i, source in enumerate(sources):
        if name in source:
            return private_copy(source[name]) if i < 2 else source[name]
    raise KeyError(name)


def _refuse_if_outdated(session: Session, outdated: Mapping[str, str]) -> None:
    """Follow again the live modules whose change ``session`` could not follow.

    Raises:
        RunRefusedError: a cell using one of them still fails.
    """
    for module in list(outdated):
        if session.follow(module) and module in outdated:
            raise RunRefusedError(
                f"module {module} changed, and cells of {session.name} that use it fail:"
                f" {outdated[module]}"
            )


_OPEN: weakref.WeakSet[Session] = weakref.WeakSet()  # every open session of this process


def _same_config(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two configs are equal (a value that cannot say so counts as different)."""
    if a.keys() != b.keys():
        return False
    try:
        return all(a[k] is b[k] or bool(a[k] == b[k]) for k in a)
    except Exception:
        return False
