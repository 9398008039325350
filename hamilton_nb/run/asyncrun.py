"""Runs with ``async def`` nodes: Hamilton's async driver, driven to the end from a synchronous
``Session.run``.

Each node is an asyncio task (``hamilton.AsyncNodeExecutor``), so independent async nodes
wait together; sync nodes run in the loop between them, as in Hamilton's async driver. The
run's event loop is its own:

* no loop runs in this thread (a script, the IPython terminal): ``asyncio.run``, here;
* one does (a Jupyter kernel, whose cells run inside its loop; top-level ``await``): a helper
  thread runs a new loop while this thread waits, passing on the run's progress. The kernel's
  loop is not re-entered, so ``%dataflow run`` still returns a value.

Either way a run blocks until its nodes are done, and Ctrl-C (the kernel's interrupt) cancels
the nodes still awaiting and raises ``KeyboardInterrupt`` naming them. Objects bound to another
event loop (a client opened with ``await`` in the notebook) cannot be awaited by a node.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from hamilton.node import Node

from hamilton_nb.errors import EngineError
from hamilton_nb.run.engine_base import Engine
from hamilton_nb.run.hamilton import (
    AsyncNodeExecutor,
    async_driver_for,
    check_async_run,
    is_async,
)

T = TypeVar("T")
_POLL = 0.05  # seconds between passing on progress while a helper thread runs the loop
_GRACE = 5.0  # seconds an interrupted or failed run's nodes have to end once cancelled


class Recording(Protocol):
    """Keeps what each node call did (the sync recorder of ``execute``)."""

    def started(self, name: str) -> float: ...

    def failed(self, name: str, error: Exception, started: float) -> None: ...

    def finished(self, name: str) -> None: ...

    def record(self, name: str, result: Any, seconds: float) -> Any: ...


class AsyncRecorder(AsyncNodeExecutor):
    """Times and records each node as it runs on the event loop, its value awaited."""

    def __init__(self, recording: Recording) -> None:
        super().__init__()
        self.recording = recording
        self.running: set[str] = set()
        self.cancelled: set[str] = set()

    async def call(self, name: str, fn: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        rec = self.recording
        started = rec.started(name)
        self.running.add(name)
        try:
            if inspect.iscoroutinefunction(fn):
                result = await fn(**kwargs)
                task = asyncio.current_task()
                if task is not None and task.cancelling():  # it returned while cancelled
                    raise asyncio.CancelledError  # (what it has may be partial): not kept
            else:
                result = fn(**kwargs)
                if inspect.isawaitable(result):
                    raise _unawaited(result)
            seconds = time.perf_counter() - started
        except asyncio.CancelledError:
            self.cancelled.add(name)
            raise
        except Exception as e:
            rec.failed(name, e, started)
            raise
        finally:
            self.running.discard(name)
            rec.finished(name)
        return rec.record(name, result, seconds)

    def busy(self) -> list[str]:
        """The nodes that were running when the run was interrupted (or still are)."""
        return sorted(self.cancelled | self.running.copy())


def _unawaited(result: Any) -> TypeError:
    """A sync wrapper (a decorator's) returned its ``async def``'s coroutine: Hamilton's async
    driver would hand it on unawaited, so the node fails here, never caching a coroutine."""
    if inspect.iscoroutine(result):
        result.close()  # never awaited, on purpose: no warning about it
    return TypeError(
        f"it returned a {type(result).__name__}, not a value: a decorator wraps its async def"
        " in a plain function, which Hamilton's async driver does not await (it supports"
        " decorators that keep the function, such as @tag, @check_output, @extract_columns or"
        " @extract_fields, not wrapping ones such as @parameterize). Make it a plain def."
    )


def async_nodes(
    nodes: Mapping[str, Node], compute: Sequence[str], engine: Engine, tasks: int | None
) -> list[str]:
    """The ``async def`` nodes of the run: when there are any, Hamilton's async driver runs it.

    Raises:
        EngineError: the run's engine, or its ``Parallelizable[]`` nodes, rule that out.
    """
    found = [n for n in compute if is_async(nodes[n])]
    names = ", ".join(sorted(found))
    if found and engine.name != "local":
        raise EngineError(
            f"async def nodes ({names}) run as asyncio tasks through Hamilton's async driver, in"
            f" the kernel: use --engine local (the default) for this run, not {engine.name}."
        )
    if found and tasks is not None:
        raise EngineError(
            f"a run cannot compute both async def nodes ({names}) and"
            " Parallelizable[]/Collect[] nodes: Hamilton's async driver has no dynamic execution."
        )
    return found


def async_run(
    nodes: dict[str, Node],
    config: Mapping[str, Any],
    recording: Recording,
    wait: Callable[[], None],
    wanted: Sequence[str],
    given: dict[str, Any],
    inputs: Mapping[str, Any],
) -> Callable[[], Any]:
    """The run, through Hamilton's async driver on an event loop of its own (``asyncrun``)."""
    executor = AsyncRecorder(recording)
    dr = async_driver_for(nodes, config, executor)
    inputs = dict(inputs)

    def run() -> Any:
        check_async_run(dr, list(wanted), inputs, given)  # before any node runs, as a plain run
        return run_to_end(
            lambda: dr.execute(list(wanted), overrides=given, inputs=inputs), wait, executor.busy
        )

    return run


def run_to_end(
    main: Callable[[], Coroutine[Any, Any, T]],
    wait: Callable[[], None],
    busy: Callable[[], list[str]],
) -> T:
    """The result of the coroutine ``main()`` makes, run on an event loop of its own.

    Args:
        main: makes the run's coroutine.
        wait: called every few milliseconds while a helper thread runs it (progress).
        busy: the nodes running, for the message of an interrupted run.

    Raises:
        KeyboardInterrupt: the run was interrupted; it names the nodes that were running.
        Exception: whatever the run raised.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop here
        ours = False
    else:
        ours = True
    try:
        if not ours:
            return asyncio.run(main())
        return _on_helper_thread(main, wait)
    except KeyboardInterrupt as e:
        names = busy()
        running = f" while these nodes ran: {', '.join(names)}" if names else ""
        raise KeyboardInterrupt(
            f"the run was interrupted{running}; nothing it computed was cached"
        ) from e


def _on_helper_thread(main: Callable[[], Coroutine[Any, Any, T]], wait: Callable[[], None]) -> T:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="hamilton_nb async run", daemon=True)
    thread.start()
    try:
        future = asyncio.run_coroutine_threadsafe(main(), loop)
        try:
            while True:
                try:
                    return future.result(timeout=_POLL)
                except TimeoutError:
                    wait()
        except KeyboardInterrupt:
            future.cancel()  # the task, in its loop: its nodes are cancelled in turn
            raise
    finally:
        _close(loop, thread)


def _close(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
    """Cancel what still runs on the helper's loop (the nodes beside a failed one), then stop
    it. A node that blocks the loop and ignores cancelling keeps its daemon thread."""

    async def cancel_the_rest() -> None:
        rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in rest:
            task.cancel()
        await asyncio.gather(*rest, return_exceptions=True)
        await loop.shutdown_asyncgens()
        await loop.shutdown_default_executor()

    try:
        asyncio.run_coroutine_threadsafe(cancel_the_rest(), loop).result(timeout=_GRACE)
    except TimeoutError:
        return
    finally:
        loop.call_soon_threadsafe(loop.stop)
    thread.join(_GRACE)
    if not thread.is_alive():
        loop.close()
