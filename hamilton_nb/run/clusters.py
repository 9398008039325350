"""Engines on a cluster: Dask and Ray, through Hamilton's adapters (see ``engines``)."""

from __future__ import annotations

import functools
import os
import uuid
from typing import Any

from hamilton import base

from hamilton_nb.run.engine_base import Engine, EngineSpec, Events, settled
from hamilton_nb.run.remote import NodeCall, Timed, ship_by_value


class DaskEngine(Engine):
    """Nodes as Dask tasks, on a cluster at ``address`` or on a local one started for the kernel
    (processes, one thread each)."""

    name = "dask"
    items = None  # Hamilton's dynamic execution runs tasks, not nodes, on its own executors

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
                    results[names[future]] = settled(names[future], None, future.result)
            for future in names.keys() - set(done):
                results[names[future]] = settled(names[future], future.exception, future.result)
            return results

    return DaskNodes


class RayEngine(Engine):
    """Nodes as Ray tasks, on the cluster at ``address`` or on a local Ray started for the
    kernel (or the one already running)."""

    name = "ray"
    items = None  # Hamilton's dynamic execution runs tasks, not nodes, on its own executors

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
                    results[name] = settled(name, None, functools.partial(ray.get, ref))
            return results

    return RayNodes


def _call(call: NodeCall, **kwargs: Any) -> Timed:
    """A Ray task: run one node (a module-level function, so Ray exports it once)."""
    return call(**kwargs)
