"""The one module that touches Hamilton's internals; every other module goes through it.

What it uses, and why (pinned by ``apache-hamilton>=1.90,<2`` in pyproject.toml; the tests run
against the installed version):

- ``function_modifiers.base.resolve_nodes`` / ``get_node_decorators``: one function and its
  decorators to nodes, and the config those decorators read: Hamilton's own per-function step,
  so decorators behave exactly as in a plain driver.
- ``node.Node.copy`` / ``set_type`` and the nodes' ``dependencies`` / ``depended_on_by`` lists:
  Hamilton's node objects, wired with their edges, kept in step with our graph change by change
  (``Wiring``), as ``graph.update_dependencies`` would wire them all at once.
- ``graph.FunctionGraph``, ``driver.Driver(..., _use_legacy_adapter=False)`` with its graph
  replaced: executing the wired nodes without building a graph from modules on every run.
- ``NodeTransformer`` / ``macros.pipe_output``: where ``@mutate`` leaves the functions it applies
  to its target (``mutators``), so the target's fingerprint can include their code.
- ``lifecycle.base.BaseDoNodeExecute`` / ``LifecycleAdapterSet``: the per-node execution hook.
- ``driver.TaskBasedGraphExecutor`` with ``execution.executors`` / ``execution.grouping``: what
  ``Builder().enable_dynamic_execution()`` builds, for graphs with ``Parallelizable[]`` /
  ``Collect[]`` nodes (the default executor refuses them).
- ``async_driver.AsyncDriver`` / ``AsyncGraphAdapter`` with its ``adapter`` and ``graph``
  replaced: what ``async_driver.Builder().build()`` builds, for runs of ``async def`` nodes
  (the plain driver hands their coroutines on unawaited). ``Node.copy_with(callabl=...)`` puts
  our call around each node's function.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol

from hamilton import async_driver, base, driver
from hamilton.execution import executors, grouping
from hamilton.function_modifiers.base import NodeTransformer, get_node_decorators, resolve_nodes
from hamilton.function_modifiers.macros import pipe_output
from hamilton.graph import FunctionGraph
from hamilton.lifecycle.base import BaseDoNodeExecute, LifecycleAdapterSet
from hamilton.node import Node, NodeType

NodeExecutor = BaseDoNodeExecute
"""Hamilton's lifecycle method that runs each node: subclass it and implement
``do_node_execute(*, run_id, node_, kwargs, task_id)``."""


class WiredGraph(Protocol):
    """What wiring needs of our graph."""

    def nodes(self) -> Mapping[Any, Any]: ...

    def input_type(self, name: str) -> Any: ...

    def mirror(self, kind: str) -> Any: ...

    def attach_mirror(self, kind: str, mirror: Any) -> None: ...


def resolve(fn: Callable[..., Any], config: Mapping[str, Any]) -> list[Node]:
    """The nodes Hamilton makes of one function with its decorators, under ``config``
    (config values themselves are not nodes).

    Raises:
        Exception: whatever Hamilton raises for a function it cannot turn into nodes.
    """
    with quiet_hamilton():
        return [n for n in resolve_nodes(fn, dict(config)) if n.name not in config]


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


def mutators(fn: Callable[..., Any]) -> list[Callable[..., Any]]:
    """The functions applied to ``fn``'s output as steps of a ``@pipe_output``, which is how
    Hamilton's ``@mutate`` (a decorator on another function) attaches itself to ``fn``."""
    found = []
    for decorator in getattr(fn, NodeTransformer.get_lifecycle_name(), None) or ():
        if isinstance(decorator, pipe_output):
            found += [t.fn for t in decorator.transforms if callable(t.fn)]
    return found


def wired_nodes(graph: WiredGraph) -> dict[str, Node]:
    """Hamilton's node objects for the whole graph, wired (inputs included), ready for
    ``FunctionGraph``: built once per graph, then kept up to date with every change."""
    wiring = graph.mirror("hamilton")
    if wiring is None:  # wired as changes are, so inputs are typed by our rule, not Hamilton's
        wiring = Wiring(graph.input_type)
        wiring.update((), (s.hamilton for s in graph.nodes().values()))
        graph.attach_mirror("hamilton", wiring)
    nodes: dict[str, Node] = wiring.nodes
    return nodes


def driver_for(
    nodes: dict[str, Node],
    config: Mapping[str, Any],
    adapters: list[Any],
    tasks: int | None = None,
) -> tuple[driver.Driver, LifecycleAdapterSet]:
    """A Hamilton driver over already wired nodes, with ``adapters`` (lifecycle hooks, engine
    adapters); no module is read and no graph is built.

    ``tasks``: None for Hamilton's default executor; otherwise dynamic execution, as
    ``Builder().enable_dynamic_execution()`` sets it up, with the items of each
    ``Parallelizable[]`` block on ``tasks`` threads (0: one after the other, in this thread).
    """
    adapter_set = LifecycleAdapterSet(*adapters)
    fn_graph = FunctionGraph(nodes, dict(config), adapter_set)
    executor = None
    if tasks is not None:
        here = executors.SynchronousLocalTaskExecutor()
        items = executors.MultiThreadingExecutor(max_tasks=tasks) if tasks else here
        executor = driver.TaskBasedGraphExecutor(
            execution_manager=executors.DefaultExecutionManager(here, items),
            grouping_strategy=grouping.GroupByRepeatableBlocks(),
            adapter=adapter_set,
        )
    dr = driver.Driver(
        dict(config), adapter=adapter_set, _graph_executor=executor, _use_legacy_adapter=False
    )
    dr.graph = fn_graph
    return dr, adapter_set


