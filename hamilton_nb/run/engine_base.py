"""What every engine is: its spec, its interface (the local engine), and how a run's progress
and a node's failure come back from wherever it ran."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

from hamilton import base

from hamilton_nb.run.remote import NodeFailed, Timed, frames, node_failed


class EngineSpec(NamedTuple):
    """Which engine, how many workers (None: one per core) and, for a cluster, its address."""

    name: str = "local"
    workers: int | None = None
    address: str | None = None


class Events:
    """Progress of one run, told to ``progress`` from the kernel's main thread only (a widget or
    a display handle is updated from the thread that runs the cell); other threads queue."""

    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self._main = threading.get_ident()
        self._queue: queue.SimpleQueue[tuple[str, str]] = queue.SimpleQueue()

    def post(self, kind: str, name: str) -> None:
        """``kind``: "started" or "finished"."""
        if self.progress is None:
            return
        if threading.get_ident() == self._main:
            self._tell(kind, name)
        else:
            self._queue.put((kind, name))

    def pump(self) -> None:
        """Pass on what other threads queued (called by the main thread while it waits)."""
        while True:
            try:
                kind, name = self._queue.get_nowait()
            except queue.Empty:
                return
            self._tell(kind, name)

    def _tell(self, kind: str, name: str) -> None:
        if kind == "started":
            self.progress.node_started(name)
        else:
            self.progress.node_finished(name)


class Engine:
    """The local engine, and the interface of the others.

    ``adapters`` gives the Hamilton adapters of one run: a result builder (whose result maps each
    requested node to its value, a ``Timed`` value or a ``NodeFailed``) and, when nodes run in
    the kernel's process, ``recorder``, a lifecycle method that times them and keeps their
    errors. ``send``, when set, is how the recorder has a node's function run elsewhere.
    """

    send: Callable[[str, Callable[..., Any], dict[str, Any]], Timed] | None = None
    name = "local"
    items: int | None = 0
    """How a run with ``Parallelizable[]`` / ``Collect[]`` nodes (Hamilton's dynamic execution)
    runs the items of a block: on this many threads (0: one after the other, in the kernel);
    None: this engine cannot run such a graph."""

    def adapters(self, recorder: Any, events: Events) -> list[Any]:
        return [base.DictResult(), recorder]

    def item_adapters(self, recorder: Any, events: Events) -> list[Any]:
        """The adapters of a run with ``Parallelizable[]`` / ``Collect[]`` nodes: each node runs
        through ``recorder`` (and ``send``), wherever Hamilton's task executor calls it."""
        return [base.DictResult(), recorder]

    def close(self) -> None:
        """Stop the workers this engine started."""


def settled(
    name: str, exception: Callable[[], BaseException | None] | None, result: Callable[[], Any]
) -> Any:
    """A finished task's value, or the ``NodeFailed`` it raised (found in what the engine
    wrapped it in). Any other error (a result that does not pickle, a worker that died) is
    the engine's, and is told as this node's failure: the node is what the user can act on."""
    error = exception() if exception is not None else None
    if error is None:
        try:
            return result()
        except Exception as e:
            error = e
    failed = node_failed(error)
    if failed is None:
        error = getattr(error, "cause", None) or error  # Ray's wrapper: what it wraps
        return NodeFailed(name, f"{type(error).__name__}: {error}", frames(error.__traceback__))
    return failed
