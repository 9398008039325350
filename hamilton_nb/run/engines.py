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
import threading
from collections.abc import Callable, Mapping

from hamilton_nb.errors import EngineError
from hamilton_nb.run.clusters import DaskEngine, RayEngine
from hamilton_nb.run.engine_base import Engine, EngineSpec, Events
from hamilton_nb.run.pools import ProcessesEngine, ThreadsEngine

__all__ = ["ENGINES", "Engine", "EngineSpec", "Events", "check", "close_all", "engine", "stop"]

ENGINES = ("local", "threads", "processes", "dask", "ray")
_EXTRAS = {"dask": "distributed", "ray": "ray"}  # engine -> the module its extra installs


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
