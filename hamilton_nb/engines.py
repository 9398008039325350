"""Where nodes run: in the kernel, on threads, on processes, on Dask or on Ray.

Each engine is Hamilton's own adapter for that place, subclassed only where a notebook needs
more than a script does:

* ``local``: Hamilton's driver in the kernel, one node after the other.
* ``threads``: ``h_threadpool.FutureAdapter`` (each node a future on a thread pool).
* ``processes``: the same adapter; its threads hand each node's function, by value, to a
  process pool (Hamilton's own multiprocessing executor only serves ``Parallelizable`` blocks).
* ``dask``: ``h_dask.DaskGraphAdapter`` (each node a ``dask.delayed`` task) on a client.
* ``ray``: ``h_ray.RayGraphAdapter`` (each node a Ray task).

Common to all but local: the result builder collects every computed node as it completes
(telling the run's progress, from the kernel's main thread) and returns failures as values, so
the nodes that finished before a failure are still cached. Functions sent to another process
travel as ``remote.NodeCall``: by value, timed, with a portable error. Engines that own workers
(a pool, a local cluster) are started once and kept for the kernel's lifetime.
"""

from __future__ import annotations

import atexit
import functools
import multiprocessing
import os
import queue
import threading
import uuid
from collections.abc import Callable, Mapping
from concurrent import futures
from typing import Any, NamedTuple

from hamilton import base
from hamilton.plugins.h_threadpool import FutureAdapter

from hamilton_nb.errors import EngineError
from hamilton_nb.remote import NodeCall, NodeFailed, Timed, frames, node_failed, ship_by_value

ENGINES = ("local", "threads", "processes", "dask", "ray")
_EXTRAS = {"dask": "distributed", "ray": "ray"}  # engine -> the module its extra installs


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

    def adapters(self, recorder: Any, events: Events) -> list[Any]:
        return [base.DictResult(), recorder]

    def close(self) -> None:
        """Stop the workers this engine started."""


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

    def __init__(self, spec: EngineSpec) -> None:
        self._adapter = _CollectingFutures(max_workers=spec.workers, thread_name_prefix="node")

    def adapters(self, recorder: Any, events: Events) -> list[Any]:
        self._adapter.events = events
        return [self._adapter, recorder]

    def close(self) -> None:
        self._adapter.executor.shutdown(wait=False, cancel_futures=True)


class ProcessesEngine(ThreadsEngine):
    """Nodes on a pool of processes. The thread-pool adapter walks the graph; each of its threads
    sends one node's function (by value) and arguments to the process pool and waits for it."""

    def __init__(self, spec: EngineSpec) -> None:
        # a thread waiting for a node's inputs holds its place: keep plenty of them
        super().__init__(EngineSpec(spec.name, 64))
        workers = spec.workers or os.cpu_count() or 1
        # spawn, not fork: the kernel runs threads, and a forked child would inherit their locks
        self._pool = futures.ProcessPoolExecutor(workers, multiprocessing.get_context("spawn"))
        # every worker up now (the pool starts one only when none is idle): not in a first run
        for started in [self._pool.submit(int) for _ in range(workers)]:
            started.result()

    def adapters(self, recorder: Any, events: Events) -> list[Any]:
        ship_by_value()
        return super().adapters(recorder, events)

    def send(self, node: str, fn: Callable[..., Any], kwargs: dict[str, Any]) -> Timed:
        result: Timed = self._pool.submit(NodeCall(node, fn).packed(), **kwargs).result()
        return result

    def close(self) -> None:
        super().close()
        self._pool.shutdown(wait=False, cancel_futures=True)