def is_async(node_: Node) -> bool:
    """Whether ``node_`` needs Hamilton's async driver: its function, or the function it was
    made from (through a decorator), is an ``async def``."""
    made_from = node_.originating_functions or ()
    return any(inspect.iscoroutinefunction(f) for f in (node_.callable, *made_from))


class AsyncNodeExecutor(async_driver.AsyncGraphAdapter):  # type: ignore[misc]
    """Hamilton's async adapter: each node an asyncio task that awaits the tasks it reads, then
    calls the node's function, through ``call`` here."""

    def __init__(self) -> None:
        super().__init__(result_builder=base.DictResult())

    async def call(self, name: str, fn: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        """Call node ``name``'s function ``fn`` as Hamilton does (awaited if it is an ``async
        def``); override to time or record it."""
        return await fn(**kwargs) if inspect.iscoroutinefunction(fn) else fn(**kwargs)

    def do_node_execute(
        self, *, run_id: str, node_: Node, kwargs: dict[str, Any], task_id: str | None = None
    ) -> Any:
        fn, name = node_.callable, node_.name

        async def called(**awaited: Any) -> Any:
            return await self.call(name, fn, awaited)

        called.__name__ = getattr(fn, "__name__", name)
        mine = node_.copy_with(callabl=called)
        return super().do_node_execute(run_id=run_id, node_=mine, kwargs=kwargs, task_id=task_id)


def async_driver_for(
    nodes: dict[str, Node], config: Mapping[str, Any], executor: AsyncNodeExecutor
) -> async_driver.AsyncDriver:
    """Hamilton's async driver over already wired nodes, each run through ``executor``; its
    ``execute`` is a coroutine (it needs a running event loop)."""
    with quiet_hamilton():
        dr = async_driver.AsyncDriver(dict(config), result_builder=base.DictResult())
    dr.adapter = LifecycleAdapterSet(executor)
    dr.graph = FunctionGraph(nodes, dict(config), dr.adapter)
    return dr


def check_async_run(
    dr: async_driver.AsyncDriver,
    wanted: list[str],
    inputs: dict[str, Any],
    overrides: dict[str, Any],
) -> None:
    """Check a run's inputs as Hamilton's plain driver does before it runs anything (each
    input given, of its type): the async driver skips that check.

    Raises:
        ValueError: Hamilton's own message, as its plain driver would raise it.
    """
    nodes, user_nodes = dr.graph.get_upstream_nodes(wanted, inputs, overrides)
    driver.Driver.validate_inputs(dr.graph, dr.adapter, user_nodes, inputs, nodes)


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


class Wiring:
    """The ``name -> hamilton.node.Node`` dict Hamilton's ``FunctionGraph`` executes, with
    ``dependencies`` / ``depended_on_by`` set and an external node per input.

    It starts empty and is updated per graph change, in time proportional to the nodes
    changed and their neighbours, so a run does not copy and re-wire the whole graph. Inputs
    are typed by the graph's rule (``graph.validate.input_type``), which the graph has already
    checked, not by Hamilton's, which depends on the order nodes come in.
    """

    def __init__(self, input_type: Callable[[str], Any]) -> None:
        self._input_type = input_type
        self.nodes: dict[str, Node] = {}

    def update(self, removed: Iterable[str], upserted: Iterable[Node]) -> None:
        """Mirror a graph change: ``removed`` names left, ``upserted`` nodes came or changed."""
        fresh = [n.copy(include_refs=False) for n in upserted]
        gone = [self.nodes.pop(name) for name in removed]
        replaced = [old for n in fresh if (old := self.nodes.get(n.name)) is not None]
        inputs: set[str] = set()
        for old in gone + replaced:  # first detach every leaving node from what it reads
            inputs |= self._unlink(old)
        for old in gone:
            if old.depended_on_by:  # still read: it becomes an input
                self.nodes[old.name] = self._external(old.name)
                self._relink(old, self.nodes[old.name])
                inputs.add(old.name)
        for new in fresh:
            old = self.nodes.get(new.name)
            if old is not None:
                self._relink(old, new)
            self.nodes[new.name] = new
            for dep in new.input_types:
                target = self.nodes.get(dep)
                if target is None:
                    target = self.nodes[dep] = self._external(dep)
                new.dependencies.append(target)
                target.depended_on_by.append(new)
                if target.user_defined:
                    inputs.add(dep)
        for name in inputs:
            n = self.nodes.get(name)
            if n is not None and n.user_defined:
                n.set_type(self._input_type(name))

    def _unlink(self, old: Node) -> set[str]:
        """Detach ``old`` from what it depends on; drop inputs nobody reads any more."""
        touched = set()
        deps: list[Node] = old.dependencies
        for dep in deps:
            dep.depended_on_by.remove(old)
            name: str = dep.name
            if dep.user_defined:
                touched.add(name)
                if not dep.depended_on_by and self.nodes.get(name) is dep:
                    del self.nodes[name]
        return touched

    @staticmethod
    def _relink(old: Node, new: Node) -> None:
        """Point every consumer of ``old`` at ``new``."""
        for consumer in old.depended_on_by:
            consumer.dependencies[:] = [new if d is old else d for d in consumer.dependencies]
            new.depended_on_by.append(consumer)

    def _external(self, name: str) -> Node:
        return Node(name, self._input_type(name), node_source=NodeType.EXTERNAL)
