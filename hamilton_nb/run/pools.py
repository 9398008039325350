"""Engines on this machine's pools: threads, and processes fed by threads (see ``engines``)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent import futures
from typing import Any

from hamilton.plugins.h_threadpool import FutureAdapter

from hamilton_nb.run.engine_base import Engine, EngineSpec, Events
from hamilton_nb.run.remote import NodeCall, Timed, ship_by_value


class _CollectingFutures(FutureAdapter):  # type: ignore[misc]
    """Hamilton's thread-pool adapter, collecting futures as they complete (failures as values)
    and passing the run's progress on while the main thread waits."""

    events: Events | None = None

    def build_result(self, **outputs: Any) -> dict[str, Any]:
        pending = {v: k for k, v in outputs.items() if isinstance(v, futures.Future)}
        results = {k: v for k, v in outputs.items() if not isinstance(v, futures.Future)}
        try:
            while pending:  # waking up often: an interrupt of the kernel gets through
                done, _ = futures.wait(pending, timeout=0.1, return_when=futures.FIRST_COMPLETED)
                if self.events is not None:
                    self.events.pump()
                for future in done:
                    name = pending.pop(future)
                    error = future.exception()
                    results[name] = error if error is not None else future.result()
        except BaseException:  # interrupted: what has not started never will
            for future in pending:
                future.cancel()
            raise
        if self.events is not None:
            self.events.pump()
        return results


class ThreadsEngine(Engine):
    """Nodes on a pool of threads (helps where the work releases the GIL: I/O, NumPy, pandas)."""

    name = "threads"

    def __init__(self, spec: EngineSpec) -> None:
        self._adapter = _CollectingFutures(max_workers=spec.workers, thread_name_prefix="node")
        self.items = spec.workers or os.cpu_count() or 1

    def adapters(self, recorder: Any, events: Events) -> list[Any]:
        self._adapter.events = events
        return [self._adapter, recorder]

    def close(self) -> None:
        self._adapter.executor.shutdown(wait=False, cancel_futures=True)


class ProcessesEngine(ThreadsEngine):
    """Nodes on a pool of processes. The thread-pool adapter walks the graph; each of its threads
    sends one node's function (by value) and arguments to the process pool and waits for it."""

    name = "processes"

    def __init__(self, spec: EngineSpec) -> None:
        # a thread waiting for a node's inputs holds its place: keep plenty of them
        super().__init__(EngineSpec(spec.name, 64))
        workers = spec.workers or os.cpu_count() or 1
        # spawn, not fork: the kernel runs threads, and a forked child would inherit their locks
        self._pool = futures.ProcessPoolExecutor(workers, multiprocessing.get_context("spawn"))
        # every worker up now (the pool starts one only when none is idle): not in a first run
        for started in [self._pool.submit(int) for _ in range(workers)]:
            started.result()
        self.items = workers  # a block's items: one thread each sends its nodes to the pool

    def adapters(self, recorder: Any, events: Events) -> list[Any]:
        ship_by_value()
        return super().adapters(recorder, events)

    def item_adapters(self, recorder: Any, events: Events) -> list[Any]:
        ship_by_value()
        return super().item_adapters(recorder, events)

    def send(self, node: str, fn: Callable[..., Any], kwargs: dict[str, Any]) -> Timed:
        result: Timed = self._pool.submit(NodeCall(node, fn).packed(), **kwargs).result()
        return result

    def close(self) -> None:
        super().close()
        self._pool.shutdown(wait=False, cancel_futures=True)