class DaskEngine(Engine):
    """Nodes as Dask tasks, on a cluster at ``address`` or on a local one started for the kernel
    (processes, one thread each)."""

    def __init__(self, spec: EngineSpec) -> None:
        from dask.distributed import Client, LocalCluster

        self._cluster = None
        if spec.address:
            self.client = Client(spec.address, set_as_default=False)
        else:
            self._cluster = LocalCluster(
                n_workers=spec.workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self.client = Client(self._cluster, set_as_default=False)
        self._adapter = _dask_adapter()(self.client, result_builder=base.DictResult())

    def adapters(self, recorder: Any, events: Events) -> list[Any]:
        ship_by_value()
        self._adapter.events = events
        return [self._adapter]

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


@functools.cache
def _dask_adapter() -> type:
    """Hamilton's Dask adapter, with each node's function sent as a ``NodeCall`` and every
    node's future collected as it completes (the class needs Dask: made on first use)."""
    from dask.delayed import Delayed, delayed
    from distributed import as_completed
    from hamilton.plugins.h_dask import DaskGraphAdapter

    class DaskNodes(DaskGraphAdapter):  # type: ignore[misc]
        events: Events | None = None

        def execute_node(self, node: Any, kwargs: dict[str, Any]) -> Any:
            key = f"{node.name}-{uuid.uuid4().hex}"  # what the Dask dashboard shows
            return delayed(NodeCall(node.name, node.callable).packed())(**kwargs, dask_key_name=key)

        def build_result(self, **outputs: Any) -> dict[str, Any]:
            lazy = {k: v for k, v in outputs.items() if isinstance(v, Delayed)}
            results = {k: v for k, v in outputs.items() if k not in lazy}
            names = dict(zip(self.client.compute(list(lazy.values())), lazy, strict=True))
            try:
                for future in as_completed(names, loop=self.client.loop):  # no round trip
                    if self.events is not None:
                        self.events.post("finished", names[future])
            except BaseException:  # interrupted: the cluster stops the run's tasks
                self.client.cancel(list(names))
                raise
            done = [f for f in names if f.status == "finished"]
            try:
                values = self.client.gather(done)
                results.update(zip((names[f] for f in done), values, strict=True))
            except Exception:  # a value that cannot come back: take each one on its own
                for future in done:
                    results[names[future]] = _settled(names[future], None, future.result)
            for future in names.keys() - set(done):
                results[names[future]] = _settled(names[future], future.exception, future.result)
            return results

    return DaskNodes


class RayEngine(Engine):
    """Nodes as Ray tasks, on the cluster at ``address`` or on a local Ray started for the
    kernel (or the one already running)."""

    def __init__(self, spec: EngineSpec) -> None:
        import ray

        self._started = not ray.is_initialized()
        if self._started:
            if spec.address:
                ray.init(address=spec.address, include_dashboard=False, log_to_driver=False)
            else:
                cpus = spec.workers or os.cpu_count() or 1
                ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False)
        self._adapter = _ray_adapter()(result_builder=base.DictResult())

    def adapters(self, recorder: Any, events: Events) -> list[Any]:
        ship_by_value()
        self._adapter.events = events
        return [self._adapter]

    def close(self) -> None:
        import ray

        if self._started:
            ray.shutdown()


@functools.cache
def _ray_adapter() -> type:
    """Hamilton's Ray adapter, with each node's function sent as a ``NodeCall`` (not Hamilton's
    wrapper, which pickles the node with the whole graph and every adapter) and every node's
    result collected as it completes."""
    import ray
    from hamilton.plugins.h_ray import RayGraphAdapter, parse_ray_remote_options_from_tags

    run = ray.remote(_call)

    class RayNodes(RayGraphAdapter):  # type: ignore[misc]
        events: Events | None = None

        def do_remote_execute(self, *, node: Any, **kwargs: Any) -> Any:
            kwargs.pop("execute_lifecycle_for_node")
            options = parse_ray_remote_options_from_tags(node.tags)
            call = NodeCall(node.name, node.callable).packed()
            return run.options(**options).remote(call, **kwargs)

        def do_build_result(self, outputs: dict[str, Any]) -> dict[str, Any]:
            refs = {v: k for k, v in outputs.items() if isinstance(v, ray.ObjectRef)}
            results = {k: v for k, v in outputs.items() if not isinstance(v, ray.ObjectRef)}
            pending = list(refs)
            try:
                while pending:  # whatever finished in the last moment, in one call
                    done, pending = ray.wait(pending, num_returns=len(pending), timeout=0.1)
                    for ref in done:
                        if self.events is not None:
                            self.events.post("finished", refs[ref])
            except BaseException:  # interrupted: Ray stops the run's tasks
                for ref in pending:
                    ray.cancel(ref)
                raise
            try:
                results.update(zip(refs.values(), ray.get(list(refs)), strict=True))
            except Exception:  # a node failed: take each one on its own
                for ref, name in refs.items():
                    results[name] = _settled(name, None, functools.partial(ray.get, ref))
            return results

    return RayNodes


def _call(call: NodeCall, **kwargs: Any) -> Timed:
    """A Ray task: run one node (a module-level function, so Ray exports it once)."""
    return call(**kwargs)


def _settled(
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


_STARTED: dict[EngineSpec, Engine] = {}
_LOCAL = Engine()
_LOCK = threading.Lock()


def engine(name: str = "local", workers: int | None = None, address: str | None = None) -> Engine:
    """The engine ``name``, started on first use and kept for the kernel's lifetime.

    Raises:
        EngineError: an unknown engine, its extra not installed, or options it does not take.
    """
    spec = check(name, workers, address)
    if name == "local":
        return _LOCAL
    if name == "ray":  # one Ray per process: whatever runs is the one used
        spec = next((s for s in _STARTED if s.name == "ray"), spec)
    with _LOCK:
        if spec not in _STARTED:
            _STARTED[spec] = _KINDS[name](spec)
        return _STARTED[spec]


def check(name: str, workers: int | None = None, address: str | None = None) -> EngineSpec:
    """What ``engine`` would start, without starting it.

    Raises:
        EngineError: an unknown engine, its extra not installed, or options it does not take.
    """
    if name not in ENGINES:
        raise EngineError(f"unknown engine '{name}': use one of {', '.join(ENGINES)}.")
    if name == "local" and (workers is not None or address is not None):
        raise EngineError(
            "the local engine runs in the kernel: --workers and --address do not apply."
        )
    if address is not None and name not in ("dask", "ray"):
        raise EngineError(f"--address is for a Dask or Ray cluster, not for the {name} engine.")
    if workers is not None and workers < 1:
        raise EngineError(f"--workers must be at least 1 (got {workers}).")
    _require_extra(name)
    return EngineSpec(name, workers, address)


def _require_extra(name: str) -> None:
    module = _EXTRAS.get(name)
    if module is None:
        return
    try:
        __import__(module)
    except ImportError as e:
        raise EngineError(
            f"the {name} engine needs {name.capitalize()}, which is not installed here: "
            f"pip install 'hamilton_nb[{name}]' (then restart the kernel)."
        ) from e


_KINDS: Mapping[str, Callable[[EngineSpec], Engine]] = {
    "threads": ThreadsEngine,
    "processes": ProcessesEngine,
    "dask": DaskEngine,
    "ray": RayEngine,
}


def running() -> list[EngineSpec]:
    """The engines started in this process, and not stopped."""
    return list(_STARTED)


def stop(name: str, workers: int | None = None, address: str | None = None) -> bool:
    """Stop an engine ``engine`` started (its pool, its local cluster, its connection); the next
    run on it starts a new one. Whether one was running."""
    spec = EngineSpec(name, workers, address)
    with _LOCK:
        if name == "ray":  # one Ray per process, whatever it was started with
            spec = next((s for s in _STARTED if s.name == "ray"), spec)
        found = _STARTED.pop(spec, None)
    if found is not None:
        found.close()
    return found is not None


@atexit.register
def close_all() -> None:
    """Stop every engine's workers."""
    while _STARTED:
        _, e = _STARTED.popitem()
        e.close()
